#!/usr/bin/env bash
# usage: down.sh NAME [--purge]
# Stops the instance's processes (worker, Apache, edge, mail sink, MariaDB) by their pid files.
# Its data stay (up.sh --name NAME --port PORT starts it again); --purge also deletes the
# instance directory (database, config, mail).
source "$(dirname "$0")/lib.sh"
load_instance "${1:?usage: down.sh NAME [--purge]}"
stop_pid() { # stop_pid WHAT PIDFILE
  local what="$1" pidfile="$2" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { echo "down[$NAME]: $what ($pid) did not stop, KILL"; kill -9 "$pid"; }
    echo "down[$NAME]: $what stopped"
  fi
  rm -f "$pidfile"
}
bash "$HARNESS/worker.sh" "$NAME" stop
stop_pid apache "$INST/run/apache2/apache2.pid"
stop_pid caddy "$INST/run/caddy.pid"
stop_pid smtp-sink "$INST/run/smtp.pid"
stop_pid mariadb "$INST/db-run/mysqld.pid"
if [ "${2:-}" = --purge ]; then
  rm -rf "$INST"
  echo "down[$NAME]: $INST deleted"
fi
