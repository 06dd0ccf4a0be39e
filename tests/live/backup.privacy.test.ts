/**
 * What a backup holds, on a real MariaDB with Mautic-shaped tables: the audit log's raw IPs are
 * anonymised (by the rendered privacy job) before the dump, and Mautic's message queue is dumped
 * as structure only (its page-hit requests and queued e-mails never reach a backup). The dump
 * restores into a fresh database with an empty queue table. The unit orders itself after the
 * privacy job (systemd-analyze verify).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { backupPaths, renderBackupFiles } from "../../components/host/backup";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { BackupHost } from "../support/backup-host";
import { MariaDbServer } from "../support/mariadb";
import { mauticSchemaSql } from "../support/mautic-schema";
import { verifyUnitsInRoot } from "../support/systemd";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
let host: BackupHost;
let dump = "";
let runOut = "";

beforeAll(async () => {
    for (const t of ["gzip", "tar", "sha256sum", "flock", "mariadb-dump"]) requireTool(t);
    db = await MariaDbServer.start();
    db.sql("CREATE DATABASE mautic CHARACTER SET utf8mb4");
    for (const stmt of mauticSchemaSql
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean))
        db.sql(stmt, "mautic");
    db.sql(
        `INSERT INTO audit_log (user_id, user_name, bundle, object, object_id, action, date_added, ip_address) VALUES
           (0, 'System', 'lead', 'lead', 1, 'create', UTC_TIMESTAMP(), '203.0.113.77'), (0, 'System', 'lead', 'lead', 1, 'update', UTC_TIMESTAMP(), '2001:db8::42');
         INSERT INTO leads (email, date_added, date_identified) VALUES ('kept@example.de', UTC_TIMESTAMP(), UTC_TIMESTAMP());
         INSERT INTO messenger_messages (body, headers, queue_name, created_at, available_at) VALUES
           ('O:36:"PageHitNotification":{"REMOTE_ADDR":"198.51.100.23","HTTP_COOKIE":"mtc_id=42"}', '[]', 'hit', UTC_TIMESTAMP(), UTC_TIMESTAMP());`,
        "mautic",
    );

    host = new BackupHost({ db });
    // The real privacy job, pointed at the test database (as on the host, but without Docker).
    const privacy = renderPrivacyMaintenanceFiles({ dataDir: host.dataDir, dbContainer: "mautic_db", database: "mautic" });
    const job = path.join(host.bin, "mautic-privacy-maintenance");
    fs.writeFileSync(job, privacy.find((f) => f.path === privacyMaintenancePaths.script)!.content, { mode: 0o750 });
    const privacyConf = path.join(host.root, "privacy.conf");
    fs.writeFileSync(privacyConf, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})\n`, { mode: 0o600 });
    host.writeConf(`PRIVACY_BIN=${job}`);
    const r = host.run("backup", [], { env: { MAUTIC_PRIVACY_CONF: privacyConf } });
    runOut = `${r.stdout}${r.stderr}`;
    if (r.code !== 0) throw new Error(runOut);
    const latest = fs.realpathSync(path.join(host.backupDir, "latest"));
    dump = execFileSync("gzip", ["-dc", path.join(latest, "db.sql.gz")], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}, 180_000);

afterAll(async () => {
    host?.cleanup();
    await db?.stop();
});

test("the privacy job anonymised the audit-log IPs before the dump", () => {
    expect(runOut).toMatch(/audit_log rows anonymised: 2/);
    expect(dump).not.toContain("203.0.113.77");
    expect(dump).not.toContain("2001:db8::42");
    expect(dump).toContain("*.*.*.*");
});

test("the message queue is in the dump as structure only", () => {
    expect(dump).toMatch(/CREATE TABLE `messenger_messages`/);
    expect(dump).not.toMatch(/INSERT INTO `messenger_messages`/);
    expect(dump).not.toContain("198.51.100.23");
    expect(dump).toMatch(/INSERT INTO `leads`/);
    expect(dump.trimEnd().split("\n").pop()).toMatch(/^-- Dump completed/);
});

test("the dump restores into a fresh server: data back, queue table empty", () => {
    db.sql("DROP DATABASE mautic");
    execFileSync(requireTool("mariadb"), [`--defaults-extra-file=${db.clientCnf}`], { input: dump, encoding: "utf8" });
    expect(db.value("SELECT email FROM leads", "mautic")).toBe("kept@example.de");
    expect(db.value("SELECT COUNT(*) FROM messenger_messages", "mautic")).toBe("0");
    expect(db.value("SELECT COUNT(*) FROM audit_log WHERE ip_address = '*.*.*.*'", "mautic")).toBe("2");
});

test("a missing privacy job is a warning, not a failed backup", () => {
    host.writeConf(`PRIVACY_BIN=${path.join(host.bin, "does-not-exist")}`);
    const r = host.run("backup", ["--no-prune"], { now: Math.floor(Date.now() / 1000) + 7200 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/does-not-exist is missing: audit-log IPs are not anonymised before this dump/);
});

test("systemd-analyze verify: the backup unit is ordered after the privacy job", () => {
    const files = [
        ...renderBackupFiles({ retentionDays: 14, dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }),
        ...renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }),
    ];
    const { output, status } = verifyUnitsInRoot(host.root, files, [backupPaths.service, backupPaths.timer, privacyMaintenancePaths.service]);
    expect(output).toBe("");
    expect(status).toBe(0);
    expect(files.find((f) => f.path === backupPaths.service)!.content).toMatch(/^After=.*\bmautic-privacy-maintenance\.service\b/m);
});
