/**
 * The rendered Caddyfile on a live Caddy (Debian's 2.6, test mode: local CA, loopback ports) in
 * front of a stub that answers like Mautic and sends the weak headers Apache/Mautic send:
 * HTTP->HTTPS, TLS versions and suites, each path class's exact header set, blocked paths and
 * bypass attempts, forwarded headers, CORS, errors, the masked access log (also across a
 * logrotate copytruncate), adminUiCidrs and the consent-withdrawal route the edge answers itself.
 */
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { consentForgetPath, renderEdgeLogrotate } from "../../components/edge/caddyfile";
import { unsubscribePageStyle } from "../../components/edge/unsubscribePage";
import { edgeHttpRequest, edgeRequest, EdgeResponse, edgeTestWebsite, RunningEdge, startEdge } from "../support/edge-caddy";
import { EdgeClass, expectedHeaders, managedHeaders } from "../support/edge-expectations";
import { EdgeStub, rogueUpstreamHeaders, startEdgeStub } from "../support/edge-stub";
import { requireTool } from "../support/tools";

let stub: EdgeStub;
let edge: RunningEdge;
/** Same site, adminUiCidrs = ["127.0.0.2/32"]: requests from 127.0.0.1 are outside, from 127.0.0.2 inside. */
let restricted: RunningEdge;
/** Same site with the stack setting gravatar = true. */
let withGravatar: RunningEdge;

beforeAll(async () => {
    requireTool("caddy");
    requireTool("openssl");
    stub = await startEdgeStub();
    // One after the other, so a failed start leaves nothing unassigned for afterAll to miss.
    edge = await startEdge({ upstream: `127.0.0.1:${stub.port}` });
    restricted = await startEdge({ upstream: `127.0.0.1:${stub.port}`, adminUiCidrs: ["127.0.0.2/32"] });
    withGravatar = await startEdge({ upstream: `127.0.0.1:${stub.port}`, gravatar: true });
});

afterAll(async () => {
    await Promise.all([edge?.stop(), restricted?.stop(), withGravatar?.stop()]);
    await stub?.close();
});

function expectHeaderSet(res: EdgeResponse, cls: EdgeClass, website: string, opts: { gravatar?: boolean } = {}) {
    const expected = expectedHeaders(cls, website, { ...opts, styleSha256: crypto.createHash("sha256").update(unsubscribePageStyle).digest("base64") });
    const actual: Record<string, string | undefined> = {};
    for (const h of managedHeaders) {
        const v = res.headers[h];
        actual[h] = Array.isArray(v) ? v.join(" | ") : v;
    }
    expect(actual).toEqual(expected);
}

/** Requests the stub received for this raw path, so far. */
const reachedStub = (rawPath: string) => stub.requests.filter((r) => r.url === rawPath).length;

describe("HTTP -> HTTPS", () => {
    test("port 80 answers the site only with a 308 to the same path and query on HTTPS, without Server header", async () => {
        const res = await edgeHttpRequest(edge, "/s/login?next=%2Fs%2Fdashboard");
        expect(res.status).toBe(308);
        expect(res.headers.location).toBe(`https://${edge.domain}:${edge.httpsPort}/s/login?next=%2Fs%2Fdashboard`);
        expect(res.headers.server).toBeUndefined();
        expect(reachedStub("/s/login?next=%2Fs%2Fdashboard")).toBe(0);
    });

    test("port 80 closes the connection for any other host name", async () => {
        await expect(edgeHttpRequest(edge, "/", "203.0.113.10")).rejects.toThrow(/socket hang up|ECONNRESET/);
    });

    test("HTTPS advertises HTTP/3 on the same port", async () => {
        const res = await edgeRequest(edge, "/");
        expect(res.headers["alt-svc"]).toContain(`h3=":${edge.httpsPort}"`);
    });
});

