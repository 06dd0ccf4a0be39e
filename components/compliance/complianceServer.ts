/**
 * The compliance report's server items (C11 HTTPS only, C12 server security, C13 HTTP security
 * headers), read back from what the stack renders: the Caddyfile, the host files cloud-init
 * writes, the pinned Mautic parameters and the settings.
 */
import type { ComplianceInput, ComplianceStatus } from "./compliance";
import { adminGravatarEvidence } from "./complianceEdge";
import { describeOffsite, offsiteTarget } from "../config/offsiteDns";
import { HostFile } from "../host/cloudInit";

type Add = (id: string, status: ComplianceStatus, evidence: string[], actions?: string[]) => void;

export const hostFile = (files: HostFile[], p: string) => files.find((f) => f.path === p)?.content ?? "";

/**
 * The public page class's CSP (Mautic's landing pages, forms, e-mail views), read from the
 * Caddyfile, with what it relaxes: marketers' landing pages carry inline scripts and third-party
 * embeds, so the class cannot be strict.
 */
export function publicClassRelaxation(caddyfile: string): string {
    const csp = /\(headers_public\)\s*\{[\s\S]*?Content-Security-Policy "([^"]+)"/.exec(caddyfile)?.[1];
    if (!csp) return "public page class: no Content-Security-Policy found in the Caddyfile";
    const relaxed = csp
        .split(";")
        .map((d) => d.trim())
        .filter((d) => /'unsafe-inline'|'unsafe-eval'|(^|\s)https:(\s|$)|(^|\s)\*(\s|$)|data:/.test(d));
    return relaxed.length === 0
        ? `public page class: strict CSP (${csp})`
        : `public page class RELAXED (Mautic landing pages, forms, e-mail views; marketers' pages carry inline scripts and embeds): ${relaxed.join("; ")}`;
}

