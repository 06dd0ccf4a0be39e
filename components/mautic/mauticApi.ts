/**
 * A small typed client for Mautic's REST API (`<mautic>/api/...`) with HTTP basic auth.
 *
 * Mautic needs `api_enabled` and `api_enable_basic_auth` set to true (parameters_local.php);
 * the user is a Mautic user (the kit uses the admin). Envelopes follow Mautic's API docs
 * (mautic/developer-documentation-new docs/rest_api/*.rst): a single object comes as
 * `{ <item>: {...} }`, a list as `{ total, <list>: [...] }` or, for segments and campaigns,
 * `{ total, <list>: { "<id>": {...} } }`; both list forms are accepted for every resource.
 * Errors come as `{ errors: [{ code, message }] }`.
 *
 * Errors thrown name the method, the endpoint and the HTTP status, never the password or the
 * Authorization header.
 */
import type { JsonObject, JsonValue, MauticResource } from "../doi/doiBlueprint";

/** Envelope keys per resource: `{ <item>: {...} }` and `{ total, <list>: ... }`. */
export const mauticResources: Record<MauticResource, { item: string; list: string }> = {
    tags: { item: "tag", list: "tags" },
    "fields/contact": { item: "field", list: "fields" },
    pages: { item: "page", list: "pages" },
    emails: { item: "email", list: "emails" },
    forms: { item: "form", list: "forms" },
    segments: { item: "list", list: "lists" },
    campaigns: { item: "campaign", list: "campaigns" },
};

/** An object as Mautic returns it; `id` is normalised to a number. */
export type MauticEntity = JsonObject & { id: number };

export interface MauticClientOptions {
    /** Mautic's origin, e.g. "https://marketing.client-a.de" (the client appends `/api`). https only, except loopback addresses (tests). */
    baseUrl: string;
    /** Mautic user name (basic auth). */
    username: string;
    /** Mautic password (basic auth). Never appears in errors. */
    password: string;
    /** Per-request timeout. Default 30000 ms. */
    timeoutMs?: number;
    /** Page size when listing. Default 100. */
    pageSize?: number;
    /** fetch implementation. Default: Node's global fetch. */
    fetchImpl?: typeof fetch;
    /**
     * Extra request headers, e.g. `{ Host: "marketing.client-a.de" }` to reach a Mautic on a
     * loopback port under its public name (conformance runs). Default none. Never Authorization.
     */
    headers?: Record<string, string>;
}

/**
 * A failed API call: an `Error` named "MauticApiError" with the call's details. `status` is 0
 * when Mautic could not be reached at all. (A plain Error with fields rather than a subclass:
 * Pulumi's closure serializer turns classes into ES5 functions, and an ES5 "subclass" of Error
 * loses its message inside the dynamic provider.)
 */
export interface MauticApiError extends Error {
    name: "MauticApiError";
    method: string;
    endpoint: string;
    status: number;
    detail: string;
}

/** Creates a `MauticApiError`. */
export function mauticApiError(message: string, method: string, endpoint: string, status: number, detail: string): MauticApiError {
    const e = new Error(message) as MauticApiError;
    e.name = "MauticApiError";
    e.method = method;
    e.endpoint = endpoint;
    e.status = status;
    e.detail = detail;
    return e;
}

/** True for errors made by `mauticApiError`. */
export function isMauticApiError(e: unknown): e is MauticApiError {
    return e instanceof Error && e.name === "MauticApiError" && typeof (e as MauticApiError).status === "number";
}

// A plain array, not a Set: Pulumi's closure serializer cannot carry Set instances into the provider.
const loopbackHosts = ["127.0.0.1", "localhost", "[::1]", "::1"];

function hintFor(status: number): string {
    if (status === 401) {
        return " Check that Mautic has api_enabled and api_enable_basic_auth set to true and that the user name and password are those of a Mautic user.";
    }
    if (status === 403) {
        return " Either the Mautic user lacks the permission (use an administrator) or the web edge refuses this machine's IP for /api (add the IP of the machine running pulumi to adminUiCidrs).";
    }
    if (status === 404) return " Either the object does not exist or the API is off (api_enabled must be true) or Mautic is not installed yet.";
    if (status >= 500) return " Mautic failed internally; see var/logs in the Mautic container.";
    return "";
}

