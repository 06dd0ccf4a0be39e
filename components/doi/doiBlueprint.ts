/**
 * The double-opt-in (DOI) blueprint: settings in, the list of Mautic objects to ensure out, each
 * as the JSON payload of Mautic's REST API. Pure apart from reading the editable texts under
 * `templates/doiBlueprint/` (deterministic), so it can be unit-tested without a Mautic and its hash
 * drives the `DoiSetup` resource's diff.
 *
 * The flow it builds (C04, C05, C06; measured on a real Mautic 5.2.1, docs/evidence/conformance.md;
 * user documentation docs/guide/doi.md):
 *
 *   sign-up form per language (kiosk mode, no `language`): e-mail, processing notice, required
 *   unticked consent box, optional unticked click-measurement box, hidden text version and
 *   language (form result only, not mapped: a sign-up never rewrites a known contact)
 *     -> form action: tag `doi-pending` (by tag ID). Mautic adds the contact to the campaign.
 *   campaign "DOI: delete unconfirmed contacts (<lang>)" (doiCampaign.ts): known contacts
 *   (doi-confirmed, doi-keep, DNC) are left as they were; others get the confirmation e-mail;
 *   the link in it (tracked redirect: proof of the mailbox) leads to the confirmation page,
 *   whose confirm form (one button, a POST) is the explicit confirmation; then tag
 *   doi-confirmed and record consent_date, version, language (and tracking_consent); no
 *   link or no button within N days -> delete.
 *
 * Seen on a real 5.2.1 (docs/facts/mautic.md): form `language` must be a language Mautic has
 * installed (offline en_US only); form actions take tag IDs, campaign events tag names; a
 * checkboxgrp renders its options only with `syncList` (or list/optionList) set; form aliases
 * are the name cut to 10 characters (the API cannot set them); contact fields use the key
 * `isUniqueIdentifer` and have no description; a cookie-less submission of a non-kiosk form
 * merges a known contact into a new anonymous one (its DNC entry is lost).
 *
 * Mautic sources the shapes were checked against (mautic/mautic unless named):
 * - `email.send` action {email, email_type transactional|marketing, priority, attempts} and the
 *   decisions `email.open` / `email.click` {urls: {list: [..]}}, whose source must be an
 *   `email.send` (connectionRestrictions); the click decision matches the clicked URL against
 *   the list as a case-insensitive substring, scheme ignored: app/bundles/EmailBundle/
 *   EventListener/CampaignSubscriber.php, Form/Type/EmailSendType.php,
 *   Form/Type/EmailClickDecisionType.php, Helper/UrlMatcher.php.
 * - A click fires `email.click` only through a tracked redirect carrying the e-mail:
 *   EmailBundle/EventListener/PageSubscriber.php (PAGE_ON_HIT, `$hit->getRedirect()` and
 *   `$hit->getEmail()`); links and `{pagelink=ID}` tokens in e-mails become trackables:
 *   PageBundle/Model/TrackableModel.php, PageBundle/EventListener/BuilderSubscriber.php.
 * - The "no" path: its events run when their own delay, counted from the parent's execution
 *   (the send), has passed without the decision: CampaignBundle/Executioner/Helper/
 *   InactiveHelper.php. So the delay sits on `lead.deletecontact`, not on the decision.
 * - `lead.changetags` {add_tags, remove_tags} (names), `lead.updatelead` {<alias>: value} with
 *   `now` for date/time fields (mautic/user-documentation:docs/campaigns/campaign_builder.rst,
 *   "Update Contact"), condition
 *   `lead.field_value` {field, operator "=", value} (LeadBundle/Segment/OperatorOptions.php):
 *   LeadBundle/EventListener/CampaignSubscriber.php; `lead.deletecontact` (no properties,
 *   nothing may follow it): LeadBundle/EventListener/CampaignActionDeleteContactSubscriber.php.
 * - Campaign create: `events` and `lists` or `forms` (each [{id}]) are required, `canvasSettings`
 *   nodes/connections with the source node `forms` and anchors leadsource/yes/no/bottom/top:
 *   CampaignBundle/Controller/Api/CampaignApiController.php; event fields:
 *   mautic/developer-documentation-new:docs/rest_api/campaigns.rst.
 * - Forms feed form-sourced campaigns on submit, after the form actions ran; up to Mautic 6.x
 *   only forms that are not "standalone" do (FormBundle/Model/SubmissionModel.php,
 *   `if (!$form->isStandalone())`; 7.x dropped the check), hence `formType: "campaign"`.
 *   Form payload fields/actions: mautic/developer-documentation-new:docs/rest_api/forms.rst.
 * - Segments: tag filter {field: tags, object: lead, type: tags, operator: in,
 *   properties.filter: [tag ids]}; in mautic/developer-documentation-new: tags
 *   :docs/rest_api/tags.rst, contact fields :docs/rest_api/fields.rst; e-mails `emailType`
 *   template (the type campaigns send), pages `customHtml`: :docs/rest_api/emails.rst, pages.rst.
 */
import { createHash } from "crypto";
import { hostName } from "../shared/hostName";
import { readTemplate, renderTemplate } from "../shared/template";
import { campaignPayload, doiCampaignDriftChecks, doiCampaignEvents } from "./doiCampaign";

