/**
 * The kit as a library others install: a real `npm pack` of a clean copy of the repository
 * (the `prepare` script builds the JavaScript and the .d.ts), a real `npm install` of the tarball
 * into a fresh consumer project (registry via npm's cache), then `tsc` compiles a consumer
 * against the installed types and Node loads the package, templates included. Everything happens
 * under one temp dir; the repository gets no bin/.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../plan/runPlan";

jest.setTimeout(600_000);

let tmp: string;
let tarball: string;
let files: string[];
const consumer = () => path.join(tmp, "consumer");
const tsc = path.join(projectRoot, "node_modules", ".bin", "tsc");
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-package-"));
    const src = path.join(tmp, "src");
    fs.mkdirSync(src);
    // A clean copy of what git has (tracked and new, not ignored), with the installed node_modules.
    const list = run("git", ["ls-files", "--cached", "--others", "--exclude-standard"], projectRoot).split("\n").filter((f) => f && fs.existsSync(path.join(projectRoot, f)));
    for (const f of list) {
        fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
        fs.copyFileSync(path.join(projectRoot, f), path.join(src, f));
    }
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(src, "node_modules"));
    // The repository's .npmrc turns install scripts off (offline installs); packing runs `prepare`.
    const out = JSON.parse(run("npm", ["pack", "--ignore-scripts=false", "--json", "--pack-destination", tmp], src));
    tarball = path.join(tmp, out[0].filename);
    files = out[0].files.map((f: { path: string }) => f.path);
    fs.mkdirSync(consumer());
    fs.writeFileSync(path.join(consumer(), "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], consumer());
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the package ships JavaScript, type declarations and the templates, and no tests", () => {
    for (const f of ["bin/components/index.js", "bin/components/index.d.ts", "bin/components/site/mauticSite.d.ts", "bin/components/host/serverTypeChoice.js", "templates/caddyfile/Caddyfile", "package.json"]) {
        expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(tests|plan|scripts|audit|bench|examples)\//.test(f))).toEqual([]);
    expect(fs.existsSync(path.join(projectRoot, "bin"))).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(pkg.private).toBeUndefined();
});

test("a consumer compiles against the installed .d.ts, and a type error is caught", () => {
    const write = (body: string) => fs.writeFileSync(path.join(consumer(), "index.ts"), body);
    fs.writeFileSync(
        path.join(consumer(), "tsconfig.json"),
        JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", target: "ES2022", moduleResolution: "node", skipLibCheck: true, noEmit: true, types: [] }, files: ["index.ts"] }),
    );
    write(`import * as pulumi from "@pulumi/pulumi";
import { MauticSite, MauticSiteArgs, chooseServerType } from "mautic-gdpr-kit";
const args: MauticSiteArgs = { domain: "marketing.client-a.de", website: "https://www.client-a.de", adminEmail: "ops@agency.example", adminCidrs: ["203.0.113.0/24"] };
export const program = async () => {
    const site: MauticSite = await MauticSite.create("client", args);
    const ip: pulumi.Output<string> = site.serverIpv4;
    return { url: site.url, ip, choose: typeof chooseServerType };
};
`);
    run(tsc, ["-p", "tsconfig.json"], consumer());
    write(`import { MauticSiteArgs } from "mautic-gdpr-kit";\nexport const a: MauticSiteArgs = { domain: 1, website: "x", adminEmail: "y", adminCidrs: [] };\n`);
    let failed = "";
    try {
        run(tsc, ["-p", "tsconfig.json"], consumer());
    } catch (e) {
        failed = String((e as { stdout?: string }).stdout);
    }
    expect(failed).toMatch(/error TS2322: Type 'number' is not assignable to type 'string'/);
});

test("Node loads the installed package and its renderers find the templates", () => {
    const script = `const k = require("mautic-gdpr-kit");
const caddy = k.render.renderCaddyfile({ domain: "m.example.de", website: "https://www.example.de", adminEmail: "ops@example.de", adminUiCidrs: [], accessLogRetentionDays: 7, upstream: "mautic_web:80" });
process.stdout.write(JSON.stringify({ site: typeof k.MauticSite, serverType: k.defaults.serverType, caddy: caddy.includes("m.example.de") }));`;
    const out = JSON.parse(run(process.execPath, ["-e", script], consumer()));
    expect(out).toEqual({ site: "function", serverType: "auto", caddy: true });
    expect(require.resolve("mautic-gdpr-kit", { paths: [consumer()] })).toBe(path.join(fs.realpathSync(consumer()), "node_modules", "mautic-gdpr-kit", "bin", "components", "index.js"));
});
