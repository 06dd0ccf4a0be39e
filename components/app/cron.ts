/**
 * The cron container's crontab (pure): the official cron set, staggered, each job under flock
 * with --no-interaction. Tests parse it (tests/tools/mautic.files.test.ts).
 */
import { readTemplate } from "../shared/template";

/** Where the crontab is mounted in the cron container. */
export const crontabPathInContainer = "/opt/mautic/cron/mautic";

export interface CronJob {
    /** Stable id, also the lock file name. */
    id: string;
    /** Five-field schedule. */
    schedule: string;
    /** Console command name; must be in templates/mautic/console-commands.json. */
    command: string;
    args: string[];
    /** Why the job exists (printed above the line). */
    why: string;
}

export interface CronInput {
    cleanupDaysOld: number;
    /**
     * Whether the monthly `mautic:iplookup:download` runs. Default false: it needs a MaxMind
     * licence key (`maxmindLicenseKey`) and downloads from maxmind.com; without one it fails
     * silently (docs/facts/mautic.md, seen on 5.2.1).
     */
    ipLookup?: boolean;
}

/**
 * The full official cron set, staggered so no two heavy jobs start in the same minute.
 * Schedules follow Mautic's cron documentation; cleanup and GDPR purge run at night.
 */
export function cronJobs(input: CronInput): CronJob[] {
    return [
        {
            id: "segments-update",
            schedule: "0,15,30,45 * * * *",
            command: "mautic:segments:update",
            args: [`--max-contacts=${segmentContactsPerRun}`],
            why: `Rebuild segment membership (required); at most ${segmentContactsPerRun} contacts per segment and run, so one run stays inside PHP's memory_limit (a large segment fills over several runs)`,
        },
        {
            id: "campaigns-update",
            schedule: "5,20,35,50 * * * *",
            command: "mautic:campaigns:update",
            args: [],
            why: "Add/remove contacts to/from campaigns (required)",
        },
        {
            id: "campaigns-trigger",
            schedule: "3,8,13,18,23,28,33,38,43,48,53,58 * * * *",
            command: "mautic:campaigns:trigger",
            args: [],
            why: "Execute due campaign events every 5 minutes (required for the marketer's campaigns; the double opt-in does not depend on it)",
        },
        {
            id: "messages-send",
            schedule: "2,17,32,47 * * * *",
            command: "mautic:messages:send",
            args: [],
            why: "Send marketing messages rescheduled by frequency rules",
        },
        {
            id: "broadcasts-send",
            schedule: "7,22,37,52 * * * *",
            command: "mautic:broadcasts:send",
            args: [`--limit=${broadcastRecipientsPerRun}`],
            why: `Send segment emails (broadcasts): up to ${broadcastRecipientsPerRun} recipients per email and run into the email queue (Mautic's default is 100)`,
        },
        {
            id: "import",
            schedule: "12,27,42,57 * * * *",
            command: "mautic:import",
            args: [],
            why: "Process queued contact imports (var/import, import_leads_dir, is shared with the web container)",
        },
        { id: "webhooks-process", schedule: "4,19,34,49 * * * *", command: "mautic:webhooks:process", args: [], why: "Deliver queued webhooks" },
        { id: "reports-scheduler", schedule: "9 * * * *", command: "mautic:reports:scheduler", args: [], why: "Send scheduled reports" },
        ...(input.ipLookup
            ? [
                  {
                      id: "iplookup-download",
                      schedule: "20 3 1 * *",
                      command: "mautic:iplookup:download",
                      args: [],
                      why: "Refresh the local MaxMind IP lookup database monthly (maxmindLicenseKey; lookups stay on this server)",
                  },
              ]
            : []),
        {
            id: "maintenance-cleanup",
            schedule: "40 3 * * *",
            command: "mautic:maintenance:cleanup",
            args: [`--days-old=${input.cleanupDaysOld}`],
            why: `C07: delete anonymous visitors' tracking data older than ${input.cleanupDaysOld} days`,
        },
        {
            id: "maintenance-cleanup-gdpr",
            schedule: "10 4 * * *",
            command: "mautic:maintenance:cleanup",
            args: ["--gdpr"],
            why: "GDPR purge: delete ALL contacts inactive longer than gdpr_user_purge_threshold (parameters_local.php)",
        },
    ];
}

/**
 * `--max-contacts` of the segments-update job. Mautic 5.2's segments:update grows by about
 * 32 KiB per contact it adds in one run (mautic/mautic#15643): measured on 5.2.1, it reached
 * PHP's 512M memory_limit after 14,700 contacts of a 50,000-contact segment (docs/guide/bench.md).
 * 10,000 per run stays near 400 MiB; the next run (15 minutes later) continues.
 */
export const segmentContactsPerRun = 10000;

/**
 * `--limit` of the broadcasts-send job. Without it Mautic 5.2.1 queues at most 100 recipients per
 * run (ChannelBroadcastEvent: limit 100, batch 50): 400 an hour at four runs an hour, a
 * 10,000-contact newsletter in 25 hours. Measured on 5.2.1 (docs/guide/bench.md, run 3): at
 * 2,000 per run a 10,000-contact send took five runs, i.e. about an hour by this crontab; one run
 * of 10,000 queued them in 108-402 s (idle to loaded machine) with a peak of 272 MiB in the cron
 * cgroup (289 MiB RSS): about half of PHP's memory_limit, a quarter of the cron container's.
 */
export const broadcastRecipientsPerRun = 10000;

/** The arguments every cron job gets: without --no-interaction the cleanup deletes nothing. */
export const cronCommonArgs = ["--no-interaction", "--no-ansi"];

export function renderCrontab(input: CronInput): string {
    const lines = [readTemplate("mautic/crontab.header").trimEnd(), ""];
    for (const job of cronJobs(input)) {
        const cmd = ["flock", "-n", `/tmp/mautic-cron-${job.id}.lock`, "php", "/var/www/html/bin/console", job.command, ...job.args, ...cronCommonArgs].join(
            " ",
        );
        lines.push(`# ${job.why}`);
        lines.push(`${job.schedule} ${cmd} >/tmp/stdout 2>&1`);
        lines.push("");
    }
    return `${lines.join("\n").trimEnd()}\n`;
}
