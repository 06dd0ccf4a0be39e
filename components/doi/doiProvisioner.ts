/**
 * Ensures the double-opt-in objects of a `DoiBlueprint` exist in Mautic. Idempotent:
 *
 * - each object is looked up by its stable match property (tag name, alias or name) among ALL
 *   existing objects of its resource (every page of the list endpoint);
 * - only missing objects are created (`POST /api/<resource>/new`), in blueprint order, with
 *   references (`%%ref:<key>%%`) replaced by the ids found or created before;
 * - an existing object is never modified (a marketer may have edited it); settings the kit
 *   manages are compared and differences are reported as `drift`;
 * - objects of earlier kit versions that must go (`blueprint.retired`) are reported as `drift`
 *   while they exist; the kit never deletes anything;
 * - a second run against the same Mautic creates nothing.
 *
 * Self-contained on purpose (no imports but types): the `DoiSetup` dynamic provider's code is
 * serialized by Pulumi and runs in a separate process.
 */
import type { BlueprintObject, DoiBlueprint, DriftCheck, JsonObject, JsonValue, MauticResource, RetiredObject } from "./doiBlueprint";
import type { MauticEntity } from "../mautic/mauticApi";

/** What `ensureDoiSetup` needs from a client; `MauticClient` implements it. */
export interface MauticApiLike {
    list(resource: MauticResource): Promise<MauticEntity[]>;
    get(resource: MauticResource, id: number): Promise<MauticEntity>;
    create(resource: MauticResource, payload: JsonObject): Promise<MauticEntity>;
}

export interface DoiSetupResult {
    /** Mautic id of every blueprint object, by blueprint key (e.g. "campaign:delete"). */
    ids: Record<string, number>;
    /** Keys of the objects created by this run, in creation order. */
    created: string[];
    /** Keys of the objects that already existed. */
    existing: string[];
    /** Differences between existing objects and what the kit manages, each with its fix; retired objects start with "retired:". */
    drift: string[];
    /** Objects of earlier kit versions still in Mautic (also in `drift`), as "<resource> '<name>' (id N)". */
    retired: string[];
}

const markerRe = /%%ref:([^%]+)%%/g;
const exactMarkerRe = /^%%ref:([^%]+)%%$/;

/** Replaces reference markers with ids. Unknown references are an error. */
export function resolveRefs(value: JsonValue, ids: Record<string, number>, where: string): JsonValue {
    const idOf = (key: string): number => {
        const id = ids[key];
        if (id === undefined) throw new Error(`DOI setup: ${where} references ${key}, which has no id yet (blueprint out of order)`);
        return id;
    };
    if (typeof value === "string") {
        const exact = exactMarkerRe.exec(value);
        if (exact) return idOf(exact[1]);
        return value.replace(markerRe, (_, key: string) => String(idOf(key)));
    }
    if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids, where));
    if (value && typeof value === "object") {
        const out: JsonObject = {};
        for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, ids, where);
        return out;
    }
    return value;
}

function matchValueOf(entity: MauticEntity, by: BlueprintObject["matchBy"]): string | undefined {
    const v = entity[by];
    return typeof v === "string" ? v : undefined;
}

function matches(entity: MauticEntity, obj: Pick<BlueprintObject, "matchBy" | "matchValue">): boolean {
    const v = matchValueOf(entity, obj.matchBy);
    if (v === undefined) return false;
    // Tags and aliases are case-insensitive slugs in Mautic; names are compared exactly.
    return obj.matchBy === "name" ? v === obj.matchValue : v.trim().toLowerCase() === obj.matchValue.toLowerCase();
}

function itemsOf(entity: MauticEntity, key: "events" | "fields"): JsonObject[] {
    const raw = entity[key];
    const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? Object.values(raw) : [];
    return list.filter((e): e is JsonObject => !!e && typeof e === "object" && !Array.isArray(e));
}

/** Reads a dotted path ("properties.urls.list.0"); undefined where the path does not exist. */
function valueAt(item: JsonObject, path: string): JsonValue | undefined {
    let v: JsonValue | undefined = item;
    for (const part of path.split(".")) {
        if (v === null || v === undefined || typeof v !== "object") return undefined;
        v = Array.isArray(v) ? v[Number(part)] : (v as JsonObject)[part];
    }
    return v;
}

function sameValue(actual: JsonValue | undefined, expected: NonNullable<DriftCheck["expected"]>): boolean {
    if (typeof expected === "number") return Number(actual) === expected;
    if (typeof expected === "boolean")
        return actual === expected || actual === (expected ? 1 : 0) || actual === (expected ? "1" : "0") || actual === String(expected);
    // Mautic returns an empty default as null.
    return String(actual ?? "") === expected;
}

