/**
 * The double-opt-in (DOI) blueprint: settings in, the list of Mautic objects to ensure out, each
 * as the JSON payload of Mautic's REST API. Pure apart from reading the editable texts under
 * `templates/doiBlueprint/` (deterministic), so it can be unit-tested without a Mautic and its hash
 * drives the `DoiSetup` resource's diff.
 *
 * The DOI itself is the kit's endpoint (doiEndpoint.ts, templates/doiEndpoint/; why:
 * docs/guide/doi.md): it creates the contact, sends the confirmation e-mail through Mautic's API
 * with the per-sign-up link as the token `{kit_doi_confirm_url}`, and confirms on a POST with
 * that token. What the endpoint needs from Mautic, and all the kit creates there:
 *   tags `doi-pending`, `doi-confirmed`; contact fields `consent_date`, `consent_text_version`,
 *   `consent_language`, `tracking_consent`; the confirmation e-mail per language (a template
 *   e-mail whose HTML carries the token); the segments `doi-pending` and `doi-confirmed`.
 * The sign-up/confirm forms, landing pages and campaigns of the earlier flow are not created any
 * more; while they exist they are reported as retired (doiRetired.ts), never deleted.
 *
 * Mautic shapes (mautic/mautic 5.2.1 unless named; docs/facts/mautic.md): contact fields use the
 * key `isUniqueIdentifer` and have no description; segments filter on tags by tag id
 * {field: tags, object: lead, type: tags, operator: in, properties.filter: [ids]}; e-mails
 * `emailType` template (the type `POST /api/emails/{id}/contact/{contactId}/send` sends, with the
 * `tokens` it is given: EmailBundle/Controller/Api/EmailApiController::sendLeadAction);
 * mautic/developer-documentation-new:docs/rest_api/tags.rst, fields.rst, segments.rst, emails.rst.
 */
import { createHash } from "crypto";
import { renderTemplate } from "../shared/template";
import { doiConfirmToken, doiFields, doiKeys, doiNames, doiTags } from "./doiNames";
import { retiredObjects } from "./doiRetired";
import { DoiBlueprintInput, DoiSettings, JsonObject, JsonValue, resolveDoiSettings } from "./doiSettings";

export * from "./doiSettings";
export * from "./doiNames";

/** The Mautic REST resources the blueprint uses, as path segments below `/api/`. */
export type MauticResource = "tags" | "fields/contact" | "pages" | "emails" | "forms" | "segments" | "campaigns";

/**
 * A check run against an object that already exists: the kit never overwrites an existing
 * object (a marketer may have edited it), but it reports when a setting it manages differs.
 * Exactly one of `expected` (equality) and `required` (the value must contain this text) is set.
 * (A `{tracking_pixel}` in any e-mail is reported by the provisioner's check of every e-mail.)
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
    /** Text the value must contain, e.g. the confirmation-link token. */
    required?: string;
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
    schemaVersion: 3;
    settings: DoiSettings;
    /** In creation order: every object comes after the objects it references. */
    objects: BlueprintObject[];
    /** Objects of earlier kit versions that are reported as drift while they exist. */
    retired: RetiredObject[];
    /** sha256 over settings, objects and retired; changes whenever anything the kit would create changes. */
    hash: string;
}

/** Marker for a reference to another blueprint object's id. */
export function refMarker(key: string): string {
    return `%%ref:${key}%%`;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const managed = "Managed by mautic-gdpr-kit (double opt-in). The kit finds this object by its name/alias: do not rename it; edit its texts freely.";

/** Builds the objects in creation order. */
export function doiBlueprint(input: DoiBlueprintInput): DoiBlueprint {
    const s = resolveDoiSettings(input);
    const objects: BlueprintObject[] = [];
    const add = (o: Omit<BlueprintObject, "dependsOn">) => objects.push({ ...o, dependsOn: collectRefs(o.payload) });

    // Tags first: segment filters reference tags by id.
    for (const t of ["pending", "confirmed"] as const) {
        add({
            key: doiKeys.tag(t),
            resource: "tags",
            matchBy: "tag",
            matchValue: doiTags[t],
            payload: {
                tag: doiTags[t],
                description:
                    t === "pending"
                        ? `Created by the kit's DOI endpoint for a sign-up, not confirmed yet. mautic-privacy-maintenance deletes such a contact ${s.unconfirmedContactDays} day(s) after its sign-up if it does not confirm; contacts that existed before a sign-up are never deleted.`
                        : "Double opt-in confirmed: the contact pressed the confirm button on the page the link in the confirmation e-mail opened (a POST with the per-sign-up token).",
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
    field("consentDate", "Consent date (double opt-in confirmed, UTC)", "datetime");
    field("consentTextVersion", "Consent text version", "text");
    field("consentLanguage", "Consent text language", "text");
    field("trackingConsent", "Consent to click measurement and profiling", "text");
    field("profilingToken", "Token of the profiling-withdrawal link (kit)", "text");

    for (const lang of s.languages) {
        const name = doiNames.email(lang);
        add({
            key: doiKeys.email(lang),
            resource: "emails",
            matchBy: "name",
            matchValue: name,
            payload: {
                name,
                subject: oneLine(renderTemplate(`doiBlueprint/${lang}/confirmation-email.subject.txt`, { websiteHost: s.websiteHost })),
                // A template e-mail: the endpoint sends it to one contact through the API.
                emailType: "template",
                language: lang,
                isPublished: true,
                template: "mautic_code_mode",
                customHtml: renderTemplate(`doiBlueprint/${lang}/confirmation-email.html`, {
                    websiteHost: s.websiteHost,
                    privacyPolicyUrl: s.privacyPolicyUrl,
                    // The endpoint replaces this token with the per-sign-up link; it refuses to send a mail without it.
                    confirmLink: doiConfirmToken,
                    unconfirmedContactDays: s.unconfirmedContactDays,
                }),
            },
            driftChecks: [
                {
                    description: "email type (the endpoint sends a template email)",
                    property: "emailType",
                    expected: "template",
                    fix: `delete the email '${name}' and deploy again with a new rerunToken so the kit recreates it as a template email`,
                },
                {
                    description: "published state (the endpoint sends this email on every sign-up)",
                    property: "isPublished",
                    expected: true,
                    fix: `publish the email '${name}' in Mautic`,
                },
                {
                    description: "confirmation link token",
                    property: "customHtml",
                    required: doiConfirmToken,
                    fix: `edit the email '${name}' in Mautic and put ${doiConfirmToken} back as the address of the confirmation link (the endpoint refuses to send the mail without it)`,
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
                description:
                    seg === "pending"
                        ? `${managed} Contacts who signed up and have not confirmed yet. Do not send to this segment.`
                        : `${managed} Send newsletters to this segment: it holds only contacts who confirmed with the button.`,
                isPublished: true,
                isGlobal: true,
                isPreferenceCenter: false,
                filters: [{ glue: "and", field: "tags", object: "lead", type: "tags", operator: "in", properties: { filter: [refMarker(doiKeys.tag(seg))] } }],
            },
        });
    }

    const blueprintBody = { schemaVersion: 3 as const, settings: s, objects, retired: retiredObjects() };
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
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stableStringify((v as JsonObject)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v);
}

function sha256(s: string): string {
    return createHash("sha256").update(s).digest("hex");
}
