/**
 * `npm run conformance -- --mautic-url URL [--host-header HOST] [--console "CMD"] [--mail-dir DIR]
 *   [--json FILE] [--website URL] [--days N] [--line 5.2|6.0|7.2] [--languages de,en]
 *   [--expect-from ADDRESS] [--table-prefix P]`
 *
 * Runs the kit's real DOI provisioner against a live Mautic (a staging copy, never production:
 * it creates test contacts and, with --console, runs the DOI campaign and deletes one of them)
 * and prints one row per check and `N passed, M failed`; exits 1 on any failure, 2 on bad
 * usage (the command line is `conformanceCli`, parsed by lib/cli.ts). The API user and password come from MAUTIC_API_USER / MAUTIC_API_PASSWORD and are
 * never printed. Details: docs/evidence/conformance.md.
 */
import { writeFileSync } from "fs";
import { doiLanguages, mauticLines, type DoiLanguage, type MauticLine } from "../components/doi/doiBlueprint";
import { CheckRow, runConformance } from "./checks";
import { Target } from "./target";
import { CliIo, CliValues, defineCli, exitCodes, intOption, oneOf, parseCommandLine, runCli, UsageError } from "../lib/cli";

export interface CliArgs {
    mauticUrl: string;
    hostHeader?: string;
    console?: string;
    mailDir?: string;
    json?: string;
    website: string;
    days: number;
    line: MauticLine;
    languages: DoiLanguage[];
    expectFrom?: string;
    tablePrefix?: string;
}

export const conformanceCli = defineCli({
    name: "conformance",
    command: "npm run conformance --",
    synopsis: "--mautic-url URL [--host-header HOST] [--console CMD] [--mail-dir DIR] [--json FILE] [--website URL] [--days N] [--line 5.2|6.0|7.2] [--languages de,en] [--expect-from ADDRESS] [--table-prefix P]",
    description: `Runs the kit's real DOI provisioner against a live Mautic (a staging copy, never production:
it creates test contacts and, with --console, runs the DOI campaign and deletes one of them)
and prints one row per check and \`N passed, M failed\`. The API user and password come from
MAUTIC_API_USER / MAUTIC_API_PASSWORD and are never printed. Details: docs/evidence/conformance.md.`,
    options: {
        "mautic-url": { type: "string", value: "URL", help: "the Mautic to test (required)" },
        "host-header": { type: "string", value: "HOST", help: "Host header to send (Mautic's public name when --mautic-url is a loopback port)" },
        console: { type: "string", value: "CMD", help: "how to run Mautic's bin/console (e.g. \"docker exec mautic_web php bin/console\"); default: console checks skipped" },
        "mail-dir": { type: "string", value: "DIR", help: "where the test mailer drops the sent e-mails (default: mail checks skipped)" },
        json: { type: "string", value: "FILE", help: "also write the rows as JSON" },
        website: { type: "string", value: "URL", help: "the website origin in the blueprint (default https://www.example.org)" },
        days: { type: "string", value: "N", help: "unconfirmedContactDays, 1 to 30 (default 3)" },
        line: { type: "string", value: "LINE", help: `the Mautic line: ${mauticLines.join(", ")} (default 6.0)` },
        languages: { type: "string", value: "LIST", help: `comma-separated, of ${doiLanguages.join(", ")} (default de,en)` },
        "expect-from": { type: "string", value: "ADDRESS", help: "the sender the DOI e-mail must have" },
        "table-prefix": { type: "string", value: "P", help: "Mautic's database table prefix" },
    },
    examples: [
        "MAUTIC_API_USER=admin MAUTIC_API_PASSWORD=... npm run conformance -- --mautic-url https://staging.client-a.de",
        "npm run conformance -- --mautic-url http://127.0.0.1:8080 --host-header m.example.de --console \"docker exec mautic_web php bin/console\" --line 5.2",
    ],
    exitCodes: { 0: "every check passed", 1: "a check failed", 2: "usage error (also: no MAUTIC_API_USER / MAUTIC_API_PASSWORD)" },
});

