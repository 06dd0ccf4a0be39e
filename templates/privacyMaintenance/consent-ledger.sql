-- mautic-gdpr-kit: retention of the consent-proof ledger (kit_consent_ledger, kit_consent_texts).
-- Runs BEFORE the safety net, the minimisation and the removal of deleted contacts' statistics,
-- so a contact's last mailing and withdrawal are on record before they are deleted.
-- 1. While the contact exists, its last mailing (email_stats) and its withdrawal (do-not-contact
--    for email) move the row's reference date; after the contact is gone the date is frozen.
UPDATE kit_consent_ledger g JOIN leads l ON l.id = g.contact_id
SET g.last_activity_at = GREATEST(g.last_activity_at,
  COALESCE((SELECT MAX(es.date_sent) FROM email_stats es WHERE es.lead_id = l.id), g.last_activity_at),
  COALESCE((SELECT MAX(d.date_added) FROM lead_donotcontact d WHERE d.lead_id = l.id AND d.channel = 'email'), g.last_activity_at));
-- 2. Kept under restriction until the end of the {{years}}th year after the year of the last
--    mailing or withdrawal (consentProofYears), then deleted.
DELETE FROM kit_consent_ledger WHERE UTC_DATE() >= MAKEDATE(YEAR(last_activity_at) + 1 + {{years}}, 1);
SELECT CONCAT('consent ledger rows past their retention deleted: ', ROW_COUNT());
-- 3. Archived texts no row refers to any more (a day's grace for a sign-up in flight).
DELETE t FROM kit_consent_texts t
WHERE t.first_used_at < UTC_TIMESTAMP() - INTERVAL 1 DAY
  AND NOT EXISTS (SELECT 1 FROM kit_consent_ledger g WHERE t.sha256 IN (g.consent_text_sha256, g.notice_sha256, g.tracking_text_sha256));
SELECT CONCAT('archived consent texts no longer referenced deleted: ', ROW_COUNT());
