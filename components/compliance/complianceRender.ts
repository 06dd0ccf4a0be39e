/** The compliance report as Markdown (compliance.md, the README) and as one screen (the plan's output). */
import type { ComplianceReport, ComplianceStatus } from "./compliance";

const icon: Record<ComplianceStatus, string> = { enforced: "ENFORCED", prepared: "PREPARED", manual: "MANUAL", warning: "WARNING" };

export function renderComplianceMarkdown(r: ComplianceReport): string {
    const lines = [
        `# GDPR compliance report: ${r.site.domain}`,
        "",
        `Website: ${r.site.website} · Location: ${r.site.location}`,
        "",
        `> ${r.disclaimer}`,
        "",
        `Summary: ${r.summary.enforced} enforced, ${r.summary.prepared} prepared, ${r.summary.manual} manual, ${r.summary.warning} warning.`,
        "",
        "| ID | Item | Status | Evidence | To do |",
        "|----|------|--------|----------|-------|",
        ...r.items.map(
            (i) =>
                `| ${i.id} | ${i.title} | ${icon[i.status]} | ${i.evidence.join("<br>").replace(/\|/g, "\\|")} | ${i.actions.join("<br>").replace(/\|/g, "\\|") || "-"} |`,
        ),
    ];
    if (r.placeholders.length > 0) {
        lines.push("", "## Placeholders to fill in the generated documents", "");
        for (const p of r.placeholders) lines.push(`- \`${p.marker}\`: ${p.description}`);
    }
    return `${lines.join("\n")}\n`;
}

/** One screen: a line per item. */
export function renderComplianceScreen(r: ComplianceReport): string {
    const lines = [
        `Compliance (${r.site.domain}): ${r.summary.enforced} enforced, ${r.summary.prepared} prepared, ${r.summary.manual} manual, ${r.summary.warning} warning`,
    ];
    for (const i of r.items) {
        lines.push(`  ${i.id} ${icon[i.status].padEnd(8)} ${i.title}${i.status === "warning" && i.actions[0] ? ` -- ${i.actions[0]}` : ""}`);
    }
    lines.push(`  ${r.disclaimer}`);
    return lines.join("\n");
}
