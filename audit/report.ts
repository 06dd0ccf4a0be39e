/** Renders a report as the plain-text table the CLI prints. */
import { AuditReport, Finding, Severity } from "./types";

const LABEL: Record<Severity, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };
const MAX_EVIDENCE = 8;

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
    const counts: Record<Severity, number> = { pass: 0, warn: 0, fail: 0 };
    for (const f of findings) {
        counts[f.severity]++;
    }
    return counts;
}

/**
 * One row per check; under a failing or warning row its evidence, indented (all rows' evidence
 * with `verbose`). The full evidence is always in the JSON report.
 */
export function renderTable(report: AuditReport, verbose = false): string {
    const idWidth = Math.max("CHECK".length, ...report.findings.map((f) => f.id.length));
    const lines = [
        `Audit of ${report.url} (${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s)`,
        "",
        `RESULT  ${"CHECK".padEnd(idWidth)}  SUMMARY`,
        `------  ${"-".repeat(idWidth)}  ${"-".repeat(40)}`,
    ];
    for (const f of report.findings) {
        lines.push(`${LABEL[f.severity].padEnd(6)}  ${f.id.padEnd(idWidth)}  ${f.summary}`);
        if (verbose || f.severity !== "pass") {
            const shown = verbose ? f.evidence : f.evidence.slice(0, MAX_EVIDENCE);
            for (const e of shown) {
                lines.push(`${" ".repeat(8 + idWidth + 2)}- ${e}`);
            }
            if (shown.length < f.evidence.length) {
                lines.push(`${" ".repeat(8 + idWidth + 2)}  (${f.evidence.length - shown.length} more in the JSON report)`);
            }
        }
    }
    const c = countBySeverity(report.findings);
    lines.push("");
    lines.push(`Result: ${report.result.toUpperCase()} (${c.fail} fail, ${c.warn} warn, ${c.pass} pass)`);
    return `${lines.join("\n")}\n`;
}
