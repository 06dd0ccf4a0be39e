#!/usr/bin/env bash
# shellcheck disable=SC2034 # the settings block is shared with mautic-backup
# mautic-restore: puts a backup set made by mautic-backup back into Mautic.
# Rendered by the mautic-gdpr-kit (components/host/backup.ts): change the kit, not this copy.
#
# Order of a restore: verify the set; take a safety backup of the current state (mautic-backup
# --no-prune, so nothing expires meanwhile); hold the backup lock; stop the Mautic containers;
# replace the database (DROP DATABASE + the dump); re-apply the erasure journal (people erased
# after the backup was taken are erased again); with --with-files, replace config and media;
# start the containers again. If a step fails, the containers are LEFT STOPPED (Mautic's web
# container migrates the schema on start, which must not run on a half-restored database).
# Exit: 0 ok; 1 failed; 2 usage or confirmation missing; 75 a backup or restore is running.
set -euo pipefail
umask 077
export LC_ALL=C

{{common}}

{{hashKeyFns}}

usage() {
  cat <<'EOF'
Usage: mautic-restore --list                  list the backup sets (newest last)
       mautic-restore --verify <id|latest>    check a set (checksums, archives, complete dump)
       mautic-restore --reapply-erasures [--suppressed-only]
                                              erase again everyone in the erasure journal
                                              (--suppressed-only: those who objected; the
                                              privacy maintenance job runs this)
       mautic-restore [--with-files] [--no-safety-backup] --yes <id|latest>
                                              restore the database (and config + media)
       mautic-restore --from-offsite --list   list the sets in the off-site repository
       mautic-restore --from-offsite [...] <id|latest>
                                              fetch the set from the off-site repository onto
                                              the volume first (server or volume lost), then
                                              verify / restore it as above
  --yes               required: the current database is replaced (DROP DATABASE) by the set's
  --with-files        also replace config/, media/files/ and media/images/ by the set's copies
  --no-safety-backup  skip the backup of the current state (when the database is already lost)
  --from-offsite      take the set from the restic repository (latest: its newest set)
EOF
}

ACTION=restore CONFIRMED=0 WITH_FILES=0 SAFETY=1 TARGET='' SUPPRESSED_ONLY=0 FROM_OFFSITE=0
RESTIC=()
while (( $# > 0 )); do
  case $1 in
    --list) ACTION=list ;;
    --verify) ACTION=verify ;;
    --reapply-erasures) ACTION=reapply ;;
    --suppressed-only) SUPPRESSED_ONLY=1 ;;
    --yes) CONFIRMED=1 ;;
    --with-files) WITH_FILES=1 ;;
    --no-safety-backup) SAFETY=0 ;;
    --from-offsite) FROM_OFFSITE=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) err "unknown option $1"; usage >&2; exit 2 ;;
    *) [[ -z $TARGET ]] || { usage >&2; exit 2; }; TARGET=$1 ;;
  esac
  shift
done

STAGE=start
STOPPED=0
STAGING_OFFSITE=''
on_exit() {
  local rc=$?
  if [[ -n $STAGING_OFFSITE && -d $STAGING_OFFSITE ]]; then rm -rf -- "$STAGING_OFFSITE"; fi
  if [[ -n ${STAGING:-} && -d $STAGING ]]; then
    if [[ -d $STAGING/.old ]]; then err "the files replaced so far are kept in $STAGING/.old"; else rm -rf -- "$STAGING"; fi
  fi
  if (( rc != 0 && rc != 2 && rc != 75 )) && [[ $ACTION == restore ]]; then
    err "restore FAILED during stage '$STAGE'${FAIL_MSG:+: $FAIL_MSG}"
    if (( STOPPED )); then
      err "the Mautic containers (${APP_CONTAINERS[*]}) are LEFT STOPPED; fix the cause and run the restore again"
    fi
  fi
  exit "$rc"
}
trap on_exit EXIT

human() { numfmt --to=iec --suffix=B -- "$1"; }

list_sets() {
  local id latest n=0
  latest=$(latest_id)
  printf '%-18s %-22s %10s %10s  %s\n' ID CREATED DATABASE FILES ''
  while IFS= read -r id; do
    [[ -n $id ]] || continue
    n=$((n + 1))
    printf '%-18s %-22s %10s %10s  %s\n' "$id" "$(iso_from_id "$id")" \
      "$(human "$(stat -c %s -- "$BACKUP_DIR/$id/db.sql.gz")")" \
      "$(human "$(stat -c %s -- "$BACKUP_DIR/$id/files.tar.gz")")" \
      "$(if [[ $id == "$latest" ]]; then echo latest; fi)"
  done < <(list_ids)
  (( n > 0 )) || log "no backup sets in $BACKUP_DIR"
  if [[ -r $BACKUP_DIR/status.json ]]; then printf 'last run: %s\n' "$(cat -- "$BACKUP_DIR/status.json")"; fi
}

