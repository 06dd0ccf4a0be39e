/**
 * The header grade from Mozilla's HTTP Observatory (`@mdn/mdn-http-observatory`). The library is
 * ESM-only and this project is CommonJS, so it runs in a child Node process
 * (observatory-child.mjs), which also keeps its connection overrides out of this process.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AuditRunError, ConnectRule, Finding, ObservatoryResult } from "./types";

/** Observatory grades, best first. */
export const GRADES = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"] as const;

export function isGrade(text: string): boolean {
    return (GRADES as readonly string[]).includes(text);
}

/** Rank of a grade: 0 for A+, larger is worse. */
export function gradeRank(grade: string): number {
    const i = (GRADES as readonly string[]).indexOf(grade);
    return i < 0 ? GRADES.length : i;
}

interface ChildOutput {
    scan?: { grade: string; score: number; testsFailed: number; testsQuantity: number };
    tests?: Record<string, { pass: boolean; result: string }>;
    error?: string;
    setupError?: string;
}

export async function runObservatory(host: string, opts: { connectTo: ConnectRule[]; cas: string[]; timeoutMs: number }): Promise<ObservatoryResult | Error> {
    // Beside this file under ts-node/ts-jest; from a tsc build in bin/audit, in the source tree.
    const child = [path.join(__dirname, "observatory-child.mjs"), path.join(__dirname, "..", "..", "audit", "observatory-child.mjs")].find((p) =>
        fs.existsSync(p),
    );
    if (!child) {
        throw new AuditRunError("audit/observatory-child.mjs not found");
    }
    const env = { ...process.env };
    let tmpDir: string | undefined;
    if (opts.cas.length > 0) {
        // NODE_EXTRA_CA_CERTS names one file: write the extra CAs (and any file the caller
        // already had there) into a private temporary bundle for the child.
        tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-obs-"));
        const bundle = path.join(tmpDir, "extra-ca.pem");
        const inherited = env.NODE_EXTRA_CA_CERTS && fs.existsSync(env.NODE_EXTRA_CA_CERTS) ? fs.readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8") : "";
        fs.writeFileSync(bundle, `${inherited}\n${opts.cas.join("\n")}\n`, { mode: 0o600 });
        env.NODE_EXTRA_CA_CERTS = bundle;
    }
    try {
        return await scanInChild(child, host, opts.connectTo, env, opts.timeoutMs);
    } finally {
        if (tmpDir) {
            fs.rmSync(tmpDir, { recursive: true, force: true });
        }
    }
}

async function scanInChild(
    child: string,
    host: string,
    connectTo: ConnectRule[],
    env: NodeJS.ProcessEnv,
    timeoutMs: number,
): Promise<ObservatoryResult | Error> {
    const opts = { connectTo, timeoutMs };
    const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
            process.execPath,
            [child, JSON.stringify({ host, connectTo: opts.connectTo })],
            { env, timeout: opts.timeoutMs, maxBuffer: 4 * 1024 * 1024 },
            (err, out, errOut) => {
                if (err) {
                    reject(new Error(`observatory process failed: ${err.message} ${String(errOut).trim()}`.trim()));
                } else {
                    resolve(out);
                }
            },
        );
    }).catch((e: Error) => e);
    if (stdout instanceof Error) {
        return stdout;
    }
    let parsed: ChildOutput;
    try {
        parsed = JSON.parse(stdout.trim().split("\n").pop() ?? "") as ChildOutput;
    } catch {
        return new Error(`observatory printed no result: ${stdout.slice(0, 200)}`);
    }
    if (parsed.setupError) {
        throw new AuditRunError(`Mozilla HTTP Observatory is not usable: ${parsed.setupError}`);
    }
    if (parsed.error || !parsed.scan || !parsed.tests) {
        return new Error(parsed.error ?? "observatory returned no scan");
    }
    return {
        grade: parsed.scan.grade,
        score: parsed.scan.score,
        testsFailed: parsed.scan.testsFailed,
        testsQuantity: parsed.scan.testsQuantity,
        failedTests: Object.entries(parsed.tests)
            .filter(([, t]) => !t.pass)
            .map(([name, t]) => `${name}: ${t.result}`),
        scannedUrl: `https://${host}/`,
    };
}

/**
 * Grade A or A+ passes; from the minimum grade (default B) up to A- is a warning; below the
 * minimum fails. A scan that could not run fails: the headers were not verified.
 */
export function observatoryFinding(result: ObservatoryResult | Error, minGrade: string): Finding {
    const base = { id: "observatory-grade" as const, checklist: ["C13"] };
    if (result instanceof Error) {
        return { ...base, severity: "fail", summary: "Observatory scan failed", evidence: [result.message] };
    }
    const evidence = [
        `scanned ${result.scannedUrl} (the Observatory grades the host's front page)`,
        `score ${result.score}, ${result.testsFailed} of ${result.testsQuantity} tests failed`,
        ...result.failedTests.map((t) => `failed ${t}`),
    ];
    const summary = `grade ${result.grade} (score ${result.score})`;
    if (gradeRank(result.grade) > gradeRank(minGrade)) {
        return { ...base, severity: "fail", summary: `${summary}: below the minimum ${minGrade}`, evidence };
    }
    if (gradeRank(result.grade) > gradeRank("A")) {
        return { ...base, severity: "warn", summary: `${summary}: below A`, evidence };
    }
    return { ...base, severity: "pass", summary, evidence };
}
