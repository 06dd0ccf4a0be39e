/**
 * npm run dsr -- export|erase|withdraw-profiling|rectify|restrict --email ADDRESS (--stack NAME | --mysql URL) [--out FILE] [--yes]
 *                [--objected] [--journal DIR] [--ledger-key KEY]
 *
 * export  everything stored about the person: JSON (Art. 20) to --out FILE (or stdout) and a
 *         readable summary (Art. 15) to FILE.txt (or stderr).
 * erase   deletes the person from every table (dry run without --yes), journals the erasure on
 *         the host and keeps a suppression hash when the person objected (--objected, or Mautic
 *         holds a do-not-contact entry). --out FILE: the erasure report (JSON, no personal data).
 *         The double-opt-in consent-proof ledger is exported and KEPT (restricted; dsr/ledger.ts).
 * withdraw-profiling  withdraws the profiling consent (Art. 7(3)): clears tracking_consent, resets
 *         the points and deletes the derived data (dsr/profiling.ts); the subscription stays
 *         (dry run without --yes). The same as the one-click link in every mail.
 * rectify  sets contact fields (--set FIELD=VALUE, repeatable), Art. 16; restrict  an e-mail
 *         do-not-contact entry marked as restriction (Art. 18), --lift removes it (dsr/rectify.ts).
 * --ledger-key  the ledger key of the address (--mysql only; --stack asks the DOI endpoint).
 *
 * Exit codes: 0 done; 1 failed; 2 usage; 3 the address is not in the database; 4 erased, but the
 * address still appears in the listed tables (look at them by hand).
 */
import * as fs from "fs";
import { CliIo, CliValues, defineCli, exitCodes, processIo, runCli, UsageError } from "../lib/cli";
import { HostJournal, journalLine, JournalSink, LocalJournal } from "./journal";
import { ledgerKey, ledgerKeptNote, LEDGER_TABLE } from "./ledger";
import { withdrawNote, withdrawProfiling } from "./profiling";
import { parseSets, rectifySql, restrictSql, runChange } from "./rectify";
import { Schema } from "./rules";
import { erasePerson, exportPerson, loadSchema, objected, rowCount } from "./request";
import { addressHash, normaliseAddress } from "./sql";
import { hashKeyPath, keyedHash, validateHashKey } from "../components/shared/addressHash";
import { stackAccess, stackFigures } from "./stack";
import { art15Information, defaultFigures } from "./art15";
import { summary } from "./summary";
import { MysqlTransport, SshTransport, Transport } from "./transport";

export { UsageError };

export const dsrCli = defineCli({
    name: "dsr",
    command: "npm run dsr --",
    synopsis:
        "export|erase|withdraw-profiling|rectify|restrict --email ADDRESS (--stack NAME | --mysql URL) [--out FILE] [--yes] [--objected] [--journal DIR] [--ledger-key KEY] [--set FIELD=VALUE] [--lift]",
    description: `Data subject requests against a site's Mautic database.
export  everything stored about the person: JSON (Art. 20) to --out FILE (or stdout) and a
        readable summary (Art. 15) to FILE.txt (or stderr).
erase   deletes the person from every table (a dry run without --yes), journals the erasure on
        the host and keeps a suppression hash when the person objected.
withdraw-profiling  clears tracking_consent, resets the points and deletes page visits, clicks,
        points history (a dry run without --yes); the subscription stays.
rectify  sets contact fields (--set FIELD=VALUE, repeatable; a dry run without --yes), Art. 16.
restrict  stops all processing but storage (Art. 18): an e-mail do-not-contact entry marked
        as restriction; --lift removes it (a dry run without --yes).`,
    positionals: { min: 1, max: 1, name: "export|erase|withdraw-profiling|rectify|restrict" },
    options: {
        email: { type: "string", value: "ADDRESS", help: "the person's e-mail address (required)" },
        stack: { type: "string", value: "NAME", help: "the stack whose server holds the database (through SSH, from the stack's outputs)" },
        mysql: { type: "string", value: "URL", help: "a database directly: mysql://user:pass@host:port/db (a restored copy, tests)" },
        out: { type: "string", value: "FILE", help: "export: the JSON file (and FILE.txt); erase: the erasure report (no personal data)" },
        yes: { type: "boolean", help: "erase or withdraw for real (default: a dry run that only counts)" },
        objected: { type: "boolean", help: "the person objected: keep a suppression hash (also when Mautic holds a do-not-contact entry)" },
        journal: { type: "string", value: "DIR", help: "with --mysql: where the erasure journal is written (with --stack it is on the server)" },
        "hash-key-file": {
            type: "string",
            value: "FILE",
            help: `with --mysql: the stack's address-hash key (a copy of ${hashKeyPath} on the server) for the journal and the suppression list; with --stack it is read from the server`,
        },
        set: { type: "string", multiple: true, value: "FIELD=VALUE", help: "rectify: the contact field and its corrected value (FIELD= empties it)" },
        lift: { type: "boolean", help: "restrict: lift the restriction again" },
        "ledger-key": {
            type: "string",
            value: "KEY",
            help: "with --mysql: the person's consent-ledger key (docker exec -i mautic_web php /var/www/kit-doi/doi.php address-key); with --stack the server computes it",
        },
    },
    examples: [
        "npm run dsr -- export --email person@example.org --stack client-a --out person.json",
        "npm run dsr -- erase --email person@example.org --stack client-a          # dry run: counts only",
        "npm run dsr -- erase --email person@example.org --stack client-a --yes --objected",
        "npm run dsr -- withdraw-profiling --email person@example.org --stack client-a --yes",
        "npm run dsr -- rectify --email person@example.org --stack client-a --set lastname=Müller --yes",
        "npm run dsr -- restrict --email person@example.org --stack client-a --yes",
    ],
    exitCodes: {
        0: "done",
        1: "failed",
        2: "usage error",
        3: "the address is not in the database",
        4: "erased, but the address still appears in the listed tables (look at them by hand)",
    },
});

