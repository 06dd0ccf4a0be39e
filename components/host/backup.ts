/**
 * Nightly, verified backups of one Mautic site (pure renderer: input in, files out).
 *
 * Renders `mautic-backup` (dump + config/media archive -> verified set -> `latest` -> retention
 * -> optional restic copy), `mautic-restore` and the systemd service + timer that run the backup
 * nightly. The lead's cloud-init writes the files and runs `backupEnableCommands`.
 * docs/guide/backup.md describes what is backed up, where, and how to restore.
 */
import { containerNames } from "../config/defaults";
import { fill, readTemplate } from "../shared/template";

export interface BackupInput {
    /** Days a backup set is kept (`backupRetentionDays`, default 14); then it is deleted, except the latest good set. 1-90. */
    retentionDays: number;
    /** Mount point of the durable volume (default "/srv/mautic"); backups go to `<dataDir>/backups`. */
    dataDir: string;
    /** The MariaDB container (default "mautic_db"); its env must hold MARIADB_ROOT_PASSWORD. */
    dbContainer: string;
    /** The Mautic database (default "mautic"). */
    database: string;
    /**
     * Optional off-site copy of every set to a restic repository over SFTP (e.g. a Hetzner Storage
     * Box: `sftp://u123456@u123456.your-storagebox.de:23/mautic`), with the same retention.
     * Nothing secret is rendered: the restic password is read on the host from
     * `/etc/mautic/backup-offsite.env` (root, 0600) and the SSH key/host key from /root/.ssh,
     * both placed by the operator. Default: none (only the volume and Hetzner's server backups).
     */
    offsite?: {
        kind: "restic-sftp";
        repository: string;
        /**
         * The ssh client config restic's SFTP connection uses (the kit's Storage Box: host alias
         * `mautic-offsite`, key and pinned host key, written by `mautic-offsite-setup`). Default:
         * none (restic calls ssh with the repository's host and /root/.ssh, set up by hand).
         */
        sshConfig?: string;
    };
    /**
     * Containers stopped during a restore and started again in this order.
     * Default: mautic_web, mautic_worker, mautic_cron (the DB container keeps running).
     */
    appContainers?: string[];
}

export interface RenderedFile {
    /** Absolute path on the host. */
    path: string;
    content: string;
    /** Octal mode, e.g. "0750". */
    permissions: string;
}

/** Where the rendered files go on the host. */
export const backupPaths = {
    backupScript: "/usr/local/sbin/mautic-backup",
    restoreScript: "/usr/local/sbin/mautic-restore",
    service: "/etc/systemd/system/mautic-backup.service",
    timer: "/etc/systemd/system/mautic-backup.timer",
    /** Placed by the operator, never rendered: `RESTIC_PASSWORD=...` (root, 0600). */
    offsiteEnvFile: "/etc/mautic/backup-offsite.env",
} as const;

/** Run once after the files are written (cloud-init `runcmd`). */
export const backupEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-backup.timer"];

/** Debian packages the host needs besides Docker (coreutils, gzip, tar, util-linux are in every image). */
export function backupPackages(input: BackupInput): string[] {
    return input.offsite ? ["restic"] : [];
}

/** The default restore stop/start order: web first (it migrates the schema), then the consumers. */
export const defaultAppContainers = [containerNames.web, containerNames.worker, containerNames.cron];

