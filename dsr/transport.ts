/**
 * Two ways to run the same statements in one database session:
 * - `MysqlTransport`: a mysql2 connection (`--mysql mysql://user:pass@host:port/db`).
 * - `SshTransport`: `ssh` with the stack's pinned host key and deploy key, then
 *   `docker exec -i mautic_db` running the `mariadb` client inside the database container with
 *   the password from the container's own environment (never on any command line or disk).
 * Each returns, in order, the JSON values of every row the statements returned.
 */
import { spawn } from "child_process";
import * as mysql from "mysql2/promise";
import { asClientScript } from "./sql";
import { SshTarget as HostTarget } from "../verify/types";

export interface Transport {
    /** Where it connects, without any password. */
    readonly description: string;
    run(statements: string[]): Promise<unknown[]>;
    /** Runs a shell command on the host (journal writes); only the SSH transport has a host. */
    host?(command: string, stdin: string): Promise<string>;
    close(): Promise<void>;
}

function parseJsonValue(v: unknown): unknown {
    // mysql2 already decodes values MariaDB flags as JSON; the client prints them as text.
    if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) return v;
    if (Buffer.isBuffer(v)) v = v.toString("utf8");
    if (typeof v !== "string") throw new Error(`internal: a statement returned a non-JSON value ${JSON.stringify(v)}`);
    return JSON.parse(v);
}

export class MysqlTransport implements Transport {
    readonly description: string;
    private constructor(
        private readonly conn: mysql.Connection,
        description: string,
    ) {
        this.description = description;
    }

    /** `mysql://user:pass@host:port/db`; also `?socket=/path` for a unix socket. */
    static async connect(url: string): Promise<MysqlTransport> {
        let u: URL;
        try {
            u = new URL(url);
        } catch {
            throw new Error("--mysql must be a URL like mysql://user:password@127.0.0.1:3306/mautic");
        }
        if (u.protocol !== "mysql:" && u.protocol !== "mariadb:")
            throw new Error("--mysql must start with mysql:// (e.g. mysql://user:password@127.0.0.1:3306/mautic)");
        const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
        if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new Error("--mysql must name the database in the path (mysql://user:password@host:3306/mautic)");
        const socketPath = u.searchParams.get("socket") ?? undefined;
        const description = `mysql://${decodeURIComponent(u.username)}@${socketPath ?? `${u.hostname}:${u.port || 3306}`}/${database}`;
        const conn = await mysql
            .createConnection({
                host: socketPath ? undefined : u.hostname.replace(/^\[|\]$/g, ""),
                port: socketPath ? undefined : Number(u.port || 3306),
                socketPath,
                user: decodeURIComponent(u.username),
                password: decodeURIComponent(u.password),
                database,
                charset: "utf8mb4_unicode_ci",
                timezone: "Z",
                dateStrings: true,
                supportBigNumbers: true,
                bigNumberStrings: true,
            })
            .catch((e: Error) => {
                // mysql2's messages never contain the password; the URL is not repeated.
                throw new Error(`cannot connect to ${description}: ${e.message}`);
            });
        await conn.query("SET time_zone = '+00:00'");
        return new MysqlTransport(conn, description);
    }

    async run(statements: string[]): Promise<unknown[]> {
        const out: unknown[] = [];
        for (const sql of statements) {
            const [rows] = await this.conn.query({ sql, rowsAsArray: true });
            if (Array.isArray(rows)) for (const row of rows as unknown[][]) out.push(parseJsonValue(row[0]));
        }
        return out;
    }

    async close(): Promise<void> {
        await this.conn.end();
    }
}

/** verify's SSH target (pinned host key) plus the database container to run the SQL in. */
export interface SshTarget extends HostTarget {
    dbContainer: string;
    database: string;
    /** The ssh binary (tests: a wrapper). */
    ssh?: string;
}

/** The remote command (one string, parsed by the host's shell) that starts the client in the container. */
export function remoteClientCommand(t: Pick<SshTarget, "dbContainer" | "database">): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(t.dbContainer)) throw new Error(`dbContainer ${JSON.stringify(t.dbContainer)} is not a container name`);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(t.database)) throw new Error(`database ${JSON.stringify(t.database)} is not a database name`);
    // Expanded by the container's sh: the password moves from its env into MYSQL_PWD, nowhere else.
    const inner =
        'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec mariadb --user=root --batch --raw --skip-column-names --default-character-set=utf8mb4 "$0"';
    return `docker exec -i ${t.dbContainer} sh -c '${inner}' ${t.database}`;
}

/** The ssh argument vector: pinned host key only, key authentication only, no agent, no tty. */
export function sshArgs(t: SshTarget, remoteCommand: string): string[] {
    if (!/^[A-Za-z0-9.:-]+$/.test(t.host)) throw new Error(`host ${JSON.stringify(t.host)} is not an address`);
    return [
        "-i",
        t.keyFile,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        `UserKnownHostsFile=${t.knownHostsFile}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "PasswordAuthentication=no",
        "-o",
        "ConnectTimeout=20",
        "-T",
        "-p",
        String(t.port ?? 22),
        "-l",
        t.user ?? "root",
        "--",
        t.host,
        remoteCommand,
    ];
}

export class SshTransport implements Transport {
    readonly description: string;
    constructor(private readonly t: SshTarget) {
        this.description = `ssh ${t.user ?? "root"}@${t.host} -> docker exec ${t.dbContainer} mariadb ${t.database}`;
    }

    async run(statements: string[]): Promise<unknown[]> {
        const out = await this.exec(remoteClientCommand(this.t), asClientScript(statements));
        return out
            .split("\n")
            .filter((l) => l !== "")
            .map(parseJsonValue);
    }

    async host(command: string, stdin: string): Promise<string> {
        return this.exec(command, stdin);
    }

    private exec(remote: string, stdin: string): Promise<string> {
        return new Promise((resolve, reject) => {
            const p = spawn(this.t.ssh ?? "ssh", sshArgs(this.t, remote), { stdio: ["pipe", "pipe", "pipe"] });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            p.stdout.on("data", (d: Buffer) => out.push(d));
            p.stderr.on("data", (d: Buffer) => err.push(d));
            p.on("error", (e) => reject(new Error(`cannot run ssh: ${e.message}`)));
            p.on("close", (code) => {
                if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
                else reject(new Error(`${this.description} failed (exit ${code}): ${Buffer.concat(err).toString("utf8").trim()}`));
            });
            p.stdin.end(stdin);
        });
    }

    async close(): Promise<void> {}
}