/** The drift message of one check, or undefined when the value is as managed. */
function checkValue(c: DriftCheck, actual: JsonValue | undefined, subject: string): string | undefined {
    if (c.required !== undefined) {
        const text = typeof actual === "string" ? actual : JSON.stringify(actual ?? "");
        return text.includes(c.required)
            ? undefined
            : `${subject}: ${c.description}: ${c.property} does not contain ${JSON.stringify(c.required)}. Fix: ${c.fix}.`;
    }
    if (c.expected === undefined || sameValue(actual, c.expected)) return undefined;
    return `${subject}: ${c.description} is ${JSON.stringify(actual ?? null)}, the configuration says ${JSON.stringify(c.expected)}. Fix: ${c.fix}.`;
}

function checkDrift(obj: BlueprintObject, entity: MauticEntity): string[] {
    const out: string[] = [];
    for (const c of obj.driftChecks ?? []) {
        const label = `${obj.resource} '${obj.matchValue}' (id ${entity.id})`;
        if (c.eventName || c.fieldAlias) {
            const [kind, key, name] = c.eventName ? (["event", "events", c.eventName] as const) : (["field", "fields", c.fieldAlias!] as const);
            const item = itemsOf(entity, key).find((e) => (kind === "event" ? e.name : e.alias) === name);
            if (!item) {
                out.push(
                    `${label}: ${kind} '${name}' not found, so the ${c.description} cannot be checked. Fix: ${c.fix}, or delete the ${obj.resource.replace(/s$/, "")} and deploy again to let the kit recreate it.`,
                );
                continue;
            }
            const msg = checkValue(c, valueAt(item, c.property), `${label}, ${kind} '${name}'`);
            if (msg) out.push(msg);
        } else {
            const msg = checkValue(c, valueAt(entity, c.property), label);
            if (msg) out.push(msg);
        }
    }
    return out;
}

/**
 * Open tracking that an e-mail brings in by itself, whatever `mailer_append_tracking_pixel`
 * says: Mautic replaces the token `{tracking_pixel}` in any e-mail's content with the per-recipient
 * open pixel /email/<hash>.gif (EmailBundle/Helper/MailHelper.php, getTokens), and a raw
 * mtracking.gif is the website tracking pixel. The texts promise that no e-mail measures opens.
 */
export const emailTrackingPatterns: ReadonlyArray<{ re: RegExp; what: string }> = [
    { re: /\{tracking_pixel\}/i, what: "the {tracking_pixel} token (Mautic puts the per-recipient open pixel there)" },
    { re: /mtracking\.gif/i, what: "mtracking.gif (Mautic's tracking pixel)" },
    { re: /\/email\/[A-Za-z0-9]+\.gif/i, what: "an /email/<hash>.gif open pixel" },
];

/** Drift for every e-mail in Mautic (the kit's and the marketers') whose content carries open tracking. */
export function emailTrackingDrift(emails: MauticEntity[]): string[] {
    const out: string[] = [];
    for (const e of emails) {
        const content = ["customHtml", "plainText", "content", "subject"].map((k) => (typeof e[k] === "string" ? e[k] : JSON.stringify(e[k] ?? ""))).join("\n");
        const hits = emailTrackingPatterns.filter((p) => p.re.test(content)).map((p) => p.what);
        if (hits.length > 0) {
            out.push(
                `emails '${String(e.name ?? "?")}' (id ${e.id}) carries ${hits.join(" and ")}: opens would be measured for its recipients, which the texts rule out. Fix: remove it from the e-mail's content in Mautic.`,
            );
        }
    }
    return out;
}

/**
 * Stylesheets and fonts from third-country CDNs that an e-mail makes the recipient's mail client
 * load (the edge's CSP cannot reach a mail client): Mautic 5.2.1's e-mail themes confirmme,
 * neopolitan, skyline and sunday link fonts.googleapis.com in their `email.html.twig`, and the
 * themes' message pages link maxcdn.bootstrapcdn.com (docs/evidence/2026-12-07-pins-on-real-mautic.md).
 */
export const emailThirdPartyPatterns: ReadonlyArray<{ re: RegExp; what: string }> = [
    { re: /\/\/fonts\.(googleapis|gstatic)\.com\b/i, what: "Google Fonts (fonts.googleapis.com / fonts.gstatic.com)" },
    { re: /\/\/(maxcdn|stackpath|cdn)\.bootstrapcdn\.com\b/i, what: "a bootstrapcdn.com stylesheet" },
];

/** Drift for every e-mail whose content makes the recipient's mail client load from those CDNs. */
export function emailThirdPartyDrift(emails: MauticEntity[]): string[] {
    const out: string[] = [];
    for (const e of emails) {
        const content = ["customHtml", "content"].map((k) => (typeof e[k] === "string" ? e[k] : JSON.stringify(e[k] ?? ""))).join("\n");
        const hits = emailThirdPartyPatterns.filter((p) => p.re.test(content)).map((p) => p.what);
        if (hits.length > 0) {
            out.push(
                `emails '${String(e.name ?? "?")}' (id ${e.id}) loads ${hits.join(" and ")} in every recipient's mail client: a transfer to a third country that the texts do not name. Fix: remove the <link>/@import from the e-mail's HTML in Mautic (or build it on a theme without them, e.g. blank).`,
            );
        }
    }
    return out;
}

