/**
 * Mautic's side of the kit, rendered as files: the pinned privacy settings
 * (`config/parameters_local.php`), the first-deploy install script, the worker's supervisord.conf
 * and the containers' environment (the cron container's crontab: cron.ts). Pure functions; tests evaluate the PHP with `php` and parse the crontab.
 */
import type { SiteSettings } from "../config/config";
import { containerNames, dockerNetworks } from "../config/defaults";
import { readTemplate, renderTemplate } from "../shared/template";
import { phpMemoryLimitMiB } from "../host/sizing";
import { unsubscribeText } from "../doi/doiNames";
import { noConsentUserAgent } from "../edge/caddyfile";

// The crontab moved to cron.ts (file size); re-exported for the existing imports.
export { broadcastRecipientsPerRun, cronCommonArgs, cronJobs, crontabPathInContainer, renderCrontab, segmentContactsPerRun } from "./cron";
export type { CronInput, CronJob } from "./cron";

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
    /** IANA time zone: Mautic's `default_timezone` (also the wall-clock zone of `now` in date fields such as consent_date). */
    timezone: string;
    gdprPurgeDays: number;
    /** The stack's one log retention (`accessLogRetentionDays`): Mautic keeps at most this many
     *  daily files of its application log (`max_log_files`; Mautic's default is 7). */
    logRetentionDays: number;
    /** Symfony mailer DSN (a secret); omitted = keep what the UI sets. */
    mailerDsn?: string;
    /** Sender address of every Mautic e-mail; required with `mailerDsn` (never Mautic's placeholder). */
    mailerFromEmail?: string;
    /** Sender name of every Mautic e-mail; required with `mailerDsn`. */
    mailerFromName?: string;
    /** MaxMind licence key (a secret); omitted = no IP lookup database is downloaded. */
    maxmindLicenseKey?: string;
    /** Per-stack random secret (a secret). */
    secretKey: string;
}

/** Mautic's shipped placeholder sender (EmailBundle config): never used as a real sender. */
export const mauticPlaceholderSender = "email@yoursite.com";

/**
 * The messenger transports pinned in the config: cron jobs do not see MAUTIC_* env vars, so
 * without these Mautic's own default `sync://` would make cron-sent mail bypass the worker.
 * The same values go into the containers' env (mauticApp.ts).
 */
export const messengerDsns = {
    email: "doctrine://default",
    hit: "doctrine://default",
    failed: "doctrine://default?queue_name=failed",
} as const;

/**
 * Mautic's outbound URLs (5.2.1 source: every `http` URL among the `parameters` of the bundles'
 * and plugins' Config/config.php, listed in docs/guide/mautic.md "No outbound requests"), each pinned so that
 * Mautic itself asks no third party for anything. An empty URL makes the caller skip the request
 * (stats, update check) or fail before any connection (language list and packs: Guzzle refuses
 * an empty URL and Mautic logs the error); the marketplace is switched off (no allowlist from
 * raw.githubusercontent.com, no packagist.org search). IP lookup: `ip_lookup_service` stays on
 * the local MaxMind database file, so the UI cannot choose a remote lookup service; the file is
 * downloaded only with `maxmindLicenseKey` (see mauticParameters).
 */
export const mauticOutboundPins = {
    stats_update_url: "",
    system_update_url: "",
    translations_list_url: "",
    translations_fetch_url: "",
    rss_notification_url: "",
    marketplace_enabled: false,
    marketplace_allowlist_url: "",
    composer_updates: false,
    website_snapshot_url: "",
    link_shortener_url: "",
    ip_lookup_service: "maxmind_download",
    ip_lookup_auth: "",
} as const;

/**
 * The builder's font list: Mautic's default list without the eight fonts it loads from
 * fonts.googleapis.com (Bitter, Droid Serif, Lato, Montserrat, Open Sans, Roboto, Source Sans Pro,
 * Ubuntu). No entry has a `url`, so Mautic prints no stylesheet link for any of them.
 */
