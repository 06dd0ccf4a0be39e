/**
 * Mautic's pinned settings and crontab: the PHP is evaluated by `php`, every cron line is parsed
 * by a real cron parser and every command is checked against the pinned version's command list.
 */
import { spawnSync } from "child_process";
import { CronExpressionParser } from "cron-parser";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cronCommonArgs, cronJobs, mauticParameters, phpLiteral, renderCrontab, renderParametersLocal } from "../components/render/mautic";
import { readTemplate } from "../components/render/template";
import { requireTool } from "./support/tools";

const paramsInput = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    timezone: "Europe/Berlin",
    gdprPurgeDays: 730,
    mailerDsn: "smtp://user:p'a\\ss@smtp.example.de:587",
    secretKey: "abcDEF123",
};

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-mautic-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function php(args: string[]) {
    const r = spawnSync(requireTool("php"), args, { encoding: "utf8" });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("config/parameters_local.php", () => {
    const text = renderParametersLocal(paramsInput);
    let evaluated: Record<string, unknown>;

    beforeAll(() => {
        const f = path.join(tmp, "parameters_local.php");
        fs.writeFileSync(f, text);
        const lint = php(["-l", f]);
        expect(lint.code).toBe(0);
        // Mautic includes the file inside a method and reads $parameters: do the same.
        const r = php(["-r", `(function () { include ${JSON.stringify(f)}; echo json_encode($parameters); })();`]);
        expect(r.code).toBe(0);
        evaluated = JSON.parse(r.out);
    });

    test("passes php -l and evaluates to exactly the pinned settings", () => {
        expect(evaluated).toEqual(mauticParameters(paramsInput));
    });

    test.each([
        ["anonymize_ip", true],
        ["track_contact_by_ip", false],
        ["track_by_fingerprint", false],
        ["google_analytics_anonymize_ip", true],
        ["cookie_secure", true],
        ["cookie_httponly", true],
        ["site_url", "https://marketing.client-a.de"],
        ["trusted_proxies", ["172.30.80.0/24", "fd4d:6175:7469:6380::/64"]],
        ["trusted_hosts", ["^marketing\\.client-a\\.de$"]],
        ["stats_update_url", ""],
        ["cors_restrict_domains", true],
        ["cors_valid_domains", ["https://www.client-a.de"]],
        ["gdpr_user_purge_threshold", 730],
        ["default_timezone", "Europe/Berlin"],
    ])("%s = %p", (key, value) => {
        expect(evaluated[key]).toEqual(value);
    });

    test("secrets survive PHP quoting exactly", () => {
        expect(evaluated.mailer_dsn).toBe(paramsInput.mailerDsn);
        expect(evaluated.secret_key).toBe("abcDEF123");
    });

    test("the bots list is left at Mautic's default (not overridden)", () => {
        expect(evaluated).not.toHaveProperty("do_not_track_bots");
    });

    test("without a mailer DSN the UI's value is kept", () => {
        expect(mauticParameters({ ...paramsInput, mailerDsn: undefined })).not.toHaveProperty("mailer_dsn");
    });

    test("phpLiteral refuses what it cannot express", () => {
        expect(() => phpLiteral(NaN)).toThrow();
        expect(() => phpLiteral(() => 1)).toThrow();
    });
});

describe("the cron container's crontab", () => {
    const crontab = renderCrontab({ cleanupDaysOld: 21 });
    const lines = crontab.split("\n").filter((l) => l && !l.startsWith("#") && !/^[A-Z_]+=/.test(l));
    const commands = JSON.parse(readTemplate("mautic/console-commands.json")).commands as Record<string, string>;
    const parsed = lines.map((l) => {
        const fields = l.split(/\s+/);
        return { schedule: fields.slice(0, 5).join(" "), command: fields.slice(5).join(" ") };
    });

    test("every line parses with a real cron parser", () => {
        expect(lines.length).toBe(cronJobs({ cleanupDaysOld: 21 }).length);
        for (const p of parsed) expect(() => CronExpressionParser.parse(p.schedule)).not.toThrow();
    });

    test("the full official set is present", () => {
        const names = parsed.map((p) => /bin\/console (\S+)/.exec(p.command)![1]);
        expect(new Set(names)).toEqual(
            new Set([
                "mautic:segments:update", "mautic:campaigns:update", "mautic:campaigns:trigger", "mautic:messages:send",
                "mautic:broadcasts:send", "mautic:import", "mautic:webhooks:process", "mautic:reports:scheduler",
                "mautic:iplookup:download", "mautic:maintenance:cleanup",
            ]),
        );
    });

    test("every command exists in the pinned Mautic version's command list", () => {
        for (const p of parsed) {
            const name = /bin\/console (\S+)/.exec(p.command)![1];
            expect(commands).toHaveProperty([name]);
        }
    });

    test("every job: --no-interaction --no-ansi, no overlap (flock), output to the container log", () => {
        for (const p of parsed) {
            for (const a of cronCommonArgs) expect(p.command).toContain(a);
            expect(p.command).toMatch(/^flock -n \/tmp\/mautic-cron-[a-z-]+\.lock php \/var\/www\/html\/bin\/console /);
            expect(p.command).toMatch(/>\/tmp\/stdout 2>&1$/);
        }
        const locks = parsed.map((p) => p.command.split(" ")[2]);
        expect(new Set(locks).size).toBe(locks.length);
    });

    test("cleanup runs daily with --days-old and --no-interaction; the GDPR purge daily too", () => {
        const cleanup = parsed.filter((p) => p.command.includes("mautic:maintenance:cleanup"));
        expect(cleanup).toHaveLength(2);
        const daysOld = cleanup.find((c) => c.command.includes("--days-old=21"))!;
        expect(daysOld.command).toContain("--no-interaction");
        const gdpr = cleanup.find((c) => c.command.includes("--gdpr"))!;
        for (const c of [daysOld, gdpr]) {
            const it = CronExpressionParser.parse(c.schedule, { currentDate: new Date("2026-01-01T00:00:00Z"), tz: "UTC" });
            const a = it.next().getTime();
            const b = it.next().getTime();
            expect(b - a).toBe(24 * 3600 * 1000);
        }
    });

    test("segments and campaigns rebuild every 15 minutes, campaign events every 5, and no two jobs share a minute", () => {
        const jobs = cronJobs({ cleanupDaysOld: 21 });
        const gap = (id: string) => {
            const it = CronExpressionParser.parse(jobs.find((j) => j.id === id)!.schedule, { currentDate: new Date("2026-01-01T00:00:00Z"), tz: "UTC" });
            const t = [it.next().getTime(), it.next().getTime(), it.next().getTime()];
            expect(t[2] - t[1]).toBe(t[1] - t[0]);
            return (t[1] - t[0]) / 60000;
        };
        expect([gap("segments-update"), gap("campaigns-update"), gap("campaigns-trigger")]).toEqual([15, 15, 5]);
        // Every minute of one day: at most one job starts in it.
        const starts = new Map<number, string>();
        const dayStart = new Date("2026-03-02T00:00:00Z").getTime();
        for (const job of jobs) {
            const it = CronExpressionParser.parse(job.schedule, { currentDate: new Date(dayStart - 1000), tz: "UTC" });
            for (let t = it.next().getTime(); t < dayStart + 86400000; t = it.next().getTime()) {
                const minute = (t - dayStart) / 60000;
                expect({ minute, first: starts.get(minute) ?? job.id, second: job.id }).toEqual({ minute, first: job.id, second: job.id });
                starts.set(minute, job.id);
            }
        }
    });

    test("iplookup:download runs monthly", () => {
        const job = cronJobs({ cleanupDaysOld: 21 }).find((j) => j.id === "iplookup-download")!;
        const it = CronExpressionParser.parse(job.schedule, { currentDate: new Date("2026-01-15T00:00:00Z"), tz: "UTC" });
        expect(it.next().toDate().getUTCDate()).toBe(1);
    });

    test("a user crontab (no user column) with the env the image's cron needs", () => {
        expect(crontab).toMatch(/^SHELL=\/bin\/bash$/m);
        expect(crontab).toMatch(/^BASH_ENV=\/tmp\/cron\.env$/m);
        for (const p of parsed) expect(p.command.startsWith("www-data")).toBe(false);
    });

    test("the configured cleanup period is used", () => {
        expect(renderCrontab({ cleanupDaysOld: 7 })).toContain("--days-old=7 --no-interaction");
    });
});
