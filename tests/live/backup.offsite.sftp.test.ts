/**
 * The off-site copy as production runs it, against a stand-in Storage Box: a real sshd on
 * loopback with an SFTP-only, chrooted account (tests/support/sftp-box.ts), Debian's restic and
 * MariaDB. The rendered `mautic-offsite-setup` writes the key, the ssh config
 * (StrictHostKeyChecking yes) and the pinned host key; the rendered `mautic-backup` copies each
 * set with restic over that config; then the volume is "lost" (database dropped, files and every
 * local set deleted) and `mautic-restore --from-offsite` brings it back from the off-site copy
 * alone: CHECKSUM TABLE, row counts, schema objects and every file's bytes, mode and owner match.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BackupHost, idAt } from "../support/backup-host";
import { dbFingerprint, DbFingerprint, fillDatabase, fillFiles, filesFingerprint } from "../support/backup-data";
import { MariaDbServer } from "../support/mariadb";
import { startSftpBox, SftpBox } from "../support/sftp-box";
import { requireTool } from "../support/tools";
import {
    storageBoxRepository,
    renderOffsiteSetupCommand,
    renderOffsiteSetupScript,
    renderOffsiteSetupStdin,
    hostKeyFingerprintOf,
} from "../../components/host/offsite";

let db: MariaDbServer;
let box: SftpBox;
let host: BackupHost;
let before: DbFingerprint;
let filesBefore: Record<string, string>;
let setupScript: string;
let privateKey: string;
/** 2025-01-15T03:00:00Z: in the past, as restic's --keep-within ignores future-dated snapshots. */
const T0 = Date.UTC(2025, 0, 15, 3, 0, 0) / 1000;
const resticPassword = "a-generated-restic-password-Xy9";
const offsiteDir = () => path.join(host.root, "offsite");
const known = () => path.join(offsiteDir(), "known_hosts");