/** Adds C11, C12 and C13 to the report. */
export function addServerItems(input: ComplianceInput, add: Add): void {
    const s = input.settings;
    const p = input.mauticParameters;
    // C11: HTTPS only, read back from the Caddyfile.
    const hsts = /Strict-Transport-Security "max-age=(\d+)/.exec(input.caddyfile);
    const hstsAge = hsts ? Number(hsts[1]) : 0;
    // Every `protocols` line of a tls block must name exactly TLS 1.2 and 1.3 (Caddy's own
    // default; pinned so a change is visible here).
    const tlsProtocols = [...input.caddyfile.matchAll(/^\s*protocols (tls\S+(?: tls\S+)*)\s*$/gm)].map((m) => m[1]);
    const tlsOk = tlsProtocols.length > 0 && tlsProtocols.every((p) => p === "tls1.2 tls1.3");
    const c11Evidence = [
        "Caddy: automatic HTTPS with ACME certificates; HTTP redirects to HTTPS",
        hsts ? `Caddyfile: Strict-Transport-Security max-age=${hstsAge}` : "Caddyfile: NO Strict-Transport-Security header",
        tlsOk ? "Caddyfile: protocols tls1.2 tls1.3 (tested: 1.0/1.1 handshakes fail)" : `Caddyfile: TLS protocols ${tlsProtocols.join(", ") || "not pinned"}`,
        `config/parameters_local.php: site_url=${p.site_url}, cookie_secure=${p.cookie_secure}`,
    ];
    const c11Ok = tlsOk && hstsAge >= 63072000 && p.cookie_secure === true && String(p.site_url).startsWith("https://");
    const c11Actions = [
        ...(tlsOk ? [] : ["pin TLS to 1.2 and 1.3 (Mozilla intermediate)"]),
        ...(hstsAge < 63072000 ? [`HSTS max-age ${hstsAge} is shorter than 2 years (63072000)`] : []),
        ...(p.cookie_secure === true && String(p.site_url).startsWith("https://") ? [] : ["cookie_secure/site_url not https"]),
    ];
    add("C11", c11Ok ? "enforced" : "warning", c11Evidence, c11Actions);

    // C12: host hardening, read back from the user data files.
    const sshd = hostFile(input.hostFiles, "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf");
    const auto = hostFile(input.hostFiles, "/etc/apt/apt.conf.d/20auto-upgrades");
    const uu = hostFile(input.hostFiles, "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit");
    const daemon = hostFile(input.hostFiles, "/etc/docker/daemon.json");
    const f2b = hostFile(input.hostFiles, "/etc/fail2ban/jail.d/sshd.local");
    const journald = hostFile(input.hostFiles, "/etc/systemd/journald.conf.d/10-mautic-kit.conf");
    const edgeLogrotate = hostFile(input.hostFiles, "/etc/logrotate.d/mautic-kit-edge");
    const checks: Array<[boolean, string]> = [
        [
            /^PasswordAuthentication no$/m.test(sshd) && /^AuthenticationMethods publickey$/m.test(sshd),
            "sshd: keys only (PasswordAuthentication no, AuthenticationMethods publickey, MaxAuthTries 2)",
        ],
        [
            /Unattended-Upgrade "1"/.test(auto) && /Automatic-Reboot "true"/.test(uu),
            `unattended security upgrades daily, incl. Docker's repository; automatic reboot at ${/Automatic-Reboot-Time "([^"]+)"/.exec(uu)?.[1]}`,
        ],
        [/"max-size"/.test(daemon) && /"max-file"/.test(daemon), "Docker logs rotated (daemon.json max-size/max-file), live-restore, no-new-privileges"],
        [/^backend = systemd$/m.test(f2b), "fail2ban sshd jail (systemd backend)"],
        [/MaxRetentionSec=/.test(journald), `journald size and retention bounded (${/MaxRetentionSec=(\S+)/.exec(journald)?.[1]})`],
        [
            /ip_mask/.test(input.caddyfile) && /maxage \d+/.test(edgeLogrotate),
            `edge access log: client IPs masked (IPv4 /24, IPv6 /32), no headers or query strings; deleted after ${/maxage (\d+)/.exec(edgeLogrotate)?.[1] ?? "?"} days (/etc/logrotate.d/mautic-kit-edge)`,
        ],
    ];
    const c12Evidence = checks.map(([ok, text]) => `${ok ? "" : "MISSING: "}${text}`);
    c12Evidence.push(`Hetzner Cloud Firewall: SSH only from ${s.adminCidrs.join(", ")}; database never published; containers with reduced capabilities`);
    c12Evidence.push(s.backups ? "Hetzner server backups on (7 daily slots)" : "Hetzner server backups OFF");
    c12Evidence.push(
        `nightly database + media dumps kept ${s.backupRetentionDays} days on the protected volume; audit-log IPs anonymised before each dump, Mautic's message queue dumped as structure only`,
    );
    // Hetzner's server backups do not include volumes, and the nightly dumps live on the volume
    // itself: without an off-site copy, losing the volume loses the data and every backup of it.
    const offsite = offsiteTarget(s);
    c12Evidence.push(
        offsite.kind !== "none"
            ? `off-site copy of every nightly set, same retention, restorable with mautic-restore --from-offsite: ${describeOffsite(offsite)}`
            : "NO off-site backup: Hetzner's server backups exclude the volume, which holds both the data and the nightly dumps",
    );
    const c12Warnings = input.warnings.filter((w) => /adminCidrs|adminUiCidrs|backups|deletionProtection|offsiteBackup/.test(w));
    if (s.adminUiCidrs.length === 0) {
        c12Evidence.push("Mautic's admin UI and /api are reachable from anywhere (login required); adminUiCidrs restricts them at the edge");
    }
    const c12Ok = checks.every(([ok]) => ok) && c12Warnings.length === 0 && offsite.kind !== "none";
    add("C12", c12Ok ? "enforced" : "warning", c12Evidence, [
        ...(offsite.kind !== "none"
            ? []
            : ["Turn the off-site copy back on: `pulumi config rm offsiteBackup` (a Hetzner Storage Box in the other German location, ordered by the stack)."]),
        ...((offsite.kind === "storagebox" || offsite.kind === "subaccount") && offsite.hostKey === undefined
            ? [
                  "Compare the Storage Box host key fingerprint (stack output storageBoxHostKeyFingerprint, pinned on first use) with the fingerprints Hetzner publishes, then pin it in the config: `pulumi config set storageBoxHostKey '<key>'`.",
              ]
            : []),
        ...c12Warnings,
        ...(s.adminUiCidrs.length === 0 ? ["Recommended: set adminUiCidrs to the agency's networks (and the deploy runner's)."] : []),
    ]);

    // C13: headers, read back from the Caddyfile.
    const headerChecks: Array<[RegExp, string]> = [
        [/Content-Security-Policy/, "Content-Security-Policy per path class"],
        [/frame-ancestors 'none'|X-Frame-Options "DENY"/, "frame protection (frame-ancestors / X-Frame-Options)"],
        [/X-Content-Type-Options "nosniff"/, "X-Content-Type-Options nosniff"],
        [/Referrer-Policy/, "Referrer-Policy"],
        [/Permissions-Policy/, "Permissions-Policy"],
        [/-Server/, "no Server header"],
    ];
    const missing = headerChecks.filter(([re]) => !re.test(input.caddyfile));
    add("C13", missing.length === 0 ? "enforced" : "warning", [
        ...headerChecks.map(([re, text]) => `${re.test(input.caddyfile) ? "" : "MISSING: "}Caddyfile: ${text}`),
        "relaxation documented: the admin UI needs 'unsafe-inline' (Mautic's per-request inline scripts); tested: Observatory A+ on edge responses, >= 80 on /s/login",
        publicClassRelaxation(input.caddyfile),
        adminGravatarEvidence(input.caddyfile),
    ]);
}
