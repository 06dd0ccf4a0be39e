/**
 * `npm run bench -- --mautic-url URL ...` (bench/bench.ts dispatches here when --mautic-url is
 * given): the Mautic bench, run against one Mautic, or two in one run (`--vs`), one after the
 * other on the same machine; prints absolute figures with the machine named, ratios first /
 * second, and the kit's memory budgets against the measured peaks. Exit 0 when every scenario
 * ran, every command exited 0, every check held and no process was killed; 1 otherwise; 2 on
 * bad usage. docs/guide/bench.md.
 */
import * as fs from "fs";
import { Target } from "../../conformance/target";
import { memoryBudget } from "../../components/host/sizing";
import { BenchArgs, Role, TargetArgs, parseBenchArgs } from "./args";
import { countWorkerExits, fileSize, kernelOomLines, logSince } from "./exec";
import { formatLoad, formatMachine, loadAverage, machine } from "./machine";
import { campaign } from "./campaign";
import { CgroupMeter } from "./cgroup";
import { MemorySampler, RolePeak } from "./memory";
import { budgetTable, cgroupPhaseTable, figureTable, killSummary, phaseTable, TargetReport } from "./report";
import { Ctx, cleanup, forms, segment, send, tracking } from "./scenarios";

function password(t: TargetArgs, env: NodeJS.ProcessEnv): string {
    if (t.apiPasswordFile) return fs.readFileSync(t.apiPasswordFile, "utf8").trim();
    const p = env.MAUTIC_API_PASSWORD;
    if (!p) throw new Error(`${t.label}: give --api-password-file FILE or set MAUTIC_API_PASSWORD (the password is never printed)`);
    return p;
}

const peaksOf = (m: Map<Role, RolePeak>): Partial<Record<Role, RolePeak>> => Object.fromEntries(m) as Partial<Record<Role, RolePeak>>;