export const mauticEditorFonts: ReadonlyArray<{ name: string; font: string }> = [
    { name: "Arial", font: "Arial, Helvetica Neue, Helvetica, sans-serif" },
    { name: "Courier New", font: "Courier New, Courier, Lucida Sans Typewriter, Lucida Typewriter, monospace" },
    { name: "Georgia", font: "Georgia, Times, Times New Roman, serif" },
    { name: "Helvetica", font: "Helvetica Neue, Helvetica, Arial, sans-serif" },
    { name: "Lucida Sans Unicode", font: "Lucida Sans Unicode, Lucida Grande, Lucida Sans, Geneva, Verdana, sans-serif" },
    { name: "Tahoma", font: "Tahoma, Geneva, Segoe, sans-serif" },
    { name: "Times New Roman", font: "TimesNewRoman, Times New Roman, Times, Beskerville, Georgia, serif" },
    { name: "Trebuchet MS", font: "Trebuchet MS, Lucida Grande, Lucida Sans Unicode, Lucida Sans, Tahoma, sans-serif" },
    { name: "Verdana", font: "Verdana, Geneva, sans-serif" },
    { name: "ヒラギノ角ゴ Pro W3", font: "ヒラギノ角ゴ Pro W3, Hiragino Kaku Gothic Pro,Osaka, メイリオ, Meiryo, ＭＳ Ｐゴシック, MS PGothic, sans-serif" },
    { name: "メイリオ", font: "メイリオ, Meiryo, ＭＳ Ｐゴシック, MS PGothic, ヒラギノ角ゴ Pro W3, Hiragino Kaku Gothic Pro,Osaka, sans-serif" },
];

/**
 * The settings the kit pins, with the checklist item each serves. This object is the single
 * source: `renderParametersLocal` writes it and the compliance report reads it.
 */
