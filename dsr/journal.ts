/**
 * The erasure journal: one line per erasure, `<UTC time> hmac:<keyed hash of the address> erased|suppressed`
 * (components/shared/addressHash.ts; lines written before the stack had its key hold the plain SHA-256 instead and
 * keep working),
 * kept on the host outside the database (`/srv/mautic/dsr/journal`, root only, 0600), next to
 * `erase.sql`, the erasure SQL for the current schema. `mautic-restore` re-applies every line
 * to a restored database before Mautic starts again; `suppressed` lines (the person objected,
 * Art. 21) are also enforced by the privacy maintenance job, with no date limit.
 */
import * as fs from "fs";
import * as path from "path";
import { asClientScript, eraseBodySql } from "./sql";
import { KEYED_PREFIX } from "../components/shared/addressHash";
import { Schema } from "./rules";
import { Transport } from "./transport";
import { dataMountPoint } from "../components/config/defaults";

export const hostDsrDir = `${dataMountPoint}/dsr`;

export interface JournalEntry {
    /** UTC, second precision. */
    at: Date;
    /** The keyed hash (HMAC-SHA256 hex) of the normalised address. */
    keyedHash: string;
    suppressed: boolean;
}

export function journalLine(e: JournalEntry): string {
    if (!/^[0-9a-f]{64}$/.test(e.keyedHash)) throw new Error("internal: bad hash");
    return `${e.at.toISOString().replace(/\.\d{3}Z$/, "Z")} ${KEYED_PREFIX}${e.keyedHash} ${e.suppressed ? "suppressed" : "erased"}\n`;
}

/** The script the host keeps to re-apply erasures (variables are set by mautic-restore per line). */
export function eraseScript(schema: Schema): string {
    return `-- Rendered by the mautic-gdpr-kit's dsr tool: erases the person whose address hash is @dsr_hash (keyed when @dsr_keyed = 1).\n${asClientScript(eraseBodySql(schema, true))}`;
}

/** Where a journal goes: a local directory (--journal) or the stack's host over SSH. */
export interface JournalSink {
    readonly description: string;
    write(schema: Schema, entry: JournalEntry): Promise<void>;
    /** The journal's lines for this address: its plain SHA-256 (older lines) or keyed hash (an access request shows them). */
    entries(hashes: AddressHashes): Promise<string[]>;
}

/** Both forms of an address's hash: plain SHA-256 and the keyed hash (hex). */
export interface AddressHashes {
    plain: string;
    keyed: string;
}

function checkHashes(h: AddressHashes): void {
    if (!/^[0-9a-f]{64}$/.test(h.plain) || !/^[0-9a-f]{64}$/.test(h.keyed)) throw new Error("internal: bad hash");
}

const linesFor = (text: string, h: AddressHashes) => text.split("\n").filter((l) => [h.plain, `${KEYED_PREFIX}${h.keyed}`].includes(l.split(" ")[1]));

export class LocalJournal implements JournalSink {
    constructor(readonly dir: string) {}
    get description(): string {
        return path.join(this.dir, "journal");
    }
    async write(schema: Schema, entry: JournalEntry): Promise<void> {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        fs.chmodSync(this.dir, 0o700);
        const tmp = path.join(this.dir, `.erase.sql.${process.pid}`);
        fs.writeFileSync(tmp, eraseScript(schema), { mode: 0o600 });
        fs.renameSync(tmp, path.join(this.dir, "erase.sql"));
        fs.appendFileSync(path.join(this.dir, "journal"), journalLine(entry), { mode: 0o600 });
    }
    async entries(hashes: AddressHashes): Promise<string[]> {
        checkHashes(hashes);
        const f = path.join(this.dir, "journal");
        return fs.existsSync(f) ? linesFor(fs.readFileSync(f, "utf8"), hashes) : [];
    }
}

export class HostJournal implements JournalSink {
    constructor(
        private readonly t: Transport,
        readonly dir = hostDsrDir,
    ) {
        if (!/^\/[A-Za-z0-9_./-]+$/.test(dir) || dir.includes("..")) throw new Error(`journal directory ${JSON.stringify(dir)} must be a plain absolute path`);
    }
    get description(): string {
        return `${this.dir}/journal on the server`;
    }
    async write(schema: Schema, entry: JournalEntry): Promise<void> {
        if (!this.t.host) throw new Error("internal: this transport has no host");
        const d = this.dir;
        // The journal belongs on the data volume (it must survive a rebuilt server), never on the root disk.
        const mounted = d.startsWith(`${dataMountPoint}/`) ? `mountpoint -q ${dataMountPoint} && ` : "";
        await this.t.host(
            `${mounted}umask 077 && mkdir -p ${d} && chmod 700 ${d} && cat > ${d}/.erase.sql.tmp && mv -f ${d}/.erase.sql.tmp ${d}/erase.sql`,
            eraseScript(schema),
        );
        await this.t.host(`umask 077 && cat >> ${d}/journal && chmod 600 ${d}/journal`, journalLine(entry));
    }
    async entries(hashes: AddressHashes): Promise<string[]> {
        if (!this.t.host) throw new Error("internal: this transport has no host");
        checkHashes(hashes);
        const grep = `grep -F -e ' ${hashes.plain} ' -e ' ${KEYED_PREFIX}${hashes.keyed} ' ${this.dir}/journal 2>/dev/null || true`;
        return linesFor(await this.t.host(grep, ""), hashes);
    }
}
