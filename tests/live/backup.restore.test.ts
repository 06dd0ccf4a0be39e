/**
 * The round trip on a real MariaDB (Debian's mariadbd, started here): fill a Mautic-like database
 * and media tree, back up with the rendered mautic-backup, destroy both, restore with the
 * rendered mautic-restore, and compare CHECKSUM TABLE, row counts, schema objects and every
 * file's bytes, mode and owner. Also: the production `docker exec` path (password only inside the
 * "container"), the confirmation flag, the safety backup and --list.
 */
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { BackupHost, DAY, T0, idAt } from "../support/backup-host";
import { dbFingerprint, DbFingerprint, fillDatabase, fillFiles, filesFingerprint, trickyText } from "../support/backup-data";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
let host: BackupHost;
let before: DbFingerprint;
let filesBefore: Record<string, string>;
const measured: Record<string, string | number> = {};

beforeAll(async () => {
    for (const t of ["gzip", "tar", "sha256sum", "flock", "mariadb-dump"]) requireTool(t);
    db = await MariaDbServer.start();
    const t0 = Date.now();
    fillDatabase(db);
    measured.fillMs = Date.now() - t0;
    host = new BackupHost({ db });
    fillFiles(host.filesRoot);
    before = dbFingerprint(db);
    filesBefore = filesFingerprint(host.filesRoot);
});

afterAll(async () => {
    try {
        if (Object.keys(measured).length > 0) console.log(`backup round trip measurements: ${JSON.stringify(measured)}`);
    } finally {
        host?.cleanup();
        await db?.stop();
    }
});

const id0 = idAt(T0);

test("the test data is what the comparisons rely on", () => {
    expect(before.counts).toEqual({ leads: "20000", lead_event_log: "40000", assets: "4", lead_counter: "1" });
    expect(db.value("SELECT n FROM mautic.lead_counter")).toBe("20000"); // the trigger ran
    expect(Buffer.from(before.tricky, "hex").toString("utf8")).toBe(trickyText);
    expect(before.objects).toEqual(
        expect.arrayContaining(["event purge_events DISABLED", "routine add_points PROCEDURE", "trigger leads_count leads", "table lead_points VIEW"]),
    );
});

