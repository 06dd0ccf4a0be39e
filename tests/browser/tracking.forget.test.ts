/**
 * Closing the revoke gap end to end, in real headless Chromium: the snippets as plan/runPlan.ts
 * renders them (mauticForgetPath = consentForgetPath) on the website, and the kit's REAL edge
 * (the rendered Caddyfile on Debian's Caddy, test mode) in front of the fake Mautic
 * (tests/support/tracking-lab.ts with `{ edge: true }`). Accepting lets Mautic set its cookies
 * on its own host through the edge; withdrawing sends the one forget request, which the edge
 * answers itself, and the browser drops those cookies. The fake Mautic never sees the request.
 */
import * as fs from "fs";
import { consentCookieName, consentForgetPath, consentGrantPath } from "../../components/edge/caddyfile";
import { consentStorageKey, renderCmpSnippet, renderConsentSnippet } from "../../components/edge/tracking";
import { fakeCmpJs } from "../support/fake-cmp";
import { sitePage } from "../support/local-site";
import { isMauticName, MAUTIC_HOST, settle, startTrackingLab, TrackingLab, Visitor, waitFor } from "../support/tracking-lab";

let lab: TrackingLab;
const html = (body: string) => ({ type: "text/html; charset=utf-8", body });

beforeAll(async () => {
    lab = await startTrackingLab({ edge: true });
    // Exactly the options plan/runPlan.ts renders the two snippets with.
    const input = { mauticUrl: lab.mautic.origin, website: lab.siteOrigin, mauticForgetPath: consentForgetPath, mauticGrantPath: consentGrantPath };
    // The same snippet without the grant request: the edge must let none of Mautic's cookies through.
    const noGrant = renderConsentSnippet({ mauticUrl: lab.mautic.origin, website: lab.siteOrigin, mauticForgetPath: consentForgetPath });
    const banner = renderConsentSnippet(input);
    const cmp = `${renderCmpSnippet(input)}\n<script src="/fake-cmp.js" data-mode="category"></script>`;
    lab.site.pages.set("/fake-cmp.js", { type: "application/javascript", body: fakeCmpJs });
    const pages: Record<string, string> = {
        "/": sitePage({ bodyEnd: banner }),
        "/page2": sitePage({ title: "Page 2", bodyEnd: banner }),
        "/cmp": sitePage({ bodyEnd: cmp }),
        "/no-grant": sitePage({ bodyEnd: noGrant }),
    };
    for (const [path, body] of Object.entries(pages)) lab.site.pages.set(path, html(body));
}, 90_000);

afterAll(async () => {
    await lab?.close();
});

const hitsSince = (from: number) => lab.mautic.hits.slice(from).map((h) => `${h.method} ${h.path}`);
const hostCookieNames = async (v: Visitor) => (await v.mauticHostCookies()).map((c) => c.name).sort();
const siteMauticNames = async (v: Visitor) =>
    (await v.siteCookies())
        .filter((c) => isMauticName(c.name))
        .map((c) => c.name)
        .sort();

/** Every access log line of the edge. */
function logLines(): Array<{ request: { method: string; uri: string; headers?: unknown }; status: number }> {
    const log = fs.existsSync(lab.edge!.accessLogPath) ? fs.readFileSync(lab.edge!.accessLogPath, "utf8") : "";
    return log
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
}

/** Access log lines of the edge for the forget route. */
function forgetLogLines(): Array<{ request: { method: string; uri: string; headers?: unknown }; status: number }> {
    const log = fs.existsSync(lab.edge!.accessLogPath) ? fs.readFileSync(lab.edge!.accessLogPath, "utf8") : "";
    return log
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.request?.uri === consentForgetPath);
}

/**
 * The snippet's forget request is a credentialed CORS request; the edge allows exactly the
 * website origin, so the browser raises no error at all (with `no-cors`, the edge's strict
 * `Cross-Origin-Resource-Policy` would make Chromium log a blocked response).
 */
const errorsBesidesForget = (v: Visitor) => v.errors;

interface WireExchange {
    url: string;
    sent?: Record<string, string>;
    received?: Record<string, string>;
    status?: number;
    blockedCookies?: unknown[];
}

