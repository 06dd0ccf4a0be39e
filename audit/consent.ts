/**
 * Judges what the browser saw before consent (pure; unit-tested without a browser).
 *
 * TDDDG section 25 (formerly TTDSG) needs opt-in for storing or reading anything on the
 * visitor's device unless it is strictly necessary for the service the visitor asked for; the
 * GDPR needs a legal basis for sending the visitor's IP address to a third party. So, before
 * any click:
 * - every request to another site (`third-party-before-consent`) fails,
 * - every request to the Mautic host or a Mautic tracking endpoint (`mautic-before-consent`,
 *   checklist C08) fails,
 * - every cookie and every localStorage/sessionStorage/IndexedDB/Cache Storage entry fails
 *   unless the operator declared it strictly necessary (`--allow-cookie`, `--allow-storage`);
 *   entries that were written and removed again before the end of the visit are warnings,
 * - mixed content fails whether the browser upgraded, blocked or loaded it.
 * The auditor cannot know what a cookie is for: allowing one is a human judgement, recorded in
 * the report's options.
 */
import { RawObservation } from "./browser";
import { hostMatches, nameMatches, normalizeHost, PartyClassifier } from "./site";
import { BrowserObservation, CookieRecord, Finding, RequestRecord, StorageRecord } from "./types";

/** Paths Mautic serves for tracking and embedding (mtc.js, the pixel, events, form embeds). */
const MAUTIC_PATH_RE = /(^|\/)(mtc\.js|mtracking\.gif|mtc\/event|form\/generate\.js|media\/js\/mautic-form\.js)$/;

export function isMauticTrackingPath(pathname: string): boolean {
    return MAUTIC_PATH_RE.test(pathname);
}

export interface ConsentInput {
    pageUrl: URL;
    mauticHosts: string[];
    firstParty: string[];
    allowCookies: string[];
    allowStorage: string[];
}

/** Adds first/third party and Mautic flags to the raw observation. */
export function classify(raw: RawObservation, input: ConsentInput): BrowserObservation {
    const pageUrls = [input.pageUrl];
    try {
        pageUrls.push(new URL(raw.finalUrl));
    } catch {
        // about:blank after a failed navigation
    }
    const parties = new PartyClassifier(pageUrls, input.firstParty);
    const pageHost = normalizeHost(input.pageUrl.hostname);
    const pageIsMautic = input.mauticHosts.some((h) => hostMatches(pageHost, h));

    const requests: RequestRecord[] = raw.requests.map((r) => {
        const u = new URL(r.url);
        const host = normalizeHost(u.hostname);
        const onMauticHost = input.mauticHosts.some((h) => hostMatches(host, h));
        // A landing page served by Mautic itself: its own document and assets are the visit,
        // only the tracking endpoints count as tracking.
        const mautic = isMauticTrackingPath(u.pathname) || (onMauticHost && !(pageIsMautic && host === pageHost));
        return { ...r, host, party: parties.isFirstParty(u) ? "first" : "third", mautic };
    });
    const cookies: CookieRecord[] = raw.cookies.map((c) => ({
        ...c,
        party: parties.isFirstPartyDomain(c.domain) ? "first" : "third",
    }));
    const storage: StorageRecord[] = raw.storage.map((s) => {
        let party: "first" | "third" = "third";
        try {
            party = parties.isFirstParty(new URL(s.origin)) ? "first" : "third";
        } catch {
            // opaque origin
        }
        return { ...s, party };
    });
    return { ...raw, requests, cookies, storage };
}

function groupByHost(requests: RequestRecord[]): Map<string, RequestRecord[]> {
    const byHost = new Map<string, RequestRecord[]>();
    for (const r of requests) {
        const key = r.host;
        byHost.set(key, [...(byHost.get(key) ?? []), r]);
    }
    return byHost;
}

function hostLine(host: string, reqs: RequestRecord[]): string {
    const types = [...new Set(reqs.map((r) => r.type))].sort().join(", ");
    return `${host}: ${reqs.length} request(s) (${types}), first ${reqs[0].url}`;
}

