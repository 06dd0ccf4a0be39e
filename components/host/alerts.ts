/**
 * Alerts: the server tells someone when something breaks (pure renderer: input in, files out).
 *
 * - `mautic-kit-alert` sends an e-mail to `adminEmail` through the stack's mailer (curl's SMTP
 *   client; settings and password in a root-only curl config file, never on a command line) and
 *   pings `alertUrl` (healthchecks-style: the URL on success, URL + "/fail" on failure).
 * - `OnFailure=mautic-kit-alert@%n.service` drop-ins on the backup, the privacy maintenance and
 *   unattended-upgrades (apt-daily-upgrade.service).
 * - `mautic-kit-health` (hourly timer): last good backup older than the limit, failed backup or
 *   off-site copy, disk fuller than the limit, a container stopped or unhealthy, the certificate
 *   expiring soon, a failed job. Alerts on change, pings on every run (the dead man's switch).
 *
 * The secret part (`renderAlertSecretFiles`) is written by its own command with the content on
 * stdin (a Pulumi secret), never by the HostFiles command, whose text is stored in plain state.
 * docs/guide/alerts.md describes it for operators.
 */
import { HostFile } from "./cloudInit";
import { isFqdn } from "../shared/hostName";
import { fill, readTemplate } from "../shared/template";

export interface AlertsInput {
    /** Where alert e-mails go (`adminEmail`). */
    adminEmail: string;
    /** Mautic's host name (`domain`): the certificate checked, the subject of every alert. */
    domain: string;
    /** Backups live here (default "/srv/mautic/backups"). */
    backupDir: string;
    /** A backup is stale after this many hours. Default 26 (nightly + 2 h). */
    backupMaxAgeHours?: number;
    /** The stack copies backups off-site (`backupOffsiteRepository` set): its last copy must be ok and fresh. */
    offsiteExpected: boolean;
    /** Alert above this disk use in percent. Default 85. */
    diskMaxPercent?: number;
    /** Mount points whose use is checked. Default ["/", "/srv/mautic"]. */
    diskPaths?: string[];
    /** Containers that must be running (and healthy, where they have a healthcheck). */
    containers: string[];
    /** Alert when the served certificate expires within this many days. Default 14. */
    certMinDays?: number;
}

export const alertDefaults = { backupMaxAgeHours: 26, diskMaxPercent: 85, certMinDays: 14, diskPaths: ["/", "/srv/mautic"] } as const;

/** Units whose failure sends an alert (a drop-in adds OnFailure= to each). */
export const alertedUnits = ["mautic-backup.service", "mautic-privacy-maintenance.service", "apt-daily-upgrade.service"] as const;

export const alertPaths = {
    alertScript: "/usr/local/sbin/mautic-kit-alert",
    healthScript: "/usr/local/sbin/mautic-kit-health",
    alertUnit: "/etc/systemd/system/mautic-kit-alert@.service",
    healthService: "/etc/systemd/system/mautic-kit-health.service",
    healthTimer: "/etc/systemd/system/mautic-kit-health.timer",
    /** Root-only (0700 dir, 0600 files): the SMTP settings for curl -K, and the ping URL. */
    secretDir: "/etc/mautic-kit/alerts",
    smtpCurlConfig: "/etc/mautic-kit/alerts/smtp.curl",
    pingUrlFile: "/etc/mautic-kit/alerts/ping-url",
    dropIn: (unit: string) => `/etc/systemd/system/${unit}.d/50-mautic-kit-alert.conf`,
} as const;

/** Run after the files are written. */
export const alertEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-kit-health.timer"];

const emailRe = /^[^\s@"'<>\\]+@[^\s@"'<>\\]+\.[^\s@"'<>\\]+$/;
const unitRe = /^[A-Za-z0-9_.@-]+$/;
const pathRe = /^\/(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/?)*$/;

/** Every problem with the input, each naming the field and the fix. */
export function validateAlertsInput(i: AlertsInput): string[] {
    const p: string[] = [];
    if (!emailRe.test(i.adminEmail)) p.push(`adminEmail = ${JSON.stringify(i.adminEmail)} is not an e-mail address (alerts go there)`);
    if (!isFqdn(i.domain)) p.push(`domain = ${JSON.stringify(i.domain)} is not a host name`);
    if (!pathRe.test(i.backupDir)) p.push(`backupDir = ${JSON.stringify(i.backupDir)} must be a plain absolute path`);
    const intIn = (name: string, v: number | undefined, lo: number, hi: number) => {
        if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi)) p.push(`${name} = ${JSON.stringify(v)} must be a whole number from ${lo} to ${hi}`);
    };
    intIn("backupMaxAgeHours", i.backupMaxAgeHours, 2, 24 * 14);
    intIn("diskMaxPercent", i.diskMaxPercent, 1, 99);
    intIn("certMinDays", i.certMinDays, 1, 60);
    for (const d of i.diskPaths ?? []) if (!pathRe.test(d)) p.push(`diskPaths: ${JSON.stringify(d)} must be a plain absolute path`);
    for (const c of i.containers) if (!unitRe.test(c)) p.push(`containers: ${JSON.stringify(c)} is not a container name`);
    return p;
}

