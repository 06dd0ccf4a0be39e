/**
 * `npm run conformance -- --mautic-url URL [--host-header HOST] [--mail-dir DIR] [--mail-timeout S]
 *   [--mysql URL] [--worker-stop CMD] [--worker-start CMD] [--maintenance CMD] [--json FILE]
 *   [--website URL] [--days N] [--unsubscribed-days N] [--line 5.2|6.0|7.2] [--languages de,en]
 *   [--expect-from ADDRESS] [--expect-label TEXT]`
 *
 * Runs the kit's real DOI provisioner and the kit's DOI endpoint (/kit/doi/*) against a live
 * Mautic (a staging copy, never production: it creates, confirms, backdates, minimises and
 * erases test contacts, and stops the worker for a moment) and prints one row per check and
 * `N passed, M failed (K skipped)`; exits 1 on any failure or skipped check, 2 on bad usage (the
 * command line is `conformanceCli`, parsed by lib/cli.ts). The API user and password come from
 * MAUTIC_API_USER / MAUTIC_API_PASSWORD and are never printed. Details: docs/evidence/conformance.md.
 */
import { writeFileSync } from "fs";
import { doiLanguages, mauticLines, type DoiLanguage, type MauticLine } from "../components/doi/doiBlueprint";
import { CheckRow, runConformance } from "./checks";
import { Target } from "./target";
import { CliIo, CliValues, defineCli, exitCodes, intOption, oneOf, parseCommandLine, runCli, UsageError } from "../lib/cli";

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
    expectLabel?: string;
}

export const conformanceCli = defineCli({
    name: "conformance",
    command: "npm run conformance --",
    synopsis:
        "--mautic-url URL [--host-header HOST] [--mail-dir DIR] [--mail-timeout S] [--mysql URL] [--worker-stop CMD] [--worker-start CMD] [--maintenance CMD] [--json FILE] [--website URL] [--days N] [--unsubscribed-days N] [--line 5.2|6.0|7.2] [--languages de,en] [--expect-from ADDRESS] [--expect-label TEXT]",
    description: `Runs the kit's real DOI provisioner and the kit's DOI endpoint (/kit/doi/*) against a live Mautic
(a staging copy, never production: it creates, confirms, backdates, minimises and erases test
contacts, and stops the worker for a moment) and prints one row per check and
\`N passed, M failed (K skipped)\`. A skipped check fails the run. The API user and password come
from MAUTIC_API_USER / MAUTIC_API_PASSWORD and are never printed. Details: docs/evidence/conformance.md.`,
    options: {
        "mautic-url": { type: "string", value: "URL", help: "the Mautic to test (required)" },
        "host-header": { type: "string", value: "HOST", help: "Host header to send (Mautic's public name when --mautic-url is a loopback port)" },
        "mail-dir": {
            type: "string",
            value: "DIR",
            help: "where the test mailer drops the sent e-mails, one file per message (without it the mail checks are skipped)",
        },
        "mail-timeout": { type: "string", value: "S", help: "seconds to wait for a queued mail to arrive, 1 to 3600 (default 180)" },
        mysql: {
            type: "string",
            value: "URL",
            help: "mysql://user:password@host:port/db of Mautic's database, for the ledger and backdating checks (password never printed)",
        },
        "worker-stop": { type: "string", value: "CMD", help: 'shell command that stops the messenger worker (e.g. "docker stop mautic_worker")' },
        "worker-start": { type: "string", value: "CMD", help: "shell command that starts it again" },
        maintenance: {
            type: "string",
            value: "CMD",
            help: 'shell command that runs the host\'s privacy maintenance once (e.g. "ssh root@host mautic-privacy-maintenance")',
        },
        json: { type: "string", value: "FILE", help: "also write the rows as JSON" },
        website: { type: "string", value: "URL", help: "the website origin in the blueprint (default https://www.example.org)" },
        days: { type: "string", value: "N", help: "unconfirmedContactDays, 1 to 30 (default 3)" },
        "unsubscribed-days": { type: "string", value: "N", help: "unsubscribedMinimiseDays, 1 to 3650 (default 30)" },
        line: { type: "string", value: "LINE", help: `the Mautic line: ${mauticLines.join(", ")} (default 6.0)` },
        languages: { type: "string", value: "LIST", help: `comma-separated, of ${doiLanguages.join(", ")} (default de,en)` },
        "expect-from": { type: "string", value: "ADDRESS", help: "the sender the DOI e-mail must have" },
        "expect-label": { type: "string", value: "TEXT", help: "a text the form's consent label must show (e.g. the stack's controllerName)" },
    },
    examples: [
        "MAUTIC_API_USER=admin MAUTIC_API_PASSWORD=... npm run conformance -- --mautic-url https://staging.client-a.de --mail-dir /srv/mail --mysql mysql://mautic:...@127.0.0.1:3306/mautic",
        'npm run conformance -- --mautic-url http://127.0.0.1:8621 --host-header doi.mautic.test --worker-stop "supervisorctl stop all" --worker-start "supervisorctl start all" --line 5.2',
    ],
    exitCodes: { 0: "every check passed", 1: "a check failed or was skipped", 2: "usage error (also: no MAUTIC_API_USER / MAUTIC_API_PASSWORD)" },
});

