/**
 * The double-opt-in (DOI) blueprint: settings in, the list of Mautic objects to ensure out, each
 * as the JSON payload of Mautic's REST API. Pure apart from reading the editable texts under
 * `templates/doi/` (deterministic), so it can be unit-tested without a Mautic and its hash
 * drives the `DoiSetup` resource's diff.
 *
 * The flow it builds (C04, C05, C06; details and sources in docs/readme-parts/doi.md):
 *
 *   form (standalone, one per language): e-mail, processing notice, consent checkbox that is
 *   required and NOT pre-ticked, hidden `consent_text_version`
 *     -> form actions (run synchronously on submit): tag `doi-pending`, send the confirmation
 *        e-mail (`email.send.lead`)
 *   confirmation e-mail: link `{pagelink=ID}` to the confirmation landing page; the page-link
 *     token carries Mautic's click-through, so the page hit is attributed to the contact
 *   confirmation landing page: its tracking pixel `mtracking.gif?tags=doi-confirmed,-doi-pending`
 *     tags the contact confirmed the moment the page is shown
 *   campaign "DOI: delete unconfirmed contacts" (published), source segment `doi-pending`:
 *     after N days: has tag doi-confirmed? yes -> remove doi-pending
 *       no -> visited a confirmation page (Mautic's page-hit history)? yes -> tag confirmed
 *         no -> `lead.deletecontact` (the last event)
 *   campaign "DOI: record confirmation" (published), source segment `doi-confirmed`:
 *     consent_date = now, remove doi-pending
 *
 * Mautic API shapes relied on (checked against the sources named):
 * - Campaign payload with `events` (temporary ids `new_*`, `parent`, `children`,
 *   `decisionPath` yes/no, `triggerMode`/`triggerInterval`/`triggerIntervalUnit`), `lists: [{id}]`,
 *   `canvasSettings.nodes/connections` with the `lists` source node and anchors
 *   `leadsource`/`yes`/`no`/`top`: mautic/api-library tests/Api/CampaignsTest.php; event
 *   properties: mautic/developer-documentation-new docs/rest_api/campaigns.rst.
 * - Condition `lead.tags` {tags: [names]} (TagRepository::checkLeadByTags compares tag names),
 *   condition `lead.pageHit` {page: id} (reads the contact's page-hit history; Mautic PR #12048,
 *   in 5.x), actions `lead.changetags` {add_tags, remove_tags} (names), `lead.updatelead`
 *   {<alias>: value} with relative dates such as "now" for date/time fields (Mautic PR #6126,
 *   user docs "Update Contact"), `lead.deletecontact` (no properties; connectionRestrictions
 *   forbid any event after it): mautic/mautic app/bundles/LeadBundle/EventListener/
 *   CampaignSubscriber.php and CampaignActionDeleteContactSubscriber.php.
 * - Conditions may carry a delay ("Mautic respects delays set on the condition itself"):
 *   mautic/user-documentation docs/campaigns/campaign_builder.rst.
 * - Forms: `formType` standalone|campaign, `postAction`/`postActionProperty`, fields with
 *   `type`, `isRequired`, `defaultValue`, `validationMessage`, `mappedObject`/`mappedField`,
 *   checkbox `properties.optionlist.list`, free text `properties.text`; actions
 *   `lead.changetags` {add_tags, remove_tags} and `email.send.lead` {email}:
 *   developer-documentation-new docs/rest_api/forms.rst; option list formats:
 *   mautic/mautic app/bundles/FormBundle/Helper/PropertiesAccessor.php. Only non-standalone
 *   forms feed form-sourced campaigns (FormBundle SubmissionModel), so a standalone form with
 *   actions plus a segment-sourced campaign is used.
 * - Segments: tag filter {field: tags, object: lead, type: tags, operator: in,
 *   properties.filter: [tag ids]} (Mautic's TagControllerFunctionalTest); `isGlobal` so the
 *   segment shows up as a campaign source in the UI (user docs campaign_builder.rst).
 * - Emails: `emailType` template, `customHtml`, `template` "mautic_code_mode" (code-mode
 *   editor); pages: `title`, `alias`, `customHtml`, `language`: docs/rest_api/emails.rst,
 *   pages.rst; `{pagelink=ID}` token: user docs "Variables".
 * - Tags `{tag}`: docs/rest_api/tags.rst; contact fields `{label, alias, type, group, object}`:
 *   docs/rest_api/fields.rst.
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
    /** Contacts who did not confirm are deleted after this many days. Default 3; 1 to 30. */
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
 */
