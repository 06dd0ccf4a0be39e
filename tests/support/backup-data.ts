/**
 * Test data for the backup tests: a Mautic-like database (InnoDB tables with utf8mb4 text,
 * binary blobs, a foreign key, a view, a trigger, a procedure, an event) and a config/media tree
 * with www-data ownership and restrictive modes, plus fingerprints to compare after a restore.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { MariaDbServer } from "./mariadb";

export const tables = ["leads", "lead_event_log", "assets", "lead_counter"] as const;

/** Strings that break with a wrong character set: 4-byte emoji, CJK, combining marks, quotes. */
export const trickyText = "Grüße 😀🇩🇪 さくら Łódź e\u0301 'quote' \"dq\" back\\slash tab\tend";

export function fillDatabase(db: MariaDbServer, leads = 20000): void {
    db.sql(
        `
        CREATE DATABASE mautic CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        USE mautic;
        CREATE TABLE leads (
            id INT AUTO_INCREMENT PRIMARY KEY,
            email VARCHAR(191) NOT NULL UNIQUE,
            firstname VARCHAR(100), lastname VARCHAR(100),
            date_added DATETIME NOT NULL, points INT NOT NULL DEFAULT 0,
            notes TEXT
        ) ENGINE=InnoDB;
        CREATE TABLE lead_counter (id TINYINT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB;
        INSERT INTO lead_counter VALUES (1, 0);
        CREATE TRIGGER leads_count AFTER INSERT ON leads FOR EACH ROW UPDATE lead_counter SET n = n + 1 WHERE id = 1;
        CREATE TABLE lead_event_log (
            id BIGINT AUTO_INCREMENT PRIMARY KEY,
            lead_id INT NOT NULL, action VARCHAR(50) NOT NULL, properties LONGTEXT, date_added DATETIME NOT NULL,
            CONSTRAINT fk_lead FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
        ) ENGINE=InnoDB;
        CREATE TABLE assets (id INT PRIMARY KEY, title VARCHAR(255), content LONGBLOB) ENGINE=InnoDB;
        CREATE VIEW lead_points AS SELECT id, email, points FROM leads WHERE points > 0;
        CREATE PROCEDURE add_points(IN lid INT, IN p INT) UPDATE leads SET points = points + p WHERE id = lid;
        CREATE EVENT purge_events ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM lead_event_log WHERE date_added < NOW() - INTERVAL 1 YEAR;
        INSERT INTO leads (email, firstname, lastname, date_added, points, notes)
            SELECT CONCAT('contact', seq, '@example.test'),
                   ELT(1 + seq % 5, 'Jürgen', 'Zoë', 'Łukasz', 'さくら', 'Ørjan'),
                   ELT(1 + seq % 3, 'Müller', 'O''Brien', '😀 Smiley'),
                   '2024-01-01' + INTERVAL seq MINUTE, seq % 7,
                   CONCAT('Notiz ', seq, ' ', REPEAT('äöü€', seq % 40))
            FROM seq_1_to_${leads};
        INSERT INTO lead_event_log (lead_id, action, properties, date_added)
            SELECT 1 + seq % ${leads}, ELT(1 + seq % 3, 'page.hit', 'email.read', 'form.submit'),
                   CONCAT('{"url":"https://www.example.test/seite-', seq, '","ua":"Mozilla/5.0 (ä)"}'),
                   '2024-02-01' + INTERVAL seq SECOND
            FROM seq_1_to_${leads * 2};
        INSERT INTO assets VALUES
            (1, 'all bytes', (SELECT GROUP_CONCAT(CHAR(seq - 1 USING binary) SEPARATOR '') FROM seq_1_to_256)),
            (2, 'hashes', (SELECT GROUP_CONCAT(UNHEX(SHA2(seq, 256)) ORDER BY seq SEPARATOR '') FROM seq_1_to_32)),
            (3, 'empty', ''), (4, 'null', NULL);
        UPDATE leads SET notes = ${sqlString(trickyText)} WHERE id = 42;
    `,
        "mysql",
    );
}

export function sqlString(s: string): string {
    return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export interface DbFingerprint {
    checksums: Record<string, string>;
    counts: Record<string, string>;
    objects: string[];
    tricky: string;
}

/** CHECKSUM TABLE and COUNT(*) per table, the routines/triggers/views/events, the tricky text. */
export function dbFingerprint(db: MariaDbServer): DbFingerprint {
    const checksums: Record<string, string> = {};
    const counts: Record<string, string> = {};
    for (const [table, sum] of db.sql(`CHECKSUM TABLE ${tables.map((t) => `mautic.${t}`).join(", ")} EXTENDED`)) {
        checksums[table] = sum;
    }
    for (const t of tables) counts[t] = db.value(`SELECT COUNT(*) FROM mautic.${t}`);
    const objects = db
        .sql(
            `SELECT 'table', TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mautic'
              UNION ALL SELECT 'routine', ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mautic'
              UNION ALL SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'mautic'
              UNION ALL SELECT 'event', EVENT_NAME, STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'mautic'`,
        )
        .map((r) => r.join(" "))
        .sort();
    const tricky = db.value("SELECT HEX(notes) FROM mautic.leads WHERE id = 42");
    return { checksums, counts, objects, tricky };
}

/** A deterministic pseudo-random buffer (no Math.random: the tests are reproducible). */
export function bytes(seed: string, size: number): Buffer {
    const out = Buffer.alloc(size);
    let block = createHash("sha256").update(seed).digest();
    for (let off = 0; off < size; off += block.length) {
        block.copy(out, off);
        block = createHash("sha256").update(block).digest();
    }
    return out;
}

/** Creates config/ and media/ like a running Mautic: www-data (uid 33) files, 0640/0750 modes. */
export function fillFiles(filesRoot: string): void {
    const files: [string, Buffer | string, number][] = [
        ["config/local.php", "<?php\n$parameters = array('db_driver' => 'pdo_mysql', 'site_url' => 'https://m.example.test');\n", 0o640],
        ["config/parameters_local.php", "<?php\n$parameters = array('anonymize_ip' => true);\n", 0o640],
        ["media/files/report-2024.pdf", bytes("pdf", 300_000), 0o644],
        ["media/files/sub dir/Ümlaut äöü.txt", "Grüße 😀\n", 0o644],
        ["media/images/logo.png", bytes("png", 50_000), 0o644],
        ["media/images/flags/de.png", bytes("de", 2_000), 0o600],
    ];
    for (const [rel, content, mode] of files) {
        const p = path.join(filesRoot, rel);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content, { mode });
        fs.chmodSync(p, mode);
        fs.chownSync(p, 33, 33);
    }
    fs.chmodSync(path.join(filesRoot, "config"), 0o750);
    fs.chownSync(path.join(filesRoot, "config"), 33, 33);
}

/** Every file and dir under the config/media roots: relative path -> sha256, mode, owner. */
export function filesFingerprint(filesRoot: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
        const abs = path.join(filesRoot, rel);
        const st = fs.lstatSync(abs);
        const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
        if (st.isDirectory()) {
            out[`${rel}/`] = meta;
            for (const n of fs.readdirSync(abs).sort()) walk(path.join(rel, n));
        } else {
            out[rel] = `${meta} ${createHash("sha256").update(fs.readFileSync(abs)).digest("hex")}`;
        }
    };
    for (const top of ["config", "media"]) if (fs.existsSync(path.join(filesRoot, top))) walk(top);
    return out;
}