export type Io = CliIo;

export function main(argv: string[], io: Io = processIo): Promise<number> {
    return runCli(dsrCli, argv, io, (values, positionals) => request(dsrOptions(values, positionals), io));
}

async function request(opts: ReturnType<typeof dsrOptions>, io: Io): Promise<number> {
    let transport: Transport | undefined;
    let cleanup = () => {};
    try {
        let journal: JournalSink | undefined;
        let hashKey: string | null = null;
        if (opts.stack) {
            const access = stackAccess(opts.stack);
            cleanup = access.cleanup;
            transport = new SshTransport(access.target);
            journal = new HostJournal(transport);
            hashKey = validateHashKey(await transport.host!(`cat ${hashKeyPath}`, ""), `${hashKeyPath} on the server`);
        } else {
            if (opts.hashKeyFile) hashKey = validateHashKey(fs.readFileSync(opts.hashKeyFile, "utf8"), `--hash-key-file ${opts.hashKeyFile}`);
            transport = await MysqlTransport.connect(opts.mysql!);
            if (opts.journal) journal = new LocalJournal(opts.journal);
        }
        const schema = await loadSchema(transport);
        if (opts.command === "withdraw-profiling") return await withdraw(transport, schema, opts, io);
        if (opts.command === "rectify" || opts.command === "restrict") {
            const subject = normaliseAddress(opts.email);
            const sql = opts.command === "rectify" ? rectifySql(subject, parseSets(schema, opts.set), opts.yes) : restrictSql(subject, opts.lift, opts.yes);
            const r = await runChange(transport, sql);
            if (r.contacts === 0) {
                io.err(`dsr: no contact with ${subject} in ${transport.description}: nothing to ${opts.command}.\n`);
                return 3;
            }
            const what = opts.command === "rectify" ? "rectified" : opts.lift ? "restriction lifted" : "restricted";
            io.err(
                `dsr: ${opts.yes ? "" : "DRY RUN, nothing was changed. Would be "}${what}: ${subject} in ${transport.description} (${r.contacts} contact(s)):\n${table(r.changed)}${opts.yes ? "" : "Re-run with --yes.\n"}`,
            );
            return 0;
        }
        const key = await ledgerKey(transport, schema, normaliseAddress(opts.email), opts.ledgerKey);
        const data = await exportPerson(transport, schema, opts.email, new Date(), key, hashKey);
        if (journal && hashKey) data.journal = await journal.entries({ plain: addressHash(data.subject), keyed: keyedHash(hashKey, data.subject) });
        const ledgerRows = (data.tables[LEDGER_TABLE] ?? []).length;
        if (rowCount(data) === 0 && (opts.command !== "export" || data.journal.length === 0)) {
            io.err(`dsr: no data about ${data.subject} in ${transport.description}: nothing to ${opts.command}.\n`);
            return 3;
        }
        if (opts.command === "export") {
            data.information = opts.stack
                ? art15Information(stackFigures(opts.stack), `the configuration of stack ${opts.stack}`)
                : art15Information(defaultFigures(), "the kit's defaults (--mysql does not read a stack's configuration: check the periods against the stack)");
            const json = `${JSON.stringify(data, null, 2)}\n`;
            if (opts.out) {
                fs.writeFileSync(opts.out, json, { mode: 0o600 });
                fs.writeFileSync(`${opts.out}.txt`, summary(data), { mode: 0o600 });
                io.err(`dsr: ${rowCount(data)} records about ${data.subject} written to ${opts.out} (JSON, Art. 20) and ${opts.out}.txt (summary, Art. 15)\n`);
            } else {
                io.out(json);
                io.err(summary(data));
            }
            return 0;
        }
        const suppress = objected(data, opts.objected);
        if (!opts.yes) {
            const dry = await erasePerson(transport, schema, opts.email, false);
            io.err(`dsr: DRY RUN, nothing was changed. Erasing ${data.subject} from ${transport.description} would delete:\n${table(dry.deleted)}`);
            io.err(ledgerKeptNote(ledgerRows).replace(/ are KEPT/, " would be KEPT"));
            io.err(
                `${suppress ? "It would keep only a suppression hash (the person objected), so the address is never added again.\n" : ""}Re-run with --yes to erase.\n`,
            );
            return 0;
        }
        const at = new Date();
        if (journal && hashKey) {
            // Journal first: if the erasure fails after this, a restore still erases the person.
            const entry = { at, keyedHash: keyedHash(hashKey, data.subject), suppressed: suppress };
            await journal.write(schema, entry);
            io.err(`dsr: erasure journalled in ${journal.description}${suppress ? " (suppressed: the person objected)" : ""}\n`);
            io.err(`dsr: keep this line in your record of the request (it holds no address): ${journalLine(entry)}`);
        } else {
            io.err("dsr: WARNING: no journal written (--mysql without --journal DIR): a restored backup would bring this person back\n");
        }
        const r = await erasePerson(transport, schema, opts.email, true);
        io.err(`dsr: erased ${data.subject} from ${transport.description}:\n${table(r.deleted)}`);
        io.err(ledgerKeptNote(ledgerRows));
        const report = {
            erasedAt: at.toISOString(),
            // The keyed hash only (the plain SHA-256 could be linked to the address by anyone who knows it).
            keyedHash: hashKey ? keyedHash(hashKey, data.subject) : null,
            suppressed: suppress,
            source: transport.description,
            deleted: r.deleted,
            residue: r.residue,
            keptUnderRestriction: ledgerRows > 0 ? { [LEDGER_TABLE]: ledgerRows } : {},
        };
        if (opts.out) fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
        if (Object.keys(r.residue).length > 0) {
            io.err(`dsr: the address still appears in:\n${table(r.residue)}Look at these rows and delete them by hand.\n`);
            return 4;
        }
        return 0;
    } catch (e) {
        io.err(`dsr: ${(e as Error).message}\n`);
        return exitCodes.findings;
    } finally {
        await transport?.close().catch(() => undefined);
        cleanup();
    }
}

