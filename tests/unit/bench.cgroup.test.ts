/**
 * The Mautic bench's per-role memory cgroups (--cgroup role=DIR) against fake cgroup v1
 * directories, the options of the send and campaign scenarios, and the budget rows that hold the
 * kit's limits against the cgroup's peak. Real Mautic runs: docs/evidence/2026-12-07-bench.md.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseBenchArgs } from "../../bench/mautic/args";
import { CgroupMeter, parseOomKills } from "../../bench/mautic/cgroup";
import { killed } from "../../bench/mautic/main";
import { budgetRows, budgetTable, figureTable, killSummary, TargetReport } from "../../bench/mautic/report";
import { memoryBudget } from "../../components/host/sizing";

const base = ["--mautic-url", "http://127.0.0.1:1", "--console", "php bin/console", "--mysql", "mariadb -N -B mautic"];
const MiB = 1024 * 1024;

function fakeCgroup(dir: string, v: { max: number; limit: number; oom: number; failcnt: number }): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "memory.max_usage_in_bytes"), `${v.max}\n`);
    fs.writeFileSync(path.join(dir, "memory.limit_in_bytes"), `${v.limit}\n`);
    fs.writeFileSync(path.join(dir, "memory.oom_control"), `oom_kill_disable 0\nunder_oom 0\noom_kill ${v.oom}\n`);
    fs.writeFileSync(path.join(dir, "memory.failcnt"), `${v.failcnt}\n`);
}

describe("arguments of the cgroup, send and campaign options", () => {
    test("--cgroup per role (cron too), --broadcast-args, --campaign-contacts", () => {
        const a = parseBenchArgs([
            ...base,
            "--cgroup",
            "web=/cg/web",
            "--cgroup=cron=/cg/cron",
            "--broadcast-args",
            "--limit=2000",
            "--campaign-contacts",
            "50",
        ]);
        expect(a.targets[0].cgroups).toEqual({ web: "/cg/web", cron: "/cg/cron" });
        expect(a.targets[0].broadcastArgs).toEqual(["--limit=2000"]);
        expect(a.campaignContacts).toBe(50);
        expect(a.scenarios).toContain("campaign");
        expect(parseBenchArgs(base).targets[0].broadcastArgs).toEqual([]);
    });
    test.each([
        [[...base, "--cgroup", "edge=/x"], /--cgroup "edge=\/x": use web=DIR/],
        [[...base, "--cgroup", "/x"], /--cgroup "\/x": use web=DIR/],
        [[...base, "--campaign-contacts", "0"], /--campaign-contacts must be a whole number from 1/],
    ])("rejects %j", (argv, msg) => {
        expect(() => parseBenchArgs(argv as string[])).toThrow(msg);
    });
});

describe("memory cgroups", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cg-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    test("oom_kill of memory.oom_control; 0 on a kernel without the line", () => {
        expect(parseOomKills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")).toBe(3);
        expect(parseOomKills("oom_kill_disable 0\nunder_oom 0\n")).toBe(0);
    });

    test("peaks per phase (reset at each phase), the run's maximum, kills and failcnt since the start", () => {
        const web = path.join(root, "web");
        const cron = path.join(root, "cron");
        fakeCgroup(web, { max: 300 * MiB, limit: 960 * MiB, oom: 1, failcnt: 5 });
        fakeCgroup(cron, { max: 10 * MiB, limit: 2 ** 63 - 4096, oom: 0, failcnt: 0 });
        const m = new CgroupMeter({ web, cron });
        m.begin();
        m.setPhase("tracking");
        // The meter reset the peaks at the phase start.
        expect(fs.readFileSync(path.join(web, "memory.max_usage_in_bytes"), "utf8")).toBe("0");
        fakeCgroup(web, { max: 400 * MiB, limit: 960 * MiB, oom: 1, failcnt: 7 });
        fakeCgroup(cron, { max: 20 * MiB, limit: 2 ** 63 - 4096, oom: 0, failcnt: 0 });
        m.setPhase("send");
        fakeCgroup(web, { max: 250 * MiB, limit: 960 * MiB, oom: 2, failcnt: 9 });
        fakeCgroup(cron, { max: 600 * MiB, limit: 2 ** 63 - 4096, oom: 0, failcnt: 0 });
        m.end();
        expect(Object.fromEntries(m.byPhase.get("tracking")!)).toEqual({ web: 400, cron: 20 });
        expect(Object.fromEntries(m.byPhase.get("send")!)).toEqual({ web: 250, cron: 600 });
        expect(m.total.get("web")).toEqual({ maxMiB: 400, limitMiB: 960, oomKills: 1, failcnt: 4 });
        expect(m.total.get("cron")).toEqual({ maxMiB: 600, limitMiB: undefined, oomKills: 0, failcnt: 0 });
    });

    test("a directory that is not a memory cgroup is an error naming the option", () => {
        expect(() => new CgroupMeter({ db: path.join(root, "nope") }).begin()).toThrow(/--cgroup db=.*nope: not a memory cgroup/);
    });
});

describe("report with cgroups", () => {
    const report = (over: Partial<TargetReport>): TargetReport => ({
        label: "kit",
        mauticUrl: "http://x",
        peaks: { web: { sumMiB: 1200, processMiB: 100, samples: 3 }, cron: { sumMiB: 400, processMiB: 400, samples: 3 } },
        phasePeaks: {},
        failures: [],
        errors: [],
        ...over,
    });

    test("the budget is held against the cgroup's peak when measured, else the RSS sum", () => {
        const budget = memoryBudget("cx23");
        const cgroups = { web: { maxMiB: 330, limitMiB: 960, oomKills: 0, failcnt: 0 } };
        const rows = budgetRows(budget, report({}).peaks, cgroups);
        expect(rows.find((r) => r.role === "web")).toMatchObject({ peakMiB: 330, verdict: "fits" });
        expect(rows.find((r) => r.role === "cron")).toMatchObject({ peakMiB: 400, verdict: "fits" });
        expect(budgetRows(budget, report({}).peaks).find((r) => r.role === "web")).toMatchObject({ peakMiB: 1200, verdict: "over" });
        expect(budgetTable(budget, [report({ cgroups })])[0]).toMatch(/memory cgroup/);
    });

    test("an OOM kill in a role's cgroup counts as a kill; figures show cgroup peaks, send runs and the campaign", () => {
        const cg = { cron: { maxMiB: 1024, limitMiB: 1024, oomKills: 1, failcnt: 12 } };
        expect(killed(report({ cgroups: cg }))).toBe(true);
        expect(killed(report({ cgroups: { cron: { ...cg.cron, oomKills: 0 } } }))).toBe(false);
        expect(killSummary(report({ cgroups: cg }))).toMatch(/cron oom_kill 1, failcnt 12 \(limit 1024 MiB\)/);
        const r = report({
            cgroups: cg,
            send: { contacts: 10, queueSeconds: 20, queueRuns: 5, drainAfterLastRunSeconds: 3, drainSeconds: 23, delivered: 10, failedMessages: 0, code: 0 },
            campaign: {
                contacts: 10,
                members: 10,
                updateSeconds: 2,
                updateRuns: 1,
                executed: 10,
                triggerSeconds: 4,
                triggerRuns: 1,
                triggerCode: 0,
                drainSeconds: 6,
                delivered: 10,
            },
        });
        const table = figureTable([r]).join("\n");
        expect(table).toMatch(/peak memory cgroup cron .*\| 1024 \|/);
        expect(table).toMatch(/broadcasts:send runs until all queued .*\| 5\.0 \|/);
        expect(table).toMatch(/campaigns:trigger \(all runs\) .*\| 4\.0 \|/);
    });
});
