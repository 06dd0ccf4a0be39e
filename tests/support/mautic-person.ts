/**
 * Mautic-shaped tables for the data-subject-request tests: the tables of a real Mautic 5.2.1
 * that hold a person, with their real names, the columns that matter and the real foreign keys
 * (ON DELETE CASCADE / SET NULL as Mautic 5.2.1 declares them, read from a real instance's
 * information_schema). `plantPerson` spreads one person over every table, including rows whose
 * contact id Mautic already nulled (e-mail statistics and a form submission of a deleted
 * duplicate); `plantBystander` adds a second contact who shares the anonymised IP row.
 */
import { MariaDbServer } from "./mariadb";

export const mauticSchema = `
CREATE TABLE ip_addresses (id INT AUTO_INCREMENT PRIMARY KEY, ip_address VARCHAR(45) NOT NULL, ip_details LONGTEXT NULL);
CREATE TABLE leads (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, is_published TINYINT(1) NOT NULL DEFAULT 1, date_added DATETIME NULL,
  date_modified DATETIME NULL, points INT NOT NULL DEFAULT 0, last_active DATETIME NULL, internal LONGTEXT NULL, social_cache LONGTEXT NULL,
  date_identified DATETIME NULL, title VARCHAR(191) NULL, firstname VARCHAR(191) NULL, lastname VARCHAR(191) NULL, email VARCHAR(191) NULL,
  phone VARCHAR(191) NULL, city VARCHAR(191) NULL, doi_consent_date DATETIME NULL, doi_consent_text VARCHAR(191) NULL, KEY lead_email_search (email));
CREATE TABLE lead_lists (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL);
CREATE TABLE lead_lists_leads (leadlist_id INT NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, manually_removed TINYINT(1) NOT NULL DEFAULT 0,
  manually_added TINYINT(1) NOT NULL DEFAULT 0, PRIMARY KEY (leadlist_id, lead_id), FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_tags (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(191) NOT NULL);
CREATE TABLE lead_tags_xref (lead_id BIGINT UNSIGNED NOT NULL, tag_id INT NOT NULL, PRIMARY KEY (lead_id, tag_id), FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE campaigns (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL);
CREATE TABLE campaign_events (id INT AUTO_INCREMENT PRIMARY KEY, campaign_id INT NOT NULL, name VARCHAR(191) NOT NULL);
CREATE TABLE campaign_leads (campaign_id INT NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, manually_removed TINYINT(1) NOT NULL DEFAULT 0,
  manually_added TINYINT(1) NOT NULL DEFAULT 0, rotation INT NOT NULL DEFAULT 1, PRIMARY KEY (campaign_id, lead_id), FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE campaign_lead_event_log (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, event_id INT NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, campaign_id INT NULL, ip_id INT NULL,
  rotation INT NOT NULL DEFAULT 1, date_triggered DATETIME NULL, metadata LONGTEXT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE campaign_lead_event_failed_log (log_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, date_added DATETIME NOT NULL, reason LONGTEXT NULL,
  FOREIGN KEY (log_id) REFERENCES campaign_lead_event_log (id) ON DELETE CASCADE);
CREATE TABLE forms (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL, alias VARCHAR(191) NOT NULL);
CREATE TABLE form_submissions (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, form_id INT NOT NULL, ip_id INT NULL, lead_id BIGINT UNSIGNED NULL, page_id INT NULL,
  tracking_id VARCHAR(191) NULL, date_submitted DATETIME NOT NULL, referer LONGTEXT NOT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE form_results_1_newsletter (submission_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, form_id INT NOT NULL, vorname LONGTEXT NULL, e_mail LONGTEXT NULL, consent LONGTEXT NULL);
CREATE TABLE form_results_2_contact (submission_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, form_id INT NOT NULL, your_email LONGTEXT NULL, message LONGTEXT NULL);
CREATE TABLE pages (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(191) NOT NULL);
CREATE TABLE lead_devices (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, client_info LONGTEXT NULL,
  device VARCHAR(191) NULL, tracking_id VARCHAR(191) NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE page_hits (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, page_id INT NULL, email_id INT NULL, lead_id BIGINT UNSIGNED NULL, ip_id INT NULL, device_id BIGINT UNSIGNED NULL,
  date_hit DATETIME NOT NULL, code INT NOT NULL, referer LONGTEXT NULL, url LONGTEXT NULL, user_agent LONGTEXT NULL, tracking_id VARCHAR(191) NOT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL,
  FOREIGN KEY (device_id) REFERENCES lead_devices (id) ON DELETE SET NULL);
CREATE TABLE emails (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL);
CREATE TABLE email_copies (id VARCHAR(32) NOT NULL PRIMARY KEY, date_created DATETIME NOT NULL, body LONGTEXT NULL, body_text LONGTEXT NULL, subject LONGTEXT NULL);
CREATE TABLE email_stats (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email_id INT NULL, lead_id BIGINT UNSIGNED NULL, ip_id INT NULL, copy_id VARCHAR(32) NULL,
  email_address VARCHAR(191) NOT NULL, date_sent DATETIME NOT NULL, is_read TINYINT(1) NOT NULL DEFAULT 0, tracking_hash VARCHAR(191) NULL, tokens LONGTEXT NULL, open_details LONGTEXT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE email_stats_devices (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, device_id BIGINT UNSIGNED NULL, stat_id BIGINT UNSIGNED NULL, ip_id INT NULL, date_opened DATETIME NOT NULL,
  FOREIGN KEY (device_id) REFERENCES lead_devices (id) ON DELETE CASCADE, FOREIGN KEY (stat_id) REFERENCES email_stats (id) ON DELETE CASCADE,
  FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE email_stat_replies (id CHAR(36) NOT NULL PRIMARY KEY, stat_id BIGINT UNSIGNED NOT NULL, date_replied DATETIME NOT NULL, message_id VARCHAR(191) NOT NULL,
  FOREIGN KEY (stat_id) REFERENCES email_stats (id) ON DELETE CASCADE);
CREATE TABLE lead_event_log (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL, user_id INT NULL, user_name VARCHAR(191) NULL, bundle VARCHAR(191) NULL,
  object VARCHAR(191) NULL, action VARCHAR(191) NULL, object_id INT NULL, date_added DATETIME NOT NULL, properties LONGTEXT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_notes (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NULL, text LONGTEXT NOT NULL, type VARCHAR(50) NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_utmtags (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, query LONGTEXT NULL, referer LONGTEXT NULL,
  remote_host VARCHAR(191) NULL, url LONGTEXT NULL, user_agent LONGTEXT NULL, utm_campaign VARCHAR(191) NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_donotcontact (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL, date_added DATETIME NOT NULL, reason SMALLINT NOT NULL, channel VARCHAR(191) NOT NULL,
  channel_id INT NULL, comments LONGTEXT NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_ips_xref (lead_id BIGINT UNSIGNED NOT NULL, ip_id INT NOT NULL, PRIMARY KEY (lead_id, ip_id),
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE CASCADE);
CREATE TABLE lead_frequencyrules (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, frequency_number SMALLINT NULL,
  frequency_time VARCHAR(25) NULL, channel VARCHAR(191) NOT NULL, preferred_channel TINYINT(1) NOT NULL DEFAULT 0, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_companies_change_log (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, type TINYTEXT NOT NULL, event_name VARCHAR(191) NULL,
  action_name VARCHAR(191) NULL, company_id INT NOT NULL, date_added DATETIME NOT NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE lead_points_change_log (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, ip_id INT NULL, type TINYTEXT NOT NULL, event_name VARCHAR(191) NOT NULL,
  action_name VARCHAR(191) NOT NULL, delta INT NOT NULL, date_added DATETIME NOT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE lead_stages_change_log (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, stage_id INT NULL, event_name VARCHAR(191) NOT NULL, action_name VARCHAR(191) NOT NULL,
  date_added DATETIME NOT NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE point_lead_action_log (point_id INT NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, ip_id INT NULL, date_fired DATETIME NOT NULL, PRIMARY KEY (point_id, lead_id),
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE, FOREIGN KEY (ip_id) REFERENCES ip_addresses (id) ON DELETE SET NULL);
CREATE TABLE point_group_contact_score (contact_id BIGINT UNSIGNED NOT NULL, group_id INT NOT NULL, score INT NOT NULL, PRIMARY KEY (contact_id, group_id),
  FOREIGN KEY (contact_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE contact_merge_records (id INT AUTO_INCREMENT PRIMARY KEY, contact_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, merged_id INT NOT NULL, name VARCHAR(191) NOT NULL,
  FOREIGN KEY (contact_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE message_queue (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, event_id INT NULL, lead_id BIGINT UNSIGNED NOT NULL, channel VARCHAR(191) NOT NULL, channel_id INT NOT NULL,
  options LONGTEXT NULL, FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE);
CREATE TABLE audit_log (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, user_name VARCHAR(191) NOT NULL, bundle VARCHAR(50) NOT NULL, object VARCHAR(50) NOT NULL,
  object_id BIGINT UNSIGNED NOT NULL, action VARCHAR(50) NOT NULL, details LONGTEXT NULL, date_added DATETIME NOT NULL, ip_address VARCHAR(45) NULL);
CREATE TABLE notifications (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, type VARCHAR(25) NULL, header VARCHAR(512) NULL, message LONGTEXT NOT NULL, date_added DATETIME NULL);
CREATE TABLE messenger_messages (id BIGINT AUTO_INCREMENT PRIMARY KEY, body LONGTEXT NOT NULL, headers LONGTEXT NOT NULL, queue_name VARCHAR(190) NOT NULL,
  created_at DATETIME NOT NULL, available_at DATETIME NOT NULL, delivered_at DATETIME NULL);
CREATE TABLE webhook_queue (id INT AUTO_INCREMENT PRIMARY KEY, webhook_id INT NOT NULL, event_id INT NOT NULL, date_added DATETIME NULL, payload LONGTEXT NULL, payload_compressed MEDIUMBLOB NULL);
CREATE TABLE integration_entity (id INT AUTO_INCREMENT PRIMARY KEY, date_added DATETIME NOT NULL, integration VARCHAR(191) NULL, integration_entity VARCHAR(191) NULL,
  integration_entity_id VARCHAR(191) NULL, internal_entity VARCHAR(191) NULL, internal_entity_id INT NULL, internal LONGTEXT NULL);
CREATE TABLE sync_object_mapping (id INT AUTO_INCREMENT PRIMARY KEY, date_created DATETIME NOT NULL, integration VARCHAR(191) NOT NULL, internal_object_name VARCHAR(191) NOT NULL,
  internal_object_id BIGINT UNSIGNED NOT NULL, integration_object_name VARCHAR(191) NOT NULL, integration_object_id VARCHAR(191) NOT NULL, internal_storage LONGTEXT NOT NULL);
CREATE TABLE sync_object_field_change_report (id INT AUTO_INCREMENT PRIMARY KEY, integration VARCHAR(191) NOT NULL, object_id BIGINT UNSIGNED NOT NULL, object_type VARCHAR(191) NOT NULL,
  modified_at DATETIME NOT NULL, column_name VARCHAR(191) NOT NULL, column_type VARCHAR(191) NOT NULL, column_value LONGTEXT NOT NULL);
INSERT INTO ip_addresses (id, ip_address) VALUES (1, '*.*.*.*'), (2, '198.51.100.23');
INSERT INTO lead_lists (id, name) VALUES (1, 'Newsletter'), (2, 'DOI confirmed');
INSERT INTO lead_tags (id, tag) VALUES (1, 'doi-pending'), (2, 'doi-confirmed');
INSERT INTO campaigns (id, name) VALUES (1, 'Double opt-in');
INSERT INTO campaign_events (id, campaign_id, name) VALUES (1, 1, 'Send confirmation'), (2, 1, 'Delete unconfirmed');
INSERT INTO forms (id, name, alias) VALUES (1, 'Newsletter sign-up', 'newsletter'), (2, 'Contact', 'contact');
INSERT INTO pages (id, title) VALUES (1, 'Welcome');
INSERT INTO emails (id, name) VALUES (1, 'DOI confirmation');
`;

