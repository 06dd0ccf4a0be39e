/**
 * The consent-manager variant in real headless Chromium, driven by a fake consent manager
 * (tests/support/fake-cmp.ts) that flips `type="text/plain"` scripts the way
 * vanilla-cookieconsent (by `data-category`) and Klaro (by `data-name`) do. Counts requests to
 * the fake Mautic host and cookies/storage before consent, after accept, reject and revoke.
 */
import { renderCmpSnippet } from "../../components/edge/tracking";
import { fakeCmpJs } from "../support/fake-cmp";
import { forgetPath } from "../support/fake-mautic";
import { sitePage } from "../support/local-site";
import { isMauticName, OTHER_HOST, settle, startTrackingLab, TrackingLab, Visitor, waitFor } from "../support/tracking-lab";

let lab: TrackingLab;
const html = (body: string) => ({ type: "text/html; charset=utf-8", body });

beforeAll(async () => {
    lab = await startTrackingLab();
    const snippet = renderCmpSnippet({ mauticUrl: lab.mautic.origin, website: lab.siteOrigin });
    const tracking = renderCmpSnippet({ mauticUrl: lab.mautic.origin, website: lab.siteOrigin, cmpCategory: "tracking", mauticForgetPath: forgetPath });
    const cmp = (attrs: string) => `<script src="/fake-cmp.js" ${attrs}></script>`;
    lab.site.pages.set("/fake-cmp.js", { type: "application/javascript", body: fakeCmpJs });
    const pages: Record<string, string> = {
        "/nocmp": sitePage({ bodyEnd: snippet }),
        "/": sitePage({ bodyEnd: `${snippet}\n${cmp('data-mode="category"')}` }),
        "/page2": sitePage({ title: "Page 2", bodyEnd: `${snippet}\n${cmp('data-mode="category"')}` }),
        "/klaro": sitePage({ bodyEnd: `${snippet}\n${cmp('data-mode="klaro"')}` }),
        "/tracking-wrong": sitePage({ bodyEnd: `${tracking}\n${cmp('data-mode="category" data-category-name="marketing"')}` }),
        "/tracking": sitePage({ bodyEnd: `${tracking}\n${cmp('data-mode="category" data-category-name="tracking"')}` }),
    };
    for (const [path, body] of Object.entries(pages)) lab.site.pages.set(path, html(body));
}, 60_000);

afterAll(async () => {
    await lab?.close();
});

const hitsSince = (from: number) => lab.mautic.hits.slice(from).map((h) => `${h.method} ${h.path}`);
const mauticNames = async (v: Visitor) =>
    (await v.siteCookies())
        .filter((c) => isMauticName(c.name))
        .map((c) => c.name)
        .sort();
const cmpCall = (v: Visitor, what: "accept" | "reject") =>
    v.page.evaluate((w) => (window as unknown as { FakeCmp: Record<string, () => void> }).FakeCmp[w](), what);
const executions = (v: Visitor) => v.page.evaluate(() => (window as unknown as { FakeCmp: { executed: number } }).FakeCmp.executed);

async function acceptAndWait(v: Visitor, from: number) {
    await cmpCall(v, "accept");
    await waitFor("pageview", () => hitsSince(from).length === 2);
    await waitFor("mtc.js stored its ids", async () => "mtc_id" in (await v.storage()).local);
    await settle();
}

test("without any consent manager nothing runs: no requests, no globals, no cookies, no storage", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/nocmp");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.mauticRequests()).toEqual([]);
    expect(v.foreignRequests()).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    expect(await v.page.evaluate(() => [typeof window.MauticConsent, typeof (window as unknown as { mt: unknown }).mt])).toEqual(["undefined", "undefined"]);
    expect(await v.page.locator('script[data-mautic-snippet]:not([type="text/plain"])').count()).toBe(0);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("with a consent manager, before any decision: nothing requested, nothing stored", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/");
    await settle();
    expect(await v.page.evaluate(() => (window as unknown as { FakeCmp: { state(): unknown } }).FakeCmp.state())).toBeNull();
    expect(hitsSince(from)).toEqual([]);
    expect(await v.cookies()).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    await v.close();
});