export function mauticParameters(input: MauticParametersInput): Record<string, unknown> {
    const escapedHost = input.domain.replace(/\./g, "\\.");
    const params: Record<string, unknown> = {
        // C11: links, forms and redirects are generated as https behind the edge (mautic#14428).
        site_url: `https://${input.domain}`,
        // Every mail's {unsubscribe_text}: the unsubscribe link and the one-click withdrawal of
        // the profiling consent (issue 20 item 5; the provisioner reports mails without the token).
        unsubscribe_text: unsubscribeText(input.domain),
        // The edge's network, and the container's own loopback: the kit's DOI endpoint calls the
        // API there with X-Forwarded-Proto https, so the links Mautic builds use https.
        trusted_proxies: [dockerNetworks.frontend.subnet, dockerNetworks.frontend.subnet6, "127.0.0.1"],
        trusted_hosts: [`^${escapedHost}$`],
        // C09: store IPs anonymised, never identify visitors by IP; fingerprinting was removed
        // from Mautic in 3.0 (mautic#8428), the key is pinned off for the record.
        anonymize_ip: true,
        track_contact_by_ip: false,
        track_by_fingerprint: false,
        // C10: Mautic injects no third-party tracking: Google Analytics and the Facebook (Meta)
        // pixel are pinned off on the tracking script and on landing pages (ids, flags and raw
        // code), so the UI cannot switch them on; GA's IP anonymisation is pinned on as well.
        google_analytics: "",
        google_analytics_id: "",
        google_analytics_trackingpage_enabled: false,
        google_analytics_landingpage_enabled: false,
        google_analytics_anonymize_ip: true,
        facebook_pixel_id: "",
        facebook_pixel_trackingpage_enabled: false,
        facebook_pixel_landingpage_enabled: false,
        // No visit is recorded without tracking consent (issue 20 item 3): the edge gives every
        // visitor request without its consent cookie this User-Agent, and Mautic treats a request
        // whose User-Agent contains an entry of this list as a crawler's (no page hit, no anonymous
        // contact, no device record). Mautic's own list of crawler names is not needed: no
        // crawler carries the consent cookie, so every crawler request gets this User-Agent.
        do_not_track_bots: [noConsentUserAgent],
        // No tracking of contacts through tracked URLs (a contact id in links).
        track_by_tracking_url: false,
        // No open pixel in any e-mail: Mautic can only switch it globally, and the newsletter
        // consent does not cover measuring opens (the DOI mail must carry none, issue 11 item 7).
        mailer_append_tracking_pixel: false,
        // C11/C12: session cookies only over TLS and out of reach of scripts.
        cookie_secure: true,
        cookie_httponly: true,
        // Mautic's cookies stay on its own host ('' = host-only cookie), on every path.
        cookie_domain: "",
        cookie_path: "/",
        // No link in any e-mail becomes a per-recipient tracked redirect (/r/...): Mautic can
        // switch link tracking only globally, and a tracked click also marks the mail read, so
        // clicks and opens are measured for nobody (issue 19 item 6). Links stay as written.
        disable_trackable_urls: true,
        // No phoning home (issue 20 item 2): every outbound URL among Mautic's defaults is pinned
        // empty or off (mauticOutboundPins: statistics, update check, language packs, marketplace).
        ...mauticOutboundPins,
        // No third-country requests from Mautic's pages (issue 20 item 1): the editor fonts are
        // system fonts only; Mautic's default list loads 8 fonts from fonts.googleapis.com into
        // the head of the admin UI and of every landing page, form and message page.
        editor_fonts: mauticEditorFonts,
        // The default theme of pages, forms and message pages (unsubscribe, "mautic_code_mode"
        // e-mails): `blank` carries its styles inline; brienz, confirmme, paprika and trulypersonal
        // link bootstrapcdn.com from their message page (the edge's CSP blocks it anyway).
        theme: "blank",
        // CORS: only the one website may call Mautic from a browser (1 website = 1 Mautic).
        cors_restrict_domains: true,
        cors_valid_domains: [input.website],
        // GDPR purge threshold used by `mautic:maintenance:cleanup --gdpr` (crontab).
        gdpr_user_purge_threshold: input.gdprPurgeDays,
        // One log retention figure (issue 20 item 8): Mautic's application log (var/logs, one
        // file per day with entries) keeps as many files as the other logs keep days.
        max_log_files: input.logRetentionDays,
        // The API is used by the deploy to set up double opt-in (C04-C06); basic auth over TLS only.
        api_enabled: true,
        api_enable_basic_auth: true,
        // Custom fields (consent date and text version) must exist before the forms that map them.
        create_custom_field_in_background: false,
        // consent_date and other date fields set to `now` are stored as wall-clock time of this zone.
        default_timezone: input.timezone,
        secret_key: input.secretKey,
        // Cron jobs see no MAUTIC_* env: the queues must be in the config (see messengerDsns).
        messenger_dsn_email: messengerDsns.email,
        messenger_dsn_hit: messengerDsns.hit,
        messenger_dsn_failed: messengerDsns.failed,
    };
    if (input.mailerDsn !== undefined) {
        const from = input.mailerFromEmail?.trim();
        if (!from || from.toLowerCase() === mauticPlaceholderSender) {
            throw new Error(
                `mailerFromEmail = ${JSON.stringify(input.mailerFromEmail ?? null)}: a mailer DSN needs a real sender address, never Mautic's placeholder ${mauticPlaceholderSender}`,
            );
        }
        if (!input.mailerFromName?.trim()) throw new Error("mailerFromName is empty: a mailer DSN needs a sender name");
        params.mailer_dsn = input.mailerDsn;
        params.mailer_from_email = from;
        params.mailer_from_name = input.mailerFromName.trim();
    }
    // IP lookup: only with a MaxMind licence key (opt-in); the database is then downloaded
    // monthly by cron and every lookup stays on this server.
    if (input.maxmindLicenseKey !== undefined) {
        params.ip_lookup_auth = input.maxmindLicenseKey;
    }
    return params;
}

/**
 * The parameters input of a stack, from its validated settings and its secrets: the one place
 * the site (mauticApp.ts uploads it; mauticSite.ts's compliance report reads it with placeholders
 * for the secrets) and the local harness (scripts/local-mautic/render.ts) build it.
 */
export function siteParametersInput(
    s: Pick<SiteSettings, "domain" | "website" | "timezone" | "gdprPurgeDays" | "accessLogRetentionDays" | "mailerFromEmail" | "mailerFromName">,
    secrets: { secretKey: string; mailerDsn?: string; maxmindLicenseKey?: string },
): MauticParametersInput {
    return {
        domain: s.domain,
        website: s.website,
        timezone: s.timezone,
        gdprPurgeDays: s.gdprPurgeDays,
        logRetentionDays: s.accessLogRetentionDays,
        mailerDsn: secrets.mailerDsn,
        mailerFromEmail: s.mailerFromEmail,
        mailerFromName: s.mailerFromName,
        maxmindLicenseKey: secrets.maxmindLicenseKey,
        secretKey: secrets.secretKey,
    };
}

