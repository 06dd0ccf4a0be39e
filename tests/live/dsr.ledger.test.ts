/**
 * `npm run dsr` and the double-opt-in consent-proof ledger on a real MariaDB: the ledger key of
 * the address comes from the DOI endpoint's own CLI (real php, templates/doiEndpoint/doi.php);
 * export includes the person's ledger rows and the texts they name, never another person's;
 * erase deletes the person from Mautic's tables, KEEPS the ledger rows (restricted,
 * Art. 17(3)(b),(e)) and says so; without the key, a database with a ledger is refused with the
 * command that prints it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { doiEndpointFiles } from "../../components/doi/doiEndpoint";
import { main } from "../../dsr/cli";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, plantPerson, subject } from "../support/mautic-person";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
let dir: string;
let url: string;
let subjectId: number;
const secret = "s".repeat(20) + "-ledger-test-secret-0123456789";

/** The endpoint's CLI, exactly as `docker exec -i mautic_web php /var/www/kit-doi/doi.php address-key` runs it. */
function addressKey(address: string): string {
    return execFileSync(requireTool("php"), [path.join(dir, "kit-doi", "doi.php"), "address-key"], { input: address, encoding: "utf8", env: { PATH: process.env.PATH, KIT_DOI_CONFIG: path.join(dir, "doi-config.json") } }).trim();
}

async function dsr(...args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
}

beforeAll(async () => {
    db = await MariaDbServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsr-ledger-"));
    fs.mkdirSync(path.join(dir, "kit-doi"));
    for (const f of doiEndpointFiles()) fs.writeFileSync(path.join(dir, "kit-doi", path.basename(f.path)), f.content);
    fs.writeFileSync(path.join(dir, "doi-config.json"), JSON.stringify({ secret }), { mode: 0o600 });
    url = `mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`;
    createMauticSchema(db);
    plantPerson(db, bystander, { ip: 1 });
    subjectId = plantPerson(db, subject, { ip: 2, dnc: true });
    db.sql(fs.readFileSync(path.join(dir, "kit-doi", "schema.sql"), "utf8"), "mautic");
    const mine = addressKey(` ${subject.email.toUpperCase()}\n`);
    const theirs = addressKey(bystander.email);
    db.sql(
        `INSERT INTO kit_consent_texts VALUES ('${"a".repeat(64)}', 'consent', 'de', 'v1', 'Ja, ich möchte den Newsletter.', '2026-01-01 10:00:00'),
           ('${"b".repeat(64)}', 'notice', 'de', 'v1', '<p>Hinweise zur Verarbeitung</p>', '2026-01-01 10:00:00'),
           ('${"c".repeat(64)}', 'consent', 'de', 'v0', 'Old text only the bystander saw.', '2025-01-01 10:00:00');
         INSERT INTO kit_consent_ledger (signup_id, address_key, contact_id, contact_created, form, language, consent_text_sha256, notice_sha256, signed_up_at, outcome, mail_sent_at, confirmed_at, confirm_event, last_activity_at) VALUES
           ('${"1".repeat(32)}', '${mine}', ${subjectId}, 1, 'footer', 'de', '${"a".repeat(64)}', '${"b".repeat(64)}', '2026-01-02 08:00:00', 'confirmed', '2026-01-02 08:00:01', '2026-01-02 08:05:00', 'button-post', '2026-01-02 08:05:00'),
           ('${"2".repeat(32)}', '${mine}', ${subjectId}, 0, 'kit-hosted', 'de', '${"a".repeat(64)}', '${"b".repeat(64)}', '2026-03-01 09:00:00', 'already-confirmed', NULL, NULL, NULL, '2026-03-01 09:00:00'),
           ('${"3".repeat(32)}', '${theirs}', NULL, 1, 'footer', 'de', '${"c".repeat(64)}', NULL, '2025-01-02 08:00:00', 'mail-sent', '2025-01-02 08:00:01', NULL, NULL, '2025-01-02 08:00:01');`,
        "mautic",
    );
}, 120_000);

afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the endpoint's key: an HMAC of the trimmed, lower-cased address, never the secret, never SHA-256 alone", () => {
    const k = addressKey(subject.email);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(addressKey(`  ${subject.email.toUpperCase()} `)).toBe(k);
    expect(k).not.toBe(db.value(`SELECT SHA2('${subject.email.toLowerCase()}', 256)`));
    expect(k).not.toContain(secret);
});

