/**
 * The keyed hash computed inside a real MariaDB (dsr/keyedHash.ts: HMAC from the key's pads)
 * equals Node's crypto.createHmac for the same key and address, for ASCII and non-ASCII
 * addresses stored in a utf8mb4_unicode_ci column (Mautic's), and differs for another key.
 */
import { randomBytes } from "crypto";
import { keyedHash, keyedSql, padsSql } from "../../dsr/keyedHash";
import { MariaDbServer } from "../support/mariadb";

let db: MariaDbServer;

beforeAll(async () => {
    db = await MariaDbServer.start();
    db.sql("CREATE DATABASE t; CREATE TABLE t.a (id INT PRIMARY KEY, email VARCHAR(191) COLLATE utf8mb4_unicode_ci) DEFAULT CHARSET=utf8mb4");
});

afterAll(async () => {
    await db?.stop();
});

const addresses = ["anna@example.org", "  Jörg.Müller@Bücher.example ", "x+tag@sub.example.co.uk", "ünïcødé@例え.jp"];
const alnum = (n: number) => [...randomBytes(n)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");

test.each([64, 32, 48])("MariaDB's keyed hash equals Node's HMAC-SHA256 (key of %i characters)", (len) => {
    const key = alnum(len);
    db.sql("DELETE FROM t.a");
    addresses.forEach((a, i) => db.sql(`INSERT INTO t.a VALUES (${i}, '${a}')`));
    const rows = db.sql(`${padsSql(key)}; SELECT id, ${keyedSql("LOWER(TRIM(email))")} FROM t.a ORDER BY id`);
    expect(rows).toEqual(addresses.map((a, i) => [String(i), keyedHash(key, a.trim().toLowerCase())]));
    // Not the plain hash, and another key gives another value.
    const other = db.sql(`${padsSql(alnum(len))}; SELECT ${keyedSql("LOWER(TRIM(email))")} FROM t.a ORDER BY id`).map((r) => r[0]);
    addresses.forEach((a, i) => expect(other[i]).not.toBe(rows[i][1]));
});