# The off-site repository's restic command line, with its password (or a clear error).
offsite_restic() {
  [[ -n $OFFSITE_REPOSITORY ]] || die "no off-site repository is configured for this site"
  command -v "$RESTIC_BIN" >/dev/null || die "off-site: $RESTIC_BIN is not installed (apt-get install restic)"
  offsite_env
  restic_cmd RESTIC
  offsite_reach || die "off-site: cannot reach $OFFSITE_SSH_HOST over SFTP with the pinned host key (ssh's message above)"
}

list_offsite() {
  offsite_restic
  "${RESTIC[@]}" snapshots --tag mautic-backup || die "off-site: cannot read $OFFSITE_REPOSITORY (messages above)"
}

# Copies set $TARGET (an id, or latest: the newest) from the off-site repository into
# BACKUP_DIR, verified; a set already on the volume is left as it is. Sets TARGET to its id.
fetch_offsite() {
  local stage found=() d id
  local -a filter=(--tag mautic-backup)
  if [[ $TARGET != latest ]]; then
    [[ $TARGET =~ $ID_RE ]] || die "'$TARGET' is not a backup id (like 20250131T023712Z); see mautic-restore --from-offsite --list"
    if [[ -d $BACKUP_DIR/$TARGET ]]; then log "set $TARGET is already on the volume: not fetched again"; return 0; fi
    filter+=(--path "$BACKUP_DIR/$TARGET")
  fi
  offsite_restic
  mkdir -p -- "$BACKUP_DIR"
  chmod 0700 -- "$BACKUP_DIR"
  stage="$BACKUP_DIR/.offsite-$$"
  STAGING_OFFSITE=$stage
  rm -rf -- "$stage"
  mkdir -m 0700 -- "$stage"
  log "fetching set $TARGET from $OFFSITE_REPOSITORY"
  "${RESTIC[@]}" restore latest "${filter[@]}" --target "$stage" \
    || die "off-site: cannot restore set $TARGET from $OFFSITE_REPOSITORY (messages above; see --from-offsite --list)"
  for d in "$stage$BACKUP_DIR"/*/; do
    [[ -d $d ]] || continue
    id=${d%/}; id=${id##*/}
    if [[ $id =~ $ID_RE ]]; then found+=("$id"); fi
  done
  (( ${#found[@]} == 1 )) || die "off-site: the snapshot does not hold exactly one backup set under $BACKUP_DIR (found ${#found[@]})"
  id=${found[0]}
  verify_set "$stage$BACKUP_DIR/$id" || die "off-site: set $id failed verification after the fetch"
  [[ ! -e $BACKUP_DIR/$id ]] || die "set $id appeared on the volume meanwhile"
  mv -T -- "$stage$BACKUP_DIR/$id" "$BACKUP_DIR/$id"
  rm -rf -- "$stage"
  STAGING_OFFSITE=''
  log "fetched set $id from off-site (verified)"
  TARGET=$id
}

resolve_target() {
  [[ -n $TARGET ]] || { err "name the backup set: an id from --list, or latest"; usage >&2; exit 2; }
  if (( FROM_OFFSITE )); then fetch_offsite; fi
  if [[ $TARGET == latest ]]; then
    TARGET=$(latest_id)
    [[ -n $TARGET ]] || die "there is no latest backup set in $BACKUP_DIR"
  fi
  [[ $TARGET =~ $ID_RE ]] || die "'$TARGET' is not a backup id (like 20250131T023712Z); see mautic-restore --list"
  [[ -d $BACKUP_DIR/$TARGET ]] || die "no backup set $TARGET in $BACKUP_DIR; see mautic-restore --list"
  SET="$BACKUP_DIR/$TARGET"
}

restore_files() {
  local p top
  STAGING="$FILES_ROOT/.restore-$TARGET"
  rm -rf -- "$STAGING"
  mkdir -m 0700 -- "$STAGING"
  tar --extract --gzip --file="$SET/files.tar.gz" --directory="$STAGING" --numeric-owner --same-permissions \
    || die "cannot extract $SET/files.tar.gz"
  for p in "${FILES_PATHS[@]}"; do
    if [[ ! -e $STAGING/$p ]]; then
      warn "$p is not in set $TARGET: left as it is"
      continue
    fi
    top="$FILES_ROOT/$p"
    (umask 022 && mkdir -p -- "$(dirname -- "$top")")  # a missing parent like media/ gets 0755
    mkdir -p -- "$STAGING/.old/$(dirname -- "$p")"
    if [[ -e $top ]]; then mv -T -- "$top" "$STAGING/.old/$p"; fi
    mv -T -- "$STAGING/$p" "$top"
    log "restored $p"
  done
  rm -rf -- "$STAGING"
  STAGING=''
}

# Erases again, in the current database, every person in the erasure journal. "erased" lines
# only touch rows older than the erasure (someone who signed up again later stays);
# "suppressed" lines (the person objected, Art. 21) have no date limit: never re-added.
reapply_erasures() {
  local journal="$DSR_DIR/journal" script="$DSR_DIR/erase.sql" at hash kind before keyed n=0 lineno=0
  if [[ ! -s $journal ]]; then
    log "no erasure journal ($journal): nothing to re-apply"
    return 0
  fi
  [[ -s $script ]] || die "$journal exists but $script is missing: cannot re-apply the erasures"
  check_file_safe "$journal" private
  check_file_safe "$script" private
  # Lines "hmac:<hash>" hold the keyed hash (the stack's key); older lines the plain SHA-256.
  if grep -q ' hmac:' -- "$journal"; then load_hash_key "$HASH_KEY_FILE" || die "cannot re-apply keyed erasures without the address-hash key"; fi
  while read -r at hash kind rest; do
    lineno=$((lineno + 1))
    [[ -n $at ]] || continue
    keyed=0
    if [[ $hash == hmac:* ]]; then keyed=1; hash=${hash#hmac:}; fi
    if [[ ! $at =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ || ! $hash =~ ^[0-9a-f]{64}$ || ! $kind =~ ^(erased|suppressed)$ || -n $rest ]]; then
      die "$journal line $lineno is not '<UTC time> hmac:<keyed hash>|<sha256> erased|suppressed'"
    fi
    if [[ $kind == suppressed ]]; then before=NULL; else
      (( SUPPRESSED_ONLY )) && continue
      before="'${at:0:10} ${at:11:8}'"
    fi
    { ((keyed)) && printf '%s\n' "$HASH_PADS_SQL"
      printf "SET @dsr_hash = '%s', @dsr_keyed = %d, @dsr_address = NULL, @dsr_before = %s;\n" "$hash" "$keyed" "$before"; cat -- "$script"; } \
      | db_tool "$CLIENT_BIN" --batch --raw --skip-column-names --default-character-set=utf8mb4 "$DATABASE" >/dev/null \
      || die "re-applying erasure ${hash:0:12}... (journal line $lineno) failed (messages above)"
    n=$((n + 1))
  done < "$journal"
  log "re-applied $n erasures from $journal"
}

load_conf
case $ACTION in
  reapply)
    [[ -d $BACKUP_DIR ]] || die "$BACKUP_DIR does not exist"
    exec 9>"$BACKUP_DIR/.lock"
    flock -n 9 || { err "a backup or restore holds $BACKUP_DIR/.lock; try again when it has finished"; exit 75; }
    reapply_erasures
    exit 0
    ;;
  list)
    if (( FROM_OFFSITE )); then list_offsite; else list_sets; fi
    exit 0
    ;;
  verify)
    resolve_target
    verify_set "$SET" || die "backup set $TARGET is NOT usable"
    log "backup set $TARGET verified"
    exit 0
    ;;
  *) ;;
