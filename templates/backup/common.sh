# ---- Settings rendered by the kit ---------------------------------------------------------
# Any of them can be overridden in CONF_FILE (shell syntax, root-owned, not group/world-writable).
# Production needs no such file; the tests use one to run against a local MariaDB without Docker.
# The durable volume's mount point; backups refuse to run unless it is mounted (REQUIRE_MOUNT=1).
DATA_DIR='{{dataDir}}'
REQUIRE_MOUNT=1
# One directory per backup set (named by its UTC start time), plus "latest" and status.json.
BACKUP_DIR='{{backupDir}}'
DATABASE='{{database}}'
# Sets older than this many days are deleted after a successful run (never the latest good one).
RETENTION_DAYS={{retentionDays}}
# The client tools run inside this container as root, with the password from its environment.
# Empty: they run on this host with DB_CLIENT_OPTS, e.g. (--defaults-extra-file=/root/.my.cnf).
DB_CONTAINER='{{dbContainer}}'
DB_CLIENT_OPTS=()
DUMP_BIN=mariadb-dump
CLIENT_BIN=mariadb
DOCKER=docker
# Stopped during a restore and started again in this order (the database keeps running).
APP_CONTAINERS=({{appContainers}})
# Mautic's config and media, archived relative to FILES_ROOT.
FILES_ROOT="$DATA_DIR/mautic"
FILES_PATHS=(config media/files media/images)
# Off-site copy (restic); empty: none. The password is only in OFFSITE_ENV_FILE (root, 0600):
# RESTIC_PASSWORD=..., RESTIC_PASSWORD_FILE=... or RESTIC_PASSWORD_COMMAND=...
OFFSITE_REPOSITORY='{{offsiteRepository}}'
OFFSITE_ENV_FILE=/etc/mautic/backup-offsite.env
# The ssh client config of the kit's Storage Box (host, port 23, user, ed25519 key, pinned host
# key, StrictHostKeyChecking yes); empty: restic's own ssh call (a repository set up by hand).
OFFSITE_SSH_CONFIG='{{offsiteSshConfig}}'
OFFSITE_SSH_HOST=mautic-offsite
RESTIC_BIN=restic
RESTIC_CACHE="${CACHE_DIRECTORY:-/var/cache/mautic-backup}"
# Erasure journal of `npm run dsr -- erase` (root only): "journal" (one line per erasure:
# UTC time, "hmac:" and the keyed hash of the address (older lines: its plain SHA-256),
# erased|suppressed) and "erase.sql". mautic-restore re-applies every line to the restored
# database before Mautic starts again.
DSR_DIR="$DATA_DIR/dsr"
# The stack's address-hash key (root only, 0600; components/shared/addressHash.ts) for the keyed journal lines.
HASH_KEY_FILE=/etc/mautic/address-hash.key
# mautic-restore runs it for the safety backup.
BACKUP_BIN=/usr/local/sbin/mautic-backup
CONF_FILE="${MAUTIC_BACKUP_CONF:-/etc/mautic/backup.conf}"

