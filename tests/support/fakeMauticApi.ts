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
 *
 * What it knows of Mautic: fakeMauticSchema.ts; its checks of created objects:
 * fakeMauticChecks.ts; a published form's HTML: fakeMauticForm.ts (re-exported here).
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { FakeStoreView, renumberCampaign, validateCampaign, validateEmail, validateForm, validateSegment } from "./fakeMauticChecks";
import { renderPublicForm } from "./fakeMauticForm";
import { FakeResource, HttpError, Json, Obj, bad, envelope, fieldTypes, isObj, listParams } from "./fakeMauticSchema";

export type { FakeResource } from "./fakeMauticSchema";
export { renderPublicForm } from "./fakeMauticForm";

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
        for (const [alias, label, type] of [
            ["firstname", "First Name", "text"],
            ["lastname", "Last Name", "text"],
            ["email", "Email", "email"],
        ]) {
            this.seed("fields/contact", { label, alias, type, group: "core", object: "lead", isPublished: true });
        }
    }

    /** The fake's state as the checks (fakeMauticChecks.ts) read it. */
    private get view(): FakeStoreView {
        return {
            store: this.store,
            opts: this.opts,
            exists: (resource, id) => this.exists(resource, id),
            find: (resource, key, value) => this.find(resource, key, value),
            newId: () => this.nextId++,
        };
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
            const v = f.type === "checkboxgrp" ? body.getAll(`mauticform[${alias}][]`).join(", ") : (body.get(`mauticform[${alias}]`) ?? "");
            if (f.isRequired && v === "") return 200; // the form again, with the validation message; nothing stored
            if (f.type !== "button" && f.type !== "freetext") values[alias] = v;
        }
        const email = String(values.email ?? "").toLowerCase();
        let contact = [...this.contacts.values()].find((c) => c.email === email);
        if (!contact) {
            if (!form.inKioskMode)
                throw new Error("fake Mautic: only kiosk-mode forms are modelled (others merge an anonymous visitor contact into the known one)");
            contact = { id: this.nextId++, email, fields: {}, tags: [], dnc: [] };
            this.contacts.set(contact.id, contact);
        }
        for (const a of (form.actions ?? []) as Obj[]) {
            if (a.type !== "lead.changetags") continue;
            const names = (ids: Json | undefined) => ((ids ?? []) as number[]).map((id) => String(this.store.get("tags")!.get(id)!.tag));
            const props = a.properties as Obj;
            contact.tags = [...new Set([...contact.tags, ...names(props.add_tags)])].filter((t) => !names(props.remove_tags).includes(t));
        }
        this.submissions.push({
            id: this.submissions.length + 1,
            form: formId,
            lead: { id: contact.id },
            ipAddress: { ipAddress: "*.*.*.*" },
            results: values,
        });
        if (this.opts.line === "7.2" || form.formType !== "standalone") {
            for (const c of this.all("campaigns")) {
                if (
                    c.isPublished &&
                    ((c.forms ?? []) as Obj[]).some((f) => f.id === formId) &&
                    !this.campaignMembers.some((m) => m.campaign === c.id && m.contact === contact!.id)
                ) {
                    this.campaignMembers.push({ campaign: c.id as number, contact: contact.id });
                }
            }
        }
        return 302;
    }

    private contactsRoute(method: string, url: URL, raw: string): [number, Json] | undefined {
        const p = url.pathname;
        if (p === "/api/contacts" && method === "GET") {
            const q = String(url.searchParams.get("search") ?? "")
                .replace(/^email:/, "")
                .toLowerCase();
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
            entity.alias = String(data.name)
                .toLowerCase()
                .replace(/[^a-z0-9]+/g, "_")
                .slice(0, 10);
        }
        return entity;
    }

    private create(resource: FakeResource, p: Obj): Obj {
        const env = envelope[resource];
        for (const k of Object.keys(p)) if (!env.allowed.includes(k)) bad(`${resource}: This form should not contain extra fields ("${k}")`);
        for (const k of env.required) if (typeof p[k] !== "string" || (p[k] as string).trim() === "") bad(`${resource}: ${k}: A value is required.`);
        const natural = p[env.key];
        if (
            typeof natural === "string" &&
            this.all(resource).some((e) => typeof e[env.key] === "string" && (e[env.key] as string).toLowerCase() === natural.toLowerCase())
        ) {
            throw new HttpError(
                409,
                `fake Mautic: a ${resource} object with ${env.key} '${natural}' exists already; a real Mautic would silently create a second copy (non-idempotent run)`,
            );
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
            emails: (e) => validateEmail(this.view, e),
            forms: (f) => validateForm(this.view, f),
            segments: (s) => validateSegment(this.view, s),
            campaigns: (c) => validateCampaign(this.view, c),
        };
        validators[resource](p);
        const stored = { ...p };
        // 7.1+ ignores formType (every form feeds its campaigns).
        if (resource === "forms" && this.opts.line === "7.2") delete stored.formType;
        const entity = this.materialize(resource, resource === "campaigns" ? renumberCampaign(this.view, stored) : stored);
        this.store.get(resource)!.set(entity.id as number, entity);
        return entity;
    }

    private exists(resource: FakeResource, id: Json | undefined): boolean {
        return typeof id === "number" && this.store.get(resource)!.has(id);
    }
}
