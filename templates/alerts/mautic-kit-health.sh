#!/bin/bash
# mautic-kit-health: hourly checks of what must not break silently. Alerts (mautic-kit-alert)
# when a check starts failing and when it clears; pings the alert URL on every run (success or
# /fail), so a server that stops running this is noticed by the dead man's switch.
# Rendered by the mautic-gdpr-kit (components/host/alerts.ts).
set -uo pipefail
BACKUP_STATUS='{{backupDir}}/status.json'
BACKUP_MAX_AGE_HOURS={{backupMaxAgeHours}}
OFFSITE_EXPECTED={{offsiteExpected}}
DISK_PATHS=({{diskPaths}})
DISK_MAX_PERCENT={{diskMaxPercent}}
CONTAINERS=({{containers}})
CERT_HOST='{{domain}}'
CERT_CONNECT=127.0.0.1:443
CERT_MIN_DAYS={{certMinDays}}
# unattended-upgrade often exits 0 when a package fails: its log tells.
UU_LOG=/var/log/unattended-upgrades/unattended-upgrades.log
FAILED_UNITS=(mautic-backup.service mautic-privacy-maintenance.service mautic-kit-security.service apt-daily-upgrade.service)
ALERT_BIN=/usr/local/sbin/mautic-kit-alert
STATE_DIR=/var/lib/mautic-kit
DOCKER=docker
# Overrides (tests, or an operator's local tweaks): shell syntax, root-owned, not writable by others.
CONF_FILE="${MAUTIC_KIT_HEALTH_CONF:-/etc/mautic-kit/health.conf}"
if [[ -e $CONF_FILE ]]; then
  if [[ $(stat -L -c %u -- "$CONF_FILE") != "$(id -u)" ]] || (( (8#$(stat -L -c %a -- "$CONF_FILE") & 8#022) != 0 )); then
    echo "mautic-kit-health: $CONF_FILE must be owned by $(id -un) and not group/world-writable" >&2
    exit 2
  fi
  # shellcheck source=/dev/null
  . "$CONF_FILE"
fi

now=$(date +%s)
declare -A problems=()

iso_epoch() { date -u -d "$1" +%s 2>/dev/null || echo 0; }
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$BACKUP_STATUS" | head -n 1; }

check_backup() {
  local result good_at finished_at offsite age
  if [[ ! -r $BACKUP_STATUS ]]; then problems[backup]="no backup has run yet ($BACKUP_STATUS missing)"; return; fi
  result=$(json_field result)
  good_at=$(json_field last_good_at)
  finished_at=$(json_field finished_at)
  offsite=$(json_field offsite)
  if [[ $result != ok ]]; then problems[backup]="the last backup run failed: $(json_field message)"; fi
  if [[ -z $good_at ]]; then
    problems[backup-age]="there is no good backup set"
  else
    age=$(( (now - $(iso_epoch "$good_at")) / 3600 ))
    if (( age >= BACKUP_MAX_AGE_HOURS )); then problems[backup-age]="the last good backup is ${age} h old (limit ${BACKUP_MAX_AGE_HOURS} h)"; fi
  fi
  if [[ $OFFSITE_EXPECTED == 1 ]]; then
    age=$(( (now - $(iso_epoch "${finished_at:-1970-01-01T00:00:00Z}")) / 3600 ))
    if [[ $offsite != ok ]]; then problems[offsite]="the last off-site copy did not succeed (offsite: ${offsite:-unknown})"
    elif (( age >= BACKUP_MAX_AGE_HOURS )); then problems[offsite]="the last off-site copy is ${age} h old (limit ${BACKUP_MAX_AGE_HOURS} h)"; fi
  fi
}

check_disk() {
  local line pct target
  while read -r pct target; do
    pct=${pct%\%}
    [[ $pct =~ ^[0-9]+$ ]] || continue
    if (( pct > DISK_MAX_PERCENT )); then problems["disk:$target"]="$target is ${pct} % full (limit ${DISK_MAX_PERCENT} %)"; fi
  done < <(df -P -- "${DISK_PATHS[@]}" 2>/dev/null | awk 'NR > 1 { print $5, $6 }')
  line=$(df -P -- "${DISK_PATHS[@]}" 2>&1 >/dev/null) || problems[disk]="df failed: $line"
}

check_containers() {
  local c status health state
  (( ${#CONTAINERS[@]} > 0 )) || return 0
  for c in "${CONTAINERS[@]}"; do
    if status=$("$DOCKER" inspect --format '{{.State.Status}}' "$c" 2>/dev/null); then
      # null without a healthcheck, else {"Status":"healthy",...}
      health=$("$DOCKER" inspect --format '{{json .State.Health}}' "$c" 2>/dev/null | sed -n 's/^{"Status":"\([a-z]*\)".*/\1/p')
      state="$status ${health:-none}"
    else
      state=missing
    fi
    case $state in
      "running healthy" | "running none") ;;
      *) problems["container:$c"]="container $c is $state" ;;
    esac
  done
}

check_cert() {
  local pem end days
  [[ -n $CERT_HOST ]] || return 0
  pem=$(openssl s_client -connect "$CERT_CONNECT" -servername "$CERT_HOST" </dev/null 2>/dev/null | openssl x509 2>/dev/null) || pem=''
  if [[ -z $pem ]]; then problems[certificate]="no certificate served for $CERT_HOST on $CERT_CONNECT"; return; fi
  if ! openssl x509 -noout -checkend $(( CERT_MIN_DAYS * 86400 )) >/dev/null <<<"$pem"; then
    end=$(openssl x509 -noout -enddate <<<"$pem" | cut -d= -f2)
    days=$(( ($(date -u -d "$end" +%s) - now) / 86400 ))
    problems[certificate]="the certificate for $CERT_HOST expires in ${days} day(s) ($end; limit ${CERT_MIN_DAYS} days)"
  fi
}

check_units() {
  local u
  (( ${#FAILED_UNITS[@]} > 0 )) || return 0
  for u in "${FAILED_UNITS[@]}"; do
    if systemctl is-failed --quiet "$u" 2>/dev/null; then problems["unit:$u"]="$u failed (journalctl -u $u)"; fi
  done
}

check_updates() {
  local errors
  [[ -r $UU_LOG ]] || return 0
  errors=$(awk '/Starting unattended upgrades script/ { n = 0 } / ERROR / { n++ } END { print n + 0 }' "$UU_LOG")
  if (( errors > 0 )); then problems[unattended-upgrades]="the last unattended-upgrades run logged $errors error(s) ($UU_LOG)"; fi
}

check_backup
check_updates
check_disk
check_containers
check_cert
check_units

# Alert once when a problem appears and once when it clears (the state survives reboots).
mkdir -p "$STATE_DIR" && chmod 0700 "$STATE_DIR"
state="$STATE_DIR/health.state"
declare -A before=()
if [[ -r $state ]]; then
  while IFS= read -r key; do [[ -n $key ]] && before[$key]=1; done <"$state"
fi
rc=0
pinged=0
for key in "${!problems[@]}"; do
  if [[ -z ${before[$key]:-} ]]; then "$ALERT_BIN" fail "$key" "${problems[$key]}" || rc=1; pinged=1; fi
done
for key in "${!before[@]}"; do
  if [[ -z ${problems[$key]:-} ]]; then "$ALERT_BIN" recovered "$key" "cleared" || rc=1; fi
done
printf '%s\n' "${!problems[@]}" | sort >"$state.new" && mv -f "$state.new" "$state"

if (( ${#problems[@]} > 0 )); then
  summary=$(for key in "${!problems[@]}"; do printf '%s: %s\n' "$key" "${problems[$key]}"; done | sort)
  printf 'mautic-kit-health: %s problem(s)\n%s\n' "${#problems[@]}" "$summary" >&2
  # The dead man's switch hears about every failing run (its /fail endpoint), not only changes.
  if (( ! pinged )); then "$ALERT_BIN" ping-fail health "$summary" || true; fi
  exit 1
fi
"$ALERT_BIN" ok "all checks passed" || rc=1
echo "mautic-kit-health: all checks passed"
exit "$rc"
