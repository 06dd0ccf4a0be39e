/**
 * Tracking consent at the edge and the access log's URI redaction, on a live Caddy (Debian's
 * 2.6, the rendered Caddyfile in test mode) in front of a stub that sets Mautic's tracking
 * cookies where Mautic does (unsubscribe/preference pages, /email/view, /r/ redirects, form
 * submissions, landing pages, the tracking endpoints) without waiting for consent:
 * - without the consent cookie, no tracking cookie reaches the visitor (each Set-Cookie for one
 *   becomes a deletion), none reaches Mautic, and stale ones are deleted; other cookies (the
 *   admin session, the preference centre's session) pass untouched;
 * - with it, Mautic's cookies pass both ways unchanged;
 * - only the website can set it (`POST /consent/grant` with its Origin), `/consent/forget`
 *   expires it, Mautic sees neither route;
 * - the access log keeps nothing after `/email/<action>/` and no path with an address.
 */
import * as fs from "fs";
import * as http from "http";
import { consentCookie, consentCookieName, consentGrantPath, noConsentUserAgent } from "../../components/edge/caddyfile";
import { edgeRequest, EdgeResponse, edgeTestWebsite, RunningEdge, startEdge } from "../support/edge-caddy";
import { expectedHeaders, managedHeaders } from "../support/edge-expectations";
import { EdgeStub, sessionCookieName, startEdgeStub } from "../support/edge-stub";

let stub: EdgeStub;
let edge: RunningEdge;

beforeAll(async () => {
    stub = await startEdgeStub();
    edge = await startEdge({ upstream: `127.0.0.1:${stub.port}` });
});

afterAll(async () => {
    await edge?.stop();
    await stub?.close();
});

const isTracking = (name: string) => /^(mtc_id|mtc_sid|mautic_device_id|mautic_referer_id|mautic_page_\d+)$/.test(name);
const setCookies = (res: EdgeResponse | http.IncomingMessage): string[] => {
    const v = res.headers["set-cookie"];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const nameOf = (setCookie: string) => setCookie.split("=")[0].trim();
/** A deletion exactly as the edge writes it: no value, Max-Age=0, host-only, Path=/. */
const deletion = (name: string) => `${name}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None`;
const consent = `${consentCookieName}=1`;

/** The same request straight to the stub (no edge): what Mautic sends. */
function direct(urlPath: string, method = "GET"): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port: stub.port, path: urlPath, method, agent: false }, (res) => {
            res.resume();
            res.on("end", () => resolve(res));
        });
        req.on("error", reject);
        req.end();
    });
}

