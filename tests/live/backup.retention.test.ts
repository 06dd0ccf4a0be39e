/**
 * Retention (a GDPR promise): after a successful run, every set whose id (its UTC start time) is
 * more than retentionDays old is deleted; nothing else is; the last good set survives however old
 * it is. "Now" is injected with MAUTIC_BACKUP_NOW; the dump is a stand-in (the real dump is
 * covered by backup.restore.test.ts), so these tests need no database.
 */
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { BackupHost, DAY, T0, idAt } from "../support/backup-host";

/** A stand-in for mariadb-dump that writes a small, complete dump. */
const fakeDump = `printf -- '-- fake dump of %s\\nCREATE TABLE t (id INT);\\n-- Dump completed on 2030-01-01  0:00:00\\n' "$*"`;

const hosts: BackupHost[] = [];
function newHost(retentionDays = 14): BackupHost {
    const h = new BackupHost({ retentionDays, dumpScript: fakeDump });
    hosts.push(h);
    fs.mkdirSync(h.backupDir, { recursive: true, mode: 0o700 });
    return h;
}
afterAll(() => hosts.forEach((h) => h.cleanup()));

/** A fake-dated set: only the name matters to retention (its mtime is set to "now" on purpose). */
function plantSet(h: BackupHost, epoch: number): string {
    const id = idAt(epoch);
    fs.mkdirSync(path.join(h.backupDir, id));
    fs.writeFileSync(path.join(h.backupDir, id, "db.sql.gz"), "x");
    return id;
}

function setLatest(h: BackupHost, id: string): void {
    fs.rmSync(path.join(h.backupDir, "latest"), { force: true });
    fs.symlinkSync(id, path.join(h.backupDir, "latest"));
}

test("a successful run deletes exactly the sets older than retentionDays, judged by the date in the name", () => {
    const h = newHost(14);
    const keep = [plantSet(h, T0 - 1 * DAY), plantSet(h, T0 - 13 * DAY), plantSet(h, T0 - 14 * DAY)]; // 14 days exactly: kept
    const expired = [plantSet(h, T0 - 14 * DAY - 1), plantSet(h, T0 - 15 * DAY), plantSet(h, T0 - 400 * DAY)];
    setLatest(h, keep[0]);
    // Things that are not backup sets are never touched; an interrupted run's leftovers are removed.
    fs.mkdirSync(path.join(h.backupDir, "notes"));
    fs.writeFileSync(path.join(h.backupDir, "20200101T000000Z.sql.gz"), "manual copy");
    fs.mkdirSync(path.join(h.backupDir, `.tmp-${idAt(T0 - DAY + 60)}`));

    const r = h.run("backup", [], { now: T0 });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/removing unfinished set \.tmp-/);
    expect(h.sets()).toEqual([...keep, idAt(T0)].sort());
    expect(h.latest()).toBe(idAt(T0));
    expect(h.status()).toMatchObject({ result: "ok", deleted: [...expired].sort() });
    expect(fs.readdirSync(h.backupDir).sort()).toEqual([".lock", "20200101T000000Z.sql.gz", "latest", "notes", "status.json", ...keep, idAt(T0)].sort());
});

test("mtime does not matter: an old file date on a new set does not expire it", () => {
    const h = newHost(14);
    const recent = plantSet(h, T0 - 2 * DAY);
    const old = new Date((T0 - 100 * DAY) * 1000);
    fs.utimesSync(path.join(h.backupDir, recent), old, old);
    fs.utimesSync(path.join(h.backupDir, recent, "db.sql.gz"), old, old);
    expect(h.run("backup", [], { now: T0 }).code).toBe(0);
    expect(h.sets()).toEqual([recent, idAt(T0)]);
});

test("--prune never deletes the last good set, even when it is older than retentionDays", () => {
    const h = newHost(14);
    const older = plantSet(h, T0 - 30 * DAY);
    const lastGood = plantSet(h, T0 - 20 * DAY);
    setLatest(h, lastGood);
    const r = h.run("backup", ["--prune"], { now: T0 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`keeping ${lastGood} although it is older than 14 days: it is the last good backup`));
    expect(h.sets()).toEqual([lastGood]);
    expect(h.latest()).toBe(lastGood);
    // --prune is not a backup run: it writes no status that could hide a failed night.
    expect(fs.existsSync(path.join(h.backupDir, "status.json"))).toBe(false);
    expect(older).not.toBe(lastGood);
});

test("without a latest marker, the newest set counts as the last good one", () => {
    const h = newHost(7);
    plantSet(h, T0 - 30 * DAY);
    const newest = plantSet(h, T0 - 10 * DAY);
    expect(h.run("backup", ["--prune"], { now: T0 }).code).toBe(0);
    expect(h.sets()).toEqual([newest]);
});

test("property: for any ages and retention, the sets left are exactly the model's", () => {
    const h = newHost(1);
    fc.assert(
        fc.property(
            fc.integer({ min: 1, max: 90 }),
            fc.uniqueArray(fc.integer({ min: 0, max: 120 * DAY }), { minLength: 0, maxLength: 8 }),
            fc.option(fc.nat(7), { nil: undefined }),
            (retentionDays, ages, latestIndex) => {
                fs.rmSync(h.backupDir, { recursive: true, force: true });
                fs.mkdirSync(h.backupDir, { mode: 0o700 });
                const ids = ages.map((a) => plantSet(h, T0 - a));
                const latest = latestIndex !== undefined && ids.length > 0 ? ids[latestIndex % ids.length] : undefined;
                if (latest) setLatest(h, latest);
                h.writeConf(`RETENTION_DAYS=${retentionDays}`);
                const r = h.run("backup", ["--prune"], { now: T0 });
                expect(r.code).toBe(0);

                const protectedId = latest ?? [...ids].sort().pop();
                const expected = ids.filter((id, i) => ages[i] <= retentionDays * DAY || id === protectedId).sort();
                expect(h.sets()).toEqual(expected);
            },
        ),
        { numRuns: 40, seed: 20300115 },
    );
});
