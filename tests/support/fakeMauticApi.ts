/**
 * A fake Mautic REST API for tests: a Node http server on 127.0.0.1 that implements ONLY the
 * documented endpoints the DOI setup uses and fails on anything else.
 *
 * Contract (mautic/developer-documentation-new docs/rest_api/*.rst, mautic/api-library tests):
 * - every request needs `Authorization: Basic base64(user:password)`, else 401 with
 *   `{ errors: [{ code: 401, message: "API authorization denied.", type: "access_denied" }] }`;
 * - `GET /api/<resource>?start&limit` -> `{ total, <list>: [...] }` (tags, fields, pages, emails,
 *   forms) or `{ total, <list>: { "<id>": {...} } }` (segments, campaigns);
 * - `GET /api/<resource>/<id>` -> `{ <item>: {...} }`, 404 when unknown;
 * - `POST /api/<resource>/new` with a JSON object body -> 201 `{ <item>: {...} }`;
 * - any other method on a known path -> 405, any other path -> 404; bodies with unknown keys,
 *   missing required keys, unknown field/action/event types, dangling references or an invalid
 *   campaign tree -> 400; a second object with the same natural key (tag, alias or name) -> 409
 *   (a real Mautic would silently create a second copy: the fake makes that visible).
 *
 * Campaigns (mautic/mautic CampaignBundle/Controller/Api/CampaignApiController.php): `events`
 * and a source (`lists` and/or `forms`, each [{id}]) are required. Event properties are checked
 * against the handlers that read them: `email.send` {email (a template email), email_type,
 * priority, attempts} (EmailBundle CampaignSubscriber, Form/Type/EmailSendType.php); the
 * decisions `email.open`/`email.click` {urls: {list}} must follow an `email.send`
 * (connectionRestrictions; Form/Type/EmailClickDecisionType.php); `lead.field_value` {field,
 * operator, value} (LeadBundle CampaignSubscriber, Segment/OperatorOptions.php); nothing may
 * follow `lead.deletecontact` (CampaignActionDeleteContactSubscriber). A standalone form as a
 * campaign source is refused: up to Mautic 6.x such a form adds nobody to the campaign
 * (FormBundle SubmissionModel), which a real Mautic would accept silently.
 */
import * as http from "http";
import type { AddressInfo } from "net";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
export type FakeResource = "tags" | "fields/contact" | "pages" | "emails" | "forms" | "segments" | "campaigns";

export interface FakeRequest {
    method: string;
    path: string;
    status: number;
    body?: Json;
}

export interface FakeMauticOptions {
    username: string;
    password: string;
    /** The Mautic line it behaves like. "7.2" ignores formType (7.1+). Default "6.0". */
    line?: "5.2" | "6.0" | "7.2";
    /** Languages Mautic knows (installed packs); offline a real Mautic knows only en_US. Default ["en_US"]. */
    languages?: string[];
    /** Largest page a list request returns, whatever `limit` asks. Default 100. */
    maxPageSize?: number;
}

class HttpError extends Error {
    constructor(public readonly status: number, message: string) {
        super(message);
    }
}

const envelope: Record<FakeResource, { item: string; list: string; keyed: boolean; key: string; required: string[]; allowed: string[] }> = {
    tags: { item: "tag", list: "tags", keyed: false, key: "tag", required: ["tag"], allowed: ["tag", "description"] },
    "fields/contact": {
        item: "field", list: "fields", keyed: false, key: "alias", required: ["label", "type"],
        // No "description" (fields have none) and "isUniqueIdentifer" spelt as Mautic's FieldType spells it:
        // a real Mautic silently drops unknown keys (allow_extra_fields); the fake refuses them to make that visible.
        allowed: ["label", "alias", "type", "group", "order", "object", "defaultValue", "isRequired", "isPubliclyUpdatable", "isUniqueIdentifer", "properties", "isPublished", "publishUp", "publishDown"],
    },
    pages: {
        item: "page", list: "pages", keyed: false, key: "alias", required: ["title"],
        allowed: ["title", "alias", "description", "isPublished", "publishUp", "publishDown", "language", "metaDescription", "redirectType", "redirectUrl", "customHtml", "template", "category"],
    },
    emails: {
        item: "email", list: "emails", keyed: false, key: "name", required: ["name", "subject"],
        allowed: ["name", "subject", "fromAddress", "fromName", "replyToAddress", "bccAddress", "isPublished", "publishUp", "publishDown", "language", "customHtml", "plainText", "template", "emailType", "lists", "category", "unsubscribeForm", "assetAttachments"],
    },
    forms: {
        item: "form", list: "forms", keyed: false, key: "name", required: ["name"],
        allowed: ["name", "alias", "category", "description", "isPublished", "publishUp", "publishDown", "fields", "actions", "template", "inKioskMode", "renderStyle", "formType", "postAction", "postActionProperty", "noIndex", "formAttributes", "language"],
    },
    segments: {
        item: "list", list: "lists", keyed: true, key: "alias", required: ["name"],
        allowed: ["name", "publicName", "alias", "description", "category", "filters", "isGlobal", "isPublished", "isPreferenceCenter"],
    },
    campaigns: {
        item: "campaign", list: "campaigns", keyed: true, key: "name", required: ["name"],
        allowed: ["name", "alias", "description", "isPublished", "publishUp", "publishDown", "category", "events", "lists", "forms", "canvasSettings", "allowRestart"],
    },
};

