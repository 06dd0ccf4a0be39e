#!/usr/bin/env bash
# mautic-privacy-maintenance: closes the gaps Mautic leaves (run every 30 minutes by
# mautic-privacy-maintenance.timer, and before every backup). Rendered by the mautic-gdpr-kit
# (components/host/privacyMaintenance.ts): change the kit, not this copy.
#  1. Any full client IP in audit_log is overwritten with '*.*.*.*', the value Mautic itself
#     writes while anonymize_ip is on (rows from before the pin, e.g. an imported database).
#  2. Consent-proof ledger: its tables are created when missing; a row's reference date follows
#     the contact's last mailing and withdrawal; rows past their retention are deleted
#     (consent-ledger.sql). Then the double-opt-in safety net (C06): contacts the kit's DOI
#     endpoint created for a sign-up that was never confirmed are deleted {{unconfirmedDays}} day(s) after
#     the sign-up; never a contact that existed before or confirmed (doi-unconfirmed.sql).
#  3. Unsubscribed contacts are deleted {{unsubscribedDays}} day(s) after the unsubscribe; only a
#     suppression record (keyed hash of the address: HMAC-SHA256 with the stack's key in
#     {{hashKeyFile}}; date) stays in kit_suppression.
#  4. What Mautic keeps of deleted contacts (their id set to NULL): page hits, e-mail, SMS, push and
#     dynamic-content statistics, asset downloads, video hits, form submissions with their
#     results, and their audit-log entries are deleted once they are {{graceMinutes}} minutes old.
#  5. Art. 21: people who objected and were erased (`npm run dsr -- erase`) are "suppressed" in
#     the erasure journal; a contact added again with such an address is erased again.
#  6. Messages in Mautic's failed-message queue (messenger_messages, queue 'failed': an email or
#     a page hit that could not be processed even after the retries, with its addresses or request
#     data) are deleted once they are {{failedMessageDays}} day(s) old.
# With --audit-ip-only only step 1 runs.
# Exit: 0 done (or Mautic not installed yet); 1 failed (the journal has the details); 2 usage.
set -euo pipefail
umask 077
export LC_ALL=C

DB_CONTAINER='{{dbContainer}}'
DATABASE='{{database}}'
DOCKER=docker
DSR_JOURNAL='{{dataDir}}/dsr/journal'
RESTORE_BIN=/usr/local/sbin/mautic-restore
HASH_KEY_FILE='{{hashKeyFile}}'
# Tests (and hosts without Docker) override these in a root-only file.
DB_CLIENT_OPTS=()
conf=${MAUTIC_PRIVACY_CONF:-/etc/mautic/privacy-maintenance.conf}
if [[ -f $conf ]]; then
  if [[ $(stat -c '%u %a' "$conf") != "$(id -u) 600" ]]; then
    echo "mautic-privacy-maintenance: $conf must be owned by $(id -un) with mode 0600" >&2
    exit 1
  fi
  # shellcheck source=/dev/null
  . "$conf"
fi

{{hashKeyFns}}

AUDIT_ONLY=0
case ${1:-} in
  '') ;;
  --audit-ip-only) AUDIT_ONLY=1 ;;
  *) echo "usage: mautic-privacy-maintenance [--audit-ip-only]" >&2; exit 2 ;;
esac

# Runs SQL (stdin) as MariaDB's root: inside the database container the password comes from
# the container's own environment, so it is never on this host's command line or disk.
run_sql() {
  if [[ -n $DB_CONTAINER ]]; then
    # shellcheck disable=SC2016 # expanded inside the container
    "$DOCKER" exec -i "$DB_CONTAINER" sh -c 'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec mariadb --user=root --batch --skip-column-names "$0"' "$DATABASE"
  else
    mariadb "${DB_CLIENT_OPTS[@]}" --batch --skip-column-names "$DATABASE"
  fi
}

tables=$(printf '%s\n' "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name;" | run_sql)
has_table() { grep -qxF -- "$1" <<<"$tables"; }
for t in audit_log email_stats leads; do
  if ! has_table "$t"; then
    echo "mautic-privacy-maintenance: Mautic is not installed yet (tables missing), nothing to do"
    exit 0
  fi
done

sql="UPDATE audit_log SET ip_address = '*.*.*.*' WHERE ip_address IS NOT NULL AND ip_address <> '*.*.*.*';
SELECT CONCAT('audit_log rows anonymised: ', ROW_COUNT());
"
if (( ! AUDIT_ONLY )); then
  # The key's HMAC pads for the suppression list (steps 3 and 5): only on stdin, never on disk.
  load_hash_key "$HASH_KEY_FILE" || exit 1
  sql+="$HASH_PADS_SQL