# ---- Shared helpers ---------------------------------------------------------------------------
PROG=${0##*/}
# Under systemd, stdout/stderr go to the journal: a "<3>" prefix gives a line priority "err".
if [[ -n ${JOURNAL_STREAM:-} ]]; then ERR_PREFIX='<3>'; WARN_PREFIX='<4>'; else ERR_PREFIX=''; WARN_PREFIX=''; fi
log() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s%s: WARNING: %s\n' "$WARN_PREFIX" "$PROG" "$*" >&2; }
err() { printf '%s%s: ERROR: %s\n' "$ERR_PREFIX" "$PROG" "$*" >&2; }
die() { FAIL_MSG=$*; err "$*"; exit 1; }
FAIL_MSG=''

ID_RE='^[0-9]{8}T[0-9]{6}Z$'

# Refuses a file that someone other than us could have written (it is sourced or holds secrets).
# $2=private: also refuse group/other read access.
check_file_safe() {
  local f=$1 private=${2:-} owner mode
  owner=$(stat -L -c %u -- "$f") || die "cannot stat $f"
  mode=$(stat -L -c %a -- "$f")
  [[ $owner == "$(id -u)" ]] || die "$f must be owned by uid $(id -u) (is $owner)"
  if (( (8#$mode & 8#022) != 0 )); then die "$f is group- or world-writable (mode $mode): chmod go-w $f"; fi
  if [[ $private == private ]] && (( (8#$mode & 8#077) != 0 )); then
    die "$f holds secrets but is readable by others (mode $mode): chmod 600 $f"
  fi
}

load_conf() {
  if [[ -e $CONF_FILE ]]; then
    check_file_safe "$CONF_FILE"
    # shellcheck source=/dev/null
    . "$CONF_FILE"
  fi
  [[ $RETENTION_DAYS =~ ^[1-9][0-9]*$ ]] || die "RETENTION_DAYS must be a whole number >= 1 (is '$RETENTION_DAYS')"
  [[ $DATABASE =~ ^[A-Za-z0-9_]+$ ]] || die "DATABASE must be a plain database name (is '$DATABASE')"
  if [[ $REQUIRE_MOUNT == 1 ]] && ! mountpoint -q -- "$DATA_DIR"; then
    die "$DATA_DIR is not a mount point: the data volume is not mounted, refusing to touch backups on the root disk"
  fi
}

# Sets NOW (seconds since the epoch); MAUTIC_BACKUP_NOW (digits) replaces the clock in tests.
init_now() {
  if [[ -n ${MAUTIC_BACKUP_NOW:-} ]]; then
    [[ $MAUTIC_BACKUP_NOW =~ ^[0-9]+$ ]] || die "MAUTIC_BACKUP_NOW must be seconds since the epoch"
    NOW=$MAUTIC_BACKUP_NOW
  else
    NOW=$(date -u +%s)
  fi
}

# A backup id is its UTC start time, e.g. 20250131T023712Z; retention reads the date from it.
id_from_epoch() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
epoch_from_id() { date -u -d "${1:0:4}-${1:4:2}-${1:6:2} ${1:9:2}:${1:11:2}:${1:13:2} UTC" +%s; }
iso_from_id() { printf '%s-%s-%sT%s:%s:%sZ\n' "${1:0:4}" "${1:4:2}" "${1:6:2}" "${1:9:2}" "${1:11:2}" "${1:13:2}"; }

# The id the "latest" symlink names (the newest verified set), or nothing.
latest_id() {
  local t
  t=$(readlink -- "$BACKUP_DIR/latest" 2>/dev/null) || return 0
  if [[ $t =~ $ID_RE && -d $BACKUP_DIR/$t ]]; then printf '%s\n' "$t"; fi
}

# Every complete backup set's id, oldest first (sets appear only after they were verified).
list_ids() {
  local d name
  for d in "$BACKUP_DIR"/*/; do
    [[ -d $d ]] || continue
    name=${d%/}; name=${name##*/}
    if [[ $name =~ $ID_RE ]]; then printf '%s\n' "$name"; fi
  done | sort
}

# Runs a MariaDB client tool ($1) with the remaining arguments. With DB_CONTAINER set it runs
# inside that container as root; the password comes from the container's own environment into
# the tool's environment (MYSQL_PWD), so it is never on a command line or in a file on the host.
db_tool() {
  local tool=$1
  shift
  if [[ -n $DB_CONTAINER ]]; then
    # shellcheck disable=SC2016 # expanded by the container's shell, not this one
    "$DOCKER" exec -i "$DB_CONTAINER" sh -c 'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec "$0" --user=root "$@"' "$tool" "$@"
  else
    "$tool" "${DB_CLIENT_OPTS[@]}" "$@"
  fi
}

# Checks a backup set: checksums, both archives intact, and the dump really finished.
verify_set() {
  local d=$1 last
  [[ -s $d/db.sql.gz && -s $d/files.tar.gz && -s $d/SHA256SUMS ]] || { err "$d is incomplete"; return 1; }
  (cd -- "$d" && sha256sum --quiet --strict --check SHA256SUMS) || { err "$d: checksum mismatch"; return 1; }
  gzip -t -- "$d/db.sql.gz" || { err "$d/db.sql.gz is not a valid gzip file"; return 1; }
  last=$(gzip -dc -- "$d/db.sql.gz" | tail -n 1)
  [[ $last == '-- Dump completed'* ]] || { err "$d/db.sql.gz does not end with MariaDB's '-- Dump completed' line: the dump is truncated"; return 1; }
  gzip -t -- "$d/files.tar.gz" || { err "$d/files.tar.gz is not a valid gzip file"; return 1; }
  tar -tzf "$d/files.tar.gz" >/dev/null || { err "$d/files.tar.gz is not a valid tar archive"; return 1; }
}

json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//[$'\001'-$'\037']/ }
  printf '"%s"' "$s"
}

# Reads the restic password from OFFSITE_ENV_FILE (root, 0600) into the environment.
offsite_env() {
  local line key value
  if [[ -e $OFFSITE_ENV_FILE ]]; then
    check_file_safe "$OFFSITE_ENV_FILE" private
    while IFS= read -r line || [[ -n $line ]]; do
      [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
      if [[ $line =~ ^(RESTIC_PASSWORD|RESTIC_PASSWORD_FILE|RESTIC_PASSWORD_COMMAND)=(.*)$ ]]; then
        key=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[2]}
        if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
        export "$key=$value"
      else
        die "$OFFSITE_ENV_FILE: only RESTIC_PASSWORD=, RESTIC_PASSWORD_FILE= or RESTIC_PASSWORD_COMMAND= lines are allowed"
      fi
    done <"$OFFSITE_ENV_FILE"
  fi
  if [[ -z ${RESTIC_PASSWORD:-}${RESTIC_PASSWORD_FILE:-}${RESTIC_PASSWORD_COMMAND:-} ]]; then
    die "off-site copy to $OFFSITE_REPOSITORY is configured but no restic password is set: put RESTIC_PASSWORD=... into $OFFSITE_ENV_FILE (mode 0600)"
  fi
}

# Checks that the box answers over SFTP with the pinned host key. ssh's own message (a changed
# host key, a refused key, no route) reaches stderr as ssh prints it: restic relays its ssh
# child's stderr asynchronously and can exit before relaying it, which would leave only
# "unable to start the sftp session" in the journal.
offsite_reach() {
  [[ -n $OFFSITE_SSH_CONFIG ]] || return 0
  sftp -F "$OFFSITE_SSH_CONFIG" -b /dev/null "$OFFSITE_SSH_HOST" >/dev/null
}

# Sets the array named $1 to the restic command line for the off-site repository.
restic_cmd() {
  local -n out=$1
  out=("$RESTIC_BIN" --repo "$OFFSITE_REPOSITORY" --cache-dir "$RESTIC_CACHE" --quiet)
  if [[ -n $OFFSITE_SSH_CONFIG ]]; then
    [[ -r $OFFSITE_SSH_CONFIG ]] || die "off-site: the ssh config $OFFSITE_SSH_CONFIG is missing (written by the deploy: run pulumi up)"
    out+=(-o "sftp.command=ssh -F $OFFSITE_SSH_CONFIG $OFFSITE_SSH_HOST -s sftp")
  fi
}
