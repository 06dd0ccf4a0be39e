/**
 * The security alerts (mautic-kit-security), run for real: shellcheck, systemd-analyze verify,
 * and the script on a real MariaDB holding Mautic 5.2.1's own `users`, `roles` and `audit_log`
 * tables (their CREATE TABLE as a 5.2.1 install made them) plus an edge access log in the exact
 * JSON the kit's Caddy writes. The rows are those Mautic 5.2.1 writes for each action (observed on
 * a real instance: docs/evidence/2026-12-07-security-alerts.md). Each alert fires once; a quiet
 * run sends nothing; the staff access log and the remembered networks end after staffAccessLogDays.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderSecurityAlertFiles, securityPaths, validateSecurityAlertsInput } from "../../components/host/securityAlerts";
import { alertPaths } from "../../components/host/alerts";
import { MariaDbServer } from "../support/mariadb";
import { verifyUnitsInRoot } from "../support/systemd";
import { requireTool } from "../support/tools";

// SHOW CREATE TABLE on Mautic 5.2.1 (local-mautic, kit profile), trimmed to the columns and keys.
const schema = `
CREATE TABLE roles (id int(10) unsigned NOT NULL AUTO_INCREMENT, is_published tinyint(1) NOT NULL, name varchar(191) NOT NULL,
  description longtext DEFAULT NULL, is_admin tinyint(1) NOT NULL, readable_permissions longtext NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE users (id int(10) unsigned NOT NULL AUTO_INCREMENT, role_id int(10) unsigned NOT NULL, is_published tinyint(1) NOT NULL,
  username varchar(191) NOT NULL, password varchar(64) NOT NULL, first_name varchar(191) NOT NULL, last_name varchar(191) NOT NULL,
  email varchar(191) NOT NULL, last_login datetime DEFAULT NULL, PRIMARY KEY (id), UNIQUE KEY (username), UNIQUE KEY (email),
  CONSTRAINT FOREIGN KEY (role_id) REFERENCES roles (id)) ENGINE=InnoDB;
CREATE TABLE audit_log (id bigint(20) unsigned NOT NULL AUTO_INCREMENT, user_id int(11) NOT NULL, user_name varchar(191) NOT NULL,
  bundle varchar(50) NOT NULL, object varchar(50) NOT NULL, object_id bigint(20) unsigned NOT NULL, action varchar(50) NOT NULL,
  details longtext DEFAULT NULL, date_added datetime NOT NULL, ip_address varchar(45) NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;
INSERT INTO roles (id, is_published, name, is_admin, readable_permissions) VALUES (1, 1, 'Administrator', 1, 'N;'), (2, 1, 'Sales', 0, 'N;');
INSERT INTO users (id, role_id, is_published, username, password, first_name, last_name, email) VALUES (1, 1, 1, 'admin', 'x', 'Mautic', 'Administrator', 'admin@example.org');
`;

const days = 30;
const files = renderSecurityAlertFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic", staffAccessLogDays: days });
const script = files.find((f) => f.path === securityPaths.script)!.content;

let db: MariaDbServer;
let dir: string;
let edgeLog: string;
let sent: string;
let staffLog: string;
let stateDir: string;

beforeAll(async () => {
    db = await MariaDbServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-security-"));
    edgeLog = path.join(dir, "access.log");
    sent = path.join(dir, "sent");
    staffLog = path.join(dir, "staff-access.log");
    stateDir = path.join(dir, "state");
    fs.writeFileSync(path.join(dir, "mautic-kit-security"), script, { mode: 0o750 });
    fs.writeFileSync(path.join(dir, "alert"), `#!/bin/sh\nprintf '%s|%s|%s\\n' "$1" "$2" "$3" >> '${sent}'\n`, { mode: 0o755 });
    const conf = [
        "DB_CONTAINER=''",
        `DB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})`,
        `EDGE_LOG='${edgeLog}'`,
        `STAFF_LOG='${staffLog}'`,
        `STATE_DIR='${stateDir}'`,
        `ALERT_BIN='${path.join(dir, "alert")}'`,
    ];
    fs.writeFileSync(path.join(dir, "security.conf"), `${conf.join("\n")}\n`, { mode: 0o600 });
    db.sql("CREATE DATABASE mautic CHARACTER SET utf8mb4");
}, 120_000);

afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run() {
    if (fs.existsSync(sent)) fs.rmSync(sent);
    const r = spawnSync("bash", [path.join(dir, "mautic-kit-security")], {
        encoding: "utf8",
        env: { ...process.env, MAUTIC_KIT_SECURITY_CONF: path.join(dir, "security.conf") },
    });
    const alerts = fs.existsSync(sent) ? fs.readFileSync(sent, "utf8").trim().split("\n") : [];
    return { code: r.status, out: `${r.stdout}${r.stderr}`, alerts, kinds: alerts.map((a) => a.split("|")[1]).sort() };
}
const q = (sql: string) => db.sql(sql, "mautic");
const now = () => Math.floor(Date.now() / 1000);
/** One request as the kit's Caddy logs it (client IP masked, no headers). */
let lastTs = 0;
/**
 * A scenario's events are placed SHIFT seconds ahead of the clock, `ago` seconds apart: the
 * script reads only edge lines newer than its cursor, which is the previous run's start (whole
 * seconds) or the newest line it read. A line backdated behind that cursor would be one Caddy
 * never writes (it logs each request as it ends) and was silently skipped whenever the run before
 * started in the same second (the test then failed only on a fast machine).
 */
