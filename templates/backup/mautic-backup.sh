#!/usr/bin/env bash
# shellcheck disable=SC2034 # the settings block is shared with mautic-restore
# mautic-backup: a verified backup set of Mautic's database and files, with retention.
# Rendered by the mautic-gdpr-kit (components/host/backup.ts): change the kit, not this copy.
# Run nightly by mautic-backup.timer; usage below (--help).
#
# A set is BACKUP_DIR/<id>/ with db.sql.gz (mariadb-dump --single-transaction of the database,
# without the data of Mautic's message queue; audit-log IPs anonymised first),
# files.tar.gz (config + media), manifest and SHA256SUMS. It is built under .tmp-<id>, verified
# and only then renamed into place, so every <id>/ directory is a complete, verified set.
# Exit: 0 ok; 1 failed (status.json says why, the journal has the details); 2 usage;
#       75 another backup or restore is running (nothing was done).
set -euo pipefail
umask 077
export LC_ALL=C

{{common}}
# Run with --audit-ip-only before every dump; empty: not run (tests without the job).
PRIVACY_BIN=/usr/local/sbin/mautic-privacy-maintenance
# Mautic's messenger queue: its data is never dumped (structure only).
QUEUE_TABLE=messenger_messages

usage() {
  cat <<'EOF'
Usage: mautic-backup             back up, verify, mark "latest", delete expired sets, copy off-site
       mautic-backup --no-prune  the same without deleting expired sets (used by mautic-restore)
       mautic-backup --prune     only delete expired sets (never the latest good one)
       mautic-backup --status    print the status file of the last backup run
EOF
}

MODE=backup
case ${1:-} in
  '') ;;
  --no-prune) MODE=backup-no-prune ;;
  --prune) MODE=prune ;;
  --status) MODE=status ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
