/**
 * The standalone snippet (banner + loader) in real headless Chromium, against the local website
 * and the fake Mautic host (tests/support/tracking-lab.ts). Every scenario counts the requests
 * the Mautic host received (server side) and the browser made to it (playwright), and the
 * cookies and storage on the device, before consent, after accept, reject and revoke.
 */
import { consentStorageKey, renderConsentSnippet, validateTrackingSnippetInput } from "../../components/edge/tracking";
import { forgetPath } from "../support/fake-mautic";
import { sitePage } from "../support/local-site";
import { isMauticName, OTHER_HOST, settle, startTrackingLab, TrackingLab, Visitor, waitFor } from "../support/tracking-lab";

let lab: TrackingLab;
/** The revision hash the pages' snippet stores with a choice. */
let rev: string;
const html = (body: string) => ({ type: "text/html; charset=utf-8", body });

beforeAll(async () => {
    lab = await startTrackingLab();
    const base = { mauticUrl: lab.mautic.origin, website: lab.siteOrigin, privacyPolicyUrl: "/datenschutz" };
    const snippet = renderConsentSnippet(base);
    rev = validateTrackingSnippetInput(base).revisionHash;
    expect(rev).toMatch(/^[0-9a-f]{16}$/);
    const withForget = renderConsentSnippet({ ...base, mauticForgetPath: forgetPath });
    const pages: Record<string, string> = {
        "/": sitePage({ lang: "en", bodyEnd: snippet }),
        "/page2": sitePage({ lang: "en", title: "Page 2", bodyEnd: snippet }),
        "/de/": sitePage({ lang: "de-DE", bodyEnd: snippet }),
        "/nolang": sitePage({ lang: null, bodyEnd: snippet }),
        "/fr": sitePage({ lang: "fr", bodyEnd: snippet }),
        "/twice": sitePage({ bodyEnd: `${snippet}\n${snippet}` }),
        "/in-head": sitePage({ head: snippet, bodyEnd: "" }),
        "/forget": sitePage({ bodyEnd: withForget }),
        "/forget2": sitePage({ bodyEnd: withForget }),
    };
    for (const [path, body] of Object.entries(pages)) lab.site.pages.set(path, html(body));
}, 60_000);

afterAll(async () => {
    await lab?.close();
});

/** Requests the Mautic host received since `from` (an index into its hit list), as "METHOD /path". */
const hitsSince = (from: number) => lab.mautic.hits.slice(from).map((h) => `${h.method} ${h.path}`);
const banner = (v: Visitor) => v.page.locator("#mautic-consent");
const choiceRecord = async (v: Visitor) => JSON.parse((await v.storage()).local[consentStorageKey] ?? "null");
const mauticNames = async (v: Visitor) =>
    (await v.siteCookies())
        .filter((c) => isMauticName(c.name))
        .map((c) => c.name)
        .sort();
const activeId = (v: Visitor) => v.page.evaluate(() => document.activeElement?.id ?? "");
const today = () => new Date().toISOString().slice(0, 10);

async function accepted(v: Visitor) {
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await waitFor("mtc.js stored its ids", async () => "mtc_id" in (await v.storage()).local);
}