async function withdraw(t: Transport, schema: Schema, opts: ReturnType<typeof dsrOptions>, io: Io): Promise<number> {
    const subject = normaliseAddress(opts.email);
    const r = await withdrawProfiling(t, schema, subject, opts.yes);
    if (r.contacts === 0) {
        io.err(`dsr: no contact with ${subject} in ${t.description}: nothing to withdraw.\n`);
        return 3;
    }
    io.err(
        opts.yes
            ? `dsr: profiling consent of ${subject} withdrawn in ${t.description} (${r.contacts} contact(s)):\n${table(r.changed)}`
            : `dsr: DRY RUN, nothing was changed. Withdrawing the profiling consent of ${subject} in ${t.description} would change:\n${table(r.changed)}`,
    );
    io.err(withdrawNote());
    if (!opts.yes) io.err("Re-run with --yes to withdraw.\n");
    if (opts.out)
        fs.writeFileSync(opts.out, `${JSON.stringify({ withdrawnAt: new Date().toISOString(), committed: opts.yes, ...r }, null, 2)}\n`, { mode: 0o600 });
    return 0;
}

function table(counts: Record<string, number>): string {
    const entries = Object.entries(counts);
    if (entries.length === 0) return "  (no rows)\n";
    return entries.map(([t, n]) => `  ${t.padEnd(40)} ${n}\n`).join("");
}

/** dsr's options from its command line (throws UsageError naming the option and the fix). */
function dsrOptions(values: CliValues<typeof dsrCli.options>, positionals: string[]) {
    const command = positionals[0];
    if (!["export", "erase", "withdraw-profiling", "rectify", "restrict"].includes(command))
        throw new UsageError(`the first argument must be export, erase, withdraw-profiling, rectify or restrict, not ${JSON.stringify(command)}`);
    if (values.set && command !== "rectify") throw new UsageError("--set is only for rectify");
    if (values.lift && command !== "restrict") throw new UsageError("--lift is only for restrict");
    if (!values.email) throw new UsageError("--email ADDRESS is required");
    try {
        normaliseAddress(values.email);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (!values.stack === !values.mysql) throw new UsageError("give exactly one of --stack NAME or --mysql URL");
    if (values.stack && values.journal) throw new UsageError("--journal is only for --mysql; with --stack the journal is on the server");
    if (values.stack && values["hash-key-file"])
        throw new UsageError("--hash-key-file is only for --mysql; with --stack the key is read from the server. Fix: remove --hash-key-file");
    if (values.journal && !values["hash-key-file"])
        throw new UsageError(`--journal needs --hash-key-file FILE: the journal holds keyed hashes (copy ${hashKeyPath} from the server, root only)`);
    if (values.stack && values["ledger-key"])
        throw new UsageError("--ledger-key is only for --mysql; with --stack the DOI endpoint on the server computes it. Fix: remove --ledger-key");
    return {
        command,
        email: values.email,
        stack: values.stack,
        mysql: values.mysql,
        out: values.out,
        yes: values.yes ?? false,
        objected: values.objected ?? false,
        journal: values.journal,
        hashKeyFile: values["hash-key-file"],
        ledgerKey: values["ledger-key"],
        set: values.set ?? [],
        lift: values.lift ?? false,
    } as const;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