[[ $# -le 1 ]] || { usage >&2; exit 2; }

STATUS_ON_EXIT=0   # backup runs: once the lock is held, every exit writes status.json
STAGE=start
SET_ID=''
TMP_SET=''
DELETED=()
OFFSITE=disabled
DB_BYTES=0
FILES_BYTES=0

write_status() {
  local result=$1 message=$2 good good_at='' deleted='' n
  good=$(latest_id)
  [[ -z $good ]] || good_at=$(iso_from_id "$good")
  for n in "${DELETED[@]}"; do deleted+="${deleted:+,}$(json_str "$n")"; done
  {
    printf '{"result":%s,"stage":%s,"message":%s,' "$(json_str "$result")" "$(json_str "$STAGE")" "$(json_str "$message")"
    printf '"finished_at":%s,"backup_id":%s,' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(json_str "$SET_ID")"
    printf '"last_good_id":%s,"last_good_at":%s,' "$(json_str "$good")" "$(json_str "$good_at")"
    printf '"retention_days":%d,"deleted":[%s],"offsite":%s,"db_bytes":%d,"files_bytes":%d}\n' \
      "$RETENTION_DAYS" "$deleted" "$(json_str "$OFFSITE")" "$DB_BYTES" "$FILES_BYTES"
  } >"$BACKUP_DIR/.status.json.new"
  mv -f -- "$BACKUP_DIR/.status.json.new" "$BACKUP_DIR/status.json"
}

on_exit() {
  local rc=$?
  if [[ -n $TMP_SET && -d $TMP_SET ]]; then rm -rf -- "$TMP_SET"; fi
  if (( STATUS_ON_EXIT )); then
    if (( rc == 0 )); then
      write_status ok "backup set $SET_ID verified; ${#DELETED[@]} expired set(s) deleted" || err "could not write $BACKUP_DIR/status.json"
    else
      [[ -n $FAIL_MSG ]] || FAIL_MSG="failed during stage '$STAGE' (exit code $rc)"
      write_status failed "$FAIL_MSG" || err "could not write $BACKUP_DIR/status.json"
      err "backup FAILED: $FAIL_MSG; the last good backup is still '$(latest_id)'"
    fi
  fi
  exit "$rc"
}
trap on_exit EXIT

# Deletes every set whose id (its UTC start time) is more than RETENTION_DAYS days before NOW,
# except the one "latest" names: the last good backup is never deleted, however old it is.
prune() {
  local cutoff keep id
  cutoff=$((NOW - RETENTION_DAYS * 86400))
  keep=$(latest_id)
  [[ -n $keep ]] || keep=$(list_ids | tail -n 1)
  while IFS= read -r id; do
    [[ -n $id ]] || continue
    if (( $(epoch_from_id "$id") >= cutoff )); then continue; fi
    if [[ $id == "$keep" ]]; then
      warn "keeping $id although it is older than $RETENTION_DAYS days: it is the last good backup"
      continue
    fi
    rm -rf -- "${BACKUP_DIR:?}/$id"
    DELETED+=("$id")
    log "deleted expired backup set $id"
  done < <(list_ids)
}

# Off-site retention, counted from NOW like prune(): forgets (and prunes) every snapshot tagged
# mautic-backup, of any host, taken more than RETENTION_DAYS days before NOW, except the newest.
# Not restic's --keep-within: it counts from the newest snapshot of each host, so the copies of
# a replaced server (another host name) would never expire. The snapshots are named by id.
offsite_retention() {
  local json line t cutoff newest=-1 i
  local -a times=() ids=() expired=()
  cutoff=$((NOW - RETENTION_DAYS * 86400))
  json=$("${restic[@]}" snapshots --tag mautic-backup --json) || die "off-site: restic snapshots failed (local set $SET_ID is good and was copied)"
  # restic's JSON (compact): each snapshot's "time" comes before its "id" ("short_id" does not match).
  while IFS= read -r line; do
    case $line in
      '"time":"'*) t=${line#'"time":"'}; times+=("$(date -u -d "${t%'"'}" +%s)") || die "off-site: unreadable snapshot time $t" ;;
      '"id":"'*) line=${line#'"id":"'}; ids+=("${line%'"'}") ;;
      *) die "off-site: unexpected line in restic's snapshot list" ;;
    esac
  done < <(grep -o -e '"time":"[^"]*"' -e '"id":"[0-9a-f]\{64\}"' <<<"$json")
  (( ${#times[@]} == ${#ids[@]} )) || die "off-site: cannot read restic's snapshot list (${#times[@]} times, ${#ids[@]} ids)"
  for i in "${!times[@]}"; do (( newest >= 0 && times[newest] >= times[i] )) || newest=$i; done
  for i in "${!times[@]}"; do
    if (( i != newest && times[i] < cutoff )); then expired+=("${ids[i]}"); fi
  done
  (( ${#expired[@]} > 0 )) || return 0
  "${restic[@]}" forget --prune "${expired[@]}" >/dev/null \
    || die "off-site: restic forget/prune failed (local set $SET_ID is good and was copied)"
  log "off-site: forgot ${#expired[@]} snapshot(s) older than $RETENTION_DAYS days"
}

# Copies the new set to the restic repository and applies the same retention there.
offsite() {
  local -a restic
  STAGE=offsite
  OFFSITE=failed
  command -v "$RESTIC_BIN" >/dev/null || die "off-site: $RESTIC_BIN is not installed (apt-get install restic); local set $SET_ID is good"
  offsite_env
  restic_cmd restic
  offsite_reach || die "off-site: cannot reach $OFFSITE_SSH_HOST over SFTP with the pinned host key (ssh's message above; local set $SET_ID is good)"
  if ! "${restic[@]}" cat config >/dev/null 2>&1; then
    log "initialising the restic repository $OFFSITE_REPOSITORY"
    "${restic[@]}" init >/dev/null || die "off-site: cannot open or initialise $OFFSITE_REPOSITORY (local set $SET_ID is good)"
  fi
  TZ=UTC "${restic[@]}" backup --tag mautic-backup --time "$(date -u -d "@$(epoch_from_id "$SET_ID")" '+%Y-%m-%d %H:%M:%S')" \
    "$BACKUP_DIR/$SET_ID" || die "off-site: restic backup failed (local set $SET_ID is good)"
  offsite_retention
  OFFSITE=ok
  log "copied $SET_ID off-site to $OFFSITE_REPOSITORY"
}

backup() {
  local tmp paths=() p rc
  init_now
  SET_ID=$(id_from_epoch "$NOW")
  [[ ! -e $BACKUP_DIR/$SET_ID ]] || die "backup set $SET_ID already exists"
  tmp="$BACKUP_DIR/.tmp-$SET_ID"
  TMP_SET=$tmp
  mkdir -m 0700 -- "$tmp"

  STAGE=anonymise
  # Any full IP left in the audit log (rows from before anonymize_ip) is anonymised before every dump (also when this script is run by
  # mautic-restore or before an upgrade, outside the unit's ordering after the privacy job).
  if [[ -n $PRIVACY_BIN && -x $PRIVACY_BIN ]]; then
    "$PRIVACY_BIN" --audit-ip-only || warn "$PRIVACY_BIN --audit-ip-only failed: this dump may hold full audit-log IPs from before anonymize_ip"
  elif [[ -n $PRIVACY_BIN ]]; then
    warn "$PRIVACY_BIN is missing: audit-log IPs are not anonymised before this dump"
  fi

  STAGE=dump
  log "dumping database '$DATABASE' (set $SET_ID)"
  # Two parts in one file: first every table's structure (a fresh database on restore), then the
  # data of every table except Mautic's message queue, which holds page-hit requests (IPs,
  # cookies, user agents) and e-mails in flight: a restore gets it empty. The data part ends
  # the file, so the "-- Dump completed" check still proves that the data was dumped in full.
  if ! {
    db_tool "$DUMP_BIN" --single-transaction --no-data --skip-triggers --default-character-set=utf8mb4 \
      --add-drop-database --databases "$DATABASE" &&
      db_tool "$DUMP_BIN" --single-transaction --quick --routines --triggers --events --hex-blob \
        --default-character-set=utf8mb4 --no-create-db --ignore-table="$DATABASE.$QUEUE_TABLE" --databases "$DATABASE"
  } | gzip -6 --rsyncable >"$tmp/db.sql.gz"; then
    die "database dump of '$DATABASE' failed (messages above)"
  fi

  STAGE=files
  for p in "${FILES_PATHS[@]}"; do
    if [[ -e $FILES_ROOT/$p ]]; then paths+=("$p"); else warn "$FILES_ROOT/$p does not exist: not in this backup"; fi
  done
  rc=0
  if (( ${#paths[@]} > 0 )); then
    tar --create --use-compress-program='gzip --rsyncable' --file="$tmp/files.tar.gz" --directory="$FILES_ROOT" \
      --numeric-owner --warning=no-file-changed -- "${paths[@]}" || rc=$?
  else
    tar --create --gzip --file="$tmp/files.tar.gz" --files-from=/dev/null || rc=$?
  fi
  # GNU tar: 1 = a file changed while it was read (the archive is still valid), 2 = fatal.
  if (( rc == 1 )); then warn "files changed while they were archived; the archive holds the version read"; fi
  (( rc <= 1 )) || die "archiving $FILES_ROOT failed (tar exit code $rc)"

  STAGE=verify
  {
    printf 'id=%s\ncreated=%s\ndatabase=%s\nhost=%s\nfiles_root=%s\nfiles=%s\n' "$SET_ID" "$(iso_from_id "$SET_ID")" \
      "$DATABASE" "$(hostname)" "$FILES_ROOT" "${paths[*]}"
  } >"$tmp/manifest"
  (cd -- "$tmp" && sha256sum db.sql.gz files.tar.gz manifest >SHA256SUMS)
  verify_set "$tmp" || die "backup set $SET_ID failed verification; it was discarded"
  sync -- "$tmp"/*

  STAGE=commit
  mv -T -- "$tmp" "$BACKUP_DIR/$SET_ID"
  TMP_SET=''
  ln -sfn -- "$SET_ID" "$BACKUP_DIR/.latest.new"
  mv -fT -- "$BACKUP_DIR/.latest.new" "$BACKUP_DIR/latest"
  sync -- "$BACKUP_DIR"
  DB_BYTES=$(stat -c %s -- "$BACKUP_DIR/$SET_ID/db.sql.gz")
  FILES_BYTES=$(stat -c %s -- "$BACKUP_DIR/$SET_ID/files.tar.gz")
  log "backup set $SET_ID verified: db.sql.gz $DB_BYTES bytes, files.tar.gz $FILES_BYTES bytes"

  if [[ $MODE == backup ]]; then
    STAGE=retention
    prune
  fi
  if [[ -n $OFFSITE_REPOSITORY ]]; then offsite; fi
  STAGE=finished
}

load_conf
if [[ $MODE == status ]]; then
  cat -- "$BACKUP_DIR/status.json"
  exit 0
fi
mkdir -p -- "$BACKUP_DIR"
chmod 0700 -- "$BACKUP_DIR"
exec 9>"$BACKUP_DIR/.lock"
if ! flock -n 9; then
  err "another mautic-backup or mautic-restore holds $BACKUP_DIR/.lock; nothing done"
  exit 75
fi
# Only backup runs report to status.json: a manual --prune must not hide a failed nightly run.
[[ $MODE == prune ]] || STATUS_ON_EXIT=1
# Leftovers of a run that was killed (power loss, OOM): we hold the lock, so nobody uses them.
for p in "$BACKUP_DIR"/.tmp-*; do
  if [[ -e $p ]]; then warn "removing unfinished set ${p##*/} of an interrupted run"; rm -rf -- "$p"; fi
done

case $MODE in
  backup | backup-no-prune) backup ;;
  prune)
    init_now
    STAGE=retention
    prune
    STAGE=finished
    ;;
  *) die "unknown mode $MODE" ;;
esac