/** The conformance run's options (throws UsageError naming the option and the fix). */
export function conformanceOptions(v: CliValues<typeof conformanceCli.options>): CliArgs {
    if (!v["mautic-url"]) throw new UsageError("--mautic-url is required. Fix: e.g. --mautic-url https://staging.client-a.de");
    const days = intOption("days", v.days, 3, 1, 30, "the stack's unconfirmedContactDays");
    const unsubscribedDays = intOption("unsubscribed-days", v["unsubscribed-days"], 30, 1, 3650, "the stack's unsubscribedMinimiseDays");
    const mailTimeout = intOption("mail-timeout", v["mail-timeout"], 180, 1, 3600, "seconds to wait for a queued mail");
    const line = oneOf("line", v.line, mauticLines, "6.0");
    const languages = (v.languages ?? "de,en").split(",").map((x) => x.trim()) as DoiLanguage[];
    if (languages.some((l) => !(doiLanguages as readonly string[]).includes(l)))
        throw new UsageError(`--languages: only ${doiLanguages.join(", ")}. Fix: e.g. --languages de,en`);
    if (v.mysql !== undefined) {
        let ok: boolean;
        try {
            ok = new URL(v.mysql).protocol === "mysql:";
        } catch {
            ok = false;
        }
        if (!ok) throw new UsageError("--mysql must be a URL like mysql://user:password@host:3306/db. Fix: give Mautic's database as a mysql:// URL");
    }
    return {
        mauticUrl: v["mautic-url"],
        hostHeader: v["host-header"],
        mailDir: v["mail-dir"],
        mailTimeout,
        mysql: v.mysql,
        json: v.json,
        workerStop: v["worker-stop"],
        workerStart: v["worker-start"],
        maintenance: v.maintenance,
        website: v.website ?? "https://www.example.org",
        days,
        unsubscribedDays,
        line,
        languages,
        expectFrom: v["expect-from"],
        expectLabel: v["expect-label"],
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
    const target = new Target({
        mauticUrl: args.mauticUrl,
        hostHeader: args.hostHeader,
        username,
        password,
        mailDir: args.mailDir,
        mailTimeoutSeconds: args.mailTimeout,
        mysql: args.mysql,
        workerStop: args.workerStop,
        workerStart: args.workerStart,
        maintenance: args.maintenance,
        fetchImpl,
    });
    const rows = await runConformance(target, {
        website: args.website,
        unconfirmedContactDays: args.days,
        unsubscribedMinimiseDays: args.unsubscribedDays,
        mauticLine: args.line,
        languages: args.languages,
        expectFrom: args.expectFrom,
        expectLabel: args.expectLabel,
    });
    const secrets = [password, ...(args.mysql ? [decodeURIComponent(new URL(args.mysql).password)] : [])].filter(Boolean);
    const redact = (x: string) => secrets.reduce((acc, sec) => acc.split(sec).join("[redacted]"), x);
    out(redact(formatRows(rows)));
    if (args.json) {
        const passed = rows.filter((r) => r.status === "pass").length;
        const failed = rows.filter((r) => r.status === "fail").length;
        writeFileSync(
            args.json,
            redact(
                JSON.stringify(
                    { mauticUrl: args.mauticUrl, hostHeader: args.hostHeader ?? null, line: args.line, date: new Date().toISOString(), rows, passed, failed },
                    null,
                    2,
                ),
            ) + "\n",
        );
    }
    // A skipped check is not a pass: the run is complete only when every check ran.
    return rows.some((r) => r.status !== "pass") ? exitCodes.findings : exitCodes.ok;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (s) => console.log(s)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`conformance: ${(e as Error).message}`);
            process.exit(1);
        },
    );
}
