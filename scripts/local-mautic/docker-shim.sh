#!/usr/bin/env bash
# local-mautic: stands in for `docker` while the kit's scripts (mautic-install.sh, backup,
# restore, privacy maintenance) run against a local instance ($LOCAL_MAUTIC_INSTANCE). It knows
# only the calls those scripts make, and fails loudly on any other:
#   docker exec [-i] [--user U|-u U] [-e NAME]... CONTAINER CMD...   (mautic_web/cron/worker)
#   docker exec [-i] [-e NAME]... mautic_db CMD...                   (mariadb/mariadb-dump on the instance's socket)
#   docker inspect --format '{{.State.Health.Status}}' CONTAINER
#   docker inspect CONTAINER / docker logs [--tail N] CONTAINER / docker start|stop CONTAINER...
HARNESS_LIB="${LOCAL_MAUTIC_HARNESS:-}"
[ -n "$HARNESS_LIB" ] || { echo "docker-shim: LOCAL_MAUTIC_HARNESS is not set" >&2; exit 125; }
source "$HARNESS_LIB/lib.sh"
load_instance "${LOCAL_MAUTIC_INSTANCE:?docker-shim: LOCAL_MAUTIC_INSTANCE is not set}"

role_of() {
  case "$1" in
    mautic_web) echo web ;; mautic_cron) echo cron ;; mautic_worker) echo worker ;; mautic_db) echo db ;;
    *) echo "docker-shim: unknown container '$1'" >&2; exit 125 ;;
  esac
}

cmd="${1:-}"; shift || true
case "$cmd" in
  exec)
    user=root envnames=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -i|-t|-it) shift ;;
        --user|-u) user="$2"; shift 2 ;;
        --user=*) user="${1#--user=}"; shift ;;
        -e|--env) envnames+=("$2"); shift 2 ;;
        -*) echo "docker-shim: exec option $1 not supported" >&2; exit 125 ;;
        *) break ;;
      esac
    done
    container="$1"; shift
    role=$(role_of "$container")
    if [ "$role" = db ]; then
      # The db container's clients reach the server on its socket as root (the image: root@localhost).
      # Replace a -p/--password option by nothing: root authenticates over the socket here.
      args=()
      for a in "$@"; do case "$a" in -p*|--password*) ;; *) args+=("$a") ;; esac; done
      prog="${args[0]}"; args=("${args[@]:1}")
      case "$prog" in
        mariadb|mysql|mariadb-dump|mysqldump|mariadb-admin|mysqladmin) exec "$prog" --socket="$INST/db-run/mysqld.sock" "${args[@]}" ;;
        # A shell in the db container (the privacy maintenance: sh -c '... exec mariadb ...'):
        # its clients are wrappers that add the instance's socket (Debian's client config names
        # /run/mysqld/mysqld.sock, which beats MYSQL_UNIX_PORT).
        sh|bash)
          wrap="$INST/run/db-clients"; mkdir -p "$wrap"
          for c in mariadb mysql mariadb-dump mysqldump; do
            printf '#!/bin/sh\nexec %s --socket=%q "$@"\n' "$(command -v "$c")" "$INST/db-run/mysqld.sock" > "$wrap/$c"; chmod 755 "$wrap/$c"
          done
          PATH="$wrap:$PATH" exec "$prog" "${args[@]}" ;;
        *) echo "docker-shim: db command '$prog' not supported" >&2; exit 125 ;;
      esac
    fi
    extra=""
    if [ ${#envnames[@]} -gt 0 ]; then
      extra=$(mktemp "$INST/run/extra-env.XXXXXX"); chmod 600 "$extra"
      for n in "${envnames[@]}"; do
        case "$n" in *=*) printf '%s\n' "$n" ;; *) printf '%s=%s\n' "$n" "${!n-}" ;; esac
      done > "$extra"
    fi
    rc=0
    LOCAL_MAUTIC_EXTRA_ENVFILE="$extra" in_container "$role" "$user" "$@" || rc=$?
    [ -z "$extra" ] || rm -f "$extra"
    exit $rc
    ;;
  inspect)
    format=""
    [ "${1:-}" = --format ] || [ "${1:-}" = -f ] && { format="$2"; shift 2; }
    container="$1"; role=$(role_of "$container")
    case "$format" in
      '{{.State.Health.Status}}')
        if [ "$role" = web ]; then
          # The kit's web healthcheck: curl -fsS -o /dev/null -H 'Host: DOMAIN' http://localhost/
          curl -fsS -o /dev/null -H "Host: $DOMAIN" "http://$IP/" && echo healthy || echo unhealthy
        else echo healthy; fi ;;
      '{{.State.Running}}') echo true ;;
      '') echo "[{\"Name\":\"/$container\"}]" ;;
      *) echo "docker-shim: inspect format $format not supported" >&2; exit 125 ;;
    esac ;;
  logs)
    [ "${1:-}" = --tail ] && shift 2
    tail -n 50 "$INST/log/apache2/error.log" 2>/dev/null || true ;;
  start|stop|restart)
    for c in "$@"; do
      case "$(role_of "$c")" in
        worker) bash "$HARNESS/worker.sh" "$NAME" "$cmd" >/dev/null ;;
        web)
          pidfile="$INST/run/apache2/apache2.pid"
          if [ "$cmd" != start ] && [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            pid=$(cat "$pidfile"); kill "$pid"
            for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
          fi
          if [ "$cmd" != stop ]; then
            in_container web root bash -c 'source /etc/apache2/envvars && exec apache2 -k start'
          fi ;;
        # The cron role has no daemon here: its jobs run on demand (cron-once.sh), nothing to stop.
        cron) ;;
        *) echo "docker-shim: $cmd $c is not supported (use down.sh/up.sh)" >&2; exit 125 ;;
      esac
    done ;;
  *) echo "docker-shim: 'docker $cmd' is not supported" >&2; exit 125 ;;
esac
