/**
 * The Mautic bench's report: figures per Mautic, ratios first / second (kit / defaults), and the
 * kit's container memory budgets held against the measured peaks per role. Pure functions.
 */
import type { MemoryBudget } from "../../components/host/sizing";
import type { Role } from "./args";
import type { RolePeak } from "./memory";
import type { CleanupFigures, RampFigures, SegmentFigures, SendFigures, TrackingFigures } from "./scenarios";

export interface TargetReport {
    label: string;
    mauticUrl: string;
    tracking?: TrackingFigures;
    forms?: RampFigures;
    segment?: SegmentFigures;
    send?: SendFigures;
    cleanup?: CleanupFigures;
    peaks: Partial<Record<Role, RolePeak>>;
    phasePeaks: Record<string, Partial<Record<Role, RolePeak>>>;
    failures: string[];
    kernelOomKills?: number;
    worker?: { killed: number; recycled: number; failed: number };
    errors: string[];
}

/** a / b, as text with 2 decimals; "n/a" when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): string {
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "n/a";
    return (a / b).toFixed(2);
}

const maxRate = (f: RampFigures | undefined) => (f && f.steps.length ? Math.max(...f.steps.map((s) => s.perSecond)) : undefined);

type Figure = { name: string; unit: string; better: "higher" | "lower"; get: (r: TargetReport) => number | undefined };

export const figures: Figure[] = [
    { name: "tracking hits/s at p95 under the bound", unit: "/s", better: "higher", get: (r) => r.tracking?.best?.perSecond },
    { name: "tracking p95 at that rate", unit: "ms", better: "lower", get: (r) => r.tracking?.best?.p95Ms },
    { name: "tracking hits/s with 1 client", unit: "/s", better: "higher", get: (r) => r.tracking?.steps[0]?.perSecond },
    { name: "tracking p95 with 1 client", unit: "ms", better: "lower", get: (r) => r.tracking?.steps[0]?.p95Ms },
    { name: "tracking highest hits/s seen (any p95)", unit: "/s", better: "higher", get: (r) => maxRate(r.tracking) },
    { name: "hit queue backlog after the load", unit: "msgs", better: "lower", get: (r) => r.tracking?.backlog },
    { name: "hit queue drain", unit: "s", better: "lower", get: (r) => r.tracking?.drainSeconds },
    { name: "form submissions/s at p95 under the bound", unit: "/s", better: "higher", get: (r) => r.forms?.best?.perSecond },
    { name: "form p95 at that rate", unit: "ms", better: "lower", get: (r) => r.forms?.best?.p95Ms },
    { name: "form submissions/s with 1 client", unit: "/s", better: "higher", get: (r) => r.forms?.steps[0]?.perSecond },
    { name: "form p95 with 1 client", unit: "ms", better: "lower", get: (r) => r.forms?.steps[0]?.p95Ms },
    { name: "form highest submissions/s seen (any p95)", unit: "/s", better: "higher", get: (r) => maxRate(r.forms) },
    { name: "segment rebuild (segments:update, all runs)", unit: "s", better: "lower", get: (r) => r.segment?.seconds },
    { name: "segment rebuild: runs until complete", unit: "runs", better: "lower", get: (r) => r.segment?.runs },
    { name: "segment rebuild: contacts in the segment", unit: "contacts", better: "higher", get: (r) => r.segment?.members },
    { name: "send: broadcasts:send (queueing)", unit: "s", better: "lower", get: (r) => r.send?.queueSeconds },
    { name: "send: time to drain the e-mail queue", unit: "s", better: "lower", get: (r) => r.send?.drainSeconds },
    { name: "send: e-mails per second", unit: "/s", better: "higher", get: (r) => (r.send?.drainSeconds ? r.send.delivered / r.send.drainSeconds : undefined) },
    { name: "maintenance:cleanup", unit: "s", better: "lower", get: (r) => r.cleanup?.cleanupSeconds },
    { name: "kit privacy job", unit: "s", better: "lower", get: (r) => r.cleanup?.privacySeconds },
    ...(["web", "worker", "cron", "db"] as Role[]).map((role): Figure => ({
        name: `peak RSS ${role} (sum over its processes)`,
        unit: "MiB",
        better: "lower",
        get: (r) => r.peaks[role]?.sumMiB,
    })),
    ...(["worker", "cron"] as Role[]).map((role): Figure => ({
        name: `peak VmHWM of one ${role} process`,
        unit: "MiB",
        better: "lower",
        get: (r) => r.peaks[role]?.processMiB,
    })),
];

const fmt = (v: number | undefined) => (v === undefined ? "-" : v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** One row per figure: value per Mautic and, with two, the ratio first / second. */
export function figureTable(reports: TargetReport[]): string[] {
    const head = ["figure", ...reports.map((r) => r.label), ...(reports.length === 2 ? [`${reports[0].label} / ${reports[1].label}`] : [])];
    const rows = figures.map((f) => {
        const vals = reports.map((r) => f.get(r));
        const cells = [`${f.name} (${f.unit}, ${f.better} is better)`, ...vals.map(fmt)];
        if (reports.length === 2) cells.push(ratio(vals[0], vals[1]));
        return cells;
    });
    return markdownTable(
        head,
        rows.filter((r) => r.slice(1).some((c) => c !== "-" && c !== "n/a")),
    );
}