// [label, raw path, method]: every kind of Mautic page that sets tracking cookies before consent.
const trackingPages: [string, string, string][] = [
    // A GET of these links is answered by the edge's button page; the button POSTs (tests/live/edge.unsubscribe.live.test.ts).
    ["unsubscribe/preference page (its button's POST)", "/email/unsubscribe/5f3a9c1d2e/jane.doe%40example.org/9b8c7d6e5f4a", "POST"],
    ["one-click unsubscribe (List-Unsubscribe-Post)", "/email/unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "POST"],
    ["do-not-contact link (its button's POST)", "/email/dnc/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "POST"],
    ["email web view", "/email/view/5f3a9c1d2e", "GET"],
    ["click redirect", "/r/9a8b7c6d5e?ct=YToxOntzOjY6InNvdXJjZSI7fQ", "GET"],
    ["form submission", "/form/submit?formId=1", "POST"],
    ["landing page", "/spring-offer", "GET"],
    ["A/B landing page", "/ab-offer", "GET"],
];
// Mautic's tracking endpoints: without consent the edge answers them itself (below); with it they
// pass like the pages above.
const trackingEndpoints: [string, string, string][] = [
    ["tracking event", "/mtc/event", "POST"],
    ["tracking pixel", "/mtracking.gif?page_url=x", "GET"],
];

describe("without the consent cookie, Mautic's tracking cookies never reach the visitor", () => {
    test.each(trackingPages)("%s (%s %s): the stub sets them, the edge turns each into a deletion", async (_label, rawPath, method) => {
        const fromMautic = setCookies(await direct(rawPath, method)).filter((c) => isTracking(nameOf(c)));
        expect(fromMautic.map(nameOf)).toEqual(expect.arrayContaining(["mtc_id", "mautic_device_id", "mautic_referer_id"]));
        expect(fromMautic.every((c) => !/^[^=]+=;/.test(c))).toBe(true); // they carry values

        const res = await edgeRequest(edge, rawPath, { method });
        expect(res.status).toBe(200);
        const sent = setCookies(res);
        expect(sent.filter((c) => isTracking(nameOf(c)))).toEqual(fromMautic.map((c) => deletion(nameOf(c))));
        expect(sent.some((c) => /^\s*=|^\s*$/.test(c))).toBe(false); // no empty or nameless Set-Cookie
        for (const c of fromMautic) expect(JSON.stringify(res.headers)).not.toContain(c.split(";")[0]);
    });

    test("the A/B page's mautic_page_<id> is matched by its prefix", async () => {
        const res = await edgeRequest(edge, "/ab-offer");
        expect(setCookies(res)).toContain(deletion("mautic_page_3"));
    });

    test("the preference centre's session cookie passes unchanged (its form needs it), the tracking cookies do not", async () => {
        const res = await edgeRequest(edge, "/email/unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", { method: "POST" });
        const session = setCookies(res).filter((c) => nameOf(c) === sessionCookieName);
        expect(session).toHaveLength(1);
        expect(session[0]).toMatch(new RegExp(`^${sessionCookieName}=pref\\d+; path=/; secure; httponly; samesite=lax$`));
    });

    test("the admin UI's session cookie passes unchanged", async () => {
        const res = await edgeRequest(edge, "/s/login");
        const cookies = setCookies(res);
        expect(cookies).toHaveLength(1);
        expect(cookies[0]).toMatch(new RegExp(`^${sessionCookieName}=[0-9a-f]{24}; path=/; secure; httponly; samesite=lax$`));
    });

    test("request side: Mautic never gets the tracking cookies; every other cookie reaches it", async () => {
        const before = stub.requests.length;
        await edgeRequest(edge, "/form/1", {
            headers: {
                Cookie: `mtc_id=41; mautic_device_id=dev41; ${sessionCookieName}=admin41; mautic_page_3=7; mautic_referer_id=ref41; mtc_sid=s41; other=ok`,
            },
        });
        const seen = stub.requests.slice(before).find((r) => r.url === "/form/1")!;
        const names = String(seen.headers.cookie ?? "")
            .split(";")
            .map((c) => c.trim())
            .filter(Boolean)
            .map((c) => c.split("=")[0]);
        expect(names).toEqual([sessionCookieName, "other"]);
        expect(String(seen.headers.cookie)).not.toMatch(/=41\b|dev41|ref41|=s41|=7\b|mtc|mautic/);
        // Each removed pair takes its leading separator with it; PHP skips the one "; " left in front.
        expect(seen.headers.cookie).toBe(`; ${sessionCookieName}=admin41; other=ok`);
    });

    test("request side: a Cookie header of tracking cookies only reaches Mautic without any cookie value", async () => {
        const before = stub.requests.length;
        await edgeRequest(edge, "/form/2", { headers: { Cookie: "mtc_id=42; mautic_device_id=dev42" } });
        const seen = stub.requests.slice(before).find((r) => r.url === "/form/2")!;
        expect(String(seen.headers.cookie ?? "")).not.toMatch(/[A-Za-z0-9]/);
    });

    test("stale tracking cookies on the visitor's device are deleted by the next answer, even one that sets none", async () => {
        const res = await edgeRequest(edge, "/form/1", { headers: { Cookie: "mautic_device_id=old-device" } });
        expect(setCookies(res)).toEqual(["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id"].map(deletion));
        const clean = await edgeRequest(edge, "/form/1", { headers: { Cookie: `${sessionCookieName}=x` } });
        expect(setCookies(clean)).toEqual([]);
    });

    test.each([
        ["a look-alike name", "xtracking_consent=1"],
        ["another value", `${consentCookieName}=0`],
        ["the value as a prefix", `${consentCookieName}=10`],
        ["only in another cookie's value", `other=${consentCookieName}=1`],
    ])("%s (%s) is not consent", async (_label, cookie) => {
        const res = await edgeRequest(edge, "/spring-offer", { headers: { Cookie: cookie } });
        expect(setCookies(res).filter((c) => isTracking(nameOf(c)))).toEqual(["mtc_id", "mautic_device_id", "mautic_referer_id"].map(deletion));
    });
});

describe("with the consent cookie, Mautic's cookies pass both ways unchanged", () => {
    test.each([...trackingPages, ...trackingEndpoints])("%s (%s %s)", async (_label, rawPath, method) => {
        const res = await edgeRequest(edge, rawPath, { method, headers: { Cookie: `mtc_id=7; ${consent}` } });
        const sent = setCookies(res).filter((c) => isTracking(nameOf(c)));
        expect(sent.map(nameOf)).toEqual(expect.arrayContaining(["mtc_id", "mautic_device_id", "mautic_referer_id"]));
        for (const c of sent) {
            expect(c).toMatch(/^[a-z_0-9]+=[^;]+; (expires=[^;]+; Max-Age=\d+; )?path=\/; secure; samesite=none$/);
        }
        expect(sent.find((c) => nameOf(c) === "mautic_device_id")).toMatch(/Max-Age=31536000/);
    });

    test("request side: Mautic gets every cookie, wherever the consent cookie stands in the header", async () => {
        for (const cookie of [
            `${consent}; mtc_id=43; mautic_device_id=dev43`,
            `mtc_id=43;${consent};mautic_device_id=dev43`,
            `mtc_id=43; mautic_device_id=dev43; ${consent}`,
        ]) {
            const before = stub.requests.length;
            await edgeRequest(edge, "/form/1", { headers: { Cookie: cookie } });
            expect(stub.requests.slice(before).find((r) => r.url === "/form/1")!.headers.cookie).toBe(cookie);
        }
    });
});

describe("without the consent cookie Mautic records no visit (issue 20 item 3)", () => {
    const browserUa = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    const reached = (p: string) => stub.requests.filter((r) => r.url === p).length;
    const lastSeen = (p: string) => [...stub.requests].reverse().find((r) => r.url === p)!;

    test.each([
        ["/mtc.js", "GET", 200, "text/javascript; charset=utf-8", "/* no tracking consent: Mautic's tracking script is not served */"],
        ["/index.php/mtc.js", "GET", 200, "text/javascript; charset=utf-8", "/* no tracking consent: Mautic's tracking script is not served */"],
        ["/MTC.JS", "GET", 200, "text/javascript; charset=utf-8", "/* no tracking consent: Mautic's tracking script is not served */"],
        ["/mautic-tracking.js", "GET", 200, "text/javascript; charset=utf-8", "/* no tracking consent: Mautic's tracking script is not served */"],
        ["/mtc/event", "POST", 200, "application/json", '{"success":0}'],
        ["/mtc", "POST", 200, "application/json", '{"success":0}'],
        ["/mtracking.gif?page_url=x", "GET", 204, undefined, ""],
    ])("%s (%s): answered by the edge (%d), never passed to Mautic, no cookie, not cached", async (rawPath, method, status, type, body) => {
        const before = stub.requests.length;
        const res = await edgeRequest(edge, rawPath, { method, headers: { "User-Agent": browserUa, Cookie: "mtc_id=7; other=1" } });
        expect(res.status).toBe(status);
        expect(res.headers["content-type"]).toBe(type);
        expect(res.body).toBe(body);
        expect(res.headers["cache-control"]).toBe("no-store");
        // The stale mtc_id the request carried is deleted; nothing else is set.
        expect(setCookies(res).map(nameOf)).toContain("mtc_id");
        expect(setCookies(res).every((c) => c === deletion(nameOf(c)))).toBe(true);
        expect(stub.requests.length).toBe(before);
        const want = expectedHeaders("resource", edge.website);
        for (const h of managedHeaders) expect([h, res.headers[h]]).toEqual([h, want[h]]);
    });

    test.each([
        ["/mtc.js", "GET"],
        ["/mtc/event", "POST"],
        ["/mtracking.gif?page_url=x", "GET"],
    ])("%s (%s) with the consent cookie reaches Mautic with the browser's User-Agent", async (rawPath, method) => {
        const before = reached(rawPath);
        const res = await edgeRequest(edge, rawPath, { method, headers: { "User-Agent": browserUa, Cookie: consent } });
        expect(res.status).toBe(200);
        expect(reached(rawPath)).toBe(before + 1);
        expect(lastSeen(rawPath).headers["user-agent"]).toBe(browserUa);
    });

    test.each([
        ["landing page", "/spring-offer", "GET"],
        ["form page", "/form/1", "GET"],
        ["form submission", "/form/submit?formId=1", "POST"],
        ["click redirect", "/r/9a8b7c6d5e?ct=YToxOntzOjY6InNvdXJjZSI7fQ", "GET"],
        ["focus item", "/focus/1.js", "GET"],
        ["dynamic content", "/dwc/hero-slot", "GET"],
        ["landing page through the front controller", "/index.php/spring-offer", "GET"],
    ])("%s (%s %s): without consent Mautic gets the User-Agent its pinned bot list names; with consent the browser's", async (_l, rawPath, method) => {
        await edgeRequest(edge, rawPath, { method, headers: { "User-Agent": browserUa } });
        expect(lastSeen(rawPath).headers["user-agent"]).toBe(noConsentUserAgent);
        await edgeRequest(edge, rawPath, { method, headers: { "User-Agent": browserUa, Cookie: `a=1; ${consent}` } });
        expect(lastSeen(rawPath).headers["user-agent"]).toBe(browserUa);
    });

    test.each([
        ["admin UI", "/s/login"],
        ["admin UI through the front controller", "/index.php/s/dashboard"],
        ["API", "/api/contacts"],
        ["OAuth", "/oauth/v2/token"],
        ["plugin popup", "/plugins/integrations/authcallback/Salesforce"],
        ["password reset", "/passwordreset"],
    ])("%s (%s): staff requests keep their User-Agent", async (_l, rawPath) => {
        await edgeRequest(edge, rawPath, { headers: { "User-Agent": browserUa } });
        expect(lastSeen(rawPath).headers["user-agent"]).toBe(browserUa);
    });

    test("the e-mail links keep their own rule: no User-Agent at all (not the marker)", async () => {
        await edgeRequest(edge, "/email/view/5f3a9c1d2e", { headers: { "User-Agent": browserUa } });
        expect(lastSeen("/email/view/5f3a9c1d2e").headers["user-agent"]).toBeUndefined();
    });
});

describe(`POST ${consentGrantPath}: the consent signal, set by the edge for the website only`, () => {
    const cors = ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods"];
    const expectEdgeSet = (res: EdgeResponse) => {
        const expected = expectedHeaders("edge", edge.website);
        for (const h of managedHeaders) expect([h, res.headers[h]]).toEqual([h, expected[h]]);
    };
    const stubSawGrant = () => stub.requests.filter((r) => /^\/consent\/grant/i.test(r.url)).length;

    test("from the website: 204 with the consent cookie (1 year, no identifier), CORS for the website, the edge header set", async () => {
        const res = await edgeRequest(edge, consentGrantPath, { method: "POST", headers: { Origin: edge.website } });
        expect(res.status).toBe(204);
        expect(setCookies(res)).toEqual([consentCookie(365)]);
        expect(setCookies(res)).toEqual([`${consentCookieName}=1; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=None`]);
        expect(res.headers["access-control-allow-origin"]).toBe(edge.website);
        expect(res.headers["access-control-allow-credentials"]).toBe("true");
        expect(res.headers["cache-control"]).toBe("no-store");
        expect(res.headers.vary).toBe("Origin");
        expectEdgeSet(res);
    });

    test("preflight from the website: 204, POST allowed, nothing set", async () => {
        const res = await edgeRequest(edge, consentGrantPath, {
            method: "OPTIONS",
            headers: { Origin: edge.website, "Access-Control-Request-Method": "POST" },
        });
        expect(res.status).toBe(204);
        expect(res.headers["access-control-allow-methods"]).toBe("POST");
        expect(setCookies(res)).toEqual([]);
    });

    test.each([
        ["another origin", { Origin: "https://evil.example" }],
        ["a look-alike of the website", { Origin: `${edgeTestWebsite}.evil.example` }],
        ["the opaque origin", { Origin: "null" }],
        ["no Origin header (a top-level form post from a page that hides it, curl)", {}],
    ] as [string, Record<string, string>][])("from %s: 403, no cookie, no CORS header (no other site can consent for a visitor)", async (_l, headers) => {
        const res = await edgeRequest(edge, consentGrantPath, { method: "POST", headers });
        expect(res.status).toBe(403);
        expect(setCookies(res)).toEqual([]);
        for (const h of cors) expect(res.headers[h]).toBeUndefined();
        expectEdgeSet(res);
    });

    test.each(["GET", "HEAD", "PUT", "DELETE"])("%s: 405, nothing set", async (method) => {
        const res = await edgeRequest(edge, consentGrantPath, { method, headers: { Origin: edge.website } });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe("POST, OPTIONS");
        expect(setCookies(res)).toEqual([]);
    });

    test("the forget route expires the consent cookie with Mautic's cookies", async () => {
        const res = await edgeRequest(edge, "/consent/forget", { method: "POST", headers: { Origin: edge.website, Cookie: `${consent}; mtc_id=9` } });
        expect(res.status).toBe(204);
        expect(setCookies(res)).toEqual(["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id", consentCookieName].map(deletion));
    });

    test("Mautic never sees the grant route", () => {
        expect(stub.requests.length).toBeGreaterThan(0);
        expect(stubSawGrant()).toBe(0);
    });
});

describe("access log: nothing after /email/<action>/, no address anywhere in a path", () => {
    async function loggedUris(marker: () => boolean): Promise<string[]> {
        const deadline = Date.now() + 5000;
        for (;;) {
            const uris = fs.existsSync(edge.accessLogPath)
                ? fs
                      .readFileSync(edge.accessLogPath, "utf8")
                      .split("\n")
                      .filter(Boolean)
                      .map((l) => JSON.parse(l).request.uri as string)
                : [];
            if (marker() || Date.now() > deadline) return uris;
            await new Promise((r) => setTimeout(r, 50));
        }
    }
    // [raw URI sent, URI the log must show]
    const rows: [string, string][] = [
        ["/email/unsubscribe/5f3a9c1d2e/jane.doe%40example.org/9b8c7d6e5f4a", "/email/unsubscribe/REDACTED"],
        ["/email/unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "/email/unsubscribe/REDACTED"],
        ["/email/dnc/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a?x=1", "/email/dnc/REDACTED?REDACTED"],
        ["/index.php/email/unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "/index.php/email/unsubscribe/REDACTED"],
        ["/EMAIL/Unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "/EMAIL/Unsubscribe/REDACTED"],
        ["//email//unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "//email//unsubscribe/REDACTED"],
        ["/email/resubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a", "/email/resubscribe/REDACTED"],
        ["/email/view/5f3a9c1d2e", "/email/view/REDACTED"],
        ["/email/5f3a9c1d2e.gif", "/email/REDACTED"],
        ["/r/9a8b7c6d5e?ct=YToxOntzOjY6InNvdXJjZSI7fQ", "/r/9a8b7c6d5e?REDACTED"],
        ["/somewhere/john.roe%40example.net/page", "/REDACTED"],
        ["/spring-offer", "/spring-offer"],
    ];
    test.each(rows)("%s is logged as %s", async (raw, expected) => {
        await edgeRequest(edge, raw);
        const uris = await loggedUris(
            () => fs.existsSync(edge.accessLogPath) && fs.readFileSync(edge.accessLogPath, "utf8").includes(JSON.stringify(expected)),
        );
        expect(uris).toContain(expected);
        if (raw !== expected) expect(uris).not.toContain(raw);
    });

    test("no address, id hash or secret hash is anywhere in the access log or Caddy's own log", () => {
        const log = fs.readFileSync(edge.accessLogPath, "utf8");
        for (const secret of ["jane", "john.roe", "example.org", "example.net", "%40", "5f3a9c1d2e", "9b8c7d6e5f4a", "YToxOntzOjY6"]) {
            expect([secret, log.includes(secret)]).toEqual([secret, false]);
            expect([secret, edge.stderr().includes(secret)]).toEqual([secret, false]);
        }
        // The tracking cookies' deletions and values are not logged either (no headers at all).
        expect(log).not.toMatch(/Max-Age|mautic_device_id|Set-Cookie/i);
    });
});
