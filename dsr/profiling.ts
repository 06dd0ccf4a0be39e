/**
 * Withdrawal of the profiling consent (Art. 7(3) GDPR): `npm run dsr -- withdraw-profiling` and
 * the one-click page of the DOI endpoint (/kit/doi/profiling) do the same, from this one list.
 *
 * It clears the contact field `tracking_consent`, resets the contact's points to 0 and deletes
 * what Mautic derived from the person's behaviour: page visits and e-mail link clicks
 * (`page_hits`), video views, the UTM tags of those visits, the points history and the point
 * group scores. It never touches the subscription: no do-not-contact entry is added or removed,
 * segments, tags, campaigns and the consent-proof ledger stay as they are.
 */
import { doiFields, PROFILING_RESET, PROFILING_TABLES } from "../components/doi/doiNames";
import { hashMatch, q, Schema } from "./rules";
import { addressHash, normaliseAddress, setVariables } from "./sql";
import { Transport } from "./transport";

/**
 * The withdrawal for the contacts with @dsr_hash, in one transaction: [variables, selection,
 * START TRANSACTION, per table DELETE + its count, the reset + its count, COMMIT | ROLLBACK].
 * Every count is one JSON row {t, n}.
 */
export function withdrawProfilingSql(schema: Schema, normalisedAddress: string, commit: boolean): string[] {
    if (!schema.get("leads")?.has("email")) throw new Error("this database has no Mautic contacts table (leads with id, email): is it a Mautic database?");
    const inLeads = "IN (SELECT id FROM dsr_profiling)";
    const out = [
        setVariables({ hash: addressHash(normalisedAddress), address: normalisedAddress, before: null }),
        "DROP TEMPORARY TABLE IF EXISTS dsr_profiling",
        "CREATE TEMPORARY TABLE dsr_profiling (id BIGINT PRIMARY KEY)",
        `INSERT IGNORE INTO dsr_profiling SELECT id FROM leads WHERE email IS NOT NULL AND ${hashMatch("email")}`,
        "START TRANSACTION",
    ];
    for (const [table, column] of PROFILING_TABLES) {
        if (!schema.get(table)?.has(column)) continue;
        out.push(`DELETE FROM ${q(table)} WHERE ${q(column)} ${inLeads}`, `SELECT JSON_OBJECT('t', '${table}', 'n', ROW_COUNT())`);
    }
    const leads = schema.get("leads")!;
    const sets = PROFILING_RESET.filter(([c]) => leads.has(c)).map(([c, v]) => `${q(c)} = ${v}`);
    // Only rows that change are counted: a contact without consent and points reports 0.
    const changed = PROFILING_RESET.filter(([c]) => leads.has(c))
        .map(([c, v]) => (v === "NULL" ? `${q(c)} IS NOT NULL` : `${q(c)} <> ${v}`))
        .join(" OR ");
    if (sets.length > 0)
        out.push(`UPDATE leads SET ${sets.join(", ")} WHERE id ${inLeads} AND (${changed})`, `SELECT JSON_OBJECT('t', 'leads', 'n', ROW_COUNT())`);
    out.push(`SELECT JSON_OBJECT('contacts', COUNT(*)) FROM dsr_profiling`, commit ? "COMMIT" : "ROLLBACK");
    return out;
}

export interface WithdrawResult {
    /** Contacts with the address. */
    contacts: number;
    /** Rows deleted (or that would be) by table; `leads`: contacts whose consent field or points were reset. */
    changed: Record<string, number>;
}

export async function withdrawProfiling(t: Transport, schema: Schema, email: string, commit: boolean): Promise<WithdrawResult> {
    const rows = (await t.run(withdrawProfilingSql(schema, normaliseAddress(email), commit))) as Array<{ t?: string; n?: number; contacts?: number }>;
    const changed: Record<string, number> = {};
    let contacts = 0;
    for (const r of rows) {
        if (r.contacts !== undefined) contacts = Number(r.contacts);
        else if (r.t) changed[r.t] = Number(r.n);
    }
    return { contacts, changed };
}

/** The lines the CLI prints (what was reset, what stays). */
export function withdrawNote(): string {
    return (
        `It clears ${doiFields.trackingConsent}, sets the points to 0 and deletes: ${PROFILING_TABLES.map(([t, , w]) => `${w} (${t})`).join(", ")}.\n` +
        "It keeps the subscription: no do-not-contact entry, segments, tags, campaigns and the consent-proof ledger are unchanged.\n"
    );
}
