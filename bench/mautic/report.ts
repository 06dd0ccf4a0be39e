/**
 * The Mautic bench's report: figures per Mautic, ratios first / second (kit / defaults), and the
 * kit's container memory budgets held against the measured peaks per role. Pure functions.
 */
import type { MemoryBudget } from "../../components/host/sizing";
import type { Role } from "./args";
import type { CampaignFigures } from "./campaign";
import type { CgroupPeak } from "./cgroup";
import type { RolePeak } from "./memory";
import type { CleanupFigures, RampFigures, SegmentFigures, SendFigures, TrackingFigures } from "./scenarios";

export interface TargetReport {
    label: string;
    mauticUrl: string;
    tracking?: TrackingFigures;
    forms?: RampFigures;
    segment?: SegmentFigures;
    send?: SendFigures;
    campaign?: CampaignFigures;
    cleanup?: CleanupFigures;
    peaks: Partial<Record<Role, RolePeak>>;
    phasePeaks: Record<string, Partial<Record<Role, RolePeak>>>;
    /** The kernel's figures per role's memory cgroup (--cgroup), when given. */
    cgroups?: Partial<Record<Role, CgroupPeak>>;
    cgroupPhases?: Record<string, Partial<Record<Role, number>>>;
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
    { name: "mtc/event hits/s at p95 under the bound", unit: "/s", better: "higher", get: (r) => r.tracking?.event?.best?.perSecond },
    { name: "mtc/event hits/s with 1 client", unit: "/s", better: "higher", get: (r) => r.tracking?.event?.steps[0]?.perSecond },
    { name: "mtc/event p95 with 1 client", unit: "ms", better: "lower", get: (r) => r.tracking?.event?.steps[0]?.p95Ms },
    { name: "mtc/event highest hits/s seen (any p95)", unit: "/s", better: "higher", get: (r) => maxRate(r.tracking?.event) },
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
    { name: "send: broadcasts:send (queueing, all runs)", unit: "s", better: "lower", get: (r) => r.send?.queueSeconds },
    { name: "send: broadcasts:send runs until all queued", unit: "runs", better: "lower", get: (r) => r.send?.queueRuns },
    { name: "send: drain after the last broadcasts:send run", unit: "s", better: "lower", get: (r) => r.send?.drainAfterLastRunSeconds },
    { name: "send: time to drain the e-mail queue", unit: "s", better: "lower", get: (r) => r.send?.drainSeconds },
    { name: "send: e-mails per second", unit: "/s", better: "higher", get: (r) => (r.send?.drainSeconds ? r.send.delivered / r.send.drainSeconds : undefined) },
    { name: "send: e-mails delivered to the sink", unit: "msgs", better: "higher", get: (r) => r.send?.delivered },
    { name: "campaign: campaigns:update (all runs)", unit: "s", better: "lower", get: (r) => r.campaign?.updateSeconds },
    { name: "campaign: contacts in the campaign", unit: "contacts", better: "higher", get: (r) => r.campaign?.members },
    { name: "campaign: campaigns:trigger (all runs)", unit: "s", better: "lower", get: (r) => r.campaign?.triggerSeconds },
    { name: "campaign: campaigns:trigger runs", unit: "runs", better: "lower", get: (r) => r.campaign?.triggerRuns },
    { name: "campaign: contacts the action ran for", unit: "contacts", better: "higher", get: (r) => r.campaign?.executed },
    { name: "campaign: trigger start to e-mail queue drained", unit: "s", better: "lower", get: (r) => r.campaign?.drainSeconds },
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
    ...(["web", "worker", "cron", "db"] as Role[]).map((role): Figure => ({
        name: `peak memory cgroup ${role} (kernel, as Docker counts it)`,
        unit: "MiB",
        better: "lower",
        get: (r) => r.cgroups?.[role]?.maxMiB,
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

/**
 * The kit's container limit per role against a measured peak: the role's memory cgroup maximum
 * when measured (what Docker's limit is held against), else the sum of RSS over the role.
 */
export function budgetRows(budget: MemoryBudget, peaks: Partial<Record<Role, RolePeak>>, cgroups?: Partial<Record<Role, CgroupPeak>>): BudgetRow[] {
    return (["web", "worker", "cron", "db"] as Role[]).map((role) => {
        const peak = cgroups?.[role]?.maxMiB ?? peaks[role]?.sumMiB;
        const budgetMiB = budget[role];
        if (peak === undefined || peak === 0) return { role, budgetMiB, verdict: "not measured" as const };
        return { role, budgetMiB, peakMiB: peak, share: peak / budgetMiB, verdict: peak <= budgetMiB ? ("fits" as const) : ("over" as const) };
    });
}

export function budgetTable(budget: MemoryBudget, reports: TargetReport[]): string[] {
    const head = ["role", "kit budget (MiB)", ...reports.map((r) => `peak ${r.label} (MiB, share; ${r.cgroups ? "memory cgroup" : "sum of RSS"})`)];
    const rows = (["web", "worker", "cron", "db"] as Role[]).map((role) => [
        role,
        String(budget[role]),
        ...reports.map((r) => {
            const row = budgetRows(budget, r.peaks, r.cgroups).find((x) => x.role === role)!;
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

/** Per-phase memory cgroup maxima of one Mautic (MiB). */
export function cgroupPhaseTable(r: TargetReport): string[] {
    const phases = Object.keys(r.cgroupPhases ?? {});
    const rows = phases.map((p) => [p, ...(["web", "worker", "cron", "db"] as Role[]).map((role) => fmt(r.cgroupPhases?.[p][role]))]);
    return markdownTable(["phase", "web", "worker", "cron", "db"], rows);
}

export function killSummary(r: TargetReport): string {
    const cg = Object.entries(r.cgroups ?? {}) as Array<[Role, CgroupPeak]>;
    const parts = [
        `kernel OOM kills during the run: ${r.kernelOomKills ?? "unknown (dmesg not readable)"}`,
        ...(cg.length
            ? [
                  `memory cgroups: ${cg.map(([role, c]) => `${role} oom_kill ${c.oomKills}, failcnt ${c.failcnt}${c.limitMiB ? ` (limit ${c.limitMiB.toFixed(0)} MiB)` : " (no limit)"}`).join(", ")}`,
              ]
            : []),
        r.worker
            ? `worker consumers killed by a signal: ${r.worker.killed}, ended with an error: ${r.worker.failed}, recycled by their own limits: ${r.worker.recycled}`
            : "worker log: not given",
        `commands with a non-zero exit or a failed check: ${r.failures.length}`,
    ];
    return parts.join("; ");
}