beforeAll(async () => {
    for (const t of ["restic", "sshd", "ssh", "sftp", "ssh-keyscan", "ssh-keygen", "mariadb-dump", "gzip", "tar", "flock"]) requireTool(t);
    db = await MariaDbServer.start();
    fillDatabase(db, 2000);
    box = await startSftpBox();
    host = new BackupHost({ db, offsite: { kind: "restic-sftp", repository: storageBoxRepository, sshConfig: "/etc/mautic/offsite/config" } });
    // The rendered paths are production's; the test host keeps everything under its temp dir.
    host.writeConf(`OFFSITE_SSH_CONFIG=${offsiteDir()}/config`);
    fillFiles(host.filesRoot);
    before = dbFingerprint(db);
    filesBefore = filesFingerprint(host.filesRoot);

    const f = renderOffsiteSetupScript();
    setupScript = path.join(host.bin, "mautic-offsite-setup");
    fs.writeFileSync(setupScript, f.content, { mode: 0o750 });
    const keyFile = path.join(host.root, "site-key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "mautic-offsite", "-f", keyFile]);
    privateKey = fs.readFileSync(keyFile, "utf8");
    box.authorize(fs.readFileSync(`${keyFile}.pub`, "utf8"));
    fs.rmSync(keyFile);
}, 120_000);

afterAll(async () => {
    host?.cleanup();
    await box?.stop();
    await db?.stop();
});

/** Runs the rendered setup command (the deploy's) with the secrets on stdin. */
function setup(hostKey?: string) {
    const cmd = renderOffsiteSetupCommand({ host: box.host, user: box.user, port: box.port, hostKey }).replace(/^\S+/, setupScript);
    const r = spawnSync("bash", ["-c", cmd], {
        input: renderOffsiteSetupStdin({ privateKey, resticPassword }),
        env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            HOME: host.root,
            MAUTIC_OFFSITE_DIR: offsiteDir(),
            MAUTIC_OFFSITE_ENV_FILE: path.join(host.root, "offsite.env"),
        },
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test("the setup pins the box's host key on first use, prints its fingerprint, and writes root-only files", () => {
    const r = setup();
    expect(r.stderr).toMatch(/host key pinned on first use/);
    expect(r.code).toBe(0);
    expect(hostKeyFingerprintOf(r.stdout)).toBe(box.hostKeyFingerprint);
    expect(fs.readFileSync(known(), "utf8").trim()).toBe(`[${box.host}]:${box.port} ${box.hostPublicKey}`);
    const config = fs.readFileSync(path.join(offsiteDir(), "config"), "utf8");
    expect(config).toMatch(/^\s+StrictHostKeyChecking yes$/m);
    expect(config).toMatch(new RegExp(`^\\s+UserKnownHostsFile ${known()}$`, "m"));
    expect(fs.readFileSync(path.join(host.root, "offsite.env"), "utf8")).toBe(`RESTIC_PASSWORD=${resticPassword}\n`);
    for (const f of ["config", "id_ed25519", "known_hosts"]) expect(mode(path.join(offsiteDir(), f))).toBe(0o600);
    expect(mode(offsiteDir())).toBe(0o700);
    expect(mode(path.join(host.root, "offsite.env"))).toBe(0o600);
    // The command line holds no secret.
    expect(renderOffsiteSetupCommand({ host: box.host, user: box.user, port: box.port })).not.toContain(resticPassword);
});

test("a pinned key is never re-scanned: a changed key makes the copy fail, the local set stays good", () => {
    const good = fs.readFileSync(known(), "utf8");
    const other = execFileSync("bash", ["-c", `d=$(mktemp -d) && ssh-keygen -q -t ed25519 -N '' -f "$d/k" && cut -d' ' -f1,2 "$d/k.pub" && rm -rf "$d"`], {
        encoding: "utf8",
    }).trim();
    fs.writeFileSync(known(), `[${box.host}]:${box.port} ${other}\n`, { mode: 0o600 });
    const r = setup();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/pinned earlier: kept/);
    expect(fs.readFileSync(known(), "utf8")).toBe(`[${box.host}]:${box.port} ${other}\n`);

    try {
        const b = host.run("backup", [], { now: T0 - 86400 });
        expect(b.code).toBe(1);
        // ssh's own words, printed by the script's SFTP probe before restic runs (restic relays
        // its ssh child's stderr asynchronously and may exit before it does).
        expect(b.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
        expect(b.stderr).toMatch(/cannot reach mautic-offsite over SFTP with the pinned host key/);
        expect(host.status()).toMatchObject({ result: "failed", stage: "offsite", offsite: "failed", last_good_id: idAt(T0 - 86400) });
        expect(fs.readdirSync(path.join(box.chroot, "mautic"))).toEqual([]);
    } finally {
        // storageBoxHostKey: the configured key replaces whatever was pinned (and the later tests
        // need the right key even when an expectation above failed).
        const pinned = setup(box.hostPublicKey);
        expect(pinned.code).toBe(0);
        expect(pinned.stderr).toMatch(/pinned from the configuration/);
        expect(fs.readFileSync(known(), "utf8")).toBe(good);
    }
});

test("each set goes to the box over SFTP (restic, encrypted); the box holds no plain personal data", () => {
    const r = host.run("backup", [], { now: T0 });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(host.status()).toMatchObject({ result: "ok", offsite: "ok", backup_id: idAt(T0) });
    const repo = path.join(box.chroot, "mautic");
    expect(fs.readdirSync(repo).sort()).toEqual(expect.arrayContaining(["config", "data", "index", "keys", "snapshots"]));
    // Written by the SFTP account, inside its chroot.
    expect(fs.statSync(path.join(repo, "config")).uid).toBe(65534);
    const all = execFileSync("bash", ["-c", `cat $(find ${repo} -type f) | wc -c; grep -rl -a 'lead_event_log' ${repo} | wc -l`], { encoding: "utf8" })
        .trim()
        .split("\n");
    expect(Number(all[0])).toBeGreaterThan(1000);
    expect(all[1]).toBe("0");

    const list = host.run("restore", ["--from-offsite", "--list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("mautic-backup");
    expect(list.stdout).toContain(path.join(host.backupDir, idAt(T0)));
});

test("server and volume lost: mautic-restore --from-offsite brings database, config and media back from the box alone", () => {
    db.sql("DROP DATABASE mautic");
    fs.rmSync(host.filesRoot, { recursive: true, force: true });
    fs.mkdirSync(host.filesRoot, { recursive: true });
    fs.rmSync(host.backupDir, { recursive: true, force: true });
    fs.rmSync(path.join(host.root, "restic-cache"), { recursive: true, force: true });

    const r = host.run("restore", ["--from-offsite", "--yes", "--with-files", "--no-safety-backup", "latest"]);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`fetched set ${idAt(T0)} from off-site (verified)`);
    expect(dbFingerprint(db)).toEqual(before);
    expect(filesFingerprint(host.filesRoot)).toEqual(filesBefore);
    expect(host.sets()).toEqual([idAt(T0)]);
    expect(mode(path.join(host.backupDir, idAt(T0)))).toBe(0o700);
    expect(fs.readdirSync(host.backupDir).filter((n) => n.startsWith(".offsite-"))).toEqual([]);
});

test("--from-offsite with a set id fetches exactly that set; an unknown id is a clear failure", () => {
    fs.rmSync(path.join(host.backupDir, idAt(T0)), { recursive: true, force: true });
    const ok = host.run("restore", ["--from-offsite", "--verify", idAt(T0)]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`backup set ${idAt(T0)} verified`);
    const missing = host.run("restore", ["--from-offsite", "--verify", idAt(T0 - 7 * 86400)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/off-site: cannot restore set \d{8}T\d{6}Z/);
});