const fieldTypes = ["text", "textarea", "email", "number", "tel", "url", "date", "datetime", "time", "boolean", "select", "multiselect", "country", "region", "timezone", "locale", "lookup"];
const formFieldTypes = ["captcha", "checkboxgrp", "companyLookup", "date", "datetime", "freetext", "email", "file", "freehtml", "hidden", "number", "pagebreak", "password", "tel", "radiogrp", "country", "select", "textarea", "text", "url", "button"];
const formFieldKeys = ["id", "label", "showLabel", "alias", "type", "defaultValue", "isRequired", "validationMessage", "helpMessage", "order", "properties", "validation", "parent", "conditions", "labelAttributes", "inputAttributes", "containerAttributes", "leadField", "saveResult", "isAutoFill", "mappedObject", "mappedField"];
/** Mautic's field template lists a group's options only when one of these properties is set (group.html.twig). */
const listSwitches = ["syncList", "list", "optionList"];
const formActionTypes = ["lead.scorecontactscompanies", "lead.pointschange", "lead.changelist", "lead.changetags", "lead.addutmtags", "lead.remove_do_not_contact", "asset.download", "form.repost", "plugin.leadpush", "email.send.lead", "email.send.user", "form.email"];
const eventKeys = ["id", "name", "description", "type", "eventType", "order", "properties", "triggerMode", "triggerDate", "triggerInterval", "triggerIntervalUnit", "triggerHour", "triggerRestrictedStartHour", "triggerRestrictedStopHour", "triggerRestrictedDaysOfWeek", "children", "parent", "decisionPath", "channel", "channelId"];
const campaignEventTypes: Record<string, "action" | "condition" | "decision"> = {
    "lead.tags": "condition", "lead.pageHit": "condition", "lead.field_value": "condition", "lead.segments": "condition", "lead.dnc": "condition",
    "lead.changetags": "action", "lead.deletecontact": "action", "lead.updatelead": "action", "lead.adddnc": "action", "lead.removednc": "action", "lead.changelist": "action", "email.send": "action",
    "page.pagehit": "decision", "email.open": "decision", "email.click": "decision", "form.submit": "decision",
    "form.field_value": "condition",
};
/** Operators of the `lead.field_value` condition (LeadBundle/Segment/OperatorOptions.php). */
const fieldValueOperators = ["=", "!=", "!gt", "gt", "gte", "lt", "!lt", "lte", "empty", "!empty", "like", "!like", "in", "!in", "regexp", "!regexp", "date", "startsWith", "endsWith", "contains"];
/** Property keys each event type's handler reads; anything else is refused. */
const eventPropertyKeys: Record<string, string[]> = {
    "email.send": ["email", "email_type", "priority", "attempts"],
    "email.click": ["urls"],
    "email.open": [],
    "lead.field_value": ["field", "operator", "value"],
    "lead.tags": ["tags"],
    "lead.changetags": ["add_tags", "remove_tags"],
    "lead.deletecontact": [],
    "lead.pageHit": ["page", "page_url", "startDate", "endDate", "accumulative_time"],
    "lead.dnc": ["channels", "reason"],
    "form.submit": ["forms"],
    "form.field_value": ["form", "field", "operator", "value"],
};
const listParams = new Set(["start", "limit", "search", "orderBy", "orderByDir", "publishedOnly", "minimal"]);

const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const bad = (msg: string): never => {
    throw new HttpError(400, msg);
};

export class FakeMauticApi {
    readonly requests: FakeRequest[] = [];
    readonly store = new Map<FakeResource, Map<number, Obj>>();
    private server?: http.Server;
    private nextId = 1;
    private readonly maxPageSize: number;
    baseUrl = "";

    constructor(private readonly opts: FakeMauticOptions) {
        this.maxPageSize = opts.maxPageSize ?? 100;
        for (const r of Object.keys(envelope) as FakeResource[]) this.store.set(r, new Map());
        // A fresh Mautic already has its core contact fields.
        for (const [alias, label, type] of [["firstname", "First Name", "text"], ["lastname", "Last Name", "text"], ["email", "Email", "email"]]) {
            this.seed("fields/contact", { label, alias, type, group: "core", object: "lead", isPublished: true });
        }
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => void this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        const { port } = this.server.address() as AddressInfo;
        this.baseUrl = `http://127.0.0.1:${port}`;
        return this.baseUrl;
    }

