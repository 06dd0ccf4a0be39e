/**
 * The standalone snippet (banner + loader) in real headless Chromium, against the local website
 * and the fake Mautic host (tests/support/tracking-lab.ts): before consent nothing is requested or
 * stored; the banner's dialog, focus, equal buttons, keyboard order and languages; accept (once,
 * also when fired again or pasted twice, in <head> too) and reject, with the requests the Mautic
 * host received and the browser made, and the cookies and storage on the device. Revoking and
 * stale choices: tracking.standalone.revoke.test.ts.
 */
import { consentStorageKey } from "../../components/edge/tracking";
import { settle, TrackingLab, waitFor } from "../support/tracking-lab";
import { accepted, activeId, banner, choiceRecord, hitsSince, mauticNames, startStandaloneLab, stopStandaloneLab, today } from "../support/tracking-standalone";

let lab: TrackingLab;
/** The revision hash the pages' snippet stores with a choice. */
let rev: string;
beforeAll(async () => ({ lab, rev } = await startStandaloneLab()), 60_000);
afterAll(stopStandaloneLab);

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
