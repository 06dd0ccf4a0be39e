/**
 * The container memory budgets, pinned to the figures the Mautic bench measured
 * (docs/guide/bench.md "Mautic bench", docs/evidence/2026-12-07-bench.md).
 */
import { broadcastRecipientsPerRun, cronJobs, renderCrontab, renderMauticEnv, segmentContactsPerRun } from "../../components/app/mautic";
import { memoryBudget, phpMemoryLimitMiB } from "../../components/host/sizing";
import { serverTypes } from "../../components/config/defaults";

describe("memory budgets", () => {
    test("cx23: the figures after the 2026-12-07 bench", () => {
        // Before: db 1024, web 1216, cron 384, worker 576, edge 256, host 640. The cron limit of
        // 384 MiB got `mautic:segments:update` (50,000 contacts) OOM-killed by the kernel at
        // 383 MiB; web and db peaked far below their limits (see the evidence file).
        expect(memoryBudget("cx23")).toEqual({ db: 768, web: 960, cron: 1024, worker: 576, edge: 256, hostReserve: 512 });
    });

    test("cron holds two jobs at PHP's memory_limit on every server type, so PHP fails before the kernel kills", () => {
        expect(phpMemoryLimitMiB).toBe(512);
        for (const type of Object.keys(serverTypes)) {
            const b = memoryBudget(type);
            expect(b.cron).toBeGreaterThanOrEqual(2 * phpMemoryLimitMiB);
            expect(b.web).toBeGreaterThan(phpMemoryLimitMiB);
            expect(b.hostReserve).toBeGreaterThanOrEqual(512);
        }
    });

    test("the containers get the memory_limit the budget assumes", () => {
        const env = renderMauticEnv({ role: "mautic_cron", dbName: "m", dbUser: "u", dbPassword: "p", timezone: "Europe/Berlin" });
        expect(env).toContain(`PHP_INI_VALUE_MEMORY_LIMIT=${phpMemoryLimitMiB}M`);
    });

    test("segments:update adds at most 10,000 contacts per segment and run (one run stays inside the memory_limit)", () => {
        // Measured on 5.2.1: ~75 MiB + ~32 KiB per contact added in one run; 14,700 contacts hit 512M.
        expect(segmentContactsPerRun).toBe(10000);
        expect(75 + (segmentContactsPerRun * 32) / 1024).toBeLessThan(phpMemoryLimitMiB * 0.9);
        expect(cronJobs({ cleanupDaysOld: 21 }).find((j) => j.id === "segments-update")?.args).toEqual(["--max-contacts=10000"]);
        expect(renderCrontab({ cleanupDaysOld: 21 })).toMatch(
            /^0,15,30,45 \* \* \* \* flock -n \/tmp\/mautic-cron-segments-update.lock php \/var\/www\/html\/bin\/console mautic:segments:update --max-contacts=10000 --no-interaction --no-ansi /m,
        );
    });

    test("broadcasts:send queues 10,000 recipients per run, not Mautic's 100 (a 10,000-contact send in one cron cycle)", () => {
        // Measured (docs/guide/bench.md): about 150 MiB RSS for a run of 2,000, 289 MiB for 10,000,
        // i.e. about 115 MiB + 18 KiB per recipient: a run stays well inside PHP's memory_limit.
        expect(broadcastRecipientsPerRun).toBe(10000);
        expect(115 + (broadcastRecipientsPerRun * 18) / 1024).toBeLessThan(phpMemoryLimitMiB * 0.9);
        expect(cronJobs({ cleanupDaysOld: 21 }).find((j) => j.id === "broadcasts-send")?.args).toEqual(["--limit=10000"]);
    });

    test("an unknown server type is an error naming it", () => {
        expect(() => memoryBudget("cx99")).toThrow("unknown server type cx99");
    });
});
