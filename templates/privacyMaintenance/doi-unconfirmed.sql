-- mautic-gdpr-kit: THE criterion of the double-opt-in safety net (C06), in one place.
-- Rendered into mautic-privacy-maintenance (components/host/privacyMaintenance.ts); change the
-- criterion here. It fills kit_doi_expired with the ids of the contacts to delete: exactly the
-- contacts the kit's DOI endpoint CREATED for a sign-up (kit_consent_ledger.contact_created = 1)
-- that none of their sign-ups confirmed, when the newest of their sign-ups is more than {{days}}
-- day(s) old. A contact that existed before its sign-up (contact_created = 0), that confirmed,
-- that carries '{{confirmedTag}}' or '{{keepTag}}', or that has a consent date is never deleted
-- here: a stranger who submits somebody's address cannot erase that person's record.
-- The ledger rows themselves stay (the proof that only the confirmation mail was sent).
-- All DATETIME columns are UTC.
CREATE TEMPORARY TABLE kit_doi_expired (id BIGINT UNSIGNED PRIMARY KEY) ENGINE=MEMORY;
INSERT IGNORE INTO kit_doi_expired (id)
SELECT l.id
FROM leads l
JOIN kit_consent_ledger g ON g.contact_id = l.id AND g.contact_created = 1
  -- the contact with this id is the one created for the sign-up (created within minutes of it),
  -- not a later contact that got the same id (e.g. after a restore)
  AND l.date_added BETWEEN g.signed_up_at - INTERVAL 10 MINUTE AND g.signed_up_at + INTERVAL 10 MINUTE
WHERE l.`{{consentDateColumn}}` IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM kit_consent_ledger c
    WHERE c.contact_id = l.id AND (c.confirmed_at IS NOT NULL OR c.signed_up_at >= UTC_TIMESTAMP() - INTERVAL {{days}} DAY))
  AND NOT EXISTS (
    SELECT 1 FROM lead_tags_xref x JOIN lead_tags t ON t.id = x.tag_id
    WHERE x.lead_id = l.id AND t.tag IN ('{{confirmedTag}}', '{{keepTag}}'));
