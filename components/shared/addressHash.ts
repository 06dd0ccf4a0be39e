/**
 * The keyed hash of an address (issue 20 item 7): HMAC-SHA256 (RFC 2104) of the trimmed,
 * lower-cased address with a per-stack key that only the server holds. Without the key an entry
 * cannot be linked to an address; with it, anyone who knows an address can check whether it is
 * listed. MariaDB has no HMAC function, so the SQL form computes it from the key's inner and outer
 * pads: SHA2(opad || UNHEX(SHA2(ipad || message))). The pads are set as session variables
 * (@dsr_ipad, @dsr_opad, binary) by the caller, never written into a rendered file.
 *
 * Keyed entries carry the prefix `hmac:` in the erasure journal and `keyed = 1` in
 * kit_suppression; entries written before the key existed are plain SHA-256 and keep matching.
 */
import { createHmac } from "crypto";

/** The key on the server (root only, 0600; written by components/host/addressHashKey.ts). */
export const hashKeyPath = "/etc/mautic/address-hash.key";

/** Journal prefix of a keyed entry. */
export const KEYED_PREFIX = "hmac:";

/** The key as the stack generates it (components/app/siteSecrets.ts): 32 to 64 letters and digits. */
export function validateHashKey(key: string, source: string): string {
    const k = key.trim();
    if (!/^[A-Za-z0-9]{32,64}$/.test(k)) throw new Error(`${source} must hold the stack's address-hash key: 32 to 64 letters and digits on one line`);
    return k;
}

/** HMAC-SHA256 hex of an already normalised address (the reference the SQL form must equal). */
export function keyedHash(key: string, normalised: string): string {
    return createHmac("sha256", Buffer.from(key, "utf8")).update(normalised, "utf8").digest("hex");
}

/** The inner and outer pads (hex, 64 bytes each) of a key of at most 64 bytes. */
export function hmacPads(key: string): { ipad: string; opad: string } {
    const k = Buffer.alloc(64);
    const raw = Buffer.from(key, "utf8");
    if (raw.length > 64) throw new Error("internal: hash key longer than 64 bytes");
    raw.copy(k);
    const xor = (b: number) => Buffer.from(k.map((x) => x ^ b)).toString("hex");
    return { ipad: xor(0x36), opad: xor(0x5c) };
}

/** `SET @dsr_ipad = ..., @dsr_opad = ...` for a session that compares keyed hashes. */
export function padsSql(key: string): string {
    const { ipad, opad } = hmacPads(validateHashKey(key, "the address-hash key"));
    return `SET @dsr_ipad = UNHEX('${ipad}'), @dsr_opad = UNHEX('${opad}')`;
}

/** SQL: the keyed hash (hex) of a text expression, with the pads of the session. */
export function keyedSql(expr: string): string {
    return `SHA2(CONCAT(@dsr_opad, UNHEX(SHA2(CONCAT(@dsr_ipad, ${expr}), 256))), 256)`;
}
