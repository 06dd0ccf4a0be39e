/**
 * Entry point of `npm run audit -- <url> [options]` (ts-node, CommonJS); the command line is
 * `auditCli` (audit/args.ts), parsed by lib/cli.ts.
 * Exit codes: 0 pass (warnings allowed), 1 a check failed, 2 usage error or the page could not
 * be audited at all.
 */
import * as fs from "fs";
import { CliIo, exitCodes, processIo, runCli } from "../lib/cli";
import { auditCli, auditOptions } from "./args";
import { runAudit } from "./audit";
import { renderTable } from "./report";
import { AuditRunError, UsageError } from "./types";

export type { CliIo };

export function main(argv: string[], io: CliIo = processIo): Promise<number> {
    return runCli(auditCli, argv, io, async (values, positionals) => {
        const cli = auditOptions(values, positionals);
        try {
            const report = await runAudit(cli.audit);
            const json = `${JSON.stringify(report, null, 2)}\n`;
            if (cli.json === "-") {
                io.out(json);
            } else {
                io.out(renderTable(report, cli.verbose));
                if (cli.json) {
                    try {
                        fs.writeFileSync(cli.json, json);
                    } catch (e) {
                        throw new AuditRunError(`cannot write the JSON report: ${(e as Error).message}`);
                    }
                    io.out(`JSON report: ${cli.json}\n`);
                }
            }
            return report.exitCode;
        } catch (e) {
            if (e instanceof UsageError) throw e;
            // The page could not be audited at all: exit 2, as documented (not a finding).
            io.err(e instanceof AuditRunError ? `audit: ${e.message}\n` : `audit: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
            return exitCodes.usage;
        }
    });
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        () => {
            process.exitCode = exitCodes.usage;
        },
    );
}