export function consentFindings(obs: BrowserObservation, input: ConsentInput): Finding[] {
    const findings: Finding[] = [];

    // --- third parties (Mautic hosts are reported under their own id) ---
    const third = obs.requests.filter((r) => r.party === "third" && !r.mautic);
    const thirdHosts = groupByHost(third);
    const scripts = third.filter((r) => r.type === "script");
    findings.push({
        id: "third-party-before-consent",
        checklist: ["C14"],
        severity: third.length > 0 ? "fail" : "pass",
        summary:
            third.length > 0
                ? `${thirdHosts.size} third-party host(s) contacted before consent: ${[...thirdHosts.keys()].join(", ")}`
                : `no third-party requests before consent (${obs.requests.length} first-party)`,
        evidence: [...[...thirdHosts].map(([h, reqs]) => hostLine(h, reqs)), ...scripts.map((s) => `script ${s.url}`)],
    });

    // --- Mautic ---
    const mautic = obs.requests.filter((r) => r.mautic);
    const mauticHosts = groupByHost(mautic);
    const checkedHosts = input.mauticHosts.length > 0 ? input.mauticHosts.join(", ") : "none given";
    const pageIsMautic = input.mauticHosts.some((h) => hostMatches(input.pageUrl.hostname, h));
    findings.push({
        id: "mautic-before-consent",
        checklist: ["C08"],
        severity: mautic.length > 0 ? "fail" : pageIsMautic ? "warn" : "pass",
        summary:
            mautic.length > 0
                ? `Mautic contacted before consent: ${mautic
                      .map((r) => r.url)
                      .slice(0, 3)
                      .join(", ")}`
                : pageIsMautic
                  ? "page is served by Mautic itself: Mautic records the visit server-side (anonymise IPs, C09)"
                  : input.mauticHosts.length > 0
                    ? `Mautic host ${checkedHosts} not contacted before consent`
                    : "no Mautic tracking endpoint contacted before consent (no --mautic-host given)",
        evidence: [
            ...[...mauticHosts].map(([h, reqs]) => hostLine(h, reqs)),
            `Mautic host(s) checked: ${checkedHosts}; endpoints recognised anywhere: mtc.js, mtracking.gif, mtc/event, form/generate.js`,
        ],
    });

    // --- cookies ---
    const allowedCookie = (name: string) => input.allowCookies.some((p) => nameMatches(name, p));
    const cookieLine = (c: CookieRecord) =>
        `${c.name} (${c.party} party, domain ${c.domain}${c.present ? "" : ", written then removed or rejected"})` +
        `${c.sources.length ? ` via ${c.sources.join("; ")}` : ""}`;
    const badCookies = obs.cookies.filter((c) => !allowedCookie(c.name));
    const allowedCookies = obs.cookies.filter((c) => allowedCookie(c.name));
    const lasting = badCookies.filter((c) => c.present);
    findings.push({
        id: "cookie-before-consent",
        checklist: ["C08", "C14"],
        severity: lasting.length > 0 ? "fail" : badCookies.length > 0 ? "warn" : "pass",
        summary:
            lasting.length > 0
                ? `${lasting.length} cookie(s) set before consent: ${lasting.map((c) => c.name).join(", ")}`
                : badCookies.length > 0
                  ? `cookie(s) written and removed again before consent: ${badCookies.map((c) => c.name).join(", ")}`
                  : `no cookies before consent${allowedCookies.length ? ` (${allowedCookies.length} allowed as strictly necessary)` : ""}`,
        evidence: [...badCookies.map(cookieLine), ...allowedCookies.map((c) => `allowed as strictly necessary (--allow-cookie): ${cookieLine(c)}`)],
    });

    // --- storage ---
    const allowedKey = (key: string) => input.allowStorage.some((p) => nameMatches(key, p));
    const storageLine = (s: StorageRecord) => `${s.kind} ${s.origin} key "${s.key}" (${s.party} party${s.present ? "" : ", written then removed"})`;
    const badStorage = obs.storage.filter((s) => !allowedKey(s.key));
    const allowedStorage = obs.storage.filter((s) => allowedKey(s.key));
    const lastingStorage = badStorage.filter((s) => s.present);
    findings.push({
        id: "storage-before-consent",
        checklist: ["C08", "C14"],
        severity: lastingStorage.length > 0 ? "fail" : badStorage.length > 0 ? "warn" : "pass",
        summary:
            lastingStorage.length > 0
                ? `${lastingStorage.length} storage entr${lastingStorage.length === 1 ? "y" : "ies"} written before consent: ${lastingStorage.map((s) => s.key).join(", ")}`
                : badStorage.length > 0
                  ? `storage written and removed again before consent: ${badStorage.map((s) => s.key).join(", ")}`
                  : `no web storage written before consent${allowedStorage.length ? ` (${allowedStorage.length} allowed as strictly necessary)` : ""}`,
        evidence: [...badStorage.map(storageLine), ...allowedStorage.map((s) => `allowed as strictly necessary (--allow-storage): ${storageLine(s)}`)],
    });

    // --- mixed content ---
    findings.push({
        id: "mixed-content",
        checklist: ["C11", "C14"],
        severity: obs.mixedContent.length > 0 ? "fail" : "pass",
        summary: obs.mixedContent.length > 0 ? `${obs.mixedContent.length} insecure (http://) resource(s) on an https page` : "no mixed content",
        evidence: obs.mixedContent.map((m) => `${m.type} ${m.insecureUrl} (${m.resolution}) on ${m.page}`),
    });
    return findings;
}

/** page-load: did the browser get the page at all, and completely? */
export function pageLoadFinding(obs: RawObservation, url: string, timeoutMs: number): Finding {
    const base = { id: "page-load" as const, checklist: ["C14"] };
    if (obs.navigationError) {
        return {
            ...base,
            severity: "fail",
            summary: "Chromium could not load the page; the before-consent checks did not run",
            evidence: [`${url}: ${obs.navigationError}`],
        };
    }
    const evidence = [`${url} -> ${obs.finalUrl} (HTTP ${obs.status ?? "?"}) in ${obs.loadMs} ms, ${obs.requests.length} request(s)`];
    if (obs.status !== undefined && obs.status >= 400) {
        return { ...base, severity: "warn", summary: `page answered HTTP ${obs.status}`, evidence };
    }
    if (obs.idleTimedOut) {
        return {
            ...base,
            severity: "warn",
            summary: `network not idle within ${timeoutMs} ms: lists may be incomplete`,
            evidence,
        };
    }
    return { ...base, severity: "pass", summary: `loaded (HTTP ${obs.status ?? "?"}) in ${obs.loadMs} ms`, evidence };
}
