/**
 * The technical and organisational measures the stack deploys (Art. 30(1)(g), Art. 32), listed in
 * the generated record of processing activities (documents.ts). Derived from the settings.
 */
import { SiteSettings } from "../config/config";
import { germanLocations } from "../config/defaults";
import { offsiteTarget } from "../config/offsiteDns";
import { securityDefaults } from "../host/securityAlerts";
import { ComplianceMeasure } from "./documents";

export type DeployedMeasure = ComplianceMeasure;

/**
 * The technical and organisational measures this stack deploys (Art. 30(1)(g), Art. 32), for the
 * generated record of processing activities. Derived from the settings, not a fixed list.
 */
export function deployedMeasures(s: SiteSettings): DeployedMeasure[] {
    const m: DeployedMeasure[] = [
        {
            id: "location",
            en: `Hosting on a dedicated Hetzner Cloud server in ${germanLocations[s.location]} (${s.location}); database, media and backups on a volume in the same location`,
            de: `Hosting auf einem eigenen Hetzner-Cloud-Server in ${germanLocations[s.location].replace("Germany", "Deutschland").replace("Nuremberg", "Nürnberg")} (${s.location}); Datenbank, Medien und Sicherungen auf einem Volume am selben Standort`,
        },
        {
            id: "isolation",
            en: "One Mautic per website: own server, firewall, database, networks and secrets; no other client's data",
            de: "Eine Mautic-Instanz pro Website: eigener Server, eigene Firewall, Datenbank, Netzwerke und Geheimnisse; keine Daten anderer Mandanten",
        },
        {
            id: "tls",
            en: "HTTPS only: TLS 1.2/1.3, automatic certificates, HTTP redirected, HSTS for 2 years, secure and HttpOnly session cookies",
            de: "Ausschließlich HTTPS: TLS 1.2/1.3, automatische Zertifikate, Umleitung von HTTP, HSTS für 2 Jahre, Session-Cookies mit Secure und HttpOnly",
        },
        {
            id: "headers",
            en: "HTTP security headers per path class (CSP, frame protection, nosniff, Referrer-Policy, Permissions-Policy)",
            de: "HTTP-Sicherheitsheader je Pfadklasse (CSP, Framing-Schutz, nosniff, Referrer-Policy, Permissions-Policy)",
        },
        {
            id: "ip-anonymisation",
            en: "IP addresses stored anonymised in Mautic; no identification of visitors by IP; no device fingerprinting",
            de: "IP-Adressen in Mautic nur anonymisiert gespeichert; keine Identifizierung über IP; kein Device-Fingerprinting",
        },
        {
            id: "access-logs",
            en: `Edge access logs with masked client IPs (IPv4 /24, IPv6 /32), without cookies or authorization headers, kept ${s.accessLogRetentionDays} days`,
            de: `Zugriffsprotokolle mit gekürzten IP-Adressen (IPv4 /24, IPv6 /32), ohne Cookies und Authorization-Header, ${s.accessLogRetentionDays} Tage aufbewahrt`,
        },
        {
            id: "access-control",
            en: `SSH only with keys and only from ${s.adminCidrs.join(", ")} (Hetzner Cloud Firewall); fail2ban; database never reachable from outside${s.adminUiCidrs.length ? `; Mautic admin UI and API only from ${s.adminUiCidrs.join(", ")}` : ""}`,
            de: `SSH nur mit Schlüssel und nur aus ${s.adminCidrs.join(", ")} (Hetzner Cloud Firewall); fail2ban; Datenbank nie von außen erreichbar${s.adminUiCidrs.length ? `; Mautic-Administration und API nur aus ${s.adminUiCidrs.join(", ")}` : ""}`,
        },
        {
            id: "breach-alerts",
            en: `Security alerts to the stack's admin e-mail address and alert URL, checked every ${securityDefaults.periodMinutes} minutes: a new administrator, an administrator's login from a new network, API use from a new network or a new API client, every contact export, ${securityDefaults.failedLoginLimit} or more failed logins; staff access log kept ${s.staffAccessLogDays} days; breach runbook and register (Art. 33, 34 GDPR)`,
            de: `Sicherheitswarnungen an die Admin-E-Mail-Adresse und die Alarm-URL des Stacks, geprüft alle ${securityDefaults.periodMinutes} Minuten: ein neuer Administrator, die Anmeldung eines Administrators aus einem neuen Netz, API-Nutzung aus einem neuen Netz oder ein neuer API-Client, jeder Export von Kontakten, ${securityDefaults.failedLoginLimit} oder mehr fehlgeschlagene Anmeldungen; Protokoll der Mitarbeiterzugriffe ${s.staffAccessLogDays} Tage aufbewahrt; Ablaufplan und Verzeichnis für Datenschutzverletzungen (Art. 33, 34 DSGVO)`,
        },
        {
            id: "updates",
            en: "Daily unattended security updates of the operating system and Docker with an automatic reboot window; pinned, tested application versions",
            de: "Tägliche automatische Sicherheitsupdates für Betriebssystem und Docker mit automatischem Neustartfenster; fest versionierte Anwendungen",
        },
        {
            id: "logs",
            en: "Log rotation for containers, the system journal and the kit's own logs",
            de: "Log-Rotation für Container, System-Journal und die Protokolle des Kits",
        },
        {
            id: "retention",
            en: `Automatic deletion: anonymous tracking data after ${s.cleanupDaysOld} days, unconfirmed contacts after ${s.unconfirmedContactDays} days, contacts inactive for ${s.gdprPurgeDays} days`,
            de: `Automatische Löschung: anonyme Tracking-Daten nach ${s.cleanupDaysOld} Tagen, unbestätigte Kontakte nach ${s.unconfirmedContactDays} Tagen, seit ${s.gdprPurgeDays} Tagen inaktive Kontakte`,
        },
        {
            id: "backups",
            en: `Nightly verified database and media backups kept ${s.backupRetentionDays} days${offsiteTarget(s).kind !== "none" ? ", copied off-site (restic over SFTP, encrypted)" : ""}${s.backups ? "; Hetzner server backups (7 daily)" : ""}; restore procedure documented and tested`,
            de: `Nächtliche geprüfte Sicherung von Datenbank und Medien, ${s.backupRetentionDays} Tage aufbewahrt${offsiteTarget(s).kind !== "none" ? ", extern kopiert (restic über SFTP, verschlüsselt)" : ""}${s.backups ? "; Hetzner-Server-Backups (7 tägliche)" : ""}; Wiederherstellung dokumentiert und getestet`,
        },
        {
            id: "consent",
            en: `Tracking only after opt-in (consent snippet); double opt-in confirmed only by a button POST with a per-sign-up HMAC token; consent-proof ledger (keyed hash of the address, UTC times, archived texts) kept restricted for ${s.consentProofYears} full years after the year of the last mailing or withdrawal`,
            de: `Tracking erst nach Einwilligung (Consent-Snippet); Double-Opt-In, bestätigt nur per Schaltfläche (POST) mit einem HMAC-Token je Anmeldung; Nachweisprotokoll der Einwilligungen (Hashwert der Adresse mit geheimem Schlüssel, Zeitpunkte in UTC, archivierte Texte), gesperrt aufbewahrt für ${s.consentProofYears} volle Jahre nach dem Jahr der letzten Aussendung oder des Widerrufs`,
        },
    ];
    return m;
}
