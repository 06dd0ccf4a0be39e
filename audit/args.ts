/** Command-line parsing for `npm run audit -- <url> [options]`. */
import { parseArgs } from "util";
import { DEFAULT_OPTIONS, normalizePageUrl } from "./audit";
import { parseConnectRule } from "./net";
import { isGrade } from "./observatory";
import { AuditOptions, UsageError } from "./types";

export const USAGE = `Usage: npm run audit -- <url> [options]

Audits a live page as a data-protection auditor would (GDPR checklist C08, C11, C13, C14):
HTTPS redirect, certificate, HSTS, Mozilla Observatory header grade, and - in headless
Chromium with a fresh profile, without clicking anything - third-party requests, Mautic
requests, cookies, web storage and mixed content before consent.

Options (repeatable ones marked *):
  --mautic-host HOST *       the site's Mautic host; any request to it before consent fails
  --first-party HOST *       treat HOST (or *.domain) as the operator's own site
  --allow-cookie NAME *      cookie judged strictly necessary (wildcard *), e.g. a consent record
  --allow-storage KEY *      localStorage/sessionStorage key judged strictly necessary (wildcard *)
  --json FILE                also write the JSON report to FILE ('-': JSON on stdout, no table)
  --min-grade GRADE          lowest passing Observatory grade (default ${DEFAULT_OPTIONS.minGrade}); below A warns
  --ca-file FILE *           extra CA certificates (PEM) to trust, e.g. a private or test CA
  --connect-to H:P:CH:CP *   connect to CH:CP for H:P, like curl (staging servers, local tests)
  --timeout MS               bound for page load + network idle (default ${DEFAULT_OPTIONS.timeoutMs})
  --settle MS                extra wait after network idle (default ${DEFAULT_OPTIONS.settleMs})
  --locale LOCALE            browser locale (default ${DEFAULT_OPTIONS.locale})
  --chromium PATH            Chromium binary (default $CHROMIUM_PATH or /usr/bin/chromium)
  --verbose                  print the evidence of passing checks too
  -h, --help                 this text

Exit codes: 0 all checks pass (warnings allowed), 1 at least one check failed,
2 usage error or the page could not be audited (unreachable host, no Chromium).
`;

export interface CliOptions {
    audit: AuditOptions;
    json?: string;
    verbose: boolean;
    help: boolean;
}

function millis(name: string, text: string | undefined, fallback: number, min: number): number {
    if (text === undefined) {
        return fallback;
    }
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > 600_000) {
        throw new UsageError(`--${name} '${text}': expected milliseconds (${min}..600000)`);
    }
    return Number(text);
}

function hostArg(name: string, text: string): string {
    const host = text.trim().toLowerCase();
    if (!/^(\*\.)?[a-z0-9.-]+(:\d+)?$/.test(host) && !/^\[[0-9a-f:.]+\]$/.test(host)) {
        throw new UsageError(`--${name} '${text}': expected a host name like mautic.example.com or *.example.com`);
    }
    return host.replace(/:\d+$/, "");
}

export function parseCli(argv: string[]): CliOptions {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                "mautic-host": { type: "string", multiple: true },
                "first-party": { type: "string", multiple: true },
                "allow-cookie": { type: "string", multiple: true },
                "allow-storage": { type: "string", multiple: true },
                json: { type: "string" },
                "min-grade": { type: "string" },
                "ca-file": { type: "string", multiple: true },
                "connect-to": { type: "string", multiple: true },
                timeout: { type: "string" },
                settle: { type: "string" },
                locale: { type: "string" },
                chromium: { type: "string" },
                verbose: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const v = parsed.values;
    if (v.help) {
        return { audit: { ...DEFAULT_OPTIONS, url: "" }, verbose: false, help: true };
    }
    if (parsed.positionals.length !== 1) {
        throw new UsageError(
            parsed.positionals.length === 0 ? "missing <url>" : `expected one <url>, got: ${parsed.positionals.join(" ")}`,
        );
    }
    const url = normalizePageUrl(parsed.positionals[0]).href;
    const minGrade = (v["min-grade"] ?? DEFAULT_OPTIONS.minGrade).toUpperCase();
    if (!isGrade(minGrade)) {
        throw new UsageError(`--min-grade '${v["min-grade"]}': expected an Observatory grade (A+, A, A-, B+, ... F)`);
    }
    const nonEmpty = (name: string, list: string[] | undefined) =>
        (list ?? []).map((s) => {
            if (!s.trim()) {
                throw new UsageError(`--${name} needs a value`);
            }
            return s.trim();
        });
    if (v.json !== undefined && !v.json.trim()) {
        throw new UsageError("--json needs a file name (or '-')");
    }
    return {
        audit: {
            ...DEFAULT_OPTIONS,
            url,
            mauticHosts: (v["mautic-host"] ?? []).map((h) => hostArg("mautic-host", h)),
            firstParty: (v["first-party"] ?? []).map((h) => hostArg("first-party", h)),
            allowCookies: nonEmpty("allow-cookie", v["allow-cookie"]),
            allowStorage: nonEmpty("allow-storage", v["allow-storage"]),
            caFiles: nonEmpty("ca-file", v["ca-file"]),
            connectTo: (v["connect-to"] ?? []).map(parseConnectRule),
            minGrade,
            timeoutMs: millis("timeout", v.timeout, DEFAULT_OPTIONS.timeoutMs, 1000),
            settleMs: millis("settle", v.settle, DEFAULT_OPTIONS.settleMs, 0),
            locale: v.locale ?? DEFAULT_OPTIONS.locale,
            chromiumPath: v.chromium ?? DEFAULT_OPTIONS.chromiumPath,
        },
        json: v.json,
        verbose: v.verbose ?? false,
        help: false,
    };
}
