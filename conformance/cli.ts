/**
 * `npm run conformance -- --mautic-url URL [--host-header HOST] [--mail-dir DIR] [--mail-timeout S]
 *   [--mysql URL] [--worker-stop CMD] [--worker-start CMD] [--maintenance CMD] [--json FILE]
 *   [--website URL] [--days N] [--unsubscribed-days N] [--line 5.2|6.0|7.2] [--languages de,en]
 *   [--expect-from ADDRESS]`
 *
 * Runs the kit's real DOI provisioner and the kit's DOI endpoint (/kit/doi/*) against a live
 * Mautic (a staging copy, never production: it creates, confirms, backdates, minimises and
 * erases test contacts, and stops the worker for a moment) and prints one row per check and
 * `N passed, M failed (K skipped)`; exits 1 on any failure or skipped check, 2 on bad usage. The API user and password come from MAUTIC_API_USER / MAUTIC_API_PASSWORD and are
 * never printed. Details: docs/evidence/conformance.md.
 */
import { writeFileSync } from "fs";
import { doiLanguages, mauticLines, type DoiLanguage, type MauticLine } from "../components/doi/doiBlueprint";
import { CheckRow, runConformance } from "./checks";
import { Target } from "./target";

export interface CliArgs {
    mauticUrl: string;
    hostHeader?: string;
    mailDir?: string;
    mailTimeout?: number;
    mysql?: string;
    workerStop?: string;
    workerStart?: string;
    maintenance?: string;
    unsubscribedDays: number;
    json?: string;
    website: string;
    days: number;
    line: MauticLine;
    languages: DoiLanguage[];
    expectFrom?: string;
}

const usage = 'usage: npm run conformance -- --mautic-url URL [--host-header HOST] [--mail-dir DIR] [--mail-timeout S] [--mysql URL] [--worker-stop CMD] [--worker-start CMD] [--maintenance CMD] [--json FILE] [--website URL] [--days N] [--unsubscribed-days N] [--line 5.2|6.0|7.2] [--languages de,en] [--expect-from ADDRESS]';

export function parseArgs(argv: string[]): CliArgs {
    const v: Record<string, string> = {};
    const known = ["mautic-url", "host-header", "mail-dir", "mail-timeout", "mysql", "worker-stop", "worker-start", "maintenance", "json", "website", "days", "unsubscribed-days", "line", "languages", "expect-from"];
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
    const unsubscribedDays = Number(v["unsubscribed-days"] ?? 30);
    if (!Number.isInteger(unsubscribedDays) || unsubscribedDays < 1 || unsubscribedDays > 3650) throw new Error("--unsubscribed-days must be a whole number from 1 to 3650 (the stack's unsubscribedMinimiseDays)");
    const mailTimeout = Number(v["mail-timeout"] ?? 180);
    if (!Number.isInteger(mailTimeout) || mailTimeout < 1 || mailTimeout > 3600) throw new Error("--mail-timeout must be a whole number of seconds from 1 to 3600");
    const line = (v.line ?? "6.0") as MauticLine;
    if (!(mauticLines as readonly string[]).includes(line)) throw new Error(`--line must be one of ${mauticLines.join(", ")}`);
    const languages = (v.languages ?? "de,en").split(",").map((x) => x.trim()) as DoiLanguage[];
    if (languages.some((l) => !(doiLanguages as readonly string[]).includes(l))) throw new Error(`--languages: only ${doiLanguages.join(", ")}`);
    return {
        mauticUrl: v["mautic-url"], hostHeader: v["host-header"], mailDir: v["mail-dir"], mailTimeout, mysql: v.mysql, json: v.json,
        workerStop: v["worker-stop"], workerStart: v["worker-start"], maintenance: v.maintenance,
        website: v.website ?? "https://www.example.org", days, unsubscribedDays, line, languages, expectFrom: v["expect-from"],
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
    const target = new Target({
        mauticUrl: args.mauticUrl, hostHeader: args.hostHeader, username, password, mailDir: args.mailDir, mailTimeoutSeconds: args.mailTimeout,
        mysql: args.mysql, workerStop: args.workerStop, workerStart: args.workerStart, maintenance: args.maintenance, fetchImpl,
    });
    const rows = await runConformance(target, {
        website: args.website, unconfirmedContactDays: args.days, unsubscribedMinimiseDays: args.unsubscribedDays, mauticLine: args.line, languages: args.languages,
        expectFrom: args.expectFrom,
    });
    const secrets = [password, ...(args.mysql ? [decodeURIComponent(new URL(args.mysql).password)] : [])].filter(Boolean);
    const redact = (x: string) => secrets.reduce((acc, sec) => acc.split(sec).join("[redacted]"), x);
    const text = redact(formatRows(rows));
    out(text);
    if (args.json) {
        const passed = rows.filter((r) => r.status === "pass").length;
        const failed = rows.filter((r) => r.status === "fail").length;
        writeFileSync(args.json, redact(JSON.stringify({ mauticUrl: args.mauticUrl, hostHeader: args.hostHeader ?? null, line: args.line, date: new Date().toISOString(), rows, passed, failed }, null, 2)) + "\n");
    }
    // A skipped check is not a pass: the run is complete only when every check ran.
    return rows.some((r) => r.status !== "pass") ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (s) => console.log(s)).then((code) => process.exit(code), (e) => {
        console.error(`conformance: ${(e as Error).message}`);
        process.exit(1);
    });
}
