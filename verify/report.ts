/**
 * verified.json and verified.md: one line per checklist item (C01..C15) with the live evidence
 * and the time it was seen, then every check. Items no live check can show (documents, a signed
 * DPA, the website) carry the plan's compliance status and say so.
 */
import { ComplianceReport } from "../components/compliance/compliance";
import { checklistIds, ChecklistId } from "./checklist";
import { CheckResult } from "./types";

export interface ItemVerdict {
    id: ChecklistId;
    title: string;
    /** pass/fail from live checks; "not-live" when no check covers the item. */
    status: "pass" | "fail" | "not-live";
    evidence: string;
    /** Latest time any evidence for the item was seen. */
    seenAt?: string;
    /** The plan's compliance status (enforced/prepared/manual/warning). */
    planned?: string;
}

export interface Verified {
    stack: string;
    target: string;
    verifiedAt: string;
    ok: boolean;
    failed: string[];
    items: ItemVerdict[];
    checks: CheckResult[];
}

export function buildVerified(stack: string, target: string, checks: CheckResult[], compliance?: ComplianceReport): Verified {
    const items = checklistIds.map((id): ItemVerdict => {
        const planned = compliance?.items.find((i) => i.id === id);
        const mine = checks.filter((c) => c.items.includes(id));
        const title = planned?.title ?? id;
        if (mine.length === 0) {
            return {
                id,
                title,
                status: "not-live",
                evidence: `no live check; plan: ${planned?.status ?? "unknown"}${planned ? ` (${planned.evidence?.[0] ?? ""})` : ""}`.replace(/ \(\)$/, ""),
                planned: planned?.status,
            };
        }
        const failed = mine.filter((c) => c.status === "fail");
        const seenAt = mine
            .map((c) => c.seenAt)
            .sort()
            .pop();
        const evidence = failed.length ? failed.map((c) => `${c.id}: ${c.evidence}`).join(" | ") : mine.map((c) => `${c.id}: ${c.evidence}`).join(" | ");
        return { id, title, status: failed.length ? "fail" : "pass", evidence, seenAt, planned: planned?.status };
    });
    const failed = checks.filter((c) => c.status === "fail").map((c) => c.id);
    return { stack, target, verifiedAt: new Date().toISOString(), ok: failed.length === 0, failed, items, checks };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderVerifiedMarkdown(v: Verified): string {
    const lines = [
        `# Verified: ${v.stack} (${v.target})`,
        "",
        `${v.ok ? "All live checks passed" : `FAILED: ${v.failed.join(", ")}`}. Verified at ${v.verifiedAt}.`,
        "",
        "| Item | Live | Evidence | Seen |",
        "|---|---|---|---|",
        ...v.items.map(
            (i) =>
                `| ${i.id} ${cell(i.title)} | ${i.status === "not-live" ? `not live (plan: ${i.planned ?? "?"})` : i.status.toUpperCase()} | ${cell(i.evidence)} | ${i.seenAt ?? ""} |`,
        ),
        "",
        "## Checks",
        "",
        "| Check | Result | Evidence | Seen |",
        "|---|---|---|---|",
        ...v.checks.map((c) => `| ${c.id} | ${c.status.toUpperCase()} | ${cell(c.evidence)} | ${c.seenAt} |`),
        "",
        "Not legal advice: the live checks show what the server does; the documents, the DPA and the website remain to be reviewed by people.",
        "",
    ];
    return lines.join("\n");
}