    async stop(): Promise<void> {
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
        this.server = undefined;
    }

    /** Puts an object in the store without HTTP (an object a marketer made by hand). */
    seed(resource: FakeResource, data: Obj): Obj {
        const entity = this.materialize(resource, data);
        this.store.get(resource)!.set(entity.id as number, entity);
        return entity;
    }

    all(resource: FakeResource): Obj[] {
        return [...this.store.get(resource)!.values()];
    }

    find(resource: FakeResource, key: string, value: string): Obj | undefined {
        return this.all(resource).find((e) => e[key] === value);
    }

    posts(): FakeRequest[] {
        return this.requests.filter((r) => r.method === "POST");
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://fake");
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks).toString("utf8");
        const entry: FakeRequest = { method: req.method ?? "?", path: `${url.pathname}${url.search}`, status: 0 };
        this.requests.push(entry);
        let status: number;
        let body: Json;
        const page = /^\/form\/(\d+)$/.exec(url.pathname);
        if (page && req.method === "GET") {
            // The public form page a visitor sees (no auth), rendered like Mautic's field templates.
            const form = this.store.get("forms")!.get(Number(page[1]));
            const html = form && form.isPublished ? renderPublicForm(form) : undefined;
            entry.status = html ? 200 : 404;
            res.writeHead(entry.status, { "Content-Type": "text/html; charset=utf-8" });
            res.end(html ?? "<h1>404</h1>");
            return;
        }
        if (url.pathname === "/form/submit" && req.method === "POST") {
            const r = this.visitorSubmit(Number(url.searchParams.get("formId")), new URLSearchParams(raw));
            entry.status = r;
            res.writeHead(r, r === 302 ? { Location: "/" } : { "Content-Type": "text/html" });
            res.end();
            return;
        }
        try {
            this.authorize(req.headers.authorization);
            const visitorApi = this.contactsRoute(req.method ?? "GET", url, raw);
            [status, body] = visitorApi ?? this.route(req.method ?? "GET", url, req.headers["content-type"], raw, entry);
        } catch (err) {
            status = err instanceof HttpError ? err.status : 500;
            body = { errors: [{ code: status, message: (err as Error).message, ...(status === 401 ? { type: "access_denied" } : {}) }] };
        }
        entry.status = status;
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
    }

    /** Contacts, form results and campaign members, for the conformance command's visitor checks. */
    readonly contacts = new Map<number, { id: number; email: string; fields: Obj; tags: string[]; dnc: Obj[] }>();
    readonly submissions: Obj[] = [];
    readonly campaignMembers: { campaign: number; contact: number }[] = [];

    private contactJson(c: { id: number; email: string; fields: Obj; tags: string[]; dnc: Obj[] }): Obj {
        return { id: c.id, fields: { all: { email: c.email, ...c.fields } }, tags: c.tags.map((t) => ({ tag: t })), ipAddresses: [], doNotContact: c.dnc };
    }

    /** A visitor's POST /form/submit as Mautic handles a kiosk-mode form: a known address is used as it is. */
    private visitorSubmit(formId: number, body: URLSearchParams): number {
        const form = this.store.get("forms")!.get(formId);
        if (!form || !form.isPublished) return 404;
        const values: Obj = {};
        for (const f of (form.fields ?? []) as Obj[]) {
            const alias = String(f.alias);
            const v = f.type === "checkboxgrp" ? body.getAll(`mauticform[${alias}][]`).join(", ") : body.get(`mauticform[${alias}]`) ?? "";
            if (f.isRequired && v === "") return 200; // the form again, with the validation message; nothing stored
            if (f.type !== "button" && f.type !== "freetext") values[alias] = v;
        }
        const email = String(values.email ?? "").toLowerCase();
        let contact = [...this.contacts.values()].find((c) => c.email === email);
        if (!contact) {
            if (!form.inKioskMode) throw new Error("fake Mautic: only kiosk-mode forms are modelled (others merge an anonymous visitor contact into the known one)");
            contact = { id: this.nextId++, email, fields: {}, tags: [], dnc: [] };
            this.contacts.set(contact.id, contact);
        }
        for (const a of (form.actions ?? []) as Obj[]) {
            if (a.type !== "lead.changetags") continue;
            const names = (ids: Json | undefined) => ((ids ?? []) as number[]).map((id) => String(this.store.get("tags")!.get(id)!.tag));
            const props = a.properties as Obj;
            contact.tags = [...new Set([...contact.tags, ...names(props.add_tags)])].filter((t) => !names(props.remove_tags).includes(t));
        }
        this.submissions.push({ id: this.submissions.length + 1, form: formId, lead: { id: contact.id }, ipAddress: { ipAddress: "*.*.*.*" }, results: values });
        if (this.opts.line === "7.2" || form.formType !== "standalone") {
            for (const c of this.all("campaigns")) {
                if (c.isPublished && ((c.forms ?? []) as Obj[]).some((f) => f.id === formId) && !this.campaignMembers.some((m) => m.campaign === c.id && m.contact === contact!.id)) {
                    this.campaignMembers.push({ campaign: c.id as number, contact: contact.id });
                }
            }
        }
        return 302;
    }

    private contactsRoute(method: string, url: URL, raw: string): [number, Json] | undefined {
        const p = url.pathname;
        if (p === "/api/contacts" && method === "GET") {
            const q = String(url.searchParams.get("search") ?? "").replace(/^email:/, "").toLowerCase();
            const found = [...this.contacts.values()].filter((c) => c.email.includes(q));
            return [200, { total: found.length, contacts: Object.fromEntries(found.map((c) => [String(c.id), this.contactJson(c)])) }];
        }
        if (p === "/api/contacts/new" && method === "POST") {
            const b = JSON.parse(raw) as Obj;
            const { email, tags, ...fields } = b;
            const c = { id: this.nextId++, email: String(email).toLowerCase(), fields, tags: ((tags ?? []) as string[]).map(String), dnc: [] as Obj[] };
            this.contacts.set(c.id, c);
            return [201, { contact: this.contactJson(c) }];
        }
        let m = /^\/api\/contacts\/(\d+)$/.exec(p);
        if (m && method === "GET") {
            const c = this.contacts.get(Number(m[1]));
            if (!c) throw new HttpError(404, "Item was not found.");
            return [200, { contact: this.contactJson(c) }];
        }
        m = /^\/api\/contacts\/(\d+)\/dnc\/email\/add$/.exec(p);
        if (m && method === "POST") {
            const c = this.contacts.get(Number(m[1]));
            if (!c) throw new HttpError(404, "Item was not found.");
            c.dnc.push({ channel: "email", reason: Number((JSON.parse(raw) as Obj).reason ?? 3) });
            return [200, { contact: this.contactJson(c) }];
        }
        m = /^\/api\/campaigns\/(\d+)\/contacts$/.exec(p);
        if (m && method === "GET") {
            const list = this.campaignMembers.filter((x) => x.campaign === Number(m![1])).map((x) => ({ campaign_id: x.campaign, lead_id: x.contact }));
            return [200, { total: list.length, contacts: list }];
        }
        m = /^\/api\/forms\/(\d+)\/submissions$/.exec(p);
        if (m && method === "GET") {
            const list = this.submissions.filter((x) => x.form === Number(m![1])).reverse();
            return [200, { total: list.length, submissions: list }];
        }
        return undefined;
    }

    private authorize(header: string | undefined): void {
        const expected = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString("base64")}`;
        if (header !== expected) throw new HttpError(401, "API authorization denied.");
    }

    private route(method: string, url: URL, contentType: string | undefined, raw: string, entry: FakeRequest): [number, Json] {
        const m = /^\/api\/(tags|fields\/contact|pages|emails|forms|segments|campaigns)(?:\/(new|\d+))?(?:\/(edit))?$/.exec(url.pathname);
        if (!m) throw new HttpError(404, `Requested URL not found: ${url.pathname}`);
        const resource = m[1] as FakeResource;
        const env = envelope[resource];
        if (m[2] === undefined) {
            if (method !== "GET") throw new HttpError(405, `Method ${method} not allowed on ${url.pathname}`);
            return [200, this.list(resource, url)];
        }
        if (m[2] === "new") {
            if (method !== "POST") throw new HttpError(405, `Method ${method} not allowed on ${url.pathname}`);
            if (!/^application\/json\b/.test(contentType ?? "")) throw new HttpError(415, "Content-Type must be application/json");
            let payload: unknown;
            try {
                payload = JSON.parse(raw);
            } catch {
                throw new HttpError(400, "Request body is not JSON");
            }
            entry.body = payload as Json;
            if (!isObj(payload)) bad("Request body must be a JSON object");
            const created = this.create(resource, payload as Obj);
            return [201, { [env.item]: created }];
        }
        if (m[3] === "edit") {
            if (method !== "PATCH") throw new HttpError(405, `Method ${method} not allowed on ${url.pathname}`);
            const found = this.store.get(resource)!.get(Number(m[2]));
            if (!found) throw new HttpError(404, "Item was not found.");
            const patch = JSON.parse(raw || "{}") as Obj;
            entry.body = patch;
            for (const k of Object.keys(patch)) if (k !== "isPublished") bad(`fake Mautic: PATCH supports isPublished only, not ${k}`);
            found.isPublished = patch.isPublished === true;
            return [200, { [env.item]: found }];
        }
        if (method !== "GET") throw new HttpError(405, `Method ${method} not allowed on ${url.pathname}`);
        const found = this.store.get(resource)!.get(Number(m[2]));
        if (!found) throw new HttpError(404, "Item was not found.");
        return [200, { [env.item]: found }];
    }

    private list(resource: FakeResource, url: URL): Json {
        for (const k of url.searchParams.keys()) if (!listParams.has(k)) bad(`Unknown query parameter ${k}`);
        const start = Number(url.searchParams.get("start") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 30);
        if (!Number.isInteger(start) || start < 0 || !Number.isInteger(limit) || limit < 1) bad("start and limit must be non-negative integers");
        const all = this.all(resource).sort((a, b) => (a.id as number) - (b.id as number));
        const page = all.slice(start, start + Math.min(limit, this.maxPageSize));
        const env = envelope[resource];
        const items: Json = env.keyed ? Object.fromEntries(page.map((e) => [String(e.id), e])) : page;
        return { total: all.length, [env.list]: items };
    }

    private materialize(resource: FakeResource, data: Obj): Obj {
        const id = this.nextId++;
        const entity: Obj = { isPublished: true, dateAdded: "2026-01-01T00:00:00+00:00", createdBy: 1, createdByUser: "Admin", ...data, id };
        if (resource === "forms") {
            // Mautic derives a form's alias from its name and cuts it to 10 characters.
            entity.alias = String(data.name).toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 10);
        }
        return entity;
    }

    private create(resource: FakeResource, p: Obj): Obj {
        const env = envelope[resource];
        for (const k of Object.keys(p)) if (!env.allowed.includes(k)) bad(`${resource}: This form should not contain extra fields ("${k}")`);
        for (const k of env.required) if (typeof p[k] !== "string" || (p[k] as string).trim() === "") bad(`${resource}: ${k}: A value is required.`);
        const natural = p[env.key];
        if (typeof natural === "string" && this.all(resource).some((e) => typeof e[env.key] === "string" && (e[env.key] as string).toLowerCase() === natural.toLowerCase())) {
            throw new HttpError(409, `fake Mautic: a ${resource} object with ${env.key} '${natural}' exists already; a real Mautic would silently create a second copy (non-idempotent run)`);
        }
        const validators: Record<FakeResource, (p: Obj) => void> = {
            tags: () => undefined,
            "fields/contact": (f) => {
                if (!fieldTypes.includes(f.type as string)) bad(`fields: unknown type ${JSON.stringify(f.type)}`);
                if (f.object !== undefined && f.object !== "lead" && f.object !== "company") bad("fields: object must be lead or company");
                if (f.alias !== undefined && !/^[a-z][a-z0-9_]*$/.test(String(f.alias))) bad(`fields: invalid alias ${JSON.stringify(f.alias)}`);
            },
            pages: (pg) => {
                if (pg.customHtml !== undefined && typeof pg.customHtml !== "string") bad("pages: customHtml must be a string");
                if (pg.alias !== undefined && !/^[a-z0-9-]+$/.test(String(pg.alias))) bad(`pages: invalid alias ${JSON.stringify(pg.alias)}`);
            },
            emails: (e) => this.validateEmail(e),
            forms: (f) => this.validateForm(f),
            segments: (s) => this.validateSegment(s),
            campaigns: (c) => this.validateCampaign(c),
        };
        validators[resource](p);
        const stored = { ...p };
        // 7.1+ ignores formType (every form feeds its campaigns).
        if (resource === "forms" && this.opts.line === "7.2") delete stored.formType;
        const entity = this.materialize(resource, resource === "campaigns" ? this.renumberCampaign(stored) : stored);
        this.store.get(resource)!.set(entity.id as number, entity);
        return entity;
    }

    private exists(resource: FakeResource, id: Json | undefined): boolean {
        return typeof id === "number" && this.store.get(resource)!.has(id);
    }

    private validateEmail(e: Obj): void {
        if (e.emailType !== undefined && e.emailType !== "template" && e.emailType !== "list") bad("emails: emailType must be template or list");
        if (e.emailType === "list" && (!Array.isArray(e.lists) || e.lists.length === 0)) bad("emails: a segment (list) email needs lists");
        for (const m of String(e.customHtml ?? "").matchAll(/\{pagelink=([^}]*)\}/g)) {
            if (!this.exists("pages", Number(m[1]))) bad(`emails: {pagelink=${m[1]}} names no existing landing page`);
        }
        if (/%%ref:/.test(JSON.stringify(e))) bad("emails: unresolved reference marker in payload");
    }

    private validateForm(f: Obj): void {
        if (f.formType !== undefined && f.formType !== "standalone" && f.formType !== "campaign") bad("forms: formType must be standalone or campaign");
        // Seen on a real 5.2.1: the form's language must be one Mautic knows (offline only en_US).
        if (f.language !== undefined && f.language !== null && f.language !== "" && !(this.opts.languages ?? ["en_US"]).includes(String(f.language))) {
            bad("language: This value is not valid.");
        }
        const postAction = f.postAction ?? "return";
        if (!["return", "redirect", "message"].includes(postAction as string)) bad("forms: postAction must be return, redirect or message");
        if (postAction !== "return" && (typeof f.postActionProperty !== "string" || f.postActionProperty === "")) bad("forms: postActionProperty is required for redirect/message");
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
                if (field.mappedObject === "contact" && !this.find("fields/contact", "alias", String(field.mappedField))) {
                    bad(`forms: mappedField ${JSON.stringify(field.mappedField)} is not a contact field`);
                }
            }
        }
        const actions = f.actions ?? [];
        if (!Array.isArray(actions)) bad("forms: actions must be an array");
        for (const act of actions as Json[]) {
            if (!isObj(act)) bad("forms: every action must be an object");
            const a = act as Obj;
            for (const k of Object.keys(a)) if (!["id", "name", "description", "type", "order", "properties"].includes(k)) bad(`forms: action has unknown key ${k}`);
            if (!formActionTypes.includes(a.type as string)) bad(`forms: unknown action type ${JSON.stringify(a.type)}`);
            if (!isObj(a.properties)) bad("forms: action properties are required");
            const props = a.properties as Obj;
            if (a.type === "email.send.lead" && !this.exists("emails", props.email)) bad(`forms: email.send.lead names no existing email (${JSON.stringify(props.email)})`);
            if (a.type === "lead.changetags") {
                // Seen on a real 5.2.1: form actions take tag IDs; names give this 400.
                for (const k of ["add_tags", "remove_tags"]) {
                    const v = props[k];
                    if (v !== undefined && (!Array.isArray(v) || v.some((t) => !this.exists("tags", t)))) bad(`${k}: This value is not valid.`);
                }
            }
        }
    }

    private validateSegment(s: Obj): void {
        const filters = s.filters ?? [];
        if (!Array.isArray(filters)) bad("segments: filters must be an array");
        for (const flt of filters as Json[]) {
            if (!isObj(flt)) bad("segments: every filter must be an object");
            const f = flt as Obj;
            for (const k of ["glue", "field", "object", "type", "operator", "properties"]) if (f[k] === undefined) bad(`segments: filter needs ${k}`);
            if (f.type === "tags") {
                const ids = isObj(f.properties) ? f.properties.filter : undefined;
                if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => !this.exists("tags", id))) bad("segments: a tags filter needs properties.filter = [existing tag ids]");
                if (!["in", "!in"].includes(f.operator as string)) bad("segments: tags filter operator must be in or !in");
            }
        }
    }

    private validateCampaign(c: Obj): void {
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
            if (e.triggerMode === "interval" && (!Number.isInteger(e.triggerInterval) || (e.triggerInterval as number) < 1 || !["i", "h", "d", "m", "y"].includes(e.triggerIntervalUnit as string))) {
                bad(`campaigns: ${e.name}: an interval needs triggerInterval >= 1 and triggerIntervalUnit in i,h,d,m,y`);
            }
            const parent = e.parent === null || e.parent === undefined ? null : byId.get(String(e.parent));
            if (e.parent !== null && e.parent !== undefined && !parent) bad(`campaigns: ${e.name}: parent ${JSON.stringify(e.parent)} is not an event of this campaign`);
            if (!parent && e.decisionPath !== null && e.decisionPath !== undefined) bad(`campaigns: ${e.name}: a root event has no decisionPath`);
            if (parent) {
                const parentKind = campaignEventTypes[parent.type as string];
                if (parentKind === "action" && e.decisionPath !== null) bad(`campaigns: ${e.name}: the child of an action has no decisionPath`);
                if (parentKind !== "action" && e.decisionPath !== "yes" && e.decisionPath !== "no") bad(`campaigns: ${e.name}: the child of a ${parentKind} needs decisionPath yes or no`);
                if (!Array.isArray(parent.children) || !parent.children.includes(e.id as string)) bad(`campaigns: ${parent.name} does not list ${e.name} among its children`);
                if (parent.type === "lead.deletecontact") bad("campaigns: nothing may follow lead.deletecontact");
            }
            if ((e.type === "email.click" || e.type === "email.open") && parent?.type !== "email.send") {
                bad(`campaigns: ${e.name}: ${e.type} must follow an email.send action (connectionRestrictions)`);
            }
            if (!Array.isArray(e.children) || e.children.some((ch) => byId.get(String(ch))?.parent !== e.id)) bad(`campaigns: ${e.name}: children and parent links disagree`);
            if (!isObj(e.properties)) bad(`campaigns: ${e.name}: properties must be an object`);
            const props = e.properties as Obj;
            const allowedProps = eventPropertyKeys[e.type as string];
            if (allowedProps) for (const k of Object.keys(props)) if (!allowedProps.includes(k)) bad(`campaigns: ${e.name}: ${e.type} has no property ${k}`);
            const tagList = (v: Json | undefined) => Array.isArray(v) && v.every((t) => typeof t === "string" && t !== "");
            switch (e.type) {
                case "email.send": {
                    const email = typeof props.email === "number" ? this.store.get("emails")!.get(props.email) : undefined;
                    if (!email) bad(`campaigns: ${e.name}: email.send needs properties.email = an existing email id`);
                    if (email!.emailType !== "template") bad(`campaigns: ${e.name}: email.send sends template emails only; email ${props.email} is a ${JSON.stringify(email!.emailType)} email`);
                    if (props.email_type !== undefined && props.email_type !== "transactional" && props.email_type !== "marketing") bad(`campaigns: ${e.name}: email_type must be transactional or marketing`);
                    if (props.priority !== undefined && props.priority !== 1 && props.priority !== 2) bad(`campaigns: ${e.name}: priority must be 1 (high) or 2 (normal)`);
                    if (props.attempts !== undefined && (!Number.isInteger(props.attempts) || (props.attempts as number) < 0)) bad(`campaigns: ${e.name}: attempts must be a whole number >= 0`);
                    break;
                }
                case "email.click":
                    if (props.urls !== undefined) {
                        const urls = props.urls;
                        if (!isObj(urls) || Object.keys(urls).some((k) => k !== "list") || !Array.isArray(urls.list) || urls.list.some((u) => typeof u !== "string" || u === "")) {
                            bad(`campaigns: ${e.name}: email.click needs properties.urls = {list: [non-empty strings]}`);
                        }
                    }
                    break;
                case "lead.field_value":
                    if (typeof props.field !== "string" || !this.find("fields/contact", "alias", props.field)) bad(`campaigns: ${e.name}: lead.field_value needs properties.field = an existing contact field alias`);
                    if (!fieldValueOperators.includes(props.operator as string)) bad(`campaigns: ${e.name}: unknown operator ${JSON.stringify(props.operator)}`);
                    if (typeof props.value !== "string") bad(`campaigns: ${e.name}: lead.field_value needs a string value`);
                    break;
                case "lead.tags":
                    if (!tagList(props.tags) || (props.tags as Json[]).length === 0) bad(`campaigns: ${e.name}: lead.tags needs properties.tags = [tag names]`);
                    break;
                case "lead.changetags":
                    if (!tagList(props.add_tags) || !tagList(props.remove_tags)) bad(`campaigns: ${e.name}: lead.changetags needs add_tags and remove_tags = [tag names]`);
                    break;
                case "lead.pageHit":
                    if (!this.exists("pages", props.page)) bad(`campaigns: ${e.name}: lead.pageHit needs properties.page = existing landing page id`);
                    break;
                case "lead.deletecontact":
                    if ((e.children as Json[]).length > 0) bad("campaigns: lead.deletecontact must be the last event");
                    break;
                case "lead.dnc":
                    if (!Array.isArray(props.channels) || props.channels.length === 0 || props.channels.some((ch) => ch !== "email")) bad(`campaigns: ${e.name}: lead.dnc needs properties.channels = ["email"]`);
                    break;
                case "form.submit":
                    if (!Array.isArray(props.forms) || props.forms.length === 0 || props.forms.some((id) => !this.exists("forms", id))) bad(`campaigns: ${e.name}: form.submit needs properties.forms = [existing form ids]`);
                    break;
                case "form.field_value": {
                    const form = typeof props.form === "number" ? this.store.get("forms")!.get(props.form) : undefined;
                    if (!form) bad(`campaigns: ${e.name}: form.field_value needs properties.form = an existing form id`);
                    const aliases = ((form!.fields ?? []) as Obj[]).map((fl) => fl.alias);
                    if (!aliases.includes(props.field as string)) bad(`campaigns: ${e.name}: form.field_value: ${JSON.stringify(props.field)} is not a field of form ${props.form}`);
                    if (!fieldValueOperators.includes(props.operator as string)) bad(`campaigns: ${e.name}: unknown operator ${JSON.stringify(props.operator)}`);
                    break;
                }
                case "lead.updatelead":
                    for (const [alias, value] of Object.entries(props)) {
                        if (!this.find("fields/contact", "alias", alias)) bad(`campaigns: ${e.name}: ${alias} is not a contact field`);
                        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") bad(`campaigns: ${e.name}: ${alias} needs a plain value`);
                    }
                    break;
                default:
                    break;
            }
        }
        // A source is required; each one must exist (and, for forms, be able to feed a campaign).
        const lists = c.lists ?? [];
        const forms = c.forms ?? [];
        if (!Array.isArray(lists) || lists.some((l) => !isObj(l) || !this.exists("segments", l.id))) bad("campaigns: lists must be [{id: existing segment id}]");
        if (!Array.isArray(forms) || forms.some((f) => !isObj(f) || !this.exists("forms", f.id))) bad("campaigns: forms must be [{id: existing form id}]");
        if ((lists as Json[]).length === 0 && (forms as Json[]).length === 0) bad("campaigns: A campaign needs a contact source: lists or forms (mautic.campaign.form.sources.notempty)");
        for (const f of forms as Obj[]) {
            if (this.opts.line !== "7.2" && this.store.get("forms")!.get(f.id as number)!.formType !== "campaign") {
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
                    if (!sources.includes(source as string) || anchor !== "leadsource") bad(`campaigns: root event ${e.name} must be connected from a source (${sources.join(" or ")}) with the anchor leadsource`);
                } else if (source !== e.parent || (e.decisionPath && anchor !== e.decisionPath)) {
                    bad(`campaigns: connection into ${e.name} does not match its parent/decisionPath`);
                }
            }
        }
    }

    /** Mautic replaces the temporary `new_*` ids; GET returns events keyed by their new ids. */
    private renumberCampaign(c: Obj): Obj {
        const map = new Map<string, number>();
        const events = (c.events ?? []) as Obj[];
        for (const e of events) map.set(String(e.id), this.nextId++);
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
}

const esc = (v: unknown) => String(v ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A published form as Mautic 5.2.1 renders it, where it matters: a checkbox/radio group lists
 * its options ONLY when `syncList`, `list` or `optionList` is set in its properties (FormBundle
 * Resources/views/Field/group.html.twig; seen on the real instance: without them the required
 * consent box is not rendered at all). Required fields get `mauticform-required`.
 */
export function renderPublicForm(form: Obj): string {
    const name = String(form.alias ?? "").replace(/_/g, "");
    const out: string[] = [`<form autocomplete="false" role="form" method="post" action="/form/submit?formId=${form.id}" id="mauticform_${name}">`];
    for (const f of ((form.fields ?? []) as Obj[]).slice().sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0))) {
        const alias = String(f.alias);
        const cls = `mauticform-row mauticform-${f.type}${f.isRequired ? " mauticform-required" : ""}`;
        const props = isObj(f.properties) ? f.properties : {};
        switch (f.type) {
            case "freetext":
                out.push(`<div id="mauticform_${name}_${alias}" class="${cls}"><h3 class="mauticform-label">${esc(f.label)}</h3><div class="mauticform-freetext">${String(props.text ?? "")}</div></div>`);
                break;
            case "checkboxgrp": {
                const opts = listSwitches.some((k) => k in props) && isObj(props.optionlist) && Array.isArray(props.optionlist.list) ? (props.optionlist.list as Obj[]) : [];
                const boxes = opts.map((o, i) => `<label><input type="checkbox" name="mauticform[${alias}][]" id="mauticform_checkboxgrp_checkbox_${alias}_${i}" value="${esc(o.value)}"${o.value === f.defaultValue && f.defaultValue ? " checked" : ""}>${esc(o.label)}</label>`);
                out.push(`<div id="mauticform_${name}_${alias}" data-validate="${f.isRequired ? alias : ""}" class="${cls}"><label class="mauticform-label">${esc(f.label)}</label><div class="mauticform-checkboxgrp-row">${boxes.join("")}</div></div>`);
                break;
            }
            case "hidden":
                out.push(`<input name="mauticform[${alias}]" value="${esc(f.defaultValue)}" id="mauticform_input_${name}_${alias}" class="mauticform-hidden" type="hidden">`);
                break;
            case "button":
                out.push(`<div class="${cls}"><button type="submit" name="mauticform[${alias}]" value="1">${esc(f.label)}</button></div>`);
                break;
            default:
                out.push(`<div id="mauticform_${name}_${alias}" class="${cls}"><label>${esc(f.label)}</label><input name="mauticform[${alias}]" type="${f.type === "email" ? "email" : "text"}" value=""></div>`);
        }
    }
    out.push(`<input type="hidden" name="mauticform[formId]" value="${form.id}"><input type="hidden" name="mauticform[return]" value=""><input type="hidden" name="mauticform[formName]" value="${name}"></form>`);
    return `<!DOCTYPE html><html><body>${out.join("\n")}</body></html>`;
}
