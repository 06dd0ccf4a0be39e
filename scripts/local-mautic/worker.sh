#!/usr/bin/env bash
# usage: worker.sh NAME start|stop|restart|status
# The mautic_worker container: supervisord (Debian's) with the kit's rendered supervisord.conf,
# consuming the email, hit and failed queues as www-data. Its output: log/worker.log.
source "$(dirname "$0")/lib.sh"
load_instance "${1:?usage: worker.sh NAME start|stop|restart|status}"
pidfile="$INST/run/supervisord.pid"
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
stop() {
  if running; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 60); do running || break; sleep 0.5; done
    running && die "supervisord $(cat "$pidfile") did not stop"
  fi
  rm -f "$pidfile"; echo "worker[$NAME]: stopped"
}
start() {
  running && { echo "worker[$NAME]: running (supervisord pid $(cat "$pidfile"))"; return 0; }
  # The image's worker entrypoint: wait_for_mautic_install, then supervisord -c <conf>.
  in_container worker www-data php -r 'include "/var/www/html/config/local.php"; exit(!empty($parameters["db_driver"]) && !empty($parameters["site_url"]) ? 0 : 1);' ||
    die "Mautic is not installed yet (the image's worker waits for that)"
  IN_CONTAINER_EXEC=1 setsid bash -c 'source "$1/lib.sh"; load_instance "$2"; in_container worker root supervisord -c "$INST/kit/worker-supervisord.conf"' \
    worker "$HARNESS" "$NAME" </dev/null >>"$INST/log/worker.log" 2>&1 &
  echo $! > "$pidfile"
  sleep 1
  running || die "supervisord did not start: $INST/log/worker.log"
  echo "worker[$NAME]: started (supervisord pid $(cat "$pidfile")), log $INST/log/worker.log"
}
case "${2:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running; then echo "worker[$NAME]: running (supervisord pid $(cat "$pidfile"))"; pgrep -a -P "$(cat "$pidfile")" || true; else echo "worker[$NAME]: stopped"; exit 3; fi ;;
  *) die "usage: worker.sh NAME start|stop|restart|status" ;;
esac
