/**
 * The generated privacy texts (checklist items C01, C02, C03), in English and German:
 *
 * - `docs/{en,de}/...privacy...`: the section on Mautic for the website's privacy policy (C01):
 *   what is recorded, cookies and storage, legal bases, recipients, retention, rights;
 * - `docs/{en,de}/...art30...`: the entry for the record of processing activities (C02), with the
 *   technical and organisational measures the stack deploys (`DocumentInput.measures`);
 * - `docs/{en,de}/...dpa...`: the data processing agreement step (C03) as a checklist.
 *
 * Pure: same input, same text. Every number, name and host comes from the input or from the
 * modules that render what the stack deploys (crontab, pinned Mautic parameters, edge log
 * masking and consent-withdrawal route, consent snippet, DOI blueprint, Docker log rotation,
 * Apache vhost, journald settings, backup timer, privacy maintenance job); where the text
 * describes a pinned setting, a drift guard throws if the stack no longer pins it, so the texts
 * cannot silently describe something the stack stopped doing. The prose lives in
 * `templates/documents/<language>/` (three documents and `parts.md`, filled strictly); the client
 * replaces the `[[...]]` markers listed in `documentPlaceholders`. No secret is ever read: the
 * mailer DSN is not part of the input, only the host parsed from it (`mailerHostFromDsn`).
 * docs/guide/documents.md describes the documents for the README.
 *
 * Split by concern: documentFacts.ts (markers, processors, device storage), documentInput.ts
 * (input and validation), documentStack.ts (the stack facts and drift guards), documentWords.ts
 * (words, parts, the strict filler); this file maps the facts to the values of the templates.
 */
import { SiteSettings } from "../config/config";
import { dockerLogOpts, germanLocations } from "../config/defaults";
import { consentCookieName, consentForgetPath, consentGrantPath, edgeDefaults, mauticHostCookieNames } from "../edge/caddyfile";
import { doiConfirmButtonLabel, doiFields, doiNames, doiTags } from "../doi/doiBlueprint";
import { orphanGraceMinutes } from "../host/privacyMaintenance";
import { securityPaths } from "../host/securityAlerts";
import { consentStorageKey, defaultBannerTexts } from "../edge/tracking";
import { complianceDocumentFiles, germanLocationNamesDe, gravatar, hetznerDpa, hetznerServerBackupSlots, mauticDeviceStorage } from "./documentFacts";
import { DocumentInput, Resolved, storageBoxDomain, validate } from "./documentInput";
import { StackFacts, stackFacts } from "./documentStack";
import { Filler, Lang, describeCron, dockerSize, langs, readParts, words } from "./documentWords";

export * from "./documentFacts";
export type { DocumentInput } from "./documentInput";
export { DocumentInputError, mailerHostFromDsn } from "./documentInput";

/** One generated document; `path` is relative to the plan's stack folder. */
export interface RenderedDocument {
    path: string;
    content: string;
}

