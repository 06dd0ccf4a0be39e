/**
 * The compliance report (C01..C15 of docs/facts/checklist.md), computed from the stack's
 * settings and from the files the stack actually renders (user data files, Caddyfile, crontab,
 * pinned Mautic settings), never written by hand: change the config and the report changes.
 */
import { adminAllowsGravatar, adminGravatarEvidence, edgeTrackingConsentEvidence, readEdgeTrackingConsent } from "./complianceEdge";
import { SiteSettings } from "../config/config";
import { germanLocations } from "../config/defaults";
import { HostFile } from "../host/cloudInit";
import { DoiFormTexts, addDoiItems } from "./complianceDoi";
import { ComplianceMeasure, complianceDocumentFiles } from "./documents";
import { describeOffsite, offsiteTarget } from "../config/offsiteDns";

export type ComplianceStatus = "enforced" | "prepared" | "manual" | "warning";

export interface ComplianceItem {
    id: string;
    title: string;
    status: ComplianceStatus;
    /** What enforces or prepares it: resource, setting, file, test. */
    evidence: string[];
    /** What a person still has to do (for prepared/manual/warning). */
    actions: string[];
}

export interface ComplianceReport {
    site: { domain: string; website: string; location: string };
    generatedBy: string;
    summary: Record<ComplianceStatus, number>;
    items: ComplianceItem[];
    /** Placeholders only the client can fill in the generated documents. */
    placeholders: Array<{ marker: string; description: string }>;
    disclaimer: string;
}

export interface ComplianceInput {
    settings: SiteSettings;
    warnings: string[];
    /** Files cloud-init writes on the host. */
    hostFiles: HostFile[];
    caddyfile: string;
    crontab: string;
    /** The pinned Mautic parameters (secrets may be redacted; only flags are read). */
    mauticParameters: Record<string, unknown>;
    /** Whether the double opt-in endpoint and its setup resource are part of the stack. */
    doiSetup: boolean;
    /** The consent label and notice the DOI form shows (C05). Default: rendered from the settings. */
    doiFormTexts?: DoiFormTexts;
    /** Relative paths of the generated documents (C01-C03). */
    documents: string[];
    /** Whether a consent snippet was generated (C08). */
    consentSnippet: boolean;
    placeholders: Array<{ marker: string; description: string }>;
}

/** Where the generated documents (components/compliance/documents.ts) are written, both languages. */
export const documentPaths: string[] = complianceDocumentFiles.flatMap((d) => [d.path.en, d.path.de]);

export type DeployedMeasure = ComplianceMeasure;

/**
 * The technical and organisational measures this stack deploys (Art. 30(1)(g), Art. 32), for the
 * generated record of processing activities. Derived from the settings, not a fixed list.
 */
