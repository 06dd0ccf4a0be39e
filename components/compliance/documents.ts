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
 */
import { SiteSettings } from "../config/config";
import { intRange } from "../config/schema";
import { dockerLogOpts, germanLocations } from "../config/defaults";
import { consentCookieName, consentForgetPath, consentGrantPath, edgeDefaults, mauticHostCookieNames } from "../edge/caddyfile";
import { doiConfirmButtonLabel, doiDefaults, doiFields, doiLanguages, doiNames, doiTags } from "../doi/doiBlueprint";
import { cronJobs, mauticParameters, renderApacheVhost } from "../app/mautic";
import {
    orphanGraceMinutes,
    privacyMaintenancePaths,
    renderDoiUnconfirmedSql,
    renderPrivacyMaintenanceFiles,
    renderUnsubscribedSql,
} from "../host/privacyMaintenance";
import { isFqdn } from "../shared/hostName";
import { fill, readTemplate } from "../shared/template";
import { consentStorageKey, defaultBannerTexts, defaultConsentMaxAgeDays } from "../edge/tracking";

/** One technical or organisational measure the stack actually deploys (computed by the caller). */
export interface ComplianceMeasure {
    /** Stable id, e.g. "tls". Letters, digits, '.', '_', '-'. */
    id: string;
    /** One line of English, e.g. "HTTPS only (TLS 1.2/1.3), HSTS 2 years". */
    en: string;
    /** The same in German. */
    de: string;
}

export interface DocumentInput {
    /** The validated site settings. Only the fields named in the documents are read. */
    settings: SiteSettings;
    /** The measures listed in the Art. 30 record (Art. 32 GDPR). At least one; ids unique. */
    measures: ComplianceMeasure[];
    /**
     * Host of the SMTP server from the mailer DSN (see `mailerHostFromDsn`), listed as a
     * processor. A host name or IPv4 address only: anything that looks like a DSN, a URL or
     * credentials is rejected without being echoed. Default: unknown, and the documents say that
     * the mail provider must be added.
     */
    mailerHost?: string;
    /** Generation date, ISO 8601 (`2026-05-01` or a full timestamp); its date part is printed. */
    generatedAt: string;
    /** Whether the stack creates the double opt-in flow and its deletion campaign (`DoiSetup`). Default true. */
    doubleOptIn?: boolean;
    /**
     * How the website asks for consent: the kit's own banner (`renderConsentSnippet`, choice in
     * localStorage under `consentStorageKey`) or a consent manager (`renderCmpSnippet`).
     * Default `settings.consentMechanism`, else "banner".
     */
    consentMechanism?: "banner" | "cmp";
    /** The banner's `consentMaxAgeDays`. Default `defaultConsentMaxAgeDays` (365). 1 to 395. */
    consentMaxAgeDays?: number;
    /**
     * The website's privacy policy, where the client publishes the C01 section: an https URL, or
     * a path on the website ("/datenschutz"). Default `settings.privacyPolicyUrl` (the stack
     * setting the banner and the double opt-in texts link to), else `<website>/datenschutz`.
     */
    privacyPolicyUrl?: string;
}

/** One generated document; `path` is relative to the plan's stack folder. */
export interface RenderedDocument {
    path: string;
    content: string;
}

/** A marker only the client can fill, e.g. `[[CONTROLLER_NAME]]`. */
export interface Placeholder {
    id: string;
    marker: string;
    /** What to write there (English). */
    en: string;
    /** The same in German. */
    de: string;
}

/**
 * Every marker the documents can contain (a test checks both directions); `placeholdersFor`
 * gives those of one stack. The compliance report lists them as the client's to-dos.
 */
