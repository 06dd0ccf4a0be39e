/**
 * `npm run dsr` on a real MariaDB (Debian's mariadbd) with Mautic-shaped tables: a person spread
 * over every table (also rows whose contact id Mautic already nulled) and a bystander. Export
 * holds all of the person; a dry run changes nothing; erase leaves a full mariadb-dump without
 * the address or the name, keeps the bystander intact, journals a hash; an unknown address exits 3.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../dsr/cli";
import { addressHash } from "../../dsr/sql";
import { keyedHash } from "../../components/shared/addressHash";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, personTables, plantPerson, subject } from "../support/mautic-person";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
let dir: string;
let url: string;
let subjectId: number;
let bystanderId: number;
let keyFile: string;
const hashKey = `${"K3yOfTheStack".repeat(4)}0123456789AB`; // 64 letters and digits, as the stack generates it

beforeAll(async () => {
    requireTool("mariadb-dump");
    db = await MariaDbServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsr-"));
    url = `mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`;
    createMauticSchema(db);
    bystanderId = plantPerson(db, bystander, { ip: 1 });
    subjectId = plantPerson(db, subject, { ip: 2, dnc: true });
    db.sql(`INSERT INTO lead_ips_xref VALUES (${subjectId}, 1)`, "mautic"); // the shared anonymised IP row
    keyFile = path.join(dir, "address-hash.key");
    fs.writeFileSync(keyFile, `${hashKey}\n`, { mode: 0o600 });
    // The privacy job's suppression list (unsubscribed-minimise.sql): for the person an entry from before the
    // stack had its key (plain SHA-256) and a keyed one; one for somebody else.
    db.sql(
        "CREATE TABLE kit_suppression (email_sha256 CHAR(64) NOT NULL PRIMARY KEY, unsubscribed_at DATETIME NOT NULL, recorded_at DATETIME NOT NULL, keyed TINYINT(1) NOT NULL DEFAULT 0); " +
            `INSERT INTO kit_suppression VALUES ('${addressHash(subject.email.toLowerCase())}', '2026-01-02 03:04:05', '2026-02-01 00:00:00', 0), ` +
            `('${keyedHash(hashKey, subject.email.toLowerCase())}', '2026-03-02 03:04:05', '2026-04-01 00:00:00', 1), ('${"0".repeat(64)}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)`,
        "mautic",
    );
});

afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** `npm run dsr` with the stack's address-hash key (--hash-key-file) on --mysql runs. */
async function dsr(...args: string[]) {
    return dsrRaw(...args, ...(args.includes("--mysql") ? ["--hash-key-file", keyFile] : []));
}

async function dsrRaw(...args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
}

function dump(): string {
    return execFileSync(
        requireTool("mariadb-dump"),
        [`--defaults-extra-file=${db.clientCnf}`, "--all-databases", "--routines", "--events", "--triggers", "--hex-blob=false"],
        {
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
}

function counts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of personTables) out[t] = db.value(`SELECT COUNT(*) FROM ${t}`, "mautic");
    return out;
}

function mentions(text: string, p: typeof subject): string[] {
    const needles = [p.email.toLowerCase(), p.firstname.toLowerCase(), p.lastname.toLowerCase(), encodeURIComponent(p.email).toLowerCase()];
    const lower = text.toLowerCase();
    return needles.filter((n) => lower.includes(n));
}

test("the planted person is in every table and in the dump", () => {
    for (const t of personTables) expect([t, Number(db.value(`SELECT COUNT(*) FROM ${t}`, "mautic"))]).toEqual([t, expect.any(Number)]);
    expect(mentions(dump(), subject).length).toBe(4);
});

