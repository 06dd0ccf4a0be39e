/** Command-line parsing for `npm run audit -- <url> [options]` (lib/cli.ts: --help, exit codes). */
import { CliValues, defineCli, intOption, parseCommandLine } from "../lib/cli";
import { DEFAULT_OPTIONS, normalizePageUrl } from "./audit";
import { parseConnectRule } from "./net";
import { isGrade } from "./observatory";
import { AuditOptions, UsageError } from "./types";

export const auditCli = defineCli({
    name: "audit",
    command: "npm run audit --",
    synopsis: "<url> [options]",
    description: `Audits a live page as a data-protection auditor would (GDPR checklist C08, C11, C13, C14):
HTTPS redirect, certificate, HSTS, Mozilla Observatory header grade, and - in headless
Chromium with a fresh profile, without clicking anything - third-party requests, Mautic
requests, cookies, web storage and mixed content before consent.`,
    positionals: { min: 1, max: 1, name: "<url>" },
    options: {
        "mautic-host": { type: "string", multiple: true, value: "HOST", help: "the site's Mautic host; any request to it before consent fails" },
        "first-party": { type: "string", multiple: true, value: "HOST", help: "treat HOST (or *.domain) as the operator's own site" },
        "allow-cookie": { type: "string", multiple: true, value: "NAME", help: "cookie judged strictly necessary (wildcard *), e.g. a consent record" },
        "allow-storage": { type: "string", multiple: true, value: "KEY", help: "localStorage/sessionStorage key judged strictly necessary (wildcard *)" },
        json: { type: "string", value: "FILE", help: "also write the JSON report to FILE ('-': JSON on stdout, no table)" },
        "min-grade": { type: "string", value: "GRADE", help: `lowest passing Observatory grade (default ${DEFAULT_OPTIONS.minGrade}); below A warns` },
        "ca-file": { type: "string", multiple: true, value: "FILE", help: "extra CA certificates (PEM) to trust, e.g. a private or test CA" },
        "connect-to": { type: "string", multiple: true, value: "H:P:CH:CP", help: "connect to CH:CP for H:P, like curl (staging servers, local tests)" },
        timeout: { type: "string", value: "MS", help: `bound for page load + network idle (default ${DEFAULT_OPTIONS.timeoutMs})` },
        settle: { type: "string", value: "MS", help: `extra wait after network idle (default ${DEFAULT_OPTIONS.settleMs})` },
        locale: { type: "string", value: "LOCALE", help: `browser locale (default ${DEFAULT_OPTIONS.locale})` },
        chromium: { type: "string", value: "PATH", help: "Chromium binary (default $CHROMIUM_PATH or /usr/bin/chromium)" },
        verbose: { type: "boolean", help: "print the evidence of passing checks too" },
    },
    examples: [
        "npm run audit -- https://www.client-a.de --mautic-host marketing.client-a.de",
        "npm run audit -- https://www.client-a.de --allow-cookie 'cc_*' --json report.json",
        "npm run audit -- https://staging.client-a.de --connect-to staging.client-a.de:443:10.0.0.5:443 --ca-file ca.pem",
    ],
    exitCodes: {
        0: "all checks pass (warnings allowed)",
        1: "at least one check failed",
        2: "usage error, or the page could not be audited (unreachable host, no Chromium)",
    },
});

export interface CliOptions {
    audit: AuditOptions;
    json?: string;
    verbose: boolean;
    help: boolean;
}

function hostArg(name: string, text: string): string {
    const host = text.trim().toLowerCase();
    if (!/^(\*\.)?[a-z0-9.-]+(:\d+)?$/.test(host) && !/^\[[0-9a-f:.]+\]$/.test(host)) {
        throw new UsageError(`--${name} '${text}': expected a host name like mautic.example.com or *.example.com`);
    }
    return host.replace(/:\d+$/, "");
}

/** The audit's options from its command line (throws UsageError naming the option and the fix). */
export function parseCli(argv: string[]): CliOptions {
    const parsed = parseCommandLine(auditCli, argv);
    if (parsed.help) {
        return { audit: { ...DEFAULT_OPTIONS, url: "" }, verbose: false, help: true };
    }
    return auditOptions(parsed.values, parsed.positionals);
}

export function auditOptions(v: CliValues<typeof auditCli.options>, positionals: string[]): CliOptions {
    const url = normalizePageUrl(positionals[0]).href;
    const minGrade = (v["min-grade"] ?? DEFAULT_OPTIONS.minGrade).toUpperCase();
    if (!isGrade(minGrade)) {
        throw new UsageError(`--min-grade '${v["min-grade"]}': expected an Observatory grade (A+, A, A-, B+, ... F)`);
    }
    const trimmed = (list: string[] | undefined) => (list ?? []).map((s) => s.trim());
    return {
        audit: {
            ...DEFAULT_OPTIONS,
            url,
            mauticHosts: (v["mautic-host"] ?? []).map((h) => hostArg("mautic-host", h)),
            firstParty: (v["first-party"] ?? []).map((h) => hostArg("first-party", h)),
            allowCookies: trimmed(v["allow-cookie"]),
            allowStorage: trimmed(v["allow-storage"]),
            caFiles: trimmed(v["ca-file"]),
            connectTo: (v["connect-to"] ?? []).map(parseConnectRule),
            minGrade,
            timeoutMs: intOption("timeout", v.timeout, DEFAULT_OPTIONS.timeoutMs, 1000, 600_000, "milliseconds"),
            settleMs: intOption("settle", v.settle, DEFAULT_OPTIONS.settleMs, 0, 600_000, "milliseconds"),
            locale: v.locale ?? DEFAULT_OPTIONS.locale,
            chromiumPath: v.chromium ?? DEFAULT_OPTIONS.chromiumPath,
        },
        json: v.json,
        verbose: v.verbose ?? false,
        help: false,
    };
}