/** A JSON value as sent to or received from Mautic. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Languages the kit ships texts for (`templates/doiBlueprint/<language>/`). */
export const doiLanguages = ["de", "en"] as const;
export type DoiLanguage = (typeof doiLanguages)[number];

export interface DoiBlueprintInput {
    /** Mautic's public origin, e.g. "https://marketing.client-a.de". Required. */
    mauticUrl: string;
    /** The ONE website this Mautic serves, e.g. "https://www.client-a.de". Required. */
    website: string;
    /** Contacts who did not click the confirmation link are deleted this many days after the e-mail was sent. Default 3; 1 to 30. */
    unconfirmedContactDays: number;
    /**
     * Version label of the consent text, stored with every sign-up (hidden form field and the
     * checkbox's value). Bump it whenever the consent wording changes. Default "v1".
     */
    consentTextVersion?: string;
    /** Languages to create a form, e-mail and landing page for. Default ["de", "en"]. */
    languages?: DoiLanguage[];
    /** Privacy policy linked from the form, e-mail and page. Default `<website>/datenschutz`. */
    privacyPolicyUrl?: string;
    /** Mautic release line the payloads are built for ("5.2", "6.0" or "7.2"). Default "6.0". */
    mauticLine?: MauticLine;
}

/** The validated, defaulted settings the blueprint is built from. */
export interface DoiSettings {
    mauticUrl: string;
    mauticHost: string;
    website: string;
    websiteHost: string;
    unconfirmedContactDays: number;
    consentTextVersion: string;
    languages: DoiLanguage[];
    privacyPolicyUrl: string;
    mauticLine: MauticLine;
}

/** Defaults of `DoiBlueprintInput`. */
export const doiDefaults = {
    unconfirmedContactDays: 3,
    consentTextVersion: "v1",
    languages: [...doiLanguages] as DoiLanguage[],
    privacyPolicyPath: "/datenschutz",
    mauticLine: "6.0" as MauticLine,
} as const;

/** The Mautic REST resources the blueprint uses, as path segments below `/api/`. */
export type MauticResource = "tags" | "fields/contact" | "pages" | "emails" | "forms" | "segments" | "campaigns";

/**
 * A check run against an object that already exists: the kit never overwrites an existing
 * object (a marketer may have edited it), but it reports when a setting it manages differs.
 * Exactly one of `expected` (equality) and `forbidden` (the value must not contain this text)
 * is set.
 */
export interface DriftCheck {
    /** What the setting means, for the report. */
    description: string;
    /** Name of the campaign event whose property is checked. */
    eventName?: string;
    /** Alias of the form field whose property is checked. Without eventName/fieldAlias the object's own property is. */
    fieldAlias?: string;
    /** Property name; a dotted path reaches into nested values, e.g. "properties.urls.list.0". */
    property: string;
    expected?: string | number | boolean;
    /** Text the value (JSON for non-strings) must not contain, e.g. a retired action type. */
    forbidden?: string;
    /** What the operator does about it. */
    fix: string;
}

/** One Mautic object the kit ensures exists. */
export interface BlueprintObject {
    /** Stable key inside the blueprint, used by references (`refMarker`). */
    key: string;
    resource: MauticResource;
    /** The property that identifies the object across runs, and its value. */
    matchBy: "tag" | "alias" | "name";
    matchValue: string;
    /**
     * The create payload. Strings may contain `%%ref:<key>%%`: a string that is exactly a marker
     * becomes the referenced object's numeric id, a marker inside a longer string is replaced
     * by the id's digits.
     */
    payload: JsonObject;
    /** Keys of the objects this one references; they come earlier in `objects`. */
    dependsOn: string[];
    driftChecks?: DriftCheck[];
}

/** An object an earlier version of the kit created and that must go: reported while it exists. */
export interface RetiredObject {
    resource: MauticResource;
    matchBy: "tag" | "alias" | "name";
    matchValue: string;
    /** Why it must go. */
    reason: string;
    fix: string;
}

export interface DoiBlueprint {
    schemaVersion: 2;
    settings: DoiSettings;
    /** In creation order: every object comes after the objects it references. */
    objects: BlueprintObject[];
    /** Objects of earlier kit versions that are reported as drift while they exist. */
    retired: RetiredObject[];
    /** sha256 over settings, objects and retired; changes whenever anything the kit would create changes. */
    hash: string;
}

/**
 * Tag names of the DOI states. Part of the contract with the marketer and with the daily
 * safety-net job that deletes never-confirmed sign-ups: keep them.
 * - `doi-pending`: set by the sign-up form on every submission; removed on confirmation and
 *   again by the campaign when the contact was already known.
 * - `doi-confirmed`: the contact pressed the confirm button after opening the link in the mail.
 * - `doi-keep`: set by the marketer (or an import) on contacts that exist for other reasons;
 *   the DOI campaign and the safety net never delete or change a contact that carries it.
 */
export const doiTags = { pending: "doi-pending", confirmed: "doi-confirmed", keep: "doi-keep" } as const;

