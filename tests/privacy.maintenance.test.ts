/**
 * The hourly privacy maintenance job, run on a real MariaDB: audit-log IPs are anonymised and
 * email statistics of deleted contacts are removed after the cleanup period, nothing else.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../components/render/privacyMaintenance";
import { MariaDbServer } from "./support/mariadb";
import { verifyUnitsInRoot } from "./support/systemd";
import { requireTool } from "./support/tools";

const input = { cleanupDaysOld: 21, dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" };
const files = renderPrivacyMaintenanceFiles(input);
const file = (p: string) => files.find((f) => f.path === p)!;

let db: MariaDbServer;
let dir: string;
let script: string;
let conf: string;

beforeAll(async () => {
    db = await MariaDbServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-privacy-"));
    script = path.join(dir, "mautic-privacy-maintenance");
    fs.writeFileSync(script, file(privacyMaintenancePaths.script).content, { mode: 0o750 });
    conf = path.join(dir, "privacy.conf");
    fs.writeFileSync(conf, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})\n`, { mode: 0o600 });
    db.sql("CREATE DATABASE mautic CHARACTER SET utf8mb4");
}, 120_000);

afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run(confFile = conf) {
    const r = spawnSync("bash", [script], { encoding: "utf8", env: { ...process.env, MAUTIC_PRIVACY_CONF: confFile } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("on a database without Mautic's tables", () => {
    test("does nothing and succeeds (the timer may fire before the install)", () => {
        const r = run();
        expect(r.out).toMatch(/Mautic is not installed yet/);
        expect(r.code).toBe(0);
    });
});

describe("on Mautic's tables", () => {
    beforeAll(() => {
        db.sql(
            `CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, bundle VARCHAR(50), object VARCHAR(50), ip_address VARCHAR(45) NOT NULL, date_added DATETIME NOT NULL);
             CREATE TABLE email_stats (id INT AUTO_INCREMENT PRIMARY KEY, lead_id INT NULL, email_address VARCHAR(191) NOT NULL, date_sent DATETIME NOT NULL);
             INSERT INTO audit_log (bundle, object, ip_address, date_added) VALUES
               ('lead', 'lead', '203.0.113.77', NOW()), ('lead', 'lead', '2001:db8::42', NOW()), ('form', 'submission', '*.*.*.*', NOW());
             INSERT INTO email_stats (lead_id, email_address, date_sent) VALUES
               (NULL, 'gone-old@example.de', NOW() - INTERVAL 30 DAY),
               (NULL, 'gone-recent@example.de', NOW() - INTERVAL 3 DAY),
               (7, 'kept-old@example.de', NOW() - INTERVAL 400 DAY);`,
            "mautic",
        );
    });

    test("anonymises every audit-log IP and removes only old statistics of deleted contacts", () => {
        const r = run();
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/audit_log rows anonymised: 2; email_stats rows of deleted contacts removed: 1/);
        expect(db.sql("SELECT DISTINCT ip_address FROM audit_log", "mautic")).toEqual([["*.*.*.*"]]);
        expect(db.sql("SELECT email_address FROM email_stats ORDER BY id", "mautic").flat()).toEqual(["gone-recent@example.de", "kept-old@example.de"]);
        expect(db.value("SELECT COUNT(*) FROM audit_log", "mautic")).toBe("3");
    });

    test("a second run changes nothing", () => {
        const r = run();
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/anonymised: 0; .* removed: 0/);
    });

    test("a wrong database password fails loudly (exit 1)", () => {
        const bad = path.join(dir, "bad.cnf");
        fs.writeFileSync(bad, fs.readFileSync(db.clientCnf, "utf8").replace(/password\s*=.*/i, "password=wrong"), { mode: 0o600 });
        const badConf = path.join(dir, "bad.conf");
        fs.writeFileSync(badConf, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${bad})\n`, { mode: 0o600 });
        const r = run(badConf);
        expect(r.code).not.toBe(0);
        expect(r.out).toMatch(/Access denied/);
    });

    test("refuses a settings file others can read", () => {
        const loose = path.join(dir, "loose.conf");
        fs.writeFileSync(loose, fs.readFileSync(conf, "utf8"), { mode: 0o644 });
        fs.chmodSync(loose, 0o644);
        const r = run(loose);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/must be owned by .* with mode 0600/);
    });
});

describe("the rendered files", () => {
    test("the script passes shellcheck and uses the configured cleanup period", () => {
        const r = spawnSync(requireTool("shellcheck"), ["--shell=bash", "--severity=style", script], { encoding: "utf8" });
        expect(r.stdout + r.stderr).toBe("");
        expect(file(privacyMaintenancePaths.script).content).toMatch(/^DAYS='21'$/m);
        expect(renderPrivacyMaintenanceFiles({ ...input, cleanupDaysOld: 7 })[0].content).toMatch(/^DAYS='7'$/m);
    });

    test("systemd-analyze verify accepts the service and the half-hourly timer", () => {
        const { output, status } = verifyUnitsInRoot(dir, files, [privacyMaintenancePaths.service, privacyMaintenancePaths.timer]);
        expect(output).toBe("");
        expect(status).toBe(0);
        expect(file(privacyMaintenancePaths.timer).content).toMatch(/^OnCalendar=\*:0\/30$/m);
    });

    test("bad input is refused with the field named", () => {
        expect(() => renderPrivacyMaintenanceFiles({ ...input, cleanupDaysOld: 0 })).toThrow(/cleanupDaysOld = 0/);
        expect(() => renderPrivacyMaintenanceFiles({ ...input, dbContainer: "a b" })).toThrow(/dbContainer/);
    });
});
