/**
 * A loopback stand-in for the parts of Mautic's REST API the kit's DOI endpoint calls
 * (templates/doiEndpoint/), with the shapes of Mautic 5.2.1 (EmailApiController::sendLeadAction,
 * LeadApiController; the search semantics measured on a real 5.2.1): contacts by search, create,
 * read, edit (tags with "-" remove), DNC add and removal, e-mails by search, send to a contact
 * with tokens (`onSend`). It refuses a wrong basic-auth user or host.
 */
import * as http from "http";
import { doiNames } from "../../components/doi/doiBlueprint";
import { closeServer, listenInRange } from "./loopback";

export interface FakeContact {
    id: number;
    fields: Record<string, string | null>;
    tags: string[];
    dnc: string[];
}

export interface SentMail {
    emailId: number;
    contactId: number;
    tokens: Record<string, string>;
}

export class FakeDoiMautic {
    contacts = new Map<number, FakeContact>();
    sent: SentMail[] = [];
    calls: string[] = [];
    emails = [
        { id: 7, name: doiNames.email("de"), customHtml: '<a href="{kit_doi_confirm_url}">Ja</a>' },
        { id: 8, name: doiNames.email("en"), customHtml: '<a href="{kit_doi_confirm_url}">Yes</a>' },
    ];
    /** Largest page a contact list returns, whatever `limit` asks (Mautic's API allows more; small values test the paging). */
    maxPageSize = 100;
    /** Called for every accepted send (e.g. to queue the mail as Mautic does). */
    onSend?: (mail: SentMail, contact: FakeContact) => void;
    /** When set, the next send answers this instead of success. */
    failSend = false;
    port = 0;
    private nextId = 1;
    private server?: http.Server;

    constructor(private readonly user: string, private readonly password: string, private readonly host: string) {}

    add(email: string, tags: string[] = [], fields: Record<string, string> = {}, dnc: string[] = []): FakeContact {
        const c = { id: this.nextId++, fields: { email, ...fields }, tags: [...tags], dnc: [...dnc] };
        this.contacts.set(c.id, c);
        return c;
    }

    private view(c: FakeContact) {
        return {
            id: c.id,
            fields: { all: { id: c.id, ...c.fields } },
            tags: c.tags.map((t, i) => ({ id: i + 1, tag: t })),
            doNotContact: c.dnc.map((ch) => ({ channel: ch, reason: 1 })),
        };
    }

