/**
 * The command as `npm run audit` runs it (`ts-node --transpile-only audit/cli.ts`): table on
 * stdout, JSON report with --json, exit codes 0 / 1 / 2 (usage errors: tests/unit/audit.unit.test.ts).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { AuditReport } from "../../audit/types";
import { FixtureEnv, listenInRange, MAUTIC_HOST, startAuditFixtures } from "../support/audit-fixtures";
import { requireTool } from "../support/tools";

const ROOT = path.join(__dirname, "..", "..");
let env: FixtureEnv;
let chromiumPath: string;

beforeAll(async () => {
    chromiumPath = requireTool("chromium");
    requireTool("openssl");
    env = await startAuditFixtures();
});

afterAll(async () => {
    await env?.close();
});

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function runCli(args: string[]): Promise<Run> {
    const tsNode = require.resolve("ts-node/dist/bin.js");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [tsNode, "--transpile-only", "audit/cli.ts", ...args], {
            cwd: ROOT,
            env: { ...process.env, CHROMIUM_PATH: chromiumPath },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

const fixtureArgs = () => ["--ca-file", env.caFile, ...env.connectToArgs.flatMap((r) => ["--connect-to", r]), "--mautic-host", MAUTIC_HOST, "--settle", "300"];

test("compliant site: exit 0, a table on stdout, the JSON report in a file", async () => {
    const jsonFile = path.join(env.dir, "compliant.json");
    const run = await runCli([env.urlOf("compliant"), ...fixtureArgs(), "--json", jsonFile]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Audit of https:\/\/compliant\.shop\.test\/ \(/);
    expect(run.stdout).toMatch(/^RESULT {2}CHECK {23}SUMMARY$/m);
    expect(run.stdout).toMatch(/^PASS {4}observatory-grade {11}grade A\+ \(score \d+\)$/m);
    expect(run.stdout).toContain("Result: PASS (0 fail, 0 warn, 10 pass)");
    expect(run.stdout).toContain(`JSON report: ${jsonFile}`);

    const report = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as AuditReport;
    expect(report).toMatchObject({ tool: "mautic-gdpr-kit audit", formatVersion: 1, result: "pass", exitCode: 0 });
    expect(report.findings).toHaveLength(10);
    for (const f of report.findings) {
        expect(f).toEqual({
            id: expect.any(String),
            severity: "pass",
            summary: expect.any(String),
            evidence: expect.any(Array),
            checklist: expect.arrayContaining([expect.stringMatching(/^C\d\d$/)]),
        });
    }
    expect(report.options.mauticHosts).toEqual([MAUTIC_HOST]);
    expect(report.observed.requests.map((r) => r.type)).toEqual(expect.arrayContaining(["document", "script", "stylesheet", "image"]));
});

test("tracking site with --json -: exit 1, only JSON on stdout, the right findings", async () => {
    const run = await runCli([env.urlOf("tracking"), ...fixtureArgs(), "--json", "-"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.result).toBe("fail");
    expect(report.findings.filter((f) => f.severity === "fail").map((f) => f.id)).toEqual([
        "mautic-before-consent",
        "cookie-before-consent",
        "storage-before-consent",
    ]);
    expect(report.observed.requests.filter((r) => r.mautic).map((r) => r.url)).toEqual([
        "https://mautic.shop.test/mtc.js",
        "https://mautic.shop.test/mtc/event",
    ]);
});

test("unreachable host: exit 2 with a clear message", async () => {
    const probe = net.createServer();
    const port = await listenInRange(probe);
    await new Promise((resolve) => probe.close(resolve));
    const run = await runCli(["https://down.shop.test/", "--connect-to", `down.shop.test:443:127.0.0.1:${port}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`audit: cannot reach https://down.shop.test: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});