export const documentPlaceholders: Placeholder[] = [
    {
        id: "controller-name",
        marker: "[[CONTROLLER_NAME]]",
        en: "Legal name of the controller (the company that runs the website)",
        de: "Name bzw. Firma des Verantwortlichen (des Unternehmens, das die Website betreibt)",
    },
    { id: "controller-address", marker: "[[CONTROLLER_ADDRESS]]", en: "Postal address of the controller", de: "Postanschrift des Verantwortlichen" },
    {
        id: "privacy-contact-email",
        marker: "[[PRIVACY_CONTACT_EMAIL]]",
        en: "Email address for data protection requests and withdrawals of consent",
        de: "E-Mail-Adresse für Datenschutzanfragen und den Widerruf von Einwilligungen",
    },
    {
        id: "dpo-contact",
        marker: "[[DPO_CONTACT]]",
        en: 'Contact details of the data protection officer, or "none designated" if the controller needs none',
        de: "Kontaktdaten des Datenschutzbeauftragten, oder \u201enicht benannt\u201c, wenn keiner benannt werden muss",
    },
    {
        id: "supervisory-authority",
        marker: "[[SUPERVISORY_AUTHORITY]]",
        en: "Name and address of the supervisory authority responsible for the controller (in Germany: the authority of the federal state of its seat)",
        de: "Name und Anschrift der f\u00fcr den Verantwortlichen zust\u00e4ndigen Aufsichtsbeh\u00f6rde (in Deutschland die des Bundeslandes seines Sitzes)",
    },
    {
        id: "mail-provider-name",
        marker: "[[MAIL_PROVIDER_NAME]]",
        en: "Legal name and address of the company that operates the mail server sending Mautic's emails",
        de: "Firma und Anschrift des Unternehmens, das den Mailserver f\u00fcr Mautics E-Mails betreibt",
    },
    {
        id: "hetzner-dpa-date",
        marker: "[[HETZNER_DPA_DATE]]",
        en: "Date on which the data processing agreement with Hetzner was concluded",
        de: "Datum, an dem der Auftragsverarbeitungsvertrag mit Hetzner geschlossen wurde",
    },
    {
        id: "mail-dpa-date",
        marker: "[[MAIL_DPA_DATE]]",
        en: "Date on which the data processing agreement with the mail provider was concluded",
        de: "Datum, an dem der Auftragsverarbeitungsvertrag mit dem E-Mail-Dienstleister geschlossen wurde",
    },
    {
        id: "gravatar-transfer-basis",
        marker: "[[GRAVATAR_TRANSFER_BASIS]]",
        en: 'Basis for the transfer to Automattic Inc. (Gravatar, USA), checked by the controller (see the DPA checklist): if Automattic Inc. is listed as an active participant of the EU-US Data Privacy Framework (https://www.dataprivacyframework.gov/list) for this service, write "the European Commission\'s adequacy decision of 10 July 2023 for the EU-US Data Privacy Framework (Art. 45 GDPR), under which Automattic Inc. is certified"; otherwise name another basis under Chapter V GDPR, or set the stack setting gravatar to false and generate the documents again (they then have no Gravatar passages)',
        de: "Grundlage der \u00dcbermittlung an die Automattic Inc. (Gravatar, USA), vom Verantwortlichen gepr\u00fcft (siehe AVV-Checkliste): Ist die Automattic Inc. f\u00fcr diesen Dienst als aktiver Teilnehmer des EU-US Data Privacy Framework gelistet (https://www.dataprivacyframework.gov/list), \u201eden Angemessenheitsbeschluss der Europ\u00e4ischen Kommission vom 10. Juli 2023 zum EU-US Data Privacy Framework (Art. 45 DSGVO), nach dem die Automattic Inc. zertifiziert ist\u201c eintragen; sonst eine andere Grundlage nach Kapitel V DSGVO nennen oder die Stack-Einstellung gravatar auf false setzen und die Dokumente neu erzeugen (sie enthalten dann keine Passagen zu Gravatar)",
    },
];

/**
 * The markers the documents contain for these settings: every one of `documentPlaceholders`,
 * except `[[GRAVATAR_TRANSFER_BASIS]]` while `gravatar` is false (no Gravatar passages then).
 */
export function placeholdersFor(settings: Pick<SiteSettings, "gravatar">): Placeholder[] {
    return documentPlaceholders.filter((p) => p.id !== "gravatar-transfer-basis" || settings.gravatar === true);
}

/** The documents, in output order. */
export const complianceDocumentFiles = [
    { kind: "privacy", template: "privacy-policy.md", path: { en: "docs/en/privacy-policy.md", de: "docs/de/datenschutzerklaerung.md" } },
    { kind: "art30", template: "art30-record.md", path: { en: "docs/en/art30-record.md", de: "docs/de/verarbeitungsverzeichnis.md" } },
    { kind: "dpa", template: "dpa-checklist.md", path: { en: "docs/en/dpa-checklist.md", de: "docs/de/avv-checkliste.md" } },
] as const;

/**
 * Where Hetzner's data processing agreement is concluded. Checked 2026 with the search tool:
 * - Hetzner's Data Privacy FAQ (docs.hetzner.com, general terms and conditions, "Data Privacy
 *   FAQ", ID GE-82054, last change 2025-09-19): storing personal data on Hetzner servers is
 *   processing under Art. 28 GDPR and needs a DPA, which the customer concludes in its account.
 * - Records of projects that concluded it in 2026 (e.g. jikig-ai/soleur PR #769, "signed via
 *   Cloud Console"; several compliance notes naming https://accounts.hetzner.com/account/dpa):
 *   self-service in Hetzner Accounts, accepted online, with an annex describing the categories of
 *   data and data subjects to fill in first; not part of the general terms.
 * - Hetzner's privacy policy names Hetzner Online GmbH, Industriestr. 25, 91710 Gunzenhausen.
 * The checklist tells the client to check the contracting Hetzner company in the agreement itself.
 */