/** Records, over the DevTools protocol, the headers really sent and received for the forget route. */
async function recordForgetOnWire(v: Visitor): Promise<Map<string, WireExchange>> {
    const cdp = await v.context.newCDPSession(v.page);
    await cdp.send("Network.enable");
    const byId = new Map<string, WireExchange>();
    const entry = (id: string) => byId.get(id) ?? byId.set(id, { url: "" }).get(id)!;
    cdp.on("Network.requestWillBeSent", (e) => (entry(e.requestId).url = e.request.url));
    cdp.on("Network.requestWillBeSentExtraInfo", (e) => (entry(e.requestId).sent = e.headers as Record<string, string>));
    cdp.on("Network.responseReceivedExtraInfo", (e) => {
        const x = entry(e.requestId);
        x.received = e.headers as Record<string, string>;
        x.status = e.statusCode;
        x.blockedCookies = e.blockedCookies;
    });
    return byId;
}
const forgetsOn = (wire: Map<string, WireExchange>) => [...wire.values()].filter((x) => x.url === `${lab.mautic.origin}${consentForgetPath}`);
const grantsOn = (wire: Map<string, WireExchange>) => [...wire.values()].filter((x) => x.url === `${lab.mautic.origin}${consentGrantPath}`);
/** Mautic's own cookies on its host plus the consent signal. */
const withConsent = ["mautic_device_id", "mautic_referer_id", "mtc_id", consentCookieName].sort();

test("the lab's Mautic host is the real edge: without consent it answers the tracking script itself, with consent it proxies Mautic's; both with the edge's headers", async () => {
    expect(lab.edge).toBeDefined();
    expect(lab.mautic.origin).toBe(`https://${MAUTIC_HOST}:${lab.edge!.httpsPort}`);
    const v = await lab.visitor();
    const before = lab.mautic.count("GET", "/mtc.js");
    for (const withConsent of [false, true]) {
        if (withConsent) await v.context.addCookies([{ name: consentCookieName, value: "1", url: lab.mautic.origin, secure: true, sameSite: "None" }]);
        const res = await v.page.goto(`${lab.mautic.origin}/mtc.js`);
        expect(res!.status()).toBe(200);
        const headers = await res!.allHeaders();
        expect(headers["cross-origin-resource-policy"]).toBe("cross-origin");
        expect(headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
        const body = await res!.text();
        if (withConsent) expect(body).not.toContain("no tracking consent");
        else expect(body).toBe("/* no tracking consent: Mautic's tracking script is not served */");
        expect(lab.mautic.count("GET", "/mtc.js")).toBe(before + (withConsent ? 1 : 0));
    }
    await v.close();
});

test("banner: accept first sets the consent cookie (edge), then Mautic's cookies pass; revoke sends one forget request, the edge expires all of them", async () => {
    const v = await lab.visitor();
    const wire = await recordForgetOnWire(v);
    await v.goto("/");
    const from = lab.mautic.hits.length;
    const browserFromAccept = v.requests.length;
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await waitFor("mtc.js stored its ids", async () => "mtc_id" in (await v.storage()).local);
    await waitFor("Mautic-host cookies set", async () => (await hostCookieNames(v)).length === 4);
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(await hostCookieNames(v)).toEqual(withConsent);
    // The grant came first and alone: the edge answered it (Mautic never saw it), then mtc.js.
    expect(
        v.requests
            .slice(browserFromAccept)
            .filter((r) => r.url.startsWith(lab.mautic.origin))
            .map((r) => `${r.method} ${new URL(r.url).pathname}`),
    ).toEqual([`POST ${consentGrantPath}`, "GET /mtc.js", "POST /mtc/event"]);
    await waitFor("grant on the wire", () => grantsOn(wire).some((x) => x.received !== undefined));
    const [grant] = grantsOn(wire);
    expect(grant.sent!.origin).toBe(lab.siteOrigin);
    expect(grant.sent!.cookie).toBeUndefined(); // nothing on the Mautic host before consent
    expect(grant.status).toBe(204);
    expect(grant.received!["set-cookie"]).toBe(`${consentCookieName}=1; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=None`);
    expect(grant.blockedCookies).toEqual([]);
    expect(lab.mautic.count(undefined, consentGrantPath)).toBe(0);
    for (const c of await v.mauticHostCookies()) {
        expect(c).toMatchObject({ domain: MAUTIC_HOST, path: "/", secure: true, httpOnly: true, sameSite: "None" });
    }
    expect(await siteMauticNames(v)).toEqual(["mautic_device_id", "mautic_referer_id", "mtc_id", "mtc_sid"]);
    await settle();

    const logBefore = forgetLogLines().length;
    const fromRevoke = lab.mautic.hits.length;
    const browserFrom = v.requests.length;
    const forgetSeen = v.page.waitForRequest((r) => r.url() === `${lab.mautic.origin}${consentForgetPath}`);
    await v.page.click("#mautic-consent-open");
    await v.page.click('#mautic-consent button[data-mcc="denied"]');
    const forget = await forgetSeen;
    await waitFor("Mautic-host cookies expired", async () => (await hostCookieNames(v)).length === 0);
    await settle();

    // Nothing Mautic set is left: neither on the website (the snippet) nor on the Mautic host (the edge).
    expect(await v.cookies()).toEqual([]);
    expect(Object.keys((await v.storage()).local)).toEqual([consentStorageKey]);
    // Exactly one request went to the Mautic host, the forget POST, and the edge answered it itself.
    expect(
        v.requests
            .slice(browserFrom)
            .filter((r) => r.url.startsWith(lab.mautic.origin))
            .map((r) => `${r.method} ${r.url}`),
    ).toEqual([`POST ${lab.mautic.origin}${consentForgetPath}`]);
    expect(hitsSince(fromRevoke)).toEqual([]);
    expect(lab.mautic.count(undefined, consentForgetPath)).toBe(0);
    expect(forget.method()).toBe("POST");
    // On the wire: the request carried the Mautic host's cookies and the website's origin; the
    // edge answered 204 with the four expiring cookies and CORS for the website; the browser
    // accepted every Set-Cookie (none blocked).
    await waitFor("response headers on the wire", () => forgetsOn(wire).some((x) => x.received !== undefined));
    const [exchange] = forgetsOn(wire);
    expect(forgetsOn(wire)).toHaveLength(1);
    expect(
        exchange
            .sent!.cookie.split("; ")
            .map((c) => c.split("=")[0])
            .sort(),
    ).toEqual(withConsent);
    expect(exchange.sent!.origin).toBe(lab.siteOrigin);
    expect(exchange.status).toBe(204);
    expect(exchange.received!["set-cookie"].split("\n")).toEqual(
        ["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id", consentCookieName].map(
            (n) => `${n}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None`,
        ),
    );
    expect(exchange.received!["access-control-allow-origin"]).toBe(lab.siteOrigin);
    expect(exchange.received!["access-control-allow-credentials"]).toBe("true");
    expect(exchange.received!["cross-origin-resource-policy"]).toBe("same-origin");
    expect(exchange.blockedCookies).toEqual([]);
    await waitFor("edge access log line", () => forgetLogLines().length === logBefore + 1);
    const line = forgetLogLines().at(-1)!;
    expect([line.request.method, line.status, line.request.headers]).toEqual(["POST", 204, undefined]);

    // The next page stays silent.
    await v.goto("/page2");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(fromRevoke)).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(errorsBesidesForget(v)).toEqual([]);
    await v.close();
});

