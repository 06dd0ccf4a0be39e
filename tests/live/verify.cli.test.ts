/**
 * `npm run verify` end to end against a loopback "server" (real sshd, real fail2ban, the prod
 * stack's rendered host files), the edge checks against a local HTTPS server, and the fleet page
 * in Chromium with a screenshot.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { launchBrowser } from "../../audit/browser";
import { projectRoot, runPlan } from "../../plan/runPlan";
import { readStackConfig } from "../../plan/stackFile";
import { parseVerifyArgs, verifyStack, writeVerified } from "../../verify/cli";
import { runEdgeChecks } from "../../verify/edge";
import { expectationFromPlan } from "../../verify/expected";
import { fleetRowFrom, renderFleetPage } from "../../verify/fleet";
import { buildVerified, Verified } from "../../verify/report";
import { closeServer, listenInRange, makeTestCert } from "../support/loopback";
import { LoopbackHost, startLoopbackHost } from "../support/loopback-host";
import { requireTool } from "../support/tools";

let host: LoopbackHost;
let tmp: string;
const only = "sshd,fail2ban,unattended-upgrades,reboot-pending,host-files,backup,disk,logs-pii";

function writeRoot(rel: string, content: string, mtime?: Date) {
    const p = path.join(host.root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    if (mtime) fs.utimesSync(p, mtime, mtime);
}

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "verify-cli-"));
    const plan = await runPlan(readStackConfig(projectRoot, "prod"));
    host = await startLoopbackHost(expectationFromPlan(plan).hostFiles);
    writeRoot("var/lib/apt/periodic/unattended-upgrades-stamp", "", new Date(Date.now() - 3600_000));
    const id = new Date(Date.now() - 2 * 3600_000)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
    const set = path.join(host.root, "srv/mautic/backups", id);
    fs.mkdirSync(set, { recursive: true });
    fs.writeFileSync(path.join(set, "db.sql.gz"), "x");
    execFileSync("sh", ["-c", "sha256sum db.sql.gz > SHA256SUMS"], { cwd: set });
    fs.symlinkSync(id, path.join(host.root, "srv/mautic/backups/latest"));
    fs.mkdirSync(path.join(host.root, "srv/mautic/logs"), { recursive: true });
    fs.writeFileSync(path.join(tmp, "id"), host.privateKey, { mode: 0o600 });
    fs.writeFileSync(path.join(tmp, "host.pub"), host.hostPublicKey);
}, 120_000);

afterAll(async () => {
    await host?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
});

const cliArgs = (out: string) => [
    "--stack",
    "prod",
    "--out",
    out,
    "--host",
    "127.0.0.1",
    "--port",
    String(host.target.port),
    "--key",
    path.join(tmp, "id"),
    "--host-key",
    path.join(tmp, "host.pub"),
    "--only",
    only,
    "--no-edge",
    "--root",
    host.root,
    "--sshd-config",
    host.sshdConfig,
    "--fail2ban-socket",
    host.fail2banSocket,
];

function cli(out: string) {
    const args = ["--transpile-only", path.join(projectRoot, "verify/cli.ts"), ...cliArgs(out)];
    return new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(path.join(projectRoot, "node_modules/.bin/ts-node"), args, { cwd: projectRoot });
        let text = "";
        c.stdout.on("data", (d) => (text += d));
        c.stderr.on("data", (d) => (text += d));
        c.on("close", (code) => resolve({ code, out: text }));
    });
}

test("arguments: the host key is pinned, never trusted on first use", () => {
    expect(() => parseVerifyArgs(["--stack", "prod", "--host", "1.2.3.4", "--key", "k"])).toThrow(/--host, --key and --host-key go together/);
    expect(() => parseVerifyArgs([])).toThrow(/--stack NAME or --all is required/);
    expect(() => parseVerifyArgs(["--stack", "prod", "--only", "nope"])).toThrow(/unknown check "nope"/);
});

test("a healthy host: every check passes, verified.json and verified.md with one line per checklist item", async () => {
    const out = path.join(tmp, "ok");
    // In process (the CLI's own functions); the broken case below runs the real command.
    const { verified } = await verifyStack(parseVerifyArgs(cliArgs(out)), "prod");
    expect(verified.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(verified.ok).toBe(true);
    writeVerified(out, verified);
    const v = JSON.parse(fs.readFileSync(path.join(out, "prod/verified.json"), "utf8")) as Verified;
    expect(v.items.map((i) => i.id)).toEqual(["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12", "C13", "C14", "C15"]);
    expect(v.items.find((i) => i.id === "C12")).toMatchObject({ status: "pass" });
    expect(Date.parse(v.items.find((i) => i.id === "C12")!.seenAt!)).not.toBeNaN();
    expect(v.items.find((i) => i.id === "C03")).toMatchObject({ status: "not-live", planned: "manual" });
    const md = fs.readFileSync(path.join(out, "prod/verified.md"), "utf8");
    expect(md).toMatch(/^\| C12 .* \| PASS \| .*host-files: \d+ files equal the rendered ones/m);
    // Nothing secret in what verify writes: not the login key.
    expect(md + JSON.stringify(v)).not.toContain(host.privateKey.split("\n")[1]);
}, 120_000);

test("an edited host file and a stopped fail2ban: exit 1, the failed checks named", async () => {
    const f = path.join(host.root, "etc/sysctl.d/90-mautic-kit.conf");
    const orig = fs.readFileSync(f, "utf8");
    fs.appendFileSync(f, "net.ipv4.conf.all.accept_redirects = 1\n");
    host.stopFail2ban();
    try {
        const out = path.join(tmp, "broken");
        const r = await cli(out);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/prod: FAILED: fail2ban, host-files/);
        expect(r.out).toContain("FAIL host-files: /etc/sysctl.d/90-mautic-kit.conf differs from the rendered file");
        const md = fs.readFileSync(path.join(out, "prod/verified.md"), "utf8");
        expect(md).toMatch(/^FAILED: fail2ban, host-files\./m);
        expect(md).toMatch(/^\| C12 .* \| FAIL \|/m);
    } finally {
        fs.writeFileSync(f, orig);
        host.startFail2ban();
    }
}, 120_000);

describe("the edge from outside (the audit's code) and the fleet page", () => {
    let server: https.Server;
    let redirect: http.Server;
    let port: number;
    let redirectPort: number;
    let ca: string;
    const domain = "marketing.client-a.de";
    const headers = {
        "strict-transport-security": "max-age=63072000",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    };

    beforeAll(async () => {
        const tlsCert = makeTestCert([domain], 60);
        ca = tlsCert.cert;
        let strip = false;
        server = https.createServer({ key: tlsCert.key, cert: ca, minVersion: "TLSv1.2" }, (_q, res) => {
            res.writeHead(200, strip ? { "strict-transport-security": "max-age=63072000" } : headers);
            res.end("ok");
        });
        (server as unknown as { strip: (v: boolean) => void }).strip = (v) => (strip = v);
        port = await listenInRange(server);
        redirect = http.createServer((q, res) => {
            res.writeHead(308, { location: `https://${domain}${q.url}` });
            res.end();
        });
        redirectPort = await listenInRange(redirect);
    });
    afterAll(async () => {
        await closeServer(server);
        await closeServer(redirect);
    });

    const net = () => ({
        connectTo: [
            { host: domain, port: 443, connectHost: "127.0.0.1", connectPort: port },
            { host: domain, port: 80, connectHost: "127.0.0.1", connectPort: redirectPort },
        ],
        ca: [ca],
        timeoutMs: 5000,
    });

    test("certificate, redirect, HSTS, TLS versions and headers pass; missing headers fail by name", async () => {
        const rs = await runEdgeChecks(`https://${domain}/`, net());
        expect(rs.map((r) => [r.id, r.status])).toEqual([
            ["edge-certificate", "pass"],
            ["edge-https-redirect", "pass"],
            ["edge-hsts", "pass"],
            ["edge-tls-versions", "pass"],
            ["edge-headers", "pass"],
        ]);
        expect(rs[0].evidence).toMatch(/\((59|60) days left\)/);
        expect(rs[3].evidence).toMatch(/^TLSv1: refused, TLSv1\.1: refused, TLSv1\.2: accepted, TLSv1\.3: accepted$/);
        (server as unknown as { strip: (v: boolean) => void }).strip(true);
        const [h] = (await runEdgeChecks(`https://${domain}/`, net())).filter((r) => r.id === "edge-headers");
        (server as unknown as { strip: (v: boolean) => void }).strip(false);
        expect(h.status).toBe("fail");
        expect(h.evidence).toMatch(/x-content-type-options: want nosniff; referrer-policy: .*; content-security-policy: .*; framing/);
    }, 60_000);

    test("the fleet page renders one row per client in Chromium (screenshot)", async () => {
        const edge = await runEdgeChecks(`https://${domain}/`, net());
        const seenAt = new Date().toISOString();
        const good = buildVerified("client-a", "203.0.113.10:22", [
            ...edge,
            { id: "backup", title: "b", status: "pass", evidence: "last good set 20261203T020000Z, 5.2 h old, SHA256SUMS verified", seenAt, items: ["C12"] },
            { id: "unattended-upgrades", title: "u", status: "pass", evidence: "last run 3.0 h ago, no errors; 4 update(s) pending", seenAt, items: ["C12"] },
        ]);
        const bad = buildVerified("client-b", "203.0.113.11:22", [
            { id: "backup", title: "b", status: "fail", evidence: "last good set 20261201T020000Z is 53.0 h old (limit 26 h)", seenAt, items: ["C12"] },
            { id: "fail2ban", title: "f", status: "fail", evidence: "fail2ban-client status sshd failed", seenAt, items: ["C12"] },
        ]);
        const html = renderFleetPage(
            [fleetRowFrom("client-a", domain, "6.0.6-apache", good), fleetRowFrom("client-b", "m.client-b.de", "6.0.6-apache", bad)],
            seenAt,
        );
        const file = path.join(tmp, "fleet.html");
        fs.writeFileSync(file, html);
        const browser = await launchBrowser({ chromiumPath: requireTool("chromium"), connectTo: [], cas: [] });
        try {
            const page = await browser.newPage();
            await page.goto(`file://${file}`);
            const rows = await page.$$eval("tbody tr", (trs) =>
                trs.map((tr) => Array.from(tr.children).map((c) => (c as HTMLElement).innerText.replace(/\s+/g, " ").trim())),
            );
            expect(rows).toEqual([
                [
                    "client-a marketing.client-a.de",
                    expect.stringMatching(/^OK: \d+\/15 items verified live$/),
                    "5.2 h",
                    expect.stringMatching(/^(59|60) days$/),
                    "4",
                    "6.0.6-apache",
                ],
                [
                    "client-b m.client-b.de",
                    "FAILED: 0/15 items verified live, 1 failed backup, fail2ban",
                    "53.0 h (FAIL)",
                    "not checked",
                    "not checked",
                    "6.0.6-apache",
                ],
            ]);
            expect(await page.title()).toBe("Mautic fleet: 1/2 verified");
            const shot = path.join(tmp, "fleet.png");
            await page.screenshot({ path: shot, fullPage: true });
            const png = fs.readFileSync(shot);
            expect(png.subarray(1, 4).toString()).toBe("PNG");
            expect(png.length).toBeGreaterThan(5000);
            // At 400 % zoom (320 CSS px wide) the page itself does not scroll sideways; the table does.
            await page.setViewportSize({ width: 320, height: 640 });
            expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        } finally {
            await browser.close();
        }
    }, 60_000);
});