export function deployedMeasures(s: SiteSettings): DeployedMeasure[] {
    const m: DeployedMeasure[] = [
        { id: "location", en: `Hosting on a dedicated Hetzner Cloud server in ${germanLocations[s.location]} (${s.location}); database, media and backups on a volume in the same location`, de: `Hosting auf einem eigenen Hetzner-Cloud-Server in ${germanLocations[s.location].replace("Germany", "Deutschland").replace("Nuremberg", "Nürnberg")} (${s.location}); Datenbank, Medien und Sicherungen auf einem Volume am selben Standort` },
        { id: "isolation", en: "One Mautic per website: own server, firewall, database, networks and secrets; no other client's data", de: "Eine Mautic-Instanz pro Website: eigener Server, eigene Firewall, Datenbank, Netzwerke und Geheimnisse; keine Daten anderer Mandanten" },
        { id: "tls", en: "HTTPS only: TLS 1.2/1.3, automatic certificates, HTTP redirected, HSTS for 2 years, secure and HttpOnly session cookies", de: "Ausschließlich HTTPS: TLS 1.2/1.3, automatische Zertifikate, Umleitung von HTTP, HSTS für 2 Jahre, Session-Cookies mit Secure und HttpOnly" },
        { id: "headers", en: "HTTP security headers per path class (CSP, frame protection, nosniff, Referrer-Policy, Permissions-Policy)", de: "HTTP-Sicherheitsheader je Pfadklasse (CSP, Framing-Schutz, nosniff, Referrer-Policy, Permissions-Policy)" },
        { id: "ip-anonymisation", en: "IP addresses stored anonymised in Mautic; no identification of visitors by IP; no device fingerprinting", de: "IP-Adressen in Mautic nur anonymisiert gespeichert; keine Identifizierung über IP; kein Device-Fingerprinting" },
        { id: "access-logs", en: `Edge access logs with masked client IPs (IPv4 /24, IPv6 /32), without cookies or authorization headers, kept ${s.accessLogRetentionDays} days`, de: `Zugriffsprotokolle mit gekürzten IP-Adressen (IPv4 /24, IPv6 /32), ohne Cookies und Authorization-Header, ${s.accessLogRetentionDays} Tage aufbewahrt` },
        { id: "access-control", en: `SSH only with keys and only from ${s.adminCidrs.join(", ")} (Hetzner Cloud Firewall); fail2ban; database never reachable from outside${s.adminUiCidrs.length ? `; Mautic admin UI and API only from ${s.adminUiCidrs.join(", ")}` : ""}`, de: `SSH nur mit Schlüssel und nur aus ${s.adminCidrs.join(", ")} (Hetzner Cloud Firewall); fail2ban; Datenbank nie von außen erreichbar${s.adminUiCidrs.length ? `; Mautic-Administration und API nur aus ${s.adminUiCidrs.join(", ")}` : ""}` },
        { id: "updates", en: "Daily unattended security updates of the operating system and Docker with an automatic reboot window; pinned, tested application versions", de: "Tägliche automatische Sicherheitsupdates für Betriebssystem und Docker mit automatischem Neustartfenster; fest versionierte Anwendungen" },
        { id: "logs", en: "Log rotation for containers, the system journal and the kit's own logs", de: "Log-Rotation für Container, System-Journal und die Protokolle des Kits" },
        { id: "retention", en: `Automatic deletion: anonymous tracking data after ${s.cleanupDaysOld} days, unconfirmed contacts after ${s.unconfirmedContactDays} days, contacts inactive for ${s.gdprPurgeDays} days`, de: `Automatische Löschung: anonyme Tracking-Daten nach ${s.cleanupDaysOld} Tagen, unbestätigte Kontakte nach ${s.unconfirmedContactDays} Tagen, seit ${s.gdprPurgeDays} Tagen inaktive Kontakte` },
        { id: "backups", en: `Nightly verified database and media backups kept ${s.backupRetentionDays} days${offsiteTarget(s).kind !== "none" ? ", copied off-site (restic over SFTP, encrypted)" : ""}${s.backups ? "; Hetzner server backups (7 daily)" : ""}; restore procedure documented and tested`, de: `Nächtliche geprüfte Sicherung von Datenbank und Medien, ${s.backupRetentionDays} Tage aufbewahrt${offsiteTarget(s).kind !== "none" ? ", extern kopiert (restic über SFTP, verschlüsselt)" : ""}${s.backups ? "; Hetzner-Server-Backups (7 tägliche)" : ""}; Wiederherstellung dokumentiert und getestet` },
        { id: "consent", en: `Tracking only after opt-in (consent snippet); double opt-in confirmed only by a button POST with a per-sign-up HMAC token; consent-proof ledger (keyed hash of the address, UTC times, archived texts) kept restricted for ${s.consentProofYears} full years after the year of the last mailing or withdrawal`, de: `Tracking erst nach Einwilligung (Consent-Snippet); Double-Opt-In, bestätigt nur per Schaltfläche (POST) mit einem HMAC-Token je Anmeldung; Nachweisprotokoll der Einwilligungen (Hashwert der Adresse mit geheimem Schlüssel, Zeitpunkte in UTC, archivierte Texte), gesperrt aufbewahrt für ${s.consentProofYears} volle Jahre nach dem Jahr der letzten Aussendung oder des Widerrufs` },
    ];
    return m;
}