/** Aliases of the custom contact fields. */
export const doiFields = {
    /** Set by the campaign when the contact confirms (Mautic stores "now" as wall-clock time of its default_timezone). */
    consentDate: "consent_date",
    consentTextVersion: "consent_text_version",
    consentLanguage: "consent_language",
    /** The optional, separate consent to click measurement and profiling (value `tracking-<version>`, empty without it). */
    trackingConsent: "tracking_consent",
} as const;

/** Aliases of the sign-up form's fields that carry the evidence (form results). */
export const doiFormFields = {
    email: "email",
    consent: "consent",
    trackingConsent: "tracking_consent",
    consentTextVersion: "consent_text_version",
    consentLanguage: "consent_language",
} as const;

/**
 * The Mautic release lines the kit supports. Payloads differ only where the line differs:
 * - 5.2 and 6.0 (default): forms carry `formType: "campaign"`, because a "standalone" form
 *   adds nobody to a campaign (FormBundle SubmissionModel `if (!$form->isStandalone())`);
 * - 7.2: `formType` is ignored from 7.1 (every form feeds its campaigns; removed in 8.0), so
 *   the kit does not send it and does not check it.
 */
export const mauticLines = ["5.2", "6.0", "7.2"] as const;
export type MauticLine = (typeof mauticLines)[number];

/** The release line of an image tag such as "6.0.6-apache"; undefined for a line the kit does not support. */
export function mauticLineOf(version: string): MauticLine | undefined {
    const m = /^(\d+)\.(\d+)/.exec(version.trim());
    if (!m) return undefined;
    const line = `${m[1]}.${m[2]}`;
    return (mauticLines as readonly string[]).includes(line) ? (line as MauticLine) : undefined;
}

/**
 * The payload line for any image tag: its own line when supported, else the nearest one that
 * behaves the same for the DOI objects (5.x -> 5.2; 6.x and 7.0, which still honours formType
 * -> 6.0; 7.1 and later, which ignore formType -> 7.2).
 */
export function doiLineFor(version: string): MauticLine {
    const exact = mauticLineOf(version);
    if (exact) return exact;
    const m = /^(\d+)\.(\d+)/.exec(version.trim());
    const major = m ? Number(m[1]) : 6;
    const minor = m ? Number(m[2]) : 0;
    if (major <= 5) return "5.2";
    if (major === 6 || (major === 7 && minor === 0)) return "6.0";
    return "7.2";
}

/**
 * Names and aliases by which the kit finds its objects again. Renaming one of them in Mautic
 * makes the next deploy create a fresh copy, so they are constants here, not editable texts.
 * Form aliases cannot be set through Mautic's API: Mautic derives them from the name, cut to
 * 10 characters, so the names start with "DOI <lang>: sign" / "DOI <lang>: conf" to make the
 * aliases unique (`doi_de_sig`, `doi_de_con`, ...).
 */
export const doiNames = {
    segmentPending: { name: "DOI: unconfirmed contacts (doi-pending)", alias: "doi-pending" },
    segmentConfirmed: { name: "DOI: confirmed contacts (doi-confirmed)", alias: "doi-confirmed" },
    /** Common prefix of the per-language DOI campaigns (the generated documents cite it, C06). */
    campaignDelete: "DOI: delete unconfirmed contacts",
    /** The DOI campaign of one language: sends the mail, confirms on the button, deletes who does not confirm. */
    campaign: (lang: DoiLanguage) => `DOI: delete unconfirmed contacts (${lang})`,
    form: (lang: DoiLanguage) => `DOI ${lang}: sign-up form`,
    formAlias: (lang: DoiLanguage) => `doi_${lang}_sig`,
    confirmForm: (lang: DoiLanguage) => `DOI ${lang}: confirm button`,
    confirmFormAlias: (lang: DoiLanguage) => `doi_${lang}_con`,
    email: (lang: DoiLanguage) => `DOI: confirmation email (${lang})`,
    pageAlias: (lang: DoiLanguage) => (lang === "de" ? "doi-bestaetigung" : "doi-confirmation"),
} as const;

export { doiEventNames } from "./doiCampaign";

/**
 * What the click decision accepts as "the confirmation link": the landing page's path, matched
 * by Mautic as a substring of the clicked URL (so the privacy-policy link does not count).
 */
export const confirmLinkFilter = (lang: DoiLanguage): string => `/${doiNames.pageAlias(lang)}`;

/** The value a ticked tracking-consent box submits (and the campaign copies to the contact). */
export const trackingConsentValue = (version: string): string => `tracking-${version}`;

/**
 * Placeholder in the processing notice for the address a subscriber writes to in order to
 * withdraw consent. The marketer replaces it in Mautic; the kit reports it until then.
 */
export const withdrawalContactPlaceholder: Record<DoiLanguage, string> = {
    de: "[Kontaktadresse einfügen]",
    en: "[insert contact address]",
};

/** Mautic's cookies on its own host, named in the consent texts (see docs/facts/mautic.md, mtc.js). */
export const mauticHostCookies = ["mtc_id", "mautic_device_id", "mautic_referer_id"] as const;

