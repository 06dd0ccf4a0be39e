/**
 * The double-opt-in (DOI) blueprint: settings in, the list of Mautic objects to ensure out, each
 * as the JSON payload of Mautic's REST API. Pure apart from reading the editable texts under
 * `templates/doi/` (deterministic), so it can be unit-tested without a Mautic and its hash
 * drives the `DoiSetup` resource's diff.
 *
 * The flow it builds (C04, C05, C06; details and sources in docs/readme-parts/doi.md):
 *
 *   form (type "campaign", one per language): e-mail, processing notice, consent checkbox that
 *   is required and NOT pre-ticked, hidden `consent_text_version` and `consent_language`
 *     -> form action (runs on submit): tag `doi-pending`. Nothing else: the form sends no e-mail.
 *     -> Mautic adds the contact to the campaign in the same request (the form is its source).
 *   campaign "DOI: delete unconfirmed contacts" (published, source: the forms):
 *     [more than one language: condition consent_language = <lang>? picks the branch]
 *     -> send the confirmation e-mail (`email.send`, transactional template e-mail); it goes out
 *        at the next `mautic:campaigns:trigger` run
 *     -> decision "clicks the e-mail" (`email.click`, only the confirmation link counts):
 *          yes -> `lead.changetags` +doi-confirmed -doi-pending, `lead.updatelead` consent_date=now
 *          no (N days after the send, no click) -> `lead.deletecontact` (the last event)
 *   Only the tracked click proves control of the mailbox: Mautic rewrites the e-mail's links
 *   into per-recipient redirects and attributes the click through the e-mail's stat hash. The
 *   confirmation landing page is a plain "thank you" page: visiting it confirms nothing.
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
 *   `now` for date/time fields (mautic/user-documentation docs/campaigns/campaign_builder.rst,
 *   "Update Contact"), condition
 *   `lead.field_value` {field, operator "=", value} (LeadBundle/Segment/OperatorOptions.php):
 *   LeadBundle/EventListener/CampaignSubscriber.php; `lead.deletecontact` (no properties,
 *   nothing may follow it): LeadBundle/EventListener/CampaignActionDeleteContactSubscriber.php.
 * - Campaign create: `events` and `lists` or `forms` (each [{id}]) are required, `canvasSettings`
 *   nodes/connections with the source node `forms` and anchors leadsource/yes/no/bottom/top:
 *   CampaignBundle/Controller/Api/CampaignApiController.php; event fields: developer-
 *   documentation-new docs/rest_api/campaigns.rst.
 * - Forms feed form-sourced campaigns on submit, after the form actions ran; up to Mautic 6.x
 *   only forms that are not "standalone" do (FormBundle/Model/SubmissionModel.php,
 *   `if (!$form->isStandalone())`; 7.x dropped the check), hence `formType: "campaign"`.
 *   Form payload fields/actions: developer-documentation-new docs/rest_api/forms.rst.
 * - Segments: tag filter {field: tags, object: lead, type: tags, operator: in,
 *   properties.filter: [tag ids]}; tags docs/rest_api/tags.rst; contact fields
 *   docs/rest_api/fields.rst; e-mails `emailType` template (the type campaigns send),
 *   pages `customHtml`: docs/rest_api/emails.rst, pages.rst.
 */
import { createHash } from "crypto";
import { readTemplate, renderTemplate } from "./template";

/** A JSON value as sent to or received from Mautic. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Languages the kit ships texts for (`templates/doi/<language>/`). */
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
}