test("a database with the ledger and no key: refused, naming the command that prints the key", async () => {
    const r = await dsr("export", "--email", subject.email, "--mysql", url);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/consent ledger \(kit_consent_ledger\).*give --ledger-key KEY \(on the server: printf '%s' ADDRESS \| docker exec -i mautic_web php \/var\/www\/kit-doi\/doi\.php address-key\)/);
    expect((await dsr("export", "--email", subject.email, "--mysql", url, "--ledger-key", "not-hex")).err).toMatch(/--ledger-key must be the 64 hex digits/);
    expect((await dsr("export", "--email", subject.email, "--stack", "prod", "--ledger-key", "a".repeat(64))).code).toBe(2);
});

test("export: the person's ledger rows and the texts they name, nobody else's", async () => {
    const out = path.join(dir, "export.json");
    const r = await dsr("export", "--email", subject.email, "--mysql", url, "--ledger-key", addressKey(subject.email), "--out", out);
    expect(r.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(data.ledgerKey).toBe(addressKey(subject.email));
    expect(data.tables.kit_consent_ledger.map((g: { signup_id: string }) => g.signup_id)).toEqual(["1".repeat(32), "2".repeat(32)]);
    expect(data.tables.kit_consent_ledger[0]).toMatchObject({ contact_id: subjectId, form: "footer", signed_up_at: "2026-01-02 08:00:00", confirmed_at: "2026-01-02 08:05:00", confirm_event: "button-post" });
    expect(data.tables.kit_consent_texts.map((t: { body: string }) => t.body)).toEqual(["Ja, ich möchte den Newsletter.", "<p>Hinweise zur Verarbeitung</p>"]);
    expect(JSON.stringify(data)).not.toContain("bystander saw");
    const text = fs.readFileSync(`${out}.txt`, "utf8");
    expect(text).toMatch(/Proof of the double-opt-in consent \(kept under restriction, Art\. 7\(1\), 17\(3\)\(b\),\(e\), 18 GDPR[^\n]*\n kit_consent_ledger \(2\)\n/);
});

test("erase: Mautic's rows go, the ledger rows stay under restriction, and the output says so", async () => {
    const key = addressKey(subject.email);
    const dry = await dsr("erase", "--email", subject.email, "--mysql", url, "--ledger-key", key);
    expect(dry.err).toMatch(/2 double-opt-in consent-proof record\(s\) .* would be KEPT under restriction .*Art\. 17\(3\)\(b\) and \(e\), Art\. 18/);
    const report = path.join(dir, "erase.json");
    const r = await dsr("erase", "--email", subject.email, "--mysql", url, "--ledger-key", key, "--yes", "--out", report);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/erased zenobia\.quastenfeld@example\.org/);
    expect(r.err).toMatch(/dsr: 2 double-opt-in consent-proof record\(s\) \(kit_consent_ledger: pseudonymous key, times, consent text; no address\) are KEPT under restriction/);
    expect(r.err).not.toMatch(/kit_consent_ledger\s+\d+\n/); // not in the deleted table
    expect(db.value(`SELECT COUNT(*) FROM leads WHERE id = ${subjectId}`, "mautic")).toBe("0");
    expect(db.value(`SELECT COUNT(*) FROM kit_consent_ledger WHERE address_key = '${key}'`, "mautic")).toBe("2");
    expect(db.value("SELECT COUNT(*) FROM kit_consent_texts", "mautic")).toBe("3");
    const rep = JSON.parse(fs.readFileSync(report, "utf8"));
    expect(rep.keptUnderRestriction).toEqual({ kit_consent_ledger: 2 });
    expect(rep.deleted.kit_consent_ledger).toBeUndefined();
    expect(rep.residue).toEqual({});
    // After the erasure the person can still learn what is kept (Art. 15): only the ledger.
    const after = await dsr("export", "--email", subject.email, "--mysql", url, "--ledger-key", key, "--out", path.join(dir, "after.json"));
    expect(after.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(path.join(dir, "after.json"), "utf8"));
    expect(Object.keys(data.tables).sort()).toEqual(["kit_consent_ledger", "kit_consent_texts"]);
    expect(data.contacts).toEqual([]);
});
