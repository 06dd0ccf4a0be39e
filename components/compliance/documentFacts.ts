/**
 * Fixed facts and markers of the generated documents (components/compliance/documents.ts): the
 * placeholders only the client can fill, the document files, the processors (Hetzner, Gravatar)
 * and what Mautic stores on a visitor's device. Each entry says where it was checked.
 */
import { SiteSettings } from "../config/config";
import { germanLocations } from "../config/defaults";

/** One technical or organisational measure the stack actually deploys (computed by the caller). */
export interface ComplianceMeasure {
    /** Stable id, e.g. "tls". Letters, digits, '.', '_', '-'. */
    id: string;
    /** One line of English, e.g. "HTTPS only (TLS 1.2/1.3), HSTS 2 years". */
    en: string;
    /** The same in German. */
    de: string;
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
export function placeholdersFor(settings: Pick<SiteSettings, "gravatar" | "controllerName">): Placeholder[] {
    return documentPlaceholders.filter(
        (p) => (p.id !== "gravatar-transfer-basis" || settings.gravatar === true) && (p.id !== "controller-name" || !settings.controllerName),
    );
}

/** The documents, in output order. */
export const complianceDocumentFiles = [
    { kind: "privacy", template: "privacy-policy.md", path: { en: "docs/en/privacy-policy.md", de: "docs/de/datenschutzerklaerung.md" } },
    { kind: "art30", template: "art30-record.md", path: { en: "docs/en/art30-record.md", de: "docs/de/verarbeitungsverzeichnis.md" } },
    { kind: "dpa", template: "dpa-checklist.md", path: { en: "docs/en/dpa-checklist.md", de: "docs/de/avv-checkliste.md" } },
    { kind: "breachRunbook", template: "breach-runbook.md", path: { en: "docs/en/breach-runbook.md", de: "docs/de/ablaufplan-datenpanne.md" } },
    { kind: "breachRegister", template: "breach-register.md", path: { en: "docs/en/breach-register.md", de: "docs/de/verzeichnis-datenpannen.md" } },
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