describe("TLS (openssl s_client against the edge)", () => {
    function handshake(args: string[]) {
        const r = spawnSync(
            requireTool("openssl"),
            ["s_client", "-connect", `127.0.0.1:${edge.httpsPort}`, "-servername", edge.domain, "-CAfile", edge.caCertPath, ...args],
            { input: "", encoding: "utf8", timeout: 15000 },
        );
        return r.stdout + r.stderr;
    }
    // SECLEVEL=0 lets the client offer old protocols, so a refusal comes from the server.
    test.each([["-tls1"], ["-tls1_1"]])("%s is refused by the server (protocol_version alert)", (flag) => {
        const out = handshake([flag, "-cipher", "DEFAULT@SECLEVEL=0"]);
        expect(out).toMatch(/alert protocol version/);
        expect(out).toMatch(/Cipher is \(NONE\)/);
    });
    test.each([
        ["-tls1_2", /New, TLSv1\.2, Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)/],
        ["-tls1_3", /New, TLSv1\.3, Cipher is TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)/],
    ])("%s succeeds with a trusted certificate and an AEAD suite", (flag, cipher) => {
        const out = handshake([flag, "-cipher", "DEFAULT@SECLEVEL=0"]);
        expect(out).toMatch(cipher);
        expect(out).toMatch(/Verify return code: 0 \(ok\)/);
    });
    test("TLS 1.2 CBC suites are refused", () => {
        const out = handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256@SECLEVEL=0"]);
        expect(out).toMatch(/handshake failure/);
        expect(out).toMatch(/Cipher is \(NONE\)/);
    });
});