test("consent manager: withdrawing in the CMP sends the forget request and the Mautic host's cookies go", async () => {
    const v = await lab.visitor();
    await v.goto("/cmp");
    const from = lab.mautic.hits.length;
    await v.page.evaluate(() => (window as unknown as { FakeCmp: { accept(): void } }).FakeCmp.accept());
    await waitFor("Mautic-host cookies set", async () => (await hostCookieNames(v)).length === 4);
    expect(await hostCookieNames(v)).toEqual(withConsent);
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    await settle();
    const fromRevoke = lab.mautic.hits.length;
    const forgetSeen = v.page.waitForRequest((r) => r.url() === `${lab.mautic.origin}${consentForgetPath}`);
    await v.page.evaluate(() => (window as unknown as { FakeCmp: { reject(): void } }).FakeCmp.reject());
    await forgetSeen;
    await waitFor("Mautic-host cookies expired", async () => (await hostCookieNames(v)).length === 0);
    await settle();
    expect((await v.cookies()).map((c) => c.name)).toEqual(["fakecmp"]);
    expect(hitsSince(fromRevoke)).toEqual([]);
    expect(lab.mautic.count(undefined, consentForgetPath)).toBe(0);
    expect(errorsBesidesForget(v)).toEqual([]);
    await v.close();
});

