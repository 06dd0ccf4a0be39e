/**
 * The erasure journal survives a restore: back up (the person is in the set), erase with
 * `npm run dsr`, restore the set with the rendered mautic-restore on a real MariaDB. The
 * restored database holds no trace of the erased person (full dump grep), an objector who was
 * re-added later is erased again, a person who signed up again after a plain erasure stays.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { main } from "../../dsr/cli";
import { addressHash } from "../../dsr/sql";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { BackupHost, DAY, T0, idAt } from "../support/backup-host";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, Person, plantPerson, subject } from "../support/mautic-person";
import { requireTool } from "../support/tools";

const legacy: Person = { email: "ludmilla.altbestand@example.com", firstname: "Ludmilla", lastname: "Altbestand" };
const objector: Person = { email: "olga.widerspruch@example.com", firstname: "Olga", lastname: "Widerspruch" };

// Restores and backups of a real MariaDB: slow on a loaded machine.
jest.setTimeout(300_000);

let db: MariaDbServer;
let host: BackupHost;
let url: string;
let journalDir: string;
let keyFile: string;

beforeAll(async () => {
    for (const t of ["gzip", "tar", "sha256sum", "flock", "mariadb-dump"]) requireTool(t);
    db = await MariaDbServer.start();
    createMauticSchema(db);
    plantPerson(db, bystander, { ip: 1 });
    plantPerson(db, subject, { ip: 2 });
    plantPerson(db, objector, { ip: 1 });
    host = new BackupHost({ db });
    journalDir = path.join(host.dataDir, "dsr");
    fs.mkdirSync(path.join(host.filesRoot, "config"), { recursive: true });
    fs.writeFileSync(path.join(host.filesRoot, "config", "local.php"), "<?php\n");
    url = `mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`;
    keyFile = path.join(host.root, "address-hash.key");
    fs.writeFileSync(keyFile, `${"RestoreKey".repeat(6)}0123\n`, { mode: 0o600 });
    host.writeConf(`HASH_KEY_FILE=${keyFile}`);
});

afterAll(async () => {
    host?.cleanup();
    await db?.stop();
});

async function dsr(...args: string[]) {
    let err = "";
    const code = await main([...args, "--hash-key-file", keyFile], { out: () => undefined, err: (s) => (err += s) });
    return { code, err };
}

function dumpText(): string {
    return execFileSync(requireTool("mariadb-dump"), [`--defaults-extra-file=${db.clientCnf}`, "--databases", "mautic"], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
    }).toLowerCase();
}

function traces(p: Person, text = dumpText()): string[] {
    return [p.email.toLowerCase(), p.firstname.toLowerCase(), p.lastname.toLowerCase()].filter((n) => text.includes(n));
}

const leadsOf = (p: Person) => db.value(`SELECT COUNT(*) FROM leads WHERE LOWER(email) = '${p.email.toLowerCase()}'`, "mautic");

test("restore re-applies the journal before Mautic starts: erased people stay erased", async () => {
    expect(host.run("backup", [], { now: T0 }).code).toBe(0); // everybody is in this set
    const r1 = await dsr("erase", "--email", subject.email, "--mysql", url, "--journal", journalDir, "--yes");
    expect(r1.code).toBe(0);
    const r2 = await dsr("erase", "--email", objector.email, "--mysql", url, "--journal", journalDir, "--yes", "--objected");
    expect(r2.code).toBe(0);
    expect(traces(subject)).toEqual([]);
    expect(traces(objector)).toEqual([]);
    const journal = fs.readFileSync(path.join(journalDir, "journal"), "utf8").trim().split("\n");
    expect(journal.map((l) => l.split(" ")[2])).toEqual(["erased", "suppressed"]);

    // After the erasure both come back: the subject signs up again (new consent, later date),
    // the objector is re-added (e.g. an import). A second backup holds both.
    plantPerson(db, subject, { ip: 1, when: "2099-01-01 10:00:00" });
    plantPerson(db, objector, { ip: 1, when: "2099-01-01 10:00:00" });
    expect(host.run("backup", [], { now: T0 + DAY }).code).toBe(0);

    // Restore the set from before the erasures: neither may come back.
    const r = host.run("restore", ["--yes", "--no-safety-backup", idAt(T0)]);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("re-applied 2 erasures");
    const text = dumpText();
    expect(traces(subject, text)).toEqual([]);
    expect(traces(objector, text)).toEqual([]);
    expect(traces(bystander, text)).toEqual(["bertram.nachbar@example.net", "bertram", "nachbar"]);
    // The erasures ran while Mautic's containers were stopped: the database was loaded and cleaned
    // between "stop" and "start".
    expect(host.dockerCalls()).toEqual(["stop mautic_web mautic_worker mautic_cron", "start mautic_web mautic_worker mautic_cron"]);

    // Restore the later set: the new sign-up stays, the objector is erased again (no date limit).
    const later = host.run("restore", ["--yes", "--no-safety-backup", idAt(T0 + DAY)]);
    expect(later.code).toBe(0);
    expect(leadsOf(subject)).toBe("1");
    expect(db.value(`SELECT date_added FROM leads WHERE LOWER(email) = '${subject.email.toLowerCase()}'`, "mautic")).toBe("2099-01-01 10:00:00");
    expect(leadsOf(objector)).toBe("0");
    expect(traces(objector)).toEqual([]);
});

test("the privacy job's --reapply-erasures --suppressed-only erases a re-added objector, nobody else; a plain (pre-key) line still works", async () => {
    const journal = fs.readFileSync(path.join(journalDir, "journal"), "utf8");
    expect(journal).toMatch(/^(\S+ hmac:[0-9a-f]{64} (erased|suppressed)\n){2}$/);
    // A line from before the stack had its key: the plain SHA-256 of the address.
    fs.appendFileSync(path.join(journalDir, "journal"), `2030-01-01T00:00:00Z ${addressHash(legacy.email.toLowerCase())} suppressed\n`);
    plantPerson(db, legacy, { ip: 1, when: "2099-02-01 10:00:00" });
    plantPerson(db, objector, { ip: 1, when: "2099-02-01 10:00:00" });
    const r = host.run("restore", ["--reapply-erasures", "--suppressed-only"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("re-applied 2 erasures");
    expect(leadsOf(legacy)).toBe("0");
    expect(traces(legacy)).toEqual([]);
    expect(leadsOf(objector)).toBe("0");
    expect(leadsOf(subject)).toBe("1");
    expect(leadsOf(bystander)).toBe("1");
});

test("the privacy maintenance job erases an objector who was added again, and does nothing otherwise", () => {
    const script = path.join(host.root, "mautic-privacy-maintenance");
    const files = renderPrivacyMaintenanceFiles({ dataDir: host.dataDir, dbContainer: "mautic_db", database: "mautic" });
    fs.writeFileSync(script, files.find((f) => f.path === privacyMaintenancePaths.script)!.content, { mode: 0o750 });
    const conf = path.join(host.root, "privacy.conf");
    fs.writeFileSync(
        conf,
        `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})\nRESTORE_BIN=${host.restoreScript}\nHASH_KEY_FILE=${keyFile}\n`,
        {
            mode: 0o600,
        },
    );
    const run = () => spawnSync("bash", [script], { encoding: "utf8", env: { ...process.env, MAUTIC_PRIVACY_CONF: conf, MAUTIC_BACKUP_CONF: host.confFile } });

    const quiet = run();
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).not.toMatch(/added again/);

    plantPerson(db, objector, { ip: 1, when: "2099-03-01 10:00:00" });
    plantPerson(db, legacy, { ip: 1, when: "2099-03-01 10:00:00" }); // on the journal by its plain SHA-256
    // While a backup holds the lock: no failure, the next run erases.
    const lock = spawnSync("flock", [path.join(host.backupDir, ".lock"), "bash", script], {
        encoding: "utf8",
        env: { ...process.env, MAUTIC_PRIVACY_CONF: conf, MAUTIC_BACKUP_CONF: host.confFile },
    });
    expect(lock.status).toBe(0);
    expect(lock.stdout).toMatch(/a backup is running, suppressed contacts are erased on the next run/);
    expect(leadsOf(objector)).toBe("1");
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 contact\(s\) with a suppressed address were added again: erasing them/);
    expect(r.stdout).toMatch(/re-applied 2 erasures/);
    expect(leadsOf(objector)).toBe("0");
    expect(leadsOf(legacy)).toBe("0");
    expect(traces(objector)).toEqual([]);
    expect(leadsOf(subject)).toBe("1");
});

test("keyed journal lines without the key file: the restore stops, naming the key", () => {
    host.writeConf(`HASH_KEY_FILE=${host.root}/no-such.key`);
    const r = host.run("restore", ["--reapply-erasures"]);
    host.writeConf(`HASH_KEY_FILE=${keyFile}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the address-hash key ${host.root}/no-such.key is missing`);
    expect(r.stderr).toMatch(/cannot re-apply keyed erasures without the address-hash key/);
});

test("a journal that others could read or a malformed line stops the restore with Mautic left stopped", () => {
    const j = path.join(journalDir, "journal");
    fs.chmodSync(j, 0o644);
    const r = host.run("restore", ["--yes", "--no-safety-backup", idAt(T0)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/journal holds secrets but is readable by others/);
    expect(r.stderr).toMatch(/LEFT STOPPED/);
    fs.chmodSync(j, 0o600);
    fs.appendFileSync(j, "garbage line\n");
    const m = host.run("restore", ["--yes", "--no-safety-backup", idAt(T0)]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/journal line 4 is not/);
});
