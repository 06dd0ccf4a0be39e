/**
 * The Mautic API client's errors: a wrong password (named endpoint and status, no secret), an
 * unreachable Mautic, waitUntilReady's retries, refused base URLs and passwords, and references to
 * objects without an id. Against the fake Mautic API and bare loopback servers.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { MauticApiError, MauticClient, isMauticApiError } from "../../components/mautic/mauticApi";
import { ensureDoiSetup, resolveRefs } from "../../components/doi/doiProvisioner";
import { blueprint, freshFake, password, stopFakes, user } from "../support/doi-fake-client";

afterAll(stopFakes);

describe("errors", () => {
    test("a wrong password fails with a clear error that names the endpoint and status, not the secret", async () => {
        const { fake } = await freshFake();
        const wrong = "Wr0ng-Password-123";
        const client = new MauticClient({ baseUrl: fake.baseUrl, username: user, password: wrong });
        let err: unknown;
        try {
            await ensureDoiSetup(client, blueprint);
        } catch (e) {
            err = e;
        }
        expect(isMauticApiError(err)).toBe(true);
        const e = err as MauticApiError;
        expect(e.status).toBe(401);
        expect(e.message).toMatch(/^Mautic API GET \/api\/tags\?start=0&limit=100 failed: HTTP 401: API authorization denied\./);
        expect(e.message).toContain("api_enable_basic_auth");
        const token = Buffer.from(`${user}:${wrong}`).toString("base64");
        for (const secret of [wrong, token]) expect(`${e.message} ${e.detail} ${e.stack}`).not.toContain(secret);
        expect(fake.posts()).toEqual([]);
    });

    test("an unreachable Mautic fails naming the address", async () => {
        const srv = http.createServer();
        await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
        const { port } = srv.address() as AddressInfo;
        await new Promise<void>((r) => srv.close(() => r()));
        const client = new MauticClient({ baseUrl: `http://127.0.0.1:${port}`, username: user, password, timeoutMs: 2000 });
        await expect(client.list("tags")).rejects.toThrow(
            new RegExp(`GET /api/tags\\?start=0&limit=100 failed: could not reach http://127.0.0.1:${port}/api \\(ECONNREFUSED\\)`),
        );
    });

    test("waitUntilReady retries while Mautic is starting, and stops at once on 401", async () => {
        let calls = 0;
        const srv = http.createServer((req, res) => {
            calls++;
            res.writeHead(calls < 3 ? 503 : 200, { "Content-Type": "application/json" });
            res.end(calls < 3 ? "<html>starting</html>" : JSON.stringify({ total: 0, tags: [] }));
        });
        await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
        try {
            const { port } = srv.address() as AddressInfo;
            const client = new MauticClient({ baseUrl: `http://127.0.0.1:${port}`, username: user, password });
            await client.waitUntilReady(5000, 10);
            expect(calls).toBe(3);
        } finally {
            await new Promise<void>((r) => srv.close(() => r()));
        }
        const { fake } = await freshFake();
        const bad = new MauticClient({ baseUrl: fake.baseUrl, username: user, password: "nope-nope" });
        const t0 = Date.now();
        await expect(bad.waitUntilReady(60000, 10)).rejects.toThrow(/HTTP 401/);
        expect(Date.now() - t0).toBeLessThan(2000);
    });

    test("the client refuses plain http except on loopback, and URLs with credentials", () => {
        expect(() => new MauticClient({ baseUrl: "http://marketing.client-a.de", username: user, password })).toThrow(/not https/);
        expect(() => new MauticClient({ baseUrl: "https://a:b@marketing.client-a.de", username: user, password })).toThrow(/credentials/);
        expect(() => new MauticClient({ baseUrl: "https://marketing.client-a.de", username: user, password: "" })).toThrow(/password is empty/);
    });

    test("references to objects without an id are refused", () => {
        expect(() => resolveRefs({ email: "%%ref:email:confirm:de%%" }, {}, "form x")).toThrow(/form x references email:confirm:de/);
        expect(resolveRefs({ a: "%%ref:k%%", b: "x{pagelink=%%ref:k%%}", c: ["%%ref:k%%"] }, { k: 7 }, "w")).toEqual({ a: 7, b: "x{pagelink=7}", c: [7] });
    });
});