describe("headers per path class", () => {
    // [raw request path, class, status, answered by the edge itself]
    const rows: [string, EdgeClass, number, boolean][] = [
        ["/", "edge", 200, true],
        ["/index.php", "edge", 200, true],
        ["/vendor/autoload.php", "edge", 403, true],
        ["/config/local.php", "edge", 403, true],
        ["/var/logs/mautic_prod.log", "edge", 403, true],
        ["/app/config/config.php", "edge", 403, true],
        ["/app/release_metadata.json", "edge", 403, true],
        ["/bin/console", "edge", 403, true],
        ["/installer", "edge", 403, true],
        ["/index.php/installer/step/1", "edge", 403, true],
        ["/.env", "edge", 403, true],
        ["/.git/config", "edge", 403, true],
        ["/media/.htaccess", "edge", 403, true],
        ["/media/files/shell.php", "edge", 403, true],
        ["/themes/blank/evil.phtml", "edge", 403, true],
        ["/upgrade/upgrade.php", "edge", 403, true],
        // The consent-withdrawal route takes POST only (tested below); GET gets the edge's 405.
        ["/consent/forget", "edge", 405, true],
        ["/s/login", "admin", 200, false],
        ["/s/dashboard", "admin", 200, false],
        ["/index.php/s/login", "admin", 200, false],
        ["/oauth/v2/token", "admin", 200, false],
        ["/saml/discovery", "admin", 200, false],
        ["/passwordreset", "admin", 200, false],
        ["/plugins/integrations/authcallback/Salesforce", "popup", 200, false],
        ["/api/contacts", "api", 200, false],
        ["/api", "api", 200, false],
        // Without the consent cookie the edge answers Mautic's tracking endpoints itself
        // (tests/live/edge.consent.live.test.ts has them with and without it).
        ["/mtc.js", "resource", 200, true],
        // Mautic 7.x's split tracking scripts (PR #16660), should a website embed them.
        ["/mautic-essential.js", "resource", 200, false],
        ["/mautic-tracking.js", "resource", 200, true],
        ["/mtc/event", "resource", 200, true],
        ["/mtracking.gif?page_url=https%3A%2F%2Fwww.client-a.test%2F", "resource", 204, true],
        ["/form/generate.js?id=1", "resource", 200, false],
        ["/focus/1.js", "resource", 200, false],
        ["/dwc/hero-slot", "resource", 200, false],
        // The open pixel is answered by the edge: nothing reaches Mautic, nothing is recorded.
        ["/email/5f3a9c1d2e.gif", "resource", 204, true],
        ["/media/images/logo.png", "resource", 200, false],
        ["/media/images/.tmb/logo.png", "resource", 200, false],
        ["/media/js/mautic-form.js", "resource", 200, false],
        ["/app/bundles/CoreBundle/Assets/images/mautic_logo.png", "resource", 200, false],
        ["/plugins/GrapesJsBuilderBundle/Assets/library/js/builder.js", "resource", 200, false],
        ["/themes/blank/thumbnail.png", "resource", 200, false],
        ["/form/1", "public", 200, false],
        ["/form/submit?formId=1", "public", 200, false],
        ["/spring-offer", "public", 200, false],
        ["/email/view/5f3a9c1d2e", "public", 200, false],
        // A GET of an unsubscribe link gets the edge's button page (tests/live/edge.unsubscribe.live.test.ts).
        ["/email/unsubscribe/5f3a9c1d2e", "unsubscribe", 200, true],
        ["/asset/1:whitepaper", "public", 200, false],
        ["/r/9a8b7c?ct=abc", "public", 200, false],
        ["/.well-known/security.txt", "public", 200, false],
    ];

    test.each(rows)("%s -> %s (%d)", async (rawPath, cls, status, byEdge) => {
        const before = reachedStub(rawPath);
        const res = await edgeRequest(edge, rawPath);
        expect(res.status).toBe(status);
        expectHeaderSet(res, cls, edge.website);
        expect(reachedStub(rawPath) - before).toBe(byEdge ? 0 : 1);
    });

    test("the stub really sends the weak headers the edge replaces", async () => {
        expect(rogueUpstreamHeaders["X-Frame-Options"]).toBe("SAMEORIGIN");
        const res = await edgeRequest(edge, "/spring-offer");
        expect(res.headers["x-frame-options"]).toBeUndefined();
        expect(res.headers["content-security-policy"]).not.toContain("*");
    });

    test("TRACE is refused by the edge", async () => {
        const res = await edgeRequest(edge, "/s/login", { method: "TRACE" });
        expect(res.status).toBe(405);
        expectHeaderSet(res, "edge", edge.website);
    });

    test("an upstream failure becomes the edge's own 502 with the edge header set", async () => {
        const res = await edgeRequest(edge, "/__stub/drop");
        expect(res.status).toBe(502);
        expectHeaderSet(res, "edge", edge.website);
        expect(res.body).toBe("502 Bad Gateway");
    });

    // Encoded, dotted, doubled and upper-case variants of blocked paths (sent raw, not normalised).
    test.each([
        "/media/../vendor/autoload.php",
        "/media/./../config/local.php",
        "/%2e%2e/config/local.php",
        "/media/..%2f..%2fconfig/local.php",
        "//vendor/autoload.php",
        "/VENDOR/autoload.php",
        "/%76endor/autoload.php",
        "/index.php/../.env",
        "/media/images/.tmb/../../../.env",
        "/index.php%2finstaller",
        "/media/files/x.PHP",
        "/media/files/x.php/extra",
    ])("bypass attempt %s is blocked by the edge", async (rawPath) => {
        const res = await edgeRequest(edge, rawPath);
        expect(res.status).toBe(403);
        expectHeaderSet(res, "edge", edge.website);
        expect(reachedStub(rawPath)).toBe(0);
    });
});

