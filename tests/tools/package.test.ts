/**
 * The kit as a library others install: a plain `npm pack` of a clean copy of the repository, as a
 * user or a CI job runs it after `npm ci --ignore-scripts` (the `prepare` script builds the
 * JavaScript and the .d.ts; no flag needed), a real `npm install` of the tarball
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
    // Plain `npm pack`, with the repository's own .npmrc: it must run `prepare` (an
    // `ignore-scripts` there skipped it and the tarball had no bin/).
    expect(fs.existsSync(path.join(src, "bin"))).toBe(false);
    const out = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], src));
    tarball = path.join(tmp, out[0].filename);
    files = out[0].files.map((f: { path: string }) => f.path);
    fs.mkdirSync(consumer());
    fs.writeFileSync(path.join(consumer(), "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], consumer());
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("installs turn dependency scripts off on the command line, not in .npmrc (which would skip prepare on pack)", () => {
    const npmrc = fs.readFileSync(path.join(projectRoot, ".npmrc"), "utf8");
    expect(npmrc).not.toMatch(/^\s*ignore-scripts\s*=\s*true/m);
    const installs = ["scripts/prepare-deps.sh", ".github/workflows/ci.yml", ".github/workflows/deploy.yml", "README.md"].flatMap((f) =>
        (fs.readFileSync(path.join(projectRoot, f), "utf8").match(/npm ci\b[^\n]*/g) ?? []).map((line) => `${f}: ${line}`),
    );
    expect(installs.length).toBeGreaterThanOrEqual(8);
    for (const line of installs) expect(line).toMatch(/npm ci --ignore-scripts/);
});

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

test("the example program of docs/guide/library.md compiles against the installed .d.ts", () => {
    const page = fs.readFileSync(path.join(projectRoot, "docs", "guide", "library.md"), "utf8");
    const examples = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(examples).toHaveLength(1);
    expect(examples[0]).toContain(`from "mautic-gdpr-kit"`);
    fs.writeFileSync(path.join(consumer(), "index.ts"), examples[0]);
    let errors = "";
    try {
        run(tsc, ["-p", "tsconfig.json"], consumer());
    } catch (e) {
        errors = String((e as { stdout?: string }).stdout) || String(e);
    }
    expect(errors).toBe("");
});

test("Node loads the installed package and its renderers find the templates", () => {
    const script = `const k = require("mautic-gdpr-kit");
const caddy = k.render.renderCaddyfile({ domain: "m.example.de", website: "https://www.example.de", adminUiCidrs: [], accessLogRetentionDays: 7, upstream: "mautic_web:80" });
process.stdout.write(JSON.stringify({ site: typeof k.MauticSite, alerts: typeof k.AlertSecrets, internal: [k.setPriceSource, k.doiProvider, k.renderCaddyfile].map((v) => typeof v), serverType: k.defaults.serverType, caddy: caddy.includes("m.example.de") }));`;
    const out = JSON.parse(run(process.execPath, ["-e", script], consumer()));
    expect(out).toEqual({ site: "function", alerts: "function", internal: ["undefined", "undefined", "undefined"], serverType: "auto", caddy: true });
    expect(require.resolve("mautic-gdpr-kit", { paths: [consumer()] })).toBe(path.join(fs.realpathSync(consumer()), "node_modules", "mautic-gdpr-kit", "bin", "components", "index.js"));
});
