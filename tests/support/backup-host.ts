/**
 * A fake host for the rendered backup scripts: a temp dir with the data volume layout
 * (`srv/mautic/{mautic/config,mautic/media/...,backups}`), the rendered scripts in `bin/`, a
 * `backup.conf` that points them at a test MariaDB (or a fake dump tool) instead of Docker, and a
 * fake `docker` that records its arguments. In "docker mode" the fake docker runs `docker exec`
 * commands on this machine with the container's environment (MARIADB_ROOT_PASSWORD) set, so the
 * production code path that reads the password inside the container is exercised too.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BackupInput, renderBackupFiles } from "../../components/host/backup";
import { MariaDbServer } from "./mariadb";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
}

export interface BackupHostOptions {
    /** The test server; without it, `dumpScript` must stand in for mariadb-dump. */
    db?: MariaDbServer;
    retentionDays?: number;
    offsite?: BackupInput["offsite"];
    /** Run the client tools through the fake `docker exec` (production path) instead of locally. */
    dockerMode?: boolean;
    /** Body of a fake mariadb-dump (bash), used as DUMP_BIN. */
    dumpScript?: string;
    /** Extra lines for backup.conf. */
    conf?: string;
}

export class BackupHost {
    readonly root: string;
    readonly dataDir: string;
    readonly backupDir: string;
    readonly filesRoot: string;
    readonly bin: string;
    readonly confFile: string;
    readonly dockerLog: string;
    readonly backupScript: string;
    readonly restoreScript: string;

    constructor(readonly options: BackupHostOptions = {}) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "mbk-"));
        this.dataDir = path.join(this.root, "srv", "mautic");
        this.backupDir = path.join(this.dataDir, "backups");
        this.filesRoot = path.join(this.dataDir, "mautic");
        this.bin = path.join(this.root, "bin");
        this.confFile = path.join(this.root, "backup.conf");
        this.dockerLog = path.join(this.root, "docker.log");
        this.backupScript = path.join(this.bin, "mautic-backup");
        this.restoreScript = path.join(this.bin, "mautic-restore");
        fs.mkdirSync(this.bin, { recursive: true });
        fs.mkdirSync(this.filesRoot, { recursive: true });

        const files = renderBackupFiles({
            retentionDays: options.retentionDays ?? 14,
            dataDir: this.dataDir,
            dbContainer: "mautic_db",
            database: "mautic",
            offsite: options.offsite,
        });
        for (const f of files) {
            if (f.path.endsWith("/mautic-backup")) fs.writeFileSync(this.backupScript, f.content, { mode: 0o750 });
            if (f.path.endsWith("/mautic-restore")) fs.writeFileSync(this.restoreScript, f.content, { mode: 0o750 });
        }
        this.writeFakeDocker();
        this.writeConf(options.conf ?? "");
    }

    /** (Re)writes backup.conf; `extra` lines come last and win. */
    writeConf(extra: string): void {
        const { db, dockerMode, dumpScript } = this.options;
        const lines = [
            "# test settings: no Docker, no mount point, everything under the temp dir",
            "REQUIRE_MOUNT=0",
            `DOCKER=${this.bin}/docker`,
            `BACKUP_BIN=${this.backupScript}`,
            `RESTIC_CACHE=${this.root}/restic-cache`,
            `OFFSITE_ENV_FILE=${this.root}/offsite.env`,
            // No privacy-maintenance job on a test host (tests/live/backup.privacy.test.ts sets one).
            "PRIVACY_BIN=''",
        ];
        if (!dockerMode) {
            lines.push("DB_CONTAINER=''");
            if (db) lines.push(`DB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})`);
        }
        if (dumpScript !== undefined) {
            const fake = path.join(this.bin, "fake-mariadb-dump");
            fs.writeFileSync(fake, `#!/usr/bin/env bash\n${dumpScript}\n`, { mode: 0o755 });
            lines.push(`DUMP_BIN=${fake}`);
        }
        fs.writeFileSync(this.confFile, `${lines.join("\n")}\n${extra}\n`, { mode: 0o644 });
    }

    /** Runs `mautic-backup` or `mautic-restore` with the test config; `now` is seconds since the epoch. */
    run(script: "backup" | "restore", args: string[] = [], opts: { now?: number; env?: Record<string, string> } = {}): RunResult {
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
            HOME: this.root,
            MAUTIC_BACKUP_CONF: this.confFile,
            ...(opts.now !== undefined ? { MAUTIC_BACKUP_NOW: String(opts.now) } : {}),
            ...opts.env,
        };
        const t0 = Date.now();
        const r = spawnSync(script === "backup" ? this.backupScript : this.restoreScript, args, {
            env,
            encoding: "utf8",
            timeout: 60_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
        return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
    }

    status(): Record<string, unknown> {
        return JSON.parse(fs.readFileSync(path.join(this.backupDir, "status.json"), "utf8"));
    }

    latest(): string | undefined {
        try {
            return fs.readlinkSync(path.join(this.backupDir, "latest"));
        } catch {
            return undefined;
        }
    }

    /** Backup set ids present, sorted. */
    sets(): string[] {
        if (!fs.existsSync(this.backupDir)) return [];
        return fs
            .readdirSync(this.backupDir)
            .filter((n) => /^\d{8}T\d{6}Z$/.test(n))
            .sort();
    }

    dockerCalls(): string[] {
        return fs.existsSync(this.dockerLog) ? fs.readFileSync(this.dockerLog, "utf8").split("\n").filter(Boolean) : [];
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    private writeFakeDocker(): void {
        const db = this.options.db;
        // In the container, the client reaches the server over its default socket; here a
        // ~/.my.cnf (socket only, no password) stands in for that. The password comes only from
        // the container environment (MARIADB_ROOT_PASSWORD), exactly as in production.
        const home = path.join(this.root, "container-home");
        fs.mkdirSync(home, { recursive: true });
        if (db) fs.writeFileSync(path.join(home, ".my.cnf"), `[client]\nsocket=${db.socket}\n`, { mode: 0o600 });
        const script = [
            "#!/usr/bin/env bash",
            "# fake docker: records each call; runs `exec [-i] CONTAINER CMD...` here with the container's env",
            `printf '%s\\n' "$*" >> ${shq(this.dockerLog)}`,
            "if [[ $1 == exec ]]; then",
            "  shift; [[ $1 == -i ]] && shift; shift",
            `  exec env -i PATH="$PATH" HOME=${shq(home)} MARIADB_ROOT_PASSWORD=${shq(db?.rootPassword ?? "")} "$@"`,
            "fi",
            'exit "${FAKE_DOCKER_EXIT:-0}"',
        ].join("\n");
        fs.writeFileSync(path.join(this.bin, "docker"), `${script}\n`, { mode: 0o755 });
    }
}

function shq(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** 2030-01-15T03:00:00Z: a fixed "now" for the tests. */
export const T0 = Date.UTC(2030, 0, 15, 3, 0, 0) / 1000;
export const DAY = 86400;

/** The backup id for an epoch second (the scripts' format). */
export function idAt(epoch: number): string {
    return new Date(epoch * 1000)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}Z$/, "Z");
}
