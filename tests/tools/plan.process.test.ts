/**
 * `npm run plan` end to end, as a newcomer runs it: a real child process (ts-node) on the real
 * Pulumi.prod.yaml, with --policy, and on a usage error (the process's exit codes). In the tools
 * lane because each child process loads the whole program (seconds of CPU); broken stack files
 * through the same `main` in-process: tests/unit/plan.cli.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderCaddyfile } from "../../components/edge/caddyfile";
import { projectRoot, validateStack } from "../../plan/runPlan";
import { mockSecretFor, readStackConfig } from "../../plan/stackFile";

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-plan-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function plan(args: string[], cwd = projectRoot) {
    const r = spawnSync(
        process.execPath,
        [path.join(projectRoot, "node_modules/ts-node/dist/bin.js"), "--transpile-only", path.join(projectRoot, "plan/plan.ts"), ...args],
        {
            cwd,
            encoding: "utf8",
            timeout: 120000,
        },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("npm run plan on Pulumi.prod.yaml", () => {
    let out: string;
    let result: ReturnType<typeof plan>;
    beforeAll(() => {
        out = path.join(tmp, "out");
        result = plan(["--stack", "prod", "--out", out]);
    });

    test("exits 0 and prints the tree and the summary", () => {
        expect(result.stderr).not.toMatch(/plan: stack/);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/└─ site {2}\(mautic-kit:site:MauticSite\)/);
        expect(result.stdout).toMatch(/site-host-server {2}\(hcloud:index\/server:Server\)/);
        expect(result.stdout).toMatch(/Stack mautic-gdpr\/prod: https:\/\/www\.client-a\.de -> Mautic at https:\/\/marketing\.client-a\.de/);
        expect(result.stdout).toMatch(/user data: \d+ of 32768 bytes/);
    });

    test("writes every rendered file", () => {
        for (const f of ["resources.json", "cloud-init.yaml", "Caddyfile", "mautic/crontab", "mautic/parameters_local.php"]) {
            expect(fs.existsSync(path.join(out, "prod", f))).toBe(true);
        }
        const resources = JSON.parse(fs.readFileSync(path.join(out, "prod", "resources.json"), "utf8"));
        for (const r of resources) expect(Object.keys(r).sort()).toEqual(["inputs", "name", "options", "parent", "type"]);
        expect(resources.find((r: { type: string }) => r.type === "hcloud:index/server:Server").parent).toBe("site-host");
    });

    test("the Caddyfile written is the production rendering the edge tests run on a live Caddy", () => {
        const site = validateStack(readStackConfig(projectRoot, "prod")).settings;
        const expected = renderCaddyfile({
            domain: site.domain,
            website: site.website,
            acmeEmail: site.acmeEmail,
            adminUiCidrs: site.adminUiCidrs,
            accessLogRetentionDays: site.accessLogRetentionDays,
            upstream: "mautic_web:80",
        });
        expect(fs.readFileSync(path.join(out, "prod", "Caddyfile"), "utf8")).toBe(expected);
    });

    test("no secret value appears anywhere under <out>", () => {
        const secrets = [mockSecretFor("mautic-gdpr:mailerDsn"), mockSecretFor("hcloud:token"), "MockSecret", "MOCKSECRETKEY"];
        for (const f of walk(out)) {
            const text = fs.readFileSync(f, "utf8");
            for (const s of secrets) expect({ file: f, leaked: text.includes(s) }).toEqual({ file: f, leaked: false });
        }
        expect(fs.readFileSync(path.join(out, "prod", "mautic/parameters_local.php"), "utf8")).toMatch(/'secret_key' => '\[secret\]'/);
        expect(fs.readFileSync(path.join(out, "prod", "cloud-init.yaml"), "utf8")).toMatch(/\[secret\]/);
    });
});

describe("npm run plan -- --policy: the policy pack over the plan (the pull-request check)", () => {
    test("the example stack passes all eight policies; world-open SSH (accepted by the kit with a warning) fails with exit 1, naming policy and resource", () => {
        const ok = plan(["--stack", "prod", "--out", path.join(tmp, "out-policy-ok"), "--policy"]);
        expect(ok.code).toBe(0);
        expect(ok.stdout).toMatch(/policy pack \(policy\/\): 8 policies, 0 violations/);
        const dir = path.join(tmp, "project-world-ssh");
        fs.mkdirSync(dir);
        fs.copyFileSync(path.join(projectRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const prod = fs
            .readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8")
            .replace(/mautic-gdpr:adminCidrs:\n(\s+- .*\n)+/, "mautic-gdpr:adminCidrs:\n    - 0.0.0.0/0\n");
        expect(prod).toContain("- 0.0.0.0/0");
        fs.writeFileSync(path.join(dir, "Pulumi.worldssh.yaml"), prod);
        const bad = plan(["--stack", "worldssh", "--out", path.join(tmp, "out-policy-bad"), "--dir", dir, "--policy"]);
        expect(bad.code).toBe(1);
        expect(bad.stdout).toMatch(/8 policies, 1 violations\n {2}no-world-ssh site-host-firewall: .*0\.0\.0\.0\/0/);
    });
});

describe("npm run plan with a bad command line", () => {
    test("an unknown option: exit 2 (usage), the option, a suggestion and the synopsis", () => {
        const r = plan(["--stak", "prod"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^plan: unknown option --stak \(did you mean --stack\?\)[^\n]*\n\nUsage: npm run plan -- \[--stack NAME\]/);
    });
});
