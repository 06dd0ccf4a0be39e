# shellcheck shell=bash
# Shared by scripts/local-mautic/*.sh: where an instance lives and how a command runs "inside" one
# of its Mautic containers. Sourced, never run.
#
# An instance NAME lives in $LOCAL_MAUTIC_HOME/NAME (default /work/mautic/instances/NAME):
#   html/        the Mautic tree (a copy of --tree; vendor/ and node_modules/ hard-linked)
#   kit/         the files the kit renders for a server (scripts/local-mautic/render.ts)
#   secrets/     db-root-password, db-password, secret-key, admin-password (0600)
#   etc/         the web role's /etc/apache2, PHP's conf.d, /etc/hosts, /etc/mautic-kit
#   kit-doi/     the web role's /var/www/kit-doi (the kit's DOI endpoint)
#   tmp-<role>/  each container's own /tmp (cron's /tmp/stdout FIFO, flock files)
#   mysql/       MariaDB datadir; db-run/ its socket, pid file and error log; run/ other pid
#                files; log/ every other log; mail/ the SMTP sink
#   instance.env NAME, PORT, IP, DOMAIN, TREE
#
# A "container" is a private mount namespace (unshare -m) in which the paths of the official
# image exist: the tree at /var/www/html, the kit's files where the kit mounts them, the
# instance's /etc/hosts (mautic_db -> the instance's loopback address) and /tmp; the process
# gets the role's environment exactly as the kit renders it (kit/env.<role>).
set -euo pipefail

LOCAL_MAUTIC_HOME="${LOCAL_MAUTIC_HOME:-/work/mautic/instances}"
KIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
HARNESS="$KIT_ROOT/scripts/local-mautic"
PHP_VERSION_DIR=/etc/php/8.2

die() { echo "local-mautic: $*" >&2; exit 1; }