export interface DriftCheck {
    /** What the setting means, for the report. */
    description: string;
    /** Name of the campaign event whose property is checked. */
    eventName?: string;
    /** Alias of the form field whose property is checked. Without eventName/fieldAlias the object's own property is. */
    fieldAlias?: string;
    property: string;
    expected: string | number | boolean;
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

export interface DoiBlueprint {
    schemaVersion: 1;
    settings: DoiSettings;
    /** In creation order: every object comes after the objects it references. */
    objects: BlueprintObject[];
    /** sha256 over settings and objects; changes whenever anything the kit would create changes. */
    hash: string;
}

/** Tag names of the DOI states. Part of the contract with the marketer: keep them. */
export const doiTags = { pending: "doi-pending", confirmed: "doi-confirmed" } as const;

/** Aliases of the custom contact fields. */
export const doiFields = { consentDate: "consent_date", consentTextVersion: "consent_text_version" } as const;

/**
 * Names and aliases by which the kit finds its objects again. Renaming one of them in Mautic
 * makes the next deploy create a fresh copy, so they are constants here, not editable texts.
 */
export const doiNames = {
    segmentPending: { name: "DOI: unconfirmed contacts (doi-pending)", alias: "doi-pending" },
    segmentConfirmed: { name: "DOI: confirmed contacts (doi-confirmed)", alias: "doi-confirmed" },
    campaignDelete: "DOI: delete unconfirmed contacts",
    campaignRecord: "DOI: record confirmation",
    form: (lang: DoiLanguage) => `DOI: sign-up form (${lang})`,
    email: (lang: DoiLanguage) => `DOI: confirmation email (${lang})`,
    pageAlias: (lang: DoiLanguage) => (lang === "de" ? "doi-bestaetigung" : "doi-confirmation"),
} as const;

/** Name of the delayed root event of the deletion campaign (drift checks look it up). */
export const deleteCampaignRootEventName = "Confirmed? (tag doi-confirmed)";

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
    campaign: (c: "delete" | "record") => `campaign:${c}`,
} as const;

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
                    ? "Double opt-in requested, not yet confirmed. Contacts still tagged after the waiting period are deleted by the campaign 'DOI: delete unconfirmed contacts'."
                    : "Double opt-in confirmed: the contact opened the confirmation page from the confirmation email.",
            },
        });
    }

    // Consent fields (C04): when the DOI was confirmed, and which consent text was agreed to.
    add({
        key: doiKeys.field("consentDate"),
        resource: "fields/contact",
        matchBy: "alias",
        matchValue: doiFields.consentDate,
        payload: {
            label: "Consent date (double opt-in confirmed)",
            alias: doiFields.consentDate,
            type: "datetime",
            group: "core",
            object: "lead",
            isPublished: true,
            isRequired: false,
            isPubliclyUpdatable: false,
            isUniqueIdentifier: false,
            description: `${managed} Set by the campaign '${doiNames.campaignRecord}' when the contact confirmed.`,
        },
    });
    add({
        key: doiKeys.field("consentTextVersion"),
        resource: "fields/contact",
        matchBy: "alias",
        matchValue: doiFields.consentTextVersion,
        payload: {
            label: "Consent text version",
            alias: doiFields.consentTextVersion,
            type: "text",
            group: "core",
            object: "lead",
            isPublished: true,
            isRequired: false,
            isPubliclyUpdatable: false,
            isUniqueIdentifier: false,
            description: `${managed} Set by the DOI sign-up form's hidden field on every submission.`,
        },
    });

    const trackingPixelUrl = `${s.mauticUrl}/mtracking.gif?tags=${doiTags.confirmed},-${doiTags.pending}`;
    const common = { websiteHost: s.websiteHost, privacyPolicyUrl: s.privacyPolicyUrl };

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
                customHtml: renderTemplate(`doi/${lang}/confirmation-page.html`, { ...common, website: s.website, trackingPixelUrl }),
            },
        });
        add({
            key: doiKeys.email(lang),
            resource: "emails",
            matchBy: "name",
            matchValue: doiNames.email(lang),
            payload: {
                name: doiNames.email(lang),
                subject: oneLine(renderTemplate(`doi/${lang}/confirmation-email.subject.txt`, { websiteHost: s.websiteHost })),
                emailType: "template",
                language: lang,
                isPublished: true,
                template: "mautic_code_mode",
                customHtml: renderTemplate(`doi/${lang}/confirmation-email.html`, {
                    ...common,
                    confirmLink: `{pagelink=${refMarker(doiKeys.page(lang))}}`,
                    unconfirmedContactDays: s.unconfirmedContactDays,
                }),
            },
        });
        add({
            key: doiKeys.form(lang),
            resource: "forms",
            matchBy: "name",
            matchValue: doiNames.form(lang),
            payload: {
                name: doiNames.form(lang),
                description: `${managed} Review the texts, then publish the form and embed it on ${s.website}.`,
                formType: "standalone",
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
                        properties: { text: renderTemplate(`doi/${lang}/processing-notice.html`, { ...common, unconfirmedContactDays: s.unconfirmedContactDays }).trim() },
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
                                list: [{ label: oneLine(renderTemplate(`doi/${lang}/consent-label.txt`, { websiteHost: s.websiteHost })), value: `consent-${s.consentTextVersion}` }],
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
                    { label: str.submitLabel, alias: "submit", type: "button", order: 5 },
                ],
                actions: [
                    {
                        name: "DOI: mark as pending",
                        type: "lead.changetags",
                        order: 1,
                        properties: { add_tags: [doiTags.pending], remove_tags: [] },
                    },
                    {
                        name: "DOI: send confirmation email",
                        type: "email.send.lead",
                        order: 2,
                        properties: { email: refMarker(doiKeys.email(lang)) },
                    },
                ],
            },
            driftChecks: [
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
                    ? `${managed} Source of the campaign '${doiNames.campaignDelete}'.`
                    : `${managed} Send newsletters to this segment: it holds only contacts who confirmed the double opt-in.`,
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

    add(deleteCampaign(s, managed));
    add(recordCampaign(managed));

    const blueprintBody = { schemaVersion: 1 as const, settings: s, objects };
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
    delayDays?: number;
}

/** Turns a tree of events into Mautic's campaign payload (events + canvas). */
function campaignPayload(base: JsonObject, segmentKey: string, specs: EventSpec[]): JsonObject {
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
        { id: "lists", positionX: String(Math.round(100 + rootX * 220)), positionY: "50" },
        ...specs.map((e) => ({ id: e.id, positionX: String(Math.round(100 + column.get(e.id)! * 220)), positionY: String(50 + level.get(e.id)! * 150) })),
    ];
    const connections: JsonValue[] = specs.map((e) =>
        e.parent === null
            ? { sourceId: "lists", targetId: e.id, anchors: { source: "leadsource", target: "top" } }
            : { sourceId: e.parent, targetId: e.id, anchors: { source: e.decisionPath ?? "bottom", target: "top" } },
    );
    return { ...base, lists: [{ id: refMarker(segmentKey) }], forms: [], events, canvasSettings: { nodes, connections } };
}