/**
 * Every e-mail except the kit's own confirmation mails must carry `{unsubscribe_text}`: the kit
 * pins Mautic's `unsubscribe_text` (mauticParameters) to the unsubscribe link AND the one-click
 * withdrawal of the profiling consent (/kit/doi/profiling), so the texts' "one click in every
 * mail" holds only where the token is.
 */
export function emailWithdrawalDrift(emails: MauticEntity[]): string[] {
    const out: string[] = [];
    for (const e of emails) {
        if (String(e.name ?? "").startsWith("DOI: ")) continue;
        const content = ["customHtml", "content"].map((k) => (typeof e[k] === "string" ? e[k] : JSON.stringify(e[k] ?? ""))).join("\n");
        if (!content.includes("{unsubscribe_text}")) {
            out.push(
                `emails '${String(e.name ?? "?")}' (id ${e.id}) lacks {unsubscribe_text}: its recipients get neither the unsubscribe link nor the one-click withdrawal of the profiling consent that the texts promise in every mail. Fix: put {unsubscribe_text} into the e-mail's footer in Mautic.`,
            );
        }
    }
    return out;
}

function retiredDrift(r: RetiredObject, found: MauticEntity[]): string[] {
    return found.map(
        (e) =>
            `retired: ${r.resource} '${r.matchValue}' (id ${e.id}) is left over from an earlier version of the kit and is not used any more: ${r.reason}. The kit does not delete it. Fix: ${r.fix}.`,
    );
}

/**
 * Creates what is missing and returns the ids. Throws on the first failed API call (objects
 * created before it stay; the next run finds them and continues).
 */
export async function ensureDoiSetup(
    client: MauticApiLike,
    blueprint: DoiBlueprint,
    log: (message: string) => void = () => undefined,
): Promise<DoiSetupResult> {
    if (!blueprint || blueprint.schemaVersion !== 3 || !Array.isArray(blueprint.objects) || !Array.isArray(blueprint.retired)) {
        throw new Error("DOI setup: not a DOI blueprint of schema version 3 (build it with doiBlueprint())");
    }
    const result: DoiSetupResult = { ids: {}, created: [], existing: [], drift: [], retired: [] };
    const cache = new Map<MauticResource, MauticEntity[]>();
    const known = async (resource: MauticResource): Promise<MauticEntity[]> => {
        let list = cache.get(resource);
        if (!list) {
            list = await client.list(resource);
            cache.set(resource, list);
        }
        return list;
    };

    for (const obj of blueprint.objects) {
        const found = (await known(obj.resource)).filter((e) => matches(e, obj)).sort((a, b) => a.id - b.id);
        if (found.length > 0) {
            const entity = found[0];
            result.ids[obj.key] = entity.id;
            result.existing.push(obj.key);
            if (found.length > 1) {
                result.drift.push(
                    `${obj.resource} '${obj.matchValue}': ${found.length} objects match (ids ${found.map((e) => e.id).join(", ")}); the kit uses id ${entity.id}. Fix: delete the duplicates in Mautic.`,
                );
            }
            if (obj.driftChecks && obj.driftChecks.length > 0) {
                // Lists may be abridged: read the full object before comparing.
                const full = await client.get(obj.resource, entity.id);
                result.drift.push(...checkDrift(obj, full));
            }
            log(`exists: ${obj.resource} '${obj.matchValue}' (id ${entity.id})`);
            continue;
        }
        const payload = resolveRefs(obj.payload, result.ids, `${obj.resource} '${obj.matchValue}'`) as JsonObject;
        const created = await client.create(obj.resource, payload);
        result.ids[obj.key] = created.id;
        result.created.push(obj.key);
        cache.get(obj.resource)!.push(created);
        const stored = matchValueOf(created, obj.matchBy);
        if (stored !== undefined && !matches(created, obj)) {
            result.drift.push(
                `${obj.resource} '${obj.matchValue}' was stored by Mautic as '${stored}' (id ${created.id}); the next deploy will not find it and would create another. Fix: rename it in Mautic to '${obj.matchValue}'.`,
            );
        }
        log(`created: ${obj.resource} '${obj.matchValue}' (id ${created.id})`);
    }
    for (const r of blueprint.retired) {
        const found = (await known(r.resource)).filter((e) => matches(e, r)).sort((a, b) => a.id - b.id);
        result.drift.push(...retiredDrift(r, found));
        result.retired.push(...found.map((e) => `${r.resource} '${r.matchValue}' (id ${e.id})`));
    }
    // Every e-mail, not only the kit's: lists may be abridged, so one without content is read in full.
    const emails: MauticEntity[] = [];
    for (const e of await known("emails")) emails.push(typeof e.customHtml === "string" ? e : await client.get("emails", e.id));
    result.drift.push(...emailTrackingDrift(emails), ...emailThirdPartyDrift(emails), ...emailWithdrawalDrift(emails));
    return result;
}
