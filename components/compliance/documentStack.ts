/**
 * The stack facts the generated documents rely on, read from the renderers of what is deployed
 * (crontab, pinned Mautic parameters, privacy maintenance job, Apache vhost, journald, backup
 * timer, the edge's consent-forget route). A renderer that no longer does what the texts say
 * makes the documents throw (a drift guard), so the texts cannot silently go stale.
 */
import { SiteSettings } from "../config/config";
import { consentForgetPath, mauticHostCookieNames, noConsentUserAgent } from "../edge/caddyfile";
import { cronJobs, mauticParameters, siteParametersInput, renderApacheVhost } from "../app/mautic";
import {
    privacyMaintenancePaths,
    renderConsentLedgerSql,
    renderDoiUnconfirmedSql,
    renderPrivacyMaintenanceFiles,
    renderUnsubscribedSql,
} from "../host/privacyMaintenance";
import { renderSecurityAlertFiles, securityPaths } from "../host/securityAlerts";
import { readTemplate } from "../shared/template";
import { mauticDeviceStorage } from "./documentFacts";

/** The time the nightly backup timer starts, read from its unit file. */
function backupTimerStart(): string | undefined {
    const m = /^OnCalendar=\*-\*-\* (\d{2}:\d{2})(?::\d{2})?\s*$/m.exec(readTemplate("backup/mautic-backup.timer"));
    return m?.[1];
}

/**
 * The stack facts the texts rely on, read from the renderers of what is deployed. Throws when a
 * renderer no longer does what the texts say (update the templates with the renderer).
 */
