/**
 * The web container's Apache virtual host (no access log), checked by Apache itself.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderApacheVhost } from "../components/render/mautic";
import { requireTool } from "./support/tools";

test("passes `apache2 -t` and logs errors but no requests", () => {
    const apache = requireTool("apache2");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-apache-"));
    try {
        const vhost = path.join(dir, "000-default.conf");
        fs.writeFileSync(vhost, renderApacheVhost());
        // The image's layout: Debian's apache2 modules; the vhost as the image includes it.
        const main = path.join(dir, "apache2.conf");
        fs.writeFileSync(
            main,
            [
                "ServerRoot /etc/apache2",
                `Define APACHE_LOG_DIR ${dir}`,
                `PidFile ${dir}/apache2.pid`,
                `ErrorLog ${dir}/main-error.log`,
                `Mutex file:${dir} default`,
                "IncludeOptional mods-enabled/*.load",
                "IncludeOptional mods-enabled/*.conf",
                "ServerName localhost",
                "Listen 127.0.0.1:18998",
                `Include ${vhost}`,
                "",
            ].join("\n"),
        );
        const r = spawnSync(apache, ["-t", "-f", main], { encoding: "utf8" });
        expect(r.stdout + r.stderr).toMatch(/Syntax OK/);
        expect(r.status).toBe(0);
        const conf = renderApacheVhost();
        expect(conf).not.toMatch(/^\s*CustomLog/m);
        expect(conf).toMatch(/^\s*ErrorLog /m);
        expect(conf).toMatch(/^\s*DocumentRoot \/var\/www\/html\/docroot$/m);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
