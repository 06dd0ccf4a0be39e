/**
 * Mautic's pinned settings and crontab: the PHP is evaluated by `php`, every cron line is parsed
 * by a real cron parser and every command is checked against the pinned version's command list.
 */
import { spawnSync } from "child_process";
import { CronExpressionParser } from "cron-parser";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    cronCommonArgs,
    cronJobs,
    mauticParameters,
    phpLiteral,
    renderCrontab,
    renderInstallScript,
    renderParametersLocal,
    renderWorkerSupervisord,
    workerConsumerMemoryMiB,
} from "../../components/app/mautic";
import { noConsentUserAgent } from "../../components/edge/caddyfile";
import { memoryBudget } from "../../components/host/sizing";
import { readTemplate } from "../../components/shared/template";
import { requireTool } from "../support/tools";

const paramsInput = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    timezone: "Europe/Berlin",
    gdprPurgeDays: 730,
    logRetentionDays: 9,
    mailerDsn: "smtp://user:p'a\\ss@smtp.example.de:587",
    mailerFromEmail: "newsletter@client-a.de",
    mailerFromName: 'Client A\'s "News"',
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
        ["trusted_proxies", ["172.30.80.0/24", "fd4d:6175:7469:6380::/64", "127.0.0.1"]],
        ["trusted_hosts", ["^marketing\\.client-a\\.de$"]],
        ["stats_update_url", ""],
        ["cors_restrict_domains", true],
        ["cors_valid_domains", ["https://www.client-a.de"]],
        ["gdpr_user_purge_threshold", 730],
        ["default_timezone", "Europe/Berlin"],
        // issue 11: Mautic injects no third-party tracking, whatever the UI says.
        ["google_analytics", ""],
        ["google_analytics_id", ""],
        ["google_analytics_trackingpage_enabled", false],
        ["google_analytics_landingpage_enabled", false],
        ["facebook_pixel_id", ""],
        ["facebook_pixel_trackingpage_enabled", false],
        ["facebook_pixel_landingpage_enabled", false],
        ["track_by_tracking_url", false],
        ["mailer_append_tracking_pixel", false],
        // issue 19 item 6: no link becomes a per-recipient tracked redirect.
        ["disable_trackable_urls", true],
        // issue 20 item 2: no phoning home.
        ["system_update_url", ""],
        ["translations_list_url", ""],
        ["translations_fetch_url", ""],
        ["rss_notification_url", ""],
        ["marketplace_enabled", false],
        ["marketplace_allowlist_url", ""],
        ["composer_updates", false],
        ["website_snapshot_url", ""],
        // issue 20 item 1: the default theme loads nothing from a CDN.
        ["theme", "blank"],
        // issue 20 item 8: one log retention figure.
        ["max_log_files", 9],
        ["cookie_domain", ""],
        ["cookie_path", "/"],
        // issue 9: cron-sent mail goes through the worker's queue; a real sender.
        ["messenger_dsn_email", "doctrine://default"],
        ["messenger_dsn_hit", "doctrine://default"],
        ["messenger_dsn_failed", "doctrine://default?queue_name=failed"],
        ["mailer_from_email", "newsletter@client-a.de"],
        ["mailer_from_name", 'Client A\'s "News"'],
    ])("%s = %p", (key, value) => {
        expect(evaluated[key]).toEqual(value);
    });

    test("no pinned value names another host: the only URLs are Mautic's own and the website (issue 20)", () => {
        // The mailer DSN is the client's own provider; everything else may name only these two.
        const { mailer_dsn: _dsn, ...rest } = evaluated;
        const urls = JSON.stringify(rest).match(/https?:\\?\/\\?\/[^"]+|[a-z0-9-]+\.(com|net|org|io|de)\b/gi) ?? [];
        // client-a.de: the sender address newsletter@client-a.de.
        // The profiling-withdrawal link of unsubscribe_text is on Mautic's own host.
        expect([...new Set(urls.map((u) => u.replace(/\\/g, "")))].sort()).toEqual([
            "client-a.de",
            "https://marketing.client-a.de",
            "https://marketing.client-a.de/kit/doi/profiling?t={contactfield=profiling_token}&amp;lang={contactfield=consent_language}",
            "https://www.client-a.de",
        ]);
    });

    test("editor fonts are system fonts: none loads a stylesheet (Mautic's default loads 8 from fonts.googleapis.com)", () => {
        const fonts = evaluated.editor_fonts as { name: string; font: string; url?: string }[];
        expect(fonts.length).toBe(11);
        for (const f of fonts) {
            expect(Object.keys(f).sort()).toEqual(["font", "name"]);
            expect(f.font.length).toBeGreaterThan(0);
        }
    });

    test("secrets survive PHP quoting exactly", () => {
        expect(evaluated.mailer_dsn).toBe(paramsInput.mailerDsn);
        expect(evaluated.secret_key).toBe("abcDEF123");
    });

    test("the bots list is exactly the edge's no-consent User-Agent (issue 20 item 3: no visit is recorded without consent)", () => {
        expect(evaluated.do_not_track_bots).toEqual([noConsentUserAgent]);
    });

    test("without a mailer DSN the UI's value is kept", () => {
        const p = mauticParameters({ ...paramsInput, mailerDsn: undefined });
        expect(p).not.toHaveProperty("mailer_dsn");
        expect(p).not.toHaveProperty("mailer_from_email");
    });

    test("a mailer DSN without a real sender is refused (never Mautic's placeholder)", () => {
        expect(() => mauticParameters({ ...paramsInput, mailerFromEmail: undefined })).toThrow(/mailerFromEmail/);
        expect(() => mauticParameters({ ...paramsInput, mailerFromEmail: "Email@YourSite.com" })).toThrow(/placeholder email@yoursite\.com/);
        expect(() => mauticParameters({ ...paramsInput, mailerFromName: " " })).toThrow(/mailerFromName/);
    });

    test("IP lookup only with a MaxMind key (opt-in); without one the UI cannot pick a remote lookup service", () => {
        expect(evaluated).toMatchObject({ ip_lookup_service: "maxmind_download", ip_lookup_auth: "" });
        const p = mauticParameters({ ...paramsInput, maxmindLicenseKey: "Key_123456" });
        expect(p).toMatchObject({ ip_lookup_service: "maxmind_download", ip_lookup_auth: "Key_123456" });
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
                "mautic:segments:update",
                "mautic:campaigns:update",
                "mautic:campaigns:trigger",
                "mautic:messages:send",
                "mautic:broadcasts:send",
                "mautic:import",
                "mautic:webhooks:process",
                "mautic:reports:scheduler",
                "mautic:maintenance:cleanup",
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

    test("iplookup:download is left out by default and runs monthly with a MaxMind key", () => {
        expect(crontab).not.toContain("iplookup");
        const job = cronJobs({ cleanupDaysOld: 21, ipLookup: true }).find((j) => j.id === "iplookup-download")!;
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

describe("the worker's supervisord.conf", () => {
    const worker = memoryBudget("cx23").worker;
    const conf = renderWorkerSupervisord(worker);

    test("real supervisord parses it: three consumers, each with memory and time limits", () => {
        const dir = fs.mkdtempSync(path.join(tmp, "sup-"));
        const f = path.join(dir, "supervisord.conf");
        fs.writeFileSync(f, conf);
        // supervisorctl-free check: supervisord's own config loader, without starting anything.
        const py = [
            "import sys",
            "from supervisor.options import ServerOptions",
            "o = ServerOptions()",
            "o.realize(args=['-c', sys.argv[1]])",
            "for g in o.process_group_configs:",
            "    for p in g.process_configs: print(p.name, p.command, p.uid, p.numprocs if hasattr(p, 'numprocs') else '')",
        ].join("\n");
        requireTool("supervisord");
        const r = spawnSync(requireTool("python3"), ["-c", py, f], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const lines = r.stdout.trim().split("\n");
        expect(lines).toHaveLength(3);
        const mem = workerConsumerMemoryMiB(worker);
        for (const t of ["email", "hit", "failed"]) {
            const line = lines.find((l) => l.startsWith(`messenger-consume-${t}_00 `))!;
            expect(line).toContain(`messenger:consume ${t} --memory-limit=${mem}M --time-limit=3600`);
            expect(line).toMatch(/ 33 ?$/); // www-data
        }
    });

    test("the consumers' limits fit the container's memory on every server type", () => {
        for (const type of ["cx23", "cx33", "cax11", "ccx33"]) {
            const m = memoryBudget(type).worker;
            const per = workerConsumerMemoryMiB(m);
            expect(per * 3).toBeLessThanOrEqual(m * 0.8);
            expect(per).toBeGreaterThanOrEqual(64);
        }
        expect(() => workerConsumerMemoryMiB(128)).toThrow(/at least 64 MiB/);
    });
});

describe("the install script", () => {
    const script = renderInstallScript({
        domain: "marketing.client-a.de",
        adminEmail: "a@client-a.de",
        adminUsername: "admin",
        adminFirstName: "A",
        adminLastName: "B",
        dbName: "mautic",
        dbUser: "mautic",
    });

    test("puts no database password on any command line (local.php reads it from the env)", () => {
        expect(script).not.toMatch(/--db_password/);
        expect(script).not.toMatch(/KIT_DB_PASSWORD/);
        expect(script).toMatch(/empty\(\$parameters\["db_password"\]\)/);
    });

    test("gives var/import to www-data before cron needs it", () => {
        expect(script).toMatch(/install -d -o www-data -g www-data -m 0750 \/var\/www\/html\/var\/import/);
    });
});
