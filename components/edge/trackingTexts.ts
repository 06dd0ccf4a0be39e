/**
 * The banner's texts (defaults in German and English) and the consent revision derived from
 * them. Split from tracking.ts; everything here is re-exported there.
 */
import { createHash } from "crypto";

/** The banner's texts in one language. */
export interface BannerTexts {
    title: string;
    text: string;
    privacyLink: string;
    imprintLink: string;
    /** The storage period, shown on the first layer. `{days}` = consentMaxAgeDays, `{host}` = the Mautic host. */
    storage: string;
    accept: string;
    reject: string;
    settings: string;
    statusGranted: string;
    statusDenied: string;
}

/** Default banner texts; `{host}` is replaced by the Mautic host name. */
export const defaultBannerTexts: { en: BannerTexts; de: BannerTexts } = {
    en: {
        title: "Marketing analytics: your choice",
        text:
            "With your consent, this website loads Mautic, our self-hosted marketing automation, from {host}. " +
            "Mautic stores identifiers on your device (cookies and local storage) and records which pages you visit, " +
            "so that we can recognise returning visitors and tailor our marketing. " +
            "If Mautic knows you in this browser (for example after you filled in one of our forms or opened the web version of one of our e-mails), " +
            "it links these visits to your contact record with your e-mail address. " +
            "Your consent also covers Mautic's own pages on {host} (such as landing pages): with it they record your visits too, without it they record none. " +
            "Before you decide, Mautic's tracking is not loaded and nothing is stored for it. " +
            "You can change or withdraw your choice at any time under \u201cPrivacy settings\u201d.",
        privacyLink: "Details in our privacy policy.",
        imprintLink: "Imprint",
        storage:
            "Storage period: your choice is kept in this browser for {days} days. With your consent, Mautic's identifiers stay " +
            "until you withdraw it or your choice expires; Mautic's device cookie on {host} expires after 1 year at the latest.",
        accept: "Accept",
        reject: "Reject",
        settings: "Privacy settings",
        statusGranted: "Current choice: accepted.",
        statusDenied: "Current choice: rejected.",
    },
    de: {
        title: "Marketing-Analyse: Ihre Wahl",
        text:
            "Mit Ihrer Einwilligung l\u00e4dt diese Website Mautic, unsere selbst betriebene Marketing-Automatisierung, von {host}. " +
            "Mautic speichert Kennungen auf Ihrem Ger\u00e4t (Cookies und Local Storage) und erfasst, welche Seiten Sie aufrufen, " +
            "damit wir wiederkehrende Besucher erkennen und unser Marketing anpassen k\u00f6nnen. " +
            "Kennt Mautic Sie in diesem Browser (etwa nachdem Sie eines unserer Formulare ausgef\u00fcllt oder die Web-Version einer unserer E-Mails ge\u00f6ffnet haben), " +
            "verkn\u00fcpft es diese Besuche mit Ihrem Kontaktdatensatz samt E-Mail-Adresse. " +
            "Ihre Einwilligung gilt auch f\u00fcr Mautics eigene Seiten auf {host} (etwa Landingpages): Mit ihr erfassen diese Ihre Besuche ebenfalls, ohne sie keine. " +
            "Vor Ihrer Entscheidung wird das Tracking von Mautic nicht geladen und nichts daf\u00fcr gespeichert. " +
            "Sie k\u00f6nnen Ihre Wahl jederzeit unter \u201eDatenschutz-Einstellungen\u201c \u00e4ndern oder widerrufen.",
        privacyLink: "Einzelheiten in unserer Datenschutzerkl\u00e4rung.",
        imprintLink: "Impressum",
        storage:
            "Speicherdauer: Ihre Wahl bleibt {days} Tage in diesem Browser gespeichert. Mit Ihrer Einwilligung bleiben Mautics Kennungen, " +
            "bis Sie sie widerrufen oder Ihre Wahl abl\u00e4uft; Mautics Ger\u00e4te-Cookie auf {host} l\u00e4uft sp\u00e4testens nach 1 Jahr ab.",
        accept: "Akzeptieren",
        reject: "Ablehnen",
        settings: "Datenschutz-Einstellungen",
        statusGranted: "Aktuelle Wahl: akzeptiert.",
        statusDenied: "Aktuelle Wahl: abgelehnt.",
    },
};

export const textKeys: (keyof BannerTexts)[] = [
    "title",
    "text",
    "privacyLink",
    "imprintLink",
    "storage",
    "accept",
    "reject",
    "settings",
    "statusGranted",
    "statusDenied",
];

/**
 * The revision a stored choice records: the first 16 hex digits of SHA-256 over the manual
 * `consentRevision`, the final banner texts (both languages), the linked URLs, the storage period
 * and the Mautic origin. Any change to what the visitor was told gives another value, so the
 * banner asks again; the same settings always give the same value.
 */
export function consentRevisionHash(v: {
    consentRevision: number;
    texts: { en: BannerTexts; de: BannerTexts };
    privacyPolicyUrl: string | null;
    imprintUrl: string | null;
    consentMaxAgeDays: number;
    mauticUrl: string;
}): string {
    const canonical = JSON.stringify([
        v.consentRevision,
        (["en", "de"] as const).map((l) => textKeys.map((k) => v.texts[l][k])),
        v.privacyPolicyUrl,
        v.imprintUrl,
        v.consentMaxAgeDays,
        v.mauticUrl,
    ]);
    return createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 16);
}