export function markdownTable(head: string[], rows: string[][]): string[] {
    return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

export interface BudgetRow {
    role: Role;
    budgetMiB: number;
    peakMiB?: number;
    /** Peak as a share of the budget (0..). */
    share?: number;
    verdict: "fits" | "over" | "not measured";
}

/** The kit's container limit per role against a measured peak (sum of RSS over the role). */
export function budgetRows(budget: MemoryBudget, peaks: Partial<Record<Role, RolePeak>>): BudgetRow[] {
    return (["web", "worker", "cron", "db"] as Role[]).map((role) => {
        const peak = peaks[role]?.sumMiB;
        const budgetMiB = budget[role];
        if (peak === undefined || peak === 0) return { role, budgetMiB, verdict: "not measured" as const };
        return { role, budgetMiB, peakMiB: peak, share: peak / budgetMiB, verdict: peak <= budgetMiB ? ("fits" as const) : ("over" as const) };
    });
}

export function budgetTable(budget: MemoryBudget, reports: TargetReport[]): string[] {
    const head = ["role", "kit budget (MiB)", ...reports.map((r) => `peak ${r.label} (MiB, share)`)];
    const rows = (["web", "worker", "cron", "db"] as Role[]).map((role) => [
        role,
        String(budget[role]),
        ...reports.map((r) => {
            const row = budgetRows(budget, r.peaks).find((x) => x.role === role)!;
            return row.peakMiB === undefined ? "-" : `${row.peakMiB.toFixed(0)} (${((row.share ?? 0) * 100).toFixed(0)} %, ${row.verdict})`;
        }),
    ]);
    return markdownTable(head, rows);
}

/** Per-phase peaks of one Mautic (which scenario drove each role's peak). */
export function phaseTable(r: TargetReport): string[] {
    const phases = Object.keys(r.phasePeaks);
    const rows = phases.map((p) => [
        p,
        ...(["web", "worker", "cron", "db"] as Role[]).map((role) => {
            const v = r.phasePeaks[p][role];
            return v ? `${v.sumMiB.toFixed(0)} / ${v.processMiB.toFixed(0)}` : "-";
        }),
    ]);
    return markdownTable(["phase", "web", "worker", "cron", "db"], rows);
}

export function killSummary(r: TargetReport): string {
    const parts = [
        `kernel OOM kills during the run: ${r.kernelOomKills ?? "unknown (dmesg not readable)"}`,
        r.worker
            ? `worker consumers killed by a signal: ${r.worker.killed}, ended with an error: ${r.worker.failed}, recycled by their own limits: ${r.worker.recycled}`
            : "worker log: not given",
        `commands with a non-zero exit or a failed check: ${r.failures.length}`,
    ];
    return parts.join("; ");
}