function deleteCampaign(s: DoiSettings, managed: string): Omit<BlueprintObject, "dependsOn"> {
    const specs: EventSpec[] = [
        {
            id: "new_1",
            name: deleteCampaignRootEventName,
            type: "lead.tags",
            eventType: "condition",
            properties: { tags: [doiTags.confirmed] },
            parent: null,
            decisionPath: null,
            delayDays: s.unconfirmedContactDays,
        },
        {
            id: "new_2",
            name: "Confirmed: remove tag doi-pending",
            type: "lead.changetags",
            eventType: "action",
            properties: { add_tags: [], remove_tags: [doiTags.pending] },
            parent: "new_1",
            decisionPath: "yes",
        },
    ];
    // Safety net, one condition per language: the confirmation page was hit but the pixel did not
    // arrive (images blocked, tracker blocker). Mautic's page-hit history is server-side.
    let parent = "new_1";
    let n = 3;
    for (const lang of s.languages) {
        const cond = `new_${n++}`;
        specs.push({
            id: cond,
            name: `Visited the confirmation page (${lang})?`,
            type: "lead.pageHit",
            eventType: "condition",
            properties: { page: refMarker(doiKeys.page(lang)) },
            parent,
            decisionPath: "no",
        });
        specs.push({
            id: `new_${n++}`,
            name: `Confirmed via page (${lang}): tag doi-confirmed`,
            type: "lead.changetags",
            eventType: "action",
            properties: { add_tags: [doiTags.confirmed], remove_tags: [doiTags.pending] },
            parent: cond,
            decisionPath: "yes",
        });
        parent = cond;
    }
    specs.push({
        id: `new_${n}`,
        name: "Not confirmed: delete contact",
        type: "lead.deletecontact",
        eventType: "action",
        properties: {},
        parent,
        decisionPath: "no",
    });

    return {
        key: doiKeys.campaign("delete"),
        resource: "campaigns",
        matchBy: "name",
        matchValue: doiNames.campaignDelete,
        payload: campaignPayload(
            {
                name: doiNames.campaignDelete,
                description: `${managed} C06: contacts who did not confirm the double opt-in within ${s.unconfirmedContactDays} day(s) are deleted. Published on purpose: unpublishing it stops the deletion.`,
                isPublished: true,
            },
            doiKeys.segment("pending"),
            specs,
        ),
        driftChecks: [
            {
                description: "published state (an unpublished campaign deletes nobody: C06 is not enforced)",
                property: "isPublished",
                expected: true,
                fix: `publish the campaign '${doiNames.campaignDelete}' in Mautic (Campaigns > select > Publish)`,
            },
            {
                description: "days before unconfirmed contacts are deleted",
                eventName: deleteCampaignRootEventName,
                property: "triggerInterval",
                expected: s.unconfirmedContactDays,
                fix: `open the campaign '${doiNames.campaignDelete}' in Mautic and set the delay of '${deleteCampaignRootEventName}' to ${s.unconfirmedContactDays} days`,
            },
            {
                description: "unit of that delay",
                eventName: deleteCampaignRootEventName,
                property: "triggerIntervalUnit",
                expected: "d",
                fix: `set the delay unit of '${deleteCampaignRootEventName}' to days`,
            },
        ],
    };
}

