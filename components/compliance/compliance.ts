/**
 * The compliance report (C01..C15 of docs/facts/checklist.md), computed from the stack's
 * settings and from the files the stack actually renders (user data files, Caddyfile, crontab,
 * pinned Mautic settings), never written by hand: change the config and the report changes.
 */
import { adminAllowsGravatar, adminGravatarEvidence, edgeNoConsentVisitEvidence, edgeTrackingConsentEvidence, readEdgeTrackingConsent } from "./complianceEdge";
import { SiteSettings } from "../config/config";
import { germanLocations } from "../config/defaults";
import { HostFile } from "../host/cloudInit";
import { DoiFormTexts, addDoiItems } from "./complianceDoi";
import { complianceDocumentFiles } from "./documents";
import { addServerItems, hostFile } from "./complianceServer";

// Split by concern (issue 17); re-exported so that importers keep this one path.
export { deployedMeasures } from "./complianceMeasures";
export type { DeployedMeasure } from "./complianceMeasures";
export { publicClassRelaxation } from "./complianceServer";
export { renderComplianceMarkdown, renderComplianceScreen } from "./complianceRender";

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

export function buildComplianceReport(input: ComplianceInput): ComplianceReport {
    const s = input.settings;
    const p = input.mauticParameters;
    const items: ComplianceItem[] = [];
    const add = (id: string, status: ComplianceStatus, evidence: string[], actions: string[] = []) =>
        items.push({ id, title: titles[id], status, evidence, actions });
    const docs = (prefix: string) => input.documents.filter((d) => d.includes(prefix));

    // C01-C03: documents a person publishes or signs.
    add(
        "C01",
        "prepared",
        [`generated: ${docs("privacy").concat(docs("datenschutz")).join(", ")}`],
        ["Fill the marked placeholders and publish the section in the website's privacy policy."],
    );
    add(
        "C02",
        "prepared",
        [`generated: ${docs("art30").concat(docs("verarbeitungsverzeichnis")).join(", ")} (measures derived from this stack)`],
        ["Add the entry to the controller's record of processing activities; fill the placeholders."],
    );
    const gravatarAllowed = adminAllowsGravatar(input.caddyfile);
    add(
        "C03",
        "manual",
        [`checklist: ${docs("dpa").concat(docs("avv")).join(", ")}`, adminGravatarEvidence(input.caddyfile)],
        [
            "Conclude the DPA (AVV) with Hetzner in Hetzner's account portal (see the DPA checklist) and with the mail provider; file them with the Art. 30 record.",
            ...(gravatarAllowed
                ? [
                      "Gravatar is on: check the basis of the transfer to Automattic (USA) as the DPA checklist, section 3, says and fill [[GRAVATAR_TRANSFER_BASIS]], or set gravatar to false.",
                  ]
                : []),
        ],
    );

    // C04-C06: the DOI endpoint, its texts and the safety net (complianceDoi.ts).
    addDoiItems(
        {
            settings: s,
            mauticParameters: p,
            privacyScript: hostFile(input.hostFiles, "/usr/local/sbin/mautic-privacy-maintenance"),
            doiSetup: input.doiSetup,
            formTexts: input.doiFormTexts,
        },
        add,
    );

    // C07: the cleanup cron, read back from the crontab.
    const cleanup = cronLines(input.crontab).find((l) => l.command.includes("mautic:maintenance:cleanup") && l.command.includes("--days-old="));
    const cleanupOk = cleanup && cleanup.command.includes("--no-interaction") && isDaily(cleanup.schedule);
    const days = cleanup ? /--days-old=(\d+)/.exec(cleanup.command)?.[1] : undefined;
    add(
        "C07",
        cleanupOk ? "enforced" : "warning",
        cleanup
            ? [
                  `crontab (mautic_cron): "${cleanup.schedule} ... mautic:maintenance:cleanup --days-old=${days} --no-interaction"`,
                  `GDPR purge: mautic:maintenance:cleanup --gdpr, threshold ${p.gdpr_user_purge_threshold} days`,
              ]
            : ["crontab has no cleanup job"],
        cleanupOk ? [] : ["Add the daily cleanup with --no-interaction."],
    );

    // C08: the website must load mtc.js only after opt-in.
    // The edge's guarantee on Mautic's own pages, read back from the Caddyfile.
    const edgeGate = readEdgeTrackingConsent(input.caddyfile) !== undefined;
    add(
        "C08",
        input.consentSnippet ? "prepared" : "manual",
        [
            ...(input.consentSnippet
                ? [
                      "generated: tracking/consent-snippet.html (banner) and tracking/consent-snippet-cmp.html (consent-manager variant); tested in headless Chromium: no request to Mautic before opt-in",
                  ]
                : []),
            edgeTrackingConsentEvidence(input.caddyfile),
            edgeNoConsentVisitEvidence(input.caddyfile, p.do_not_track_bots),
            ...(input.consentSnippet ? ["device fingerprinting does not exist in Mautic >= 3.0 (mautic#8428); the kit refuses versions older than 5.2"] : []),
        ],
        [
            "Embed one snippet on the website instead of Mautic's default tracking code; run `npm run audit -- <website>` to verify.",
            ...(edgeGate ? [] : ["Deploy the kit's Caddyfile (components/edge/caddyfile.ts): it gates Mautic's tracking cookies on the consent cookie."]),
        ],
    );

    // C09, C10: pinned settings.
    // Mautic writes '*.*.*.*' into audit_log while anonymize_ip is on; the job overwrites any full IP
    // left from before the pin (an imported or older database).
    const privacyJob = hostFile(input.hostFiles, "/usr/local/sbin/mautic-privacy-maintenance");
    const auditIps = /UPDATE audit_log SET ip_address = '\*\.\*\.\*\.\*'/.test(privacyJob);
    const c09 = p.anonymize_ip === true && p.track_contact_by_ip === false && auditIps;
    add(
        "C09",
        c09 ? "enforced" : "warning",
        [
            `config/parameters_local.php: anonymize_ip=${p.anonymize_ip}, track_contact_by_ip=${p.track_contact_by_ip}, track_by_fingerprint=${p.track_by_fingerprint} (the UI cannot override this file)`,
            auditIps
                ? "mautic-privacy-maintenance (every 30 minutes, and before every backup dump): any full IP in Mautic's audit_log (rows from before the pin) anonymised within one hour"
                : "MISSING: anonymisation of full IPs left in audit_log",
            "web container: no Apache access log (only the edge logs, masked)",
            "fingerprinting removed from Mautic in 3.0 (mautic#8428)",
        ],
        auditIps ? [] : ["Install the privacy-maintenance job (HostFiles)."],
    );
    // C10: Mautic can inject Google Analytics and the Meta pixel into its tracking script and
    // landing pages; the kit pins both off, so the question of GA's IP anonymisation never arises
    // for Mautic (it is pinned on as well).
    const thirdPartyOff: Array<[string, unknown]> = [
        ["google_analytics", ""],
        ["google_analytics_id", ""],
        ["google_analytics_trackingpage_enabled", false],
        ["google_analytics_landingpage_enabled", false],
        ["facebook_pixel_id", ""],
        ["facebook_pixel_trackingpage_enabled", false],
        ["facebook_pixel_landingpage_enabled", false],
        ["track_by_tracking_url", false],
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

    // C11-C13: HTTPS, server security and headers (complianceServer.ts).
    addServerItems(input, add);

    add(
        "C14",
        "manual",
        ["`npm run audit -- <url> [--mautic-host HOST]` checks HTTPS, certificate, HSTS, header grade, third parties, cookies and storage before consent"],
        [`Run the auditor against ${s.website} and every external landing page that uses Mautic; fix every failure.`],
    );

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