"
  # 2. The consent ledger first: the steps below delete what moves its dates.
  sql+=$(cat <<'SQL'
{{consentLedgerSql}}
SQL
)
  sql+=$'\n'
  # The safety net needs the consent field the double-opt-in setup creates.
  consent_column=$(printf '%s\n' "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'leads' AND column_name = '{{consentDateColumn}}';" | run_sql)
  if [[ $consent_column == 1 ]]; then
    sql+=$(cat <<'SQL'
{{doiUnconfirmedSql}}
DELETE FROM leads WHERE id IN (SELECT id FROM kit_doi_expired);
SELECT CONCAT('unconfirmed double-opt-in contacts deleted: ', ROW_COUNT());
SQL
)
    sql+=$'\n'
  else
    echo "mautic-privacy-maintenance: no '{{consentDateColumn}}' contact field yet (double opt-in not set up): safety net skipped"
  fi
  # 3. Unsubscribed contacts -> suppression records.
  sql+=$(cat <<'SQL'
{{unsubscribedSql}}
SQL
)
  sql+=$'\n'
  # 4. Remains of deleted contacts, in every table Mautic keeps them in (ON DELETE SET NULL).
  #    Rows younger than the grace period are left for the next run (a write in flight).
  grace="UTC_TIMESTAMP() - INTERVAL {{graceMinutes}} MINUTE"
  while IFS= read -r t; do
    [[ $t =~ ^form_results_[0-9]+_[A-Za-z0-9_]+$ ]] || continue
    sql+="DELETE r FROM \`$t\` r LEFT JOIN form_submissions s ON s.id = r.submission_id WHERE s.id IS NULL OR (s.lead_id IS NULL AND s.date_submitted < $grace);
SELECT CONCAT('$t rows of deleted contacts removed: ', ROW_COUNT());
"
  done <<<"$tables"
  for spec in form_submissions:date_submitted page_hits:date_hit email_stats:date_sent sms_message_stats:date_sent \
    push_notification_stats:date_sent dynamic_content_stats:date_sent asset_downloads:date_download video_hits:date_hit; do
    t=${spec%%:*}
    has_table "$t" || continue
    sql+="DELETE FROM \`$t\` WHERE lead_id IS NULL AND ${spec#*:} < $grace;
SELECT CONCAT('$t rows of deleted contacts removed: ', ROW_COUNT());
"
  done
  sql+="DELETE a FROM audit_log a LEFT JOIN leads l ON l.id = a.object_id WHERE a.object = 'lead' AND l.id IS NULL AND a.date_added < $grace;
SELECT CONCAT('audit_log entries of deleted contacts removed: ', ROW_COUNT());
"
  # 6. The failed-message queue (Symfony Messenger writes created_at in UTC: Mautic runs PHP in UTC).
  if has_table messenger_messages; then
    sql+="DELETE FROM messenger_messages WHERE queue_name = 'failed' AND created_at < UTC_TIMESTAMP() - INTERVAL {{failedMessageDays}} DAY;
SELECT CONCAT('failed-queue messages older than {{failedMessageDays}} days deleted: ', ROW_COUNT());
"
  fi
fi

result=$(run_sql <<<"$sql")
echo "mautic-privacy-maintenance: ${result//$'\n'/; }"

# 5. Suppressed addresses (hashes only): a cheap check first, the full erasure only on a match.
#    Lines "hmac:<hash>" hold the keyed hash, older lines the plain SHA-256.
if (( ! AUDIT_ONLY )) && [[ -s $DSR_JOURNAL ]]; then
  # shellcheck disable=SC2016 # an awk program
  pick='$3 == "suppressed" && substr($2, 1, length(p)) == p && (h = substr($2, length(p) + 1)) ~ /^[0-9a-f]+$/ && length(h) == 64 { printf "%s\x27%s\x27", (n++ ? "," : ""), h }'
  plain=$(awk -v p='' "$pick" "$DSR_JOURNAL")
  keyed=$(awk -v p='hmac:' "$pick" "$DSR_JOURNAL")
  if [[ -n $plain || -n $keyed ]]; then
    back=$(printf '%s\n' "$HASH_PADS_SQL" "SELECT COUNT(*) FROM leads WHERE email IS NOT NULL AND (SHA2(LOWER(TRIM(email)), 256) IN (${plain:-NULL}) OR {{keyedEmail}} IN (${keyed:-NULL}));" | run_sql)
    if [[ $back != 0 ]]; then
      echo "mautic-privacy-maintenance: $back contact(s) with a suppressed address were added again: erasing them"
      rc=0; "$RESTORE_BIN" --reapply-erasures --suppressed-only || rc=$?
      # 75: a backup or restore holds the lock; the next run (30 minutes) tries again.
      if (( rc == 75 )); then echo "mautic-privacy-maintenance: a backup is running, suppressed contacts are erased on the next run"; elif (( rc != 0 )); then exit "$rc"; fi
    fi
  fi
fi