export class MauticClient {
    private readonly base: string;
    private readonly auth: string;
    private readonly secrets: string[];
    private readonly timeoutMs: number;
    private readonly pageSize: number;
    private readonly fetchImpl: typeof fetch;
    private readonly extraHeaders: Record<string, string>;

    constructor(opts: MauticClientOptions) {
        let url: URL;
        try {
            url = new URL(opts.baseUrl);
        } catch {
            throw new Error(`Mautic client: baseUrl ${JSON.stringify(opts.baseUrl)} is not an absolute URL; give e.g. "https://marketing.client-a.de"`);
        }
        if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.includes(url.hostname))) {
            throw new Error(`Mautic client: baseUrl ${url.origin} is not https; the API password must not travel in clear text (C11)`);
        }
        if (url.username || url.password) throw new Error("Mautic client: baseUrl must not contain credentials; pass username and password separately");
        if (!opts.username) throw new Error("Mautic client: username is empty");
        if (!opts.password) throw new Error("Mautic client: password is empty");
        this.base = `${url.origin}${url.pathname.replace(/\/+$/, "")}/api`;
        const token = Buffer.from(`${opts.username}:${opts.password}`, "utf8").toString("base64");
        this.auth = `Basic ${token}`;
        this.secrets = [opts.password, token, encodeURIComponent(opts.password)].filter((x) => x.length >= 3);
        this.timeoutMs = opts.timeoutMs ?? 30000;
        this.pageSize = opts.pageSize ?? 100;
        this.fetchImpl = opts.fetchImpl ?? fetch;
        const extra = opts.headers ?? {};
        if (Object.keys(extra).some((k) => k.toLowerCase() === "authorization"))
            throw new Error("Mautic client: headers must not set Authorization; pass username and password");
        this.extraHeaders = { ...extra };
    }

    /** Replaces anything secret in a text with [redacted]. */
    private redact(text: string): string {
        let out = text;
        for (const s of this.secrets) out = out.split(s).join("[redacted]");
        return out;
    }

    /** Calls `<base>/api/<path>` and returns the parsed JSON body. */
    async request(method: "GET" | "POST", path: string, body?: JsonValue): Promise<JsonObject> {
        const endpoint = `/api/${path.replace(/^\/+/, "")}`;
        const ctrl = new AbortController();
        const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
        let res: Response;
        try {
            res = await this.fetchImpl(`${this.base}/${path.replace(/^\/+/, "")}`, {
                method,
                headers: {
                    ...this.extraHeaders,
                    Authorization: this.auth,
                    Accept: "application/json",
                    ...(body === undefined ? {} : { "Content-Type": "application/json" }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: ctrl.signal,
                redirect: "manual",
            });
        } catch (err) {
            clearTimeout(timer);
            const e = err as Error & { cause?: { code?: string; message?: string } };
            const why = ctrl.signal.aborted ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
            // On a first deploy this is usually DNS (or the certificate that waits for it).
            const dnsHint = /ENOTFOUND|EAI_AGAIN|CERT|certificate|self.signed/i.test(String(why))
                ? " Does the host's DNS point at the server yet (stack output dnsRecords)? Caddy gets the certificate once it does; then run `pulumi up` again."
                : "";
            throw mauticApiError(
                this.redact(`Mautic API ${method} ${endpoint} failed: could not reach ${this.base} (${why}).${dnsHint}`),
                method,
                endpoint,
                0,
                this.redact(String(why)),
            );
        }
        let text: string;
        try {
            text = await res.text();
        } finally {
            clearTimeout(timer);
        }
        let parsed: unknown;
        try {
            parsed = text === "" ? {} : JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!res.ok) {
            const detail = this.redact(mauticErrorMessage(parsed) ?? (text.trim().slice(0, 200) || res.statusText || "no body"));
            const location = res.status >= 300 && res.status < 400 ? ` (redirect to ${this.redact(res.headers.get("location") ?? "?")})` : "";
            throw mauticApiError(
                `Mautic API ${method} ${endpoint} failed: HTTP ${res.status}${location}: ${detail}.${hintFor(res.status)}`,
                method,
                endpoint,
                res.status,
                detail,
            );
        }
        if (parsed === undefined || parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            throw mauticApiError(
                `Mautic API ${method} ${endpoint} answered HTTP ${res.status} without a JSON object (got ${JSON.stringify(this.redact(text.slice(0, 80)))}); is ${this.base} really Mautic's API?`,
                method,
                endpoint,
                res.status,
                "not JSON",
            );
        }
        return parsed as JsonObject;
    }

    /** Every object of a resource, all pages. */
    async list(resource: MauticResource): Promise<MauticEntity[]> {
        const { list } = mauticResources[resource];
        const byId = new Map<number, MauticEntity>();
        for (let start = 0, page = 0; page < 1000; page++) {
            const path = `${resource}?start=${start}&limit=${this.pageSize}`;
            const body = await this.request("GET", path);
            const raw = body[list];
            if (raw === undefined) {
                throw mauticApiError(
                    `Mautic API GET /api/${path}: the answer has no "${list}" key (keys: ${Object.keys(body).join(", ") || "none"}).`,
                    "GET",
                    `/api/${path}`,
                    200,
                    "unexpected envelope",
                );
            }
            const items = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? Object.values(raw) : [];
            for (const item of items) {
                const e = asEntity(item, `GET /api/${path}`);
                byId.set(e.id, e);
            }
            const total = Number(body.total);
            start += items.length;
            if (items.length === 0 || (Number.isFinite(total) && start >= total)) break;
        }
        return [...byId.values()];
    }

    /** `GET /api/<resource>/<id>`. */
    async get(resource: MauticResource, id: number): Promise<MauticEntity> {
        const { item } = mauticResources[resource];
        const body = await this.request("GET", `${resource}/${id}`);
        return asEntity(body[item], `GET /api/${resource}/${id}`);
    }

    /** `POST /api/<resource>/new`; returns the created object. */
    async create(resource: MauticResource, payload: JsonObject): Promise<MauticEntity> {
        const { item } = mauticResources[resource];
        const body = await this.request("POST", `${resource}/new`, payload);
        return asEntity(body[item], `POST /api/${resource}/new`);
    }

    /**
     * Waits until the API answers (first deploy: Mautic may still be installing). Retries
     * while Mautic is unreachable or answers 404/502/503/504; a 401 or 403 fails at once.
     */
    async waitUntilReady(timeoutMs: number, intervalMs = 5000, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            try {
                await this.request("GET", "tags?start=0&limit=1");
                return;
            } catch (err) {
                const e = err as MauticApiError;
                const retryable = isMauticApiError(err) && [0, 404, 502, 503, 504].includes(e.status);
                if (!retryable || Date.now() + intervalMs > deadline) {
                    if (retryable) {
                        throw mauticApiError(
                            `${e.message} Gave up after waiting ${Math.round(timeoutMs / 1000)} s for the API.`,
                            e.method,
                            e.endpoint,
                            e.status,
                            e.detail,
                        );
                    }
                    throw err;
                }
                await sleep(intervalMs);
            }
        }
    }
}

function mauticErrorMessage(body: unknown): string | undefined {
    if (!body || typeof body !== "object") return undefined;
    const errors = (body as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
        return errors.map((e) => (e && typeof e === "object" && "message" in e ? String((e as { message: unknown }).message) : JSON.stringify(e))).join("; ");
    }
    const error = (body as { error?: unknown }).error;
    if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
    if (typeof error === "string") return error;
    return undefined;
}

function asEntity(v: unknown, where: string): MauticEntity {
    if (!v || typeof v !== "object" || Array.isArray(v))
        throw mauticApiError(
            `Mautic API ${where}: expected an object, got ${JSON.stringify(v)?.slice(0, 80)}.`,
            where.split(" ")[0],
            where.split(" ")[1] ?? where,
            200,
            "unexpected shape",
        );
    const id = Number((v as { id?: unknown }).id);
    if (!Number.isInteger(id) || id <= 0)
        throw mauticApiError(`Mautic API ${where}: object without a numeric id.`, where.split(" ")[0], where.split(" ")[1] ?? where, 200, "no id");
    return { ...(v as JsonObject), id };
}