function recordCampaign(managed: string): Omit<BlueprintObject, "dependsOn"> {
    const specs: EventSpec[] = [
        {
            id: "new_1",
            name: "Record the consent date",
            type: "lead.updatelead",
            eventType: "action",
            properties: { [doiFields.consentDate]: "now" },
            parent: null,
            decisionPath: null,
        },
        {
            id: "new_2",
            name: "Remove tag doi-pending",
            type: "lead.changetags",
            eventType: "action",
            properties: { add_tags: [], remove_tags: [doiTags.pending] },
            parent: null,
            decisionPath: null,
        },
    ];
    return {
        key: doiKeys.campaign("record"),
        resource: "campaigns",
        matchBy: "name",
        matchValue: doiNames.campaignRecord,
        payload: campaignPayload(
            {
                name: doiNames.campaignRecord,
                description: `${managed} Sets ${doiFields.consentDate} when a contact enters the segment '${doiNames.segmentConfirmed.name}'.`,
                isPublished: true,
            },
            doiKeys.segment("confirmed"),
            specs,
        ),
        driftChecks: [
            {
                description: "published state (unpublished, consent dates are not recorded)",
                property: "isPublished",
                expected: true,
                fix: `publish the campaign '${doiNames.campaignRecord}' in Mautic`,
            },
        ],
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
