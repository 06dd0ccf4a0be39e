/**
 * Where Mautic keeps a person, as rules over the live schema: one rule per table, a WHERE
 * condition over temporary id tables that `selectionSql` fills first. Export reads the rows the
 * rules select, erase deletes them in this order (dependants before what they point at; the
 * contact row last, so Mautic's ON DELETE SET NULL never orphans a row before it was matched).
 *
 * The person is matched by the hash of the trimmed, lower-cased address (@dsr_hash: SHA-256, or
 * the keyed hash of a journal line, see addressHashSql), never by a stored plain address, so the
 * same SQL re-applies an erasure from the journal. Live runs also
 * set @dsr_address and additionally match rows that merely CONTAIN it (audit-log details,
 * serialised queue messages, webhook payloads, event properties, sent e-mail copies).
 * @dsr_before (NULL or 'YYYY-MM-DD HH:MM:SS' UTC) limits a re-applied erasure to rows older than
 * the erasure, so a person who signed up again later is not erased again (unless they objected).
 */

import { keyedSql } from "../components/shared/addressHash";
import { RESTRICTED_TABLES } from "./ledger";

/** Column name -> MariaDB DATA_TYPE, per table, as read from information_schema. */
export type Schema = Map<string, Map<string, string>>;

export interface Rule {
    table: string;
    /** SQL condition selecting the person's rows (references the dsr_* temporary tables). */
    where: string;
    /** For export, when it differs: shared rows (e-mail copies, IP rows) are the person's data too, but erase keeps them while others use them. */
    exportWhere?: string;
}

const TEXT_TYPES = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json"]);

export function isText(type: string): boolean {
    return TEXT_TYPES.has(type.toLowerCase());
}

/**
 * The hash of a text expression as @dsr_hash holds it: plain SHA-256 (live runs, and journal
 * lines written before the key existed), or with @dsr_keyed = 1 the keyed hash of
 * components/shared/addressHash.ts (a re-applied `hmac:` journal line; the session sets the key's pads).
 */
export function addressHashSql(expr: string): string {
    return `IF(@dsr_keyed = 1, ${keyedSql(expr)}, SHA2(${expr}, 256))`;
}

/** `<hash of LOWER(TRIM(col))> = @dsr_hash`: how every stored address is compared. */
export function hashMatch(col: string): string {
    return `${addressHashSql(`LOWER(TRIM(${col}))`)} = @dsr_hash`;
}

/**
 * The address with an explicit collation: a user variable takes the connection's collation
 * (the mariadb client's utf8mb4 default differs from Mautic's utf8mb4_unicode_ci columns), and
 * LOCATE refuses two implicit collations. CONVERT first: NULL (re-apply) has no character set.
 */
export const ADDRESS = "CONVERT(@dsr_address USING utf8mb4) COLLATE utf8mb4_unicode_ci";

/** True where the live address occurs in the column (never true on re-apply: @dsr_address is NULL). */
export function contains(col: string): string {
    return `(@dsr_address IS NOT NULL AND LOCATE(${ADDRESS}, ${col}) > 0)`;
}

const EMAIL_RE = "'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}'";

/**
 * Fills dsr_hits with the ids of rows whose column contains an address hashing to @dsr_hash:
 * every address-like token of the text is extracted (recursive CTE) and hashed. This is how a
 * re-applied erasure, which knows only the hash, finds serialised audit-log details, queue
 * messages and webhook payloads that name the person.
 */
export function tokenHitsSql(table: string, idCol: string, col: string): string {
    const next = `SUBSTRING(rest, LOCATE(tok, rest) + CHAR_LENGTH(tok))`;
    return (
        `INSERT IGNORE INTO dsr_hits (tbl, id) WITH RECURSIVE toks (id, tok, rest, n) AS (` +
        // Live runs know the address: only rows containing it (case-insensitively) can match.
        `SELECT ${q(idCol)}, REGEXP_SUBSTR(${q(col)}, ${EMAIL_RE}), ${q(col)}, 0 FROM ${q(table)} ` +
        `WHERE LOCATE('@', ${q(col)}) > 0 AND (@dsr_address IS NULL OR LOCATE(${ADDRESS}, ${q(col)}) > 0) ` +
        `UNION ALL SELECT id, REGEXP_SUBSTR(${next}, ${EMAIL_RE}), ${next}, n + 1 FROM toks WHERE tok <> '' AND n < 200) ` +
        `SELECT '${table}', id FROM toks WHERE tok <> '' AND ${addressHashSql("LOWER(tok)")} = @dsr_hash`
    );
}

