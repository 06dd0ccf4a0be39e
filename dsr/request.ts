/**
 * The two requests on any transport: export (Art. 15 + 20) and erase (Art. 17, with the
 * objection of Art. 21 kept as a suppression hash in the journal).
 */
import { addressHash, eraseBodySql, exportSql, normaliseAddress, parseSchema, residueSql, schemaSql, setVariables, Target } from "./sql";
import type { Art15Information } from "./art15";
import { hashKeyPath, keyedHash } from "../components/shared/addressHash";
import { ledgerExportSql } from "./ledger";
import { restrictedComment } from "./rectify";
import { Schema } from "./rules";
import { Transport } from "./transport";

export interface PersonExport {
    /** The address as searched (trimmed, lower case). */
    subject: string;
    generatedAt: string;
    source: string;
    /** Mautic's contact rows (`leads`), also in `tables.leads`. */
    contacts: Record<string, unknown>[];
    /** Every row that belongs to the person, by table. */
    tables: Record<string, Record<string, unknown>[]>;
    /** The DOI consent-proof ledger's key of the address (null: this database has no ledger). */
    ledgerKey: string | null;
    /** Names of the segments, campaigns, forms, e-mails, tags and pages the rows refer to. */
    names: Record<string, Record<string, string>>;
    /** The person's lines of the erasure journal (held outside the database; empty when none or not readable). */
    journal: string[];
    /** The Art. 15(1) information (dsr/art15.ts), set by the CLI. */
    information?: Art15Information;
}

/** The suppression list of unsubscribed contacts (privacy maintenance): the person's entry, by the address hash. */
export const SUPPRESSION_TABLE = "kit_suppression";

/**
 * The person's suppression entries: keyed rows (`keyed` = 1, components/shared/addressHash.ts) by the keyed hash,
 * older rows by the plain SHA-256 (@dsr_hash). A list with keyed rows needs the stack's key.
 */
export function suppressionSql(schema: Schema, subject: string, hashKey: string | null): string {
    const cols = schema.get(SUPPRESSION_TABLE)!;
    const select = `SELECT JSON_OBJECT('t', '${SUPPRESSION_TABLE}', 'r', JSON_OBJECT(${[...cols.keys()].map((c) => `'${c}', \`${c}\``).join(", ")})) FROM ${SUPPRESSION_TABLE}`;
    if (!cols.has("keyed")) return `${select} WHERE email_sha256 = @dsr_hash`;
    if (hashKey === null)
        throw new Error(
            `${SUPPRESSION_TABLE} holds keyed hashes: give the stack's address-hash key (--hash-key-file FILE, a copy of ${hashKeyPath} on the server)`,
        );
    return `${select} WHERE (keyed = 0 AND email_sha256 = @dsr_hash) OR (keyed = 1 AND email_sha256 = '${keyedHash(hashKey, subject)}')`;
}

export async function loadSchema(t: Transport): Promise<Schema> {
    return parseSchema(await t.run(schemaSql));
}

const LOOKUPS: Array<[key: string, table: string, nameCol: string, refs: Array<[table: string, col: string]>]> = [
    ["segments", "lead_lists", "name", [["lead_lists_leads", "leadlist_id"]]],
    [
        "campaigns",
        "campaigns",
        "name",
        [
            ["campaign_leads", "campaign_id"],
            ["campaign_lead_event_log", "campaign_id"],
        ],
    ],
    ["campaign_events", "campaign_events", "name", [["campaign_lead_event_log", "event_id"]]],
    ["forms", "forms", "name", [["form_submissions", "form_id"]]],
    ["emails", "emails", "name", [["email_stats", "email_id"]]],
    ["tags", "lead_tags", "tag", [["lead_tags_xref", "tag_id"]]],
    ["pages", "pages", "title", [["page_hits", "page_id"]]],
];

/** Every row about the person; with `ledgerKey` also the consent-proof ledger's rows (dsr/ledger.ts). */
export async function exportPerson(
    t: Transport,
    schema: Schema,
    email: string,
    now = new Date(),
    ledgerKey: string | null = null,
    hashKey: string | null = null,
): Promise<PersonExport> {
    const subject = normaliseAddress(email);
    const target: Target = { hash: addressHash(subject), address: subject, before: null };
    const suppression = schema.get(SUPPRESSION_TABLE)?.has("email_sha256") ? [suppressionSql(schema, subject, hashKey)] : [];
    const rows = (await t.run([...exportSql(schema, target), ...suppression, ...(ledgerKey ? ledgerExportSql(schema, ledgerKey) : [])])) as Array<{
        t: string;
        r: Record<string, unknown>;
    }>;
    const tables: PersonExport["tables"] = {};
    for (const { t: table, r } of rows) (tables[table] ??= []).push(r);
    const names: PersonExport["names"] = {};
    const lookups: string[] = [];
    for (const [key, table, nameCol, refs] of LOOKUPS) {
        if (!schema.get(table)?.has(nameCol)) continue;
        const ids = new Set<string>();
        for (const [rt, col] of refs) for (const r of tables[rt] ?? []) if (r[col] !== null && r[col] !== undefined) ids.add(String(r[col]));
        const list = [...ids].filter((i) => /^\d+$/.test(i));
        if (list.length > 0)
            lookups.push(`SELECT JSON_OBJECT('k', '${key}', 'id', id, 'name', \`${nameCol}\`) FROM \`${table}\` WHERE id IN (${list.join(", ")})`);
    }
    if (lookups.length > 0) {
        for (const { k, id, name } of (await t.run(lookups)) as Array<{ k: string; id: unknown; name: string }>) (names[k] ??= {})[String(id)] = name;
    }
    return { subject, generatedAt: now.toISOString(), source: t.description, contacts: tables.leads ?? [], tables, ledgerKey, names, journal: [] };
}

export function rowCount(e: PersonExport): number {
    return Object.values(e.tables).reduce((n, rows) => n + rows.length, 0);
}

/**
 * Art. 21: the person objected when they say so (--objected), or when Mautic holds a
 * do-not-contact entry that is an objection: reason 1 (unsubscribed) or 3 (manual), not 2 (bounced).
 */
export function objected(e: PersonExport, asked: boolean): boolean {
    // A restriction (dsr/rectify.ts) is a manual entry too, but not an objection.
    return asked || (e.tables.lead_donotcontact ?? []).some((d) => Number(d.reason) === 1 || (Number(d.reason) === 3 && d.comments !== restrictedComment));
}

export interface EraseResult {
    hash: string;
    /** Rows deleted (or that would be deleted on a dry run), by table. */
    deleted: Record<string, number>;
    /** Tables that still contain the address after the erasure (a real run only). */
    residue: Record<string, number>;
    committed: boolean;
}

export async function erasePerson(t: Transport, schema: Schema, email: string, commit: boolean): Promise<EraseResult> {
    const subject = normaliseAddress(email);
    const target: Target = { hash: addressHash(subject), address: subject, before: null };
    const counts = (await t.run([setVariables(target), ...eraseBodySql(schema, commit)])) as Array<{ t: string; n: number }>;
    const deleted: Record<string, number> = {};
    for (const { t: table, n } of counts) deleted[table] = (deleted[table] ?? 0) + Number(n);
    const residue: Record<string, number> = {};
    if (commit) {
        const fresh = await loadSchema(t);
        for (const { t: table, n } of (await t.run(residueSql(fresh, target))) as Array<{ t: string; n: number }>) residue[table] = Number(n);
    }
    return { hash: target.hash, deleted, residue, committed: commit };
}
