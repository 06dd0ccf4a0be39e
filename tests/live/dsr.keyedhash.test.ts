/**
 * The keyed hash computed inside a real MariaDB (components/shared/addressHash.ts: HMAC from the key's pads)
 * equals Node's crypto.createHmac for the same key and address, for ASCII and non-ASCII
 * addresses stored in a utf8mb4_unicode_ci column (Mautic's), and differs for another key; the
 * host scripts' bash derivation of the pads (templates/privacyMaintenance/hash-key.sh) gives the same pads;
 * AddressHashKey's remote command, run by bash, writes a root-only 0600 key file that it accepts.
 */
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderAddressHashKeyCommand } from "../../components/host/addressHashKey";
import { keyedHash, keyedSql, padsSql } from "../../components/shared/addressHash";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

let db: MariaDbServer;
const fn = path.join(__dirname, "../../templates/privacyMaintenance/hash-key.sh");

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

describe("the host scripts' load_hash_key (templates/privacyMaintenance/hash-key.sh)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hk-"));
    const run = (keyFile: string) =>
        spawnSync(requireTool("bash"), ["-c", `set -euo pipefail; . "$0"; load_hash_key "$1"; printf '%s' "$HASH_PADS_SQL"`, fn, keyFile], {
            encoding: "utf8",
        });

    test.each([64, 32, 41])("gives the same pads as Node, and MariaDB then the Node HMAC (key of %i characters)", (len) => {
        const key = alnum(len);
        const f = path.join(dir, `key${len}`);
        fs.writeFileSync(f, `${key}\n`, { mode: 0o600 });
        const r = run(f);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(`${padsSql(key)};`);
        const a = "  Grüße.An@Example.ORG ";
        expect(db.value(`${r.stdout} SELECT ${keyedSql(`LOWER(TRIM('${a}'))`)}`)).toBe(keyedHash(key, a.trim().toLowerCase()));
    });

    test("refuses a missing, readable-by-others or malformed key file, naming it", () => {
        const f = path.join(dir, "bad");
        expect(run(f)).toMatchObject({ status: 1, stdout: "", stderr: expect.stringContaining(`${f} is missing`) });
        fs.writeFileSync(f, `${alnum(64)}\n`, { mode: 0o644 });
        fs.chmodSync(f, 0o644);
        expect(run(f)).toMatchObject({ status: 1, stderr: expect.stringContaining("mode 0600") });
        fs.chmodSync(f, 0o600);
        fs.writeFileSync(f, "short'; DROP\n");
        expect(run(f)).toMatchObject({ status: 1, stdout: "", stderr: expect.stringContaining("32 to 64 letters and digits") });
    });
});

describe("AddressHashKey's command (components/host/addressHashKey.ts) run by bash as root", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hkc-"));
    const keyFile = path.join(dir, "etc-mautic", "address-hash.key");
    const write = (stdin: string) => spawnSync(requireTool("bash"), ["-c", renderAddressHashKeyCommand(keyFile)], { input: stdin, encoding: "utf8" });

    test("writes the key from stdin as a root-only 0600 file that load_hash_key accepts (the same HMAC as Node)", () => {
        const key = alnum(64);
        const r = write(`${key}\n`);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(renderAddressHashKeyCommand(keyFile)).not.toContain(key);
        const st = fs.statSync(keyFile);
        expect([st.mode & 0o777, st.uid]).toEqual([0o600, 0]);
        expect(fs.readFileSync(keyFile, "utf8")).toBe(`${key}\n`);
        const pads = spawnSync(requireTool("bash"), ["-c", `set -euo pipefail; . "$0"; load_hash_key "$1"; printf '%s' "$HASH_PADS_SQL"`, fn, keyFile], {
            encoding: "utf8",
        });
        expect(pads.status).toBe(0);
        expect(db.value(`${pads.stdout} SELECT ${keyedSql("'a@b.org'")}`)).toBe(keyedHash(key, "a@b.org"));
    });

    test("refuses a malformed key and leaves the old one", () => {
        const before = fs.readFileSync(keyFile, "utf8");
        const r = write("not a key; rm -rf /\n");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("refusing a malformed key");
        expect(fs.readFileSync(keyFile, "utf8")).toBe(before);
        expect(() => renderAddressHashKeyCommand("relative/key")).toThrow(/must be a plain absolute path/);
    });
});
