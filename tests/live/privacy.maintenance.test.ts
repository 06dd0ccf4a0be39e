/**
 * The half-hourly privacy maintenance job, run on a real MariaDB with Mautic-shaped tables
 * (foreign keys and ON DELETE rules as Mautic declares them): audit-log IPs anonymised; the
 * double-opt-in safety net deletes unconfirmed sign-ups and never a contact that existed before;
 * unsubscribed contacts become a hashed suppression record; remains of deleted contacts go.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { keyedHash } from "../../components/shared/addressHash";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    failedMessageDays,
    privacyMaintenancePaths,
    renderConsentLedgerSql,
    renderDoiUnconfirmedSql,
    renderPrivacyMaintenanceFiles,
} from "../../components/host/privacyMaintenance";
import { doiNames } from "../../components/doi/doiBlueprint";
import { MariaDbServer } from "../support/mariadb";
import { mauticSchemaSql } from "../support/mautic-schema";
import { verifyUnitsInRoot } from "../support/systemd";
import { requireTool } from "../support/tools";

const input = { dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic", unconfirmedContactDays: 3, unsubscribedMinimiseDays: 30 };
const files = renderPrivacyMaintenanceFiles(input);
const file = (p: string) => files.find((f) => f.path === p)!;

let db: MariaDbServer;
let dir: string;
let script: string;
let conf: string;
let keyFile: string;
const hashKey = `${"PrivacyJobKey".repeat(4)}0123456789AB`; // 64 letters and digits, as the stack generates it

beforeAll(async () => {
    db = await MariaDbServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-privacy-"));
    script = path.join(dir, "mautic-privacy-maintenance");
    fs.writeFileSync(script, file(privacyMaintenancePaths.script).content, { mode: 0o750 });
    conf = path.join(dir, "privacy.conf");
    keyFile = path.join(dir, "address-hash.key");
    fs.writeFileSync(keyFile, `${hashKey}\n`, { mode: 0o600 });
    fs.writeFileSync(conf, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})\nHASH_KEY_FILE=${keyFile}\n`, { mode: 0o600 });
    db.sql("CREATE DATABASE mautic CHARACTER SET utf8mb4");
}, 120_000);

afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[] = [], confFile = conf) {
    const r = spawnSync("bash", [script, ...args], { encoding: "utf8", env: { ...process.env, MAUTIC_PRIVACY_CONF: confFile } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
const q = (sql: string) => db.sql(sql, "mautic");
const v = (sql: string) => db.value(sql, "mautic");
const ago = (spec: string) => `UTC_TIMESTAMP() - INTERVAL ${spec}`;
const ids = (sql: string) =>
    q(sql)
        .flat()
        .map(Number)
        .sort((a, b) => a - b);

describe("on a database without Mautic's tables", () => {
    test("does nothing and succeeds (the timer may fire before the install)", () => {
        const r = run();
        expect(r.out).toMatch(/Mautic is not installed yet/);
        expect(r.code).toBe(0);
    });
});

describe("on Mautic's tables", () => {
    let emails: { doi: number; newsletter: number };
    const tag = (name: string) => Number(v(`SELECT id FROM lead_tags WHERE tag = '${name}'`));

    /** A contact; returns its id. */
    function contact(o: { email: string; identified?: string; added?: string; tags?: string[]; consent?: boolean; owner?: boolean }): number {
        q(
            `INSERT INTO leads (email, date_added, date_identified, consent_date, owner_id) VALUES ('${o.email}', ${o.added ?? o.identified ?? "UTC_TIMESTAMP()"}, ${o.identified ?? "NULL"}, ${o.consent ? "NOW()" : "NULL"}, ${o.owner ? 1 : "NULL"})`,
        );
        const id = Number(v("SELECT MAX(id) FROM leads"));
        for (const t of o.tags ?? []) q(`INSERT INTO lead_tags_xref (lead_id, tag_id) VALUES (${id}, ${tag(t)})`);
        return id;
    }

    beforeAll(() => {
        for (const stmt of mauticSchemaSql
            .split(";")
            .map((s) => s.trim())
            .filter(Boolean))
            q(stmt);
        q("INSERT INTO lead_tags (tag) VALUES ('doi-pending'), ('doi-confirmed'), ('customer')");
        q(
            `INSERT INTO forms (name, alias) VALUES ('${doiNames.form("de")}', 'doi_de_sig'), ('${doiNames.form("en")}', 'doi_en_sig'), ('Contact us', 'contact')`,
        );
        for (const f of [1, 2])
            q(`CREATE TABLE form_results_${f}_doi_signup (submission_id INT NOT NULL PRIMARY KEY, form_id INT NOT NULL, email LONGTEXT NULL)`);
        q("CREATE TABLE form_results_3_contact (submission_id INT NOT NULL PRIMARY KEY, form_id INT NOT NULL, email LONGTEXT NULL)");
        q(`INSERT INTO emails (name, email_type) VALUES ('${doiNames.email("de")}', 'template'), ('Newsletter May', 'list')`);
        emails = { doi: 1, newsletter: 2 };
    });

    describe("the double-opt-in safety net and the consent ledger", () => {
        const c: Record<string, number> = {};
        let out = "";
        let seq = 0;
        /** A ledger row as the DOI endpoint writes it. */
        function signedUp(lead: number | null, o: { created: boolean; when: string; confirmed?: boolean; key?: string }): string {
            const id = (++seq).toString(16).padStart(32, "0");
            q(`INSERT INTO kit_consent_ledger (signup_id, address_key, contact_id, contact_created, form, language, consent_text_sha256, signed_up_at, outcome, mail_sent_at, confirmed_at, confirm_event, last_activity_at)
               VALUES ('${id}', '${(o.key ?? id).padEnd(64, "a")}', ${lead ?? "NULL"}, ${o.created ? 1 : 0}, 'kit-hosted', 'de', '${"c".repeat(64)}', ${o.when}, '${o.confirmed ? "confirmed" : "mail-sent"}', ${o.when},
                       ${o.confirmed ? o.when : "NULL"}, ${o.confirmed ? "'button-post'" : "NULL"}, ${o.when})`);
            return id;
        }
        beforeAll(() => {
            // The job creates the ledger tables itself (first run, before the endpoint's first sign-up).
            const first = run();
            if (first.code !== 0) throw new Error(first.out);
            q("INSERT INTO lead_tags (tag) VALUES ('doi-keep')");
            // Deleted: created by the endpoint 4 and 10 days ago, never confirmed.
            c.four = contact({ email: "four@example.de", added: ago("4 DAY"), tags: ["doi-pending"] });
            signedUp(c.four, { created: true, when: ago("4 DAY") });
            c.ten = contact({ email: "ten@example.de", added: ago("10 DAY"), tags: ["doi-pending"] });
            signedUp(c.ten, { created: true, when: ago("10 DAY") });
            // Kept: created 5 days ago, but signed up again yesterday (that link still works).
            c.again = contact({ email: "again@example.de", added: ago("5 DAY"), tags: ["doi-pending"] });
            signedUp(c.again, { created: true, when: ago("5 DAY") });
            signedUp(c.again, { created: false, when: ago("1 DAY") });
            // Kept: created 2 days ago (within unconfirmedContactDays).
            c.recent = contact({ email: "recent@example.de", added: ago("2 DAY"), tags: ["doi-pending"] });
            signedUp(c.recent, { created: true, when: ago("2 DAY") });
            // Kept: created and confirmed (also when the tag was removed by hand).
            c.confirmed = contact({ email: "confirmed@example.de", added: ago("10 DAY"), tags: ["customer"] });
            signedUp(c.confirmed, { created: true, when: ago("10 DAY"), confirmed: true });
            // Kept: existed before; a stranger submitted its address 10 days ago and never confirmed.
            c.preExisting = contact({ email: "old@example.de", added: ago("400 DAY"), identified: ago("400 DAY") });
            signedUp(c.preExisting, { created: false, when: ago("10 DAY") });
            // Kept: created by the endpoint, but the marketer tagged it doi-keep / it has a consent date.
            c.kept = contact({ email: "keep@example.de", added: ago("10 DAY"), tags: ["doi-pending", "doi-keep"] });
            signedUp(c.kept, { created: true, when: ago("10 DAY") });
            c.consented = contact({ email: "consent@example.de", added: ago("10 DAY"), consent: true });
            signedUp(c.consented, { created: true, when: ago("10 DAY") });
            // Kept: a newer contact that got the id of a deleted one (the ledger row is older than the contact... by far).
            c.reused = contact({ email: "reused@example.de", added: "UTC_TIMESTAMP()" });
            signedUp(c.reused, { created: true, when: ago("30 DAY") });
            // Kept: no ledger row at all (tagged doi-pending by someone else, or by the retired flow).
            c.tagOnly = contact({ email: "tag@example.de", added: ago("10 DAY"), tags: ["doi-pending"] });

            const r = run();
            if (r.code !== 0) throw new Error(r.out);
            out = r.out;
        });

        test("deletes exactly the contacts the endpoint created for sign-ups never confirmed, older than unconfirmedContactDays", () => {
            expect(out).toMatch(/unconfirmed double-opt-in contacts deleted: 2/);
            const left = ids("SELECT id FROM leads");
            for (const k of ["four", "ten"]) expect({ k, kept: left.includes(c[k]) }).toEqual({ k, kept: false });
            for (const k of ["again", "recent", "confirmed", "preExisting", "kept", "consented", "reused", "tagOnly"]) {
                expect({ k, kept: left.includes(c[k]) }).toEqual({ k, kept: true });
            }
        });

        test("the ledger rows stay (the proof), also of the deleted contacts", () => {
            expect(v(`SELECT COUNT(*) FROM kit_consent_ledger WHERE contact_id IN (${c.four}, ${c.ten})`)).toBe("2");
        });

        test("retention: the last mailing moves the date; rows are deleted after the end of the 3rd year after it", () => {
            const oldKey = "e".repeat(64);
            // Last activity 2021-06-30: kept until 2024-12-31, deleted from 2025-01-01 (today is later).
            q(`INSERT INTO kit_consent_ledger (signup_id, address_key, contact_id, contact_created, form, language, consent_text_sha256, signed_up_at, outcome, last_activity_at)
               VALUES ('${"f".repeat(32)}', '${oldKey}', NULL, 1, 'kit-hosted', 'de', '${"c".repeat(64)}', '2021-06-30 10:00:00', 'mail-sent', '2021-06-30 10:00:00')`);
            // Signed up long ago, but mailed last year: kept.
            c.mailed = contact({ email: "mailed@example.de", added: "'2020-01-01 00:00:00'", tags: ["doi-confirmed"] });
            const mailedRow = signedUp(c.mailed, { created: true, when: "'2020-01-01 00:00:00'", confirmed: true });
            q(
                `INSERT INTO email_stats (email_id, lead_id, email_address, date_sent) VALUES (${emails.newsletter}, ${c.mailed}, 'mailed@example.de', MAKEDATE(YEAR(UTC_DATE()) - 1, 100))`,
            );
            const r = run();
            expect(r.code).toBe(0);
            expect(r.out).toMatch(/consent ledger rows past their retention deleted: 1/);
            expect(v(`SELECT COUNT(*) FROM kit_consent_ledger WHERE address_key = '${oldKey}'`)).toBe("0");
            expect(v(`SELECT YEAR(last_activity_at) = YEAR(UTC_DATE()) - 1 FROM kit_consent_ledger WHERE signup_id = '${mailedRow}'`)).toBe("1");
            expect(renderConsentLedgerSql(3)).toContain("MAKEDATE(YEAR(last_activity_at) + 1 + 3, 1)");
            expect(() => renderConsentLedgerSql(0)).toThrow(/consentProofYears = 0/);
        });

        test("the criterion is one SQL template with the kit's tag names and period", () => {
            const sql = renderDoiUnconfirmedSql(3);
            expect(sql).toContain("g.contact_created = 1");
            expect(sql).toContain("INTERVAL 3 DAY");
            expect(sql).toContain("t.tag IN ('doi-confirmed', 'doi-keep')");
            expect(file(privacyMaintenancePaths.script).content).toContain(sql);
            expect(() => renderDoiUnconfirmedSql(0)).toThrow(/unconfirmedContactDays = 0/);
        });
    });

    describe("unsubscribed contacts", () => {
        const c: Record<string, number> = {};
        const sha = (e: string) => createHash("sha256").update(e.trim().toLowerCase()).digest("hex");
        let out = "";
        beforeAll(() => {
            // A list from before the stack had its key: no `keyed` column, a plain SHA-256 row.
            q("DROP TABLE IF EXISTS kit_suppression");
            q("CREATE TABLE kit_suppression (email_sha256 CHAR(64) NOT NULL PRIMARY KEY, unsubscribed_at DATETIME NOT NULL, recorded_at DATETIME NOT NULL)");
            q(`INSERT INTO kit_suppression VALUES ('${sha("legacy@example.de")}', ${ago("500 DAY")}, ${ago("500 DAY")})`);
            c.old = contact({ email: "Gone.Away@Example.de", identified: ago("400 DAY"), tags: ["doi-confirmed"] });
            q(`INSERT INTO kit_consent_ledger (signup_id, address_key, contact_id, contact_created, form, language, consent_text_sha256, signed_up_at, outcome, confirmed_at, last_activity_at)
               VALUES ('${"9".repeat(32)}', '${"9".repeat(64)}', ${c.old}, 1, 'kit-hosted', 'de', '${"c".repeat(64)}', ${ago("400 DAY")}, 'confirmed', ${ago("400 DAY")}, ${ago("400 DAY")})`);
            q(`INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel) VALUES (${c.old}, ${ago("40 DAY")}, 1, 'email')`);
            q(
                `INSERT INTO email_stats (email_id, lead_id, email_address, date_sent) VALUES (${emails.newsletter}, ${c.old}, 'Gone.Away@Example.de', ${ago("45 DAY")})`,
            );
            c.fresh = contact({ email: "fresh-unsub@example.de", identified: ago("400 DAY") });
            q(`INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel) VALUES (${c.fresh}, ${ago("10 DAY")}, 1, 'email')`);
            c.manual = contact({ email: "manual@example.de", identified: ago("400 DAY") });
            q(`INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel) VALUES (${c.manual}, ${ago("40 DAY")}, 3, 'email')`);
            c.bounced = contact({ email: "bounce@example.de", identified: ago("400 DAY") });
            q(`INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel) VALUES (${c.bounced}, ${ago("40 DAY")}, 2, 'email')`);
            const r = run();
            if (r.code !== 0) throw new Error(r.out);
            out = r.out;
        });

        test("without the key file the job stops (naming it) before it changes anything; --audit-ip-only needs no key", () => {
            const noKey = path.join(dir, "privacy-nokey.conf");
            fs.writeFileSync(noKey, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${db.clientCnf})\nHASH_KEY_FILE=${dir}/missing.key\n`, {
                mode: 0o600,
            });
            const before = v("SELECT COUNT(*) FROM leads");
            const r = run([], noKey);
            expect(r.code).toBe(1);
            expect(r.out).toContain(`the address-hash key ${dir}/missing.key is missing`);
            expect(v("SELECT COUNT(*) FROM leads")).toBe(before);
            expect(run(["--audit-ip-only"], noKey).code).toBe(0);
        });

        test("N days after the unsubscribe only the keyed hash of the address and the date remain", () => {
            expect(out).toMatch(/unsubscribed contacts reduced to a suppression record: 1/);
            const left = ids("SELECT id FROM leads");
            expect(left).not.toContain(c.old);
            for (const k of ["fresh", "manual", "bounced"]) expect(left).toContain(c[k]);
            // The new row: HMAC-SHA256 with the stack's key (Node's reference), marked keyed; the old plain row kept, keyed = 0.
            expect(q("SELECT email_sha256, keyed FROM kit_suppression ORDER BY keyed")).toEqual([
                [sha("legacy@example.de"), "0"],
                [keyedHash(hashKey, "gone.away@example.de"), "1"],
            ]);
            expect(v(`SELECT COUNT(*) FROM kit_suppression WHERE email_sha256 = '${sha("gone.away@example.de")}'`)).toBe("0");
            expect(q("SHOW COLUMNS FROM kit_suppression").map((r) => r[0])).toEqual(["email_sha256", "unsubscribed_at", "recorded_at", "keyed"]);
            // Nothing else of the address is left: not in the statistics either.
            expect(v("SELECT COUNT(*) FROM email_stats WHERE email_address LIKE '%Gone.Away%'")).toBe("0");
            // The consent proof survives the minimisation, its date moved to the withdrawal (40 days ago).
            expect(v(`SELECT DATEDIFF(UTC_TIMESTAMP(), last_activity_at) FROM kit_consent_ledger WHERE signup_id = '${"9".repeat(32)}'`)).toBe("40");
        });

        test("a later copy of the address gets its do-not-contact entry back; a pending sign-up is left alone", () => {
            c.reimported = contact({ email: "gone.away@example.de ", identified: ago("2 HOUR") });
            c.pending = contact({ email: "GONE.AWAY@example.de", identified: ago("2 HOUR"), tags: ["doi-pending"] });
            c.legacy = contact({ email: " Legacy@Example.de", identified: ago("2 HOUR") }); // matches the plain row
            const r = run();
            expect(r.out).toMatch(/suppressed addresses marked do-not-contact again: 2/);
            expect(q(`SELECT reason, channel FROM lead_donotcontact WHERE lead_id = ${c.legacy}`)).toEqual([["1", "email"]]);
            expect(q(`SELECT reason, channel FROM lead_donotcontact WHERE lead_id = ${c.reimported}`)).toEqual([["1", "email"]]);
            expect(v(`SELECT COUNT(*) FROM lead_donotcontact WHERE lead_id = ${c.pending}`)).toBe("0");
        });

        test("a new confirmed double opt-in lifts the suppression", () => {
            q(`DELETE FROM lead_tags_xref WHERE lead_id = ${c.pending}`);
            q(`INSERT INTO lead_tags_xref (lead_id, tag_id) VALUES (${c.pending}, ${tag("doi-confirmed")})`);
            const r = run();
            expect(r.out).toMatch(/suppression records lifted by a new confirmed sign-up: 1/);
            expect(q("SELECT keyed FROM kit_suppression").flat()).toEqual(["0"]);
        });
    });

    describe("remains of deleted contacts and audit-log IPs", () => {
        beforeAll(() => {
            q(`INSERT INTO audit_log (user_id, user_name, bundle, object, object_id, action, date_added, ip_address) VALUES
                 (0, 'System', 'lead', 'lead', 999999, 'delete', ${ago("2 HOUR")}, '203.0.113.77'),
                 (0, 'System', 'lead', 'lead', 999998, 'delete', ${ago("10 MINUTE")}, '2001:db8::42'),
                 (1, 'admin', 'email', 'email', 1, 'update', ${ago("2 HOUR")}, '198.51.100.1')`);
            q(`INSERT INTO email_stats (email_id, lead_id, email_address, date_sent) VALUES
                 (${emails.newsletter}, NULL, 'gone-old@example.de', ${ago("2 HOUR")}), (${emails.newsletter}, NULL, 'in-flight@example.de', ${ago("5 MINUTE")})`);
        });

        test("--audit-ip-only anonymises the IPs and deletes nothing", () => {
            const before = v("SELECT COUNT(*) FROM email_stats");
            const r = run(["--audit-ip-only"]);
            expect(r.code).toBe(0);
            expect(r.out).toMatch(/^mautic-privacy-maintenance: audit_log rows anonymised: 3$/m);
            expect(q("SELECT DISTINCT ip_address FROM audit_log").flat()).toEqual(["*.*.*.*"]);
            expect(v("SELECT COUNT(*) FROM email_stats")).toBe(before);
        });

        test("rows older than the grace period go; younger ones and other objects' entries stay", () => {
            const r = run();
            expect(r.code).toBe(0);
            expect(r.out).toMatch(/email_stats rows of deleted contacts removed: 1/);
            expect(r.out).toMatch(/audit_log entries of deleted contacts removed: 1/);
            expect(q("SELECT email_address FROM email_stats WHERE lead_id IS NULL").flat()).toEqual(["in-flight@example.de"]);
            expect(q("SELECT object_id FROM audit_log WHERE object = 'lead' AND object_id > 999000").flat()).toEqual(["999998"]);
            expect(v("SELECT COUNT(*) FROM audit_log WHERE object = 'email'")).toBe("1");
        });

        test("a second run changes nothing", () => {
            const r = run();
            expect(r.code).toBe(0);
            expect(r.out.match(/: [1-9]\d*/g)).toBeNull();
        });
    });

    test("a wrong database password fails loudly (exit 1)", () => {
        const bad = path.join(dir, "bad.cnf");
        fs.writeFileSync(bad, fs.readFileSync(db.clientCnf, "utf8").replace(/password\s*=.*/i, "password=wrong"), { mode: 0o600 });
        const badConf = path.join(dir, "bad.conf");
        fs.writeFileSync(badConf, `DB_CONTAINER=''\nDB_CLIENT_OPTS=(--defaults-extra-file=${bad})\n`, { mode: 0o600 });
        const r = run([], badConf);
        expect(r.code).not.toBe(0);
        expect(r.out).toMatch(/Access denied/);
    });

    test("refuses a settings file others can read", () => {
        const loose = path.join(dir, "loose.conf");
        fs.writeFileSync(loose, fs.readFileSync(conf, "utf8"), { mode: 0o644 });
        fs.chmodSync(loose, 0o644);
        const r = run([], loose);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/must be owned by .* with mode 0600/);
    });

    describe("the failed-message queue", () => {
        test(`messages in queue 'failed' are deleted once ${failedMessageDays} days old; younger ones and other queues stay`, () => {
            const msg = (queue: string, age: string) =>
                q(
                    `INSERT INTO messenger_messages (body, headers, queue_name, created_at, available_at) VALUES ('x', '[]', '${queue}', ${ago(age)}, ${ago(age)})`,
                );
            msg("failed", `${failedMessageDays} DAY + INTERVAL 1 MINUTE`);
            msg("failed", `${failedMessageDays} DAY - INTERVAL 1 MINUTE`);
            msg("default", `${failedMessageDays + 30} DAY`);
            const r = run();
            expect(r.code).toBe(0);
            expect(r.out).toContain(`failed-queue messages older than ${failedMessageDays} days deleted: 1`);
            expect(q("SELECT queue_name FROM messenger_messages ORDER BY id").flat()).toEqual(["failed", "default"]);
            // The backup's --audit-ip-only run leaves the queue alone.
            msg("failed", `${failedMessageDays + 1} DAY`);
            expect(run(["--audit-ip-only"]).code).toBe(0);
            expect(v("SELECT COUNT(*) FROM messenger_messages WHERE queue_name = 'failed'")).toBe("2");
            q("DELETE FROM messenger_messages");
        });
    });
});

describe("the rendered files", () => {
    test("the script passes shellcheck and uses the configured periods", () => {
        const r = spawnSync(requireTool("shellcheck"), ["--shell=bash", "--severity=style", script], { encoding: "utf8" });
        expect(r.stdout + r.stderr).toBe("");
        const other = renderPrivacyMaintenanceFiles({ ...input, unconfirmedContactDays: 7, unsubscribedMinimiseDays: 90 })[0].content;
        expect(other).toMatch(/INTERVAL 7 DAY/);
        expect(other).toMatch(/INTERVAL 90 DAY/);
    });

    test("systemd-analyze verify accepts the service and the half-hourly timer", () => {
        const { output, status } = verifyUnitsInRoot(dir, files, [privacyMaintenancePaths.service, privacyMaintenancePaths.timer]);
        expect(output).toBe("");
        expect(status).toBe(0);
        expect(file(privacyMaintenancePaths.timer).content).toMatch(/^OnCalendar=\*:0\/30$/m);
    });

    test("bad input is refused with the field named", () => {
        expect(() => renderPrivacyMaintenanceFiles({ ...input, unsubscribedMinimiseDays: 0 })).toThrow(/unsubscribedMinimiseDays = 0/);
        expect(() => renderPrivacyMaintenanceFiles({ ...input, dbContainer: "a b" })).toThrow(/dbContainer/);
    });
});