export const hetznerDpa = {
    accountsUrl: "https://accounts.hetzner.com",
    dpaUrl: "https://accounts.hetzner.com/account/dpa",
    faqUrl: {
        en: "https://docs.hetzner.com/general/general-terms-and-conditions/data-privacy-faq/",
        de: "https://docs.hetzner.com/de/general/general-terms-and-conditions/data-privacy-faq/",
    },
    processor: {
        en: "Hetzner Online GmbH, Industriestr. 25, 91710 Gunzenhausen, Germany",
        de: "Hetzner Online GmbH, Industriestr. 25, 91710 Gunzenhausen, Deutschland",
    },
} as const;

/**
 * Gravatar: Mautic's admin UI shows a contact's avatar as an image from gravatar.com, addressed by
 * a hash of the contact's email address (CoreBundle GravatarHelper; mautic/mautic#8540, #9119),
 * so the Mautic user's browser sends that hash and its own IP address to Automattic Inc. (USA)
 * whenever a user views a contact, if the admin CSP allows it (`img-src https:`, only with the stack
 * setting `gravatar: true`; by default the edge blocks it and the texts leave Gravatar out). Checked 2026 with the
 * search tool: Automattic Inc. declares EU-US Data Privacy Framework certification for its
 * WordPress VIP services (wpvip.com, "WordPress VIP Data Privacy Framework Notice"); no source
 * found confirms that the certification covers Gravatar. The texts therefore leave the transfer
 * basis to the client (`[[GRAVATAR_TRANSFER_BASIS]]`) and the DPA checklist says how to check it.
 */
export const gravatar = {
    host: "gravatar.com",
    recipient: { en: "Automattic Inc., USA", de: "Automattic Inc., USA" },
    dpfListUrl: "https://www.dataprivacyframework.gov/list",
} as const;

/** Hetzner Cloud server backups: daily, 7 slots (docs/facts/hetzner-and-host.md). Volumes are not included. */
export const hetznerServerBackupSlots = 7;

/** German names of the German locations (`germanLocations` holds the English ones). */
export const germanLocationNamesDe: Record<keyof typeof germanLocations, string> = {
    fsn1: "Falkenstein, Deutschland",
    nbg1: "N\u00fcrnberg, Deutschland",
};

/** What Mautic stores on the visitor's device after consent (the privacy policy's table). */
export interface DeviceStorageEntry {
    names: string[];
    kind: "cookie" | "localStorage";
    /** Whose origin: the Mautic host (`domain`) or the website. */
    origin: "mautic" | "website";
    /** Seconds, or "session" (no expiry: ends with the browser session), or "until-deleted". */
    lifetime: number | "session" | "until-deleted";
    purpose: { en: string; de: string };
    /** Where it was verified. */
    source: string;
}

/**
 * Mautic's tracking storage, read from Mautic's source (5.x/6.x) and docs/facts/mautic.md. Check it
 * again when the pinned Mautic line changes.
 */
export const mauticDeviceStorage: DeviceStorageEntry[] = [
    {
        names: ["mautic_device_id"],
        kind: "cookie",
        origin: "mautic",
        lifetime: 31_536_000,
        purpose: { en: "recognises your browser on later visits", de: "erkennt Ihren Browser bei sp\u00e4teren Besuchen wieder" },
        source: "LeadBundle DeviceTrackingService::createTrackingCookies (31,536,000 s, SameSite=None)",
    },
    {
        names: ["mtc_id"],
        kind: "cookie",
        origin: "mautic",
        lifetime: "session",
        purpose: { en: "number of your contact record in Mautic", de: "Nummer Ihres Kontaktdatensatzes in Mautic" },
        source: "LeadBundle DeviceTrackingService::createTrackingCookies (expiry null: session cookie)",
    },
    {
        names: ["mautic_referer_id"],
        kind: "cookie",
        origin: "mautic",
        lifetime: 1800,
        purpose: {
            en: "links a page view to the next one, to measure the time spent on a page",
            de: "verkn\u00fcpft einen Seitenaufruf mit dem n\u00e4chsten, um die Verweildauer zu messen",
        },
        source: "PageBundle page hit: CookieHelper::setCookie with its default lifetime of 1800 s",
    },
    {
        names: ["mtc_id", "mtc_sid", "mautic_device_id"],
        kind: "cookie",
        origin: "website",
        lifetime: "session",
        purpose: {
            en: "the same identifiers and the number of the current visit, for the tracking script",
            de: "dieselben Kennungen und die Nummer des aktuellen Besuchs, f\u00fcr das Tracking-Skript",
        },
        source: "mtc.js (CoreBundle BuildJsSubscriber): MauticJS.setCookie without expiry",
    },
    {
        names: ["mtc_id", "mtc_sid", "mautic_device_id"],
        kind: "localStorage",
        origin: "website",
        lifetime: "until-deleted",
        purpose: { en: "the same identifiers, in case your browser blocks the cookies", de: "dieselben Kennungen, falls Ihr Browser die Cookies blockiert" },
        source: "mtc.js MauticJS.setTrackedContact: localStorage.setItem",
    },
];