function languageValues(r: Resolved, lang: Lang, facts: StackFacts, parts: Map<string, string>): Filler {
    const s = r.s;
    const w = words[lang];
    const tz = s.timezone;
    const v: Record<string, string | number> = {
        generatedDate: r.dates.generated,
        reviewDate: r.dates.review,
        domain: s.domain,
        website: s.website,
        websiteHost: s.websiteHost,
        location: s.location,
        locationName: lang === "en" ? germanLocations[s.location] : germanLocationNamesDe[s.location],
        mauticVersion: s.mauticVersion,
        serverType: s.serverType,
        cleanupDaysOld: s.cleanupDaysOld,
        cleanupDays: w.days(s.cleanupDaysOld),
        remainsBound: w.withinHours(orphanGraceMinutes + facts.maintenanceSchedule.boundMinutes),
        unsubscribedDays: w.days(s.unsubscribedMinimiseDays),
        // The endpoint has Mautic queue the confirmation e-mail at once; the worker sends it.
        confirmationDelay: w.aboutWithin(undefined),
        consentProofYears: w.fullYears(s.consentProofYears),
        cleanupSchedule: describeCron(facts.cleanup.schedule, lang, tz),
        unconfirmedDays: w.days(s.unconfirmedContactDays),
        gdprPurgeDays: w.daysWithYears(s.gdprPurgeDays),
        gdprPurgeDaysNumber: s.gdprPurgeDays,
        gdprSchedule: describeCron(facts.purge.schedule, lang, tz),
        accessLogDays: w.days(s.accessLogRetentionDays),
        staffLogDays: w.days(s.staffAccessLogDays),
        staffLogPath: securityPaths.staffLog,
        securitySchedule: w.everyMinutes(facts.securityEveryMinutes),
        ipv4MaskBits: edgeDefaults.ipv4MaskBits,
        ipv6MaskBits: edgeDefaults.ipv6MaskBits,
        backupDays: w.days(s.backupRetentionDays),
        backupTime: facts.backupStart ? w.nightlyFrom(facts.backupStart, tz) : w.cronRaw("mautic-backup.timer"),
        containerLogLimit: w.logLimit(dockerLogOpts["max-file"], dockerSize(dockerLogOpts["max-size"])),
        cronContainer: "mautic_cron",
        hetznerProcessor: hetznerDpa.processor[lang],
        hetznerAccountsUrl: hetznerDpa.accountsUrl,
        hetznerDpaUrl: hetznerDpa.dpaUrl,
        hetznerFaqUrl: hetznerDpa.faqUrl[lang],
        consentDateField: doiFields.consentDate,
        consentVersionField: doiFields.consentTextVersion,
        tagPending: doiTags.pending,
        tagConfirmed: doiTags.confirmed,
        trackingConsentField: doiFields.trackingConsent,
        // Only the POST of this button confirms (docs/guide/doi.md).
        confirmButton: doiConfirmButtonLabel(lang),
        identifierNames: [...new Set(mauticDeviceStorage.flatMap((e) => e.names))].map((n) => `\`${n}\``).join(", "),
        privacyPolicyUrl: r.privacyPolicyUrl,
        auditLogBound: w.within(facts.maintenanceSchedule.boundMinutes),
        maintenanceSchedule: facts.maintenanceSchedule.periodMinutes === 60 ? w.hourly : w.everyMinutes(facts.maintenanceSchedule.periodMinutes),
        maintenanceTimer: facts.maintenanceTimer,
        failedMessageDays: w.days(facts.failedMessageDays),
        forgetPath: consentForgetPath,
        grantPath: consentGrantPath,
        consentCookieName,
        consentCookieAge: w.duration(r.consentMaxAgeDays * 86_400),
        forgetCookieNames: mauticHostCookieNames.map((n) => `\`${n}\``).join(", "),
    };
    // Gravatar (the `gravatar` setting): described only where the admin UI may load it.
    const gravatarOn = (s as Partial<SiteSettings>).gravatar === true;
    if (gravatarOn) {
        v.gravatarHost = gravatar.host;
        v.gravatarRecipient = gravatar.recipient[lang];
        v.dpfListUrl = gravatar.dpfListUrl;
    }
    // Values only some variants use (the strict check wants every value used).
    if (s.backups) v.hetznerBackupSlots = hetznerServerBackupSlots;
    if (r.consent === "banner") {
        v.consentStorageKey = consentStorageKey;
        v.consentMaxAge = w.duration(r.consentMaxAgeDays * 86_400);
        v.settingsLabel = defaultBannerTexts[lang].settings;
    }
    if (r.doubleOptIn) {
        v.segmentConfirmed = doiNames.segmentConfirmed.alias;
    }
    if (r.mailerHost) v.mailerHost = r.mailerHost;
    if (r.offsiteHost) v.offsiteHost = r.offsiteHost;

    const f = new Filler(lang, parts, v, { gravatar: gravatarOn });
    const p = (name: string) => f.part(name);

    // Device storage table, from the structured list.
    v.storageRows = mauticDeviceStorage
        .map((e) => {
            const host = e.origin === "mautic" ? s.domain : s.websiteHost;
            const where = f.part(e.kind === "cookie" ? "where-cookie" : "where-local-storage", { host });
            const lifetime =
                typeof e.lifetime === "number" ? w.duration(e.lifetime) : p(e.lifetime === "session" ? "lifetime-session" : "lifetime-until-deleted");
            return f.part("storage-row", { names: e.names.map((n) => `\`${n}\``).join(", "), where, purpose: e.purpose[lang], lifetime });
        })
        .join("\n");

    const c = r.consent;
    v.consentRow = p(`consent-row-${c}`);
    v.withdrawHow = p(`withdraw-how-${c}`);
    v.withdrawChannels = p(`withdraw-channels-${c}`);
    v.consentRetentionRow = p(`consent-retention-${c}`);

    v.doiPublishItem = `\n${p(r.doubleOptIn ? "doi-clicks-item" : "doi-publish-no-doi")}`;
    v.unconfirmedRetention = p("unconfirmed-retention");
    v.unconfirmedHow = p(r.doubleOptIn ? "unconfirmed-how-doi" : "unconfirmed-how-no-doi");
    v.unconfirmedEnforcement = p(r.doubleOptIn ? "unconfirmed-enforcement-doi" : "unconfirmed-enforcement-no-doi");

    v.hetznerServices = p(s.backups ? "hetzner-services-on" : "hetzner-services-off");
    v.backupsParagraph = [
        p("backups-paragraph"),
        ...(s.backups ? [p("backups-paragraph-hetzner")] : []),
        ...(r.offsiteHost ? [p("backups-paragraph-offsite")] : []),
    ].join(" ");

    const mailerState = r.mailerHost ? undefined : p(s.mailerConfigured ? "mailer-state-unknown-host" : "mailer-state-none");
    if (mailerState !== undefined) v.mailerState = mailerState;
    const known = r.mailerHost ? "known" : "unknown";
    v.mailRecipient = p(`mail-recipient-${known}`);
    v.mailTransfer = p("mail-transfer");
    v.mailSection = p(`mail-section-${known}`);

    const offsiteKind = r.offsiteHost === storageBoxDomain || r.offsiteHost?.endsWith(`.${storageBoxDomain}`) ? "hetzner" : "other";
    if (r.offsiteHost) v.offsiteDpa = p(`offsite-dpa-${offsiteKind}`);
    v.offsiteRecipient = r.offsiteHost ? `\n- ${p("offsite-recipient")}` : "";
    v.offsiteSection = r.offsiteHost ? `\n${p(`offsite-section-${offsiteKind}`)}` : "";
    v.moreRecipientRows = [p(`mail-row-${known}`), ...(r.offsiteHost ? [p("offsite-row")] : [])].join("\n");
    v.moreBackupRows = [p(s.backups ? "hetzner-backup-row-on" : "hetzner-backup-row-off"), ...(r.offsiteHost ? [p("offsite-retention-row")] : [])].join("\n");

    v.measures = r.measures.map((m) => `- ${m[lang]} (\`${m.id}\`)`).join("\n");
    v.notice = p("notice");
    return f;
}