/** Tables whose rows name the person only inside serialised text: [table, id column, text columns]. */
export const CONTAINING: Array<[string, string, string[]]> = [
    ["audit_log", "id", ["details"]],
    ["messenger_messages", "id", ["body", "headers"]],
    ["webhook_queue", "id", ["payload"]],
    ["notifications", "id", ["header", "message"]],
    ["lead_event_log", "id", ["properties"]],
];

export function q(identifier: string): string {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(identifier)) throw new Error(`unexpected table or column name ${JSON.stringify(identifier)} in the schema`);
    return `\`${identifier}\``;
}

const has = (s: Schema, t: string, ...cols: string[]) => s.has(t) && cols.every((c) => s.get(t)!.has(c));
const before = (col: string) => `(@dsr_before IS NULL OR COALESCE(${col}, '1970-01-01') < @dsr_before)`;
const IN_LEADS = "IN (SELECT id FROM dsr_leads)";

/** The per-form results tables (`form_results_<id>_<alias>`). */
export function formResultTables(s: Schema): string[] {
    return [...s.keys()].filter((t) => /^form_results_\d+_/.test(t) && s.get(t)!.has("submission_id")).sort();
}

/** Tables whose rows are a contact's through a `lead_id` / `contact_id` column, not handled by a specific rule. */
export function leadKeyedTables(s: Schema, handled: Set<string>): Array<{ table: string; column: string }> {
    const out: Array<{ table: string; column: string }> = [];
    for (const [t, cols] of [...s.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        // The consent-proof ledger has a contact_id but is kept under restriction (dsr/ledger.ts).
        if (t === "leads" || handled.has(t) || t.startsWith("dsr_") || RESTRICTED_TABLES.has(t)) continue;
        for (const c of ["lead_id", "contact_id"]) if (cols.has(c)) out.push({ table: t, column: c });
    }
    return out;
}

/**
 * Statements that fill the temporary id tables for the current @dsr_hash / @dsr_address /
 * @dsr_before: dsr_leads (contacts), dsr_stats (+ their sent-copy ids), dsr_subs (form
 * submissions, also those whose contact id Mautic already nulled), dsr_ips, dsr_camplogs.
 */
export function selectionSql(s: Schema): string[] {
    const out = [
        "DROP TEMPORARY TABLE IF EXISTS dsr_leads, dsr_stats, dsr_subs, dsr_ips, dsr_camplogs, dsr_hits, dsr_notes, dsr_gone",
        "CREATE TEMPORARY TABLE dsr_leads (id BIGINT PRIMARY KEY)",
        "CREATE TEMPORARY TABLE dsr_stats (id BIGINT PRIMARY KEY, copy_id VARCHAR(64) NULL)",
        "CREATE TEMPORARY TABLE dsr_subs (id BIGINT PRIMARY KEY)",
        "CREATE TEMPORARY TABLE dsr_ips (id BIGINT PRIMARY KEY)",
        "CREATE TEMPORARY TABLE dsr_camplogs (id BIGINT PRIMARY KEY)",
        "CREATE TEMPORARY TABLE dsr_hits (tbl VARCHAR(64), id VARCHAR(64), PRIMARY KEY (tbl, id))",
        "CREATE TEMPORARY TABLE dsr_notes (id BIGINT PRIMARY KEY)",
        "CREATE TEMPORARY TABLE dsr_gone (id BIGINT PRIMARY KEY)",
    ];
    if (!has(s, "leads", "id", "email"))
        throw new Error("this database has no Mautic contacts table (leads with id, email): is it a Mautic database, and without a table prefix?");
    out.push(
        `INSERT IGNORE INTO dsr_leads SELECT id FROM leads WHERE email IS NOT NULL AND ${hashMatch("email")} AND ${before(has(s, "leads", "date_added") ? "date_added" : "NULL")}`,
    );
    if (has(s, "email_stats", "id", "lead_id")) {
        const copy = has(s, "email_stats", "copy_id") ? "copy_id" : "NULL";
        const byAddr = has(s, "email_stats", "email_address")
            ? ` OR (email_address IS NOT NULL AND ${hashMatch("email_address")} AND ${before(has(s, "email_stats", "date_sent") ? "date_sent" : "NULL")})`
            : "";
        out.push(`INSERT IGNORE INTO dsr_stats SELECT id, ${copy} FROM email_stats WHERE lead_id ${IN_LEADS}${byAddr}`);
    }
    if (has(s, "form_submissions", "id", "lead_id")) {
        out.push(`INSERT IGNORE INTO dsr_subs SELECT id FROM form_submissions WHERE lead_id ${IN_LEADS}`);
        const dated = has(s, "form_submissions", "date_submitted") ? before("date_submitted") : "TRUE";
        for (const t of formResultTables(s)) {
            const cols = [...s.get(t)!.entries()].filter(([, type]) => isText(type)).map(([c]) => q(c));
            if (cols.length === 0) continue;
            const match = cols.map((c) => `${hashMatch(c)} OR ${contains(c)}`).join(" OR ");
            out.push(
                `INSERT IGNORE INTO dsr_subs SELECT r.submission_id FROM ${q(t)} r JOIN form_submissions fs ON fs.id = r.submission_id WHERE (${match}) AND ${dated.replace("date_submitted", "fs.date_submitted")}`,
            );
        }
    }
    // The IP rows the person's rows point at (deleted later only where nobody else uses them).
    for (const [t, cols] of [...s.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        if (cols.has("lead_id") && cols.has("ip_id"))
            out.push(`INSERT IGNORE INTO dsr_ips SELECT ip_id FROM ${q(t)} WHERE lead_id ${IN_LEADS} AND ip_id IS NOT NULL`);
    }
    if (has(s, "form_submissions", "ip_id"))
        out.push("INSERT IGNORE INTO dsr_ips SELECT f.ip_id FROM form_submissions f JOIN dsr_subs d ON d.id = f.id WHERE f.ip_id IS NOT NULL");
    if (has(s, "email_stats", "ip_id"))
        out.push("INSERT IGNORE INTO dsr_ips SELECT e.ip_id FROM email_stats e JOIN dsr_stats d ON d.id = e.id WHERE e.ip_id IS NOT NULL");
    for (const [t, id, cols] of CONTAINING) for (const c of cols) if (has(s, t, id, c)) out.push(tokenHitsSql(t, id, c));
    if (has(s, "lead_notes", "id", "lead_id")) out.push(`INSERT IGNORE INTO dsr_notes SELECT id FROM lead_notes WHERE lead_id ${IN_LEADS}`);
    // Contacts of the person that Mautic already deleted (a merged or deleted duplicate): their
    // audit entries ("delete" holds the name only) are found through the entry naming the address.
    if (has(s, "audit_log", "object", "object_id", "details")) {
        out.push(
            "INSERT IGNORE INTO dsr_gone SELECT a.object_id FROM audit_log a JOIN dsr_hits h ON h.tbl = 'audit_log' AND h.id = a.id " +
                "WHERE a.object = 'lead' AND a.object_id NOT IN (SELECT id FROM leads)",
        );
    }
    if (has(s, "campaign_lead_event_log", "id", "lead_id"))
        out.push(`INSERT IGNORE INTO dsr_camplogs SELECT id FROM campaign_lead_event_log WHERE lead_id ${IN_LEADS}`);
    return out;
}

/** The rules in deletion order, for the tables this schema has. */
export function rules(s: Schema): Rule[] {
    const r: Rule[] = [];
    const handled = new Set<string>();
    const add = (table: string, where: string, extra: Partial<Rule> = {}) => {
        if (!s.has(table)) return;
        r.push({ table, where, ...extra });
        handled.add(table);
    };
    const textCols = (t: string, names: string[]) => names.filter((c) => s.get(t)?.has(c));
    const containsAny = (t: string, names: string[]) =>
        [`id IN (SELECT id FROM dsr_hits WHERE tbl = '${t}')`, ...textCols(t, names).map((c) => contains(q(c)))].join(" OR ");

    // E-mail statistics: also rows whose contact was deleted (lead_id NULL, address kept).
    if (has(s, "email_stats_devices", "stat_id")) add("email_stats_devices", "stat_id IN (SELECT id FROM dsr_stats)");
    if (has(s, "email_stat_replies", "stat_id")) add("email_stat_replies", "stat_id IN (SELECT id FROM dsr_stats)");
    if (has(s, "email_stats", "id")) add("email_stats", "id IN (SELECT id FROM dsr_stats)");
    // The stored copy of each e-mail sent (personalised body); shared copies stay while used.
    if (has(s, "email_copies", "id") && has(s, "email_stats", "copy_id")) {
        const mine = "id IN (SELECT copy_id FROM dsr_stats WHERE copy_id IS NOT NULL)";
        add("email_copies", `${mine} AND id NOT IN (SELECT copy_id FROM email_stats WHERE copy_id IS NOT NULL)`, { exportWhere: mine });
    }
    // Form results (one table per form) and submissions, also those whose contact id was nulled.
    for (const t of formResultTables(s)) add(t, "submission_id IN (SELECT id FROM dsr_subs)");
    if (has(s, "form_submissions", "id")) add("form_submissions", "id IN (SELECT id FROM dsr_subs)");
    if (has(s, "campaign_lead_event_failed_log", "log_id")) add("campaign_lead_event_failed_log", "log_id IN (SELECT id FROM dsr_camplogs)");
    // The audit log: the contact's own entries, form-submission entries, any entry naming the address.
    if (has(s, "audit_log", "object", "object_id")) {
        add(
            "audit_log",
            `(object = 'lead' AND object_id ${IN_LEADS}) OR (object = 'lead' AND object_id IN (SELECT id FROM dsr_gone)) OR ` +
                `(object = 'note' AND object_id IN (SELECT id FROM dsr_notes)) OR (object = 'submission' AND object_id IN (SELECT id FROM dsr_subs)) OR ${containsAny("audit_log", ["details"])}`,
        );
    }
    // Queues and logs that hold serialised data: matched by the address they contain.
    if (s.has("messenger_messages")) add("messenger_messages", containsAny("messenger_messages", ["body", "headers"]));
    if (s.has("webhook_queue")) add("webhook_queue", containsAny("webhook_queue", ["payload"]));
    if (s.has("notifications")) add("notifications", containsAny("notifications", ["header", "message"]));
    if (has(s, "lead_event_log", "lead_id")) add("lead_event_log", `lead_id ${IN_LEADS} OR ${containsAny("lead_event_log", ["properties"])}`);
    // Integration and sync bookkeeping keyed by "internal entity" instead of lead_id.
    if (has(s, "integration_entity", "internal_entity", "internal_entity_id"))
        add("integration_entity", `internal_entity = 'lead' AND internal_entity_id ${IN_LEADS}`);
    if (has(s, "sync_object_mapping", "internal_object_name", "internal_object_id"))
        add("sync_object_mapping", `internal_object_name = 'lead' AND internal_object_id ${IN_LEADS}`);
    if (has(s, "sync_object_field_change_report", "object_type", "object_id"))
        add("sync_object_field_change_report", `object_type = 'lead' AND object_id ${IN_LEADS}`);
    if (has(s, "contact_merge_records", "contact_id")) add("contact_merge_records", `contact_id ${IN_LEADS}`);
    if (has(s, "campaign_lead_event_log", "lead_id")) add("campaign_lead_event_log", `lead_id ${IN_LEADS}`);
    if (has(s, "page_hits", "lead_id")) add("page_hits", `lead_id ${IN_LEADS}`);
    if (has(s, "lead_ips_xref", "lead_id")) add("lead_ips_xref", `lead_id ${IN_LEADS}`);
    // Every other table with a contact key (segments, tags, campaigns, notes, UTM tags, DNC,
    // devices, points, stages, frequency rules, company change log, plugin tables...).
    handled.add("ip_addresses");
    for (const { table, column } of leadKeyedTables(s, handled)) r.push({ table, where: `${q(column)} ${IN_LEADS}` });
    // IP rows are shared (with anonymize_ip every visitor has '*.*.*.*'): only those nobody else uses.
    if (has(s, "ip_addresses", "id")) {
        const users = [...s.entries()]
            .filter(([t, cols]) => t !== "ip_addresses" && cols.has("ip_id"))
            .map(([t]) => t)
            .sort();
        const unused = users.map((t) => ` AND id NOT IN (SELECT ip_id FROM ${q(t)} WHERE ip_id IS NOT NULL)`).join("");
        r.push({ table: "ip_addresses", where: `id IN (SELECT id FROM dsr_ips)${unused}`, exportWhere: "id IN (SELECT id FROM dsr_ips)" });
    }
    r.push({ table: "leads", where: `id ${IN_LEADS}` });
    return r;
}
