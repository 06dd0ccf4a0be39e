/**
 * The names of the double-opt-in contract: tags, contact fields, the Mautic objects the kit
 * finds again by name or alias, the e-mail token of the confirmation link, and the editable
 * short strings. Split from doiBlueprint.ts by concern.
 */
import { readTemplate } from "../shared/template";
import { DoiLanguage } from "./doiSettings";

/** The Mautic e-mail token that carries the per-sign-up confirmation link of the kit's DOI endpoint. */
export const doiConfirmToken = "{kit_doi_confirm_url}";

/**
 * Tag names of the DOI states. Part of the contract with the marketer and with the safety net
 * that deletes never-confirmed sign-ups: keep them.
 * - `doi-pending`: set by the DOI endpoint on a contact it creates for a sign-up; removed on
 *   confirmation.
 * - `doi-confirmed`: the contact pressed the confirm button of the link in the mail (a POST
 *   carrying the per-sign-up token).
 * - `doi-keep`: set by the marketer (or an import) on contacts that exist for other reasons;
 *   the safety net never deletes a contact that carries it.
 */
export const doiTags = { pending: "doi-pending", confirmed: "doi-confirmed", keep: "doi-keep" } as const;

/** Aliases of the custom contact fields. */
export const doiFields = {
    /** Set by the DOI endpoint when the contact confirms, in UTC. */
    consentDate: "consent_date",
    consentTextVersion: "consent_text_version",
    consentLanguage: "consent_language",
    /** The optional, separate consent to click measurement and profiling (value `tracking-<version>`, empty without it). */
    trackingConsent: "tracking_consent",
    /** The token of the one-click withdrawal link of the profiling consent (`<id>.<HMAC, 128 bits>`: Mautic's text fields hold 64 characters), set on confirmation. */
    profilingToken: "profiling_token",
} as const;

/**
 * Names and aliases by which the kit finds its objects again. Renaming one of them in Mautic
 * makes the next deploy create a fresh copy, so they are constants here, not editable texts.
 * The form, page and campaign names are those of the retired form-and-campaign flow: the kit
 * no longer creates them, it reports them while they exist (doiRetired.ts).
 */
export const doiNames = {
    segmentPending: { name: "DOI: unconfirmed contacts (doi-pending)", alias: "doi-pending" },
    segmentConfirmed: { name: "DOI: confirmed contacts (doi-confirmed)", alias: "doi-confirmed" },
    /** The confirmation e-mail of one language; the DOI endpoint sends it by this name. */
    email: (lang: DoiLanguage) => `DOI: confirmation email (${lang})`,
    /** Retired: the per-language campaign of the earlier flow. */
    campaign: (lang: DoiLanguage) => `DOI: delete unconfirmed contacts (${lang})`,
    /** Retired: the earlier flow's sign-up form, confirm form and confirmation page. */
    form: (lang: DoiLanguage) => `DOI ${lang}: sign-up form`,
    confirmForm: (lang: DoiLanguage) => `DOI ${lang}: confirm button`,
    pageAlias: (lang: DoiLanguage) => (lang === "de" ? "doi-bestaetigung" : "doi-confirmation"),
} as const;

/** Key helpers, so references cannot be misspelt. */
export const doiKeys = {
    tag: (t: "pending" | "confirmed") => `tag:${t}`,
    field: (f: keyof typeof doiFields) => `field:${f}`,
    email: (l: DoiLanguage) => `email:confirm:${l}`,
    segment: (s: "pending" | "confirmed") => `segment:${s}`,
} as const;

/** Tables whose rows of the contact are derived from behaviour and deleted on withdrawal: [table, contact column, what]. */
export const PROFILING_TABLES: ReadonlyArray<readonly [table: string, column: string, what: string]> = [
    ["page_hits", "lead_id", "page visits (and e-mail link clicks, which the kit does not measure)"],
    ["video_hits", "lead_id", "video views"],
    ["lead_utmtags", "lead_id", "UTM tags of visits"],
    ["asset_downloads", "lead_id", "downloads"],
    ["focus_stats", "lead_id", "focus item views and clicks"],
    ["lead_points_change_log", "lead_id", "points history"],
    ["point_lead_action_log", "lead_id", "point actions triggered"],
    ["point_lead_event_log", "lead_id", "point triggers fired"],
    ["point_group_contact_score", "contact_id", "point group scores"],
];

