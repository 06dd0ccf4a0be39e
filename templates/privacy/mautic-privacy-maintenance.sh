#!/usr/bin/env bash
# mautic-privacy-maintenance: closes two gaps Mautic leaves with anonymize_ip on (run every 30 minutes by
# mautic-privacy-maintenance.timer). Rendered by the mautic-gdpr-kit
# (components/render/privacyMaintenance.ts): change the kit, not this copy.
#  1. Mautic writes the raw client IP into audit_log on contact changes (form submissions, tag
#     changes): overwritten with '*.*.*.*', the value Mautic itself stores when anonymising.
#  2. Email statistics keep the recipient's address after the contact is deleted (mautic#12320):
#     rows without a contact are deleted {{cleanupDaysOld}} days after sending.
#  3. Art. 21: people who objected and were erased (`npm run dsr -- erase`) are "suppressed" in
#     the erasure journal; a contact added again with such an address is erased again.
# Exit: 0 done (or Mautic not installed yet); 1 failed (the journal has the details).
set -euo pipefail
umask 077
export LC_ALL=C

DB_CONTAINER='{{dbContainer}}'
DATABASE='{{database}}'
DAYS='{{cleanupDaysOld}}'
DOCKER=docker
DSR_JOURNAL='{{dataDir}}/dsr/journal'
RESTORE_BIN=/usr/local/sbin/mautic-restore
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

tables=$(printf '%s\n' "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('audit_log', 'email_stats');" | run_sql)
if [[ $tables != 2 ]]; then
  echo "mautic-privacy-maintenance: Mautic is not installed yet (tables missing), nothing to do"
  exit 0
fi

result=$(run_sql <<SQL
UPDATE audit_log SET ip_address = '*.*.*.*' WHERE ip_address IS NOT NULL AND ip_address <> '*.*.*.*';
SELECT CONCAT('audit_log rows anonymised: ', ROW_COUNT());
DELETE FROM email_stats WHERE lead_id IS NULL AND date_sent < NOW() - INTERVAL ${DAYS} DAY;
SELECT CONCAT('email_stats rows of deleted contacts removed: ', ROW_COUNT());
SQL
)
echo "mautic-privacy-maintenance: ${result//$'\n'/; }"

# 3. Suppressed addresses (hashes only): a cheap check first, the full erasure only on a match.
if [[ -s $DSR_JOURNAL ]]; then
  hashes=$(awk '$3 == "suppressed" && $2 ~ /^[0-9a-f]+$/ && length($2) == 64 { printf "%s\x27%s\x27", (n++ ? "," : ""), $2 }' "$DSR_JOURNAL")
  if [[ -n $hashes ]]; then
    back=$(printf '%s\n' "SELECT COUNT(*) FROM leads WHERE email IS NOT NULL AND SHA2(LOWER(TRIM(email)), 256) IN ($hashes);" | run_sql)
    if [[ $back != 0 ]]; then
      echo "mautic-privacy-maintenance: $back contact(s) with a suppressed address were added again: erasing them"
      rc=0; "$RESTORE_BIN" --reapply-erasures --suppressed-only || rc=$?
      # 75: a backup or restore holds the lock; the next run (30 minutes) tries again.
      if (( rc == 75 )); then echo "mautic-privacy-maintenance: a backup is running, suppressed contacts are erased on the next run"; elif (( rc != 0 )); then exit "$rc"; fi
    fi
  fi
fi
