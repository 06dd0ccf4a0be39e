/**
 * The admin UI's site settings on live Caddies (the rendered Caddyfile in test mode) in front of
 * a stub that answers like Mautic: adminUiCidrs = ["127.0.0.2/32"] (admin and API paths, bypass
 * spellings included, refused from outside, reachable from inside; public endpoints open), and
 * gravatar off (the default) and on: the admin and popup CSPs' img-src, the rest unchanged.
 * Three Caddies: the default site, the restricted one and the one with gravatar = true.
 */
import { edgeRequest, EdgeResponse, RunningEdge } from "../support/edge-caddy";
import { EdgeClass } from "../support/edge-expectations";
import { EdgeStub } from "../support/edge-stub";
import { expectHeaderSet, startEdgeSuite, stopEdgeSuite, stubRequestsTo } from "../support/edge-suite";

let stub: EdgeStub;
let edge: RunningEdge;
/** Same site, adminUiCidrs = ["127.0.0.2/32"]: requests from 127.0.0.1 are outside, from 127.0.0.2 inside. */
let restricted: RunningEdge;
/** Same site with the stack setting gravatar = true. */
let withGravatar: RunningEdge;
beforeAll(async () => {
    ({ stub, edge, restricted, withGravatar } = await startEdgeSuite({
        edge: {},
        restricted: { adminUiCidrs: ["127.0.0.2/32"] },
        withGravatar: { gravatar: true },
    }));
});
afterAll(stopEdgeSuite);

/** Requests the stub received for this raw path, so far. */
const reachedStub = (rawPath: string) => stubRequestsTo(stub, rawPath);

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