export function stackFacts(s: SiteSettings) {
    const drift = (what: string) => {
        throw new Error(
            `documents.ts is out of date with the stack: ${what}. Update templates/documents/ and components/compliance/documents.ts together with the renderer.`,
        );
    };
    const jobs = cronJobs({ cleanupDaysOld: s.cleanupDaysOld });
    const cleanup = jobs.find((j) => j.command === "mautic:maintenance:cleanup" && j.args.includes(`--days-old=${s.cleanupDaysOld}`));
    const purge = jobs.find((j) => j.command === "mautic:maintenance:cleanup" && j.args.includes("--gdpr"));
    if (!cleanup) drift(`the crontab has no 'mautic:maintenance:cleanup --days-old=${s.cleanupDaysOld}' job`);
    if (!purge) drift("the crontab has no 'mautic:maintenance:cleanup --gdpr' job");

    const p = mauticParameters(siteParametersInput(s, { secretKey: "unused-by-documents" }));
    const expected: Record<string, unknown> = {
        anonymize_ip: true,
        track_contact_by_ip: false,
        track_by_fingerprint: false,
        stats_update_url: "",
        // The texts promise no open measurement: no email carries Mautic's open pixel.
        mailer_append_tracking_pixel: false,
        system_update_url: "",
        gdpr_user_purge_threshold: s.gdprPurgeDays,
        // One log retention figure: Mautic's application log keeps accessLogRetentionDays files.
        max_log_files: s.accessLogRetentionDays,
        // The texts say no link is a tracked redirect and no page loads Google Fonts.
        disable_trackable_urls: true,
        translations_list_url: "",
        marketplace_enabled: false,
    };
    for (const [k, v] of Object.entries(expected)) {
        if (p[k] !== v) drift(`the texts say ${k} = ${JSON.stringify(v)}, mauticParameters pins ${JSON.stringify(p[k])}`);
    }
    // The texts say Mautic records no visit without consent: the edge's no-consent User-Agent is
    // what Mautic's bot list names.
    if (JSON.stringify(p.do_not_track_bots) !== JSON.stringify([noConsentUserAgent])) {
        drift(`the texts say do_not_track_bots = [${JSON.stringify(noConsentUserAgent)}], mauticParameters pins ${JSON.stringify(p.do_not_track_bots)}`);
    }

    // The half-hourly host job: audit-log IPs anonymised; unconfirmed sign-ups and unsubscribed
    // contacts deleted; the remains of deleted contacts removed after the grace period. The texts
    // print the bounds the timer really gives.
    const maintenance = renderPrivacyMaintenanceFiles({
        dataDir: "/unused-by-documents",
        dbContainer: "unused",
        database: "unused",
        unconfirmedContactDays: s.unconfirmedContactDays,
        unsubscribedMinimiseDays: s.unsubscribedMinimiseDays,
        consentProofYears: s.consentProofYears,
    });
    const fileOf = (path: string) => maintenance.find((f) => f.path === path)?.content ?? "";
    const script = fileOf(privacyMaintenancePaths.script);
    const timer = fileOf(privacyMaintenancePaths.timer);
    if (!/UPDATE\s+audit_log\s+SET\s+ip_address\s*=/.test(script)) drift("mautic-privacy-maintenance no longer anonymises audit_log.ip_address");
    if (
        !script.includes(renderDoiUnconfirmedSql(s.unconfirmedContactDays)) ||
        !/DELETE FROM leads WHERE id IN \(SELECT id FROM kit_doi_expired\)/.test(script)
    ) {
        drift(`mautic-privacy-maintenance no longer deletes unconfirmed sign-ups after unconfirmedContactDays (${s.unconfirmedContactDays})`);
    }
    // The consent-proof ledger: kept, restricted, for consentProofYears after the year of the last
    // mailing or withdrawal, deleted after that (the texts state both).
    if (
        !script.includes(renderConsentLedgerSql(s.consentProofYears)) ||
        !/DELETE FROM kit_consent_ledger WHERE UTC_DATE\(\) >= MAKEDATE\(YEAR\(last_activity_at\) \+ 1 \+ \d+, 1\)/.test(script)
    ) {
        drift(`mautic-privacy-maintenance no longer keeps and then deletes the consent ledger after consentProofYears (${s.consentProofYears})`);
    }
    if (!script.includes(renderUnsubscribedSql(s.unsubscribedMinimiseDays)))
        drift(`mautic-privacy-maintenance no longer minimises unsubscribed contacts after unsubscribedMinimiseDays (${s.unsubscribedMinimiseDays})`);
    for (const t of ["form_submissions", "page_hits", "email_stats"]) {
        if (!script.includes(` ${t}:`)) drift(`mautic-privacy-maintenance no longer deletes ${t} rows of deleted contacts`);
    }
    if (!script.includes("^form_results_") || !script.includes("DELETE r FROM") || !/DELETE a FROM audit_log a LEFT JOIN leads l/.test(script))
        drift("mautic-privacy-maintenance no longer deletes form results and audit-log entries of deleted contacts");
    // The failed-message queue: the texts state the days after which the job deletes a message.
    const failedDays = /DELETE FROM messenger_messages WHERE queue_name = 'failed' AND created_at < UTC_TIMESTAMP\(\) - INTERVAL (\d+) DAY;/.exec(script)?.[1];
    if (failedDays === undefined) drift("mautic-privacy-maintenance no longer deletes old messages of Mautic's failed-message queue");
    const maintenanceSchedule = maintenanceTimerSchedule(timer);
    if (maintenanceSchedule === undefined) drift("mautic-privacy-maintenance.timer no longer runs at least hourly (OnCalendar=hourly or *:0/N)");

    // The security check (breach alerts): every N minutes; the staff access log and the networks
    // it remembers are kept staffAccessLogDays, older lines deleted on every run.
    const security = renderSecurityAlertFiles({ dataDir: "/unused", dbContainer: "unused", database: "unused", staffAccessLogDays: s.staffAccessLogDays });
    const securityScript = security.find((f) => f.path === securityPaths.script)!.content;
    const securityEvery = Number(/^OnCalendar=\*:0\/(\d+)$/m.exec(security.find((f) => f.path === securityPaths.timer)!.content)?.[1]);
    if (
        !securityScript.includes(`\nSTAFF_LOG_DAYS=${s.staffAccessLogDays}\n`) ||
        !securityScript.includes("keep_from=$(( now - STAFF_LOG_DAYS * 86400 ))") ||
        !(securityEvery <= 60)
    )
        drift(`mautic-kit-security no longer runs at least hourly and keeps its staff access log staffAccessLogDays (${s.staffAccessLogDays})`);

    // Logs: the texts say the Mautic web container's Apache vhost defines no access log and the
    // journal rotates daily, so its N-day retention holds.
    if (/^\s*(CustomLog|TransferLog)\b/m.test(renderApacheVhost()))
        drift("the Mautic web container's Apache vhost defines an access log again (CustomLog/TransferLog)");
    const journald = readTemplate("cloudInit/journald.conf");
    if (!/^MaxFileSec=1day\s*$/m.test(journald) || !/^MaxRetentionSec=\{\{\s*journalRetentionDays\s*\}\}day\s*$/m.test(journald)) {
        drift("journald no longer rotates daily with the N-day retention (MaxFileSec=1day, MaxRetentionSec=<accessLogRetentionDays>day)");
    }

    // Withdrawal on the website expires Mautic's cookies on its host: every Mautic-host cookie
    // the table lists must be one the edge's consent-forget route expires.
    const notForgotten = mauticDeviceStorage
        .filter((e) => e.origin === "mautic" && e.kind === "cookie")
        .flatMap((e) => e.names)
        .filter((n) => !(mauticHostCookieNames as readonly string[]).includes(n));
    if (notForgotten.length > 0) drift(`the edge's ${consentForgetPath} route does not expire ${notForgotten.join(", ")}`);

    return {
        cleanup: cleanup!,
        purge: purge!,
        backupStart: backupTimerStart(),
        maintenanceSchedule: maintenanceSchedule!,
        failedMessageDays: Number(failedDays),
        maintenanceTimer: privacyMaintenancePaths.timer.split("/").pop()!,
        securityEveryMinutes: securityEvery,
    };
}