/** The alert and health scripts, their units and the OnFailure drop-ins. Nothing secret. */
export function renderAlertFiles(input: AlertsInput): HostFile[] {
    const problems = validateAlertsInput(input);
    if (problems.length) throw new Error(`invalid alert settings:\n${problems.map((x) => `  - ${x}`).join("\n")}`);
    const alert = fill(readTemplate("alerts/mautic-kit-alert.sh"), { adminEmail: input.adminEmail, domain: input.domain }, "alerts/mautic-kit-alert.sh");
    const health = fill(
        readTemplate("alerts/mautic-kit-health.sh"),
        {
            backupDir: input.backupDir,
            backupMaxAgeHours: input.backupMaxAgeHours ?? alertDefaults.backupMaxAgeHours,
            offsiteExpected: input.offsiteExpected ? 1 : 0,
            diskPaths: (input.diskPaths ?? alertDefaults.diskPaths).map((d) => `'${d}'`).join(" "),
            diskMaxPercent: input.diskMaxPercent ?? alertDefaults.diskMaxPercent,
            containers: input.containers.join(" "),
            domain: input.domain,
            certMinDays: input.certMinDays ?? alertDefaults.certMinDays,
        },
        "alerts/mautic-kit-health.sh",
    );
    const dropIn = readTemplate("alerts/alert-on-failure.conf");
    return [
        { path: alertPaths.alertScript, content: alert, permissions: "0750" },
        { path: alertPaths.healthScript, content: health, permissions: "0750" },
        { path: alertPaths.alertUnit, content: readTemplate("alerts/mautic-kit-alert@.service"), permissions: "0644" },
        { path: alertPaths.healthService, content: readTemplate("alerts/mautic-kit-health.service"), permissions: "0644" },
        { path: alertPaths.healthTimer, content: readTemplate("alerts/mautic-kit-health.timer"), permissions: "0644" },
        ...alertedUnits.map((u) => ({ path: alertPaths.dropIn(u), content: dropIn, permissions: "0644" })),
    ];
}

export type MailerForAlerts =
    | { kind: "smtp"; url: string; user?: string; password?: string; requireTls: boolean }
    | { kind: "unsupported"; scheme: string };

/**
 * Reads a Symfony mailer DSN for curl: `smtp://` (STARTTLS required unless the host is local;
 * port 465 means implicit TLS, as in Symfony) and `smtps://`. Provider DSNs (`ses+smtp://`,
 * `sendgrid+api://`, ...) cannot be spoken by curl: alerts then go to alertUrl only.
 */
export function mailerForAlerts(dsn: string): MailerForAlerts {
    let u: URL;
    try {
        u = new URL(dsn);
    } catch {
        return { kind: "unsupported", scheme: "invalid" };
    }
    const scheme = u.protocol.replace(/:$/, "");
    if (scheme !== "smtp" && scheme !== "smtps") return { kind: "unsupported", scheme };
    if (!u.hostname || u.hostname === "default") return { kind: "unsupported", scheme: `${scheme}://${u.hostname}` };
    const implicit = scheme === "smtps" || u.port === "465";
    const port = u.port || (implicit ? "465" : "25");
    const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(u.hostname);
    return {
        kind: "smtp",
        url: `${implicit ? "smtps" : "smtp"}://${u.hostname}:${port}`,
        ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        requireTls: !implicit && !local,
    };
}

/** curl config syntax: a double-quoted string with \ and " escaped, no line breaks. */
function curlQuote(v: string): string {
    if (/[\r\n\0]/.test(v)) throw new Error("a mailer DSN part contains a line break");
    return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The root-only files the alert script reads: curl's SMTP config (with the password) and the ping
 * URL. Secret: write them with `renderAlertSecretsCommand`'s stdin, never in plain state.
 */
export function renderAlertSecretFiles(input: { adminEmail: string; mailerDsn?: string; alertUrl?: string }): HostFile[] {
    const files: HostFile[] = [];
    const m = input.mailerDsn ? mailerForAlerts(input.mailerDsn) : undefined;
    if (m?.kind === "smtp") {
        const from = m.user && emailRe.test(m.user) ? m.user : input.adminEmail;
        const lines = [
            "# mautic-kit alerts: SMTP settings for curl -K (from the stack's mailerDsn). Root only.",
            `url = ${curlQuote(m.url)}`,
            ...(m.user !== undefined ? [`user = ${curlQuote(`${m.user}:${m.password ?? ""}`)}`] : []),
            `mail-from = ${curlQuote(from)}`,
            ...(m.requireTls ? ["ssl-reqd"] : []),
        ];
        files.push({ path: alertPaths.smtpCurlConfig, content: `${lines.join("\n")}\n`, permissions: "0600" });
    }
    if (input.alertUrl) files.push({ path: alertPaths.pingUrlFile, content: `${input.alertUrl.replace(/\/+$/, "")}\n`, permissions: "0600" });
    return files;
}

/**
 * The command that installs the secret files from stdin (a tar-free, line-safe format: the
 * stdin is the files as `renderHostFilesCommand` would write them, but it never appears in the
 * command text). Removes files for settings that were unset.
 */
export function renderAlertSecretsCommand(): string {
    return [
        "set -eu",
        `install -d -m 0700 -o root -g root ${alertPaths.secretDir}`,
        "umask 077",
        // stdin: "path<TAB>base64" lines.
        "seen=''",
        "while IFS='\t' read -r p b; do",
        `  case $p in ${alertPaths.secretDir}/*) ;; *) echo "refusing $p" >&2; exit 1 ;; esac`,
        '  printf \'%s\' "$b" | base64 -d > "$p.new" && chmod 0600 "$p.new" && mv -f "$p.new" "$p"',
        '  seen="$seen $p"',
        "done",
        `for f in ${alertPaths.smtpCurlConfig} ${alertPaths.pingUrlFile}; do case " $seen " in *" $f "*) ;; *) rm -f "$f" ;; esac; done`,
    ].join("\n");
}

/** The stdin for `renderAlertSecretsCommand`. */
export function renderAlertSecretsStdin(files: HostFile[]): string {
    return files.map((f) => `${f.path}\t${Buffer.from(f.content, "utf8").toString("base64")}\n`).join("");
}