/** Defaults of `DoiBlueprintInput`. */
export const doiDefaults = {
    unconfirmedContactDays: 3,
    consentTextVersion: "v1",
    languages: [...doiLanguages] as DoiLanguage[],
    privacyPolicyPath: "/datenschutz",
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

/** Tag names of the DOI states. Part of the contract with the marketer: keep them. */
export const doiTags = { pending: "doi-pending", confirmed: "doi-confirmed" } as const;

/** Aliases of the custom contact fields. */
export const doiFields = {
    consentDate: "consent_date",
    consentTextVersion: "consent_text_version",
    consentLanguage: "consent_language",
} as const;

/**
 * Names and aliases by which the kit finds its objects again. Renaming one of them in Mautic
 * makes the next deploy create a fresh copy, so they are constants here, not editable texts.
 */
export const doiNames = {
    segmentPending: { name: "DOI: unconfirmed contacts (doi-pending)", alias: "doi-pending" },
    segmentConfirmed: { name: "DOI: confirmed contacts (doi-confirmed)", alias: "doi-confirmed" },
    /**
     * The one DOI campaign: sends the confirmation e-mail, confirms on the click, deletes who
     * did not click. Its name is the one the generated documents cite (C06).
     */
    campaignDelete: "DOI: delete unconfirmed contacts",
    form: (lang: DoiLanguage) => `DOI: sign-up form (${lang})`,
    email: (lang: DoiLanguage) => `DOI: confirmation email (${lang})`,
    pageAlias: (lang: DoiLanguage) => (lang === "de" ? "doi-bestaetigung" : "doi-confirmation"),
} as const;

/** Names of the campaign's events, per language; drift checks look them up by name. */
export const doiEventNames = {
    language: (lang: DoiLanguage) => `Consent language ${lang}?`,
    send: (lang: DoiLanguage) => `Send the confirmation email (${lang})`,
    clicked: (lang: DoiLanguage) => `Clicked the confirmation link (${lang})?`,
    tag: (lang: DoiLanguage) => `Confirmed: tag doi-confirmed (${lang})`,
    consentDate: (lang: DoiLanguage) => `Confirmed: set consent_date (${lang})`,
    delete: (lang: DoiLanguage) => `Not confirmed: delete contact (${lang})`,
} as const;

/**
 * What the click decision accepts as "the confirmation link": the landing page's path, matched
 * by Mautic as a substring of the clicked URL (so a category prefix in the page URL still
 * matches, and the privacy-policy link does not).
 */
export const confirmLinkFilter = (lang: DoiLanguage): string => `/${doiNames.pageAlias(lang)}`;

/**
 * Placeholder in the processing notice for the address a subscriber writes to in order to
 * withdraw consent. The marketer replaces it in Mautic; the kit reports it until then.
 */
export const withdrawalContactPlaceholder: Record<DoiLanguage, string> = {
    de: "[Kontaktadresse einfügen]",
    en: "[insert contact address]",
};

/** Mautic's cookies on its own host, named in the consent texts (see facts-mautic.md, mtc.js). */
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

const hostRe = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

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
    if (!hostRe.test(url.hostname)) {
        problems.push(`${field} = ${JSON.stringify(value)} has no valid fully qualified host name. Fix: e.g. "${example}".`);
        return undefined;
    }
    return { origin: url.origin, host: url.host };
}

/** Validates and defaults the input. Throws `DoiBlueprintError` listing every problem. */
export function resolveDoiSettings(input: DoiBlueprintInput): DoiSettings {
    const problems: string[] = [];
    const raw = (input ?? {}) as unknown as Record<string, unknown>;
    const known = new Set(["mauticUrl", "website", "unconfirmedContactDays", "consentTextVersion", "languages", "privacyPolicyUrl"]);
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
    };
}

interface Strings {
    emailLabel: string;
    emailRequiredMessage: string;
    noticeFieldLabel: string;
    consentFieldLabel: string;
    consentRequiredMessage: string;
    submitLabel: string;
    pageTitle: string;
    pageMetaDescription: string;
}

