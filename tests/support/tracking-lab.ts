/**
 * The tracking-snippet test bench: real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), the client's website and a fake Mautic host on two different host names
 * and ports, both https on loopback. Chromium resolves the test host names to 127.0.0.1 and
 * nothing else. Each visitor is a fresh browser context (empty cookie jar and storage) that
 * records every request the browser makes.
 *
 * `startTrackingLab({ edge: true })` puts the kit's real web edge in front of the fake Mautic:
 * Debian's Caddy runs the Caddyfile rendered by components/edge/caddyfile.ts in test mode
 * (local CA, loopback ports 18000-18999) for the Mautic host, and the fake becomes its plain
 * http upstream; the browser then reaches the Mautic host only through that edge.
 */
import { Browser, BrowserContext, chromium, Cookie, Page } from "playwright-core";
import { RunningEdge, startEdge } from "./edge-caddy";
import { FakeMautic, startFakeMautic } from "./fake-mautic";
import { LocalSite, startLocalSite } from "./local-site";
import { makeTestCert } from "./loopback";
import { requireTool } from "./tools";
import { CHROMIUM_ARGS } from "../../audit/browser";

export const SITE_HOST = "www.client-a.test";
export const MAUTIC_HOST = "marketing.client-a.test";
/** Another client's website, where a copied snippet must stay inert (1 website = 1 Mautic). */
export const OTHER_HOST = "www.client-b.test";

export interface BrowserRequest {
    url: string;
    method: string;
    type: string;
}

export interface Visitor {
    context: BrowserContext;
    page: Page;
    /** Every request this visitor's browser made (playwright `request` events). */
    requests: BrowserRequest[];
    /** Uncaught page errors and console errors. */
    errors: string[];
    /** Console warnings (the snippet warns when it is inactive). */
    warnings: string[];
    /** Browser requests to the Mautic host. */
    mauticRequests(): BrowserRequest[];
    /** Browser requests to hosts that are neither the website nor the Mautic host. */
    foreignRequests(): BrowserRequest[];
    cookies(): Promise<Cookie[]>;
    /** Cookies the website's pages can read or send: domain is the site host or a parent of it. */
    siteCookies(): Promise<Cookie[]>;
    /** Cookies the Mautic host set on itself (HttpOnly, sent only with requests to it). */
    mauticHostCookies(): Promise<Cookie[]>;
    /** localStorage and sessionStorage of the current page's origin. */
    storage(): Promise<{ local: Record<string, string>; session: Record<string, string> }>;
    goto(path: string, host?: string): Promise<void>;
    close(): Promise<void>;
}

export interface TrackingLab {
    browser: Browser;
    site: LocalSite;
    mautic: FakeMautic;
    /** The real edge in front of the fake Mautic (only with `{ edge: true }`). */
    edge?: RunningEdge;
    siteOrigin: string;
    otherOrigin: string;
    visitor(): Promise<Visitor>;
    close(): Promise<void>;
}

export async function startTrackingLab(opts: { edge?: boolean } = {}): Promise<TrackingLab> {
    const executablePath = requireTool("chromium");
    const cert = makeTestCert([SITE_HOST, MAUTIC_HOST, OTHER_HOST]);
    const site = await startLocalSite(cert);
    const siteOrigin = `https://${SITE_HOST}:${site.port}`;
    const otherOrigin = `https://${OTHER_HOST}:${site.port}`;
    let edgeOrigin = "";
    const mautic = await startFakeMautic({
        cert,
        hostName: MAUTIC_HOST,
        allowedOrigin: () => siteOrigin,
        behindEdge: opts.edge ? { publicOrigin: () => edgeOrigin } : undefined,
    });
    let edge: RunningEdge | undefined;
    if (opts.edge) {
        try {
            edge = await startEdge({ domain: MAUTIC_HOST, website: siteOrigin, upstream: `127.0.0.1:${mautic.port}` });
        } catch (err) {
            await Promise.all([site.close(), mautic.close()]);
            throw err;
        }
        edgeOrigin = `https://${MAUTIC_HOST}:${edge.httpsPort}`;
    }
    let browser: Browser;
    try {
        browser = await chromium.launch({
            executablePath,
            args: [...CHROMIUM_ARGS, `--host-resolver-rules=${[SITE_HOST, MAUTIC_HOST, OTHER_HOST].map((h) => `MAP ${h} 127.0.0.1`).join(",")}`],
        });
    } catch (err) {
        await Promise.all([site.close(), mautic.close(), edge?.stop()]);
        throw err;
    }
    const visitors = new Set<Visitor>();

    async function visitor(): Promise<Visitor> {
        const context = await browser.newContext({ ignoreHTTPSErrors: true, serviceWorkers: "block" });
        const page = await context.newPage();
        const requests: BrowserRequest[] = [];
        const errors: string[] = [];
        const warnings: string[] = [];
        context.on("request", (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType() }));
        page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
        page.on("console", (m) => {
            if (m.type() === "error") errors.push(`console: ${m.text()}`);
            if (m.type() === "warning") warnings.push(m.text());
        });
        const hostOf = (u: string) => new URL(u).host;
        const siteHost = (d: string) => {
            const bare = d.replace(/^\./, "");
            return SITE_HOST === bare || SITE_HOST.endsWith(`.${bare}`);
        };
        const v: Visitor = {
            context,
            page,
            requests,
            errors,
            warnings,
            mauticRequests: () => requests.filter((r) => r.url.startsWith(`${mautic.origin}/`)),
            foreignRequests: () => requests.filter((r) => ![hostOf(siteOrigin), hostOf(otherOrigin), hostOf(mautic.origin)].includes(hostOf(r.url))),
            cookies: () => context.cookies(),
            siteCookies: async () => (await context.cookies()).filter((c) => siteHost(c.domain)),
            mauticHostCookies: async () => (await context.cookies()).filter((c) => c.domain === MAUTIC_HOST),
            storage: () =>
                page.evaluate(() => {
                    const dump = (s: Storage) => {
                        const out: Record<string, string> = {};
                        for (let i = 0; i < s.length; i++) {
                            const k = s.key(i) as string;
                            out[k] = s.getItem(k) as string;
                        }
                        return out;
                    };
                    return { local: dump(localStorage), session: dump(sessionStorage) };
                }),
            goto: async (path: string, host = SITE_HOST) => {
                await page.goto(`https://${host}:${site.port}${path}`, { waitUntil: "load" });
            },
            close: async () => {
                visitors.delete(v);
                await context.close();
            },
        };
        visitors.add(v);
        return v;
    }

    return {
        browser,
        site,
        mautic,
        edge,
        siteOrigin,
        otherOrigin,
        visitor,
        close: async () => {
            for (const v of [...visitors]) await v.close().catch(() => undefined);
            await browser.close().catch(() => undefined);
            await Promise.all([site.close(), mautic.close(), edge?.stop()]);
        },
    };
}

/** Polls `check` until it is true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return;
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

/** Waits long enough for anything a page might still send to arrive (the fake host answers in ~1 ms). */
export const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** Names of cookies that belong to Mautic. */
export const isMauticName = (name: string) => /^(mtc|mautic)/i.test(name);

/** The snippet's public API, as the tests use it. */
export interface MauticConsentApi {
    version: number;
    variant: "banner" | "cmp";
    status(): "granted" | "denied" | "unset";
    loaded(): boolean;
    accept(): void;
    reject(): void;
    revoke(opts?: { reload?: boolean }): void;
    open(): void;
    close(): void;
}

declare global {
    interface Window {
        MauticConsent?: MauticConsentApi;
    }
}