# load_instance NAME: sets INST and the variables of instance.env.
load_instance() {
  local name="$1"
  [[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "--name '$name': use 1-31 lowercase letters, digits, '-'"
  INST="$LOCAL_MAUTIC_HOME/$name"
  [ -f "$INST/instance.env" ] || die "no instance '$name' in $LOCAL_MAUTIC_HOME (start it with up.sh)"
  # shellcheck disable=SC1091
  source "$INST/instance.env"
}

# The image's own ENV (docker-mautic Dockerfile lines 59-81), under the kit's per-role env.
image_env() {
  cat <<'ENV'
PHP_INI_VALUE_DATE_TIMEZONE=UTC
PHP_INI_VALUE_MEMORY_LIMIT=512M
PHP_INI_VALUE_UPLOAD_MAX_FILESIZE=512M
PHP_INI_VALUE_POST_MAX_FILESIZE=512M
PHP_INI_VALUE_MAX_EXECUTION_TIME=300
DOCKER_MAUTIC_WORKERS_CONSUME_EMAIL=2
DOCKER_MAUTIC_WORKERS_CONSUME_HIT=2
DOCKER_MAUTIC_WORKERS_CONSUME_FAILED=2
DOCKER_MAUTIC_RUN_MIGRATIONS=false
DOCKER_MAUTIC_LOAD_TEST_DATA=false
DEBUG=false
FLAVOUR=apache
APACHE_DOCUMENT_ROOT=/var/www/html/docroot
ENV
}

# role_cgroup ROLE: the memory cgroup (v1) of ROLE (web, cron, worker, db) with the container
# memory limit the kit gives that role (kit/memory-limits, MiB). Created on first use; a process
# joins it with `echo PID > DIR/cgroup.procs`. The kernel then OOM-kills inside the role exactly
# as Docker's --memory does (no swap on the host, so memsw is not set). --profile defaults
# (render.ts writes no limits): a cgroup without a limit when the hierarchy is writable, so the
# kernel counts each role's memory as Docker does (`npm run bench -- --cgroup`), else nothing.
role_cgroup() {
  local role="$1" lim
  lim=$(sed -n "s/^$role=//p" "$INST/kit/memory-limits" 2>/dev/null || true)
  local base=/sys/fs/cgroup/memory
  if [ -z "$lim" ]; then
    [ -w "$base" ] || return 0
  else
    [ -w "$base" ] || die "the kit's container memory limits need a writable cgroup v1 memory hierarchy at $base (or start with --profile defaults)"
  fi
  local d="$base/local-mautic-$NAME-$role"
  mkdir -p "$d"
  if [ -n "$lim" ]; then echo $((lim * 1024 * 1024)) > "$d/memory.limit_in_bytes"; else echo -1 > "$d/memory.limit_in_bytes"; fi
  echo "$d"
}

# cgroup_prefix DIR: sets CG_PREFIX, the words that run a command in the memory cgroup DIR
# (none when DIR is empty): "${CG_PREFIX[@]}" CMD...
cgroup_prefix() {
  CG_PREFIX=()
  [ -z "$1" ] || CG_PREFIX=(bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$1")
}

# in_container ROLE USER CMD...: runs CMD as USER in the instance's ROLE container
# (ROLE: web, cron, worker); with IN_CONTAINER_EXEC=1 it replaces the calling shell (so a pid
# file of that shell is CMD's pid). Environment: PATH, HOME, the image's ENV, then kit/env.mautic_ROLE.
in_container() {
  local role="$1" user="$2"; shift 2
  case "$role" in web|cron|worker) ;; *) die "role '$role': use web, cron or worker" ;; esac
  mkdir -p /var/www/html
  local envfile; envfile=$(mktemp "$INST/run/env.$role.XXXXXX")
  { image_env; cat "$INST/kit/env.mautic_$role"; [ -z "${LOCAL_MAUTIC_EXTRA_ENVFILE:-}" ] || cat "$LOCAL_MAUTIC_EXTRA_ENVFILE"; } > "$envfile"
  chmod 600 "$envfile"
  local maybe_exec="" cg
  [ "${IN_CONTAINER_EXEC:-}" != 1 ] || maybe_exec="exec"
  cg=$(role_cgroup "$role"); cgroup_prefix "$cg"
  INST="$INST" ROLE="$role" RUSER="$user" ENVFILE="$envfile" PHPDIR="$PHP_VERSION_DIR" \
    $maybe_exec "${CG_PREFIX[@]}" unshare -m --propagation private bash -c '
      set -e
      mount --bind "$INST/html" /var/www/html
      mount --bind "$INST/etc/hosts" /etc/hosts
      mount --bind "$INST/tmp-$ROLE" /tmp
      mount --bind "$INST/etc/apache2" /etc/apache2
      mount --bind "$INST/etc/php-apache2-conf.d" "$PHPDIR/apache2/conf.d"
      mount --bind "$INST/etc/php-cli-conf.d" "$PHPDIR/cli/conf.d"
      mount --bind "$INST/run/apache2" /var/run/apache2
      mount --bind "$INST/log/apache2" /var/log/apache2
      mount --bind "$INST/log/mautic-kit" /var/log/mautic-kit
      if [ "$ROLE" = web ]; then   # the kit uploads the DOI endpoint into mautic_web only
        mount --bind "$INST/kit-doi" /var/www/kit-doi
        mount --bind "$INST/etc/mautic-kit" /etc/mautic-kit
      fi
      envfile="$ENVFILE"; user="$RUSER"
      unset INST ROLE RUSER ENVFILE PHPDIR
      mapfile -t kv < "$envfile"; rm -f "$envfile"
      home=$(getent passwd "$user" | cut -d: -f6)
      cd /var/www/html/docroot   # the WORKDIR of the image
      exec setpriv --reuid="$user" --regid="$user" --init-groups \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" \
        USER="$user" LOGNAME="$user" "${kv[@]}" "$@"' in_container "$@"
}
