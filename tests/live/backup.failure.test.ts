/**
 * A failed backup is reported (exit code, journal/stderr, status.json) and never replaces or
 * rotates over the last good set: each failure below happens after a good set exists and after
 * that set has expired, and must leave it byte-identical and still `latest`.
 */
import { ChildProcess, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BackupHost, DAY, T0, idAt } from "../support/backup-host";
import { fillDatabase, fillFiles } from "../support/backup-data";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
let host: BackupHost;
const good = idAt(T0);
let goodFiles: Record<string, string>;
/** Every failing run happens 30 days later: the good set is past the 14-day retention by then. */
let now = T0 + 30 * DAY;

function setFingerprint(id: string): Record<string, string> {
    const dir = path.join(host.backupDir, id);
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(dir).sort()) {
        const st = fs.statSync(path.join(dir, f));
        out[f] = `${st.mtimeMs} ${createHash("sha256")
            .update(fs.readFileSync(path.join(dir, f)))
            .digest("hex")}`;
    }
    return out;
}

beforeAll(async () => {
    requireTool("flock");
    db = await MariaDbServer.start();
    fillDatabase(db, 2000);
    host = new BackupHost({ db });
    fillFiles(host.filesRoot);
    const r = host.run("backup", [], { now: T0 });
    if (r.code !== 0) throw new Error(`the initial good backup failed: ${r.stderr}`);
    goodFiles = setFingerprint(good);
});

afterAll(async () => {
    host?.cleanup();
    await db?.stop();
});

/** After every failure: nothing new, nothing deleted, the good set untouched and still latest. */
function expectGoodSetUntouched(): void {
    expect(host.sets()).toEqual([good]);
    expect(host.latest()).toBe(good);
    expect(setFingerprint(good)).toEqual(goodFiles);
    expect(fs.readdirSync(host.backupDir).filter((n) => n.startsWith(".tmp-") || n.endsWith(".new"))).toEqual([]);
}

function expectReportedFailure(r: { code: number; stderr: string }, stage: string, message: RegExp): void {
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`backup FAILED: .*; the last good backup is still '${good}'`));
    const status = host.status();
    expect(status).toMatchObject({ result: "failed", stage, backup_id: idAt(now), last_good_id: good, last_good_at: "2030-01-15T03:00:00Z", deleted: [] });
    expect(String(status.message)).toMatch(message);
}

afterEach(() => {
    now += 60;
});

test("the database is unreachable (wrong socket): reported, nothing rotated", () => {
    host.writeConf("DB_CLIENT_OPTS=(--no-defaults --socket=/nonexistent/mysqld.sock --user=root)");
    const r = host.run("backup", [], { now });
    expect(r.stderr).toMatch(/Can't connect to local (MySQL |MariaDB )?server through socket '\/nonexistent\/mysqld.sock'/);
    expectReportedFailure(r, "dump", /database dump of 'mautic' failed/);
    expectGoodSetUntouched();
});

test("the dump stops early but exits 0 (no '-- Dump completed' line): caught by verification", () => {
    const fake = path.join(host.bin, "truncated-dump");
    fs.writeFileSync(fake, `#!/usr/bin/env bash\nmariadb-dump --defaults-extra-file=${db.clientCnf} "$@" | head -n 40\nexit 0\n`, { mode: 0o755 });
    host.writeConf(`DUMP_BIN=${fake}`);
    // Under systemd (JOURNAL_STREAM set) errors carry the journal priority prefix <3> (err).
    const r = host.run("backup", [], { now, env: { JOURNAL_STREAM: "8:12345" } });
    expect(r.stderr).toMatch(/^<3>mautic-backup: ERROR: .*does not end with MariaDB's '-- Dump completed' line/m);
    expectReportedFailure(r, "verify", /failed verification; it was discarded/);
    expectGoodSetUntouched();
});

test("the dump tool fails after printing a complete-looking dump: the exit code is not lost in the pipe", () => {
    const fake = path.join(host.bin, "failing-dump");
    fs.writeFileSync(
        fake,
        `#!/usr/bin/env bash\nmariadb-dump --defaults-extra-file=${db.clientCnf} "$@"\necho 'mariadb-dump: Error 2013: Lost connection' >&2\nexit 2\n`,
        { mode: 0o755 },
    );
    host.writeConf(`DUMP_BIN=${fake}`);
    const r = host.run("backup", [], { now });
    expectReportedFailure(r, "dump", /database dump of 'mautic' failed/);
    expectGoodSetUntouched();
});

test("`docker exec` into the database container fails: reported, nothing rotated", () => {
    host.writeConf("DB_CONTAINER=mautic_db");
    fs.writeFileSync(path.join(host.bin, "docker"), `#!/usr/bin/env bash\necho "Error response from daemon: No such container: mautic_db" >&2\nexit 1\n`, {
        mode: 0o755,
    });
    const r = host.run("backup", [], { now });
    expect(r.stderr).toMatch(/No such container: mautic_db/);
    expectReportedFailure(r, "dump", /database dump of 'mautic' failed/);
    expectGoodSetUntouched();
});

test("the data volume is not mounted: refuses before touching the backup directory", () => {
    host.writeConf("REQUIRE_MOUNT=1");
    const statusBefore = fs.readFileSync(path.join(host.backupDir, "status.json"), "utf8");
    const r = host.run("backup", [], { now });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a mount point: the data volume is not mounted/);
    expect(fs.readFileSync(path.join(host.backupDir, "status.json"), "utf8")).toBe(statusBefore);
    expectGoodSetUntouched();
});

test("a second run while one holds the lock exits 75 and changes nothing", async () => {
    host.writeConf("");
    const statusBefore = fs.readFileSync(path.join(host.backupDir, "status.json"), "utf8");
    // One process (bash exec'ing sleep) holds the lock: killing it by pid releases the lock.
    const holder: ChildProcess = spawn("bash", ["-c", 'exec 9>"$1"; flock 9; echo locked; exec sleep 60', "_", path.join(host.backupDir, ".lock")], {
        stdio: ["ignore", "pipe", "ignore"],
    });
    try {
        await new Promise<void>((resolve, reject) => {
            holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
            holder.once("exit", () => reject(new Error("lock holder exited early")));
        });
        const r = host.run("backup", [], { now });
        expect(r.code).toBe(75);
        expect(r.stderr).toMatch(/holds .*\.lock; nothing done/);
        expect(fs.readFileSync(path.join(host.backupDir, "status.json"), "utf8")).toBe(statusBefore);
        const rr = host.run("restore", ["--yes", "--no-safety-backup", good]);
        expect(rr.code).toBe(75);
        expect(host.dockerCalls().filter((c) => c.startsWith("stop"))).toEqual([]);
    } finally {
        holder.kill("SIGTERM");
        if (holder.exitCode === null && holder.signalCode === null) await new Promise((r) => holder.once("exit", r));
    }
    expectGoodSetUntouched();
});

test("the config file must not be writable by others (it is sourced by root)", () => {
    host.writeConf("");
    fs.chmodSync(host.confFile, 0o666);
    const r = host.run("backup", [], { now });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backup.conf is group- or world-writable/);
    fs.chmodSync(host.confFile, 0o644);
    expectGoodSetUntouched();
});

test("after the cause is fixed, the next run succeeds and only then applies retention", () => {
    host.writeConf("");
    const r = host.run("backup", [], { now });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(host.sets()).toEqual([idAt(now)]);
    expect(host.latest()).toBe(idAt(now));
    expect(host.status()).toMatchObject({ result: "ok", backup_id: idAt(now), last_good_id: idAt(now), deleted: [good] });
});
