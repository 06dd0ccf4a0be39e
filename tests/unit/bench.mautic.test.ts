/**
 * The Mautic bench's logic with small N against things that run in CI: the HTTP load against a
 * loopback stub, the /proc sampler against a fake proc tree, SQL and console through stub
 * commands, and the report math (ratios, budgets). Real Mautic runs are in
 * docs/evidence/2026-12-07-bench.md.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parseBenchArgs } from "../../bench/mautic/args";
import { countWorkerExits, runCommand, sqlNumber } from "../../bench/mautic/exec";
import { bestStep, concurrencySteps, quantile, rampUp, runStep, StepResult } from "../../bench/mautic/load";
import { cpuModelFrom } from "../../bench/mautic/machine";
import { MemorySampler, parseStatus, treeOf } from "../../bench/mautic/memory";
import { budgetRows, figureTable, ratio, TargetReport } from "../../bench/mautic/report";
import { cleanupSeedSql } from "../../bench/mautic/scenarios";
import { memoryBudget } from "../../components/host/sizing";

const base = ["--mautic-url", "http://127.0.0.1:1", "--console", "php bin/console", "--mysql", "mariadb -N -B mautic"];

describe("arguments", () => {
    test("two Mautics split by --vs, shared scale options on either side", () => {
        const a = parseBenchArgs([...base, "--pidfile", "web=/run/a.pid", "--contacts", "20", "--vs", ...base, "--label", "baseline", "--hits=100"]);
        expect(a.targets.map((t) => t.label)).toEqual(["kit", "baseline"]);
        expect(a.targets[0].pidfiles).toEqual({ web: "/run/a.pid" });
        expect([a.contacts, a.hits, a.segmentContacts, a.serverType]).toEqual([20, 100, 50000, "cx23"]);
    });
    test.each([
        [["--console", "x", "--mysql", "y"], /--mautic-url is required before --vs/],
        [[...base, "--vs", "--mautic-url", "http://h"], /--console is required after --vs/],
        [[...base, "--pidfile", "cron=/x"], /--pidfile "cron=\/x": use web=FILE/],
        [[...base, "--contacts", "0"], /--contacts must be a whole number from 1/],
        [[...base, "--scenarios", "tracking,nope"], /--scenarios: unknown nope/],
        [[...base, "--server-type", "cx99"], /--server-type "cx99": use one of cx23/],
        [[...base, "--bogus", "1"], /unknown argument "--bogus"/],
        [[...base, "--vs", ...base, "--label", "kit"], /need different labels/],
    ])("rejects %j", (argv, msg) => {
        expect(() => parseBenchArgs(argv as string[])).toThrow(msg);
    });
});

describe("load", () => {
    test("quantiles by nearest rank, steps, best step", () => {
        const v = Array.from({ length: 100 }, (_, i) => i + 1);
        expect([quantile(v, 0.5), quantile(v, 0.95), quantile(v, 1), quantile([], 0.95)]).toEqual([50, 95, 100, 0]);
        expect(concurrencySteps(8)).toEqual([1, 2, 4, 8]);
        expect(concurrencySteps(6)).toEqual([1, 2, 4, 6]);
        expect(concurrencySteps(1)).toEqual([1]);
        const step = (c: number, perSecond: number, p95Ms: number, errors = 0): StepResult => ({
            concurrency: c,
            seconds: 1,
            requests: 100,
            ok: 100 - errors,
            errors,
            perSecond,
            p50Ms: 1,
            p95Ms,
            maxMs: p95Ms,
        });
        expect(bestStep([step(1, 10, 100), step(2, 18, 250), step(4, 30, 400)], 300)?.concurrency).toBe(2);
        expect(bestStep([step(1, 10, 100), step(2, 18, 250, 5)], 300)?.concurrency).toBe(1);
        expect(bestStep([step(1, 10, 400)], 300)).toBeUndefined();
    });

    test("a bounded load against a loopback stub: Host header, browser UA, rates and latencies", async () => {
        const seen: Array<{ host?: string; ua?: string; path?: string }> = [];
        const server = http.createServer((req, res) => {
            seen.push({ host: req.headers.host, ua: req.headers["user-agent"], path: req.url });
            // Every 5th request is answered 404, the others after 20 ms.
            const n = seen.length;
            setTimeout(() => {
                res.writeHead(n % 5 === 0 ? 404 : 200, { "Content-Type": "image/gif" });
                res.end("GIF89a");
            }, 20);
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as { port: number }).port;
        try {
            const target = { baseUrl: `http://127.0.0.1:${port}`, hostHeader: "m.example.test" };
            const s = await runStep(
                target,
                2,
                1,
                (i) => ({ method: "GET", path: `/mtracking.gif?i=${i}` }),
                (st) => st === 200,
            );
            expect(s.requests).toBe(seen.length);
            expect(s.requests).toBeGreaterThan(10);
            expect(s.errors).toBe(Math.floor(seen.length / 5));
            expect(s.firstError).toMatch(/HTTP 404 for GET \/mtracking.gif/);
            expect(s.p50Ms).toBeGreaterThanOrEqual(19);
            expect(s.perSecond).toBeCloseTo(s.ok / s.seconds, 5);
            expect(new Set(seen.map((x) => x.host))).toEqual(new Set(["m.example.test"]));
            expect(seen[0].ua).toMatch(/Mozilla\/5.0 .*Chrome/);
            expect(
                seen
                    .map((x) => x.path)
                    .slice(0, 2)
                    .sort(),
            ).toEqual(["/mtracking.gif?i=0", "/mtracking.gif?i=1"]);
            // The ramp stops at the first step with >= 1 % errors (20 % here).
            const r = await rampUp(
                target,
                4,
                1,
                300,
                (i) => ({ method: "GET", path: `/x?${i}` }),
                (st) => st === 200,
            );
            expect(r.steps.map((x) => x.concurrency)).toEqual([1]);
            expect(r.best).toBeUndefined();
        } finally {
            server.close();
        }
    });
});

describe("memory sampler", () => {
    const status = (pid: number, ppid: number, rss: number, hwm: number) => `Name:\tphp\nPid:\t${pid}\nPPid:\t${ppid}\nVmHWM:\t${hwm} kB\nVmRSS:\t${rss} kB\n`;

    test("status parsing and process trees", () => {
        expect(parseStatus(7, status(7, 1, 2048, 4096))).toEqual({ pid: 7, ppid: 1, rssKiB: 2048, hwmKiB: 4096 });
        expect(parseStatus(2, "Name:\tkthreadd\nPPid:\t0\n")).toEqual({ pid: 2, ppid: 0, rssKiB: 0, hwmKiB: 0 });
        const procs = [
            { pid: 10, ppid: 1, rssKiB: 1, hwmKiB: 1 },
            { pid: 11, ppid: 10, rssKiB: 1, hwmKiB: 1 },
            { pid: 12, ppid: 11, rssKiB: 1, hwmKiB: 1 },
            { pid: 20, ppid: 1, rssKiB: 1, hwmKiB: 1 },
        ];
        expect(
            treeOf(procs, [10])
                .map((p) => p.pid)
                .sort(),
        ).toEqual([10, 11, 12]);
        expect(treeOf(procs, [99])).toEqual([]);
    });

    test("peaks per role and per phase from a fake /proc", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-proc-"));
        const put = (pid: number, ppid: number, rssMiB: number, hwmMiB: number) => {
            fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
            fs.writeFileSync(path.join(root, String(pid), "status"), status(pid, ppid, rssMiB * 1024, hwmMiB * 1024));
        };
        try {
            put(100, 1, 10, 10); // supervisord
            put(101, 100, 50, 80); // consumer
            put(102, 100, 60, 60);
            put(300, 1, 5, 5); // a console command of the bench
            fs.writeFileSync(path.join(root, "worker.pid"), "100\n");
            const s = new MemorySampler({ worker: path.join(root, "worker.pid"), web: path.join(root, "missing.pid") }, 1000, root);
            s.setPhase("a");
            s.sample();
            s.cronRoots.add(300);
            put(101, 100, 150, 200);
            s.setPhase("b");
            s.sample();
            // setPhase samples first: the state at the end of a phase belongs to that phase.
            expect(s.total.get("worker")).toEqual({ sumMiB: 220, processMiB: 200, samples: 4 });
            expect(s.byPhase.get("setup")?.get("worker")?.sumMiB).toBe(120);
            expect(s.byPhase.get("a")?.get("worker")).toEqual({ sumMiB: 220, processMiB: 200, samples: 2 });
            expect(s.byPhase.get("b")?.get("cron")).toEqual({ sumMiB: 5, processMiB: 5, samples: 1 });
            expect(s.total.has("web")).toBe(false);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("commands", () => {
    test("SQL through a client prefix, exit codes kept", async () => {
        // `sh -c 'cat >/dev/null; printf ...'` stands for the SQL client: stdin in, rows out.
        const client = path.join(os.tmpdir(), `bench-sql-${process.pid}.sh`);
        fs.writeFileSync(client, "#!/bin/sh\ncat >/dev/null\nprintf 'a\\t1\\n42\\n'\n", { mode: 0o755 });
        try {
            expect(await sqlNumber(`sh ${client}`, "SELECT 42;")).toBe(42);
        } finally {
            fs.rmSync(client);
        }
        const r = await runCommand("sh -c", ["exit 3"]);
        expect(r.code).toBe(3);
        const k = await runCommand("sh -c", ["kill -9 $$"]);
        expect([k.code, k.signal]).toEqual([null, "SIGKILL"]);
    });

    test("supervisord exit lines: killed, recycled, failed", () => {
        const log = [
            "2026-12-07 12:00:00,000 INFO exited: messenger-consume-email_00 (exit status 0; expected)",
            "2026-12-07 12:00:01,000 WARN exited: messenger-consume-hit_00 (terminated by SIGKILL; not expected)",
            "2026-12-07 12:00:02,000 WARN exited: messenger-consume-hit_00 (exit status 255; not expected)",
            "2026-12-07 12:00:03,000 INFO spawned: 'messenger-consume-hit_00' with pid 9",
        ].join("\n");
        expect(countWorkerExits(log)).toEqual({ killed: 1, recycled: 1, failed: 1 });
    });

    test("cleanup seed: 10 hits per old anonymous visitor plus as many hits of deleted contacts", () => {
        const s = cleanupSeedSql("r1", 205);
        expect(s).toContain("FROM seq_1_to_21;");
        expect(s).toContain("JOIN seq_1_to_10 s WHERE l.company = 'bench-r1-anon'");
        expect(s).toContain("NULL, 200, CONCAT('bench-orphan-', seq), 'https://www.example.org/bench-r1-orphan' FROM seq_1_to_205;");
    });
});

describe("report", () => {
    const rep = (label: string, over: Partial<TargetReport>): TargetReport => ({
        label,
        mauticUrl: "http://x",
        peaks: {},
        phasePeaks: {},
        failures: [],
        errors: [],
        ...over,
    });

    test("ratios first / second; n/a without both figures", () => {
        expect(ratio(30, 20)).toBe("1.50");
        expect(ratio(1, 0)).toBe("n/a");
        expect(ratio(undefined, 2)).toBe("n/a");
        const kit = rep("kit", {
            segment: { contacts: 10, members: 10, seconds: 30, runs: 1, code: 0 },
            peaks: { cron: { sumMiB: 300, processMiB: 290, samples: 3 } },
        });
        const dflt = rep("defaults", {
            segment: { contacts: 10, members: 10, seconds: 20, runs: 1, code: 0 },
            peaks: { cron: { sumMiB: 600, processMiB: 590, samples: 3 } },
        });
        const table = figureTable([kit, dflt]).join("\n");
        expect(table).toContain("| figure | kit | defaults | kit / defaults |");
        expect(table).toMatch(/\| segment rebuild \(segments:update, all runs\) \(s, lower is better\) \| 30\.0 \| 20\.0 \| 1\.50 \|/);
        expect(table).toMatch(/\| peak RSS cron .*\| 300 \| 600 \| 0\.50 \|/);
        expect(table).not.toContain("tracking");
    });

    test("budgets against peaks", () => {
        const b = memoryBudget("cx23");
        const rows = budgetRows(b, { cron: { sumMiB: b.cron + 1, processMiB: 1, samples: 1 }, web: { sumMiB: 100, processMiB: 50, samples: 1 } });
        expect(rows.find((r) => r.role === "cron")?.verdict).toBe("over");
        expect(rows.find((r) => r.role === "web")).toMatchObject({ verdict: "fits", share: 100 / b.web });
        expect(rows.find((r) => r.role === "db")?.verdict).toBe("not measured");
    });

    test("the CPU model from /proc/cpuinfo", () => {
        expect(cpuModelFrom("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n")).toBe("AMD EPYC 7B13");
        expect(cpuModelFrom("processor\t: 0\n")).toBeUndefined();
    });
});
