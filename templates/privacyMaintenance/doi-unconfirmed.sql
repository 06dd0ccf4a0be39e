-- mautic-gdpr-kit: THE criterion of the double-opt-in safety net (C06), in one place.
-- Rendered into mautic-privacy-maintenance (components/host/privacyMaintenance.ts); change the
-- criterion here. It fills kit_doi_expired with the ids of the contacts to delete: contacts
-- tagged '{{pendingTag}}' that never confirmed, identified more than {{days}} day(s) ago by a
-- submission of one of the kit's DOI forms, whatever happened to the campaign (a failed send
-- never reaches its "not confirmed" branch). A contact with ANY sign that it existed before
-- the sign-up, or that someone worked with it, is never deleted here: a stranger who submits
-- somebody's address must not erase that person's record or suppression entry.
-- Mautic stores these DATETIME columns in UTC.
CREATE TEMPORARY TABLE kit_doi_expired (id BIGINT UNSIGNED PRIMARY KEY) ENGINE=MEMORY;
INSERT INTO kit_doi_expired (id)
SELECT l.id
FROM leads l
JOIN lead_tags_xref px ON px.lead_id = l.id
JOIN lead_tags pt ON pt.id = px.tag_id AND pt.tag = '{{pendingTag}}'
WHERE l.date_identified IS NOT NULL
  AND l.date_identified < UTC_TIMESTAMP() - INTERVAL {{days}} DAY
  -- never confirmed
  AND l.`{{consentDateColumn}}` IS NULL
  -- identified by the sign-up itself: a DOI-form submission within 10 minutes of identification,
  -- and no identification before its first DOI-form submission (imported, API, older contact)
  AND EXISTS (
    SELECT 1 FROM form_submissions s JOIN forms f ON f.id = s.form_id
    WHERE s.lead_id = l.id AND f.name IN ({{doiFormNames}})
      AND s.date_submitted BETWEEN l.date_identified - INTERVAL 10 MINUTE AND l.date_identified + INTERVAL 10 MINUTE)
  AND NOT EXISTS (
    SELECT 1 FROM form_submissions s JOIN forms f ON f.id = s.form_id
    WHERE s.lead_id = l.id AND f.name IN ({{doiFormNames}}) AND s.date_submitted < l.date_identified - INTERVAL 10 MINUTE)
  -- signs of another existence or of someone's work:
  -- any other tag (doi-confirmed included), any do-not-contact entry (a suppression record)
  AND NOT EXISTS (SELECT 1 FROM lead_tags_xref x JOIN lead_tags t ON t.id = x.tag_id WHERE x.lead_id = l.id AND t.tag <> '{{pendingTag}}')
  AND NOT EXISTS (SELECT 1 FROM lead_donotcontact d WHERE d.lead_id = l.id)
  -- a submission of any other form
  AND NOT EXISTS (
    SELECT 1 FROM form_submissions s JOIN forms f ON f.id = s.form_id
    WHERE s.lead_id = l.id AND f.name NOT IN ({{doiFormNames}}))
  -- any e-mail other than the DOI confirmation e-mail
  AND NOT EXISTS (
    SELECT 1 FROM email_stats es LEFT JOIN emails e ON e.id = es.email_id
    WHERE es.lead_id = l.id AND (e.id IS NULL OR e.name NOT IN ({{doiEmailNames}})))
  -- added to a segment or campaign by hand, an owner, a stage, notes or a company
  AND NOT EXISTS (SELECT 1 FROM lead_lists_leads ll WHERE ll.lead_id = l.id AND ll.manually_added = 1)
  AND NOT EXISTS (SELECT 1 FROM campaign_leads cl WHERE cl.lead_id = l.id AND cl.manually_added = 1)
  AND l.owner_id IS NULL
  AND l.stage_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM lead_notes n WHERE n.lead_id = l.id)
  AND NOT EXISTS (SELECT 1 FROM companies_leads c WHERE c.lead_id = l.id);
