/**
 * Runs tests/support/observatory-scan.mjs (Mozilla's HTTP Observatory, ESM-only) in a child
 * process against the edge under test, trusting Caddy's local CA via NODE_EXTRA_CA_CERTS.
 */
import { execFile } from "child_process";
import * as path from "path";

export interface ObservatoryTarget {
    host: string;
    path: string;
    httpPort: number;
    httpsPort: number;
}

export interface ObservatoryResult {
    target: ObservatoryTarget;
    error?: string;
    score: number;
    grade: string;
    statusCode: number;
    testsFailed: number;
    testsPassed: number;
    route: string[];
    tests: Record<string, { pass: boolean; result: string; scoreModifier: number }>;
}

export function runObservatory(targets: ObservatoryTarget[], caCertPath: string): Promise<ObservatoryResult[]> {
    const script = path.join(__dirname, "observatory-scan.mjs");
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["--dns-result-order=ipv4first", script, JSON.stringify(targets)],
            {
                cwd: path.join(__dirname, "..", ".."),
                env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath, NODE_OPTIONS: "" },
                timeout: 90000,
                maxBuffer: 16 * 1024 * 1024,
            },
            (err, stdout, stderr) => {
                if (err) return reject(new Error(`observatory-scan failed: ${err.message}\n${stderr}`));
                try {
                    resolve(JSON.parse(stdout) as ObservatoryResult[]);
                } catch {
                    reject(new Error(`observatory-scan printed no JSON:\n${stdout}\n${stderr}`));
                }
            },
        );
    });
}

/** The names of the tests a scan failed. */
export function failedTests(r: ObservatoryResult): string[] {
    return Object.entries(r.tests)
        .filter(([, t]) => !t.pass)
        .map(([name]) => name)
        .sort();
}