test("before consent: the banner shows, nothing is requested from the Mautic host, nothing is stored", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/");
    expect(await banner(v).isVisible()).toBe(true);
    // Site code calling mt() before consent is dropped, not queued and not an error.
    await v.page.evaluate(() => (window as unknown as { mt: (...a: unknown[]) => void }).mt("send", "pageview"));
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.mauticRequests()).toEqual([]);
    expect(v.foreignRequests()).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    expect(await v.page.evaluate(() => window.MauticConsent?.status())).toBe("unset");
    expect(await v.page.locator('script[src*="mtc.js"]').count()).toBe(0);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("banner: labelled dialog, focus moves in, reject and accept are equal buttons, keyboard reachable, de/en", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    const b = banner(v);
    expect(await b.getAttribute("role")).toBe("dialog");
    expect(await b.getAttribute("lang")).toBe("en");
    expect(await v.page.locator(`#${await b.getAttribute("aria-labelledby")}`).textContent()).toBe("Marketing analytics: your choice");
    expect(await v.page.locator(`#${await b.getAttribute("aria-describedby")}`).textContent()).toMatch(
        /marketing\.client-a\.test.*links these visits to your contact record.*Mautic's own pages on marketing\.client-a\.test.*Before you decide, Mautic's tracking is not loaded and nothing is stored for it/,
    );
    expect(await b.locator("a").getAttribute("href")).toBe("/datenschutz");
    expect(await activeId(v)).toBe("mautic-consent");
    // The banner is the first element of <body>, so it comes first in the tab order too.
    expect(await v.page.evaluate(() => document.body.firstElementChild?.id)).toBe("mautic-consent");

    const buttons = b.locator("button");
    expect(await buttons.allTextContents()).toEqual(["Reject", "Accept"]);
    const looks = await buttons.evaluateAll((els) =>
        els.map((e) => {
            const cs = getComputedStyle(e);
            const r = e.getBoundingClientRect();
            return {
                tag: e.tagName,
                type: e.getAttribute("type"),
                w: Math.round(r.width),
                h: Math.round(r.height),
                style: ["background-color", "color", "font-size", "font-weight", "border", "border-radius", "padding", "display", "opacity"].map((p) =>
                    cs.getPropertyValue(p),
                ),
            };
        }),
    );
    expect(looks[0]).toEqual(looks[1]);
    expect(looks[0].tag).toBe("BUTTON");
    expect(looks[0].type).toBe("button");
    expect(looks[0].h).toBeGreaterThanOrEqual(44);

    // Tab order inside the banner: policy link, Reject, Accept.
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
        await v.page.keyboard.press("Tab");
        order.push(await v.page.evaluate(() => document.activeElement?.textContent ?? ""));
    }
    expect(order).toEqual(["Details in our privacy policy.", "Reject", "Accept"]);

    await v.goto("/de/");
    expect(await banner(v).getAttribute("lang")).toBe("de");
    expect(await banner(v).locator("h2").textContent()).toBe("Marketing-Analyse: Ihre Wahl");
    expect(await banner(v).locator("button").allTextContents()).toEqual(["Ablehnen", "Akzeptieren"]);
    for (const path of ["/nolang", "/fr"]) {
        await v.goto(path);
        expect(await banner(v).locator("button").allTextContents()).toEqual(["Reject", "Accept"]);
    }
    expect(v.errors).toEqual([]);
    await v.close();
});

