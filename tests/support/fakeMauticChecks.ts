/**
 * The fake Mautic API's checks of a created object (fakeMauticApi.ts): emails, forms, segments
 * and campaigns as Mautic's validators and handlers see them, and the renumbering of a new
 * campaign's temporary event ids. They read the fake's store through `FakeStoreView`.
 */
import type { FakeMauticOptions } from "./fakeMauticApi";
import {
    FakeResource,
    Json,
    Obj,
    bad,
    campaignEventTypes,
    eventKeys,
    eventPropertyKeys,
    fieldValueOperators,
    formActionTypes,
    formFieldKeys,
    formFieldTypes,
    isObj,
} from "./fakeMauticSchema";

/** What the checks read of the fake's state. */
export interface FakeStoreView {
    readonly store: Map<FakeResource, Map<number, Obj>>;
    readonly opts: FakeMauticOptions;
    exists(resource: FakeResource, id: Json | undefined): boolean;
    find(resource: FakeResource, key: string, value: string): Obj | undefined;
    /** The next free id (the fake's one counter). */
    newId(): number;
}

export function validateEmail(fake: FakeStoreView, e: Obj): void {
    if (e.emailType !== undefined && e.emailType !== "template" && e.emailType !== "list") bad("emails: emailType must be template or list");
    if (e.emailType === "list" && (!Array.isArray(e.lists) || e.lists.length === 0)) bad("emails: a segment (list) email needs lists");
    for (const m of String(e.customHtml ?? "").matchAll(/\{pagelink=([^}]*)\}/g)) {
        if (!fake.exists("pages", Number(m[1]))) bad(`emails: {pagelink=${m[1]}} names no existing landing page`);
    }
    if (/%%ref:/.test(JSON.stringify(e))) bad("emails: unresolved reference marker in payload");
}

export function validateForm(fake: FakeStoreView, f: Obj): void {
    if (f.formType !== undefined && f.formType !== "standalone" && f.formType !== "campaign") bad("forms: formType must be standalone or campaign");
    // Seen on a real 5.2.1: the form's language must be one Mautic knows (offline only en_US).
    if (f.language !== undefined && f.language !== null && f.language !== "" && !(fake.opts.languages ?? ["en_US"]).includes(String(f.language))) {
        bad("language: This value is not valid.");
    }
    const postAction = f.postAction ?? "return";
    if (!["return", "redirect", "message"].includes(postAction as string)) bad("forms: postAction must be return, redirect or message");
    if (postAction !== "return" && (typeof f.postActionProperty !== "string" || f.postActionProperty === ""))
        bad("forms: postActionProperty is required for redirect/message");
    const fields = f.fields ?? [];
    if (!Array.isArray(fields)) bad("forms: fields must be an array");
    const aliases = new Set<string>();
    for (const fld of fields as Json[]) {
        if (!isObj(fld)) bad("forms: every field must be an object");
        const field = fld as Obj;
        for (const k of Object.keys(field)) if (!formFieldKeys.includes(k)) bad(`forms: field has unknown key ${k}`);
        if (typeof field.label !== "string" || field.label === "") bad("forms: field label is required");
        if (!formFieldTypes.includes(field.type as string)) bad(`forms: unknown field type ${JSON.stringify(field.type)}`);
        if (typeof field.alias === "string") {
            if (aliases.has(field.alias)) bad(`forms: duplicate field alias ${field.alias}`);
            aliases.add(field.alias);
        }
        if (field.type === "checkboxgrp" || field.type === "radiogrp") {
            const list = isObj(field.properties) && isObj(field.properties.optionlist) ? field.properties.optionlist.list : undefined;
            if (!Array.isArray(list) || list.length === 0 || list.some((o) => !isObj(o) || typeof o.label !== "string" || typeof o.value !== "string")) {
                bad(`forms: ${field.type} needs properties.optionlist.list = [{label, value}]`);
            }
        }
        if (field.type === "freetext" || field.type === "freehtml") {
            if (!isObj(field.properties) || typeof field.properties.text !== "string") bad(`forms: ${field.type} needs properties.text`);
        }
        if (field.mappedField !== undefined) {
            if (field.mappedObject !== "contact" && field.mappedObject !== "company") bad("forms: mappedObject must be contact or company");
            if (field.mappedObject === "contact" && !fake.find("fields/contact", "alias", String(field.mappedField))) {
                bad(`forms: mappedField ${JSON.stringify(field.mappedField)} is not a contact field`);
            }
        }
    }
    const actions = f.actions ?? [];
    if (!Array.isArray(actions)) bad("forms: actions must be an array");
    for (const act of actions as Json[]) {
        if (!isObj(act)) bad("forms: every action must be an object");
        const a = act as Obj;
        for (const k of Object.keys(a))
            if (!["id", "name", "description", "type", "order", "properties"].includes(k)) bad(`forms: action has unknown key ${k}`);
        if (!formActionTypes.includes(a.type as string)) bad(`forms: unknown action type ${JSON.stringify(a.type)}`);
        if (!isObj(a.properties)) bad("forms: action properties are required");
        const props = a.properties as Obj;
        if (a.type === "email.send.lead" && !fake.exists("emails", props.email))
            bad(`forms: email.send.lead names no existing email (${JSON.stringify(props.email)})`);
        if (a.type === "lead.changetags") {
            // Seen on a real 5.2.1: form actions take tag IDs; names give this 400.
            for (const k of ["add_tags", "remove_tags"]) {
                const v = props[k];
                if (v !== undefined && (!Array.isArray(v) || v.some((t) => !fake.exists("tags", t)))) bad(`${k}: This value is not valid.`);
            }
        }
    }
}

