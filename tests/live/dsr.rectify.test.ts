/**
 * `npm run dsr -- rectify` (Art. 16) and `restrict` (Art. 18) on a real MariaDB with
 * Mautic-shaped tables: dry runs change nothing; rectify sets exactly the given fields (quotes
 * and backslashes stored as given) and refuses Mautic's bookkeeping columns; restrict adds one
 * marked do-not-contact entry (idempotent) that an erasure does not take for an objection, and
 * --lift removes exactly that entry; the bystander is untouched.
 */
import { main } from "../../dsr/cli";
import { objected } from "../../dsr/request";
import { restrictedComment } from "../../dsr/rectify";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, plantPerson, subject } from "../support/mautic-person";

let db: MariaDbServer;
let url: string;
let subjectId: number;
let bystanderId: number;

beforeAll(async () => {
    db = await MariaDbServer.start();
    url = `mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`;
    createMauticSchema(db);
    bystanderId = plantPerson(db, bystander, { ip: 1 });
    subjectId = plantPerson(db, subject, { ip: 2 });
});

afterAll(async () => {
    await db?.stop();
});

async function dsr(...args: string[]) {
    let err = "";
    const code = await main(args, { out: () => undefined, err: (s) => (err += s) });
    return { code, err };
}

const lead = (id: number) => db.sql(`SELECT firstname, lastname, city, email, points FROM leads WHERE id = ${id}`, "mautic");
const dnc = (id: number) => db.sql(`SELECT reason, channel, comments FROM lead_donotcontact WHERE lead_id = ${id} ORDER BY id`, "mautic");

test("rectify: a dry run changes nothing; --yes sets exactly the fields given", async () => {
    const before = lead(subjectId);
    const other = lead(bystanderId);
    const dry = await dsr("rectify", "--email", subject.email, "--mysql", url, "--set", "lastname=O'Brien \\ Müller", "--set", "city=");
    expect(dry.code).toBe(0);
    expect(dry.err).toMatch(/DRY RUN, nothing was changed/);
    expect(lead(subjectId)).toEqual(before);
    const r = await dsr("rectify", "--email", subject.email, "--mysql", url, "--set", "lastname=O'Brien \\ Müller", "--set", "city=", "--yes");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/rectified: zenobia\.quastenfeld@example\.org .*\(1 contact\(s\)\):\n {2}leads\s+1\n/);
    // firstname, lastname, city (NULL), email, points: only the two fields changed.
    expect(lead(subjectId)).toEqual([["Zenobia", "O'Brien \\ Müller", "NULL", subject.email, before[0][4]]]);
    expect(lead(bystanderId)).toEqual(other);
});

test("rectify refuses unknown fields, Mautic's bookkeeping and a bad address, naming the field", async () => {
    expect((await dsr("rectify", "--email", subject.email, "--mysql", url, "--set", "nosuch=1", "--yes")).err).toMatch(
        /--set nosuch: the contacts table has no field nosuch/,
    );
    expect((await dsr("rectify", "--email", subject.email, "--mysql", url, "--set", "points=99", "--yes")).err).toMatch(
        /--set points: this field is Mautic's own/,
    );
    expect((await dsr("rectify", "--email", subject.email, "--mysql", url, "--set", "email=nope", "--yes")).err).toMatch(/is not an e-mail address/);
    expect((await dsr("rectify", "--email", subject.email, "--mysql", url)).err).toMatch(/rectify needs at least one --set/);
    expect((await dsr("erase", "--email", subject.email, "--mysql", url, "--set", "a=b")).code).toBe(2);
    expect((await dsr("rectify", "--email", "nobody@example.org", "--mysql", url, "--set", "city=X", "--yes")).code).toBe(3);
});

test("restrict: one marked do-not-contact entry (idempotent), not an objection; --lift removes exactly it", async () => {
    db.sql(
        `INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel, comments) VALUES (${subjectId}, UTC_TIMESTAMP(), 2, 'email', 'bounced')`,
        "mautic",
    );
    expect((await dsr("restrict", "--email", subject.email, "--mysql", url)).err).toMatch(/DRY RUN/);
    expect(dnc(subjectId)).toHaveLength(1);
    for (let i = 0; i < 2; i++) expect((await dsr("restrict", "--email", subject.email, "--mysql", url, "--yes")).code).toBe(0);
    expect(dnc(subjectId)).toEqual([
        ["2", "email", "bounced"],
        ["3", "email", restrictedComment],
    ]);
    expect(dnc(bystanderId)).toEqual([]);
    const tables = { lead_donotcontact: dnc(subjectId).map(([reason, channel, comments]) => ({ reason, channel, comments })) };
    expect(objected({ subject: "", generatedAt: "", source: "", contacts: [], tables, ledgerKey: null, names: {}, journal: [] }, false)).toBe(false);
    const lift = await dsr("restrict", "--email", subject.email, "--mysql", url, "--lift", "--yes");
    expect(lift.err).toMatch(/restriction lifted: .*\n {2}lead_donotcontact\s+1\n/);
    expect(dnc(subjectId)).toEqual([["2", "email", "bounced"]]);
});
