/**
 * Entry point of `npm run audit -- <url> [options]` (ts-node, CommonJS).
 * Exit codes: 0 pass (warnings allowed), 1 a check failed, 2 usage error or the page could not
 * be audited at all.
 */
import * as fs from "fs";
import { parseCli, USAGE } from "./args";
import { runAudit } from "./audit";
import { renderTable } from "./report";
import { AuditRunError, UsageError } from "./types";

export interface CliIo {
    out: (text: string) => void;
    err: (text: string) => void;
}

const processIo: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
    try {
        const cli = parseCli(argv);
        if (cli.help) {
            io.out(USAGE);
            return 0;
        }
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
        if (e instanceof UsageError) {
            io.err(`audit: ${e.message}\n\n${USAGE}`);
            return 2;
        }
        if (e instanceof AuditRunError) {
            io.err(`audit: ${e.message}\n`);
            return 2;
        }
        io.err(`audit: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        () => {
            process.exitCode = 2;
        },
    );
}
