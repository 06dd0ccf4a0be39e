#!/usr/bin/env bash
# usage: cron-once.sh NAME [JOB-ID|COMMAND-SUBSTRING ...]
# Runs every job line of the kit's rendered crontab (kit/crontab) once, in order, in the cron
# container, as the image's cron would: as www-data, with the crontab's SHELL, PATH, BASH_ENV
# and MAILTO lines, /tmp/cron.env written as the image's cron entrypoint writes it, and the job
# output into the /tmp/stdout FIFO (copied to log/cron.log). With arguments, only the jobs whose
# line contains one of them (e.g. campaigns-trigger). Exit status: the number of failed jobs.
source "$(dirname "$0")/lib.sh"
load_instance "${1:?usage: cron-once.sh NAME [JOB ...]}"; shift
IN_CONTAINER_EXEC=1 in_container cron root bash -s -- "$INST/kit/crontab" "$INST/log/cron.log" "$@" <<'RUN'
set -u
crontab="$1" cronlog="$2"; shift 2
failed=0
# entrypoint_mautic_cron.sh: the FIFO, and the PHP_INI_VALUE_* env for the jobs.
rm -f /tmp/stdout; mkfifo /tmp/stdout; chmod 777 /tmp/stdout
declare -p | grep 'PHP_INI_VALUE_' > /tmp/cron.env
exec 3<>/tmp/stdout              # keeps the FIFO open between jobs (tail -f does this in the image)
cat <&3 >>"$cronlog" &
reader=$!
envs=()
while IFS= read -r line; do
  case "$line" in
    ''|'#'*) continue ;;
    [A-Z_]*=*) envs+=("$line"); continue ;;
  esac
  if [ $# -gt 0 ]; then
    hit=0; for want in "$@"; do [[ "$line" == *"$want"* ]] && hit=1; done
    [ $hit = 1 ] || continue
  fi
  cmd=$(printf '%s\n' "$line" | cut -d' ' -f6-)
  shellbin=/bin/sh
  for e in "${envs[@]}"; do case "$e" in SHELL=*) shellbin="${e#SHELL=}" ;; esac; done
  start=$EPOCHREALTIME
  echo "$(date -Is) cron-once: $cmd" >&3
  rc=0
  setpriv --reuid=www-data --regid=www-data --init-groups \
    env -i HOME=/var/www bash -c 'cd "$HOME" && exec "$@"' cron \
    env LOGNAME=www-data USER=www-data "${envs[@]}" "$shellbin" -c "$cmd" || rc=$?
  printf '%s rc=%s %ss  %s\n' "$(date -Is)" "$rc" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')" "$cmd"
  [ $rc = 0 ] || failed=$((failed + 1))
done < "$crontab"
sleep 0.2; kill $reader 2>/dev/null
exit $failed
RUN