/** Invalid input: every problem, one per line, naming the field and the fix (never a secret). */
export class DocumentInputError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `invalid input for the generated documents (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "DocumentInputError";
    }
}

const isIpv4 = (v: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) && v.split(".").every((o) => Number(o) <= 255);

/**
 * The SMTP host of a Symfony mailer DSN, for the documents; `undefined` when the DSN names no
 * host the documents can show (a provider's `default`, `localhost`, `failover(...)`, garbage).
 * Never throws and never returns user, password or port.
 */
export function mailerHostFromDsn(dsn: string | undefined): string | undefined {
    if (typeof dsn !== "string") return undefined;
    let host: string;
    try {
        host = new URL(dsn.trim()).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    return isFqdn(host) || isIpv4(host) ? host : undefined;
}

/** Hetzner's Storage Box domain (every box is u<id>.your-storagebox.de). */
const storageBoxDomain = "your-storagebox.de";

/** The host of the off-site restic repository (`sftp://user@host:23/path` or `sftp:user@host:/path`). */
function offsiteHostOf(repository: string | undefined): string | undefined {
    if (!repository) return undefined;
    const m = /^sftp:(?:\/\/)?(?:[^@/\s]+@)?([A-Za-z0-9.-]+)/.exec(repository.trim());
    const host = m?.[1].toLowerCase();
    return host && (isFqdn(host) || isIpv4(host)) ? host : undefined;
}

type Lang = "en" | "de";
const langs: Lang[] = ["en", "de"];

/** Language-specific wording of numbers, durations and schedules. */
const words = {
    en: {
        /** "3 days", after "after"/"for". */
        days: (n: number) => `${n} day${n === 1 ? "" : "s"}`,
        daysWithYears: (n: number) => `${n} day${n === 1 ? "" : "s"}${n % 365 === 0 ? ` (${n / 365} year${n === 365 ? "" : "s"})` : ""}`,
        duration: (seconds: number) =>
            unitDuration(seconds, [
                ["year", "years", 31_536_000],
                ["day", "days", 86_400],
                ["hour", "hours", 3600],
                ["minute", "minutes", 60],
                ["second", "seconds", 1],
            ]),
        daily: (hhmm: string, tz: string) => `daily at ${hhmm} (${tz})`,
        nightlyFrom: (hhmm: string, tz: string) => `nightly from ${hhmm} (${tz})`,
        everyMinutes: (n: number) => `every ${n} minutes`,
        cronRaw: (expr: string) => `on the schedule \`${expr}\``,
        logLimit: (files: string, size: string) => `${files} files of ${size}`,
        within: (minutes: number) => (minutes <= 60 ? "within one hour" : `within ${minutes} minutes`),
        withinHours: (minutes: number) => (minutes <= 60 ? "within one hour" : `within ${Math.ceil(minutes / 60)} hours`),
        /** When the DOI confirmation email goes out: at the next campaign trigger run. */
        aboutWithin: (minutes: number | undefined) => (minutes === undefined ? "within a few minutes" : `within about ${minutes} minutes`),
        hourly: "every hour",
    },
    de: {
        /** "3 Tagen": dative, as in "nach 3 Tagen". */
        days: (n: number) => `${n} Tag${n === 1 ? "" : "en"}`,
        daysWithYears: (n: number) => `${n} Tag${n === 1 ? "" : "en"}${n % 365 === 0 ? ` (${n / 365} Jahr${n === 365 ? "" : "en"})` : ""}`,
        /** Nominative, for table cells: "1 Jahr", "30 Minuten". */
        duration: (seconds: number) =>
            unitDuration(seconds, [
                ["Jahr", "Jahre", 31_536_000],
                ["Tag", "Tage", 86_400],
                ["Stunde", "Stunden", 3600],
                ["Minute", "Minuten", 60],
                ["Sekunde", "Sekunden", 1],
            ]),
        daily: (hhmm: string, tz: string) => `t\u00e4glich um ${hhmm} Uhr (${tz})`,
        nightlyFrom: (hhmm: string, tz: string) => `n\u00e4chtlich ab ${hhmm} Uhr (${tz})`,
        everyMinutes: (n: number) => `alle ${n} Minuten`,
        cronRaw: (expr: string) => `nach dem Zeitplan \`${expr}\``,
        logLimit: (files: string, size: string) => `${files} Dateien zu je ${size}`,
        within: (minutes: number) => (minutes <= 60 ? "innerhalb einer Stunde" : `innerhalb von ${minutes} Minuten`),
        withinHours: (minutes: number) => (minutes <= 60 ? "innerhalb einer Stunde" : `innerhalb von ${Math.ceil(minutes / 60)} Stunden`),
        aboutWithin: (minutes: number | undefined) => (minutes === undefined ? "innerhalb weniger Minuten" : `innerhalb von etwa ${minutes} Minuten`),
        hourly: "st\u00fcndlich",
    },
} as const;