const SHIFT = 5;
function edge(o: { ago?: number; ip: string; method: string; uri: string; status: number }) {
    // Caddy writes a line when the request ends: the file is in time order.
    const ts = (lastTs = Math.max(lastTs + 0.001, now() + SHIFT - (o.ago ?? 0) + 0.123456));
    const line = {
        level: "info",
        ts,
        logger: "http.log.access.log0",
        msg: "handled request",
        request: { remote_ip: o.ip, proto: "HTTP/2.0", method: o.method, host: "m.example.de", uri: o.uri },
        user_id: "",
        duration: 0.2,
        size: 278,
        status: o.status,
    };
    fs.appendFileSync(edgeLog, `${JSON.stringify(line)}\n`);
}
/** An audit_log row as Mautic 5.2.1 writes it (anonymize_ip pinned: '*.*.*.*'). */
function audit(o: { bundle: string; object: string; objectId: number; action: string; userId: number; userName: string; ago?: number }) {
    q(`INSERT INTO audit_log (user_id, user_name, bundle, object, object_id, action, details, date_added, ip_address) VALUES
      (${o.userId}, '${o.userName}', '${o.bundle}', '${o.object}', ${o.objectId}, '${o.action}', 'a:0:{}', UTC_TIMESTAMP() + INTERVAL ${SHIFT - (o.ago ?? 0)} SECOND, '*.*.*.*')`);
}
function login(o: { userId: number; userName: string; ip: string }) {
    edge({ ip: o.ip, method: "POST", uri: "/s/login_check", status: 302, ago: 1 });
    audit({ bundle: "user", object: "security", objectId: o.userId, action: "login", userId: o.userId, userName: o.userName });
}
const staffLines = () => fs.readFileSync(staffLog, "utf8").trim().split("\n");

test("the script passes shellcheck, the units systemd-analyze verify, the timer runs every 15 minutes", () => {
    const f = path.join(dir, "check.sh");
    fs.writeFileSync(f, script);
    const sc = spawnSync(requireTool("shellcheck"), ["-s", "bash", f], { encoding: "utf8" });
    expect(sc.stdout).toBe("");
    expect(sc.status).toBe(0);
    const v = verifyUnitsInRoot(dir, files, [securityPaths.service, securityPaths.timer]);
    expect(v.output).toBe("");
    expect(v.status).toBe(0);
    expect(files.find((x) => x.path === alertPaths.dropIn("mautic-kit-security.service"))!.content).toMatch(/^OnFailure=mautic-kit-alert@%n\.service$/m);
    expect(files.find((x) => x.path === securityPaths.timer)!.content).toMatch(/^OnCalendar=\*:0\/15$/m);
});

