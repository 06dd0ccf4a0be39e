/**
 * Mautic's side of the kit, rendered as files: the pinned privacy settings
 * (`config/parameters_local.php`), the cron container's crontab and the first-deploy install
 * script. Pure functions; tests evaluate the PHP with `php` and parse the crontab.
 */
import { containerNames, dockerNetworks } from "../defaults";
import { readTemplate, renderTemplate } from "./template";

/** Where the crontab is mounted in the cron container. */
export const crontabPathInContainer = "/opt/mautic/cron/mautic";
/** The web container's Apache virtual host, replaced by the kit's (no access log). */
export const apacheVhostPathInContainer = "/etc/apache2/sites-available/000-default.conf";

/** Mautic's vhost without an access log (the edge logs requests, masked). */
export function renderApacheVhost(): string {
    return readTemplate("mautic/apache-vhost.conf");
}

/**
 * Debian's server-wide access log (`conf-enabled/other-vhosts-access-log.conf`, a symlink to this
 * file) logs every vhost without a log of its own, and the php:apache image points it at stdout:
 * the kit replaces its target with a file that logs nothing.
 */
export const apacheOtherVhostsLogPathInContainer = "/etc/apache2/conf-available/other-vhosts-access-log.conf";
export function renderApacheOtherVhostsLog(): string {
    return readTemplate("mautic/apache-no-access-log.conf");
}

/** Where the pinned settings live in the web/cron/worker containers (the shared config volume). */
export const parametersLocalPathInContainer = "/var/www/html/config/parameters_local.php";

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
}

/**
 * The full official cron set, staggered so no two heavy jobs start in the same minute.
 * Schedules follow Mautic's cron documentation; cleanup and GDPR purge run at night.
 */
export function cronJobs(input: CronInput): CronJob[] {
    return [
        { id: "segments-update", schedule: "0,15,30,45 * * * *", command: "mautic:segments:update", args: [], why: "Rebuild segment membership (required)" },
        { id: "campaigns-update", schedule: "5,20,35,50 * * * *", command: "mautic:campaigns:update", args: [], why: "Add/remove contacts to/from campaigns (required)" },
        { id: "campaigns-trigger", schedule: "3,8,13,18,23,28,33,38,43,48,53,58 * * * *", command: "mautic:campaigns:trigger", args: [], why: "Execute due campaign events every 5 minutes: the double-opt-in confirmation email and the deletion of unconfirmed contacts (required)" },
        { id: "messages-send", schedule: "2,17,32,47 * * * *", command: "mautic:messages:send", args: [], why: "Send marketing messages rescheduled by frequency rules" },
        { id: "broadcasts-send", schedule: "7,22,37,52 * * * *", command: "mautic:broadcasts:send", args: [], why: "Send segment emails (broadcasts)" },
        { id: "import", schedule: "12,27,42,57 * * * *", command: "mautic:import", args: [], why: "Process queued contact imports (var/tmp is shared with the web container)" },
        { id: "webhooks-process", schedule: "4,19,34,49 * * * *", command: "mautic:webhooks:process", args: [], why: "Deliver queued webhooks" },
        { id: "reports-scheduler", schedule: "9 * * * *", command: "mautic:reports:scheduler", args: [], why: "Send scheduled reports" },
        { id: "iplookup-download", schedule: "20 3 1 * *", command: "mautic:iplookup:download", args: [], why: "Refresh the local IP lookup database monthly (lookups stay on this server)" },
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

/** The arguments every cron job gets: without --no-interaction the cleanup deletes nothing. */
export const cronCommonArgs = ["--no-interaction", "--no-ansi"];

export function renderCrontab(input: CronInput): string {
    const lines = [readTemplate("mautic/crontab.header").trimEnd(), ""];
    for (const job of cronJobs(input)) {
        const cmd = [
            "flock", "-n", `/tmp/mautic-cron-${job.id}.lock`,
            "php", "/var/www/html/bin/console", job.command, ...job.args, ...cronCommonArgs,
        ].join(" ");
        lines.push(`# ${job.why}`);
        lines.push(`${job.schedule} ${cmd} >/tmp/stdout 2>&1`);
        lines.push("");
    }
    return `${lines.join("\n").trimEnd()}\n`;
}

/** A PHP literal for a JSON-like value: strings single-quoted with \\ and ' escaped. */
export function phpLiteral(value: unknown, indent = ""): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new Error(`cannot render ${value} as PHP`);
        return String(value);
    }
    if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    const inner = `${indent}    `;
    if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        return `[\n${value.map((v) => `${inner}${phpLiteral(v, inner)},`).join("\n")}\n${indent}]`;
    }
    if (typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0) return "[]";
        return `[\n${entries.map(([k, v]) => `${inner}${phpLiteral(k)} => ${phpLiteral(v, inner)},`).join("\n")}\n${indent}]`;
    }
    throw new Error(`cannot render ${typeof value} as PHP`);
}

