/**
 * The double-opt-in consent-proof ledger in a data subject request (docs/guide/doi.md).
 *
 * The DOI endpoint keeps one row per sign-up in `kit_consent_ledger`, keyed by an HMAC of the
 * address with the stack's `doiSecret` (not by the address, not by its plain SHA-256), and the
 * texts shown in `kit_consent_texts`. The key is computed by the endpoint's own CLI
 * (`php /var/www/kit-doi/doi.php address-key`, address on stdin), so there is one definition of
 * it: `--stack` runs it in the web container over SSH; `--mysql` takes it as `--ledger-key`.
 *
 * Export includes the rows and the texts they name (Art. 15/20: restricted data is the
 * person's data too). Erase keeps them: they are the proof of consent (Art. 7(1)) kept under
 * restriction (Art. 17(3)(b) and (e), Art. 18) until `consentProofYears` after the last mailing
 * or withdrawal, when mautic-privacy-maintenance deletes them; the rows hold no address.
 */
import { containerNames } from "../components/config/defaults";
import type { Schema } from "./rules";
import type { Transport } from "./transport";

export const LEDGER_TABLE = "kit_consent_ledger";
export const LEDGER_TEXTS_TABLE = "kit_consent_texts";
/** Tables a DSR never deletes from (kept under restriction, deleted by their own retention). */
export const RESTRICTED_TABLES: ReadonlySet<string> = new Set([LEDGER_TABLE, LEDGER_TEXTS_TABLE]);

/** The host command that prints the ledger key of the address on its stdin. */
export function addressKeyCommand(webContainer: string = containerNames.web): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(webContainer)) throw new Error(`webContainer ${JSON.stringify(webContainer)} is not a container name`);
    return `docker exec -i ${webContainer} php /var/www/kit-doi/doi.php address-key`;
}

/** How an operator gets the key by hand (named in the error when it is missing). */
export const addressKeyHint = `on the server: printf '%s' ADDRESS | ${addressKeyCommand()}`;

export function checkLedgerKey(key: string): string {
    const k = key.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(k)) throw new Error(`--ledger-key must be the 64 hex digits the DOI endpoint prints (${addressKeyHint})`);
    return k;
}

export function hasLedger(schema: Schema): boolean {
    return schema.get(LEDGER_TABLE)?.has("address_key") === true;
}

/**
 * The ledger key of the address: null when the database has no ledger; the given key
 * (--ledger-key); or the endpoint's CLI on the host (--stack). Without either: an error that
 * says how to get it, so an export is never silently incomplete.
 */
export async function ledgerKey(t: Transport, schema: Schema, normalisedAddress: string, given?: string): Promise<string | null> {
    if (!hasLedger(schema)) return null;
    if (given !== undefined) return checkLedgerKey(given);
    if (!t.host) {
        throw new Error(`this database holds the double-opt-in consent ledger (${LEDGER_TABLE}), keyed by an HMAC the DOI endpoint computes: give --ledger-key KEY (${addressKeyHint})`);
    }
    const out = (await t.host(addressKeyCommand(), normalisedAddress)).trim();
    if (!/^[0-9a-f]{64}$/.test(out)) throw new Error(`the DOI endpoint's address-key command printed no key (${addressKeyCommand()})`);
    return out;
}

const json = (table: string, cols: string[]) => `JSON_OBJECT('t', '${table}', 'r', JSON_OBJECT(${cols.map((c) => `'${c}', \`${c}\``).join(", ")}))`;

/** The person's ledger rows and the archived texts they refer to (one JSON value per row). */
export function ledgerExportSql(schema: Schema, key: string): string[] {
    const k = checkLedgerKey(key);
    const rowCols = [...schema.get(LEDGER_TABLE)!.keys()];
    const out = [`SELECT ${json(LEDGER_TABLE, rowCols)} FROM ${LEDGER_TABLE} WHERE address_key = '${k}' ORDER BY signed_up_at, signup_id`];
    const texts = schema.get(LEDGER_TEXTS_TABLE);
    if (texts?.has("sha256")) {
        const refs = ["consent_text_sha256", "notice_sha256", "tracking_text_sha256"].filter((c) => schema.get(LEDGER_TABLE)!.has(c));
        const cond = refs.map((c) => `t.sha256 IN (SELECT ${c} FROM ${LEDGER_TABLE} WHERE address_key = '${k}')`).join(" OR ");
        if (cond) out.push(`SELECT ${json(LEDGER_TEXTS_TABLE, [...texts.keys()]).replace(/`([a-z_0-9]+)`/g, "t.`$1`")} FROM ${LEDGER_TEXTS_TABLE} t WHERE ${cond} ORDER BY t.first_used_at, t.sha256`);
    }
    return out;
}

/** What erase says about the ledger (it deletes none of it). */
export function ledgerKeptNote(rows: number): string {
    return rows === 0
        ? ""
        : `dsr: ${rows} double-opt-in consent-proof record(s) (${LEDGER_TABLE}: pseudonymous key, times, consent text; no address) are KEPT under restriction ` +
              "as the proof of consent (Art. 7(1), Art. 17(3)(b) and (e), Art. 18 GDPR) and deleted by mautic-privacy-maintenance consentProofYears full years after the year of the last mailing or withdrawal. Tell the person so in the answer.\n";
}
