/**
 * Runs every check against one page and returns the report. The certificate check goes first
 * (it tells an unreachable host, exit 2, from a bad certificate, a finding); the other checks
 * run in parallel.
 */
import * as fs from "fs";
import { launchBrowser, observeBeforeConsent, RawObservation } from "./browser";
import { classify, consentFindings, pageLoadFinding } from "./consent";
import { connectTarget, fetchOnce, readCaFiles, trustStore } from "./net";
import { observatoryFinding, runObservatory } from "./observatory";
import { normalizeHost } from "./site";
import { certificateFinding, hstsFinding, httpsRedirectFinding } from "./transport";
import { AuditOptions, AuditReport, AuditRunError, BrowserObservation, ConnectRule, Finding, FINDING_IDS, UsageError } from "./types";

export const DEFAULT_OPTIONS: Omit<AuditOptions, "url"> = {
    mauticHosts: [],
    firstParty: [],
    allowCookies: [],
    allowStorage: [],
    caFiles: [],
    connectTo: [],
    minGrade: "B",
    timeoutMs: 15_000,
    settleMs: 1_000,
    chromiumPath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    locale: "de-DE",
};

/** The https URL to audit: `example.com/x` and `http://example.com/x` become https. */
export function normalizePageUrl(text: string): URL {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        throw new UsageError(`not a URL: '${text}'`);
    }
    if (url.protocol === "http:") {
        url.protocol = "https:";
        url.port = "";
    }
    if (url.protocol !== "https:") {
        throw new UsageError(`only http(s) URLs can be audited, not '${url.protocol}'`);
    }
    if (!url.hostname) {
        throw new UsageError(`no host in '${text}'`);
    }
    return url;
}

export async function runAudit(input: Partial<AuditOptions> & { url: string }): Promise<AuditReport> {
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const options: AuditOptions = { ...DEFAULT_OPTIONS, ...given, url: input.url };
    const started = Date.now();
    const pageUrl = normalizePageUrl(options.url);
    const cas = readCaFiles(options.caFiles);
    const net = { connectTo: options.connectTo, ca: trustStore(cas), timeoutMs: Math.min(options.timeoutMs, 10_000) };
    if (!fs.existsSync(options.chromiumPath)) {
        throw new AuditRunError(`Chromium not found at ${options.chromiumPath} (set --chromium or CHROMIUM_PATH)`);
    }

    const certificate = await certificateFinding(pageUrl, net);

    // The Observatory always scans https://HOST/ on port 443: carry an explicit port over.
    const obsRules: ConnectRule[] = [...options.connectTo];
    if (pageUrl.port && pageUrl.port !== "443") {
        const host = normalizeHost(pageUrl.hostname);
        const target = connectTarget(options.connectTo, host, Number(pageUrl.port));
        obsRules.unshift({ host, port: 443, connectHost: target.host, connectPort: target.port });
    }
    const [redirect, hsts, observatory, browser] = await Promise.all([
        httpsRedirectFinding(pageUrl, net),
        fetchOnce(pageUrl.href, net).then(
            (res) => hstsFinding(pageUrl.href, res),
            (e: Error) => hstsFinding(pageUrl.href, e),
        ),
        runObservatory(normalizeHost(pageUrl.hostname), { connectTo: obsRules, cas, timeoutMs: 60_000 }),
        browserChecks(pageUrl, options, cas),
    ]);
    const findings: Finding[] = [redirect, certificate, hsts, observatoryFinding(observatory, options.minGrade), ...browser.findings].sort(
        (a, b) => FINDING_IDS.indexOf(a.id) - FINDING_IDS.indexOf(b.id),
    );

    const failed = findings.some((f) => f.severity === "fail");
    const { chromiumPath: _omit, ...recordedOptions } = options;
    return {
        tool: "mautic-gdpr-kit audit",
        formatVersion: 1,
        url: pageUrl.href,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        result: failed ? "fail" : "pass",
        exitCode: failed ? 1 : 0,
        findings,
        observed: {
            finalUrl: browser.observation?.finalUrl,
            requests: browser.observation?.requests ?? [],
            cookies: browser.observation?.cookies ?? [],
            storage: browser.observation?.storage ?? [],
            mixedContent: browser.observation?.mixedContent ?? [],
            observatory: observatory instanceof Error ? undefined : observatory,
        },
        options: recordedOptions,
    };
}

async function browserChecks(pageUrl: URL, options: AuditOptions, cas: string[]): Promise<{ findings: Finding[]; observation?: BrowserObservation }> {
    let browser;
    try {
        browser = await launchBrowser({ chromiumPath: options.chromiumPath, connectTo: options.connectTo, cas });
    } catch (e) {
        throw new AuditRunError(`cannot start Chromium (${options.chromiumPath}): ${(e as Error).message.split("\n")[0]}`);
    }
    let raw: RawObservation;
    try {
        raw = await observeBeforeConsent(browser, {
            url: pageUrl.href,
            timeoutMs: options.timeoutMs,
            settleMs: options.settleMs,
            locale: options.locale,
        });
    } finally {
        await browser.close().catch(() => undefined);
    }
    const load = pageLoadFinding(raw, pageUrl.href, options.timeoutMs);
    if (raw.navigationError) {
        return { findings: [load] };
    }
    const input = {
        pageUrl,
        mauticHosts: options.mauticHosts,
        firstParty: options.firstParty,
        allowCookies: options.allowCookies,
        allowStorage: options.allowStorage,
    };
    const observation = classify(raw, input);
    return { findings: [load, ...consentFindings(observation, input)], observation };
}