export interface MauticParametersInput {
    domain: string;
    website: string;
    timezone: string;
    gdprPurgeDays: number;
    /** Symfony mailer DSN (a secret); omitted = keep what the UI sets. */
    mailerDsn?: string;
    /** Per-stack random secret (a secret). */
    secretKey: string;
}

/**
 * The settings the kit pins, with the checklist item each serves. This object is the single
 * source: `renderParametersLocal` writes it and the compliance report reads it.
 */
export function mauticParameters(input: MauticParametersInput): Record<string, unknown> {
    const escapedHost = input.domain.replace(/\./g, "\\.");
    const params: Record<string, unknown> = {
        // C11: links, forms and redirects are generated as https behind the edge (mautic#14428).
        site_url: `https://${input.domain}`,
        trusted_proxies: [dockerNetworks.frontend.subnet, dockerNetworks.frontend.subnet6],
        trusted_hosts: [`^${escapedHost}$`],
        // C09: store IPs anonymised, never identify visitors by IP; fingerprinting was removed
        // from Mautic in 3.0 (mautic#8428), the key is pinned off for the record.
        anonymize_ip: true,
        track_contact_by_ip: false,
        track_by_fingerprint: false,
        // C10: if Google Analytics is configured in Mautic, its IP anonymisation is on.
        google_analytics_anonymize_ip: true,
        // C11/C12: session cookies only over TLS and out of reach of scripts.
        cookie_secure: true,
        cookie_httponly: true,
        // No phoning home: no instance statistics and no update checks to third parties.
        stats_update_url: "",
        system_update_url: "",
        // CORS: only the one website may call Mautic from a browser (1 website = 1 Mautic).
        cors_restrict_domains: true,
        cors_valid_domains: [input.website],
        // GDPR purge threshold used by `mautic:maintenance:cleanup --gdpr` (crontab).
        gdpr_user_purge_threshold: input.gdprPurgeDays,
        // The API is used by the deploy to set up double opt-in (C04-C06); basic auth over TLS only.
        api_enabled: true,
        api_enable_basic_auth: true,
        // Custom fields (consent date and text version) must exist before the forms that map them.
        create_custom_field_in_background: false,
        default_timezone: input.timezone,
        secret_key: input.secretKey,
    };
    if (input.mailerDsn !== undefined) params.mailer_dsn = input.mailerDsn;
    return params;
}

export function renderParametersLocal(input: MauticParametersInput): string {
    return renderTemplate("mautic/parameters_local.php", {
        domain: input.domain,
        parameters: phpLiteral(mauticParameters(input)),
    });
}

export interface InstallScriptInput {
    domain: string;
    adminEmail: string;
    adminUsername: string;
    adminFirstName: string;
    adminLastName: string;
    dbName: string;
    dbUser: string;
}

/** The first-deploy install script (run on the host over SSH; secrets come on stdin). */
export function renderInstallScript(input: InstallScriptInput): string {
    return renderTemplate("scripts/mautic-install.sh", {
        webContainer: containerNames.web,
        siteUrl: `https://${input.domain}`,
        dbHost: containerNames.db,
        dbName: input.dbName,
        dbUser: input.dbUser,
        adminFirstName: input.adminFirstName,
        adminLastName: input.adminLastName,
        adminUsername: input.adminUsername,
        adminEmail: input.adminEmail,
    });
}
