/**
 * The SQL of a data subject request, as plain statement lists that every transport runs in one
 * session (mysql2 statement by statement; the `mariadb` client over SSH as one script with
 * `DELIMITER $$`). Every statement that returns rows returns ONE column holding a JSON document,
 * so both transports hand back the same values.
 */
import { createHash } from "crypto";
import { ADDRESS, hashMatch, isText, q, Rule, rules, Schema, selectionSql } from "./rules";

/** The discovery query: every column of every table of the current database. */
export const schemaSql = [
    "SELECT JSON_OBJECT('t', TABLE_NAME, 'c', COLUMN_NAME, 'd', DATA_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
];

export function parseSchema(rows: unknown[]): Schema {
    const s: Schema = new Map();
    for (const row of rows) {
        const { t, c, d } = row as { t: string; c: string; d: string };
        if (!s.has(t)) s.set(t, new Map());
        s.get(t)!.set(c, d);
    }
    return s;
}

/** Trimmed and lower-cased, as compared everywhere; refuses what cannot be an address. */
export function normaliseAddress(address: string): string {
    const a = address.trim().toLowerCase();
    if (!/^[^\s@"'\\`;]+@[^\s@"'\\`;]+\.[^\s@"'\\`;]+$/.test(a) || a.length > 191 || /\p{Cc}/u.test(a)) {
        throw new Error(`--email ${JSON.stringify(address)} is not an e-mail address (like name@example.org)`);
    }
    return a;
}

export function addressHash(normalised: string): string {
    return createHash("sha256").update(normalised, "utf8").digest("hex");
}

/** A SQL string literal (the address is validated first: no quotes or backslashes can reach here). */
function lit(s: string | null): string {
    if (s === null) return "NULL";
    if (/['\\]/.test(s) || s.includes("\u0000")) throw new Error("internal: unsafe literal");
    return `'${s}'`;
}

export interface Target {
    /** SHA-256 hex of the normalised address. */
    hash: string;
    /** The normalised address on live runs; null when re-applying from the journal. */
    address: string | null;
    /** Only rows older than this (UTC 'YYYY-MM-DD HH:MM:SS'); null: all. */
    before: string | null;
}

export function setVariables(t: Target): string {
    if (!/^[0-9a-f]{64}$/.test(t.hash)) throw new Error("internal: bad hash");
    if (t.before !== null && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t.before)) throw new Error("internal: bad date");
    return `SET @dsr_hash = ${lit(t.hash)}, @dsr_keyed = 0, @dsr_address = ${lit(t.address)}, @dsr_before = ${lit(t.before)}`;
}

function column(table: string, col: string, type: string): string {
    const t = type.toLowerCase();
    if (/blob|binary/.test(t)) return `'${col}', TO_BASE64(${q(table)}.${q(col)})`;
    if (t === "json") return `'${col}', JSON_QUERY(${q(table)}.${q(col)}, '$')`;
    return `'${col}', ${q(table)}.${q(col)}`;
}

/** Row selection for export: [set variables, fill the id tables, one SELECT per rule]. */
export function exportSql(schema: Schema, target: Target): string[] {
    const out = [setVariables(target), ...selectionSql(schema)];
    for (const r of rules(schema)) {
        const cols = [...schema.get(r.table)!.entries()].map(([c, d]) => column(r.table, c, d));
        // JSON_OBJECT takes at most a few hundred arguments: build the row in chunks and merge.
        const chunks: string[] = [];
        for (let i = 0; i < cols.length; i += 100) chunks.push(`JSON_OBJECT(${cols.slice(i, i + 100).join(", ")})`);
        const row = chunks.length === 1 ? chunks[0] : `JSON_MERGE_PATCH(${chunks.join(", ")})`;
        out.push(`SELECT JSON_OBJECT('t', '${r.table}', 'r', ${row}) FROM ${q(r.table)} WHERE ${r.exportWhere ?? r.where}`);
    }
    return out;
}

/** `IF <all tables exist> THEN ... END IF;`: the same script re-applies to an older schema. */
function guarded(tables: string[], body: string): string {
    const list = [...new Set(tables)].map((t) => `'${t}'`).join(", ");
    return `IF (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${list})) = ${new Set(tables).size} THEN ${body} END IF;`;
}

function tablesIn(sql: string, schema: Schema): string[] {
    return [...schema.keys()].filter((t) => new RegExp(`\\b${t}\\b`).test(sql));
}

/**
 * The erasure, without the variables: one transaction around one compound statement that fills
 * the id tables and deletes rule by rule, counting rows in dsr_counts; then the counts (JSON)
 * and COMMIT, or ROLLBACK for a dry run. This text is also what the host keeps (erase.sql) to
 * re-apply the journal after a restore.
 */
export function eraseBodySql(schema: Schema, commit: boolean): string[] {
    const steps: string[] = [
        "DROP TEMPORARY TABLE IF EXISTS dsr_counts;",
        "CREATE TEMPORARY TABLE dsr_counts (seq INT AUTO_INCREMENT PRIMARY KEY, tbl VARCHAR(64), n BIGINT);",
    ];
    for (const stmt of selectionSql(schema)) {
        const t = tablesIn(stmt, schema);
        steps.push(t.length > 0 ? guarded(t, `${stmt};`) : `${stmt};`);
    }
    for (const r of rules(schema))
        steps.push(guarded(tablesIn(r.where, schema).concat(r.table), `${deleteSql(r)}; INSERT INTO dsr_counts (tbl, n) VALUES ('${r.table}', ROW_COUNT());`));
    return [
        "START TRANSACTION",
        `BEGIN NOT ATOMIC\n  ${steps.join("\n  ")}\nEND`,
        "SELECT JSON_OBJECT('t', tbl, 'n', n) FROM dsr_counts WHERE n > 0 ORDER BY seq",
        commit ? "COMMIT" : "ROLLBACK",
    ];
}

function deleteSql(r: Rule): string {
    return `DELETE FROM ${q(r.table)} WHERE ${r.where}`;
}

/** After an erasure: every table that still holds the address (or its hash) anywhere. */
export function residueSql(schema: Schema, target: Target): string[] {
    const out = [setVariables(target)];
    for (const [t, cols] of schema) {
        if (t.startsWith("dsr_")) continue;
        const text = [...cols.entries()].filter(([, d]) => isText(d)).map(([c]) => q(c));
        if (text.length === 0) continue;
        const cond = text.map((c) => `LOCATE(${ADDRESS}, ${c}) > 0 OR ${hashMatch(c)}`).join(" OR ");
        out.push(`SELECT JSON_OBJECT('t', '${t}', 'n', COUNT(*)) FROM ${q(t)} WHERE ${cond} HAVING COUNT(*) > 0`);
    }
    return out;
}

/** The statements as one script for the `mariadb` client (compound statements need DELIMITER). */
export function asClientScript(statements: string[]): string {
    return `DELIMITER $$\n${statements.map((s) => `${s}\n$$`).join("\n")}\nDELIMITER ;\n`;
}