test("accept (data-category): mtc.js once, one pageview, even when the consent manager fires twice; reload and navigation once each", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    const from = lab.mautic.hits.length;
    await acceptAndWait(v, from);
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(v.mauticRequests().map((r) => r.type)).toEqual(["script", "xhr"]);
    expect(await mauticNames(v)).toEqual(["mautic_device_id", "mautic_referer_id", "mtc_id", "mtc_sid"]);
    expect((await v.siteCookies()).map((c) => c.name).filter((n) => !isMauticName(n))).toEqual(["fakecmp"]); // the CMP's own choice
    expect(Object.keys((await v.storage()).local).sort()).toEqual(["mautic_device_id", "mtc_id", "mtc_sid"]);
    expect(await v.page.evaluate(() => [window.MauticConsent!.variant, window.MauticConsent!.status()])).toEqual(["cmp", "granted"]);

    await cmpCall(v, "accept"); // fires again: the loader script executes a second time
    await settle();
    expect(await executions(v)).toBe(2);
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(await v.page.evaluate(() => (window as unknown as { MauticJS: { executions: number } }).MauticJS.executions)).toBe(1);

    const beforeReload = lab.mautic.hits.length;
    await v.page.reload();
    await waitFor("pageview after reload", () => hitsSince(beforeReload).length === 2);
    await settle();
    expect(hitsSince(beforeReload)).toEqual(["GET /mtc.js", "POST /mtc/event"]);

    const beforeNav = lab.mautic.hits.length;
    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await waitFor("pageview on page 2", () => hitsSince(beforeNav).length === 2);
    await settle();
    expect(hitsSince(beforeNav)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("reject: nothing requested, nothing stored but the consent manager's own choice; reload stays silent", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/");
    await cmpCall(v, "reject");
    await v.page.click("#buy");
    await v.page.reload();
    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.mauticRequests()).toEqual([]);
    expect((await v.cookies()).map((c) => c.name)).toEqual(["fakecmp"]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    expect(v.errors).toEqual([]);
    await v.close();
});

test("revoke through the consent manager (!category script): Mautic's cookies and storage go, nothing more is sent", async () => {
    const v = await lab.visitor();
    await v.goto("/");
    await acceptAndWait(v, lab.mautic.hits.length);
    const live = lab.mautic.hits.length;
    await v.page.click("#buy");
    await waitFor("interaction event", () => hitsSince(live).length === 1);
    await settle();
    const from = lab.mautic.hits.length;

    await cmpCall(v, "reject");
    expect(await mauticNames(v)).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    expect(await v.page.evaluate(() => [window.MauticConsent!.status(), window.MauticConsent!.loaded()])).toEqual(["denied", false]);

    await v.page.click("#buy");
    await v.page.evaluate(() => {
        const w = window as unknown as { mt: (...a: unknown[]) => void; MauticJS: { sendPageview: () => void } };
        w.mt("send", "pageview");
        w.MauticJS.sendPageview();
    });
    await cmpCall(v, "accept"); // re-consent on the same page resumes on the next page, not here
    await settle();
    expect(hitsSince(from)).toEqual([]);
    await cmpCall(v, "reject");

    await v.page.click("#next");
    await v.page.waitForURL("**/page2");
    await v.page.click("#buy");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(await mauticNames(v)).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("Klaro-style (data-name + data-type): loads once even when enabled twice; the decline callback's revoke() cleans up", async () => {
    const v = await lab.visitor();
    await v.goto("/klaro");
    const from = lab.mautic.hits.length;
    await acceptAndWait(v, from);
    await cmpCall(v, "accept");
    await settle();
    expect(hitsSince(from)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    expect(await executions(v)).toBe(2);

    const after = lab.mautic.hits.length;
    await cmpCall(v, "reject");
    expect(await mauticNames(v)).toEqual([]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    await v.page.click("#buy");
    await v.page.reload();
    await settle();
    expect(hitsSince(after)).toEqual([]);
    expect(v.errors).toEqual([]);
    await v.close();
});

test("custom category and mauticForgetPath: another category does not enable it; withdrawal sends exactly the forget request", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/tracking-wrong");
    await cmpCall(v, "accept");
    await settle();
    expect(hitsSince(from)).toEqual([]);

    const w = await lab.visitor();
    await w.goto("/tracking");
    const from2 = lab.mautic.hits.length;
    await acceptAndWait(w, from2);
    expect(hitsSince(from2)).toEqual(["GET /mtc.js", "POST /mtc/event"]);
    await cmpCall(w, "reject");
    await waitFor("forget request", () => hitsSince(from2).length === 3);
    await settle();
    expect(hitsSince(from2)).toEqual(["GET /mtc.js", "POST /mtc/event", `POST ${forgetPath}`]);
    // The forget response expires the Mautic host's own cookies: only the CMP's choice is left.
    await waitFor("Mautic-host cookies expired", async () => (await w.cookies()).length === 1);
    expect((await w.cookies()).map((c) => c.name)).toEqual(["fakecmp"]);
    expect([...v.errors, ...w.errors]).toEqual([]);
    await Promise.all([v.close(), w.close()]);
});

test("on another website the enabled loader stays inert", async () => {
    const v = await lab.visitor();
    const from = lab.mautic.hits.length;
    await v.goto("/", OTHER_HOST);
    await cmpCall(v, "accept");
    await settle();
    expect(hitsSince(from)).toEqual([]);
    expect(v.warnings.join("\n")).toContain("inactive: generated for");
    expect((await v.cookies()).map((c) => c.name)).toEqual(["fakecmp"]);
    expect(await v.storage()).toEqual({ local: {}, session: {} });
    await v.close();
});