describe("client address, scheme and host for Mautic", () => {
    test("Mautic gets the TCP peer, https and the real host; spoofed forwarding headers are dropped", async () => {
        const spoofed = {
            "X-Forwarded-For": "6.6.6.6",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Port": "8080",
            "X-Forwarded-Prefix": "/evil",
            "X-Forwarded-Server": "evil",
            "X-Forwarded-Ssl": "off",
            Forwarded: "for=6.6.6.6;proto=http;host=evil.example",
            "X-Real-Ip": "6.6.6.6",
            "X-Client-Ip": "6.6.6.6",
            "Client-Ip": "6.6.6.6",
            "True-Client-Ip": "6.6.6.6",
            "X-Original-Url": "/s/config/edit",
            "X-Rewrite-Url": "/s/config/edit",
            Proxy: "http://evil.example:3128",
        };
        await edgeRequest(edge, "/form/submit?formId=7", {
            method: "POST",
            headers: { ...spoofed, "Content-Type": "application/x-www-form-urlencoded" },
            body: "mauticform%5Bemail%5D=a%40b.de",
        });
        const seen = stub.requests.filter((r) => r.url === "/form/submit?formId=7").at(-1)!;
        expect(seen.method).toBe("POST");
        expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
        expect(seen.headers["x-forwarded-proto"]).toBe("https");
        expect(seen.headers["x-forwarded-host"]).toBe(`${edge.domain}:${edge.httpsPort}`);
        expect(seen.headers.host).toBe(`${edge.domain}:${edge.httpsPort}`);
        for (const h of Object.keys(spoofed).map((k) => k.toLowerCase())) {
            if (!["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"].includes(h)) expect(seen.headers[h]).toBeUndefined();
        }
        expect(JSON.stringify(seen.headers)).not.toContain("6.6.6.6");
        expect(JSON.stringify(seen.headers)).not.toContain("evil");
    });
});

describe("CORS: only the website may read Mautic's responses", () => {
    test("another origin gets no CORS headers, even though Mautic (the stub) grants them", async () => {
        const res = await edgeRequest(edge, "/mtc/event", { method: "POST", headers: { Origin: "https://evil.example" } });
        expect(res.headers["access-control-allow-origin"]).toBeUndefined();
        expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
    });
    test("the website keeps them", async () => {
        const res = await edgeRequest(edge, "/mtc/event", { method: "POST", headers: { Origin: edge.website, Cookie: "tracking_consent=1" } });
        expect(res.headers["access-control-allow-origin"]).toBe(edge.website);
        expect(res.headers["access-control-allow-credentials"]).toBe("true");
    });
});

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

