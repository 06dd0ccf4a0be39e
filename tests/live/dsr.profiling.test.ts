/**
 * `npm run dsr -- withdraw-profiling` on a real MariaDB (Debian's mariadbd) with Mautic-shaped
 * tables: the dry run changes nothing; the real run clears `tracking_consent`, resets the points
 * and deletes the person's derived rows (page hits, UTM tags, points history, point actions,
 * point group scores) and nothing else: the subscription (segments, tags, campaigns, the
 * do-not-contact entry), the other rows and the bystander stay. An unknown address exits 3.
 */
import { main } from "../../dsr/cli";
import { doiFields, PROFILING_TABLES } from "../../components/doi/doiNames";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, personTables, plantPerson, subject } from "../support/mautic-person";

let db: MariaDbServer;
let url: string;
let subjectId: number;
let bystanderId: number;
const consent = doiFields.trackingConsent;

beforeAll(async () => {
    db = await MariaDbServer.start();
    url = `mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`;
    createMauticSchema(db);
    db.sql(`ALTER TABLE leads ADD \`${consent}\` VARCHAR(191) NULL`, "mautic");
    bystanderId = plantPerson(db, bystander, { ip: 1 });
    subjectId = plantPerson(db, subject, { ip: 2, dnc: true });
    db.sql(`UPDATE leads SET \`${consent}\` = 'tracking-v1', points = 12`, "mautic");
});

afterAll(async () => {
    await db?.stop();
});

async function dsr(...args: string[]) {
    let err = "";
    const code = await main(args, { out: () => undefined, err: (s) => (err += s) });
    return { code, err };
}

/** Rows per table for one contact (by its lead or contact column), plus its consent and points. */
function state(id: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of personTables) {
        const cols = db.value(
            `SELECT GROUP_CONCAT(column_name) FROM information_schema.columns WHERE table_schema = 'mautic' AND table_name = '${t}'`,
            "mautic",
        );
        const col = cols.split(",").find((c) => c === "lead_id" || c === "contact_id");
        if (col) out[t] = db.value(`SELECT COUNT(*) FROM ${t} WHERE ${col} = ${id}`, "mautic");
    }
    out.lead = db.value(`SELECT CONCAT_WS('/', IFNULL(\`${consent}\`, 'NULL'), points) FROM leads WHERE id = ${id}`, "mautic");
    return out;
}

const derived = PROFILING_TABLES.map(([t]) => t);

test("the person has derived rows in every profiling table that the schema has", () => {
    const s = state(subjectId);
    const present = derived.filter((t) => s[t] !== undefined);
    expect(present.length).toBeGreaterThanOrEqual(5);
    for (const t of present) expect([t, Number(s[t])]).toEqual([t, expect.any(Number)]);
    for (const t of present) expect([t, Number(s[t]) > 0]).toEqual([t, true]);
    expect(s.lead).toBe("tracking-v1/12");
});

test("dry run: counts, changes nothing", async () => {
    const before = [state(subjectId), state(bystanderId)];
    const r = await dsr("withdraw-profiling", "--email", subject.email.toUpperCase(), "--mysql", url);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/DRY RUN, nothing was changed/);
    expect(r.err).toMatch(/page_hits\s+\d+/);
    expect(r.err).toMatch(/leads\s+1\n/);
    expect([state(subjectId), state(bystanderId)]).toEqual(before);
});

test("withdraw: consent cleared, points 0, derived rows gone; subscription, other rows and the bystander untouched", async () => {
    const before = state(subjectId);
    const other = state(bystanderId);
    const r = await dsr("withdraw-profiling", "--email", ` ${subject.email} `, "--mysql", url, "--yes");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/profiling consent of zenobia\.quastenfeld@example\.org withdrawn/);
    const after = state(subjectId);
    expect(after.lead).toBe("NULL/0");
    for (const t of Object.keys(before)) {
        if (t === "lead") continue;
        expect([t, after[t]]).toEqual([t, derived.includes(t) ? "0" : before[t]]);
    }
    // The subscription: the do-not-contact entry, segments, tags are still there.
    for (const t of ["lead_donotcontact", "lead_lists_leads", "lead_tags_xref", "campaign_leads"]) expect([t, Number(after[t]) > 0]).toEqual([t, true]);
    expect(state(bystanderId)).toEqual(other);
});

test("a second withdrawal changes nothing; an unknown address exits 3", async () => {
    const r = await dsr("withdraw-profiling", "--email", subject.email, "--mysql", url, "--yes");
    expect(r.code).toBe(0);
    const counts = [...r.err.matchAll(/^ {2}(\w+)\s+(\d+)$/gm)].map((m) => [m[1], m[2]]);
    expect(counts.length).toBeGreaterThanOrEqual(5);
    for (const [t, n] of counts) expect([t, n]).toEqual([t, "0"]);
    expect((await dsr("withdraw-profiling", "--email", "nobody@example.org", "--mysql", url, "--yes")).code).toBe(3);
});