/** Marker for a reference to another blueprint object's id. */
export function refMarker(key: string): string {
    return `%%ref:${key}%%`;
}

/** Invalid DOI settings: every problem, one per line, each naming the field and the fix. */
export class DoiBlueprintError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid double opt-in settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "DoiBlueprintError";
    }
}


function httpsOrigin(field: string, value: unknown, problems: string[], example: string): { origin: string; host: string } | undefined {
    if (typeof value !== "string" || value.trim() === "") {
        problems.push(`${field} is missing. Fix: give an https origin, e.g. "${example}".`);
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        problems.push(`${field} = ${JSON.stringify(value)} is not an absolute URL. Fix: give an https origin, e.g. "${example}".`);
        return undefined;
    }
    if (url.protocol !== "https:") {
        problems.push(`${field} = ${JSON.stringify(value)} is not https (C11). Fix: use "https://${url.host || "host"}".`);
        return undefined;
    }
    if (url.username || url.password) {
        problems.push(`${field} = [redacted] contains credentials. Fix: give the origin only, e.g. "${example}".`);
        return undefined;
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /^https:\/\/[^/]+\/./.test(value)) {
        problems.push(`${field} = ${JSON.stringify(value)} has a path, query or fragment. Fix: give the origin only, e.g. "${example}".`);
        return undefined;
    }
    if (!hostName.test(url.hostname)) {
        problems.push(`${field} = ${JSON.stringify(value)} has no valid fully qualified host name. Fix: e.g. "${example}".`);
        return undefined;
    }
    return { origin: url.origin, host: url.host };
}

/** Validates and defaults the input. Throws `DoiBlueprintError` listing every problem. */
export function resolveDoiSettings(input: DoiBlueprintInput): DoiSettings {
    const problems: string[] = [];
    const raw = (input ?? {}) as unknown as Record<string, unknown>;
    const known = new Set(["mauticUrl", "website", "unconfirmedContactDays", "consentTextVersion", "languages", "privacyPolicyUrl", "mauticLine"]);
    for (const k of Object.keys(raw)) {
        if (!known.has(k)) problems.push(`${k} is not a DOI setting. Fix: remove it; known settings: ${[...known].join(", ")}.`);
    }

    const mautic = httpsOrigin("mauticUrl", raw.mauticUrl, problems, "https://marketing.client-a.de");
    const website = httpsOrigin("website", raw.website, problems, "https://www.client-a.de");
    if (mautic && website && mautic.origin === website.origin) {
        problems.push(`mauticUrl and website are both ${mautic.origin}. Fix: Mautic runs on its own host name, e.g. "https://marketing.<domain>".`);
    }

    const days = raw.unconfirmedContactDays ?? doiDefaults.unconfirmedContactDays;
    if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 30) {
        problems.push(`unconfirmedContactDays = ${JSON.stringify(days)} must be a whole number from 1 to 30 (C06: "within a few days"). Fix: e.g. 3.`);
    }

    const version = raw.consentTextVersion ?? doiDefaults.consentTextVersion;
    if (typeof version !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(version)) {
        problems.push(`consentTextVersion = ${JSON.stringify(version)} must be 1-32 characters of A-Z, a-z, 0-9, '.', '_', '-'. Fix: e.g. "v1" or "2026-01".`);
    }

    const langs = raw.languages ?? doiDefaults.languages;
    if (!Array.isArray(langs) || langs.length === 0 || langs.some((l) => !(doiLanguages as readonly string[]).includes(l as string))) {
        problems.push(`languages = ${JSON.stringify(langs)} must be a non-empty list of ${doiLanguages.map((l) => `"${l}"`).join(", ")}. Fix: e.g. ["de"].`);
    } else if (new Set(langs).size !== langs.length) {
        problems.push(`languages = ${JSON.stringify(langs)} lists a language twice. Fix: list each once.`);
    }

    let privacyPolicyUrl = "";
    if (raw.privacyPolicyUrl !== undefined) {
        const p = raw.privacyPolicyUrl;
        let ok = false;
        if (typeof p === "string") {
            try {
                const u = new URL(p);
                ok = u.protocol === "https:" && !u.username && !u.password && /^[^"'<>\s]+$/.test(p);
            } catch {
                ok = false;
            }
        }
        if (!ok) problems.push(`privacyPolicyUrl = ${JSON.stringify(p)} must be an https URL without quotes or spaces. Fix: e.g. "https://www.client-a.de/datenschutz".`);
        else privacyPolicyUrl = p as string;
    } else if (website) {
        privacyPolicyUrl = `${website.origin}${doiDefaults.privacyPolicyPath}`;
    }

    const line = raw.mauticLine ?? doiDefaults.mauticLine;
    if (typeof line !== "string" || !(mauticLines as readonly string[]).includes(line)) {
        problems.push(`mauticLine = ${JSON.stringify(line)} is not a supported Mautic line. Fix: one of ${mauticLines.map((l) => `"${l}"`).join(", ")} (derived from mauticVersion).`);
    }

    if (problems.length > 0) throw new DoiBlueprintError(problems);
    return {
        mauticUrl: mautic!.origin,
        mauticHost: mautic!.host,
        website: website!.origin,
        websiteHost: website!.host,
        unconfirmedContactDays: days as number,
        consentTextVersion: version as string,
        // Fixed order, whatever order was given, so the hash does not depend on it.
        languages: doiLanguages.filter((l) => (langs as string[]).includes(l)),
        privacyPolicyUrl,
        mauticLine: line as MauticLine,
    };
}