/** A systemd time span ("5min", "30s", "1m", "90") in seconds; undefined if not understood. */
function systemdSpanSeconds(v: string): number | undefined {
    const m = /^(\d+)\s*(us|ms|s|sec|seconds?|m|min|minutes?|h|hr|hours?)?$/.exec(v.trim());
    if (!m) return undefined;
    const unit = m[2] ?? "s";
    const factor = /^(us|ms)$/.test(unit) ? 0 : /^(s|sec|seconds?)$/.test(unit) ? 1 : /^(m|min|minutes?)$/.test(unit) ? 60 : 3600;
    return Number(m[1]) * factor;
}

/**
 * The privacy maintenance timer's schedule: its period in minutes (`OnCalendar=hourly` or
 * `*:0/N`) and the bound within which it has run after any moment: the period plus
 * `RandomizedDelaySec` plus `AccuracySec` (systemd's default accuracy is one minute), in whole
 * minutes. Undefined when the timer is not understood or runs less often than hourly.
 */
function maintenanceTimerSchedule(timer: string): { periodMinutes: number; boundMinutes: number } | undefined {
    const setting = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(timer)?.[1]?.trim();
    const cal = setting("OnCalendar");
    let period: number | undefined;
    if (cal === "hourly" || cal === "*-*-* *:00:00" || cal === "*:00" || cal === "*:0") period = 60;
    else {
        const m = /^(?:\*-\*-\* )?\*:0?0\/(\d{1,2})(?::00)?$/.exec(cal ?? "");
        if (m && Number(m[1]) > 0 && 60 % Number(m[1]) === 0) period = Number(m[1]);
    }
    const delay = systemdSpanSeconds(setting("RandomizedDelaySec") ?? "0");
    const accuracy = systemdSpanSeconds(setting("AccuracySec") ?? "1min");
    if (period === undefined || delay === undefined || accuracy === undefined) return undefined;
    // Whole minutes: a few seconds of accuracy (e.g. AccuracySec=1s) do not add a minute.
    return { periodMinutes: period, boundMinutes: period + Math.round((delay + accuracy) / 60) };
}

export type StackFacts = ReturnType<typeof stackFacts>;