    async start(): Promise<number> {
        this.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d) => (body += d));
            req.on("end", () => {
                const send = (status: number, json: unknown) => {
                    res.writeHead(status, { "Content-Type": "application/json" });
                    res.end(JSON.stringify(json));
                };
                const auth = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString("base64")}`;
                if (req.headers.authorization !== auth) return send(401, { errors: [{ code: 401 }] });
                if (req.headers.host !== this.host || req.headers["x-forwarded-proto"] !== "https") return send(400, { errors: [{ message: "untrusted host" }] });
                const url = new URL(req.url ?? "/", "http://x");
                const p = url.pathname.replace(/^\/api\//, "");
                const data = body ? (JSON.parse(body) as Record<string, unknown>) : {};
                this.calls.push(`${req.method} ${p}`);
                let m: RegExpExecArray | null;
                if (req.method === "GET" && p === "contacts") {
                    // Mautic 5.2.1 (measured, docs/evidence/conformance.md): `email:X` is a
                    // case-insensitive prefix LIKE with `_`/`%` as wildcards; any `minimal` value
                    // PHP reads as true (even "false") drops the tags; start/limit page by id.
                    const search = url.searchParams.get("search") ?? "";
                    if (!search.startsWith("email:")) return send(400, { errors: [{ message: `the fake knows only email: searches, got ${search}` }] });
                    const like = new RegExp(`^${search.slice(6).replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/_/g, ".").replace(/%/g, ".*")}`, "i");
                    const minimal = !["", "0"].includes(url.searchParams.get("minimal") ?? "");
                    const start = Number(url.searchParams.get("start") ?? 0);
                    const limit = Math.min(Number(url.searchParams.get("limit") ?? 30), this.maxPageSize);
                    const found = [...this.contacts.values()].filter((c) => like.test(String(c.fields.email))).sort((a, b) => a.id - b.id);
                    const page = found.slice(start, start + limit).map((c) => {
                        const { tags: _tags, doNotContact: _dnc, ...rest } = this.view(c);
                        return [c.id, minimal ? rest : this.view(c)];
                    });
                    return send(200, { total: String(found.length), contacts: Object.fromEntries(page) });
                }
                if (req.method === "POST" && p === "contacts/new") {
                    const { email, tags, ...fields } = data;
                    const c = this.add(String(email), (tags as string[]) ?? [], Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])));
                    return send(201, { contact: this.view(c) });
                }
                if ((m = /^contacts\/(\d+)\/dnc\/email\/add$/.exec(p)) && req.method === "POST") {
                    const c = this.contacts.get(Number(m[1]));
                    if (!c) return send(404, {});
                    if (!c.dnc.includes("email")) c.dnc.push("email");
                    return send(200, { contact: this.view(c) });
                }
                if ((m = /^contacts\/(\d+)$/.exec(p)) && req.method === "GET") {
                    const c = this.contacts.get(Number(m[1]));
                    return c ? send(200, { contact: this.view(c) }) : send(404, { errors: [{ code: 404 }] });
                }
                if ((m = /^contacts\/(\d+)\/edit$/.exec(p)) && req.method === "PATCH") {
                    const c = this.contacts.get(Number(m[1]));
                    if (!c) return send(404, {});
                    for (const [k, v] of Object.entries(data)) {
                        if (k === "tags") {
                            for (const t of v as string[]) {
                                if (t.startsWith("-")) c.tags = c.tags.filter((x) => x !== t.slice(1));
                                else if (!c.tags.includes(t)) c.tags.push(t);
                            }
                        } else c.fields[k] = String(v);
                    }
                    return send(200, { contact: this.view(c) });
                }
                if ((m = /^contacts\/(\d+)\/dnc\/email\/remove$/.exec(p)) && req.method === "POST") {
                    const c = this.contacts.get(Number(m[1]));
                    if (!c) return send(404, {});
                    c.dnc = c.dnc.filter((x) => x !== "email");
                    return send(200, { contact: this.view(c) });
                }
                if (req.method === "GET" && p === "emails") {
                    // An unquoted "DOI: ..." is read by Mautic as the search command "doi:" and
                    // finds nothing (measured on 5.2.1); a quoted phrase matches the name.
                    const q = url.searchParams.get("search") ?? "";
                    const phrase = /^"(.*)"$/.exec(q);
                    const found = phrase ? this.emails.filter((e) => e.name.toLowerCase().includes(phrase[1].toLowerCase())) : /^\S+:/.test(q) ? [] : this.emails.filter((e) => e.name.includes(q));
                    return send(200, { total: found.length, emails: found });
                }
                if ((m = /^emails\/(\d+)\/contact\/(\d+)\/send$/.exec(p)) && req.method === "POST") {
                    if (!this.contacts.has(Number(m[2]))) return send(404, {});
                    if (this.failSend) return send(200, { success: false, failed: ["transport down"] });
                    const mail = { emailId: Number(m[1]), contactId: Number(m[2]), tokens: (data.tokens ?? {}) as Record<string, string> };
                    this.sent.push(mail);
                    this.onSend?.(mail, this.contacts.get(mail.contactId)!);
                    return send(200, { success: true });
                }
                send(404, { errors: [{ message: `no route ${req.method} ${p}` }] });
            });
        });
        this.port = await listenInRange(this.server);
        return this.port;
    }

    async stop(): Promise<void> {
        if (this.server) await closeServer(this.server);
    }
}
