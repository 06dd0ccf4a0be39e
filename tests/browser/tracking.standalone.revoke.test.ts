/**
 * The standalone snippet (banner + loader) in real headless Chromium, against the local website
 * and the fake Mautic host (tests/support/tracking-lab.ts): revoking after accept (with and without
 * mauticForgetPath, in one tab of several), expired or older-revision choices and an old embed's
 * leftovers, and the snippet copied to another website staying inert; counted on the Mautic host
 * (server side), in the browser's requests, and in the cookies and storage on the device.
 * Before consent, the banner, accept and reject: tracking.standalone.choice.test.ts.
 */
import { consentStorageKey } from "../../components/edge/tracking";
import { forgetPath } from "../support/fake-mautic";
import { OTHER_HOST, settle, TrackingLab, waitFor } from "../support/tracking-lab";
import { accepted, activeId, banner, choiceRecord, hitsSince, mauticNames, startStandaloneLab, stopStandaloneLab, today } from "../support/tracking-standalone";

let lab: TrackingLab;
/** The revision hash the pages' snippet stores with a choice. */
let rev: string;
beforeAll(async () => ({ lab, rev } = await startStandaloneLab()), 60_000);
afterAll(stopStandaloneLab);

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
