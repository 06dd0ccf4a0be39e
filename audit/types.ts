/**
 * Shared types of the website / landing-page auditor (checklist items C08, C11, C13, C14).
 * A run produces a list of findings with stable ids; the CLI prints them as a table, writes them
 * as JSON and derives its exit code from their severities.
 */

/** `fail` makes the run fail (exit 1); `warn` is reported but allowed; `pass` is a clean check. */
export type Severity = "pass" | "warn" | "fail";

/** The stable ids of the checks. Scripts and the compliance report key on these: never rename. */
export const FINDING_IDS = [
    "https-redirect",
    "certificate",
    "hsts",
    "observatory-grade",
    "page-load",
    "third-party-before-consent",
    "mautic-before-consent",
    "cookie-before-consent",
    "storage-before-consent",
    "mixed-content",
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export interface Finding {
    id: FindingId;
    severity: Severity;
    /** One line for the table: what was found. */
    summary: string;
    /** Concrete evidence an auditor can re-check: URLs, header values, cookie names... */
    evidence: string[];
    /** GDPR checklist items (docs/facts/checklist.md) this check provides evidence for. */
    checklist: string[];
}

/** `curl --connect-to` style rule: connections for host:port go to connectHost:connectPort. */
export interface ConnectRule {
    /** Exact host name, or `*.example.com` for every subdomain of example.com. */
    host: string;
    port: number;
    connectHost: string;
    connectPort: number;
}

export interface AuditOptions {
    /** The page to audit; always audited over https (an http:// URL is upgraded). */
    url: string;
    /** Host name(s) of the site's Mautic; requests to them before consent fail the audit. */
    mauticHosts: string[];
    /** Extra hosts that belong to the site operator (exact, or `*.example.com`). */
    firstParty: string[];
    /** Cookie names judged strictly necessary (exact, `*` wildcards allowed). */
    allowCookies: string[];
    /** localStorage/sessionStorage keys judged strictly necessary (exact, `*` wildcards). */
    allowStorage: string[];
    /** PEM files with extra CAs to trust (private CAs, test CAs). */
    caFiles: string[];
    /** Connection overrides, e.g. to audit a staging server or a local fixture. */
    connectTo: ConnectRule[];
    /** Lowest acceptable Observatory grade; below it `observatory-grade` fails. Default B. */
    minGrade: string;
    /** Bound for page load + network idle, ms. Default 15000. */
    timeoutMs: number;
    /** Extra quiet time after network idle, for timers that fire late, ms. Default 1000. */
    settleMs: number;
    /** Chromium binary. Default $CHROMIUM_PATH or /usr/bin/chromium. */
    chromiumPath: string;
    /** Browser locale (consent banners are often locale-dependent). Default de-DE. */
    locale: string;
}

/** One network request the page made before consent. */
export interface RequestRecord {
    url: string;
    host: string;
    /** Playwright resource type: document, script, stylesheet, font, image, fetch, xhr, ... */
    type: string;
    method: string;
    status?: number;
    failure?: string;
    party: "first" | "third";
    /** True when the request went to the Mautic host or a Mautic tracking endpoint. */
    mautic: boolean;
}

export interface CookieRecord {
    name: string;
    domain: string;
    path: string;
    /** Where the write came from: `Set-Cookie <url>` or `document.cookie <origin>`. */
    sources: string[];
    /** Still present when the browser was inspected (false: written, then deleted again). */
    present: boolean;
    party: "first" | "third";
    expires?: number;
    httpOnly?: boolean;
    secure?: boolean;
    sameSite?: string;
}

export interface StorageRecord {
    kind: "localStorage" | "sessionStorage" | "indexedDB" | "cacheStorage";
    origin: string;
    key: string;
    /** Still present when the browser was inspected. */
    present: boolean;
    party: "first" | "third";
}

export interface MixedContentRecord {
    insecureUrl: string;
    /** e.g. MixedContentAutomaticallyUpgraded, MixedContentBlocked, MixedContentWarning */
    resolution: string;
    type: string;
    page: string;
}

/** What the headless browser saw before consent (no clicks). */
export interface BrowserObservation {
    finalUrl: string;
    status?: number;
    navigationError?: string;
    /** Network idle was not reached within the bound: the lists may be incomplete. */
    idleTimedOut: boolean;
    loadMs: number;
    requests: RequestRecord[];
    cookies: CookieRecord[];
    storage: StorageRecord[];
    mixedContent: MixedContentRecord[];
}

export interface ObservatoryResult {
    grade: string;
    score: number;
    testsFailed: number;
    testsQuantity: number;
    failedTests: string[];
    scannedUrl: string;
}

export interface AuditReport {
    tool: "mautic-gdpr-kit audit";
    formatVersion: 1;
    url: string;
    startedAt: string;
    durationMs: number;
    result: "pass" | "fail";
    exitCode: 0 | 1;
    findings: Finding[];
    /** Inventory for the record: everything seen before consent, first and third party. */
    observed: {
        finalUrl?: string;
        requests: RequestRecord[];
        cookies: CookieRecord[];
        storage: StorageRecord[];
        mixedContent: MixedContentRecord[];
        observatory?: ObservatoryResult;
    };
    options: Omit<AuditOptions, "chromiumPath">;
}

/** Bad command line: exit 2 with the message and the synopsis (the kit's one UsageError, lib/cli.ts). */
export { UsageError } from "../lib/cli";

/** The audit could not run at all (unreachable host, missing tool): exit 2. */
export class AuditRunError extends Error {}