/** The conformance run's options (throws UsageError naming the option and the fix). */
export function conformanceOptions(v: CliValues<typeof conformanceCli.options>): CliArgs {
    if (!v["mautic-url"]) throw new UsageError("--mautic-url is required. Fix: e.g. --mautic-url https://staging.client-a.de");
    const days = intOption("days", v.days, 3, 1, 30, "the stack's unconfirmedContactDays");
    const line = oneOf("line", v.line, mauticLines, "6.0");
    const languages = (v.languages ?? "de,en").split(",").map((x) => x.trim()) as DoiLanguage[];
    if (languages.some((l) => !(doiLanguages as readonly string[]).includes(l))) throw new UsageError(`--languages: only ${doiLanguages.join(", ")}. Fix: e.g. --languages de,en`);
    return {
        mauticUrl: v["mautic-url"], hostHeader: v["host-header"], console: v.console, mailDir: v["mail-dir"], json: v.json,
        website: v.website ?? "https://www.example.org", days, line, languages, expectFrom: v["expect-from"], tablePrefix: v["table-prefix"],
    };
}

/** Parses the command line (without --help; throws UsageError). */
export function parseArgs(argv: string[]): CliArgs {
    const parsed = parseCommandLine(conformanceCli, argv);
    if (parsed.help) throw new UsageError("--help is handled by main");
    return conformanceOptions(parsed.values);
}

export function formatRows(rows: CheckRow[]): string {
    const w = Math.max(...rows.map((r) => r.id.length));
    const lines = rows.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.id.padEnd(w)}  ${r.title}: ${r.detail}`);
    const passed = rows.filter((r) => r.status === "pass").length;
    const failed = rows.filter((r) => r.status === "fail").length;
    const skipped = rows.length - passed - failed;
    return `${lines.join("\n")}\n${passed} passed, ${failed} failed${skipped ? ` (${skipped} skipped)` : ""}`;
}

export function main(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, fetchImpl?: typeof fetch): Promise<number> {
    const io: CliIo = { out: (s) => out(s.replace(/\n$/, "")), err: (s) => out(s.replace(/\n$/, "")) };
    return runCli(conformanceCli, argv, io, (values) => run(conformanceOptions(values), env, out, fetchImpl));
}

async function run(args: CliArgs, env: NodeJS.ProcessEnv, out: (s: string) => void, fetchImpl?: typeof fetch): Promise<number> {
    const username = env.MAUTIC_API_USER;
    const password = env.MAUTIC_API_PASSWORD;
    if (!username || !password) {
        out("conformance: MAUTIC_API_USER and MAUTIC_API_PASSWORD must be set (a Mautic administrator; the password is never printed)");
        return exitCodes.usage;
    }
    const target = new Target({ mauticUrl: args.mauticUrl, hostHeader: args.hostHeader, username, password, console: args.console, mailDir: args.mailDir, fetchImpl });
    const rows = await runConformance(target, {
        website: args.website, unconfirmedContactDays: args.days, mauticLine: args.line, languages: args.languages,
        expectFrom: args.expectFrom, tablePrefix: args.tablePrefix,
    });
    const text = formatRows(rows).split(password).join("[redacted]");
    out(text);
    if (args.json) {
        const passed = rows.filter((r) => r.status === "pass").length;
        const failed = rows.filter((r) => r.status === "fail").length;
        writeFileSync(args.json, JSON.stringify({ mauticUrl: args.mauticUrl, hostHeader: args.hostHeader ?? null, line: args.line, date: new Date().toISOString(), rows, passed, failed }, null, 2).split(password).join("[redacted]") + "\n");
    }
    return rows.some((r) => r.status === "fail") ? exitCodes.findings : exitCodes.ok;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (s) => console.log(s)).then((code) => process.exit(code), (e) => {
        console.error(`conformance: ${(e as Error).message}`);
        process.exit(1);
    });
}