export interface Person {
    email: string;
    firstname: string;
    lastname: string;
}

export const subject: Person = { email: "Zenobia.Quastenfeld@Example.org", firstname: "Zenobia", lastname: "Quastenfeld" };
export const bystander: Person = { email: "bertram.nachbar@example.net", firstname: "Bertram", lastname: "Nachbar" };

/** The tables `plantPerson` fills: after erasing the person, none may hold a row of them. */
export const personTables = [
    "leads",
    "lead_lists_leads",
    "lead_tags_xref",
    "campaign_leads",
    "campaign_lead_event_log",
    "campaign_lead_event_failed_log",
    "form_submissions",
    "form_results_1_newsletter",
    "form_results_2_contact",
    "lead_devices",
    "page_hits",
    "email_copies",
    "email_stats",
    "email_stats_devices",
    "email_stat_replies",
    "lead_event_log",
    "lead_notes",
    "lead_utmtags",
    "lead_donotcontact",
    "lead_ips_xref",
    "ip_addresses",
    "lead_frequencyrules",
    "lead_companies_change_log",
    "lead_points_change_log",
    "lead_stages_change_log",
    "point_lead_action_log",
    "point_group_contact_score",
    "contact_merge_records",
    "message_queue",
    "audit_log",
    "notifications",
    "messenger_messages",
    "webhook_queue",
    "integration_entity",
    "sync_object_mapping",
    "sync_object_field_change_report",
];

