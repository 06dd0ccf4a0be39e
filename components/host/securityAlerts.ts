/**
 * Security alerts for personal data breaches (Art. 33/34 GDPR; pure renderer: input in, files out).
 *
 * `mautic-kit-security` (timer every `securityCheckMinutes`) reads Mautic's audit log and its
 * users and roles (as the privacy job does, inside the database container) and the edge's access
 * log (client IPs already masked to a network), and sends `mautic-kit-alert security ...` once per
 * event: a new administrator, an administrator's login from a network not seen for that user
 * within `staffAccessLogDays`, API use from a new network or a new API client, a contact export,
 * `failedLoginLimit` or more failed logins in one run. It keeps the staff access log
 * (`securityPaths.staffLog`) and the networks it remembers for `staffAccessLogDays`, deleting
 * older lines on every run. docs/guide/alerts.md describes it for operators.
 */
import { HostFile } from "./cloudInit";
import { alertPaths } from "./alerts";
import { intRange } from "../config/schema";
import { edgeHostAccessLog } from "../edge/caddyfile";
import { renderTemplate } from "../shared/template";

export interface SecurityAlertsInput {
    /** The durable volume's mount point (the unit waits for it). */
    dataDir: string;
    /** The MariaDB container; its env holds MARIADB_ROOT_PASSWORD. */
    dbContainer: string;
    /** Mautic's database. */
    database: string;
    /** The edge's access log on the host (JSON lines, masked client IPs). Default `edgeHostAccessLog(dataDir)`. */
    edgeAccessLog?: string;
    /** Days the staff access log and the remembered networks are kept (`staffAccessLogDays`). */
    staffAccessLogDays: number;
    /** Failed logins in one run that raise an alert. Default 10. */
    failedLoginLimit?: number;
}

export const securityDefaults = { failedLoginLimit: 10, periodMinutes: 15 } as const;

export const securityPaths = {
    script: "/usr/local/sbin/mautic-kit-security",
    service: "/etc/systemd/system/mautic-kit-security.service",
    timer: "/etc/systemd/system/mautic-kit-security.timer",
    /**
     * Root-only: one tab-separated line per staff login, API network, export, admin change. In the
     * check's 0700 state folder, not under /var/log/mautic-kit/, whose logrotate rule deletes
     * after the journal's days: this log's period is `staffAccessLogDays`, enforced by the check.
     */
    staffLog: "/var/lib/mautic-kit/security/staff-access.log",
} as const;

/** Run after the files are written. */
export const securityEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-kit-security.timer"];

const nameRe = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const pathRe = /^\/(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/?)*$/;

/** Every problem with the input, each naming the field and the fix. */
export function validateSecurityAlertsInput(i: SecurityAlertsInput): string[] {
    const p: string[] = [];
    if (!nameRe.test(i.dbContainer)) p.push(`dbContainer = ${JSON.stringify(i.dbContainer)} is not a Docker container name`);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(i.database)) p.push(`database = ${JSON.stringify(i.database)} is not a plain database name`);
    for (const [k, v] of [
        ["dataDir", i.dataDir],
        ["edgeAccessLog", i.edgeAccessLog ?? edgeHostAccessLog(i.dataDir)],
    ] as const)
        if (!pathRe.test(v)) p.push(`${k} = ${JSON.stringify(v)} must be a plain absolute path`);
    const [min, max] = intRange("staffAccessLogDays");
    if (!Number.isInteger(i.staffAccessLogDays) || i.staffAccessLogDays < min || i.staffAccessLogDays > max)
        p.push(`staffAccessLogDays = ${JSON.stringify(i.staffAccessLogDays)} must be a whole number of days from ${min} to ${max}`);
    const limit = i.failedLoginLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000))
        p.push(`failedLoginLimit = ${JSON.stringify(limit)} must be a whole number from 1 to 10000`);
    return p;
}

/** The security check, its service and its timer. Nothing secret. */
export function renderSecurityAlertFiles(input: SecurityAlertsInput): HostFile[] {
    const problems = validateSecurityAlertsInput(input);
    if (problems.length) throw new Error(`invalid security alert settings:\n${problems.map((x) => `  - ${x}`).join("\n")}`);
    const periodMinutes = securityDefaults.periodMinutes;
    const script = renderTemplate("alerts/mautic-kit-security.sh", {
        periodMinutes,
        dbContainer: input.dbContainer,
        database: input.database,
        edgeLog: input.edgeAccessLog ?? edgeHostAccessLog(input.dataDir),
        staffLog: securityPaths.staffLog,
        staffLogDays: input.staffAccessLogDays,
        failedLoginLimit: input.failedLoginLimit ?? securityDefaults.failedLoginLimit,
    });
    if (!script.includes(alertPaths.alertScript)) throw new Error("mautic-kit-security.sh no longer calls the alert script");
    return [
        { path: securityPaths.script, content: script, permissions: "0750" },
        { path: securityPaths.service, content: renderTemplate("alerts/mautic-kit-security.service", { dataDir: input.dataDir }), permissions: "0644" },
        { path: securityPaths.timer, content: renderTemplate("alerts/mautic-kit-security.timer", { periodMinutes }), permissions: "0644" },
        { path: alertPaths.dropIn("mautic-kit-security.service"), content: renderTemplate("alerts/alert-on-failure.conf", {}), permissions: "0644" },
    ];
}