export async function benchTarget(t: TargetArgs, a: BenchArgs, env: NodeJS.ProcessEnv, out: (s: string) => void): Promise<TargetReport> {
    const pw = password(t, env);
    const api = new Target({ mauticUrl: t.mauticUrl, hostHeader: t.hostHeader, username: t.apiUser, password: pw });
    const sampler = new MemorySampler(t.pidfiles);
    const meter = new CgroupMeter(t.cgroups);
    meter.begin();
    sampler.onPhase = (name) => meter.setPhase(name);
    const run = `${t.label.replace(/[^a-z0-9]/gi, "").slice(0, 10)}${Date.now().toString(36)}`;
    const report: TargetReport = { label: t.label, mauticUrl: t.mauticUrl, peaks: {}, phasePeaks: {}, failures: [], errors: [] };
    const ctx: Ctx = { t, a, api, sampler, run, log: out, failures: report.failures };
    const oomBefore = kernelOomLines();
    const workerLogStart = t.workerLog ? fileSize(t.workerLog) : 0;
    out(`## ${t.label}: ${t.mauticUrl}${t.hostHeader ? ` (Host: ${t.hostHeader})` : ""}, run id ${run}`);
    sampler.start();
    try {
        const steps: Array<[string, () => Promise<void>]> = [
            ["tracking", async () => void (report.tracking = await tracking(ctx))],
            ["forms", async () => void (report.forms = await forms(ctx))],
            ["segment", async () => void (report.segment = await segment(ctx))],
            ["send", async () => void (report.send = await send(ctx))],
            ["campaign", async () => void (report.campaign = await campaign(ctx))],
            ["cleanup", async () => void (report.cleanup = await cleanup(ctx))],
        ];
        for (const [name, fn] of steps) {
            if (!a.scenarios.includes(name as never)) continue;
            sampler.setPhase(name);
            const t0 = Date.now();
            out(`${new Date().toISOString()} ${t.label}: ${name}`);
            try {
                await fn();
            } catch (e) {
                report.errors.push(`${name}: ${(e as Error).message.split(pw).join("[redacted]")}`);
                out(`  ${name} failed: ${report.errors[report.errors.length - 1]}`);
            }
            out(`  ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        }
    } finally {
        sampler.stop();
        meter.end();
    }
    if (meter.total.size) {
        report.cgroups = Object.fromEntries(meter.total) as TargetReport["cgroups"];
        report.cgroupPhases = Object.fromEntries([...meter.byPhase].map(([p, m]) => [p, Object.fromEntries(m)]));
    }
    report.peaks = peaksOf(sampler.total);
    report.phasePeaks = Object.fromEntries([...sampler.byPhase].map(([p, m]) => [p, peaksOf(m)]));
    const oomAfter = kernelOomLines();
    if (oomBefore && oomAfter) report.kernelOomKills = Math.max(0, oomAfter.length - oomBefore.length);
    if (t.workerLog) report.worker = countWorkerExits(logSince(t.workerLog, workerLogStart));
    return report;
}

export function killed(r: TargetReport): boolean {
    return (
        (r.kernelOomKills ?? 0) > 0 ||
        Object.values(r.cgroups ?? {}).some((c) => c.oomKills > 0) ||
        (r.worker?.killed ?? 0) > 0 ||
        r.failures.some((f) => /exit (137|SIGKILL|null)/.test(f))
    );
}

export async function mauticBench(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void): Promise<number> {
    let a: BenchArgs;
    try {
        a = parseBenchArgs(argv);
    } catch (e) {
        out((e as Error).message);
        return 2;
    }
    const m = machine();
    const loadStart = loadAverage();
    const started = new Date();
    out(`# Mautic bench, ${started.toISOString()}`);
    out(`machine: ${formatMachine(m)}`);
    out(`load average at start: ${formatLoad(loadStart)}`);
    out(
        `scale: tracking/forms ${a.stepSeconds} s per step up to ${a.maxConcurrency} clients (p95 bound ${a.p95Ms} ms); send ${a.contacts} contacts; segment ${a.segmentContacts} contacts; cleanup ${a.hits} hits`,
    );
    const reports: TargetReport[] = [];
    for (const t of a.targets) reports.push(await benchTarget(t, a, env, out));
    const loadEnd = loadAverage();
    const budget = memoryBudget(a.serverType);
    const lines = [
        "",
        `## Figures${reports.length === 2 ? ` and ratios (${reports[0].label} / ${reports[1].label})` : ""}`,
        ...figureTable(reports),
        "",
        `## The kit's container memory budgets (${a.serverType}, components/host/sizing.ts) against the peaks`,
        ...budgetTable(budget, reports),
        "",
        ...reports.flatMap((r) => [`Peaks per phase, ${r.label} (MiB, sum of RSS / largest process VmHWM):`, ...phaseTable(r), ""]),
        ...reports.flatMap((r) =>
            r.cgroupPhases ? [`Memory cgroup peaks per phase, ${r.label} (MiB, memory.max_usage_in_bytes):`, ...cgroupPhaseTable(r), ""] : [],
        ),
        ...reports.map(
            (r) =>
                `${r.label}: ${killSummary(r)}${r.failures.length ? `\n  ${r.failures.join("\n  ")}` : ""}${r.errors.length ? `\n  errors: ${r.errors.join("\n  ")}` : ""}`,
        ),
        "",
        `machine: ${formatMachine(m)}; load average at start ${formatLoad(loadStart)}, at end ${formatLoad(loadEnd)}; ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min`,
    ];
    for (const l of lines) out(l);
    if (a.json)
        fs.writeFileSync(
            a.json,
            `${JSON.stringify({ date: started.toISOString(), machine: m, loadStart, loadEnd, args: { ...a, targets: a.targets.map((t) => t.label) }, budget, reports }, null, 2)}\n`,
        );
    return reports.some((r) => r.errors.length > 0 || r.failures.length > 0 || killed(r)) ? 1 : 0;
}