const titles: Record<string, string> = {
    C01: "Mautic in the website's privacy policy",
    C02: "Record of processing activities (Art. 30)",
    C03: "Data processing agreement with the hoster (Art. 28)",
    C04: "Double opt-in",
    C05: "Forms state the processing; consent checkbox never pre-ticked",
    C06: "Unconfirmed contacts deleted automatically",
    C07: "Maintenance cleanup of anonymous tracking data",
    C08: "Tracking script only after opt-in",
    C09: "IP anonymisation; no fingerprinting",
    C10: "Google Analytics IP anonymisation",
    C11: "HTTPS only",
    C12: "Server security: updates, log rotation, access protection",
    C13: "HTTP security headers",
    C14: "External landing pages checked",
    C15: "1 website = 1 Mautic",
};

export const disclaimer =
    "Not legal advice. This report shows what the kit configures; the concrete measures depend on the data collected and the risks for the data subjects and must be reviewed case by case with experts.";

const hostFile = (files: HostFile[], p: string) => files.find((f) => f.path === p)?.content ?? "";

/** Crontab jobs as schedule + command. */
function cronLines(crontab: string) {
    return crontab
        .split("\n")
        .filter((l) => l.trim() && !l.startsWith("#") && !/^[A-Z_]+=/.test(l))
        .map((l) => {
            const f = l.trim().split(/\s+/);
            return { schedule: f.slice(0, 5).join(" "), command: f.slice(5).join(" ") };
        });
}

const isDaily = (schedule: string) => /^\d+ \d+ \* \* \*$/.test(schedule);

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