interface Strings {
    emailLabel: string;
    emailRequiredMessage: string;
    noticeFieldLabel: string;
    consentFieldLabel: string;
    consentRequiredMessage: string;
    trackingConsentFieldLabel: string;
    submitLabel: string;
    confirmButtonLabel: string;
    confirmEmailMissingMessage: string;
    pageTitle: string;
    pageMetaDescription: string;
}

const stringKeys: (keyof Strings)[] = [
    "emailLabel", "emailRequiredMessage", "noticeFieldLabel", "consentFieldLabel", "consentRequiredMessage",
    "trackingConsentFieldLabel", "submitLabel", "confirmButtonLabel", "confirmEmailMissingMessage", "pageTitle", "pageMetaDescription",
];

function readStrings(lang: DoiLanguage): Strings {
    const rel = `doiBlueprint/${lang}/strings.json`;
    const parsed = JSON.parse(readTemplate(rel)) as Record<string, unknown>;
    for (const k of stringKeys) {
        if (typeof parsed[k] !== "string" || (parsed[k] as string).trim() === "") throw new Error(`${rel}: "${k}" must be a non-empty string`);
    }
    return parsed as unknown as Strings;
}

/** The label of the confirm button on the confirmation page (the generated documents quote it). */
export const doiConfirmButtonLabel = (lang: DoiLanguage): string => readStrings(lang).confirmButtonLabel;

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** Key helpers, so references cannot be misspelt. */
export const doiKeys = {
    tag: (t: "pending" | "confirmed") => `tag:${t}`,
    field: (f: keyof typeof doiFields) => `field:${f}`,
    page: (l: DoiLanguage) => `page:confirm:${l}`,
    email: (l: DoiLanguage) => `email:confirm:${l}`,
    form: (l: DoiLanguage) => `form:signup:${l}`,
    confirmForm: (l: DoiLanguage) => `form:confirm:${l}`,
    segment: (s: "pending" | "confirmed") => `segment:${s}`,
    campaign: (l: DoiLanguage) => `campaign:${l}`,
} as const;

/** Objects of earlier kit versions that must not stay in Mautic. */
function retiredObjects(): RetiredObject[] {
    const out: RetiredObject[] = [
        {
            resource: "campaigns",
            matchBy: "name",
            matchValue: "DOI: record confirmation",
            reason: "it belongs to the retired flow that confirmed contacts by a page visit",
            fix: "unpublish the campaign 'DOI: record confirmation' in Mautic, then delete it",
        },
        {
            resource: "campaigns",
            matchBy: "name",
            matchValue: "DOI: delete unconfirmed contacts",
            reason: "it confirms on a click (a GET that link scanners follow) and deletes contacts that existed before the sign-up",
            fix: "unpublish the campaign 'DOI: delete unconfirmed contacts' in Mautic once its last contacts have passed their deletion date, then delete it; embed the new forms",
        },
    ];
    for (const lang of doiLanguages) {
        out.push({
            resource: "forms",
            matchBy: "name",
            matchValue: `DOI: sign-up form (${lang})`,
            reason: "it belongs to the retired click-confirmation flow (and Mautic gave both languages the alias doi_signup)",
            fix: `unpublish the form 'DOI: sign-up form (${lang})' in Mautic and keep it for its results (consent evidence); embed '${doiNames.form(lang)}' instead`,
        });
    }
    return out;
}

