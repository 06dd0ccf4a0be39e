/**
 * A fake of the part of Hetzner's Cloud API the kit calls itself (not through the hcloud
 * provider): a Node http server on 127.0.0.1, under a base path like the real `/v1`.
 * - every request needs `Authorization: Bearer <token>` with the configured token, else 401
 *   `{ error: { code: "unauthorized", message } }` (Hetzner's error shape);
 * - `GET /v1/servers/{id}` -> `{ server: { id, name, labels } }`, 404 `not_found` when unknown;
 * - `PUT /v1/servers/{id}` with `{ labels }` -> replaces the labels (Hetzner replaces, it does not
 *   merge), answers `{ server }`; unknown keys in the body -> 400 `invalid_input`;
 * - `GET /v1/pricing` -> the pricing answer the test gives;
 * - anything else -> 404.
 */
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeHcloudRequest {
    method: string;
    path: string;
    auth: string | undefined;
    body?: unknown;
}

export class FakeHcloudApi {
    readonly requests: FakeHcloudRequest[] = [];
    readonly servers = new Map<number, { id: number; name: string; labels: Record<string, string> }>();
    private server?: http.Server;

    /** `token`: the only token the fake accepts (a test may set it after start). */
    constructor(readonly opts: { token: string; pricing?: unknown }) {}

    /** The base URL, as `hcloud:endpoint` / HCLOUD_ENDPOINT would hold it. */
    endpoint = "";

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            let raw = "";
            req.on("data", (c) => (raw += c));
            req.on("end", () => this.handle(req, raw, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
        return this;
    }

    async stop(): Promise<void> {
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
        let body: unknown;
        try {
            body = raw ? JSON.parse(raw) : undefined;
        } catch {
            this.requests.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization });
            return error(400, "json_error", "invalid JSON");
        }
        this.requests.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization, body });
        if (req.headers.authorization !== `Bearer ${this.opts.token}`) return error(401, "unauthorized", "unable to authenticate");
        const server = /^\/v1\/servers\/(\d+)$/.exec(req.url ?? "");
        if (server) {
            const s = this.servers.get(Number(server[1]));
            if (!s) return error(404, "not_found", "server not found");
            if (req.method === "GET") return send(200, { server: s });
            if (req.method === "PUT") {
                const b = body as { labels?: Record<string, string> } | undefined;
                if (!b || typeof b !== "object" || Object.keys(b).some((k) => !["name", "labels"].includes(k))) return error(400, "invalid_input", "invalid input");
                if (b.labels) s.labels = { ...b.labels };
                return send(200, { server: s });
            }
            return error(405, "method_not_allowed", "method not allowed");
        }
        if (req.url === "/v1/pricing" && req.method === "GET" && this.opts.pricing) return send(200, this.opts.pricing);
        return error(404, "not_found", "not found");
    }
}