export function buildComplianceReport(input: ComplianceInput): ComplianceReport {
    const s = input.settings;
    const p = input.mauticParameters;
    const items: ComplianceItem[] = [];
    const add = (id: string, status: ComplianceStatus, evidence: string[], actions: string[] = []) =>
        items.push({ id, title: titles[id], status, evidence, actions });
    const docs = (prefix: string) => input.documents.filter((d) => d.includes(prefix));

    // C01-C03: documents a person publishes or signs.
    add("C01", "prepared", [`generated: ${docs("privacy").concat(docs("datenschutz")).join(", ")}`], [
        "Fill the marked placeholders and publish the section in the website's privacy policy.",
    ]);
    add("C02", "prepared", [`generated: ${docs("art30").concat(docs("verarbeitungsverzeichnis")).join(", ")} (measures derived from this stack)`], [
        "Add the entry to the controller's record of processing activities; fill the placeholders.",
    ]);
    const gravatarAllowed = adminAllowsGravatar(input.caddyfile);
    add("C03", "manual", [`checklist: ${docs("dpa").concat(docs("avv")).join(", ")}`, adminGravatarEvidence(input.caddyfile)], [
        "Conclude the DPA (AVV) with Hetzner in Hetzner's account portal (see the DPA checklist) and with the mail provider; file them with the Art. 30 record.",
        ...(gravatarAllowed ? ["Gravatar is on: check the basis of the transfer to Automattic (USA) as the DPA checklist, section 3, says and fill [[GRAVATAR_TRANSFER_BASIS]], or set gravatar to false."] : []),
    ]);

    // C04-C06: the DOI endpoint, its texts and the safety net (complianceDoi.ts).
    addDoiItems({ settings: s, mauticParameters: p, privacyScript: hostFile(input.hostFiles, "/usr/local/sbin/mautic-privacy-maintenance"), doiSetup: input.doiSetup, formTexts: input.doiFormTexts }, add);

    // C07: the cleanup cron, read back from the crontab.
    const cleanup = cronLines(input.crontab).find((l) => l.command.includes("mautic:maintenance:cleanup") && l.command.includes("--days-old="));
    const cleanupOk = cleanup && cleanup.command.includes("--no-interaction") && isDaily(cleanup.schedule);
    const days = cleanup ? /--days-old=(\d+)/.exec(cleanup.command)?.[1] : undefined;
    add("C07", cleanupOk ? "enforced" : "warning", cleanup ? [`crontab (mautic_cron): "${cleanup.schedule} ... mautic:maintenance:cleanup --days-old=${days} --no-interaction"`, `GDPR purge: mautic:maintenance:cleanup --gdpr, threshold ${p.gdpr_user_purge_threshold} days`] : ["crontab has no cleanup job"], cleanupOk ? [] : ["Add the daily cleanup with --no-interaction."]);

    // C08: the website must load mtc.js only after opt-in.
    // The edge's guarantee on Mautic's own pages, read back from the Caddyfile.
    const edgeGate = readEdgeTrackingConsent(input.caddyfile) !== undefined;
    add("C08", input.consentSnippet ? "prepared" : "manual", [
        ...(input.consentSnippet ? ["generated: tracking/consent-snippet.html (banner) and tracking/consent-snippet-cmp.html (consent-manager variant); tested in headless Chromium: no request to Mautic before opt-in"] : []),
        edgeTrackingConsentEvidence(input.caddyfile),
        ...(input.consentSnippet ? ["device fingerprinting does not exist in Mautic >= 3.0 (mautic#8428); the kit refuses versions older than 5.2"] : []),
    ], [
        "Embed one snippet on the website instead of Mautic's default tracking code; run `npm run audit -- <website>` to verify.",
        ...(edgeGate ? [] : ["Deploy the kit's Caddyfile (components/edge/caddyfile.ts): it gates Mautic's tracking cookies on the consent cookie."]),
    ]);

    // C09, C10: pinned settings.
    // Mautic writes raw IPs into audit_log even with anonymize_ip: the hourly job overwrites them.
    const privacyJob = hostFile(input.hostFiles, "/usr/local/sbin/mautic-privacy-maintenance");
    const auditIps = /UPDATE audit_log SET ip_address = '\*\.\*\.\*\.\*'/.test(privacyJob);
    const c09 = p.anonymize_ip === true && p.track_contact_by_ip === false && auditIps;
    add(
        "C09",
        c09 ? "enforced" : "warning",
        [
            `config/parameters_local.php: anonymize_ip=${p.anonymize_ip}, track_contact_by_ip=${p.track_contact_by_ip}, track_by_fingerprint=${p.track_by_fingerprint} (the UI cannot override this file)`,
            auditIps ? "mautic-privacy-maintenance (every 30 minutes, and before every backup dump): IPs in Mautic's audit_log anonymised within one hour" : "MISSING: anonymisation of the IPs Mautic writes into audit_log",
            "web container: no Apache access log (only the edge logs, masked)",
            "fingerprinting removed from Mautic in 3.0 (mautic#8428)",
        ],
        auditIps ? [] : ["Install the privacy-maintenance job (HostFiles)."],
    );
    // C10: Mautic can inject Google Analytics and the Meta pixel into its tracking script and
    // landing pages; the kit pins both off, so the question of GA's IP anonymisation never arises
    // for Mautic (it is pinned on as well).
    const thirdPartyOff: Array<[string, unknown]> = [
        ["google_analytics", ""], ["google_analytics_id", ""], ["google_analytics_trackingpage_enabled", false], ["google_analytics_landingpage_enabled", false],
        ["facebook_pixel_id", ""], ["facebook_pixel_trackingpage_enabled", false], ["facebook_pixel_landingpage_enabled", false], ["track_by_tracking_url", false],
    ];
    const notOff = thirdPartyOff.filter(([k, v]) => p[k] !== v).map(([k]) => k);
    const c10Ok = notOff.length === 0 && p.google_analytics_anonymize_ip === true;
    add(
        "C10",
        c10Ok ? "enforced" : "warning",
        [
            notOff.length === 0
                ? "config/parameters_local.php: Mautic embeds no Google Analytics and no Meta (Facebook) pixel: ids and raw code empty, tracking-page and landing-page flags off, track_by_tracking_url off (the UI cannot switch them on)"
                : `config/parameters_local.php does NOT pin off: ${notOff.join(", ")}`,
            `google_analytics_anonymize_ip=${p.google_analytics_anonymize_ip}; cookies only on Mautic's own host (cookie_domain='${String(p.cookie_domain ?? "")}', cookie_path='${String(p.cookie_path ?? "")}')`,
            "not covered: Google Analytics that the website embeds itself (outside Mautic): check it with C08/C14",
        ],
        c10Ok ? [] : ["Pin the third-party tracking settings off in parameters_local.php (components/app/mautic.ts)."],
    );

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
        [/^PasswordAuthentication no$/m.test(sshd) && /^AuthenticationMethods publickey$/m.test(sshd), "sshd: keys only (PasswordAuthentication no, AuthenticationMethods publickey, MaxAuthTries 2)"],
        [/Unattended-Upgrade "1"/.test(auto) && /Automatic-Reboot "true"/.test(uu), `unattended security upgrades daily, incl. Docker's repository; automatic reboot at ${/Automatic-Reboot-Time "([^"]+)"/.exec(uu)?.[1]}`],
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
    c12Evidence.push(`nightly database + media dumps kept ${s.backupRetentionDays} days on the protected volume; audit-log IPs anonymised before each dump, Mautic's message queue dumped as structure only`);
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
        ...(offsite.kind !== "none" ? [] : ["Turn the off-site copy back on: `pulumi config rm offsiteBackup` (a Hetzner Storage Box in the other German location, ordered by the stack)."]),
        ...((offsite.kind === "storagebox" || offsite.kind === "subaccount") && offsite.hostKey === undefined
            ? ["Compare the Storage Box host key fingerprint (stack output storageBoxHostKeyFingerprint, pinned on first use) with the fingerprints Hetzner publishes, then pin it in the config: `pulumi config set storageBoxHostKey '<key>'`."]
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

    add("C14", "manual", ["`npm run audit -- <url> [--mautic-host HOST]` checks HTTPS, certificate, HSTS, header grade, third parties, cookies and storage before consent"], [
        `Run the auditor against ${s.website} and every external landing page that uses Mautic; fix every failure.`,
    ]);

    add("C15", "enforced", [
        `one stack = one MauticSite for ${s.website}, on its own server, firewall, volume, database, Docker networks and secrets`,
        "before creating anything, the program asks Hetzner for servers labelled with this website's or Mautic's host name and refuses when one belongs to another stack (checked in the Hetzner project of the stack's token; host names are compared exactly, so keep all client stacks in one project)",
        `Mautic accepts only ${s.domain} (trusted_hosts) and CORS only from ${s.website}`,
    ]);

    const summary = { enforced: 0, prepared: 0, manual: 0, warning: 0 } as Record<ComplianceStatus, number>;
    for (const i of items) summary[i.status]++;
    return {
        site: { domain: s.domain, website: s.website, location: `${s.location} (${germanLocations[s.location]})` },
        generatedBy: "mautic-gdpr-kit",
        summary,
        items,
        placeholders: input.placeholders,
        disclaimer,
    };
}

const icon: Record<ComplianceStatus, string> = { enforced: "ENFORCED", prepared: "PREPARED", manual: "MANUAL", warning: "WARNING" };

export function renderComplianceMarkdown(r: ComplianceReport): string {
    const lines = [
        `# GDPR compliance report: ${r.site.domain}`,
        "",
        `Website: ${r.site.website} · Location: ${r.site.location}`,
        "",
        `> ${r.disclaimer}`,
        "",
        `Summary: ${r.summary.enforced} enforced, ${r.summary.prepared} prepared, ${r.summary.manual} manual, ${r.summary.warning} warning.`,
        "",
        "| ID | Item | Status | Evidence | To do |",
        "|----|------|--------|----------|-------|",
        ...r.items.map((i) => `| ${i.id} | ${i.title} | ${icon[i.status]} | ${i.evidence.join("<br>").replace(/\|/g, "\\|")} | ${i.actions.join("<br>").replace(/\|/g, "\\|") || "-"} |`),
    ];
    if (r.placeholders.length > 0) {
        lines.push("", "## Placeholders to fill in the generated documents", "");
        for (const p of r.placeholders) lines.push(`- \`${p.marker}\`: ${p.description}`);
    }
    return `${lines.join("\n")}\n`;
}

/** One screen: a line per item. */
export function renderComplianceScreen(r: ComplianceReport): string {
    const lines = [`Compliance (${r.site.domain}): ${r.summary.enforced} enforced, ${r.summary.prepared} prepared, ${r.summary.manual} manual, ${r.summary.warning} warning`];
    for (const i of r.items) {
        lines.push(`  ${i.id} ${icon[i.status].padEnd(8)} ${i.title}${i.status === "warning" && i.actions[0] ? ` -- ${i.actions[0]}` : ""}`);
    }
    lines.push(`  ${r.disclaimer}`);
    return lines.join("\n");
}
