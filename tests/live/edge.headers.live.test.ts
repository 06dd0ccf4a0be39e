/**
 * The rendered Caddyfile on a live Caddy (Debian's 2.6, test mode: local CA, loopback ports) in
 * front of a stub that answers like Mautic and sends the weak headers Apache/Mautic send:
 * HTTP->HTTPS, TLS versions and suites, each path class's exact header set, blocked paths and
 * bypass attempts, errors, forwarded headers and CORS. One Caddy (tests/support/edge-suite.ts).
 * The access log: edge.accesslog.live.test.ts; /consent/forget: edge.forget.live.test.ts;
 * adminUiCidrs and gravatar: edge.adminui.live.test.ts.
 */
import { spawnSync } from "child_process";
import { edgeHttpRequest, edgeRequest, RunningEdge } from "../support/edge-caddy";
import { EdgeClass } from "../support/edge-expectations";
import { EdgeStub, rogueUpstreamHeaders } from "../support/edge-stub";
import { expectHeaderSet, startEdgeSuite, stopEdgeSuite, stubRequestsTo } from "../support/edge-suite";
import { requireTool } from "../support/tools";

let stub: EdgeStub;
let edge: RunningEdge;
beforeAll(async () => {
    ({ stub, edge } = await startEdgeSuite({ edge: {} }));
});
afterAll(stopEdgeSuite);

/** Requests the stub received for this raw path, so far. */
const reachedStub = (rawPath: string) => stubRequestsTo(stub, rawPath);

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
