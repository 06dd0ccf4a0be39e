/** Pure parts of the dsr tool: address normalisation, hashing, the objection rule, the journal line. */
import { keyedHash } from "../../components/shared/addressHash";
import { profilingConfig, PROFILING_TABLES, unsubscribeText } from "../../components/doi/doiNames";
import { journalLine } from "../../dsr/journal";
import { withdrawProfilingSql } from "../../dsr/profiling";
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
        "SET @dsr_hash = '5b26064bbe849dabc6e30cd26694c2cf44dc41a9171fbdae13c722e55f9ff041', @dsr_keyed = 0, @dsr_address = 'a@b.org', @dsr_before = '2030-01-02 03:04:05'",
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

test("journal lines: UTC second, keyed hash, kind; nothing else", () => {
    const h = keyedHash("k".repeat(64), "a@b.org");
    expect(h).not.toBe(addressHash("a@b.org"));
    expect(journalLine({ at: new Date("2030-05-06T07:08:09.123Z"), keyedHash: h, suppressed: false })).toBe(`2030-05-06T07:08:09Z hmac:${h} erased\n`);
    expect(journalLine({ at: new Date("2030-05-06T07:08:09Z"), keyedHash: h, suppressed: true })).toBe(`2030-05-06T07:08:09Z hmac:${h} suppressed\n`);
    expect(() => journalLine({ at: new Date(), keyedHash: "a@b.org", suppressed: true })).toThrow();
});

describe("withdrawal of the profiling consent (issue 20 item 5)", () => {
    test("Mautic's unsubscribe text keeps |URL| and adds the kit's withdrawal link with the contact's token", () => {
        const t = unsubscribeText("marketing.client-a.de");
        expect(t).toContain('<a href="|URL|">');
        expect(t).toContain(
            '<a href="https://marketing.client-a.de/kit/doi/profiling?t={contactfield=profiling_token}&amp;lang={contactfield=consent_language}">',
        );
        expect(() => unsubscribeText('x" onmouseover="y')).toThrow(/is not a host name/);
    });

    test("the endpoint's list is the dsr tool's list", () => {
        expect(profilingConfig().tables).toEqual(PROFILING_TABLES.map(([t, c]) => [t, c]));
        expect(profilingConfig().reset).toEqual([
            ["tracking_consent", "NULL"],
            ["points", "0"],
        ]);
    });

    test("the SQL deletes only from the tables the schema has, resets the contact, and rolls back on a dry run", () => {
        const schema = new Map([
            [
                "leads",
                new Map([
                    ["id", "bigint"],
                    ["email", "varchar"],
                    ["points", "int"],
                    ["tracking_consent", "varchar"],
                ]),
            ],
            ["page_hits", new Map([["lead_id", "bigint"]])],
            ["point_group_contact_score", new Map([["contact_id", "bigint"]])],
            ["lead_donotcontact", new Map([["lead_id", "bigint"]])],
        ]);
        const dry = withdrawProfilingSql(schema, "a@b.org", false).join("\n");
        expect(dry).toContain("DELETE FROM `page_hits` WHERE `lead_id` IN (SELECT id FROM dsr_profiling)");
        expect(dry).toContain("DELETE FROM `point_group_contact_score` WHERE `contact_id` IN");
        expect(dry).not.toMatch(/video_hits|lead_donotcontact|lead_lists_leads|lead_tags_xref/);
        expect(dry).toContain("UPDATE leads SET `tracking_consent` = NULL, `points` = 0 WHERE id IN (SELECT id FROM dsr_profiling)");
        expect(dry.trimEnd().endsWith("ROLLBACK")).toBe(true);
        expect(withdrawProfilingSql(schema, "a@b.org", true).at(-1)).toBe("COMMIT");
    });
});