test("mautic-backup writes a verified set with a consistent (--single-transaction) dump and marks it latest", () => {
    db.sql(`SET GLOBAL general_log_file = '${path.join(db.dir, "general.log")}'; SET GLOBAL general_log = ON`);
    const r = host.run("backup", [], { now: T0 });
    db.sql("SET GLOBAL general_log = OFF");
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    measured.backupMs = r.ms;

    expect(host.sets()).toEqual([id0]);
    expect(host.latest()).toBe(id0);
    const set = path.join(host.backupDir, id0);
    expect(fs.readdirSync(set).sort()).toEqual(["SHA256SUMS", "db.sql.gz", "files.tar.gz", "manifest"]);
    // Personal data: only root may read the backups.
    expect(fs.statSync(host.backupDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(set).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(set)) expect(fs.statSync(path.join(set, f)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(host.backupDir).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    measured.dbGzBytes = fs.statSync(path.join(set, "db.sql.gz")).size;
    measured.filesGzBytes = fs.statSync(path.join(set, "files.tar.gz")).size;

    const dump = execFileSync("gzip", ["-dc", path.join(set, "db.sql.gz")], { maxBuffer: 256 * 1024 * 1024 }).toString("utf8");
    measured.dumpBytes = Buffer.byteLength(dump);
    expect(dump.trimEnd().split("\n").pop()).toMatch(/^-- Dump completed on /);
    expect(dump).toContain("DROP DATABASE IF EXISTS `mautic`");
    expect(dump).toMatch(/CREATE\*\/ .*TRIGGER leads_count AFTER INSERT ON leads /);
    expect(dump).toMatch(/CREATE DEFINER=.*PROCEDURE `add_points`/);
    expect(dump).toMatch(/CREATE\*\/ .*EVENT `purge_events`/);
    expect(dump).toContain("Grüße 😀🇩🇪 さくら Łódź"); // utf8mb4 text in the dump as UTF-8, not mangled

    // --single-transaction: the dump read everything inside one consistent snapshot.
    const log = fs.readFileSync(path.join(db.dir, "general.log"), "utf8");
    expect(log).toMatch(/SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ/);
    expect(log).toMatch(/START TRANSACTION \/\*!40100 WITH CONSISTENT SNAPSHOT \*\//);
    expect(log).not.toMatch(/Query\s+LOCK TABLES|FLUSH TABLES WITH READ LOCK/); // no table locks: Mautic keeps running

    const listing = execFileSync("tar", ["-tzvf", path.join(set, "files.tar.gz"), "--numeric-owner"], { encoding: "utf8" });
    expect(listing).toMatch(/33\/33 .* config\/local\.php/);
    expect(listing).toMatch(/media\/files\/sub dir\/Ümlaut äöü\.txt/);
    expect(listing).toMatch(/media\/images\/flags\/de\.png/);

    const status = host.status();
    expect(status).toMatchObject({
        result: "ok",
        backup_id: id0,
        last_good_id: id0,
        last_good_at: "2030-01-15T03:00:00Z",
        retention_days: 14,
        offsite: "disabled",
        deleted: [],
    });
    expect(status.db_bytes).toBe(measured.dbGzBytes);

    const s = host.run("backup", ["--status"]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toEqual(status);
    expect(host.run("backup", ["--bogus"]).code).toBe(2);

    const v = host.run("restore", ["--verify", "latest"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`backup set ${id0} verified`);
});

test("mautic-restore refuses to touch anything without --yes", () => {
    const r = host.run("restore", ["--with-files", id0]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Re-run with --yes/);
    expect(host.dockerCalls()).toEqual([]);
    expect(dbFingerprint(db)).toEqual(before);

    expect(host.run("restore", ["--yes", "20300115T030001Z"]).stderr).toMatch(/no backup set 20300115T030001Z/);
    expect(host.run("restore", ["--yes", "../../etc"]).stderr).toMatch(/is not a backup id/);
    expect(host.run("restore", ["--yes"]).code).toBe(2);
});

test("destroy everything, restore: tables, checksums, counts, routines and files are identical", () => {
    // Destroy: the database is dropped; a newer, different schema appears (must not survive);
    // media are deleted and the config is changed.
    db.sql("DROP DATABASE mautic; CREATE DATABASE mautic; CREATE TABLE mautic.stray (id INT)");
    fs.rmSync(path.join(host.filesRoot, "media"), { recursive: true });
    fs.writeFileSync(path.join(host.filesRoot, "config", "local.php"), "<?php // broken\n");
    fs.writeFileSync(path.join(host.filesRoot, "config", "extra.php"), "<?php // not in the backup\n");
    expect(db.sql("SHOW TABLES FROM mautic")).toEqual([["stray"]]);

    const r = host.run("restore", ["--yes", "--with-files", "--no-safety-backup", "latest"]);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    measured.restoreMs = r.ms;

    const after = dbFingerprint(db);
    expect(after.checksums).toEqual(before.checksums);
    expect(after.counts).toEqual(before.counts);
    expect(after.objects).toEqual(before.objects);
    expect(after.tricky).toBe(before.tricky);
    expect(db.value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='mautic' AND TABLE_NAME='stray'")).toBe("0");
    expect(db.value("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='mautic'")).toBe("utf8mb4");
    expect(filesFingerprint(host.filesRoot)).toEqual(filesBefore);
    expect(fs.readdirSync(host.filesRoot).filter((n) => n.startsWith(".restore-"))).toEqual([]);

    // Mautic's containers were stopped before and started after, web first.
    expect(host.dockerCalls()).toEqual(["stop mautic_web mautic_worker mautic_cron", "start mautic_web mautic_worker mautic_cron"]);
    // A restore is not a backup run: the nightly status is untouched.
    expect(host.status().backup_id).toBe(id0);
});

test("a restore takes a safety backup of the current state first (without pruning)", () => {
    db.sql("INSERT INTO mautic.leads (email, date_added) VALUES ('after-backup@example.test', NOW())");
    // A month later: the set being restored is past retention, the safety backup must not prune it.
    const now = T0 + 30 * DAY;
    const r = host.run("restore", ["--yes", id0], { now });
    expect(r.code).toBe(0);
    const safety = idAt(now);
    expect(host.sets()).toEqual([id0, safety]);
    expect(host.latest()).toBe(safety);
    const safetyDump = execFileSync("gzip", ["-dc", path.join(host.backupDir, safety, "db.sql.gz")], { maxBuffer: 256 * 1024 * 1024 }).toString();
    expect(safetyDump).toContain("after-backup@example.test");
    expect(db.value("SELECT COUNT(*) FROM mautic.leads WHERE email = 'after-backup@example.test'")).toBe("0");
    expect(dbFingerprint(db).checksums).toEqual(before.checksums);
});

test("--list shows every set, its sizes and which one is latest", () => {
    const r = host.run("restore", ["--list"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+CREATED\s+DATABASE\s+FILES/);
    expect(lines[1]).toMatch(new RegExp(`^${id0}\\s+2030-01-15T03:00:00Z\\s+\\S+\\s+\\S+\\s*$`));
    expect(lines[2]).toMatch(new RegExp(`^${idAt(T0 + 30 * DAY)}\\s+2030-02-14T03:00:00Z\\s+\\S+\\s+\\S+\\s+latest$`));
});

describe("production path: client tools run through `docker exec mautic_db`", () => {
    let dhost: BackupHost;
    beforeAll(() => {
        dhost = new BackupHost({ db, dockerMode: true });
    });
    afterAll(() => dhost?.cleanup());

    test("backup and restore work with the password only inside the container's environment", () => {
        const b = dhost.run("backup", [], { now: T0 });
        expect(b.stderr).not.toMatch(/ERROR/);
        expect(b.code).toBe(0);
        db.sql("DROP DATABASE mautic");
        const r = dhost.run("restore", ["--yes", "--no-safety-backup", idAt(T0)]);
        expect(r.code).toBe(0);
        expect(dbFingerprint(db).checksums).toEqual(before.checksums);

        const calls = dhost.dockerCalls();
        expect(calls[0]).toMatch(/^exec -i mautic_db sh -c .*MARIADB_ROOT_PASSWORD.* mariadb-dump --single-transaction /);
        expect(calls).toContain("stop mautic_web mautic_worker mautic_cron");
        expect(calls.some((c) => /^exec -i mautic_db sh -c .* mariadb --default-character-set=utf8mb4$/.test(c))).toBe(true);
        // The root password is never an argument of any host process.
        for (const c of calls) expect(c).not.toContain(db.rootPassword);
        // ...and it is what logs the client in: the same run with a wrong one fails.
        expect(dhost.run("backup", [], { now: T0 + 60 }).code).toBe(0);
        fs.writeFileSync(
            path.join(dhost.bin, "docker"),
            fs.readFileSync(path.join(dhost.bin, "docker"), "utf8").replace(/MARIADB_ROOT_PASSWORD='[^']*'/, "MARIADB_ROOT_PASSWORD=wrong"),
        );
        const wrong = dhost.run("backup", [], { now: T0 + 120 });
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toMatch(/Access denied for user 'root'@'localhost' \(using password: YES\)/);
    });
});