function unitDuration(seconds: number, units: Array<[string, string, number]>): string {
    for (const [one, many, size] of units) {
        if (seconds >= size && seconds % size === 0) {
            const n = seconds / size;
            return `${n} ${n === 1 ? one : many}`;
        }
    }
    return `${seconds} ${units[units.length - 1][1]}`;
}

/** The step N of a five-field cron schedule that runs every N minutes (evenly spaced list or `*\/N`). */
function cronEveryMinutes(expr: string): number | undefined {
    const f = expr.trim().split(/\s+/);
    if (f.length !== 5 || f[1] !== "*" || !f.slice(2).every((x) => x === "*")) return undefined;
    const slash = /^\*\/(\d{1,2})$/.exec(f[0]);
    if (slash) return Number(slash[1]) > 0 && 60 % Number(slash[1]) === 0 ? Number(slash[1]) : undefined;
    if (!/^\d{1,2}(,\d{1,2})+$/.test(f[0])) return undefined;
    const mins = f[0].split(",").map(Number);
    const step = mins[1] - mins[0];
    return step > 0 && 60 % step === 0 && mins.length === 60 / step && mins.every((m, i) => m === mins[0] + i * step) ? step : undefined;
}

/** A five-field cron schedule in words: daily at a fixed time, or every N minutes. */
function describeCron(expr: string, lang: Lang, tz: string): string {
    const w = words[lang];
    const f = expr.trim().split(/\s+/);
    if (f.length === 5 && f.slice(2).every((x) => x === "*") && /^\d{1,2}$/.test(f[0]) && /^\d{1,2}$/.test(f[1])) {
        return w.daily(`${f[1].padStart(2, "0")}:${f[0].padStart(2, "0")}`, tz);
    }
    const step = cronEveryMinutes(expr);
    return step !== undefined ? w.everyMinutes(step) : w.cronRaw(expr);
}

/** Docker's size notation ("10m") in words. */
function dockerSize(v: string): string {
    const m = /^(\d+)([kmg])?$/i.exec(v);
    if (!m) return v;
    return `${m[1]} ${({ k: "KB", m: "MB", g: "GB" } as Record<string, string>)[(m[2] ?? "").toLowerCase()] ?? "bytes"}`;
}

/** The time the nightly backup timer starts, read from its unit file. */
function backupTimerStart(): string | undefined {
    const m = /^OnCalendar=\*-\*-\* (\d{2}:\d{2})(?::\d{2})?\s*$/m.exec(readTemplate("backup/mautic-backup.timer"));
    return m?.[1];
}

/** `YYYY-MM-DD` of the ISO date, and the same day one year later (29 Feb -> 28 Feb). */
function datesOf(generatedAt: string): { generated: string; review: string } | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(generatedAt);
    if (!m) return undefined;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
    const next = new Date(Date.UTC(y + 1, mo - 1, d));
    if (next.getUTCMonth() !== mo - 1) next.setUTCDate(0);
    return { generated: `${m[1]}-${m[2]}-${m[3]}`, review: next.toISOString().slice(0, 10) };
}

const measureId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// One line of plain text: no control characters, no markers, no template braces, no HTML.
const unsafeText = /[\p{Cc}\u2028\u2029<>]|\[\[|\]\]|\{\{|\}\}/u;

interface Resolved {
    s: SiteSettings;
    dates: { generated: string; review: string };
    mailerHost?: string;
    offsiteHost?: string;
    doubleOptIn: boolean;
    consent: "banner" | "cmp";
    consentMaxAgeDays: number;
    privacyPolicyUrl: string;
    measures: ComplianceMeasure[];
}