function esc(s: string): string {
    return s.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}

/** Spreads the person over every table; `dnc` adds an unsubscription (an objection). Returns the contact id. */
export function plantPerson(db: MariaDbServer, p: Person, opts: { dnc?: boolean; ip?: number; when?: string } = {}): number {
    const e = esc(p.email);
    const name = esc(`${p.firstname} ${p.lastname}`);
    const ip = opts.ip ?? 1;
    const when = opts.when ?? "2025-06-10 09:00:00";
    const lower = esc(p.email.toLowerCase());
    const id = Number(
        db.value(
            `INSERT INTO leads (date_added, date_identified, last_active, firstname, lastname, email, phone, city, doi_consent_date, doi_consent_text, internal)
               VALUES ('${when}', '${when}', '${when}', '${esc(p.firstname)}', '${esc(p.lastname)}', '${e}', '+49 30 1234567', 'Berlin', '${when}', 'v3 2030-01', 'a:0:{}');
             SELECT LAST_INSERT_ID();`,
            "mautic",
        ),
    );
    const sql = `
      SET @id = ${id}, @when = '${when}';
      INSERT INTO lead_lists_leads VALUES (1, @id, @when, 0, 0), (2, @id, @when, 0, 0);
      INSERT INTO lead_tags_xref VALUES (@id, 2);
      INSERT INTO campaign_leads (campaign_id, lead_id, date_added) VALUES (1, @id, @when);
      INSERT INTO campaign_lead_event_log (event_id, lead_id, campaign_id, ip_id, date_triggered, metadata) VALUES (1, @id, 1, ${ip}, @when, 'a:1:{s:5:"email";s:${lower.length}:"${lower}";}');
      INSERT INTO campaign_lead_event_failed_log VALUES (LAST_INSERT_ID(), @when, 'first attempt bounced for ${lower}');
      INSERT INTO form_submissions (form_id, ip_id, lead_id, page_id, tracking_id, date_submitted, referer) VALUES (1, ${ip}, @id, 1, 'trk-${id}', @when, 'https://www.example.org/newsletter');
      INSERT INTO form_results_1_newsletter VALUES (LAST_INSERT_ID(), 1, '${esc(p.firstname)}', '${e}', '1');
      -- A contact form sent earlier by a duplicate contact that was deleted: Mautic nulled lead_id, the address stays.
      INSERT INTO form_submissions (form_id, ip_id, lead_id, tracking_id, date_submitted, referer) VALUES (2, NULL, NULL, 'trk-old-${id}', @when - INTERVAL 40 DAY, '');
      INSERT INTO form_results_2_contact VALUES (LAST_INSERT_ID(), 2, '  ${esc(p.email.toUpperCase())} ', 'Hello, this is ${name}.');
      INSERT INTO lead_devices (lead_id, date_added, client_info, device, tracking_id) VALUES (@id, @when, '{"name":"Firefox"}', 'desktop', 'dev-${id}');
      SET @dev = LAST_INSERT_ID();
      INSERT INTO page_hits (page_id, lead_id, ip_id, device_id, date_hit, code, url, user_agent, tracking_id) VALUES (1, @id, ${ip}, @dev, @when, 200, 'https://www.example.org/?ct=${esc(encodeURIComponent(p.email))}', 'Mozilla/5.0', 'hit-${id}');
      INSERT INTO email_copies VALUES ('copy${id}', @when, '<p>Hallo ${esc(p.firstname)}, bitte bestätigen: ${lower}</p>', 'Hallo ${esc(p.firstname)}', 'Bitte bestätigen');
      INSERT INTO email_copies VALUES ('shared-copy', @when, '<p>Newsletter for everyone</p>', 'Newsletter', 'News') ON DUPLICATE KEY UPDATE id = id;
      INSERT INTO email_stats (email_id, lead_id, ip_id, copy_id, email_address, date_sent, is_read, tracking_hash, tokens) VALUES
        (1, @id, ${ip}, 'copy${id}', '${lower}', @when, 1, 'hash-${id}', 'a:1:{s:13:"{contactfield=firstname}";s:${p.firstname.length}:"${esc(p.firstname)}";}'),
        (1, @id, NULL, 'shared-copy', '${lower}', @when, 0, 'hash2-${id}', NULL);
      SET @stat = LAST_INSERT_ID(); -- the first row of a multi-row insert
      -- The statistics of the deleted duplicate: lead_id NULL, the address kept (mautic#12320).
      INSERT INTO email_stats (email_id, lead_id, email_address, date_sent, tracking_hash) VALUES (1, NULL, '${esc(p.email.toUpperCase())}', @when - INTERVAL 40 DAY, 'orphan-${id}');
      INSERT INTO email_stats_devices (device_id, stat_id, ip_id, date_opened) VALUES (@dev, @stat, ${ip}, @when);
      INSERT INTO email_stat_replies VALUES (UUID(), @stat, @when, '<reply-${id}@mail.example.org>');
      INSERT INTO lead_event_log (lead_id, bundle, object, action, date_added, properties) VALUES (@id, 'lead', 'import', 'inserted', @when, '{"email":"${lower}","firstname":"${esc(p.firstname)}"}');
      INSERT INTO lead_notes (lead_id, date_added, text, type) VALUES (@id, @when, 'Called ${name} about the newsletter', 'call');
      INSERT INTO lead_utmtags (lead_id, date_added, url, utm_campaign) VALUES (@id, @when, 'https://www.example.org/?utm_source=news', 'spring');
      ${opts.dnc ? "INSERT INTO lead_donotcontact (lead_id, date_added, reason, channel, comments) VALUES (@id, @when, 1, 'email', 'User unsubscribed.');" : ""}
      INSERT INTO lead_ips_xref VALUES (@id, ${ip});
      INSERT INTO lead_frequencyrules (lead_id, date_added, frequency_number, frequency_time, channel) VALUES (@id, @when, 1, 'WEEK', 'email');
      INSERT INTO lead_companies_change_log (lead_id, type, event_name, action_name, company_id, date_added) VALUES (@id, 'added', 'form', 'submitted', 1, @when);
      INSERT INTO lead_points_change_log (lead_id, ip_id, type, event_name, action_name, delta, date_added) VALUES (@id, ${ip}, 'form', 'Newsletter', 'submitted', 5, @when);
      INSERT INTO lead_stages_change_log (lead_id, stage_id, event_name, action_name, date_added) VALUES (@id, 1, 'Lead', 'moved', @when);
      INSERT INTO point_lead_action_log VALUES (1, @id, ${ip}, @when);
      INSERT INTO point_group_contact_score VALUES (@id, 1, 5);
      INSERT INTO contact_merge_records (contact_id, date_added, merged_id, name) VALUES (@id, @when, 999${id}, '${name}');
      INSERT INTO message_queue (event_id, lead_id, channel, channel_id, options) VALUES (1, @id, 'email', 1, 'a:0:{}');
      INSERT INTO audit_log (user_id, user_name, bundle, object, object_id, action, details, date_added, ip_address) VALUES
        (0, 'System', 'lead', 'lead', @id, 'create', 'a:2:{s:9:"firstname";a:2:{i:0;N;i:1;s:${p.firstname.length}:"${esc(p.firstname)}";}s:5:"email";a:2:{i:0;N;i:1;s:${lower.length}:"${lower}";}}', @when, '*.*.*.*'),
        -- A deleted duplicate, as Mautic 5.2.1 logs it: "create" names the address, "delete" only the name.
        (1, 'Admin', 'lead', 'lead', 999${id}, 'create', 'a:1:{s:5:"email";a:2:{i:0;N;i:1;s:${lower.length}:"${esc(p.email.toUpperCase())}";}}', @when - INTERVAL 41 DAY, '*.*.*.*'),
        (1, 'Admin', 'lead', 'lead', 999${id}, 'delete', 'a:1:{s:4:"name";s:${name.length}:"${name}";}', @when - INTERVAL 39 DAY, '*.*.*.*');
      INSERT INTO audit_log (user_id, user_name, bundle, object, object_id, action, details, date_added, ip_address)
        SELECT 1, 'Admin', 'lead', 'note', id, 'create', CONCAT('a:1:{s:4:"text";a:2:{i:0;N;i:1;s:0:"', text, '";}}'), @when, '*.*.*.*' FROM lead_notes WHERE lead_id = @id;
      INSERT INTO notifications (user_id, type, header, message, date_added) VALUES (1, 'info', 'Import', 'Contact ${lower} was updated', @when);
      INSERT INTO messenger_messages (body, headers, queue_name, created_at, available_at) VALUES
        ('O:36:"Symfony\\\\Component\\\\Messenger\\\\Envelope":1:{s:5:"email";s:${lower.length}:"${lower}";}', '[]', 'email', @when, @when);
      INSERT INTO webhook_queue (webhook_id, event_id, date_added, payload) VALUES (1, 1, @when, '{"contact":{"fields":{"email":"${lower}","firstname":"${esc(p.firstname)}"}}}');
      INSERT INTO integration_entity (date_added, integration, integration_entity, integration_entity_id, internal_entity, internal_entity_id) VALUES (@when, 'Crm', 'Contact', 'crm-${id}', 'lead', @id);
      INSERT INTO sync_object_mapping (date_created, integration, internal_object_name, internal_object_id, integration_object_name, integration_object_id, internal_storage) VALUES (@when, 'Crm', 'lead', @id, 'Contact', 'crm-${id}', '[]');
      INSERT INTO sync_object_field_change_report (integration, object_id, object_type, modified_at, column_name, column_type, column_value) VALUES ('Crm', @id, 'lead', @when, 'lastname', 'string', '${esc(p.lastname)}');
    `;
    db.sql(sql, "mautic");
    return id;
}

export function createMauticSchema(db: MariaDbServer, database = "mautic"): void {
    db.sql(`DROP DATABASE IF EXISTS ${database}; CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    db.sql(mauticSchema, database);
}