export function validateSegment(fake: FakeStoreView, s: Obj): void {
    const filters = s.filters ?? [];
    if (!Array.isArray(filters)) bad("segments: filters must be an array");
    for (const flt of filters as Json[]) {
        if (!isObj(flt)) bad("segments: every filter must be an object");
        const f = flt as Obj;
        for (const k of ["glue", "field", "object", "type", "operator", "properties"]) if (f[k] === undefined) bad(`segments: filter needs ${k}`);
        if (f.type === "tags") {
            const ids = isObj(f.properties) ? f.properties.filter : undefined;
            if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => !fake.exists("tags", id)))
                bad("segments: a tags filter needs properties.filter = [existing tag ids]");
            if (!["in", "!in"].includes(f.operator as string)) bad("segments: tags filter operator must be in or !in");
        }
    }
}

export function validateCampaign(fake: FakeStoreView, c: Obj): void {
    const events = c.events ?? [];
    if (!Array.isArray(events) || events.length === 0) bad("campaigns: A campaign needs at least one event (mautic.campaign.form.events.notempty)");
    const byId = new Map<string, Obj>();
    for (const ev of events as Json[]) {
        if (!isObj(ev)) bad("campaigns: every event must be an object");
        const e = ev as Obj;
        for (const k of Object.keys(e)) if (!eventKeys.includes(k)) bad(`campaigns: event has unknown key ${k}`);
        if (typeof e.id !== "string" || byId.has(e.id)) bad("campaigns: every new event needs a unique string id");
        byId.set(e.id as string, e);
    }
    for (const e of byId.values()) {
        const kind = campaignEventTypes[e.type as string];
        if (!kind) bad(`campaigns: unknown event type ${JSON.stringify(e.type)}`);
        if (e.eventType !== kind) bad(`campaigns: ${e.type} is a${kind === "action" ? "n" : ""} ${kind}, not ${JSON.stringify(e.eventType)}`);
        if (typeof e.name !== "string" || e.name === "") bad("campaigns: event name is required");
        if (!["immediate", "interval", "date"].includes(e.triggerMode as string)) bad(`campaigns: ${e.name}: triggerMode must be immediate, interval or date`);
        if (
            e.triggerMode === "interval" &&
            (!Number.isInteger(e.triggerInterval) || (e.triggerInterval as number) < 1 || !["i", "h", "d", "m", "y"].includes(e.triggerIntervalUnit as string))
        ) {
            bad(`campaigns: ${e.name}: an interval needs triggerInterval >= 1 and triggerIntervalUnit in i,h,d,m,y`);
        }
        const parent = e.parent === null || e.parent === undefined ? null : byId.get(String(e.parent));
        if (e.parent !== null && e.parent !== undefined && !parent)
            bad(`campaigns: ${e.name}: parent ${JSON.stringify(e.parent)} is not an event of this campaign`);
        if (!parent && e.decisionPath !== null && e.decisionPath !== undefined) bad(`campaigns: ${e.name}: a root event has no decisionPath`);
        if (parent) {
            const parentKind = campaignEventTypes[parent.type as string];
            if (parentKind === "action" && e.decisionPath !== null) bad(`campaigns: ${e.name}: the child of an action has no decisionPath`);
            if (parentKind !== "action" && e.decisionPath !== "yes" && e.decisionPath !== "no")
                bad(`campaigns: ${e.name}: the child of a ${parentKind} needs decisionPath yes or no`);
            if (!Array.isArray(parent.children) || !parent.children.includes(e.id as string))
                bad(`campaigns: ${parent.name} does not list ${e.name} among its children`);
            if (parent.type === "lead.deletecontact") bad("campaigns: nothing may follow lead.deletecontact");
        }
        if ((e.type === "email.click" || e.type === "email.open") && parent?.type !== "email.send") {
            bad(`campaigns: ${e.name}: ${e.type} must follow an email.send action (connectionRestrictions)`);
        }
        if (!Array.isArray(e.children) || e.children.some((ch) => byId.get(String(ch))?.parent !== e.id))
            bad(`campaigns: ${e.name}: children and parent links disagree`);
        if (!isObj(e.properties)) bad(`campaigns: ${e.name}: properties must be an object`);
        const props = e.properties as Obj;
        const allowedProps = eventPropertyKeys[e.type as string];
        if (allowedProps) for (const k of Object.keys(props)) if (!allowedProps.includes(k)) bad(`campaigns: ${e.name}: ${e.type} has no property ${k}`);
        const tagList = (v: Json | undefined) => Array.isArray(v) && v.every((t) => typeof t === "string" && t !== "");
        switch (e.type) {
            case "email.send": {
                const email = typeof props.email === "number" ? fake.store.get("emails")!.get(props.email) : undefined;
                if (!email) bad(`campaigns: ${e.name}: email.send needs properties.email = an existing email id`);
                if (email!.emailType !== "template")
                    bad(`campaigns: ${e.name}: email.send sends template emails only; email ${props.email} is a ${JSON.stringify(email!.emailType)} email`);
                if (props.email_type !== undefined && props.email_type !== "transactional" && props.email_type !== "marketing")
                    bad(`campaigns: ${e.name}: email_type must be transactional or marketing`);
                if (props.priority !== undefined && props.priority !== 1 && props.priority !== 2)
                    bad(`campaigns: ${e.name}: priority must be 1 (high) or 2 (normal)`);
                if (props.attempts !== undefined && (!Number.isInteger(props.attempts) || (props.attempts as number) < 0))
                    bad(`campaigns: ${e.name}: attempts must be a whole number >= 0`);
                break;
            }
            case "email.click":
                if (props.urls !== undefined) {
                    const urls = props.urls;
                    if (
                        !isObj(urls) ||
                        Object.keys(urls).some((k) => k !== "list") ||
                        !Array.isArray(urls.list) ||
                        urls.list.some((u) => typeof u !== "string" || u === "")
                    ) {
                        bad(`campaigns: ${e.name}: email.click needs properties.urls = {list: [non-empty strings]}`);
                    }
                }
                break;
            case "lead.field_value":
                if (typeof props.field !== "string" || !fake.find("fields/contact", "alias", props.field))
                    bad(`campaigns: ${e.name}: lead.field_value needs properties.field = an existing contact field alias`);
                if (!fieldValueOperators.includes(props.operator as string)) bad(`campaigns: ${e.name}: unknown operator ${JSON.stringify(props.operator)}`);
                if (typeof props.value !== "string") bad(`campaigns: ${e.name}: lead.field_value needs a string value`);
                break;
            case "lead.tags":
                if (!tagList(props.tags) || (props.tags as Json[]).length === 0) bad(`campaigns: ${e.name}: lead.tags needs properties.tags = [tag names]`);
                break;
            case "lead.changetags":
                if (!tagList(props.add_tags) || !tagList(props.remove_tags))
                    bad(`campaigns: ${e.name}: lead.changetags needs add_tags and remove_tags = [tag names]`);
                break;
            case "lead.pageHit":
                if (!fake.exists("pages", props.page)) bad(`campaigns: ${e.name}: lead.pageHit needs properties.page = existing landing page id`);
                break;
            case "lead.deletecontact":
                if ((e.children as Json[]).length > 0) bad("campaigns: lead.deletecontact must be the last event");
                break;
            case "lead.dnc":
                if (!Array.isArray(props.channels) || props.channels.length === 0 || props.channels.some((ch) => ch !== "email"))
                    bad(`campaigns: ${e.name}: lead.dnc needs properties.channels = ["email"]`);
                break;
            case "form.submit":
                if (!Array.isArray(props.forms) || props.forms.length === 0 || props.forms.some((id) => !fake.exists("forms", id)))
                    bad(`campaigns: ${e.name}: form.submit needs properties.forms = [existing form ids]`);
                break;
            case "form.field_value": {
                const form = typeof props.form === "number" ? fake.store.get("forms")!.get(props.form) : undefined;
                if (!form) bad(`campaigns: ${e.name}: form.field_value needs properties.form = an existing form id`);
                const aliases = ((form!.fields ?? []) as Obj[]).map((fl) => fl.alias);
                if (!aliases.includes(props.field as string))
                    bad(`campaigns: ${e.name}: form.field_value: ${JSON.stringify(props.field)} is not a field of form ${props.form}`);
                if (!fieldValueOperators.includes(props.operator as string)) bad(`campaigns: ${e.name}: unknown operator ${JSON.stringify(props.operator)}`);
                break;
            }
            case "lead.updatelead":
                for (const [alias, value] of Object.entries(props)) {
                    if (!fake.find("fields/contact", "alias", alias)) bad(`campaigns: ${e.name}: ${alias} is not a contact field`);
                    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
                        bad(`campaigns: ${e.name}: ${alias} needs a plain value`);
                }
                break;
            default:
                break;
        }
    }
    // A source is required; each one must exist (and, for forms, be able to feed a campaign).
    const lists = c.lists ?? [];
    const forms = c.forms ?? [];
    if (!Array.isArray(lists) || lists.some((l) => !isObj(l) || !fake.exists("segments", l.id))) bad("campaigns: lists must be [{id: existing segment id}]");
    if (!Array.isArray(forms) || forms.some((f) => !isObj(f) || !fake.exists("forms", f.id))) bad("campaigns: forms must be [{id: existing form id}]");
    if ((lists as Json[]).length === 0 && (forms as Json[]).length === 0)
        bad("campaigns: A campaign needs a contact source: lists or forms (mautic.campaign.form.sources.notempty)");
    for (const f of forms as Obj[]) {
        if (fake.opts.line !== "7.2" && fake.store.get("forms")!.get(f.id as number)!.formType !== "campaign") {
            bad(`campaigns: form ${f.id} is a standalone form; up to Mautic 6.x a standalone form adds nobody to a campaign (use formType campaign)`);
        }
    }
    const canvas = c.canvasSettings;
    if (canvas !== undefined) {
        if (!isObj(canvas) || !Array.isArray(canvas.nodes) || !Array.isArray(canvas.connections)) bad("campaigns: canvasSettings needs nodes and connections");
        const cv = canvas as { nodes: Json[]; connections: Json[] };
        const nodeIds = new Set(cv.nodes.map((n) => (isObj(n) ? String(n.id) : "")));
        for (const id of byId.keys()) if (!nodeIds.has(id)) bad(`campaigns: canvas has no node for event ${id}`);
        const sources = [...((lists as Json[]).length > 0 ? ["lists"] : []), ...((forms as Json[]).length > 0 ? ["forms"] : [])];
        for (const src of sources) if (!nodeIds.has(src)) bad(`campaigns: canvas has no node for the ${src === "lists" ? "segment" : "form"} source (${src})`);
        for (const e of byId.values()) {
            const conn = cv.connections.find((cn) => isObj(cn) && cn.targetId === e.id) as Obj | undefined;
            if (!conn || !isObj(conn.anchors)) bad(`campaigns: canvas has no connection into ${e.name}`);
            const source = (conn as Obj).sourceId;
            const anchor = ((conn as Obj).anchors as Obj).source;
            if (e.parent === null || e.parent === undefined) {
                if (!sources.includes(source as string) || anchor !== "leadsource")
                    bad(`campaigns: root event ${e.name} must be connected from a source (${sources.join(" or ")}) with the anchor leadsource`);
            } else if (source !== e.parent || (e.decisionPath && anchor !== e.decisionPath)) {
                bad(`campaigns: connection into ${e.name} does not match its parent/decisionPath`);
            }
        }
    }
}

/** Mautic replaces the temporary `new_*` ids; GET returns events keyed by their new ids. */
export function renumberCampaign(fake: FakeStoreView, c: Obj): Obj {
    const map = new Map<string, number>();
    const events = (c.events ?? []) as Obj[];
    for (const e of events) map.set(String(e.id), fake.newId());
    const keyed: Obj = {};
    for (const e of events) {
        const id = map.get(String(e.id))!;
        keyed[String(id)] = {
            ...e,
            id,
            parent: e.parent === null || e.parent === undefined ? null : { id: map.get(String(e.parent))! },
            children: (e.children as Json[]).map((ch) => ({ id: map.get(String(ch))! })),
        };
    }
    const rename = (v: Json): Json => (typeof v === "string" && map.has(v) ? String(map.get(v)) : v);
    const canvas = isObj(c.canvasSettings)
        ? {
              nodes: (c.canvasSettings.nodes as Obj[]).map((n) => ({ ...n, id: rename(n.id) })),
              connections: (c.canvasSettings.connections as Obj[]).map((cn) => ({ ...cn, sourceId: rename(cn.sourceId), targetId: rename(cn.targetId) })),
          }
        : null;
    return { ...c, events: keyed, canvasSettings: canvas };
}