test("a first rejection sends nothing, not even the forget request", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    const logBefore = forgetLogLines().length;
    await v.goto("/");
    await v.page.click('#mautic-consent button[data-mcc="denied"]');
    await settle();
    expect(v.mauticRequests()).toEqual([]);
    expect(hitsSince(from)).toEqual([]);
    expect(forgetLogLines().length).toBe(logBefore);
    expect(await v.cookies()).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("without the consent cookie (a snippet that sends no grant), the edge serves no tracking script: nothing reaches Mautic, nothing is stored", async () => {
    const v = await lab.visitor();
    await v.goto("/no-grant");
    const from = lab.mautic.hits.length;
    const browserFrom = v.requests.length;
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await waitFor("the browser requested mtc.js", () => v.requests.slice(browserFrom).some((r) => r.url === `${lab.mautic.origin}/mtc.js`));
    await settle(800);
    // The browser asked for mtc.js; the edge answered it with an empty script, so no page view.
    expect(v.requests.slice(browserFrom).map((r) => `${r.method} ${r.url.replace(lab.mautic.origin, "")}`)).toEqual(["GET /mtc.js"]);
    expect(hitsSince(from)).toEqual([]);
    expect(await v.page.evaluate(() => typeof (window as unknown as { MauticJS?: unknown }).MauticJS)).toBe("undefined");
    expect(await hostCookieNames(v)).toEqual([]);
    expect(await siteMauticNames(v)).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("a grant sent by another site sets nothing (the edge wants the website's Origin)", async () => {
    const v = await lab.visitor();
    await v.goto("/", "www.client-b.test");
    const grantLines = () => logLines().filter((e) => e.request?.uri === consentGrantPath);
    const before = grantLines().length;
    // A no-cors POST from www.client-b.test: sent with its Origin (the answer is opaque to the page anyway).
    await v.page.evaluate(
        (url) => fetch(url, { method: "POST", mode: "no-cors", credentials: "include" }).catch(() => undefined),
        `${lab.mautic.origin}${consentGrantPath}`,
    );
    await waitFor("the edge logged the foreign grant", () => grantLines().length === before + 1);
    expect(grantLines().at(-1)!.status).toBe(403);
    await settle();
    expect(await hostCookieNames(v)).toEqual([]);
    await v.close();
});

test("a Mautic landing page opened directly: its cookies are stored only while the visitor's consent holds", async () => {
    const v = await lab.visitor();
    const landing = async () => {
        const res = await v.page.goto(`${lab.mautic.origin}/spring-offer`);
        expect(res!.status()).toBe(200);
        await settle(100);
        return hostCookieNames(v);
    };
    // Before any consent: Mautic sets its cookies, the edge turns them into deletions.
    expect(await landing()).toEqual([]);
    // Accept on the website: the consent cookie travels with the top-level visit to the Mautic host.
    await v.goto("/");
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await waitFor("consent and Mautic cookies", async () => (await hostCookieNames(v)).length === 4);
    const before = (await v.mauticHostCookies()).find((c) => c.name === "mtc_id")!.value;
    expect(await landing()).toEqual(withConsent);
    expect((await v.mauticHostCookies()).find((c) => c.name === "mtc_id")!.value).not.toBe(before); // the landing page's own answer passed
    // Withdraw on the website: afterwards the landing page stores nothing again.
    await v.goto("/");
    await v.page.click("#mautic-consent-open");
    await v.page.click('#mautic-consent button[data-mcc="denied"]');
    await waitFor("all Mautic-host cookies expired", async () => (await hostCookieNames(v)).length === 0);
    expect(await landing()).toEqual([]);
    const hits = lab.mautic.hits.filter((h) => h.path === "/spring-offer");
    // Mautic saw its ids only while consent held (the visit in the middle), never before or after
    // (the fake mtc.js also sets mautic_referer_id on the parent domain, hence the de-duplication).
    expect(
        hits
            .slice(-3)
            .map((h) =>
                (h.cookie ?? "")
                    .split(/;\s*/)
                    .filter(Boolean)
                    .map((c) => c.split("=")[0])
                    .filter(isMauticName),
            )
            .map((names) => [...new Set(names)].sort()),
    ).toEqual([[], ["mautic_device_id", "mautic_referer_id", "mtc_id"], []]);
    // Top-level visits to the Mautic host make Chromium ask it for /favicon.ico, which the fake answers 404.
    expect(v.requests.filter((r) => r.url.startsWith(lab.mautic.origin) && r.type === "other").every((r) => r.url.endsWith("/favicon.ico"))).toBe(true);
    expect(v.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await v.close();
});
