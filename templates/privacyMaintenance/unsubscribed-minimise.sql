-- mautic-gdpr-kit: unsubscribed contacts reduced to a suppression record (Art. 5(1)(c), Art. 21(3)).
-- Rendered into mautic-privacy-maintenance (components/host/privacyMaintenance.ts).
-- {{days}} day(s) after a contact unsubscribed from e-mail (do-not-contact, reason 1 =
-- unsubscribed; bounces and manual entries are left alone), the contact is deleted and only
-- kit_suppression keeps the keyed hash (HMAC-SHA256 with the stack's key, whose pads the job sets
-- as @dsr_ipad / @dsr_opad: components/shared/addressHash.ts) of its lower-cased address and the unsubscribe date, so
-- the address is never mailed again: a later copy of it (import, API, a form without double
-- opt-in) gets the do-not-contact entry back. Only a new, confirmed double opt-in lifts it.
-- Rows from before the stack had its key (keyed = 0) hold the plain SHA-256 and keep matching.
-- Mautic stores these DATETIME columns in UTC.
CREATE TABLE IF NOT EXISTS kit_suppression (
  email_sha256 CHAR(64) NOT NULL PRIMARY KEY,
  unsubscribed_at DATETIME NOT NULL,
  recorded_at DATETIME NOT NULL,
  keyed TINYINT(1) NOT NULL DEFAULT 0
) ENGINE=InnoDB COMMENT='mautic-gdpr-kit: hashed addresses of unsubscribed contacts (suppression list)';
ALTER TABLE kit_suppression ADD COLUMN IF NOT EXISTS keyed TINYINT(1) NOT NULL DEFAULT 0 COMMENT '1: email_sha256 holds the keyed hash (HMAC-SHA256), 0: the plain SHA-256';

CREATE TEMPORARY TABLE kit_unsubscribed (id BIGINT UNSIGNED PRIMARY KEY, email_sha256 CHAR(64) NOT NULL, unsubscribed_at DATETIME NOT NULL) ENGINE=MEMORY;
INSERT INTO kit_unsubscribed (id, email_sha256, unsubscribed_at)
SELECT l.id, {{keyedEmail}}, MIN(d.date_added)
FROM leads l JOIN lead_donotcontact d ON d.lead_id = l.id AND d.channel = 'email' AND d.reason = 1
WHERE l.email IS NOT NULL AND TRIM(l.email) <> ''
GROUP BY l.id, l.email
HAVING MIN(d.date_added) < UTC_TIMESTAMP() - INTERVAL {{days}} DAY;
INSERT INTO kit_suppression (email_sha256, unsubscribed_at, recorded_at, keyed)
SELECT email_sha256, MIN(unsubscribed_at), UTC_TIMESTAMP(), 1 FROM kit_unsubscribed GROUP BY email_sha256
ON DUPLICATE KEY UPDATE unsubscribed_at = LEAST(kit_suppression.unsubscribed_at, VALUES(unsubscribed_at));
DELETE FROM leads WHERE id IN (SELECT id FROM kit_unsubscribed);
SELECT CONCAT('unsubscribed contacts reduced to a suppression record: ', ROW_COUNT());

-- A new, confirmed double opt-in of the same address lifts the suppression.
DELETE s FROM kit_suppression s
WHERE EXISTS (
  SELECT 1 FROM leads l
  JOIN lead_tags_xref x ON x.lead_id = l.id JOIN lead_tags t ON t.id = x.tag_id AND t.tag = '{{confirmedTag}}'
  WHERE l.email IS NOT NULL AND {{storedHash}} = s.email_sha256 AND l.date_identified > s.unsubscribed_at);
SELECT CONCAT('suppression records lifted by a new confirmed sign-up: ', ROW_COUNT());

-- Any other copy of a suppressed address gets its do-not-contact entry back (a pending sign-up
-- is left alone: it may still be confirmed, or the safety net deletes it).
INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel, channel_id, comments)
SELECT l.id, UTC_TIMESTAMP(), 1, 'email', NULL, 'mautic-gdpr-kit: address on the suppression list (unsubscribed earlier)'
FROM leads l JOIN kit_suppression s ON s.email_sha256 = {{storedHash}}
WHERE l.email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM lead_donotcontact d WHERE d.lead_id = l.id AND d.channel = 'email')
  AND NOT EXISTS (SELECT 1 FROM lead_tags_xref x JOIN lead_tags t ON t.id = x.tag_id WHERE x.lead_id = l.id AND t.tag IN ('{{pendingTag}}', '{{confirmedTag}}'));
SELECT CONCAT('suppressed addresses marked do-not-contact again: ', ROW_COUNT());