function validate(input: DocumentInput): Resolved {
    const problems: string[] = [];
    const s = input?.settings;
    if (!s || typeof s !== "object") throw new DocumentInputError(["settings is missing: pass the validated SiteSettings (validateSiteArgs(...).settings)"]);
    const show = (v: unknown) => JSON.stringify(v) ?? String(v);

    if (typeof s.domain !== "string" || !isFqdn(s.domain))
        problems.push(`settings.domain = ${show(s.domain)} is not a lower-case host name such as marketing.client-a.de`);
    let websiteOk: boolean;
    try {
        const u = new URL(s.website);
        websiteOk = u.protocol === "https:" && u.origin === s.website && u.hostname === s.websiteHost && isFqdn(u.hostname) && u.hostname !== s.domain;
    } catch {
        websiteOk = false;
    }
    if (!websiteOk)
        problems.push(
            `settings.website = ${show(s.website)} / websiteHost = ${show(s.websiteHost)} are not one https origin and its host, different from the Mautic host`,
        );
    if (!(s.location in germanLocations))
        problems.push(`settings.location = ${show(s.location)} is not one of the German locations ${Object.keys(germanLocations).join(", ")}`);
    const ints = (
        ["cleanupDaysOld", "unconfirmedContactDays", "gdprPurgeDays", "backupRetentionDays", "accessLogRetentionDays", "unsubscribedMinimiseDays"] as const
    ).map((k) => [k, ...intRange(k)] as const);
    for (const [k, min, max] of ints) {
        const v = s[k];
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
            problems.push(`settings.${k} = ${show(v)} is not a whole number from ${min} to ${max}`);
    }
    if (typeof s.backups !== "boolean") problems.push(`settings.backups = ${show(s.backups)} is not true or false`);
    const g = (s as Partial<SiteSettings>).gravatar;
    if (g !== undefined && typeof g !== "boolean") problems.push(`settings.gravatar = ${show(g)} is not true or false`);
    if (typeof s.timezone !== "string" || !/^[A-Za-z0-9_+\-/]{1,64}$/.test(s.timezone))
        problems.push(`settings.timezone = ${show(s.timezone)} is not an IANA time zone name`);
    if (typeof s.mauticVersion !== "string" || !/^\d+\.\d+\.\d+(-apache)?$/.test(s.mauticVersion))
        problems.push(`settings.mauticVersion = ${show(s.mauticVersion)} is not an exact Mautic release such as 6.0.6-apache`);
    if (typeof s.serverType !== "string" || !/^[a-z0-9]{2,16}$/.test(s.serverType))
        problems.push(`settings.serverType = ${show(s.serverType)} is not a Hetzner server type name`);

    const dates = typeof input.generatedAt === "string" ? datesOf(input.generatedAt) : undefined;
    if (!dates) problems.push(`generatedAt = ${show(input.generatedAt)} is not an ISO 8601 date such as 2026-05-01 or 2026-05-01T12:00:00Z`);

    let mailerHost: string | undefined;
    if (input.mailerHost !== undefined) {
        const h = typeof input.mailerHost === "string" ? input.mailerHost.trim().toLowerCase() : "";
        if (isFqdn(h) || isIpv4(h)) mailerHost = h;
        // Never echo the value: a DSN passed here by mistake carries the SMTP password.
        else
            problems.push(
                "mailerHost is not a host name such as smtp.example.de or an IPv4 address (the value is not shown: it may hold credentials). Pass only the host, e.g. mailerHostFromDsn(mailerDsn)",
            );
    }

    const repo = (s as SiteSettings & { backupOffsiteRepository?: string }).backupOffsiteRepository;
    // The kit's own Storage Box (the default) is named by Hetzner's Storage Box domain: its
    // u<id> host is only known after the deploy.
    const kitBox = repo === undefined && (s as Partial<SiteSettings>).offsiteBackup === "storagebox";
    const offsiteHost = kitBox ? storageBoxDomain : offsiteHostOf(repo);
    if (repo !== undefined && offsiteHost === undefined)
        problems.push("settings.backupOffsiteRepository names no host the documents can show (expected sftp://user@host:port/path or sftp:user@host:/path)");

    if (input.doubleOptIn !== undefined && typeof input.doubleOptIn !== "boolean")
        problems.push(`doubleOptIn = ${show(input.doubleOptIn)} is not true or false`);
    const consent = input.consentMechanism ?? (s as Partial<SiteSettings>).consentMechanism ?? "banner";
    if (consent !== "banner" && consent !== "cmp") problems.push(`consentMechanism = ${show(consent)} is not "banner" or "cmp"`);
    const maxAge = input.consentMaxAgeDays ?? defaultConsentMaxAgeDays;
    if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > 395)
        problems.push(`consentMaxAgeDays = ${show(input.consentMaxAgeDays)} is not a whole number of days from 1 to 395`);

    // The privacy policy the client publishes the section in (a path resolves against the website).
    let privacyPolicyUrl: string | undefined;
    const pp: unknown = input.privacyPolicyUrl ?? (s as Partial<SiteSettings>).privacyPolicyUrl ?? doiDefaults.privacyPolicyPath;
    const isPath = typeof pp === "string" && pp.startsWith("/") && !pp.startsWith("//");
    if (typeof pp === "string" && pp.length <= 2048 && !unsafeText.test(pp) && !/[\s"'`\\]/.test(pp) && (!isPath || websiteOk)) {
        try {
            const u = isPath ? new URL(pp, s.website) : new URL(pp);
            if (u.protocol === "https:" && !u.username && !u.password && isFqdn(u.hostname)) privacyPolicyUrl = u.href;
        } catch {
            privacyPolicyUrl = undefined;
        }
    }
    // A path on an invalid website is reported once, as the website's problem.
    if (privacyPolicyUrl === undefined && !(isPath && !websiteOk)) {
        problems.push(
            `privacyPolicyUrl = ${show(input.privacyPolicyUrl)} is not an https URL (no credentials) or a path on the website such as ${doiDefaults.privacyPolicyPath}`,
        );
    }

    const measures = Array.isArray(input.measures) ? input.measures : [];
    if (!Array.isArray(input.measures) || measures.length === 0) {
        problems.push(
            "measures is empty: the Art. 30 record must list the technical and organisational measures the stack deploys (pass deployedMeasures(settings))",
        );
    }
    const seen = new Set<string>();
    measures.forEach((m, i) => {
        if (!m || typeof m.id !== "string" || !measureId.test(m.id))
            problems.push(`measures[${i}].id = ${show(m?.id)} is not an id of letters, digits, '.', '_', '-'`);
        else if (seen.has(m.id)) problems.push(`measures[${i}].id = ${show(m.id)} is used twice`);
        else seen.add(m.id);
        for (const lang of langs) {
            const t = m?.[lang];
            if (typeof t !== "string" || t.trim() === "" || t.length > 600 || unsafeText.test(t)) {
                problems.push(
                    `measures[${i}].${lang} must be one line of plain text (1 to 600 characters, no '<', '>', '[[', ']]', '{{', '}}' or line breaks)`,
                );
            }
        }
    });

    if (problems.length > 0) throw new DocumentInputError(problems);
    return {
        s,
        dates: dates!,
        mailerHost,
        offsiteHost,
        doubleOptIn: input.doubleOptIn ?? true,
        consent,
        consentMaxAgeDays: maxAge,
        privacyPolicyUrl: privacyPolicyUrl!,
        measures: measures.map((m) => ({ id: m.id, en: m.en.trim().replace(/\s+/g, " "), de: m.de.trim().replace(/\s+/g, " ") })),
    };
}

