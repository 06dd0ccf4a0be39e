/**
 * What a first-time visitor's browser does before they click anything: headless Chromium with
 * a fresh profile loads the page, waits for network idle (bounded) plus a settle time, and
 * records every request, every cookie (Set-Cookie and document.cookie), every
 * localStorage/sessionStorage write, IndexedDB and Cache Storage, and mixed content. Nothing is
 * clicked, so a consent banner stays unanswered.
 */
import { Browser, BrowserContext, chromium, Request } from "playwright-core";
import { chromiumResolverRules, spkiHashes } from "./net";
import { ConnectRule, MixedContentRecord } from "./types";

/** Flags for Chromium in containers and CI: no sandbox (root), no GPU, no background traffic
 *  (so every request seen is the page's), no QUIC (so --host-resolver-rules covers all). */
export const CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

export interface LaunchOptions {
    chromiumPath: string;
    connectTo: ConnectRule[];
    /** Extra CA certificates (PEM) whose keys Chromium accepts in a server's chain. */
    cas: string[];
}

export async function launchBrowser(opts: LaunchOptions): Promise<Browser> {
    const args = [...CHROMIUM_ARGS];
    const rules = chromiumResolverRules(opts.connectTo);
    if (rules) {
        args.push(`--host-resolver-rules=${rules}`);
    }
    if (opts.cas.length > 0) {
        args.push(`--ignore-certificate-errors-spki-list=${spkiHashes(opts.cas).join(",")}`);
    }
    return chromium.launch({ executablePath: opts.chromiumPath, args, headless: true, timeout: 30_000 });
}

/** A context that looks like an ordinary desktop Chrome: some scripts behave differently for
 *  "HeadlessChrome", and an auditor wants what a visitor gets. */
export async function newVisitorContext(browser: Browser, locale: string): Promise<BrowserContext> {
    const major = browser.version().split(".")[0];
    return browser.newContext({
        userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
        locale,
        timezoneId: "Europe/Berlin",
        viewport: { width: 1280, height: 800 },
    });
}

export interface RawRequest {
    url: string;
    type: string;
    method: string;
    status?: number;
    failure?: string;
}

export interface RawCookie {
    name: string;
    domain: string;
    path: string;
    sources: string[];
    present: boolean;
    expires?: number;
    httpOnly?: boolean;
    secure?: boolean;
    sameSite?: string;
}

export interface RawStorage {
    kind: "localStorage" | "sessionStorage" | "indexedDB" | "cacheStorage";
    origin: string;
    key: string;
    present: boolean;
}

export interface RawObservation {
    finalUrl: string;
    status?: number;
    navigationError?: string;
    idleTimedOut: boolean;
    loadMs: number;
    requests: RawRequest[];
    cookies: RawCookie[];
    storage: RawStorage[];
    mixedContent: MixedContentRecord[];
}

interface WriteRecord {
    kind: "cookie" | "localStorage" | "sessionStorage";
    key: string;
    origin: string;
}

/** Runs in every frame before the page's own scripts: reports cookie and storage writes
 *  (including ones the page deletes again) through the binding. Values are not recorded. */
const WRITE_HOOK = `(() => {
  const send = (kind, key) => { try { globalThis.__auditRecordWrite(JSON.stringify({ kind, key, origin: location.origin })); } catch (e) {} };
  const isDeletion = (text) => {
    const maxAge = /;\\s*max-age\\s*=\\s*(-?\\d+)/i.exec(text);
    if (maxAge) return Number(maxAge[1]) <= 0;
    const expires = /;\\s*expires\\s*=\\s*([^;]+)/i.exec(text);
    return !!expires && Date.parse(expires[1]) < Date.now();
  };
  const desc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (desc && desc.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true, enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(value) {
        const text = String(value);
        const eq = text.indexOf("=");
        const name = (eq < 0 ? text.split(";")[0] : text.slice(0, eq)).trim();
        if (!isDeletion(text)) send("cookie", name);
        return desc.set.call(this, value);
      },
    });
  }
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    let kind = "sessionStorage";
    try { if (this === globalThis.localStorage) kind = "localStorage"; } catch (e) {}
    send(kind, String(key));
    return setItem.call(this, key, value);
  };
  if (globalThis.cookieStore && globalThis.CookieStore) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (a, b) {
      send("cookie", typeof a === "string" ? a : String(a && a.name));
      return set.apply(this, arguments);
    };
  }
})();`;

