-- mautic-gdpr-kit: the consent-proof ledger of the double opt-in (docs/guide/doi.md).
-- Kit-owned tables in Mautic's database. Mautic never reads or writes them; its cleanup,
-- contact deletion, the kit's unsubscribe minimisation and `npm run dsr -- erase` leave them
-- alone: the rows are kept under restriction (Art. 17(3)(b),(e), Art. 18 GDPR) and deleted by
-- mautic-privacy-maintenance after the retention period. No foreign keys on purpose: a row
-- outlives the Mautic contact it was written for. All times are UTC.
CREATE TABLE IF NOT EXISTS kit_consent_texts (
  sha256 CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  language VARCHAR(8) CHARACTER SET ascii NOT NULL,
  version VARCHAR(32) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  first_used_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS kit_consent_ledger (
  signup_id CHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  address_key CHAR(64) CHARACTER SET ascii NOT NULL,
  contact_id BIGINT UNSIGNED NULL,
  contact_created TINYINT(1) NOT NULL DEFAULT 0,
  form VARCHAR(64) NOT NULL,
  language VARCHAR(8) CHARACTER SET ascii NOT NULL,
  consent_text_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  notice_sha256 CHAR(64) CHARACTER SET ascii NULL,
  tracking_text_sha256 CHAR(64) CHARACTER SET ascii NULL,
  signed_up_at DATETIME NOT NULL,
  outcome VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT 'received',
  mail_sent_at DATETIME NULL,
  confirmed_at DATETIME NULL,
  confirm_event VARCHAR(64) NULL,
  last_activity_at DATETIME NOT NULL,
  KEY kit_consent_ledger_address (address_key),
  KEY kit_consent_ledger_contact (contact_id),
  KEY kit_consent_ledger_signed_up (signed_up_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