const safePath = /^\/(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const containerName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const databaseName = /^[A-Za-z0-9_]{1,64}$/;
// Rendered inside single quotes: no quotes, whitespace, '$', '`', '\' or control characters, and
// no "user:password@" (the password lives in the host's env file, never in rendered files).
const resticSftpRepo = /^sftp:(?:\/\/)?(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+(?::[0-9]{1,5})?[:/][A-Za-z0-9._~/-]*$/;

/** Every problem with the input, each naming the field, the bad value and the fix. */
export function validateBackupInput(input: BackupInput): string[] {
    const problems: string[] = [];
    const { retentionDays, dataDir, dbContainer, database, offsite, appContainers } = input;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 90) {
        problems.push(`retentionDays = ${JSON.stringify(retentionDays)} must be a whole number of days from 1 to 90 (backupRetentionDays; default 14)`);
    }
    if (typeof dataDir !== "string" || !safePath.test(dataDir) || dataDir.split("/").includes("..")) {
        problems.push(`dataDir = ${JSON.stringify(dataDir)} must be an absolute path without trailing '/', '..', spaces or quotes, e.g. "/srv/mautic"`);
    }
    if (typeof dbContainer !== "string" || !containerName.test(dbContainer)) {
        problems.push(`dbContainer = ${JSON.stringify(dbContainer)} must be a Docker container name ([A-Za-z0-9][A-Za-z0-9_.-]*), e.g. "mautic_db"`);
    }
    if (typeof database !== "string" || !databaseName.test(database)) {
        problems.push(`database = ${JSON.stringify(database)} must be a plain MariaDB database name (A-Z, a-z, 0-9, _), e.g. "mautic"`);
    }
    if (appContainers !== undefined) {
        if (!Array.isArray(appContainers)) {
            problems.push(`appContainers must be a list of container names, e.g. ["mautic_web", "mautic_worker", "mautic_cron"]`);
        } else {
            appContainers.forEach((c, i) => {
                if (typeof c !== "string" || !containerName.test(c)) problems.push(`appContainers[${i}] = ${JSON.stringify(c)} is not a Docker container name`);
                else if (c === dbContainer)
                    problems.push(`appContainers[${i}] = "${c}" is the database container, which must keep running during a restore; remove it`);
            });
        }
    }
    if (offsite !== undefined) {
        if (offsite.kind !== "restic-sftp") {
            problems.push(`offsite.kind = ${JSON.stringify(offsite.kind)} is not supported; use "restic-sftp"`);
        }
        if (offsite.sshConfig !== undefined && (typeof offsite.sshConfig !== "string" || !safePath.test(offsite.sshConfig))) {
            problems.push(
                `offsite.sshConfig = ${JSON.stringify(offsite.sshConfig)} must be an absolute path without spaces or quotes, e.g. "/etc/mautic/offsite/config"`,
            );
        }
        if (typeof offsite.repository !== "string" || !resticSftpRepo.test(offsite.repository)) {
            problems.push(
                `offsite.repository = ${JSON.stringify(offsite.repository)} must be a restic SFTP repository without spaces, quotes or '$', ` +
                    `e.g. "sftp://u123456@u123456.your-storagebox.de:23/mautic" (Hetzner Storage Box, port 23) or "sftp:user@host:/srv/restic/mautic"`,
            );
        }
    }
    return problems;
}

/** Renders the backup and restore scripts and the systemd service + timer. Throws on invalid input. */
export function renderBackupFiles(input: BackupInput): RenderedFile[] {
    const problems = validateBackupInput(input);
    if (problems.length > 0) {
        throw new Error(`invalid backup settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const common = fill(
        readTemplate("backup/common.sh"),
        {
            dataDir: input.dataDir,
            backupDir: `${input.dataDir}/backups`,
            database: input.database,
            retentionDays: input.retentionDays,
            dbContainer: input.dbContainer,
            appContainers: (input.appContainers ?? defaultAppContainers).join(" "),
            offsiteRepository: input.offsite?.repository ?? "",
            offsiteSshConfig: input.offsite?.sshConfig ?? "",
        },
        "backup/common.sh",
    ).trimEnd();
    const script = (rel: string, extra: Record<string, string> = {}) => fill(readTemplate(rel), { common, ...extra }, rel);
    const hashKeyFns = readTemplate("privacyMaintenance/hash-key.sh").trimEnd();
    return [
        { path: backupPaths.backupScript, content: script("backup/mautic-backup.sh"), permissions: "0750" },
        { path: backupPaths.restoreScript, content: script("backup/mautic-restore.sh", { hashKeyFns }), permissions: "0750" },
        {
            path: backupPaths.service,
            content: fill(readTemplate("backup/mautic-backup.service"), { dataDir: input.dataDir }, "backup/mautic-backup.service"),
            permissions: "0644",
        },
        { path: backupPaths.timer, content: readTemplate("backup/mautic-backup.timer"), permissions: "0644" },
    ];
}