export function renderParametersLocal(input: MauticParametersInput): string {
    return renderTemplate("mautic/parameters_local.php", {
        domain: input.domain,
        parameters: phpLiteral(mauticParameters(input)),
    });
}

/** The three roles of the Mautic image (DOCKER_MAUTIC_ROLE). */
export type MauticRole = "mautic_web" | "mautic_cron" | "mautic_worker";

export interface MauticEnvInput {
    role: MauticRole;
    dbName: string;
    dbUser: string;
    /** The `mautic` database user's password (a secret: the result is one too). */
    dbPassword: string;
    /** IANA time zone of PHP and the container. */
    timezone: string;
}

/**
 * The environment of a Mautic container (web, cron, worker): what the image's entrypoint and its
 * config/local.php template read (MAUTIC_DB_*), the messenger transports and PHP's ini values.
 * Contains the database password: only ever passed on as a secret.
 */
export function renderMauticEnv(input: MauticEnvInput): string[] {
    return [
        `DOCKER_MAUTIC_ROLE=${input.role}`,
        `MAUTIC_DB_HOST=${containerNames.db}`,
        "MAUTIC_DB_PORT=3306",
        `MAUTIC_DB_DATABASE=${input.dbName}`,
        `MAUTIC_DB_USER=${input.dbUser}`,
        `MAUTIC_DB_PASSWORD=${input.dbPassword}`,
        // The same transports are pinned in parameters_local.php (cron sees no env).
        `MAUTIC_MESSENGER_DSN_EMAIL=${messengerDsns.email}`,
        `MAUTIC_MESSENGER_DSN_HIT=${messengerDsns.hit}`,
        `MAUTIC_MESSENGER_DSN_FAILED=${messengerDsns.failed}`,
        `PHP_INI_VALUE_DATE_TIMEZONE=${input.timezone}`,
        `PHP_INI_VALUE_MEMORY_LIMIT=${phpMemoryLimitMiB}M`,
        "PHP_INI_VALUE_UPLOAD_MAX_FILESIZE=64M",
        "PHP_INI_VALUE_EXPOSE_PHP=Off",
        `TZ=${input.timezone}`,
    ];
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
    return renderTemplate("mautic/mautic-install.sh", {
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

/** The worker's supervisord config, replaced by the kit's (consumers with memory/time limits). */
export const workerSupervisordPathInContainer = "/etc/supervisor/conf.d/supervisord.conf";

/** The messenger transports the worker consumes (the image's three programs). */
export const workerTransports = ["email", "hit", "failed"] as const;

/** Seconds after which a consumer stops itself and supervisord starts a fresh one. */
export const workerTimeLimitSeconds = 3600;

/**
 * `--memory-limit` of each consumer, in MiB: the worker container's limit shared by the three
 * consumers with a fifth kept for supervisord, PHP's own overhead and the message in hand
 * (the limit is checked between messages), capped at 256 MiB. Throws below 64 MiB.
 */
export function workerConsumerMemoryMiB(containerMiB: number): number {
    const perConsumer = Math.min(256, Math.floor((containerMiB * 0.8) / workerTransports.length));
    if (!Number.isFinite(perConsumer) || perConsumer < 64) {
        throw new Error(`worker memory ${containerMiB} MiB leaves ${perConsumer} MiB per consumer; at least 64 MiB are needed (choose a larger serverType)`);
    }
    return perConsumer;
}

/** The worker container's supervisord.conf, for its memory limit in MiB. */
export function renderWorkerSupervisord(containerMiB: number): string {
    const memoryLimit = `${workerConsumerMemoryMiB(containerMiB)}M`;
    const programs = workerTransports
        .map((transport) => renderTemplate("mautic/worker-program.conf", { transport, memoryLimit, timeLimit: workerTimeLimitSeconds }))
        .join("");
    return renderTemplate("mautic/worker-supervisord.conf", { memoryLimit, timeLimit: workerTimeLimitSeconds, containerMiB, programs: programs.trimEnd() });
}