describe("access log", () => {
    const secrets = {
        cookie: "mautic_session=COOKIE-SECRET-4711",
        authorization: "Bearer TOKEN-SECRET-4712",
    };
    /** The last access log entry whose logged (filtered) URI is exactly `uri`; waits for Caddy to write it. */
    async function logged(uri: string): Promise<Record<string, unknown>> {
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
            const lines = fs.existsSync(edge.accessLogPath) ? fs.readFileSync(edge.accessLogPath, "utf8").split("\n").filter(Boolean) : [];
            const hit = lines.map((l) => JSON.parse(l)).filter((e) => e.request?.uri === uri);
            if (hit.length > 0) return hit.at(-1);
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no access log line with uri ${uri}`);
    }

    test("a request through the edge is logged with a masked IP and without cookie, authorization, query or email hash", async () => {
        await edgeRequest(edge, "/email/view/5f3a9c1d2e?ct=am9obkBleGFtcGxlLm9yZw&email=jane@example.org", {
            headers: { ...secrets, Referer: "https://www.client-a.test/newsletter?email=jane@example.org", "User-Agent": "UA-SECRET-4713" },
        });
        const entry = (await logged("/email/view/REDACTED?REDACTED")) as { request: Record<string, unknown>; status: number };
        expect(entry.request.remote_ip).toBe("127.0.0.0");
        expect(entry.request.uri).toBe("/email/view/REDACTED?REDACTED");
        expect(entry.request.headers).toBeUndefined();
        expect(entry.request.remote_port).toBeUndefined();
        expect((entry as Record<string, unknown>).resp_headers).toBeUndefined();
        expect(entry.status).toBe(200);
        const secretsAnywhere = ["COOKIE-SECRET", "TOKEN-SECRET", "UA-SECRET", "jane", "5f3a9c1d2e", "am9obkBleGFtcGxl"];
        const accessLog = fs.readFileSync(edge.accessLogPath, "utf8");
        for (const s of [...secretsAnywhere, "127.0.0.1"]) expect(accessLog).not.toContain(s);
        for (const s of secretsAnywhere) expect(edge.stderr()).not.toContain(s);
    });

    test("the consent-withdrawal request is logged like any other: masked IP, path, status; no cookie values sent or set", async () => {
        await edgeRequest(edge, "/consent/forget?visitor=jane@example.org", {
            method: "POST",
            headers: { Origin: edge.website, Cookie: "mtc_id=CONTACT-SECRET-4714; mautic_device_id=DEVICE-SECRET-4715", "User-Agent": "UA-SECRET-4716" },
        });
        const entry = (await logged("/consent/forget?REDACTED")) as { request: Record<string, unknown>; status: number };
        expect(entry.status).toBe(204);
        expect(entry.request.method).toBe("POST");
        expect(entry.request.remote_ip).toBe("127.0.0.0");
        expect(entry.request.headers).toBeUndefined();
        expect((entry as Record<string, unknown>).resp_headers).toBeUndefined();
        const accessLog = fs.readFileSync(edge.accessLogPath, "utf8");
        for (const s of ["CONTACT-SECRET", "DEVICE-SECRET", "UA-SECRET", "jane", "Max-Age=0"]) {
            expect(accessLog).not.toContain(s);
            expect(edge.stderr()).not.toContain(s);
        }
    });

    test("the host's logrotate (copytruncate) keeps Caddy appending to the same, now empty file", async () => {
        const logDir = path.dirname(edge.accessLogPath);
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "edge-logrotate-"));
        try {
            const conf = path.join(work, "edge.logrotate");
            fs.writeFileSync(conf, renderEdgeLogrotate({ hostLogDir: logDir, accessLogRetentionDays: 7 }));
            await edgeRequest(edge, "/before-rotation");
            await logged("/before-rotation");
            execFileSync(requireTool("logrotate"), ["--force", "--state", path.join(work, "state"), conf], { stdio: "pipe" });
            expect(fs.statSync(edge.accessLogPath).size).toBe(0);
            await edgeRequest(edge, "/after-rotation");
            await logged("/after-rotation");
            const live = fs.readFileSync(edge.accessLogPath, "utf8");
            expect(live.startsWith("{")).toBe(true); // appended at offset 0, no hole of NUL bytes
            expect(live.trim().split("\n")).toHaveLength(1);
            expect(fs.readFileSync(path.join(logDir, "access.log.1"), "utf8")).toContain('"uri":"/before-rotation"');
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});

describe("adminUiCidrs = [127.0.0.2/32]", () => {
    test.each([
        "/s/login",
        "/s/dashboard",
        "/index.php/s/login",
        "//s/login",
        "/S/LOGIN",
        "/s%2flogin",
        "/api/contacts",
        "/api",
        "/oauth/v2/token",
        "/passwordreset",
    ])("%s from outside (127.0.0.1) gets the edge's 403", async (rawPath) => {
        const before = reachedStub(rawPath);
        const res = await edgeRequest(restricted, rawPath);
        expect(res.status).toBe(403);
        expectHeaderSet(res, "edge", restricted.website);
        expect(reachedStub(rawPath)).toBe(before);
    });

    test.each([
        ["/s/login", "admin"],
        ["/api/contacts", "api"],
    ] as [string, EdgeClass][])("%s from inside (127.0.0.2) reaches Mautic", async (rawPath, cls) => {
        const res = await edgeRequest(restricted, rawPath, { localAddress: "127.0.0.2" });
        expect(res.status).toBe(200);
        expectHeaderSet(res, cls, restricted.website);
    });

    test.each([
        ["/mtc.js", "resource"],
        ["/mtracking.gif", "resource"],
        ["/form/generate.js?id=1", "resource"],
        ["/form/1", "public"],
        ["/form/submit?formId=1", "public"],
        ["/spring-offer", "public"],
        ["/email/view/5f3a9c1d2e", "public"],
        ["/asset/1:whitepaper", "public"],
        ["/plugins/integrations/authcallback/Salesforce", "popup"],
    ] as [string, EdgeClass][])("public endpoint %s stays open from anywhere", async (rawPath, cls) => {
        // With the consent cookie: without it the edge answers the tracking endpoints itself.
        const res = await edgeRequest(restricted, rawPath, { headers: { Cookie: "tracking_consent=1" } });
        expect(res.status).toBe(200);
        expectHeaderSet(res, cls, restricted.website);
    });
});

/**
 * Whether a CSP (as the browser received it) lets a page of `pageOrigin` load `url` as an image:
 * img-src, else default-src; source expressions as CSP Level 3 matches them ('none', 'self',
 * scheme-sources, host-sources with an optional leading "*."; paths and ports ignored, which
 * only widens a match). Written here so the test does not trust the template's wording.
 */
function cspAllowsImage(csp: string, pageOrigin: string, url: string): boolean {
    const directives = new Map(
        csp
            .split(";")
            .map((d) => d.trim().split(/\s+/))
            .filter((d) => d[0])
            .map(([name, ...v]) => [name.toLowerCase(), v]),
    );
    const sources = directives.get("img-src") ?? directives.get("default-src");
    if (sources === undefined) return true;
    const u = new URL(url);
    const page = new URL(pageOrigin);
    return sources.some((src) => {
        const s = src.toLowerCase();
        if (s === "'none'") return false;
        if (s === "'self'") return u.origin === page.origin;
        if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return u.protocol === s || (s === "http:" && u.protocol === "https:");
        const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([a-z0-9.-]+)(?::[0-9*]+)?(?:\/.*)?$/.exec(s);
        if (!m) return false;
        if (m[1] && `${m[1]}:` !== u.protocol) return false;
        return m[2] ? u.hostname.endsWith(`.${m[3]}`) : u.hostname === m[3];
    });
}

describe("Gravatar in the admin UI (setting gravatar)", () => {
    // What Mautic's GravatarHelper writes into contact lists and contact pages: md5 of the address.
    const avatar = "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346?s=250&d=https%3A%2F%2Fmarketing.example%2Fmedia%2Fimages%2Favatar.png";
    const csp = (res: EdgeResponse) => String(res.headers["content-security-policy"]);

    test.each([["/s/contacts"], ["/s/contacts/view/1"], ["/index.php/s/contacts"], ["/plugins/integrations/authcallback/Salesforce"]])(
        "off (the default): the CSP of %s lets no image load from gravatar.com (no https:, no gravatar host), only from Mautic itself",
        async (rawPath) => {
            const res = await edgeRequest(edge, rawPath);
            expect(res.status).toBe(200);
            const origin = `https://${edge.domain}:${edge.httpsPort}`;
            expect(cspAllowsImage(csp(res), origin, avatar)).toBe(false);
            expect(cspAllowsImage(csp(res), origin, "https://secure.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346")).toBe(false);
            expect(cspAllowsImage(csp(res), origin, `${origin}/media/images/avatar.png`)).toBe(true);
            expect(csp(res)).not.toMatch(/gravatar/i);
            expect(/img-src ([^;]*)/.exec(csp(res))?.[1]).toBe("'self' data: blob:");
        },
    );

    test.each([["/s/contacts"], ["/plugins/integrations/authcallback/Salesforce"]])("on: the CSP of %s allows the avatar (img-src https:)", async (rawPath) => {
        const res = await edgeRequest(withGravatar, rawPath);
        expect(res.status).toBe(200);
        expect(cspAllowsImage(csp(res), `https://${withGravatar.domain}:${withGravatar.httpsPort}`, avatar)).toBe(true);
        expectHeaderSet(res, rawPath.startsWith("/s/") ? "admin" : "popup", withGravatar.website, { gravatar: true });
    });

    test("the setting changes nothing but the admin and popup img-src: public pages keep their own policy", async () => {
        for (const e of [edge, withGravatar]) {
            const res = await edgeRequest(e, "/email/view/5f3a9c1d2e");
            expectHeaderSet(res, "public", e.website);
        }
    });
});
