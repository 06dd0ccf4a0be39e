/**
 * The web container's Apache without an access log, checked by Apache itself: the kit's vhost
 * and its replacement of Debian's server-wide access log, in Debian's full configuration (the
 * image's), with a live request that must leave no log line behind.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { renderApacheOtherVhostsLog, renderApacheVhost } from "../../components/app/mautic";
import { requireTool } from "../support/tools";

let dir: string;
let root: string;
let env: NodeJS.ProcessEnv;
const port = 18997;

beforeAll(() => {
    requireTool("apache2");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-apache-"));
    root = path.join(dir, "apache2");
    fs.cpSync("/etc/apache2", root, { recursive: true, dereference: false, verbatimSymlinks: true });
    // Enabled confs link to ../conf-available: keep the links, replace what the kit replaces.
    const docroot = path.join(dir, "docroot");
    fs.mkdirSync(docroot);
    fs.writeFileSync(path.join(docroot, "index.html"), "ok\n");
    fs.writeFileSync(path.join(root, "sites-available/000-default.conf"), renderApacheVhost().replace("/var/www/html/docroot", docroot));
    fs.writeFileSync(path.join(root, "conf-available/other-vhosts-access-log.conf"), renderApacheOtherVhostsLog());
    fs.writeFileSync(path.join(root, "ports.conf"), `Listen 127.0.0.1:${port}\n`);
    const logs = path.join(dir, "logs");
    fs.mkdirSync(logs);
    env = {
        ...process.env,
        APACHE_RUN_USER: "www-data",
        APACHE_RUN_GROUP: "www-data",
        APACHE_PID_FILE: path.join(dir, "apache2.pid"),
        APACHE_RUN_DIR: dir,
        APACHE_LOCK_DIR: dir,
        APACHE_LOG_DIR: logs,
    };
});

afterAll(() => {
    if (root) spawnSync(requireTool("apache2"), ["-d", root, "-f", path.join(root, "apache2.conf"), "-k", "stop"], { env });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const apache = (args: string[]) => spawnSync(requireTool("apache2"), ["-d", root, "-f", path.join(root, "apache2.conf"), ...args], { encoding: "utf8", env });

test("Debian's full configuration with the kit's files passes `apache2 -t`", () => {
    const r = apache(["-t"]);
    expect(r.stdout + r.stderr).toMatch(/Syntax OK/);
    expect(r.status).toBe(0);
    expect(renderApacheVhost()).not.toMatch(/^\s*CustomLog/m);
    expect(renderApacheOtherVhostsLog()).not.toMatch(/^\s*[^#\s]/m);
});

test("a request with a query string and a referrer leaves no access log line", async () => {
    expect(apache(["-k", "start"]).status).toBe(0);
    let status = 0;
    for (let i = 0; i < 50 && status === 0; i++) {
        status = await new Promise<number>((resolve) => {
            http.get(
                {
                    host: "127.0.0.1",
                    port,
                    path: "/index.html?hash=abc123",
                    headers: { Referer: "https://www.client-a.de/secret-page", "User-Agent": "kit-test" },
                },
                (res) => {
                    res.resume();
                    res.on("end", () => resolve(res.statusCode ?? 0));
                },
            ).on("error", () => setTimeout(() => resolve(0), 100));
        });
    }
    expect(status).toBe(200);
    const logs = path.join(dir, "logs");
    const written = fs.readdirSync(logs).map((f) => [f, fs.readFileSync(path.join(logs, f), "utf8")] as const);
    for (const [name, content] of written) {
        expect({ name, hasRequest: /abc123|secret-page|kit-test/.test(content) }).toEqual({ name, hasRequest: false });
    }
    expect(written.map(([n]) => n)).not.toContain("other_vhosts_access.log");
    expect(written.map(([n]) => n)).not.toContain("access.log");
});