/** Builds the objects in creation order. */
export function doiBlueprint(input: DoiBlueprintInput): DoiBlueprint {
    const s = resolveDoiSettings(input);
    const objects: BlueprintObject[] = [];
    const add = (o: Omit<BlueprintObject, "dependsOn">) => objects.push({ ...o, dependsOn: collectRefs(o.payload) });
    const managed = "Managed by mautic-gdpr-kit (double opt-in). The kit finds this object by its name/alias: do not rename it; edit its texts freely.";
    const trackingValue = trackingConsentValue(s.consentTextVersion);

    // Tags first: form actions and segment filters reference tags by id.
    for (const t of ["pending", "confirmed"] as const) {
        add({
            key: doiKeys.tag(t),
            resource: "tags",
            matchBy: "tag",
            matchValue: doiTags[t],
            payload: {
                tag: doiTags[t],
                description: t === "pending"
                    ? `Signed up through a DOI form, not confirmed yet. The campaign '${doiNames.campaignDelete} (<language>)' deletes a new contact ${s.unconfirmedContactDays} day(s) after the confirmation email if it does not confirm; known contacts (doi-confirmed, doi-keep, do-not-contact) are never deleted.`
                    : "Double opt-in confirmed: the contact opened the link in the confirmation email and pressed the confirm button.",
            },
        });
    }

    // Consent fields (C04). Contact fields have no description in Mautic; the key is spelt isUniqueIdentifer (sic).
    const field = (key: keyof typeof doiFields, label: string, type: string) =>
        add({
            key: doiKeys.field(key),
            resource: "fields/contact",
            matchBy: "alias",
            matchValue: doiFields[key],
            payload: {
                label,
                alias: doiFields[key],
                type,
                group: "core",
                object: "lead",
                isPublished: true,
                isRequired: false,
                isPubliclyUpdatable: false,
                isUniqueIdentifer: false,
            },
        });
    field("consentDate", "Consent date (double opt-in confirmed)", "datetime");
    field("consentTextVersion", "Consent text version", "text");
    field("consentLanguage", "Consent text language", "text");
    field("trackingConsent", "Consent to click measurement and profiling", "text");

    const texts = { websiteHost: s.websiteHost, mauticHost: s.mauticHost, privacyPolicyUrl: s.privacyPolicyUrl };
    const formType: JsonObject = s.mauticLine === "7.2" ? {} : { formType: "campaign" };
    const checkbox = (label: string, alias: string, value: string, required: boolean, str: Strings, order: number): JsonObject => ({
        label,
        alias,
        type: "checkboxgrp",
        isRequired: required,
        defaultValue: "",
        ...(required ? { validationMessage: str.consentRequiredMessage } : {}),
        // syncList 0 + optionlist: what Mautic's UI stores. Without syncList the field template renders no box.
        properties: { syncList: 0, optionlist: { list: [{ label, value }] }, labelAttributes: "", optionsAttributes: "" },
        order,
    });

    for (const lang of s.languages) {
        const str = readStrings(lang);
        // The confirm form: one button. Its hidden email is filled by Mautic from the page URL's
        // `email` query (the link in the mail carries it); kiosk mode, like the sign-up form.
        add({
            key: doiKeys.confirmForm(lang),
            resource: "forms",
            matchBy: "name",
            matchValue: doiNames.confirmForm(lang),
            payload: {
                name: doiNames.confirmForm(lang),
                description: `${managed} Shown on the landing page '${doiNames.pageAlias(lang)}'. Pressing its button is the explicit confirmation the campaign '${doiNames.campaign(lang)}' waits for.`,
                ...formType,
                isPublished: true,
                inKioskMode: true,
                renderStyle: true,
                postAction: "message",
                postActionProperty: oneLine(renderTemplate(`doiBlueprint/${lang}/confirm-success.txt`, { websiteHost: s.websiteHost })),
                fields: [
                    {
                        label: str.emailLabel,
                        alias: "email",
                        type: "hidden",
                        isRequired: true,
                        validationMessage: str.confirmEmailMissingMessage,
                        mappedObject: "contact",
                        mappedField: "email",
                        order: 1,
                    },
                    { label: str.confirmButtonLabel, alias: "submit", type: "button", order: 2 },
                ],
                actions: [],
            },
            driftChecks: [
                { description: "form alias (Mautic derives it from the name)", property: "alias", expected: doiNames.confirmFormAlias(lang), fix: `rename the form to '${doiNames.confirmForm(lang)}'` },
                { description: "published state (the landing page shows the button only while the form is published)", property: "isPublished", expected: true, fix: `publish the form '${doiNames.confirmForm(lang)}'` },
            ],
        });
        add({
            key: doiKeys.page(lang),
            resource: "pages",
            matchBy: "alias",
            matchValue: doiNames.pageAlias(lang),
            payload: {
                title: str.pageTitle,
                alias: doiNames.pageAlias(lang),
                language: lang,
                isPublished: true,
                template: "mautic_code_mode",
                metaDescription: str.pageMetaDescription,
                customHtml: renderTemplate(`doiBlueprint/${lang}/confirmation-page.html`, {
                    websiteHost: s.websiteHost,
                    website: s.website,
                    privacyPolicyUrl: s.privacyPolicyUrl,
                    confirmForm: `{form=${refMarker(doiKeys.confirmForm(lang))}}`,
                }),
            },
            driftChecks: [
                {
                    description: "tracking image on the confirmation page (the retired flow: it tagged anyone who opened the page as confirmed)",
                    property: "customHtml",
                    forbidden: "mtracking.gif",
                    fix: `edit the landing page '${doiNames.pageAlias(lang)}' in Mautic and delete the image whose address contains mtracking.gif`,
                },
            ],
        });
        add({
            key: doiKeys.email(lang),
            resource: "emails",
            matchBy: "name",
            matchValue: doiNames.email(lang),
            payload: {
                name: doiNames.email(lang),
                subject: oneLine(renderTemplate(`doiBlueprint/${lang}/confirmation-email.subject.txt`, { websiteHost: s.websiteHost })),
                // Template e-mails are the ones a campaign can send (segment e-mails are broadcasts).
                emailType: "template",
                language: lang,
                isPublished: true,
                template: "mautic_code_mode",
                customHtml: renderTemplate(`doiBlueprint/${lang}/confirmation-email.html`, {
                    websiteHost: s.websiteHost,
                    privacyPolicyUrl: s.privacyPolicyUrl,
                    // Mautic rewrites this link into a per-recipient tracked redirect (the click decision);
                    // the email query fills the confirm form's hidden field ({contactfield=..|true} url-encodes).
                    confirmLink: `${s.mauticUrl}/${doiNames.pageAlias(lang)}?email={contactfield=email|true}`,
                    unconfirmedContactDays: s.unconfirmedContactDays,
                }),
            },
            driftChecks: [
                {
                    description: "email type (a campaign sends template emails only)",
                    property: "emailType",
                    expected: "template",
                    fix: `delete the email '${doiNames.email(lang)}' and deploy again with a new rerunToken so the kit recreates it as a template email`,
                },
                {
                    description: "open-tracking pixel written into the confirmation email",
                    property: "customHtml",
                    forbidden: "{tracking_pixel}",
                    fix: `edit the email '${doiNames.email(lang)}' in Mautic and remove the {tracking_pixel} token`,
                },
            ],
        });
        add({
            key: doiKeys.form(lang),
            resource: "forms",
            matchBy: "name",
            matchValue: doiNames.form(lang),
            payload: {
                name: doiNames.form(lang),
                description: `${managed} Source of the campaign '${doiNames.campaign(lang)}', which sends the confirmation email. Review the texts (replace ${withdrawalContactPlaceholder[lang]}), then publish the form and embed it on ${s.website}.`,
                // No `language`: Mautic accepts only languages it has installed (offline: en_US); the texts are in the fields.
                ...formType,
                // Unpublished on purpose: the sign-up goes live only after a person reviewed the texts.
                isPublished: false,
                // Kiosk mode: Mautic uses a known contact as it is. Without it, a cookie-less submission
                // creates an anonymous contact and MERGES the known one into it (seen on 5.2.1: the
                // known contact's id and its do-not-contact entry were gone).
                inKioskMode: true,
                renderStyle: true,
                postAction: "message",
                postActionProperty: oneLine(renderTemplate(`doiBlueprint/${lang}/form-success.txt`, { unconfirmedContactDays: s.unconfirmedContactDays })),
                fields: [
                    {
                        label: str.emailLabel,
                        alias: doiFormFields.email,
                        type: "email",
                        isRequired: true,
                        validationMessage: str.emailRequiredMessage,
                        mappedObject: "contact",
                        mappedField: "email",
                        order: 1,
                    },
                    {
                        label: str.noticeFieldLabel,
                        alias: "processing_notice",
                        type: "freetext",
                        showLabel: true,
                        properties: {
                            text: renderTemplate(`doiBlueprint/${lang}/processing-notice.html`, {
                                ...texts,
                                unconfirmedContactDays: s.unconfirmedContactDays,
                                withdrawalContact: withdrawalContactPlaceholder[lang],
                            }).trim(),
                        },
                        order: 2,
                    },
                    // C05: active consent. Required, NOT pre-ticked; the submitted value names the text version.
                    checkbox(oneLine(renderTemplate(`doiBlueprint/${lang}/consent-label.txt`, { websiteHost: s.websiteHost })), doiFormFields.consent, `consent-${s.consentTextVersion}`, true, str, 3),
                    // Art. 7(4): click measurement and profiling are a separate, optional consent.
                    checkbox(oneLine(renderTemplate(`doiBlueprint/${lang}/tracking-consent-label.txt`, { websiteHost: s.websiteHost })), doiFormFields.trackingConsent, trackingValue, false, str, 4),
                    // Evidence in the form result only: not mapped, so a sign-up never rewrites a known contact's fields.
                    { label: "Consent text version", alias: doiFormFields.consentTextVersion, type: "hidden", defaultValue: s.consentTextVersion, order: 5 },
                    { label: "Consent text language", alias: doiFormFields.consentLanguage, type: "hidden", defaultValue: lang, order: 6 },
                    { label: str.submitLabel, alias: "submit", type: "button", order: 7 },
                ],
                // Only the pending tag (form actions take tag IDs). The e-mail comes from the campaign.
                actions: [
                    {
                        name: "DOI: mark as pending",
                        type: "lead.changetags",
                        order: 1,
                        properties: { add_tags: [refMarker(doiKeys.tag("pending"))], remove_tags: [] },
                    },
                ],
            },
            driftChecks: [
                ...(s.mauticLine === "7.2"
                    ? []
                    : [{
                        description: "form type (up to Mautic 6.x a standalone form adds nobody to the DOI campaign, so no confirmation email is sent)",
                        property: "formType",
                        forbidden: "standalone",
                        fix: `edit the form '${doiNames.form(lang)}' in Mautic and set its type to 'Campaign form'`,
                    }]),
                { description: "form alias (Mautic derives it from the name)", property: "alias", expected: doiNames.formAlias(lang), fix: `rename the form to '${doiNames.form(lang)}'` },
                {
                    description: "form action that sends the confirmation email itself (the campaign must send it)",
                    property: "actions",
                    forbidden: "email.send.lead",
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and remove the action 'Send email to contact'`,
                },
                {
                    description: "consent checkbox 'required' (C05: consent must be given actively)",
                    fieldAlias: doiFormFields.consent,
                    property: "isRequired",
                    expected: true,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and make the field 'consent' required again`,
                },
                {
                    description: "consent checkbox default (C05: never pre-ticked)",
                    fieldAlias: doiFormFields.consent,
                    property: "defaultValue",
                    expected: "",
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and clear the default value of the field 'consent'`,
                },
                {
                    description: "click-measurement checkbox 'required' (Art. 7(4): it must stay optional)",
                    fieldAlias: doiFormFields.trackingConsent,
                    property: "isRequired",
                    expected: false,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and make the field 'tracking_consent' optional again`,
                },
                {
                    description: "click-measurement checkbox default (never pre-ticked)",
                    fieldAlias: doiFormFields.trackingConsent,
                    property: "defaultValue",
                    expected: "",
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and clear the default value of the field 'tracking_consent'`,
                },
                {
                    description: "consent text version the form records",
                    fieldAlias: doiFormFields.consentTextVersion,
                    property: "defaultValue",
                    expected: s.consentTextVersion,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic: set the default value of the hidden field '${doiFormFields.consentTextVersion}' to ${s.consentTextVersion} and update the consent texts to that version`,
                },
                {
                    description: "withdrawal contact in the processing notice",
                    fieldAlias: "processing_notice",
                    property: "properties.text",
                    forbidden: withdrawalContactPlaceholder[lang],
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and replace ${withdrawalContactPlaceholder[lang]} in the field 'processing_notice' with the address subscribers write to (e.g. datenschutz@<domain>)`,
                },
            ],
        });
    }

    for (const seg of ["pending", "confirmed"] as const) {
        const names = seg === "pending" ? doiNames.segmentPending : doiNames.segmentConfirmed;
        add({
            key: doiKeys.segment(seg),
            resource: "segments",
            matchBy: "alias",
            matchValue: names.alias,
            payload: {
                name: names.name,
                alias: names.alias,
                description: seg === "pending"
                    ? `${managed} Contacts who signed up and have not confirmed yet. Do not send to this segment.`
                    : `${managed} Send newsletters to this segment: it holds only contacts who confirmed with the button.`,
                isPublished: true,
                isGlobal: true,
                isPreferenceCenter: false,
                filters: [
                    {
                        glue: "and",
                        field: "tags",
                        object: "lead",
                        type: "tags",
                        operator: "in",
                        properties: { filter: [refMarker(doiKeys.tag(seg))] },
                    },
                ],
            },
        });
    }

    const campaignNames = {
        tags: doiTags,
        fields: doiFields,
        trackingFormField: doiFormFields.trackingConsent,
        trackingValue,
    };
    for (const lang of s.languages) {
        const names = { ...campaignNames, confirmLinkFilter: confirmLinkFilter(lang) };
        const specs = doiCampaignEvents(s, lang, {
            email: refMarker(doiKeys.email(lang)),
            signupForm: refMarker(doiKeys.form(lang)),
            confirmForm: refMarker(doiKeys.confirmForm(lang)),
        }, names);
        add({
            key: doiKeys.campaign(lang),
            resource: "campaigns",
            matchBy: "name",
            matchValue: doiNames.campaign(lang),
            payload: campaignPayload(
                {
                    name: doiNames.campaign(lang),
                    description: `${managed} C04/C06: sends the confirmation email to everyone who submits '${doiNames.form(lang)}' (at the next mautic:campaigns:trigger run) unless the contact is already known (doi-confirmed, doi-keep, do-not-contact); only opening the link AND pressing the button on the page confirms; a new contact that does not confirm within ${s.unconfirmedContactDays} day(s) is deleted. Published on purpose.`,
                    isPublished: true,
                },
                [refMarker(doiKeys.form(lang))],
                specs,
            ),
            driftChecks: doiCampaignDriftChecks(s, doiNames.campaign(lang), names),
        });
    }

    const blueprintBody = { schemaVersion: 2 as const, settings: s, objects, retired: retiredObjects() };
    checkOrder(objects);
    return { ...blueprintBody, hash: sha256(stableStringify(blueprintBody as unknown as JsonValue)) };
}

const refRe = /%%ref:([^%]+)%%/g;

/** The keys referenced anywhere in a payload, in first-seen order. */
export function collectRefs(value: JsonValue): string[] {
    const out: string[] = [];
    const walk = (v: JsonValue) => {
        if (typeof v === "string") {
            for (const m of v.matchAll(refRe)) if (!out.includes(m[1])) out.push(m[1]);
        } else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(value);
    return out;
}

function checkOrder(objects: BlueprintObject[]): void {
    const seen = new Set<string>();
    for (const o of objects) {
        if (seen.has(o.key)) throw new Error(`doiBlueprint: duplicate key ${o.key}`);
        for (const d of o.dependsOn) if (!seen.has(d)) throw new Error(`doiBlueprint: ${o.key} references ${d}, which does not come before it`);
        seen.add(o.key);
    }
}

/** JSON with object keys sorted, so equal content always hashes equally. */
export function stableStringify(v: JsonValue): string {
    if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
    if (v && typeof v === "object") {
        return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((v as JsonObject)[k])}`).join(",")}}`;
    }
    return JSON.stringify(v);
}

function sha256(s: string): string {
    return createHash("sha256").update(s).digest("hex");
}