/** The contact's own columns reset on withdrawal: the consent field to NULL, the points to 0. */
export const PROFILING_RESET: ReadonlyArray<readonly [column: string, value: "NULL" | "0"]> = [
    [doiFields.trackingConsent, "NULL"],
    ["points", "0"],
];

/** The endpoint's copy of the lists (doi-config.json), so the PHP page deletes exactly the same. */
export function profilingConfig(): { tables: Array<[string, string]>; reset: Array<[string, "NULL" | "0"]> } {
    return { tables: PROFILING_TABLES.map(([t, c]) => [t, c]), reset: PROFILING_RESET.map(([c, v]) => [c, v]) };
}

/**
 * Mautic's `unsubscribe_text` (what `{unsubscribe_text}` in an e-mail becomes), pinned by the kit:
 * the unsubscribe link (`|URL|`, Mautic's) and the one-click withdrawal of the profiling consent,
 * which keeps the subscription. Mautic replaces contact-field tokens inside it per recipient
 * (EmailBundle BuilderSubscriber, 5.2.1), so the link carries the contact's `profiling_token`.
 * One text for all recipients (Mautic has one), so both languages.
 */
export function unsubscribeText(mauticHost: string): string {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(mauticHost)) throw new Error(`mauticHost ${JSON.stringify(mauticHost)} is not a host name`);
    const link = `https://${mauticHost}/kit/doi/profiling?t={contactfield=${doiFields.profilingToken}}&amp;lang={contactfield=${doiFields.consentLanguage}}`;
    return (
        `<a href="|URL|">Newsletter abbestellen / Unsubscribe</a> &middot; ` +
        `<a href="${link}">Einwilligung ins Interessenprofil widerrufen (Newsletter bleibt) / Withdraw consent to the interest profile (stay subscribed)</a>`
    );
}

/** The value `tracking_consent` gets when the click-measurement box was ticked. */
export const trackingConsentValue = (version: string): string => `tracking-${version}`;

/**
 * Placeholder in the processing notice for the address a subscriber writes to in order to
 * withdraw consent. The marketer replaces it (stack setting or the texts); the kit reports it until then.
 */
export const withdrawalContactPlaceholder: Record<DoiLanguage, string> = {
    de: "[Kontaktadresse einfügen]",
    en: "[insert contact address]",
};

/**
 * Markers the newsletter consent label (templates/doiBlueprint/<lang>/consent-label.txt) shows
 * while the stack leaves `controllerName` / `newsletterTopics` unset: a consent must name who
 * advertises what (BGH I ZR 169/10), so the config check and the compliance report (C05) warn.
 */
export const consentLabelMarkers: Record<DoiLanguage, { controllerName: string; newsletterTopics: string }> = {
    de: { controllerName: "[Firma des Verantwortlichen einfügen]", newsletterTopics: "[beworbene Produkte und Dienstleistungen einfügen]" },
    en: { controllerName: "[insert the controller's legal name]", newsletterTopics: "[insert the advertised products and services]" },
};

/** Mautic's cookies on its own host, named in the consent texts (docs/facts/mautic.md, mtc.js). */
export const mauticHostCookies = ["mtc_id", "mautic_device_id", "mautic_referer_id"] as const;

/** Short labels of one language (templates/doiBlueprint/<lang>/strings.json). */
export interface DoiStrings {
    emailLabel: string;
    confirmButtonLabel: string;
    submitLabel: string;
    consentRequiredMessage: string;
    [key: string]: unknown;
}

const stringKeys = ["emailLabel", "submitLabel", "confirmButtonLabel", "pageTitle", "privacyLinkLabel"] as const;

export function readDoiStrings(lang: DoiLanguage): DoiStrings {
    const rel = `doiBlueprint/${lang}/strings.json`;
    const parsed = JSON.parse(readTemplate(rel)) as Record<string, unknown>;
    for (const k of stringKeys) {
        if (typeof parsed[k] !== "string" || (parsed[k] as string).trim() === "") throw new Error(`${rel}: "${k}" must be a non-empty string`);
    }
    return parsed as DoiStrings;
}

/** The label of the confirm button on the endpoint's confirmation page (the generated documents quote it). */
export const doiConfirmButtonLabel = (lang: DoiLanguage): string => readDoiStrings(lang).confirmButtonLabel;
