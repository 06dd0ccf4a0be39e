/** Pure parts of the dsr tool: address normalisation, hashing, the objection rule, the journal line. */
import { journalLine } from "../../dsr/journal";
import { objected, PersonExport } from "../../dsr/request";
import { addressHash, normaliseAddress, setVariables } from "../../dsr/sql";

const exp = (dnc: Array<{ reason: number }>): PersonExport => ({
    subject: "a@b.org",
    generatedAt: "",
    source: "",
    contacts: [],
    names: {},
    ledgerKey: null,
    journal: [],
    tables: dnc.length ? { lead_donotcontact: dnc } : {},
});

test("addresses are trimmed and lower-cased before hashing; what is not an address is refused", () => {
    expect(normaliseAddress("  Erika.Muster@Example.ORG ")).toBe("erika.muster@example.org");
    for (const bad of ["", "no-at-sign", "a@b", "x'@y.org", "x\\@y.org", "a b@c.org", "a@b.org;DROP", `${"x".repeat(190)}@b.org`]) {
        expect(() => normaliseAddress(bad)).toThrow(/is not an e-mail address/);
    }
});

test("the hash is SHA-256 of the normalised address, as MariaDB's SHA2(LOWER(TRIM(x)), 256)", () => {
    // printf %s a@b.org | sha256sum
    expect(addressHash("a@b.org")).toBe("5b26064bbe849dabc6e30cd26694c2cf44dc41a9171fbdae13c722e55f9ff041");
    expect(setVariables({ hash: addressHash("a@b.org"), address: "a@b.org", before: "2030-01-02 03:04:05" })).toBe(
        "SET @dsr_hash = '5b26064bbe849dabc6e30cd26694c2cf44dc41a9171fbdae13c722e55f9ff041', @dsr_address = 'a@b.org', @dsr_before = '2030-01-02 03:04:05'",
    );
    expect(() => setVariables({ hash: "x", address: null, before: null })).toThrow();
    expect(() => setVariables({ hash: addressHash("a@b.org"), address: "a'@b.org", before: null })).toThrow();
});

test("an unsubscription or a manual do-not-contact is an objection; a bounce is not", () => {
    expect(objected(exp([]), false)).toBe(false);
    expect(objected(exp([]), true)).toBe(true);
    expect(objected(exp([{ reason: 1 }]), false)).toBe(true);
    expect(objected(exp([{ reason: 3 }]), false)).toBe(true);
    expect(objected(exp([{ reason: 2 }]), false)).toBe(false);
});

test("journal lines: UTC second, hash, kind; nothing else", () => {
    const h = addressHash("a@b.org");
    expect(journalLine({ at: new Date("2030-05-06T07:08:09.123Z"), hash: h, suppressed: false })).toBe(`2030-05-06T07:08:09Z ${h} erased\n`);
    expect(journalLine({ at: new Date("2030-05-06T07:08:09Z"), hash: h, suppressed: true })).toBe(`2030-05-06T07:08:09Z ${h} suppressed\n`);
    expect(() => journalLine({ at: new Date(), hash: "a@b.org", suppressed: true })).toThrow();
});
