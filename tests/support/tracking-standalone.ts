/**
 * The standalone snippet's browser suites (tests/browser/tracking.standalone.choice.test.ts,
 * tracking.standalone.revoke.test.ts): a tracking lab (tests/support/tracking-lab.ts) whose website
 * serves the standalone snippet (banner + loader) on every page they visit, and what they read
 * back from the Mautic host, the banner and the device.
 */
import { consentStorageKey, renderConsentSnippet, validateTrackingSnippetInput } from "../../components/edge/tracking";
import { forgetPath } from "./fake-mautic";
import { sitePage } from "./local-site";
import { isMauticName, startTrackingLab, TrackingLab, Visitor, waitFor } from "./tracking-lab";

const html = (body: string) => ({ type: "text/html; charset=utf-8", body });
let current: TrackingLab | undefined;

/**
 * Starts the lab and serves the pages; `rev` is the revision hash the pages' snippet stores with a
 * choice. Call stopStandaloneLab in afterAll.
 */
export async function startStandaloneLab(): Promise<{ lab: TrackingLab; rev: string }> {
    const lab = await startTrackingLab();
    current = lab;
    const base = { mauticUrl: lab.mautic.origin, website: lab.siteOrigin, privacyPolicyUrl: "/datenschutz" };
    const snippet = renderConsentSnippet(base);
    const rev = validateTrackingSnippetInput(base).revisionHash;
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
    return { lab, rev };
}

/** Closes the lab startStandaloneLab started in this test file. */
export async function stopStandaloneLab(): Promise<void> {
    await current?.close();
}

/** Requests the Mautic host received since `from` (an index into its hit list), as "METHOD /path". */
export const hitsSince = (from: number) => current!.mautic.hits.slice(from).map((h) => `${h.method} ${h.path}`);
export const banner = (v: Visitor) => v.page.locator("#mautic-consent");
export const choiceRecord = async (v: Visitor) => JSON.parse((await v.storage()).local[consentStorageKey] ?? "null");
export const mauticNames = async (v: Visitor) =>
    (await v.siteCookies())
        .filter((c) => isMauticName(c.name))
        .map((c) => c.name)
        .sort();
export const activeId = (v: Visitor) => v.page.evaluate(() => document.activeElement?.id ?? "");
export const today = () => new Date().toISOString().slice(0, 10);

export async function accepted(v: Visitor) {
    await v.page.click('#mautic-consent button[data-mcc="granted"]');
    await waitFor("mtc.js stored its ids", async () => "mtc_id" in (await v.storage()).local);
}
