/**
 * A throw-away MariaDB server for tests: Debian's `mariadbd` in a temp datadir, reachable only
 * through a unix socket inside that dir (`--skip-networking`), root with a password (no
 * unix_socket login), so the clients must really present credentials. `stop()` is idempotent and
 * must be called from `afterAll` (it also kills the server if a shutdown hangs).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireTool } from "./tools";

export class MariaDbServer {
    readonly dir: string;
    readonly datadir: string;
    readonly socket: string;
    /** The server's own tmpdir (never the shared /tmp). */
    readonly tmpdir: string;
    /** Client option file with the root credentials and the socket (mode 0600). */
    readonly clientCnf: string;
    readonly rootPassword = "test-root-pw-\u00e4";
    private proc?: ChildProcess;
    private exited?: Promise<void>;

    private constructor(dir: string) {
        this.dir = dir;
        this.datadir = path.join(dir, "data");
        this.socket = path.join(dir, "mysqld.sock");
        this.tmpdir = path.join(dir, "tmp");
        this.clientCnf = path.join(dir, "client.cnf");
    }

    /** Initialises a datadir, starts the server and waits until it answers (about 3-6 s). */
    static async start(): Promise<MariaDbServer> {
        const installDb = requireTool("mariadb-install-db");
        const mariadbd = requireTool("mariadbd");
        requireTool("mariadb");
        const server = new MariaDbServer(fs.mkdtempSync(path.join(os.tmpdir(), "mdb-")));
        try {
            execFileSync(
                installDb,
                ["--no-defaults", `--datadir=${server.datadir}`, "--user=root", "--skip-test-db", "--auth-root-authentication-method=socket"],
                { stdio: "pipe", timeout: 60_000 },
            );
            // Its own tmpdir: at start-up mariadbd deletes every `#sql*` file in its tmpdir
            // (leftover temporary tables), whoever's they are. With the shared /tmp, a server that
            // another suite started at the same moment deleted this one's on-disk temporary
            // tables, and a dump or query then failed with "Error on delete of
            // '/tmp/#sql-temptable-...MAD' (Errcode: 2)" (docs/guide/testing.md).
            fs.mkdirSync(server.tmpdir, { mode: 0o700 });
            const log = fs.openSync(path.join(server.dir, "mariadbd.log"), "a");
            server.proc = spawn(
                mariadbd,
                [
                    "--no-defaults",
                    `--datadir=${server.datadir}`,
                    `--socket=${server.socket}`,
                    `--tmpdir=${server.tmpdir}`,
                    `--pid-file=${path.join(server.dir, "mariadbd.pid")}`,
                    "--skip-networking",
                    "--user=root",
                    "--innodb-buffer-pool-size=64M",
                    "--innodb-log-file-size=16M",
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci",
                    `--general-log-file=${path.join(server.dir, "general.log")}`,
                    "--skip-log-bin",
                ],
                { stdio: ["ignore", log, log] },
            );
            server.exited = new Promise((resolve) => server.proc!.once("exit", () => resolve()));
            await server.waitReady(rootSocketArgs(server.socket));
            // Root logs in with a password only (like the official image's root@localhost).
            server.rawSql(
                rootSocketArgs(server.socket),
                `ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('${server.rootPassword}'); FLUSH PRIVILEGES;`,
            );
            fs.writeFileSync(
                server.clientCnf,
                `[client]\nuser=root\npassword=${server.rootPassword}\nsocket=${server.socket}\ndefault-character-set=utf8mb4\n`,
                { mode: 0o600 },
            );
            return server;
        } catch (e) {
            await server.stop();
            throw new Error(`MariaDB test server did not start: ${(e as Error).message}\n${server.logTail()}`, { cause: e });
        }
    }

    /** Runs SQL as root and returns the rows (tab-separated fields, no header). */
    sql(query: string, database?: string): string[][] {
        const out = this.rawSql([`--defaults-extra-file=${this.clientCnf}`, ...(database ? [database] : [])], query);
        return out === ""
            ? []
            : out
                  .replace(/\n$/, "")
                  .split("\n")
                  .map((l) => l.split("\t"));
    }

    /** Runs SQL and returns the single value of a one-row, one-column result. */
    value(query: string, database?: string): string {
        const rows = this.sql(query, database);
        if (rows.length !== 1 || rows[0].length !== 1) throw new Error(`expected one value from ${query}, got ${JSON.stringify(rows)}`);
        return rows[0][0];
    }

    async stop(): Promise<void> {
        const proc = this.proc;
        if (proc && proc.exitCode === null && proc.signalCode === null) {
            proc.kill("SIGTERM");
            const killer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
            await this.exited;
            clearTimeout(killer);
        }
        this.proc = undefined;
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    logTail(): string {
        try {
            return fs.readFileSync(path.join(this.dir, "mariadbd.log"), "utf8").split("\n").slice(-20).join("\n");
        } catch {
            return "(no server log)";
        }
    }

    private rawSql(args: string[], query: string): string {
        return execFileSync(requireTool("mariadb"), [...args, "--batch", "--skip-column-names", "--raw", "-e", query], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 60_000,
        });
    }

    private async waitReady(args: string[]): Promise<void> {
        const deadline = Date.now() + 30_000;
        for (;;) {
            if (this.proc?.exitCode !== null || this.proc?.signalCode !== null) throw new Error("mariadbd exited during start-up");
            try {
                this.rawSql(args, "SELECT 1");
                return;
            } catch {
                if (Date.now() > deadline) throw new Error("mariadbd did not answer within 30 s");
                await new Promise((r) => setTimeout(r, 150));
            }
        }
    }
}

/** Root over the socket with unix_socket authentication: only before the password is set. */
function rootSocketArgs(socket: string): string[] {
    return ["--no-defaults", `--socket=${socket}`, "--user=root"];
}