/**
 * The stack facts the texts rely on, read from the renderers of what is deployed. Throws when a
 * renderer no longer does what the texts say (update the templates with the renderer).
 */
function stackFacts(s: SiteSettings) {
    const drift = (what: string) => {
        throw new Error(
            `documents.ts is out of date with the stack: ${what}. Update templates/documents/ and components/compliance/documents.ts together with the renderer.`,
        );
    };
    const jobs = cronJobs({ cleanupDaysOld: s.cleanupDaysOld });
    const cleanup = jobs.find((j) => j.command === "mautic:maintenance:cleanup" && j.args.includes(`--days-old=${s.cleanupDaysOld}`));
    const purge = jobs.find((j) => j.command === "mautic:maintenance:cleanup" && j.args.includes("--gdpr"));
    const trigger = jobs.find((j) => j.command === "mautic:campaigns:trigger");
    if (!cleanup) drift(`the crontab has no 'mautic:maintenance:cleanup --days-old=${s.cleanupDaysOld}' job`);
    if (!purge) drift("the crontab has no 'mautic:maintenance:cleanup --gdpr' job");
    if (!trigger) drift("the crontab has no 'mautic:campaigns:trigger' job (it runs the DOI deletion campaign)");

    const p = mauticParameters({
        domain: s.domain,
        website: s.website,
        timezone: s.timezone,
        gdprPurgeDays: s.gdprPurgeDays,
        logRetentionDays: s.accessLogRetentionDays,
        secretKey: "unused-by-documents",
    });
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

    // The half-hourly host job: audit-log IPs anonymised; unconfirmed sign-ups and unsubscribed
    // contacts deleted; the remains of deleted contacts removed after the grace period. The texts
    // print the bounds the timer really gives.
    const maintenance = renderPrivacyMaintenanceFiles({
        dataDir: "/unused-by-documents",
        dbContainer: "unused",
        database: "unused",
        unconfirmedContactDays: s.unconfirmedContactDays,
        unsubscribedMinimiseDays: s.unsubscribedMinimiseDays,
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
    if (!script.includes(renderUnsubscribedSql(s.unsubscribedMinimiseDays)))
        drift(`mautic-privacy-maintenance no longer minimises unsubscribed contacts after unsubscribedMinimiseDays (${s.unsubscribedMinimiseDays})`);
    for (const t of ["form_submissions", "page_hits", "email_stats"]) {
        if (!script.includes(` ${t}:`)) drift(`mautic-privacy-maintenance no longer deletes ${t} rows of deleted contacts`);
    }
    if (!script.includes("^form_results_") || !script.includes("DELETE r FROM") || !/DELETE a FROM audit_log a LEFT JOIN leads l/.test(script))
        drift("mautic-privacy-maintenance no longer deletes form results and audit-log entries of deleted contacts");
    const maintenanceSchedule = maintenanceTimerSchedule(timer);
    if (maintenanceSchedule === undefined) drift("mautic-privacy-maintenance.timer no longer runs at least hourly (OnCalendar=hourly or *:0/N)");

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
        trigger: trigger!,
        backupStart: backupTimerStart(),
        maintenanceSchedule: maintenanceSchedule!,
        maintenanceTimer: privacyMaintenancePaths.timer.split("/").pop()!,
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

/** `parts.md`: named text pieces, each after a `<!-- part: name -->` line. */
function readParts(lang: Lang): Map<string, string> {
    const text = readTemplate(`documents/${lang}/parts.md`);
    const parts = new Map<string, string>();
    const re = /^<!-- part: ([a-z0-9-]+) -->\n/gm;
    const heads = [...text.matchAll(re)];
    heads.forEach((h, i) => {
        const start = h.index! + h[0].length;
        const end = i + 1 < heads.length ? heads[i + 1].index! : text.length;
        if (parts.has(h[1])) throw new Error(`templates/documents/${lang}/parts.md: part '${h[1]}' is defined twice`);
        parts.set(h[1], text.slice(start, end).replace(/\n+$/, ""));
    });
    return parts;
}

/**
 * Fills templates from one value map per language, strictly: a placeholder without a value is
 * an error (via `fill`), and at the end every value must have been used by some template.
 */
class Filler {
    private readonly used = new Set<string>();
    constructor(
        private readonly lang: Lang,
        private readonly parts: Map<string, string>,
        readonly values: Record<string, string | number>,
        private readonly flags: Record<string, boolean> = {},
    ) {}

    /**
     * Conditional text: `{{?flag}}...{{/flag}}` stays only when the flag is true, `{{!flag}}...{{/flag}}`
     * only when it is false (no nesting). An unknown flag or an unclosed block is an error.
     */
    private conditionals(template: string, name: string): string {
        const out = template.replace(/\{\{([?!])([a-zA-Z0-9_]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g, (_, sign: string, flag: string, body: string) => {
            if (!(flag in this.flags)) throw new Error(`${name}: unknown condition {{${sign}${flag}}}`);
            return this.flags[flag] === (sign === "?") ? body : "";
        });
        const stray = /\{\{[?!/][a-zA-Z0-9_]+\}\}/.exec(out);
        if (stray) throw new Error(`${name}: unclosed or stray condition ${stray[0]}`);
        return out;
    }

    text(template: string, name: string): string {
        template = this.conditionals(template, name);
        const keys = new Set([...template.matchAll(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]));
        const picked: Record<string, string | number> = {};
        for (const k of keys) {
            if (k in this.values) picked[k] = this.values[k];
            this.used.add(k);
        }
        return fill(template, picked, name);
    }

    part(name: string, extra: Record<string, string | number> = {}): string {
        const tpl = this.parts.get(name);
        if (tpl === undefined) throw new Error(`templates/documents/${this.lang}/parts.md has no part '${name}'`);
        if (Object.keys(extra).length === 0) return this.text(tpl, `documents/${this.lang}/parts.md#${name}`);
        return fill(this.conditionals(tpl, `documents/${this.lang}/parts.md#${name}`), extra, `documents/${this.lang}/parts.md#${name}`);
    }

    file(rel: string): string {
        return this.text(readTemplate(`documents/${this.lang}/${rel}`), `documents/${this.lang}/${rel}`);
    }

    assertAllUsed(): void {
        const unused = Object.keys(this.values).filter((k) => !this.used.has(k));
        if (unused.length > 0) throw new Error(`templates/documents/${this.lang}/: values no template uses: ${unused.join(", ")}`);
    }
}

function languageValues(r: Resolved, lang: Lang, facts: ReturnType<typeof stackFacts>, parts: Map<string, string>): Filler {
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
        timezone: s.timezone,
        // The DOI campaign sends the confirmation email at the next `mautic:campaigns:trigger` run.
        confirmationDelay: w.aboutWithin(cronEveryMinutes(facts.trigger.schedule)),
        cleanupSchedule: describeCron(facts.cleanup.schedule, lang, tz),
        unconfirmedDays: w.days(s.unconfirmedContactDays),
        gdprPurgeDays: w.daysWithYears(s.gdprPurgeDays),
        gdprPurgeDaysNumber: s.gdprPurgeDays,
        gdprSchedule: describeCron(facts.purge.schedule, lang, tz),
        accessLogDays: w.days(s.accessLogRetentionDays),
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
        v.doiCampaign = doiLanguages.map((l) => `\`${doiNames.campaign(l)}\``).join(lang === "de" ? " und " : " and ");
        v.segmentConfirmed = doiNames.segmentConfirmed.alias;
        v.triggerSchedule = describeCron(facts.trigger.schedule, lang, tz);
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
            const content = out[lang][doc.kind].replace(/\n{3,}/g, "\n\n").replace(/\n*$/, "\n");
            docs.push({ path: doc.path[lang], content });
        }
    }
    return docs;
}
