/**
 * How the conformance command talks to a live Mautic: the REST API (through the kit's own
 * `MauticClient`, counting POSTs), the public pages a visitor sees (no cookies are kept between
 * requests, like a visitor behind the kit's edge, which strips Mautic's tracking cookies), and
 * optionally Mautic's console (a command prefix) and the mail directory of a test mail sink.
 */
import { execFile } from "child_process";
import * as mysql from "mysql2/promise";
import * as http from "http";
import * as https from "https";
import { readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import type { MauticApiLike } from "../components/doi/doiProvisioner";
import { MauticClient, MauticEntity } from "../components/mautic/mauticApi";
import type { JsonObject, MauticResource } from "../components/doi/doiBlueprint";

export interface TargetOptions {
    /** Where to connect, e.g. "https://staging.example.de" or "http://127.0.0.1:8081". */
    mauticUrl: string;
    /** Host header to send (Mautic's public name when mauticUrl is a loopback port). */
    hostHeader?: string;
    username: string;
    password: string;
    /** Console prefix, split on spaces, e.g. "docker exec -u www-data mautic_cron php /var/www/html/bin/console". */
    console?: string;
    /** Directory where a mail sink stores one .eml file per message. */
    mailDir?: string;
    /** Seconds to wait for a queued mail to reach the sink (the worker sends it). Default 180. */
    mailTimeoutSeconds?: number;
    /** Mautic's database, `mysql://user:pass@host:port/db` (the ledger rows, backdating sign-ups). */
    mysql?: string;
    /** Shell commands (run with `sh -c`): stop and start Mautic's queue worker, run the host's mautic-privacy-maintenance. */
    workerStop?: string;
    workerStart?: string;
    maintenance?: string;
    fetchImpl?: typeof fetch;
}

/** A browser-like User-Agent: Mautic ignores clicks from user agents on its bot list (e.g. curl). */
export const browserUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

export interface PublicResponse {
    status: number;
    location?: string;
    body: string;
    setCookie: string[];
}

/**
 * A fetch that really sends the given Host header (Node's fetch replaces it with the URL's
 * host), for a Mautic reached on a loopback port under its public name. https is verified
 * against NODE_EXTRA_CA_CERTS as usual; SNI is the Host header's name.
 */
export function hostHeaderFetch(host: string): typeof fetch {
    return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
        const headers: Record<string, string> = { ...((init?.headers as Record<string, string>) ?? {}), Host: host };
        const body = init?.body === undefined || init?.body === null ? undefined : String(init.body);
        if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
        const mod = url.protocol === "https:" ? https : http;
        return await new Promise<Response>((resolve, reject) => {
            const req = mod.request(url, { method: init?.method ?? "GET", headers, servername: host.replace(/:\d+$/, ""), timeout: 120000 }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const h = new Headers();
                    for (const [k, v] of Object.entries(res.headers)) {
                        if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
                        else if (v !== undefined) h.set(k, String(v));
                    }
                    const status = res.statusCode ?? 0;
                    const noBody = status === 204 || status === 304;
                    resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: h }));
                });
                res.on("error", reject);
            });
            req.on("timeout", () => req.destroy(new Error("timeout")));
            req.on("error", reject);
            if (init?.signal) init.signal.addEventListener("abort", () => req.destroy(new Error("aborted")));
            if (body !== undefined) req.write(body);
            req.end();
        });
    }) as typeof fetch;
}

export class Target implements MauticApiLike {
    readonly client: MauticClient;
    posts = 0;
    private readonly base: URL;
    private readonly fetchImpl: typeof fetch;
    private readonly headers: Record<string, string>;

    constructor(readonly opts: TargetOptions) {
        this.base = new URL(opts.mauticUrl);
        this.fetchImpl = opts.fetchImpl ?? (opts.hostHeader ? hostHeaderFetch(opts.hostHeader) : fetch);
        // Behind a TLS-terminating proxy Mautic needs to hear that the visitor used https.
        this.headers = opts.hostHeader ? { Host: opts.hostHeader, ...(this.base.protocol === "http:" ? { "X-Forwarded-Proto": "https" } : {}) } : {};
        this.client = new MauticClient({ baseUrl: opts.mauticUrl, username: opts.username, password: opts.password, headers: this.headers, fetchImpl: this.fetchImpl, timeoutMs: 60000 });
    }