/**
 * Renders the six documents (privacy policy section, Art. 30 record entry, DPA checklist; each
 * in English and German) from the stack's settings. Throws `DocumentInputError` on bad input and
 * a plain Error when a template or the stack drifted from the texts.
 */
export function renderComplianceDocuments(input: DocumentInput): RenderedDocument[] {
    const r = validate(input);
    const facts = stackFacts(r.s);
    const out: Record<Lang, Record<string, string>> = { en: {}, de: {} };
    for (const lang of langs) {
        const f = languageValues(r, lang, facts, readParts(lang));
        for (const doc of complianceDocumentFiles) out[lang][doc.kind] = f.file(doc.template);
        f.assertAllUsed();
    }
    const docs: RenderedDocument[] = [];
    for (const doc of complianceDocumentFiles) {
        for (const lang of langs) {
            const content = fillSettingsMarkers(out[lang][doc.kind], r.s)
                .replace(/\n{3,}/g, "\n\n")
                .replace(/\n*$/, "\n");
            docs.push({ path: doc.path[lang], content });
        }
    }
    return docs;
}

/**
 * The markers the stack's settings answer: `[[CONTROLLER_NAME]]` becomes `controllerName` when it
 * is set (the same name the consent label shows). Markdown punctuation in the name is escaped so
 * a `|` cannot split a table cell (the field's schema already refuses brackets, braces, quotes and
 * backslashes); `placeholdersFor` then no longer lists the marker as a to-do.
 */
export function fillSettingsMarkers(text: string, s: Pick<SiteSettings, "controllerName">): string {
    if (!s.controllerName) return text;
    const name = s.controllerName.replace(/[|*_~`#]/g, (c) => `\\${c}`);
    return text.split("[[CONTROLLER_NAME]]").join(name);
}