esac

resolve_target
if (( ! CONFIRMED )); then
  err "this replaces the database '$DATABASE'$( ((WITH_FILES)) && echo " and $FILES_ROOT/{${FILES_PATHS[*]}}" ) with backup set $TARGET"
  err "and stops ${APP_CONTAINERS[*]:-no containers} meanwhile. Re-run with --yes to do it."
  exit 2
fi

STAGE=verify
verify_set "$SET" || die "backup set $TARGET failed verification; nothing was changed"
log "backup set $TARGET verified"

if (( SAFETY )); then
  STAGE=safety-backup
  log "safety backup of the current state first (mautic-backup --no-prune)"
  "$BACKUP_BIN" --no-prune || die "the safety backup failed, nothing was changed; if the database is already lost, re-run with --no-safety-backup"
fi

STAGE=lock
exec 9>"$BACKUP_DIR/.lock"
if ! flock -n 9; then
  err "a backup or restore holds $BACKUP_DIR/.lock; try again when it has finished"
  exit 75
fi
[[ -d $SET ]] || die "backup set $TARGET disappeared"
started=$(date +%s)

STAGE=stop
if (( ${#APP_CONTAINERS[@]} > 0 )); then
  log "stopping ${APP_CONTAINERS[*]}"
  STOPPED=1
  "$DOCKER" stop "${APP_CONTAINERS[@]}" >/dev/null || die "cannot stop ${APP_CONTAINERS[*]}"
fi

STAGE=database
log "restoring database '$DATABASE' from $TARGET"
gzip -dc -- "$SET/db.sql.gz" | db_tool "$CLIENT_BIN" --default-character-set=utf8mb4 \
  || die "loading the dump into MariaDB failed (messages above)"

STAGE=erasures
reapply_erasures

if (( WITH_FILES )); then
  STAGE=files
  restore_files
fi

STAGE=start
if (( ${#APP_CONTAINERS[@]} > 0 )); then
  log "starting ${APP_CONTAINERS[*]}"
  "$DOCKER" start "${APP_CONTAINERS[@]}" >/dev/null || die "cannot start ${APP_CONTAINERS[*]}"
  STOPPED=0
fi
STAGE=finished
log "restored backup set $TARGET$( ((WITH_FILES)) && echo ' (database, config and media)' || echo ' (database)') in $(($(date +%s) - started)) s"
