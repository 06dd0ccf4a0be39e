/**
 * The consent-withdrawal route POST /consent/forget, answered by a live Caddy (the rendered
 * Caddyfile in test mode) itself: the cookies it expires, CORS for the website only, preflights,
 * other methods, a visitor outside adminUiCidrs (a second Caddy with adminUiCidrs =
 * ["127.0.0.2/32"]), and that Mautic (the stub, behind both) never sees the route.
 */
import { consentForgetPath } from "../../components/edge/caddyfile";
import { edgeRequest, edgeTestWebsite, RunningEdge } from "../support/edge-caddy";
import { EdgeStub } from "../support/edge-stub";
import { expectHeaderSet, startEdgeSuite, stopEdgeSuite } from "../support/edge-suite";

let stub: EdgeStub;
let edge: RunningEdge;
/** Same site, adminUiCidrs = ["127.0.0.2/32"]: requests from 127.0.0.1 are outside, from 127.0.0.2 inside. */
let restricted: RunningEdge;
beforeAll(async () => {
    ({ stub, edge, restricted } = await startEdgeSuite({ edge: {}, restricted: { adminUiCidrs: ["127.0.0.2/32"] } }));
});
afterAll(stopEdgeSuite);

describe("consent withdrawal: POST /consent/forget, answered by the edge", () => {
    // Written out here, not taken from the renderer: exactly what must delete the cookies Mautic
    // set on its own host (host-only, so no Domain; Path=/ like Mautic's cookie_path).
    const expiring = [
        "mautic_device_id=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
        "mtc_id=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
        "mtc_sid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
        "mautic_referer_id=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
        // The consent signal (tests/live/edge.consent.live.test.ts) goes with them.
        "tracking_consent=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
    ];
    const mauticCookies = "mautic_device_id=device-1; mtc_id=contact-1; mtc_sid=session-1; mautic_referer_id=referer-1";
    /** Requests the stub received on the route, any method, any spelling of the path. */
    const stubSawForget = () => stub.requests.filter((r) => /^\/consent\/forget(\?|$)/i.test(r.url)).length;
    const corsHeaders = ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods"];

    let stubBefore: number;
    beforeAll(() => {
        stubBefore = stubSawForget();
    });

    test("the path is the one the renderer exports for the tracking snippets", () => {
        expect(consentForgetPath).toBe("/consent/forget");
    });

    test("POST from the website: 204, the five cookies expired, CORS for the website with credentials, the edge header set", async () => {
        const res = await edgeRequest(edge, "/consent/forget", { method: "POST", headers: { Origin: edge.website, Cookie: mauticCookies } });
        expect(res.status).toBe(204);
        expect(res.body).toBe("");
        expect(res.headers["set-cookie"]).toEqual(expiring);
        expect(res.headers["access-control-allow-origin"]).toBe(edge.website);
        expect(res.headers["access-control-allow-credentials"]).toBe("true");
        expect(res.headers.vary).toBe("Origin");
        expect(res.headers["cache-control"]).toBe("no-store");
        expectHeaderSet(res, "edge", edge.website);
    });

    test("CORS preflight from the website: 204, POST allowed with credentials, no cookie touched", async () => {
        const res = await edgeRequest(edge, "/consent/forget", {
            method: "OPTIONS",
            headers: { Origin: edge.website, "Access-Control-Request-Method": "POST" },
        });
        expect(res.status).toBe(204);
        expect(res.headers["access-control-allow-origin"]).toBe(edge.website);
        expect(res.headers["access-control-allow-credentials"]).toBe("true");
        expect(res.headers["access-control-allow-methods"]).toBe("POST");
        expect(res.headers.vary).toBe("Origin");
        expect(res.headers["set-cookie"]).toBeUndefined();
        expectHeaderSet(res, "edge", edge.website);
    });

    test.each([
        ["another origin", { Origin: "https://evil.example" }],
        ["a look-alike of the website", { Origin: `${edgeTestWebsite}.evil.example` }],
        ["the opaque origin a no-cors fetch with no-referrer sends", { Origin: "null" }],
        ["no Origin header", {}],
    ] as [string, Record<string, string>][])("POST with %s: still 204 with the cookies expired (harmless), but no CORS header", async (_name, headers) => {
        const res = await edgeRequest(edge, "/consent/forget", { method: "POST", headers: { ...headers, Cookie: mauticCookies } });
        expect(res.status).toBe(204);
        expect(res.headers["set-cookie"]).toEqual(expiring);
        for (const h of corsHeaders) expect(res.headers[h]).toBeUndefined();
        expectHeaderSet(res, "edge", edge.website);
    });

    test("preflight from another origin: 204 without any CORS header, so the browser refuses the POST", async () => {
        const res = await edgeRequest(edge, "/consent/forget", {
            method: "OPTIONS",
            headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
        });
        expect(res.status).toBe(204);
        for (const h of corsHeaders) expect(res.headers[h]).toBeUndefined();
        expect(res.headers["set-cookie"]).toBeUndefined();
    });

    test.each(["GET", "HEAD", "PUT", "DELETE", "PATCH"])("%s: the edge's 405 (Allow: POST, OPTIONS), no cookie touched", async (method) => {
        const res = await edgeRequest(edge, "/consent/forget", { method, headers: { Origin: edge.website, Cookie: mauticCookies } });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe("POST, OPTIONS");
        expect(res.headers["set-cookie"]).toBeUndefined();
        expectHeaderSet(res, "edge", edge.website);
    });

    test("with adminUiCidrs set, a visitor outside them still gets the 204 and the expiring cookies", async () => {
        const res = await edgeRequest(restricted, "/consent/forget", { method: "POST", headers: { Origin: restricted.website, Cookie: mauticCookies } });
        expect(res.status).toBe(204);
        expect(res.headers["set-cookie"]).toEqual(expiring);
        expect(res.headers["access-control-allow-origin"]).toBe(restricted.website);
        expectHeaderSet(res, "edge", restricted.website);
        const preflight = await edgeRequest(restricted, "/consent/forget", {
            method: "OPTIONS",
            headers: { Origin: restricted.website, "Access-Control-Request-Method": "POST" },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers["access-control-allow-methods"]).toBe("POST");
    });

    test("other paths near it are not the route: they go to Mautic as public pages", async () => {
        const before = stub.requests.length;
        const res = await edgeRequest(edge, "/consent/forgetting", { method: "POST", headers: { Origin: edge.website } });
        expect(res.status).toBe(200);
        expect(res.headers["set-cookie"]).toBeUndefined();
        expect(stub.requests.slice(before).map((r) => r.url)).toEqual(["/consent/forgetting"]);
    });

    test("whatever the method, origin or network, Mautic (the stub) never saw the route", () => {
        expect(stub.requests.length).toBeGreaterThan(0);
        expect(stubSawForget()).toBe(stubBefore);
    });
});