test("export: every row about the person, as JSON and a readable summary", async () => {
    const out = path.join(dir, "export.json");
    const r = await dsr("export", "--email", ` ${subject.email.toUpperCase()} `, "--mysql", url, "--out", out);
    expect(r.err).not.toMatch(/dsr: (?!\d+ records)/);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain(db.rootPassword);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const data = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(data.subject).toBe(subject.email.toLowerCase());
    expect(data.contacts).toHaveLength(1);
    expect(data.contacts[0]).toMatchObject({
        id: subjectId,
        firstname: "Zenobia",
        lastname: "Quastenfeld",
        email: subject.email,
        doi_consent_text: "v3 2030-01",
    });
    // Every table that holds the person, none of the bystander's rows.
    expect(Object.keys(data.tables).sort()).toEqual([...personTables, "kit_suppression"].sort());
    // The person's suppression-list entry (by the address hash), not the other one.
    expect(data.tables.kit_suppression).toEqual([
        { email_sha256: addressHash(subject.email.toLowerCase()), unsubscribed_at: "2026-01-02 03:04:05", recorded_at: "2026-02-01 00:00:00", keyed: 0 },
        { email_sha256: keyedHash(hashKey, subject.email.toLowerCase()), unsubscribed_at: "2026-03-02 03:04:05", recorded_at: "2026-04-01 00:00:00", keyed: 1 },
    ]);
    // Art. 15(1): purposes, recipients, storage periods (the kit's defaults with --mysql, said so), source, rights.
    expect(data.information.figuresFrom).toMatch(/^the kit's defaults \(--mysql/);
    expect(data.information.purposes.length).toBeGreaterThanOrEqual(4);
    expect(data.information.recipients.join(" ")).toMatch(/Hetzner Online GmbH/);
    expect(data.information.storagePeriods.map((p: { data: string }) => p.data)).toEqual(
        expect.arrayContaining(["an unconfirmed sign-up (contact record)", "the consent log (kit_consent_ledger)", "backups of the database"]),
    );
    expect(data.information.rights.join(" ")).toMatch(/Art\. 16.*Art\. 18.*Art\. 20/);
    expect(typeof data.information.source).toBe("string");
    const json = JSON.stringify(data);
    expect(mentions(json, bystander)).toEqual([]);
    // The rows whose contact id Mautic nulled: found by the address.
    expect(data.tables.email_stats.filter((s: { lead_id: unknown }) => s.lead_id === null)).toHaveLength(1);
    expect(data.tables.form_results_2_contact[0].message).toBe("Hello, this is Zenobia Quastenfeld.");
    expect(data.tables.ip_addresses.map((i: { ip_address: string }) => i.ip_address).sort()).toEqual(["*.*.*.*", "198.51.100.23"]);
    expect(data.names.segments).toEqual({ 1: "Newsletter", 2: "DOI confirmed" });

    const text = fs.readFileSync(`${out}.txt`, "utf8");
    expect(text).toMatch(/^Data stored about zenobia\.quastenfeld@example\.org/);
    expect(text).toContain("firstname: Zenobia");
    expect(text).toMatch(/Segments:\n lead_lists_leads \(2\)\n {2}- "Newsletter"/);
    expect(text).toMatch(/Campaigns:[\s\S]*"Double opt-in"/);
    expect(text).toMatch(/Form submissions:[\s\S]*form_results_2_contact \(1\)/);
    expect(text).toMatch(/E-mails sent, opened, clicked:[\s\S]*email_stats \(3\)/);
    expect(text).toMatch(/Do-not-contact entries[\s\S]*comments=User unsubscribed\./);
    expect(text).toMatch(/Notes:\n lead_notes \(1\)\n.*Called Zenobia Quastenfeld/);
    expect(text).toMatch(/Suppression list \(a keyed hash of the address, HMAC-SHA256[^\n]*\n kit_suppression \(2\)/);
    expect(text).toMatch(
        /Information under Art\. 15\(1\) GDPR \(periods from the kit's defaults[\s\S]*Storage periods:\n {2}- an unconfirmed sign-up \(contact record\): 3 day\(s\) after the sign-up/,
    );
});

test("an unknown address: a clear message and exit 3, for export and erase", async () => {
    const r = await dsr("export", "--email", "nobody@example.org", "--mysql", url);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/no data about nobody@example\.org in mysql:\/\/root@.*\/mautic/);
    expect((await dsr("erase", "--email", "nobody@example.org", "--mysql", url, "--yes")).code).toBe(3);
});

test("bad input: usage errors exit 2 and name the option", async () => {
    expect((await dsr("erase", "--email", "not-an-address", "--mysql", url)).err).toMatch(/--email "not-an-address" is not an e-mail address/);
    expect((await dsr("erase", "--email", "a@b.org")).err).toMatch(/exactly one of --stack NAME or --mysql URL/);
    expect((await dsr("delete", "--email", "a@b.org", "--mysql", url)).code).toBe(2);
    const r = await dsr("export", "--email", "a@b.org", "--mysql", "mysql://root:secret-pw@127.0.0.1:1/mautic");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot connect to mysql:\/\/root@127\.0\.0\.1:1\/mautic/);
    expect(r.err).not.toContain("secret-pw");
});

test("the address-hash key: required for --journal and for a suppression list with keyed entries, refused when malformed", async () => {
    expect((await dsrRaw("erase", "--email", subject.email, "--mysql", url, "--journal", path.join(dir, "j-nokey"))).err).toMatch(
        /--journal needs --hash-key-file FILE/,
    );
    const r = await dsrRaw("export", "--email", subject.email, "--mysql", url);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/kit_suppression holds keyed hashes: give the stack's address-hash key \(--hash-key-file FILE/);
    const bad = path.join(dir, "bad.key");
    fs.writeFileSync(bad, "too-short\n", { mode: 0o600 });
    const b = await dsrRaw("export", "--email", subject.email, "--mysql", url, "--hash-key-file", bad);
    expect(b.err).toMatch(/--hash-key-file .*bad\.key must hold the stack's address-hash key: 32 to 64 letters and digits/);
    expect(fs.existsSync(path.join(dir, "j-nokey"))).toBe(false);
});

test("erase without --yes is a dry run: it counts and changes nothing", async () => {
    const before = counts();
    const r = await dsr("erase", "--email", subject.email, "--mysql", url, "--journal", path.join(dir, "journal-dry"));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/DRY RUN, nothing was changed/);
    expect(r.err).toMatch(/leads\s+1\n/);
    expect(r.err).toMatch(/email_stats\s+3\n/);
    expect(r.err).toMatch(/keep only a suppression hash/);
    expect(counts()).toEqual(before);
    expect(fs.existsSync(path.join(dir, "journal-dry"))).toBe(false);
});

test("erase --yes: no trace of the address or the name in a full dump; the bystander is untouched", async () => {
    const byBefore = JSON.stringify(db.sql(`SELECT * FROM leads WHERE id = ${bystanderId}`, "mautic"));
    const byRows = (await dsr("export", "--email", bystander.email, "--mysql", url, "--out", path.join(dir, "by.json"))).code;
    expect(byRows).toBe(0);
    const byExport = JSON.parse(fs.readFileSync(path.join(dir, "by.json"), "utf8")).tables;

    const journal = path.join(dir, "journal");
    const report = path.join(dir, "erase.json");
    const r = await dsr("erase", "--email", subject.email, "--mysql", url, "--journal", journal, "--yes", "--out", report);
    expect(r.err).not.toMatch(/ERROR|WARNING/);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/erased zenobia\.quastenfeld@example\.org/);
    expect(r.err).toMatch(/keep this line in your record of the request \(it holds no address\): \d{4}-\S+ hmac:[0-9a-f]{64} suppressed\n/);

    const d = dump();
    expect(mentions(d, subject)).toEqual([]);
    expect(d).not.toContain("198.51.100.23"); // the IP row only the person used
    expect(d).toContain("*.*.*.*"); // the shared one stays (the bystander uses it)
    for (const t of ["lead_lists_leads", "campaign_leads", "email_stats", "form_submissions", "lead_ips_xref"]) {
        expect([t, db.value(`SELECT COUNT(*) FROM ${t} WHERE lead_id = ${subjectId}`, "mautic")]).toEqual([t, "0"]);
    }
    // The bystander keeps every row, with its references intact.
    expect(JSON.stringify(db.sql(`SELECT * FROM leads WHERE id = ${bystanderId}`, "mautic"))).toBe(byBefore);
    await dsr("export", "--email", bystander.email, "--mysql", url, "--out", path.join(dir, "by2.json"));
    const byAfter = JSON.parse(fs.readFileSync(path.join(dir, "by2.json"), "utf8")).tables;
    expect(byAfter).toEqual(byExport);
    expect(db.value("SELECT COUNT(*) FROM email_copies WHERE id = 'shared-copy'", "mautic")).toBe("1");

    // Journal: root-only, hash + date + suppressed (the person had unsubscribed), no address.
    expect(fs.statSync(journal).mode & 0o777).toBe(0o700);
    const line = fs.readFileSync(path.join(journal, "journal"), "utf8");
    // The keyed hash (Node's HMAC-SHA256 with the stack's key), never the plain SHA-256 of the address.
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ hmac:${keyedHash(hashKey, subject.email.toLowerCase())} suppressed\\n$`));
    expect(line).not.toContain(addressHash(subject.email.toLowerCase()));
    expect(fs.statSync(path.join(journal, "journal")).mode & 0o777).toBe(0o600);
    const script = fs.readFileSync(path.join(journal, "erase.sql"), "utf8");
    expect(mentions(script, subject)).toEqual([]);
    const rep = JSON.parse(fs.readFileSync(report, "utf8"));
    expect(rep).toMatchObject({ suppressed: true, residue: {}, keyedHash: keyedHash(hashKey, subject.email.toLowerCase()) });
    expect(JSON.stringify(rep)).not.toContain(addressHash(subject.email.toLowerCase()));
    expect(rep.deleted.leads).toBe(1);
    expect(JSON.stringify(rep)).not.toContain("Quastenfeld");

    // Afterwards the database knows the address only by the suppression entry; the export shows it and the journal line.
    const after = path.join(dir, "after.json");
    expect((await dsr("export", "--email", subject.email, "--mysql", url, "--journal", journal, "--out", after)).code).toBe(0);
    const left = JSON.parse(fs.readFileSync(after, "utf8"));
    expect(Object.keys(left.tables)).toEqual(["kit_suppression"]);
    expect(left.tables.kit_suppression).toHaveLength(2);
    expect(left.journal).toEqual([line.trimEnd()]);
    expect(fs.readFileSync(`${after}.txt`, "utf8")).toContain(
        `Erasure journal (on our server, outside the database; a keyed hash of the address, the date, and whether you objected):\n  ${line.trimEnd()}`,
    );
});

test("the address left in a table no rule knows: erase reports it and exits 4", async () => {
    const p = { email: "residue@example.org", firstname: "Rita", lastname: "Rest" };
    plantPerson(db, p, { ip: 1 });
    db.sql(
        "CREATE TABLE plugin_crm_cache (id INT PRIMARY KEY, blob_text LONGTEXT); INSERT INTO plugin_crm_cache VALUES (1, 'synced residue@example.org')",
        "mautic",
    );
    const r = await dsr("erase", "--email", p.email, "--mysql", url, "--yes");
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/WARNING: no journal written/);
    expect(r.err).toMatch(/still appears in:\n {2}plugin_crm_cache\s+1\n/);
    db.sql("DROP TABLE plugin_crm_cache", "mautic");
});