/** Per-frame storage snapshot (keys only). */
const STORAGE_SNAPSHOT = `(async () => {
  const keys = (s) => { const out = []; for (let i = 0; i < s.length; i++) out.push(s.key(i)); return out; };
  const r = { origin: location.origin, local: [], session: [], idb: [], caches: [] };
  try { r.local = keys(localStorage); } catch (e) {}
  try { r.session = keys(sessionStorage); } catch (e) {}
  try { if (indexedDB.databases) r.idb = (await indexedDB.databases()).map((d) => d.name); } catch (e) {}
  try { if (globalThis.caches) r.caches = await caches.keys(); } catch (e) {}
  return r;
})()`;

interface FrameStorage {
    origin: string;
    local: string[];
    session: string[];
    idb: string[];
    caches: string[];
}

const MIXED_CONSOLE_RE =
    /Mixed Content: The page at '([^']+)' was loaded over HTTPS, but requested an insecure (\S+) '([^']+)'\.\s*(This request (?:has been blocked|was automatically upgraded)[^.]*)?/;

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
    return Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

function domainMatches(host: string, cookieDomain: string): boolean {
    const d = cookieDomain.replace(/^\./, "").toLowerCase();
    const h = host.toLowerCase();
    return h === d || h.endsWith(`.${d}`);
}

/** Name and Domain attribute of a Set-Cookie value. */
export function parseSetCookie(value: string): { name: string; domain?: string; path?: string } {
    const [pair, ...attrs] = value.split(";");
    const eq = pair.indexOf("=");
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    let domain: string | undefined;
    let path: string | undefined;
    for (const a of attrs) {
        const [k, ...v] = a.split("=");
        const key = k.trim().toLowerCase();
        if (key === "domain") {
            domain = v.join("=").trim().replace(/^\./, "").toLowerCase();
        } else if (key === "path") {
            path = v.join("=").trim();
        }
    }
    return { name, domain, path };
}

export interface ObserveOptions {
    url: string;
    timeoutMs: number;
    settleMs: number;
    locale: string;
}

/** Loads the page in a fresh context of `browser` and records everything before consent. */
export async function observeBeforeConsent(browser: Browser, opts: ObserveOptions): Promise<RawObservation> {
    const context = await newVisitorContext(browser, opts.locale);
    try {
        return await observe(context, opts);
    } finally {
        await context.close().catch(() => undefined);
    }
}

async function observe(context: BrowserContext, opts: ObserveOptions): Promise<RawObservation> {
    const writes: WriteRecord[] = [];
    await context.exposeBinding("__auditRecordWrite", (_source, payload: string) => {
        try {
            writes.push(JSON.parse(payload) as WriteRecord);
        } catch {
            // ignore malformed calls (the page can call the binding too)
        }
    });
    await context.addInitScript({ content: WRITE_HOOK });

    const requests = new Map<Request, RawRequest>();
    const setCookies: Array<{ url: string; value: string }> = [];
    const pending: Array<Promise<unknown>> = [];
    const mixed = new Map<string, MixedContentRecord>();

    context.on("request", (req) => {
        const url = req.url();
        if (!/^(https?|wss?):/.test(url)) {
            return; // data:, blob:, about:, chrome-extension: never leave the browser
        }
        requests.set(req, { url, type: req.resourceType(), method: req.method() });
    });
    context.on("response", (res) => {
        const rec = requests.get(res.request());
        if (rec) {
            rec.status = res.status();
        }
        pending.push(
            res
                .headerValues("set-cookie")
                .then((values) => {
                    for (const v of values) {
                        for (const line of v.split("\n")) {
                            if (line.trim()) {
                                setCookies.push({ url: res.url(), value: line.trim() });
                            }
                        }
                    }
                })
                .catch(() => undefined),
        );
    });
    context.on("requestfailed", (req) => {
        const rec = requests.get(req);
        if (rec) {
            rec.failure = req.failure()?.errorText ?? "failed";
        }
    });

    const page = await context.newPage();
    const websockets: RawRequest[] = [];
    page.on("websocket", (ws) => websockets.push({ url: ws.url(), type: "websocket", method: "GET" }));
    page.on("console", (msg) => {
        const m = MIXED_CONSOLE_RE.exec(msg.text());
        if (m && !mixed.has(m[3])) {
            const resolution = /blocked/.test(m[4] ?? "")
                ? "MixedContentBlocked"
                : /upgraded/.test(m[4] ?? "")
                  ? "MixedContentAutomaticallyUpgraded"
                  : "MixedContentWarning";
            mixed.set(m[3], { insecureUrl: m[3], resolution, type: m[2], page: m[1] });
        }
    });
    const cdp = await context.newCDPSession(page);
    cdp.on("Audits.issueAdded", (event) => {
        const d = event.issue.details.mixedContentIssueDetails;
        if (event.issue.code === "MixedContentIssue" && d) {
            mixed.set(d.insecureURL, {
                insecureUrl: d.insecureURL,
                resolution: d.resolutionStatus,
                type: d.resourceType ?? "unknown",
                page: d.mainResourceURL,
            });
        }
    });
    await cdp.send("Audits.enable").catch(() => undefined);

    const started = Date.now();
    let status: number | undefined;
    let navigationError: string | undefined;
    try {
        const res = await page.goto(opts.url, { waitUntil: "load", timeout: opts.timeoutMs });
        status = res?.status();
    } catch (e) {
        navigationError = (e as Error).message.split("\n")[0];
    }
    let idleTimedOut = false;
    if (!navigationError) {
        const remaining = Math.max(opts.timeoutMs - (Date.now() - started), 1);
        try {
            await page.waitForLoadState("networkidle", { timeout: remaining });
        } catch {
            idleTimedOut = true;
        }
        await page.waitForTimeout(opts.settleMs);
    }
    const loadMs = Date.now() - started;

    // Storage snapshot of every frame (cross-origin frames have their own storage).
    const frames: FrameStorage[] = [];
    if (!navigationError) {
        for (const frame of page.frames()) {
            const snap = await withTimeout(frame.evaluate(STORAGE_SNAPSHOT).catch(() => null) as Promise<FrameStorage | null>, 3000, null);
            if (snap && snap.origin && snap.origin !== "null") {
                frames.push(snap);
            }
        }
    }
    const jar = await context.cookies().catch(() => []);
    await withTimeout(Promise.all(pending), 3000, []);
    const finalUrl = page.url();
    await cdp.detach().catch(() => undefined);

    // Cookies: what is in the jar, plus writes that did not stay (deleted or rejected).
    const cookies: RawCookie[] = jar.map((c) => ({
        name: c.name,
        domain: c.domain.replace(/^\./, ""),
        path: c.path,
        sources: [],
        present: true,
        expires: c.expires,
        httpOnly: c.httpOnly,
        secure: c.secure,
        sameSite: c.sameSite,
    }));
    const attach = (name: string, host: string, domainAttr: string | undefined, source: string) => {
        const match = cookies.find((c) => c.name === name && (domainAttr ? c.domain === domainAttr : domainMatches(host, c.domain)));
        if (match) {
            if (!match.sources.includes(source)) {
                match.sources.push(source);
            }
        } else {
            cookies.push({ name, domain: domainAttr ?? host, path: "/", sources: [source], present: false });
        }
    };
    for (const sc of setCookies) {
        const parsed = parseSetCookie(sc.value);
        if (parsed.name) {
            attach(parsed.name, new URL(sc.url).hostname, parsed.domain, `Set-Cookie from ${sc.url}`);
        }
    }
    for (const w of writes.filter((w) => w.kind === "cookie")) {
        if (w.key) {
            attach(w.key, new URL(w.origin).hostname, undefined, `document.cookie in ${w.origin}`);
        }
    }

    const storage: RawStorage[] = [];
    const addStorage = (kind: RawStorage["kind"], origin: string, key: string, present: boolean) => {
        const existing = storage.find((s) => s.kind === kind && s.origin === origin && s.key === key);
        if (existing) {
            existing.present = existing.present || present;
        } else {
            storage.push({ kind, origin, key, present });
        }
    };
    for (const f of frames) {
        f.local.forEach((k) => addStorage("localStorage", f.origin, k, true));
        f.session.forEach((k) => addStorage("sessionStorage", f.origin, k, true));
        f.idb.forEach((k) => addStorage("indexedDB", f.origin, k, true));
        f.caches.forEach((k) => addStorage("cacheStorage", f.origin, k, true));
    }
    for (const w of writes) {
        if (w.kind !== "cookie") {
            addStorage(w.kind, w.origin, w.key, false);
        }
    }

    // Insecure requests that actually went out over http from an https page.
    const all = [...requests.values(), ...websockets];
    if (finalUrl.startsWith("https:")) {
        for (const r of all) {
            if ((r.url.startsWith("http:") || r.url.startsWith("ws:")) && !mixed.has(r.url)) {
                mixed.set(r.url, { insecureUrl: r.url, resolution: "MixedContentLoaded", type: r.type, page: finalUrl });
            }
        }
    }

    return {
        finalUrl,
        status,
        navigationError,
        idleTimedOut,
        loadMs,
        requests: all,
        cookies,
        storage,
        mixedContent: [...mixed.values()],
    };
}