test("accept: mtc.js loads once and sends one pageview, also when accept fires again; reload and navigation load it once each", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    const from = lab.mautic.hits.length;
    await accepted(v);
    await settle();
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(lab.mautic.hits[lab.mautic.hits.length - 1].body).toContain("type=pageview");
    expect(v.mauticRequests().map((r) => r.type)).toEqual(["script", "xhr"]);
    expect(v.foreignRequests()).toEqual([]);
    expect(await banner(v).isHidden()).toBe(true);
    expect(await activeId(v)).toBe("mautic-consent-open"); // focus moved to the settings button
    expect(await choiceRecord(v)).toEqual({ v: 1, rev, choice: "granted", date: today() });
    expect(Object.keys((await v.storage()).local).sort()).toEqual([consentStorageKey, "mautic_device_id", "mtc_id", "mtc_sid"].sort());
    expect(await mauticNames(v)).toEqual(["mautic_device_id", "mautic_referer_id", "mtc_id", "mtc_sid"]);
    expect((await v.siteCookies()).length).toBe(4); // nothing but Mautic's: the choice is not a cookie
    expect((await v.mauticHostCookies()).map((c) => c.name).sort()).toEqual(["mautic_device_id", "mautic_referer_id", "mtc_id"]);

    // Accept again: API twice, then via the settings dialog.
    await v.page.evaluate(() => {
        window.MauticConsent!.accept();
        window.MauticConsent!.accept();
    });
    await v.page.click("#settings-link");
    expect(await banner(v).isVisible()).toBe(true);
    expect(await v.page.locator("#mautic-consent-status").textContent()).toBe("Current choice: accepted.");
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await settle();
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(await v.page.evaluate(() => (window as unknown as { MauticJS: { executions: number } }).MauticJS.executions)).toBe(1);
    expect(await v.page.locator('script[src*="mtc.js"]').count()).toBe(1);

    // A tracked interaction is sent while consent holds (the fake's click tracking is live).
    await v.page.click("#buy");
    await waitFor("interaction event", () => hitsSince(from).length === 3);

    const beforeReload = lab.mautic.hits.length;
    await v.page.reload();
    await waitFor("pageview after reload", () => hitsSince(beforeReload).length === 2);
    await settle();
    expect(hitsSince(beforeReload)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(await banner(v).isHidden()).toBe(true);

    const beforeNav = lab.mautic.hits.length;
    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await waitFor("pageview on page 2", () => hitsSince(beforeNav).length === 2);
    await settle();
    expect(hitsSince(beforeNav)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("accept clicked twice in one tick, and the snippet pasted twice: still one mtc.js and one pageview", async () => {
    const v = await lab.visitor();
    await v.goto("/twice");
    expect(await v.page.locator("#mautic-consent").count()).toBe(1);
    const from = lab.mautic.hits.length;
    await v.page.evaluate(() => {
        const b = document.querySelector('#mautic-consent button[data-mcc="granted"]') as HTMLButtonElement;
        b.click();
        b.click();
    });
    await waitFor("pageview", () => hitsSince(from).length === 2);
    await settle();
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);

    // Placed in <head>, it waits for <body> and works the same.
    const w = await lab.visitor();
    await w.goto("/in-head");
    expect(await banner(w).isVisible()).toBe(true);
    const from2 = lab.mautic.hits.length;
    await accepted(w);
    await settle();
    expect(hitsSince(from2)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect([...v.errors, ...w.errors]).toEqual([]);
    await Promise.all([v.close(), w.close()]);
});

test("reject (keyboard only): nothing requested, only the choice stored; reload and navigation stay silent", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/");
    await v.page.keyboard.press("Tab");
    await v.page.keyboard.press("Tab");
    expect(await v.page.evaluate(() => document.activeElement?.textContent)).toBe("Reject");
    await v.page.keyboard.press("Enter");
    expect(await banner(v).isHidden()).toBe(true);
    expect(await activeId(v)).toBe("mautic-consent-open");
    await v.page.click("#buy");
    await settle();
    expect(await choiceRecord(v)).toEqual({ v: 1, rev, choice: "denied", date: today() });
    expect(await v.storage()).toEqual({ local: { [consentStorageKey]: expect.any(String) }, session: {} });
    expect(await v.cookies()).toEqual([]);

    await v.page.reload();
    expect(await banner(v).isHidden()).toBe(true);
    expect(await v.page.locator("#mautic-consent-open").isVisible()).toBe(true);
    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.mauticRequests()).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(Object.keys((await v.storage()).local)).toEqual([consentStorageKey]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("revoke after accept: Mautic's cookies and storage go, nothing more is sent on this page or the next", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    await accepted(v);
    await settle();
    const live = lab.mautic.hits.length;
    await v.page.click("#buy");
    await waitFor("interaction event", () => hitsSince(live).length === 1);
    expect(lab.mautic.hits[live].body).toContain("type=interaction");
    await settle();
    const from = lab.mautic.hits.length;
    const browserFrom = v.mauticRequests().length;

    await v.page.click("#mautic-consent-open");
    expect(await banner(v).isVisible()).toBe(true);
    expect(await activeId(v)).toBe("mautic-consent");
    await v.page.click('#mautic-consent button[data-mcc="denied"]');
    expect(await activeId(v)).toBe("mautic-consent-open");

    expect(await mauticNames(v)).toEqual([]); // host-only and parent-domain cookies
    expect(await v.storage()).toEqual({ local: { [consentStorageKey]: expect.any(String) }, session: {} });
    expect((await choiceRecord(v)).choice).toBe("denied");
    expect(await v.page.evaluate(() => [window.MauticConsent!.status(), window.MauticConsent!.loaded()])).toEqual(["denied", false]);
    expect(await v.page.locator('script[src*="mtc.js"]').count()).toBe(0);

    // Page interactions after revoking: tracked clicks, mt() calls, even mtc.js's own functions.
    await v.page.click("#buy");
    await v.page.evaluate(() => {
        const w = window as unknown as { mt: (...a: unknown[]) => void; MauticJS: { sendPageview: () => void; sendInteraction: (n: string) => void } };
        w.mt("send", "pageview");
        w.MauticJS.sendPageview();
        w.MauticJS.sendInteraction("late");
    });
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.mauticRequests().length).toBe(browserFrom);
    expect(await mauticNames(v)).toEqual([]);

    // Accepting again on the same page only stores the choice; tracking resumes on the next page.
    await v.page.evaluate(() => window.MauticConsent!.accept());
    await settle(200);
    expect(hitsSince(from)).toEqual([]);
    await v.page.evaluate(() => window.MauticConsent!.reject());

    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(await mauticNames(v)).toEqual([]);
    // Without mauticForgetPath, the cookies Mautic set on its own host stay until they expire
    // (no script on the website can reach them), but they are never sent: nothing requests that host.
    expect((await v.mauticHostCookies()).map((c) => c.name).sort()).toEqual(["mautic_device_id", "mautic_referer_id", "mtc_id"]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("revoke with mauticForgetPath: one request expires the Mautic host's own cookies; a first rejection sends nothing", async () => {
    const v = await lab.visitor();
    await v.goto("/forget");
    await accepted(v);
    await settle();
    const from = lab.mautic.hits.length;
    await v.page.evaluate(() => window.MauticConsent!.revoke());
    await waitFor("forget request", () => hitsSince(from).length === 1);
    await settle();
    expect(hitsSince(from)).toEqual([`POST ${forgetPath}`]);
    expect(lab.mautic.hits[from].cookie).toContain("mautic_device_id=");
    await waitFor("Mautic-host cookies expired", async () => (await v.cookies()).length === 0);
    expect(await v.cookies()).toEqual([]); // website and Mautic host: nothing left
    expect(Object.keys((await v.storage()).local)).toEqual([consentStorageKey]);
    await v.goto("/forget2");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([`POST ${forgetPath}`]);

    const w = await lab.visitor();
    const from2 = lab.mautic.hits.length;
    await w.goto("/forget");
    await w.page.click('#mautic-consent button[data-mcc="denied"]');
    await settle();
    expect(hitsSince(from2)).toEqual([]);
    expect(await w.cookies()).toEqual([]);
    expect([...v.errors, ...w.errors]).toEqual([]);
    await Promise.all([v.close(), w.close()]);
});

test("an expired or older-revision ACCEPT is withdrawn on the Mautic host when the page loads, before any decision; a stale reject sends nothing", async () => {
    const v = await lab.visitor();
    await v.goto("/forget");
    const old = new Date(Date.now() - 366 * 864e5).toISOString().slice(0, 10);
    const cases: [object, number][] = [
        [{ v: 1, rev, choice: "granted", date: old }, 1],
        [{ v: 1, rev: "0123456789abcdef", choice: "granted", date: today() }, 1],
        [{ v: 1, rev: "0123456789abcdef", choice: "denied", date: today() }, 0],
    ];
    for (const [record, forgets] of cases) {
        await v.page.evaluate(([k, r]) => localStorage.setItem(k, r), [consentStorageKey, JSON.stringify(record)] as const);
        const from = lab.mautic.hits.length;
        await v.page.reload();
        await settle();
        // The page load alone: the banner asks again and the old consent is forgotten there.
        expect(await banner(v).isVisible()).toBe(true);
        expect([record, hitsSince(from)]).toEqual([record, Array(forgets).fill(`POST ${forgetPath}`)]);
        // Rejecting now sends nothing more: the stale consent is already gone.
        await v.page.click('#mautic-consent button[data-mcc="denied"]');
        await settle();
        expect([record, hitsSince(from)]).toEqual([record, Array(forgets).fill(`POST ${forgetPath}`)]);
    }
    await v.close();
});

test("revoking in one tab stops tracking in another open tab of the site", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    await accepted(v);
    const other = await v.context.newPage();
    const before = lab.mautic.hits.length;
    await other.goto(`${lab.siteOrigin}/page2`);
    await waitFor("pageview in the second tab", () => hitsSince(before).length === 2);
    await settle();
    const from = lab.mautic.hits.length;
    await v.page.evaluate(() => window.MauticConsent!.revoke());
    await other.waitForFunction(() => window.MauticConsent!.status() === "denied");
    await other.click("#buy");
    await other.evaluate(() => (window as unknown as { mt: (...a: unknown[]) => void }).mt("send", "pageview"));
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(await mauticNames(v)).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("stale choices and leftovers: an expired or older-revision choice asks again; an old embed's cookies are removed without consent", async () => {
    const v = await lab.visitor();
    await v.context.addCookies([
        { name: "mtc_id", value: "old", url: lab.siteOrigin },
        { name: "mautic_device_id", value: "old", domain: ".client-a.test", path: "/" },
    ]);
    await v.goto("/");
    expect(await mauticNames(v)).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });

    const from = lab.mautic.hits.length;
    const old = new Date(Date.now() - 366 * 864e5).toISOString().slice(0, 10);
    for (const record of [
        { v: 1, rev, choice: "granted", date: old },
        // A choice made under other banner texts or settings (another revision hash), or the old numeric revision.
        { v: 1, rev: "0123456789abcdef", choice: "granted", date: today() },
        { v: 1, rev: 1, choice: "granted", date: today() },
        "garbage",
    ]) {
        await v.page.evaluate(([k, r]) => localStorage.setItem(k as string, typeof r === "string" ? r : JSON.stringify(r)), [
            consentStorageKey,
            record,
        ] as const);
        await v.page.reload();
        expect(await banner(v).isVisible()).toBe(true);
        expect(await v.storage()).toEqual({ local: {}, session: {} });
    }
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("on another website the snippet is inert: no banner, no API, no requests, no storage", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/", OTHER_HOST);
    await settle();
    expect(await v.page.locator("#mautic-consent").count()).toBe(0);
    expect(await v.page.evaluate(() => typeof window.MauticConsent)).toBe("undefined");
    expect(v.warnings.join("\n")).toContain(`inactive: generated for ${lab.siteOrigin}`);
    expect(hitsSince(from)).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    await v.close();
});
