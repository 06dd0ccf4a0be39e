/**
 * Rectification (Art. 16) and restriction (Art. 18) of a person's contact records.
 *
 * rectify  sets contact fields (`--set field=value`, repeatable; `--set field=` empties it) on
 *          every contact with the address: only columns of `leads` that hold text, numbers or
 *          dates, never the ids, points, ownership or Mautic's bookkeeping columns.
 * restrict stops all processing but storage: an e-mail do-not-contact entry (reason 3, manual)
 *          with the comment `restrictedComment`, so Mautic sends nothing and campaigns skip the
 *          contact; nothing is deleted. `--lift` removes exactly that entry again. An erasure
 *          does not read this entry as an objection (dsr/request.ts, `objected`).
 */
import { hashMatch, q, Schema } from "./rules";
import { addressHash, normaliseAddress, setVariables } from "./sql";
import { Transport } from "./transport";

export const restrictedComment = "mautic-gdpr-kit: restricted (Art. 18 GDPR)";

/** Columns a rectification never writes (ids, scores, ownership, Mautic's own bookkeeping). */
const PROTECTED = new Set([
    "id",
    "owner_id",
    "stage_id",
    "points",
    "is_published",
    "date_added",
    "created_by",
    "created_by_user",
    "date_modified",
    "modified_by",
    "modified_by_user",
    "checked_out",
    "checked_out_by",
    "checked_out_by_user",
    "last_active",
    "internal",
    "social_cache",
    "date_identified",
    "preferred_profile_image",
    "generated_email_domain",
]);

const WRITABLE_TYPES = /^(char|varchar|tinytext|text|mediumtext|longtext|int|bigint|smallint|tinyint|decimal|double|float|date|datetime|time)$/i;

/** Parses `--set field=value` pairs against the schema (throws naming the field and the fix). */
export function parseSets(schema: Schema, sets: string[]): Array<[column: string, value: string | null]> {
    const leads = schema.get("leads");
    if (!leads) throw new Error("this database has no Mautic contacts table (leads)");
    if (sets.length === 0) throw new Error("rectify needs at least one --set FIELD=VALUE");
    const out: Array<[string, string | null]> = [];
    for (const s of sets) {
        const i = s.indexOf("=");
        const col = i < 0 ? "" : s.slice(0, i).trim();
        if (!col) throw new Error(`--set ${JSON.stringify(s)} must be FIELD=VALUE (FIELD= empties the field)`);
        const type = leads.get(col);
        if (type === undefined) throw new Error(`--set ${col}: the contacts table has no field ${col} (use the field's alias as in Mautic)`);
        if (PROTECTED.has(col) || !WRITABLE_TYPES.test(type))
            throw new Error(`--set ${col}: this field is Mautic's own bookkeeping and is not rectified by hand`);
        const value = s.slice(i + 1);
        if (col === "email" && value !== "") normaliseAddress(value);
        out.push([col, value === "" ? null : value]);
    }
    return out;
}

/** A SQL string literal for a rectified value: quotes and backslashes escaped, control characters refused. */
function literal(v: string | null): string {
    if (v === null) return "NULL";
    const control = [...v].some((ch) => ch.charCodeAt(0) < 32 && !"\t\n\r".includes(ch));
    if (control) throw new Error("--set: a value must not contain control characters");
    return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const select = (address: string) => [
    setVariables({ hash: addressHash(address), address, before: null }),
    "DROP TEMPORARY TABLE IF EXISTS dsr_target",
    "CREATE TEMPORARY TABLE dsr_target (id BIGINT PRIMARY KEY)",
    `INSERT IGNORE INTO dsr_target SELECT id FROM leads WHERE email IS NOT NULL AND ${hashMatch("email")}`,
];

export function rectifySql(address: string, sets: Array<[string, string | null]>, commit: boolean): string[] {
    return [
        ...select(address),
        "START TRANSACTION",
        `UPDATE leads SET ${sets.map(([c, v]) => `${q(c)} = ${literal(v)}`).join(", ")}, date_modified = UTC_TIMESTAMP() WHERE id IN (SELECT id FROM dsr_target)`,
        "SELECT JSON_OBJECT('t', 'leads', 'n', ROW_COUNT())",
        "SELECT JSON_OBJECT('contacts', COUNT(*)) FROM dsr_target",
        commit ? "COMMIT" : "ROLLBACK",
    ];
}

export function restrictSql(address: string, lift: boolean, commit: boolean): string[] {
    const change = lift
        ? `DELETE FROM lead_donotcontact WHERE lead_id IN (SELECT id FROM dsr_target) AND channel = 'email' AND reason = 3 AND comments = '${restrictedComment}'`
        : "INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel, channel_id, comments) " +
          `SELECT t.id, UTC_TIMESTAMP(), 3, 'email', NULL, '${restrictedComment}' FROM dsr_target t ` +
          `WHERE NOT EXISTS (SELECT 1 FROM lead_donotcontact d WHERE d.lead_id = t.id AND d.channel = 'email' AND d.reason = 3 AND d.comments = '${restrictedComment}')`;
    return [
        ...select(address),
        "START TRANSACTION",
        change,
        "SELECT JSON_OBJECT('t', 'lead_donotcontact', 'n', ROW_COUNT())",
        "SELECT JSON_OBJECT('contacts', COUNT(*)) FROM dsr_target",
        commit ? "COMMIT" : "ROLLBACK",
    ];
}

export async function runChange(t: Transport, statements: string[]): Promise<{ contacts: number; changed: Record<string, number> }> {
    const changed: Record<string, number> = {};
    let contacts = 0;
    for (const r of (await t.run(statements)) as Array<{ t?: string; n?: number; contacts?: number }>) {
        if (r.contacts !== undefined) contacts = Number(r.contacts);
        else if (r.t) changed[r.t] = Number(r.n);
    }
    return { contacts, changed };
}