function readStrings(lang: DoiLanguage): Strings {
    const rel = `doi/${lang}/strings.json`;
    const parsed = JSON.parse(readTemplate(rel)) as Record<string, unknown>;
    const keys: (keyof Strings)[] = [
        "emailLabel", "emailRequiredMessage", "noticeFieldLabel", "consentFieldLabel",
        "consentRequiredMessage", "submitLabel", "pageTitle", "pageMetaDescription",
    ];
    for (const k of keys) {
        if (typeof parsed[k] !== "string" || (parsed[k] as string).trim() === "") throw new Error(`${rel}: "${k}" must be a non-empty string`);
    }
    return parsed as unknown as Strings;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** Key helpers, so references cannot be misspelt. */
export const doiKeys = {
    tag: (t: "pending" | "confirmed") => `tag:${t}`,
    field: (f: keyof typeof doiFields) => `field:${f}`,
    page: (l: DoiLanguage) => `page:confirm:${l}`,
    email: (l: DoiLanguage) => `email:confirm:${l}`,
    form: (l: DoiLanguage) => `form:signup:${l}`,
    segment: (s: "pending" | "confirmed") => `segment:${s}`,
    /** The one DOI campaign (send, confirm on click, delete). Key kept from earlier versions. */
    campaign: (c: "delete") => `campaign:${c}`,
} as const;

/** Objects of the retired pixel flow that must not stay in Mautic. */
const retiredObjects: RetiredObject[] = [
    {
        resource: "campaigns",
        matchBy: "name",
        matchValue: "DOI: record confirmation",
        reason: "it belongs to the retired flow that confirmed contacts by a page visit; the DOI campaign now sets consent_date itself on the confirmation click",
        fix: "unpublish the campaign 'DOI: record confirmation' in Mautic, then delete it",
    },
];

/** Builds the objects in creation order. */
export function doiBlueprint(input: DoiBlueprintInput): DoiBlueprint {
    const s = resolveDoiSettings(input);
    const objects: BlueprintObject[] = [];
    const add = (o: Omit<BlueprintObject, "dependsOn">) => objects.push({ ...o, dependsOn: collectRefs(o.payload) });
    const managed = "Managed by mautic-gdpr-kit (double opt-in). The kit finds this object by its name/alias: do not rename it; edit its texts freely.";

    // Tags first: segment filters reference tags by id.
    for (const t of ["pending", "confirmed"] as const) {
        add({
            key: doiKeys.tag(t),
            resource: "tags",
            matchBy: "tag",
            matchValue: doiTags[t],
            payload: {
                tag: doiTags[t],
                description: t === "pending"
                    ? `Signed up through a DOI form, confirmation link not clicked yet. The campaign '${doiNames.campaignDelete}' deletes the contact ${s.unconfirmedContactDays} day(s) after the confirmation email if it is not clicked.`
                    : "Double opt-in confirmed: the contact clicked the confirmation link in the confirmation email (Mautic's tracked click).",
            },
        });
    }

    // Consent fields (C04): when the DOI was confirmed, which consent text and language were agreed to.
    const field = (key: keyof typeof doiFields, label: string, type: string, description: string) =>
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
                isUniqueIdentifier: false,
                description: `${managed} ${description}`,
            },
        });
    field("consentDate", "Consent date (double opt-in confirmed)", "datetime", `Set by the campaign '${doiNames.campaignDelete}' when the contact clicks the confirmation link.`);
    field("consentTextVersion", "Consent text version", "text", "Set by the DOI sign-up form's hidden field on every submission.");
    field("consentLanguage", "Consent text language", "text", `Set by the DOI sign-up form's hidden field; the campaign '${doiNames.campaignDelete}' sends the confirmation email in this language.`);

    const texts = { websiteHost: s.websiteHost, mauticHost: s.mauticHost, privacyPolicyUrl: s.privacyPolicyUrl };

    for (const lang of s.languages) {
        const str = readStrings(lang);
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
                customHtml: renderTemplate(`doi/${lang}/confirmation-page.html`, { websiteHost: s.websiteHost, website: s.website, privacyPolicyUrl: s.privacyPolicyUrl }),
            },
            driftChecks: [
                {
                    description: "tracking image on the confirmation page (the retired flow: it tagged anyone who opened the page as confirmed, without proof of the mailbox)",
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
                subject: oneLine(renderTemplate(`doi/${lang}/confirmation-email.subject.txt`, { websiteHost: s.websiteHost })),
                // Template e-mails are the ones a campaign can send (segment e-mails are broadcasts).
                emailType: "template",
                language: lang,
                isPublished: true,
                template: "mautic_code_mode",
                customHtml: renderTemplate(`doi/${lang}/confirmation-email.html`, {
                    ...texts,
                    // Mautic turns this token into the page URL and tracks the click on it (the proof).
                    confirmLink: `{pagelink=${refMarker(doiKeys.page(lang))}}`,
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
            ],
        });
        add({
            key: doiKeys.form(lang),
            resource: "forms",
            matchBy: "name",
            matchValue: doiNames.form(lang),
            payload: {
                name: doiNames.form(lang),
                description: `${managed} Source of the campaign '${doiNames.campaignDelete}', which sends the confirmation email. Review the texts (replace ${withdrawalContactPlaceholder[lang]}), then publish the form and embed it on ${s.website}.`,
                // Not "standalone": up to Mautic 6.x only other forms add the contact to the campaign on submit.
                formType: "campaign",
                // Unpublished on purpose: the sign-up goes live only after a person reviewed the texts.
                isPublished: false,
                language: lang,
                inKioskMode: false,
                renderStyle: true,
                postAction: "message",
                postActionProperty: oneLine(renderTemplate(`doi/${lang}/form-success.txt`, { unconfirmedContactDays: s.unconfirmedContactDays })),
                fields: [
                    {
                        label: str.emailLabel,
                        alias: "email",
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
                            text: renderTemplate(`doi/${lang}/processing-notice.html`, {
                                ...texts,
                                unconfirmedContactDays: s.unconfirmedContactDays,
                                withdrawalContact: withdrawalContactPlaceholder[lang],
                            }).trim(),
                        },
                        order: 2,
                    },
                    {
                        // C05: active consent. Required, and NOT pre-ticked (no default value).
                        label: str.consentFieldLabel,
                        alias: "consent",
                        type: "checkboxgrp",
                        isRequired: true,
                        defaultValue: "",
                        validationMessage: str.consentRequiredMessage,
                        properties: {
                            optionlist: {
                                // The submitted value names the consent text version: the form result is the proof.
                                list: [{ label: oneLine(renderTemplate(`doi/${lang}/consent-label.txt`, { websiteHost: s.websiteHost, mauticHost: s.mauticHost })), value: `consent-${s.consentTextVersion}` }],
                            },
                        },
                        order: 3,
                    },
                    {
                        label: "Consent text version",
                        alias: doiFields.consentTextVersion,
                        type: "hidden",
                        defaultValue: s.consentTextVersion,
                        mappedObject: "contact",
                        mappedField: doiFields.consentTextVersion,
                        order: 4,
                    },
                    {
                        label: "Consent text language",
                        alias: doiFields.consentLanguage,
                        type: "hidden",
                        defaultValue: lang,
                        mappedObject: "contact",
                        mappedField: doiFields.consentLanguage,
                        order: 5,
                    },
                    { label: str.submitLabel, alias: "submit", type: "button", order: 6 },
                ],
                // Only the pending tag. The confirmation email comes from the campaign, which waits for the click.
                actions: [
                    {
                        name: "DOI: mark as pending",
                        type: "lead.changetags",
                        order: 1,
                        properties: { add_tags: [doiTags.pending], remove_tags: [] },
                    },
                ],
            },
            driftChecks: [
                {
                    // "forbidden", not "expected": Mautic 7.x dropped formType (every form feeds campaigns there).
                    description: "form type (up to Mautic 6.x a standalone form adds nobody to the DOI campaign, so no confirmation email is sent)",
                    property: "formType",
                    forbidden: "standalone",
                    fix: `the form '${doiNames.form(lang)}' predates the click confirmation. In Mautic rename it (e.g. add ' (old)') and unpublish it, keeping it for its results (consent evidence); deploy again with a new rerunToken so the kit creates the new form; embed the new form`,
                },
                {
                    description: "form action that sends the confirmation email itself (the retired flow; the campaign must send it so that only the click confirms)",
                    property: "actions",
                    forbidden: "email.send.lead",
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and remove the action 'Send email to contact'`,
                },
                {
                    description: "consent checkbox 'required' (C05: consent must be given actively)",
                    fieldAlias: "consent",
                    property: "isRequired",
                    expected: true,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and make the field 'consent' required again`,
                },
                {
                    description: "consent checkbox default (C05: never pre-ticked)",
                    fieldAlias: "consent",
                    property: "defaultValue",
                    expected: "",
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and clear the default value of the field 'consent'`,
                },
                {
                    description: "consent text version the form records",
                    fieldAlias: doiFields.consentTextVersion,
                    property: "defaultValue",
                    expected: s.consentTextVersion,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic: set the default value of the hidden field '${doiFields.consentTextVersion}' to ${s.consentTextVersion} and update the consent texts to that version`,
                },
                {
                    description: "consent language the form records (the campaign picks the email by it)",
                    fieldAlias: doiFields.consentLanguage,
                    property: "defaultValue",
                    expected: lang,
                    fix: `edit the form '${doiNames.form(lang)}' in Mautic and set the default value of the hidden field '${doiFields.consentLanguage}' to ${lang}`,
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
                    ? `${managed} Contacts who signed up and have not clicked the confirmation link yet. Do not send to this segment.`
                    : `${managed} Send newsletters to this segment: it holds only contacts who clicked the confirmation link.`,
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

    add(doiCampaign(s, managed));

    const blueprintBody = { schemaVersion: 2 as const, settings: s, objects, retired: retiredObjects };
    checkOrder(objects);
    return { ...blueprintBody, hash: sha256(stableStringify(blueprintBody as unknown as JsonValue)) };
}

interface EventSpec {
    id: string;
    name: string;
    type: string;
    eventType: "action" | "condition" | "decision";
    properties: JsonObject;
    parent: string | null;
    decisionPath: "yes" | "no" | null;
    /** Days to wait; for a "no" path event: days after the parent ran without the decision. */
    delayDays?: number;
}

/** Turns a tree of events into Mautic's campaign payload (events + canvas), with forms as the source. */
function campaignPayload(base: JsonObject, formKeys: string[], specs: EventSpec[]): JsonObject {
    const level = new Map<string, number>();
    for (const e of specs) level.set(e.id, e.parent === null ? 1 : level.get(e.parent)! + 1);
    const events: JsonValue[] = specs.map((e) => ({
        id: e.id,
        name: e.name,
        description: null,
        type: e.type,
        eventType: e.eventType,
        order: level.get(e.id)!,
        properties: e.properties,
        triggerMode: e.delayDays ? "interval" : "immediate",
        triggerInterval: e.delayDays ?? 0,
        triggerIntervalUnit: "d",
        triggerDate: null,
        children: specs.filter((c) => c.parent === e.id).map((c) => c.id),
        parent: e.parent,
        decisionPath: e.decisionPath,
    }));
    // Canvas: the source on top, each level one row lower, siblings side by side.
    const column = new Map<string, number>();
    let nextLeaf = 0;
    const place = (id: string): number => {
        const kids = specs.filter((c) => c.parent === id);
        const x = kids.length === 0 ? nextLeaf++ : kids.map((k) => place(k.id)).reduce((a, b) => a + b, 0) / kids.length;
        column.set(id, x);
        return x;
    };
    const roots = specs.filter((e) => e.parent === null);
    roots.forEach((r) => place(r.id));
    const rootX = roots.reduce((a, r) => a + column.get(r.id)!, 0) / roots.length;
    const nodes: JsonValue[] = [
        { id: "forms", positionX: String(Math.round(100 + rootX * 220)), positionY: "50" },
        ...specs.map((e) => ({ id: e.id, positionX: String(Math.round(100 + column.get(e.id)! * 220)), positionY: String(50 + level.get(e.id)! * 150) })),
    ];
    const connections: JsonValue[] = specs.map((e) =>
        e.parent === null
            ? { sourceId: "forms", targetId: e.id, anchors: { source: "leadsource", target: "top" } }
            : { sourceId: e.parent, targetId: e.id, anchors: { source: e.decisionPath ?? "bottom", target: "top" } },
    );
    return { ...base, allowRestart: false, lists: [], forms: formKeys.map((k) => ({ id: refMarker(k) })), events, canvasSettings: { nodes, connections } };
}

/**
 * The DOI campaign. Per language: send the confirmation email, then the click decision: yes ->
 * tag confirmed and stamp consent_date, no -> delete after the configured days. With several
 * languages a chain of conditions on consent_language picks the branch (the last language takes
 * whatever is left, so nobody falls through without an email).
 */
function doiCampaign(s: DoiSettings, managed: string): Omit<BlueprintObject, "dependsOn"> {
    const specs: EventSpec[] = [];
    let n = 1;
    const next = () => `new_${n++}`;
    let parent: string | null = null;
    let path: "yes" | "no" | null = null;
    s.languages.forEach((lang, i) => {
        let branchParent = parent;
        let branchPath = path;
        if (i < s.languages.length - 1) {
            const cond = next();
            specs.push({
                id: cond,
                name: doiEventNames.language(lang),
                type: "lead.field_value",
                eventType: "condition",
                properties: { field: doiFields.consentLanguage, operator: "=", value: lang },
                parent,
                decisionPath: path,
            });
            branchParent = cond;
            branchPath = "yes";
            parent = cond;
            path = "no";
        }
        const send = next();
        specs.push({
            id: send,
            name: doiEventNames.send(lang),
            type: "email.send",
            eventType: "action",
            // Transactional: not a marketing email, so Mautic's frequency rules do not hold it back.
            properties: { email: refMarker(doiKeys.email(lang)), email_type: "transactional", priority: 2, attempts: 3 },
            parent: branchParent,
            decisionPath: branchPath,
        });
        const clicked = next();
        specs.push({
            id: clicked,
            name: doiEventNames.clicked(lang),
            type: "email.click",
            eventType: "decision",
            properties: { urls: { list: [confirmLinkFilter(lang)] } },
            parent: send,
            decisionPath: null,
        });
        specs.push({
            id: next(),
            name: doiEventNames.tag(lang),
            type: "lead.changetags",
            eventType: "action",
            properties: { add_tags: [doiTags.confirmed], remove_tags: [doiTags.pending] },
            parent: clicked,
            decisionPath: "yes",
        });
        specs.push({
            id: next(),
            name: doiEventNames.consentDate(lang),
            type: "lead.updatelead",
            eventType: "action",
            properties: { [doiFields.consentDate]: "now" },
            parent: clicked,
            decisionPath: "yes",
        });
        specs.push({
            id: next(),
            name: doiEventNames.delete(lang),
            type: "lead.deletecontact",
            eventType: "action",
            properties: {},
            parent: clicked,
            decisionPath: "no",
            delayDays: s.unconfirmedContactDays,
        });
    });

    const driftChecks: DriftCheck[] = [
        {
            description: "published state (unpublished, no confirmation email is sent and nobody is deleted: C04 and C06 are not enforced)",
            property: "isPublished",
            expected: true,
            fix: `publish the campaign '${doiNames.campaignDelete}' in Mautic (Campaigns > select > Publish)`,
        },
    ];
    const recreate = `this campaign predates the click confirmation or was rebuilt by hand: in Mautic rename it (e.g. add ' (old)'), remove its 'Visited the confirmation page' branches, unpublish it once its last contacts have passed their deletion date, and deploy again with a new rerunToken so the kit creates the new campaign`;
    for (const lang of s.languages) {
        driftChecks.push(
            {
                description: `click decision (${lang}) that confirms`,
                eventName: doiEventNames.clicked(lang),
                property: "type",
                expected: "email.click",
                fix: recreate,
            },
            {
                description: `link that counts as the confirmation (${lang})`,
                eventName: doiEventNames.clicked(lang),
                property: "properties.urls.list.0",
                expected: confirmLinkFilter(lang),
                fix: `open the campaign '${doiNames.campaignDelete}' in Mautic and set the URL of '${doiEventNames.clicked(lang)}' to ${confirmLinkFilter(lang)} (the path of the confirmation landing page the email links to)`,
            },
            {
                description: `days before unconfirmed contacts are deleted (${lang})`,
                eventName: doiEventNames.delete(lang),
                property: "triggerInterval",
                expected: s.unconfirmedContactDays,
                fix: `open the campaign '${doiNames.campaignDelete}' in Mautic and set the delay of '${doiEventNames.delete(lang)}' to ${s.unconfirmedContactDays} days`,
            },
            {
                description: `unit of that delay (${lang})`,
                eventName: doiEventNames.delete(lang),
                property: "triggerIntervalUnit",
                expected: "d",
                fix: `set the delay unit of '${doiEventNames.delete(lang)}' to days`,
            },
            {
                description: `delay mode of the deletion (${lang}; "immediate" would delete right after the email is sent)`,
                eventName: doiEventNames.delete(lang),
                property: "triggerMode",
                expected: "interval",
                fix: `set '${doiEventNames.delete(lang)}' to run ${s.unconfirmedContactDays} days after the decision was not made`,
            },
        );
    }

    return {
        key: doiKeys.campaign("delete"),
        resource: "campaigns",
        matchBy: "name",
        matchValue: doiNames.campaignDelete,
        payload: campaignPayload(
            {
                name: doiNames.campaignDelete,
                description: `${managed} C04/C06: sends the confirmation email to everyone who submits a DOI form (at the next mautic:campaigns:trigger run); a click on its confirmation link tags the contact doi-confirmed and sets consent_date; contacts who do not click within ${s.unconfirmedContactDays} day(s) are deleted. Published on purpose: unpublished, no confirmation email goes out and nobody is deleted.`,
                isPublished: true,
            },
            s.languages.map((l) => doiKeys.form(l)),
            specs,
        ),
        driftChecks,
    };
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