    list(resource: MauticResource): Promise<MauticEntity[]> {
        return this.client.list(resource);
    }
    get(resource: MauticResource, id: number): Promise<MauticEntity> {
        return this.client.get(resource, id);
    }
    create(resource: MauticResource, payload: JsonObject): Promise<MauticEntity> {
        this.posts++;
        return this.client.create(resource, payload);
    }

    /** Any API call (the conformance checks' own reads and test data). */
    async api(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: JsonObject): Promise<JsonObject> {
        const res = await this.fetchImpl(`${this.base.origin}/api/${path}`, {
            method,
            headers: {
                ...this.headers,
                Authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString("base64")}`,
                Accept: "application/json",
                ...(body ? { "Content-Type": "application/json" } : {}),
            },
            body: body ? JSON.stringify(body) : undefined,
            redirect: "manual",
        });
        const text = await res.text();
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!res.ok || !parsed || typeof parsed !== "object") {
            throw new Error(`API ${method} /api/${path.split("?")[0]}: HTTP ${res.status}: ${text.slice(0, 200).split(this.opts.password).join("[redacted]")}`);
        }
        return parsed as JsonObject;
    }

    /** The URL to connect to for an absolute Mautic URL (links in mails point at Mautic's public name). */
    private connectUrl(url: string): string {
        const u = new URL(url, this.base);
        return `${this.base.origin}${u.pathname}${u.search}`;
    }

    /** A visitor's request: no cookies, a browser User-Agent, redirects not followed. */
    async visit(method: "GET" | "POST", url: string, form?: [string, string][]): Promise<PublicResponse> {
        const res = await this.fetchImpl(this.connectUrl(url), {
            method,
            headers: {
                ...this.headers,
                "User-Agent": browserUserAgent,
                Accept: "text/html,application/xhtml+xml",
                ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
            },
            body: form ? new URLSearchParams(form).toString() : undefined,
            redirect: "manual",
        });
        const h = res.headers as Headers & { getSetCookie?: () => string[] };
        return { status: res.status, location: res.headers.get("location") ?? undefined, body: await res.text(), setCookie: h.getSetCookie ? h.getSetCookie() : [] };
    }

    /** GET that follows redirects (each hop cookie-less, like a visitor whose cookies the edge stripped). */
    async follow(url: string, maxHops = 5): Promise<PublicResponse & { url: string }> {
        let current = url;
        for (let i = 0; i < maxHops; i++) {
            const r = await this.visit("GET", current);
            if (r.status >= 300 && r.status < 400 && r.location) {
                current = new URL(r.location, new URL(current, this.base)).toString();
                continue;
            }
            return { ...r, url: current };
        }
        throw new Error(`more than ${maxHops} redirects from ${url}`);
    }

    get hasConsole(): boolean {
        return !!this.opts.console;
    }

    /** Runs a Mautic console command through the prefix; resolves with stdout, rejects on a non-zero exit. */
    console(args: string[]): Promise<string> {
        const prefix = (this.opts.console ?? "").trim().split(/\s+/).filter(Boolean);
        if (prefix.length === 0) return Promise.reject(new Error("no --console given"));
        return new Promise((resolve, reject) => {
            execFile(prefix[0], [...prefix.slice(1), ...args, "--no-interaction", "--no-ansi"], { timeout: 300000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
                if (err) reject(new Error(`console ${args[0]} failed: ${String(stderr || err.message).trim().slice(0, 300)}`));
                else resolve(stdout);
            });
        });
    }

    /** Runs one of the configured shell commands; rejects with its stderr on a non-zero exit. */
    shell(which: "workerStop" | "workerStart" | "maintenance"): Promise<string> {
        const cmd = this.opts[which];
        if (!cmd) return Promise.reject(new Error(`no --${which.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} given`));
        return new Promise((resolve, reject) => {
            execFile("sh", ["-c", cmd], { timeout: 600000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
                if (err) reject(new Error(`${which} failed: ${String(stderr || err.message).trim().slice(0, 300)}`));
                else resolve(stdout);
            });
        });
    }

    private db?: mysql.Connection;
    /** A query on Mautic's database (UTC session); rows as objects. */
    async sql(query: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
        if (!this.opts.mysql) throw new Error("no --mysql given");
        if (!this.db) {
            const u = new URL(this.opts.mysql);
            const socketPath = u.searchParams.get("socket") ?? undefined;
            this.db = await mysql.createConnection({
                host: socketPath ? undefined : u.hostname, port: socketPath ? undefined : Number(u.port || 3306), socketPath,
                user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)),
                timezone: "Z", dateStrings: true,
            });
            await this.db.query("SET time_zone = '+00:00'");
        }
        const [rows] = await this.db.query(query, params);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    }

    async close(): Promise<void> {
        await this.db?.end();
        this.db = undefined;
    }

    /** Waits (bounded) until a mail to the address is in the sink: queued mails arrive only after the worker sent them. */
    async waitForMail(address: string, count = 1): Promise<string[]> {
        const deadline = Date.now() + (this.opts.mailTimeoutSeconds ?? 180) * 1000;
        for (;;) {
            const mails = this.mailsTo(address);
            if (mails.length >= count) return mails;
            if (Date.now() > deadline) throw new Error(`no mail to ${address} in ${this.opts.mailDir} after ${this.opts.mailTimeoutSeconds ?? 180} s (is the worker running?)`);
            await new Promise((r) => setTimeout(r, 1000));
        }
    }

    /** The raw messages in the mail directory whose envelope or To names the address, newest last. */
    mailsTo(address: string): string[] {
        if (!this.opts.mailDir) return [];
        const dir = this.opts.mailDir;
        return readdirSync(dir)
            .filter((f) => f.endsWith(".eml") && !f.startsWith("."))
            .map((f) => join(dir, f))
            .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
            .map((f) => readFileSync(f, "utf8"))
            .filter((m) => headerBlock(m).toLowerCase().includes(address.toLowerCase()));
    }
}

function headerBlock(raw: string): string {
    const end = raw.search(/\r?\n\r?\n/);
    return end < 0 ? raw : raw.slice(0, end);
}

/** One header of a raw message (unfolded). */
export function mailHeader(raw: string, name: string): string | undefined {
    const unfolded = headerBlock(raw).replace(/\r?\n[ \t]+/g, " ");
    const m = new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(unfolded);
    return m ? m[1].trim() : undefined;
}

/** The decoded HTML part of a raw message (quoted-printable or base64 or plain). */
export function mailHtml(raw: string): string {
    const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
    const html = parts.find((p) => /content-type:\s*text\/html/i.test(headerBlock(p))) ?? raw;
    const headers = headerBlock(html);
    const body = html.slice(headers.length).replace(/^\r?\n\r?\n/, "");
    if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
        const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
        return Buffer.from(bytes, "latin1").toString("utf8");
    }
    if (/content-transfer-encoding:\s*base64/i.test(headers)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    return body;
}

/** Text content of HTML: tags removed, common entities decoded, whitespace collapsed. */
export function htmlText(html: string): string {
    return html
        .replace(/<[^>]*>/g, " ")
        .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
        .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
        .replace(/&quot;/g, '"').replace(/&#039;|&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, " ").replace(/&amp;/g, "&")
        .replace(/\s+/g, " ")
        .trim();
}

/** The attributes of every `<tag ...>` in HTML. */
export function tagsOf(html: string, tag: string): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (const m of html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "gi"))) {
        const attrs: Record<string, string> = {};
        for (const a of m[1].matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.[\]]*)(?:\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
            attrs[a[1].toLowerCase()] = htmlText(a[3] ?? a[4] ?? a[5] ?? "");
        }
        out.push(attrs);
    }
    return out;
}
