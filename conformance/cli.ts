/**
 * `npm run conformance -- --mautic-url URL [--host-header HOST] [--console "CMD"] [--mail-dir DIR]
 *   [--json FILE] [--website URL] [--days N] [--line 5.2|6.0|7.2] [--languages de,en]
 *   [--expect-from ADDRESS] [--table-prefix P]`
 *
 * Runs the kit's real DOI provisioner against a live Mautic (a staging copy, never production:
 * it creates test contacts and, with --console, runs the DOI campaign and deletes one of them)
 * and prints one row per check and `N passed, M failed`; exits 1 on any failure, 2 on bad
 * usage. The API user and password come from MAUTIC_API_USER / MAUTIC_API_PASSWORD and are
 * never printed. Details: docs/evidence/conformance.md.
 */
import { writeFileSync } from "fs";
import { doiLanguages, mauticLines, type DoiLanguage, type MauticLine } from "../components/doi/doiBlueprint";
import { CheckRow, runConformance } from "./checks";
import { Target } from "./target";

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

const usage = 'usage: npm run conformance -- --mautic-url URL [--host-header HOST] [--console "CMD"] [--mail-dir DIR] [--json FILE] [--website URL] [--days N] [--line 5.2|6.0|7.2] [--languages de,en] [--expect-from ADDRESS] [--table-prefix P]';

export function parseArgs(argv: string[]): CliArgs {
    const v: Record<string, string> = {};
    const known = ["mautic-url", "host-header", "console", "mail-dir", "json", "website", "days", "line", "languages", "expect-from", "table-prefix"];
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m || !known.includes(m[1])) throw new Error(`unknown argument ${JSON.stringify(argv[i])}\n${usage}`);
        const value = m[2] ?? argv[++i];
        if (value === undefined) throw new Error(`--${m[1]} needs a value\n${usage}`);
        v[m[1]] = value;
    }
    if (!v["mautic-url"]) throw new Error(`--mautic-url is required\n${usage}`);
    const days = Number(v.days ?? 3);
    if (!Number.isInteger(days) || days < 1 || days > 30) throw new Error("--days must be a whole number from 1 to 30 (the stack's unconfirmedContactDays)");
    const line = (v.line ?? "6.0") as MauticLine;
    if (!(mauticLines as readonly string[]).includes(line)) throw new Error(`--line must be one of ${mauticLines.join(", ")}`);
    const languages = (v.languages ?? "de,en").split(",").map((x) => x.trim()) as DoiLanguage[];
    if (languages.some((l) => !(doiLanguages as readonly string[]).includes(l))) throw new Error(`--languages: only ${doiLanguages.join(", ")}`);
    return {
        mauticUrl: v["mautic-url"], hostHeader: v["host-header"], console: v.console, mailDir: v["mail-dir"], json: v.json,
        website: v.website ?? "https://www.example.org", days, line, languages, expectFrom: v["expect-from"], tablePrefix: v["table-prefix"],
    };
}

export function formatRows(rows: CheckRow[]): string {
    const w = Math.max(...rows.map((r) => r.id.length));
    const lines = rows.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.id.padEnd(w)}  ${r.title}: ${r.detail}`);
    const passed = rows.filter((r) => r.status === "pass").length;
    const failed = rows.filter((r) => r.status === "fail").length;
    const skipped = rows.length - passed - failed;
    return `${lines.join("\n")}\n${passed} passed, ${failed} failed${skipped ? ` (${skipped} skipped)` : ""}`;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, fetchImpl?: typeof fetch): Promise<number> {
    let args: CliArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        out((e as Error).message);
        return 2;
    }
    const username = env.MAUTIC_API_USER;
    const password = env.MAUTIC_API_PASSWORD;
    if (!username || !password) {
        out("MAUTIC_API_USER and MAUTIC_API_PASSWORD must be set (a Mautic administrator; the password is never printed)");
        return 2;
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
    return rows.some((r) => r.status === "fail") ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (s) => console.log(s)).then((code) => process.exit(code), (e) => {
        console.error(`conformance: ${(e as Error).message}`);
        process.exit(1);
    });
}
