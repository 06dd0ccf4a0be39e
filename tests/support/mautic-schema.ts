/**
 * Mautic-shaped tables for tests on a real MariaDB: the tables, columns and foreign keys (with
 * their ON DELETE rules) that the kit's SQL touches, as Mautic's Doctrine entities declare them
 * (6.0 source: LeadBundle Lead/Tag/DoNotContact/ListLead/CompanyLead/LeadNote, CampaignBundle
 * Lead, FormBundle Form/Submission and FormModel::createTableSchema (form_results_<id>_<alias>,
 * no foreign key), PageBundle Hit, EmailBundle Email/Stat, CoreBundle AuditLog, MessengerBundle's
 * doctrine transport). Only the columns the kit reads or Mautic requires are present.
 */
export const mauticSchemaSql = `
CREATE TABLE leads (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  owner_id INT UNSIGNED NULL, stage_id INT UNSIGNED NULL,
  email VARCHAR(191) NULL, firstname VARCHAR(191) NULL,
  points INT NOT NULL DEFAULT 0,
  date_added DATETIME NULL, date_identified DATETIME NULL,
  consent_date DATETIME NULL, consent_text_version VARCHAR(191) NULL
) ENGINE=InnoDB;
CREATE TABLE lead_tags (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(191) NOT NULL UNIQUE) ENGINE=InnoDB;
CREATE TABLE lead_tags_xref (
  lead_id BIGINT UNSIGNED NOT NULL, tag_id INT UNSIGNED NOT NULL, PRIMARY KEY (lead_id, tag_id),
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE,
  FOREIGN KEY (tag_id) REFERENCES lead_tags (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE lead_donotcontact (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL, date_added DATETIME NOT NULL,
  reason SMALLINT NOT NULL, channel VARCHAR(191) NOT NULL, channel_id INT NULL, comments LONGTEXT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE lead_lists_leads (
  leadlist_id INT UNSIGNED NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL,
  manually_removed TINYINT(1) NOT NULL, manually_added TINYINT(1) NOT NULL, PRIMARY KEY (leadlist_id, lead_id),
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE campaign_leads (
  campaign_id INT UNSIGNED NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL,
  manually_removed TINYINT(1) NOT NULL, manually_added TINYINT(1) NOT NULL, PRIMARY KEY (campaign_id, lead_id),
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE companies_leads (
  company_id INT UNSIGNED NOT NULL, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, is_primary TINYINT(1) NULL,
  PRIMARY KEY (company_id, lead_id), FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE lead_notes (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, text LONGTEXT NOT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE lead_utmtags (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, date_added DATETIME NOT NULL, utm_source VARCHAR(191) NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE forms (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL, alias VARCHAR(191) NOT NULL) ENGINE=InnoDB;
CREATE TABLE form_submissions (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, form_id INT UNSIGNED NOT NULL, lead_id BIGINT UNSIGNED NULL,
  date_submitted DATETIME NOT NULL, referer LONGTEXT NULL,
  FOREIGN KEY (form_id) REFERENCES forms (id) ON DELETE CASCADE,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE TABLE emails (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191) NOT NULL, email_type VARCHAR(191) NULL) ENGINE=InnoDB;
CREATE TABLE email_stats (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email_id INT UNSIGNED NULL, lead_id BIGINT UNSIGNED NULL,
  email_address VARCHAR(191) NOT NULL, date_sent DATETIME NOT NULL,
  FOREIGN KEY (email_id) REFERENCES emails (id) ON DELETE SET NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE TABLE page_hits (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL, date_hit DATETIME NOT NULL, url LONGTEXT NULL,
  FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE TABLE audit_log (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, user_name VARCHAR(191) NOT NULL,
  bundle VARCHAR(50) NOT NULL, object VARCHAR(50) NOT NULL, object_id BIGINT UNSIGNED NOT NULL, action VARCHAR(50) NOT NULL,
  details LONGTEXT NULL, date_added DATETIME NOT NULL, ip_address VARCHAR(45) NULL
) ENGINE=InnoDB;
CREATE TABLE messenger_messages (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, body LONGTEXT NOT NULL, headers LONGTEXT NOT NULL, queue_name VARCHAR(190) NOT NULL,
  created_at DATETIME NOT NULL, available_at DATETIME NOT NULL, delivered_at DATETIME NULL
) ENGINE=InnoDB;
`;