test("bad input names the field and the fix", () => {
    const ok = { dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic", staffAccessLogDays: 180 };
    expect(validateSecurityAlertsInput(ok)).toEqual([]);
    expect(validateSecurityAlertsInput({ ...ok, staffAccessLogDays: 3 })).toEqual(["staffAccessLogDays = 3 must be a whole number of days from 7 to 730"]);
    expect(validateSecurityAlertsInput({ ...ok, dbContainer: "a b", failedLoginLimit: 0 })).toEqual([
        'dbContainer = "a b" is not a Docker container name',
        "failedLoginLimit = 0 must be a whole number from 1 to 10000",
    ]);
});

test("before Mautic is installed: nothing to check, success", () => {
    const r = run();
    expect(r.out).toMatch(/Mautic is not installed yet/);
    expect(r.code).toBe(0);
    expect(r.alerts).toEqual([]);
});

describe("on Mautic's tables", () => {
    beforeAll(() => {
        for (const s of schema.split(";\n").filter((x) => x.trim())) q(s);
        // History before the first run: it is recorded, never alerted.
        login({ userId: 1, userName: "Mautic Administrator", ip: "198.51.100.0" });
        fs.appendFileSync(edgeLog, "not json\n");
    });

    test("the first run records the administrators and alerts nothing; a quiet run neither", () => {
        const first = run();
        expect(first.out).toMatch(/first run, 1 administrator\(s\) recorded/);
        expect([first.code, first.alerts]).toEqual([0, []]);
        const quiet = run();
        expect([quiet.code, quiet.alerts]).toEqual([0, []]);
        expect(quiet.out).toMatch(/0 alert\(s\); logins 0, failed logins 0/);
    });

    test("an admin login from a new network alerts once; from a known network never", () => {
        login({ userId: 1, userName: "Mautic Administrator", ip: "203.0.113.0" });
        const r = run();
        expect(r.kinds).toEqual(["security:admin-network"]);
        expect(r.alerts[0]).toMatch(
            /^security\|security:admin-network\|administrator 'Mautic Administrator' \(id 1\) logged in from the network 203\.0\.113\.0 /,
        );
        login({ userId: 1, userName: "Mautic Administrator", ip: "203.0.113.0" });
        expect(run().alerts).toEqual([]);
        expect(staffLines().filter((l) => /\tlogin\t/.test(l))).toHaveLength(2);
    });

    test("a non-admin user's login is logged, not alerted", () => {
        q(
            "INSERT INTO users (id, role_id, is_published, username, password, first_name, last_name, email) VALUES (2, 2, 1, 'sam', 'x', 'Sam', 'Sales', 'sam@example.org')",
        );
        login({ userId: 2, userName: "Sam Sales", ip: "192.0.2.0" });
        expect(run().alerts).toEqual([]);
        expect(staffLines().some((l) => /\tlogin\tSam Sales\t192\.0\.2\.0\tuser id 2$/.test(l))).toBe(true);
    });

    test("a new administrator, API use from a new network, contact exports and many failed logins each alert once", () => {
        // The API (basic auth) from a new network creates an admin; Mautic logs the user's creation.
        edge({ ip: "100.64.7.0", method: "POST", uri: "/api/users/new", status: 201, ago: 3 });
        q(
            "INSERT INTO users (id, role_id, is_published, username, password, first_name, last_name, email) VALUES (3, 1, 1, 'mallory', 'x', 'Test', 'Mallory', 'm@example.org')",
        );
        audit({ bundle: "user", object: "user", objectId: 3, action: "create", userId: 1, userName: "Mautic Administrator" });
        // 12 wrong passwords on the login form and one refused API call (no audit rows: Mautic logs none).
        for (let i = 0; i < 12; i++) edge({ ip: "100.64.6.0", method: "POST", uri: "/s/login_check", status: 302, ago: 2 });
        edge({ ip: "100.64.6.0", method: "GET", uri: "/api/contacts", status: 401, ago: 2 });
        login({ userId: 3, userName: "Test Mallory", ip: "100.64.8.0" });
        // The CSV export (scheduled, Mautic's default) and the direct XLSX export.
        audit({ bundle: "lead", object: "ContactExportScheduler", objectId: 1, action: "create", userId: 3, userName: "Test Mallory" });
        audit({ bundle: "lead", object: "ContactExports", objectId: 0, action: "create", userId: 3, userName: "Test Mallory" });
        // An OAuth2 client created in the UI.
        audit({ bundle: "api", object: "client", objectId: 4, action: "create", userId: 3, userName: "Test Mallory" });
        const r = run();
        expect(r.code).toBe(0);
        expect(r.kinds).toEqual([
            "security:admin-network",
            "security:api-client",
            "security:api-client",
            "security:contact-export",
            "security:contact-export",
            "security:failed-logins",
            "security:new-admin",
        ]);
        expect(r.alerts.join("\n")).toMatch(/security:failed-logins\|13 failed logins since .* \(admin UI: 12, API: 1\) from 100\.64\.6\.0$/m);
        expect(r.alerts.join("\n")).toMatch(/security:api-client\|the API answered a request from the network 100\.64\.7\.0 /);
        expect(r.alerts.join("\n")).toMatch(/security:admin-network\|administrator 'Test Mallory' \(id 3\) logged in from the network 100\.64\.8\.0 /);
        expect(r.alerts.join("\n")).toMatch(/security:new-admin\|user 'mallory' \(id 3\) now has an administrator role/);
        // Quiet again.
        expect(run().alerts).toEqual([]);
    });

    test("failed logins below the limit are logged only; a continuing attack alerts once", () => {
        for (let i = 0; i < 3; i++) edge({ ip: "100.64.9.0", method: "POST", uri: "/s/login_check", status: 302 });
        expect(run().alerts).toEqual([]);
        expect(staffLines().some((l) => /\tfailed-logins\t-\t100\.64\.9\.0\t3 failed login\(s\)/.test(l))).toBe(true);
        for (let i = 0; i < 10; i++) edge({ ip: "100.64.9.0", method: "POST", uri: "/s/login_check", status: 302 });
        expect(run().kinds).toEqual(["security:failed-logins"]);
        for (let i = 0; i < 10; i++) edge({ ip: "100.64.9.0", method: "POST", uri: "/s/login_check", status: 302 });
        expect(run().alerts).toEqual([]);
    });

    test(`the staff access log and the remembered networks end after staffAccessLogDays (${days})`, () => {
        const old = new Date((now() - (days + 1) * 86400) * 1000).toISOString().replace(/\.\d+Z$/, "Z");
        fs.appendFileSync(staffLog, `${old}\tlogin\tMautic Administrator\t203.0.113.0\tuser id 1\n`);
        // The admin's networks, as if last seen longer ago than the period.
        const nets = path.join(stateDir, "networks");
        fs.writeFileSync(nets, fs.readFileSync(nets, "utf8").replace(/\t\d+$/gm, `\t${now() - (days + 1) * 86400}`));
        const r = run();
        expect(r.alerts).toEqual([]);
        expect(staffLines().some((l) => l.startsWith(old))).toBe(false);
        expect(fs.readFileSync(nets, "utf8")).toBe("");
        // So the next login from 203.0.113.0 is from a network not seen within the period.
        login({ userId: 1, userName: "Mautic Administrator", ip: "203.0.113.0" });
        expect(run().kinds).toEqual(["security:admin-network"]);
    });

    test("a database that cannot be read fails the run (the OnFailure alert tells)", () => {
        const bad = path.join(dir, "bad.conf");
        fs.writeFileSync(bad, `${fs.readFileSync(path.join(dir, "security.conf"), "utf8")}DATABASE=missing_db\n`, { mode: 0o600 });
        const r = spawnSync("bash", [path.join(dir, "mautic-kit-security")], { encoding: "utf8", env: { ...process.env, MAUTIC_KIT_SECURITY_CONF: bad } });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/the database cannot be read/);
    });
});
