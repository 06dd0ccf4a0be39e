#!/bin/bash
# mautic-kit-security: security alerts for a personal data breach (Art. 33/34 GDPR), run every
# {{periodMinutes}} minutes by mautic-kit-security.timer. Rendered by the mautic-gdpr-kit
# (components/host/securityAlerts.ts): change the kit, not this copy.
# Sources: Mautic's audit_log and users/roles tables (read as MariaDB's root inside the database
# container, like mautic-privacy-maintenance) and the edge's access log (client IPs already cut
# to a network: IPv4 /24, IPv6 /32). Alerts (mautic-kit-alert security ...), each event once:
#   new-admin       a user with an administrator role that was not one before
#   admin-network   an administrator logged in from a network not seen for that user in the
#                   last {{staffLogDays}} day(s)
#   api-client      the API answered (status < 400) a network not seen for API use in that
#                   time, or an API (OAuth2) client was created
#   contact-export  contacts were exported (also a scheduled export)
#   failed-logins   {{failedLoginLimit}} or more failed logins (admin UI and API) in one run
# Staff access log ({{staffLog}}): one line per staff login, API network, export and
# admin change, with the masked network; lines older than {{staffLogDays}} day(s) are deleted
# on every run, and so are remembered networks not seen since.
# The first run only records what exists (no alerts). Exit: 0 ok; 1 failed (journal); 2 config.
set -uo pipefail
umask 077
export LC_ALL=C
DB_CONTAINER='{{dbContainer}}'
DATABASE='{{database}}'
EDGE_LOG='{{edgeLog}}'
STAFF_LOG='{{staffLog}}'
STAFF_LOG_DAYS={{staffLogDays}}
FAILED_LOGIN_LIMIT={{failedLoginLimit}}
STATE_DIR=/var/lib/mautic-kit/security
ALERT_BIN=/usr/local/sbin/mautic-kit-alert
DOCKER=docker
DB_CLIENT_OPTS=()
# Overrides (tests, or an operator's local tweaks): shell syntax, root-owned, not writable by others.
CONF_FILE="${MAUTIC_KIT_SECURITY_CONF:-/etc/mautic-kit/security.conf}"
if [[ -e $CONF_FILE ]]; then
  if [[ $(stat -L -c %u -- "$CONF_FILE") != "$(id -u)" ]] || (( (8#$(stat -L -c %a -- "$CONF_FILE") & 8#022) != 0 )); then
    echo "mautic-kit-security: $CONF_FILE must be owned by $(id -un) and not group/world-writable" >&2
    exit 2
  fi
  # shellcheck source=/dev/null
  . "$CONF_FILE"
fi

run_sql() {
  if [[ -n $DB_CONTAINER ]]; then
    # shellcheck disable=SC2016 # expanded inside the container
    "$DOCKER" exec -i "$DB_CONTAINER" sh -c 'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec mariadb --user=root --batch --skip-column-names "$0"' "$DATABASE"
  else
    mariadb "${DB_CLIENT_OPTS[@]}" --batch --skip-column-names "$DATABASE"
  fi
}

now=$(date +%s)
keep_from=$(( now - STAFF_LOG_DAYS * 86400 ))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

tables=$(run_sql <<<"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('audit_log', 'users', 'roles');") || { echo "mautic-kit-security: the database cannot be read" >&2; exit 1; }
if [[ $tables != 3 ]]; then echo "mautic-kit-security: Mautic is not installed yet, nothing to check"; exit 0; fi

mkdir -p "$STATE_DIR" "$(dirname "$STAFF_LOG")" && chmod 0700 "$STATE_DIR" || exit 1
first_run=0
[[ -s $STATE_DIR/cursor ]] || first_run=1
audit_from=0 edge_from=$now failed_active=0
if [[ $first_run == 1 ]]; then
  audit_from=$(run_sql <<<"SELECT COALESCE(MAX(id), 0) FROM audit_log;") || exit 1
else
  # shellcheck source=/dev/null
  . "$STATE_DIR/cursor"
fi
touch "$STATE_DIR/admins" "$STATE_DIR/networks" "$STATE_DIR/api-networks" "$STAFF_LOG"

# Administrators now: "id<TAB>username".
admins=$(run_sql <<<"SELECT u.id, u.username FROM users u JOIN roles r ON r.id = u.role_id WHERE r.is_admin = 1 ORDER BY u.id;") || exit 1
# Audit entries since the last run: id, epoch (UTC), bundle, object, object id, action, user id, user name.
audit=$(run_sql <<<"SET time_zone = '+00:00';
SELECT id, UNIX_TIMESTAMP(date_added), bundle, object, object_id, action, user_id, REPLACE(REPLACE(user_name, '\t', ' '), '\n', ' ') FROM audit_log
WHERE id > $audit_from AND ((bundle = 'user' AND object = 'security' AND action = 'login') OR (bundle = 'api' AND object = 'client' AND action = 'create')
  OR (bundle = 'lead' AND object IN ('ContactExport', 'ContactExports', 'ContactExportScheduler') AND action = 'create')) ORDER BY id;
SELECT COALESCE(MAX(id), 0) FROM audit_log;") || exit 1
audit_to=$(tail -n 1 <<<"$audit")
audit=$(sed '$d' <<<"$audit")

# The edge's requests since the last run that matter here: "epoch<TAB>kind<TAB>status<TAB>network",
# kind login (POST to the login form) or api. The rotated file covers a rotation in between.
# grep first: a busy day's log has many lines, few of them for the login form or the API.
edge=$(for f in "$EDGE_LOG.1" "$EDGE_LOG"; do [[ -r $f ]] && cat -- "$f"; done | { grep -i -e login_check -e /api/ || true; } | python3 -c '
import json, re, sys
since = float(sys.argv[1])
api = re.compile(r"^(?:/+index\.php)?/+api/", re.I)
login = re.compile(r"^(?:/+index\.php)?/+s/+login_check/*$", re.I)
for line in sys.stdin:
    try:
        e = json.loads(line)
        r = e["request"]
        ts = float(e["ts"])
    except Exception:
        continue
    if ts <= since:
        continue
    uri, net = r.get("uri", ""), r.get("client_ip") or r.get("remote_ip") or "-"
    kind = "login" if r.get("method") == "POST" and login.match(uri) else "api" if api.match(uri) else None
    if kind:
        print("%r\t%s\t%s\t%s" % (ts, kind, e.get("status", 0), net))
' "$edge_from") || { echo "mautic-kit-security: could not read $EDGE_LOG" >&2; exit 1; }
edge_to=$(awk -F'\t' -v t="$edge_from" '$1 > t { t = $1 } END { print t }' <<<"$edge")

declare -a alerts=()
alert() { alerts+=("$1"$'\t'"$2"); }
staff() { printf '%s\t%s\t%s\t%s\t%s\n' "$(iso "$1")" "$2" "$3" "$4" "$5" >>"$STAFF_LOG"; }

# 1. New administrators (the first run only records them).
while IFS=$'\t' read -r id name; do
  [[ -n $id ]] || continue
  if ! grep -q "^$id"$'\t' "$STATE_DIR/admins"; then
    staff "$now" admin-added "$name" - "user id $id has an administrator role"
    [[ $first_run == 1 ]] || alert new-admin "user '$name' (id $id) now has an administrator role"
  fi
done <<<"$admins"
printf '%s\n' "$admins" | sed '/^$/d' >"$STATE_DIR/admins"

# 2. Logins: the network is the edge's masked address of the login form POST nearest in time.
logins=0
declare -A seen_net=() matched=()
while IFS=$'\t' read -r uid net last; do [[ -n $net ]] && (( last >= keep_from )) && seen_net["$uid"$'\t'"$net"]=$last; done <"$STATE_DIR/networks"
while IFS=$'\t' read -r id at bundle object object_id _ _ user; do
  [[ -n $id ]] || continue
  at=${at%.*}
  case $bundle/$object in
    user/security)
      logins=$(( logins + 1 ))
      read -r post net < <(awk -F'\t' -v t="$at" -v taken=" ${!matched[*]} " '$2 == "login" && index(taken, " " $1 " ") == 0 { d = $1 - t; if (d < 0) d = -d; if (d <= 10 && (best == "" || d < bd)) { best = $4; bt = $1; bd = d } } END { print (best == "" ? "- unknown" : bt " " best) }' <<<"$edge")
      [[ $post == - ]] || matched[$post]=1
      staff "$at" login "$user" "$net" "user id $object_id"
      key="$object_id"$'\t'"$net"
      if [[ $net != unknown && -z ${seen_net[$key]:-} ]] && grep -q "^$object_id"$'\t' <<<"$admins"; then
        alert admin-network "administrator '$user' (id $object_id) logged in from the network $net at $(iso "$at"), not seen for this user in the last $STAFF_LOG_DAYS day(s)"
      fi
      [[ $net == unknown ]] || seen_net[$key]=$at ;;
    api/client)
      staff "$at" api-client-created "$user" - "API client id $object_id"
      alert api-client "user '$user' created the API client id $object_id at $(iso "$at")" ;;
    lead/*)
      staff "$at" contact-export "$user" - "$object id $object_id"
      alert contact-export "user '$user' exported contacts ($object) at $(iso "$at")" ;;
  esac
done <<<"$audit"
for key in "${!seen_net[@]}"; do printf '%s\t%s\n' "$key" "${seen_net[$key]}"; done | sort >"$STATE_DIR/networks"

# 3. API use from a new network; failed logins (login form POSTs that Mautic did not log as a
#    login, and API requests it refused with 401).
declare -A api_net=()
while IFS=$'\t' read -r net last; do [[ -n $net ]] && (( last >= keep_from )) && api_net[$net]=$last; done <"$STATE_DIR/api-networks"
posts=0 refused=0 # login form POSTs Mautic did not log as a login; API 401s
declare -A failed_nets=()
while IFS=$'\t' read -r ts kind status net; do
  [[ -n $ts ]] || continue
  at=${ts%.*}
  if [[ $kind == login ]]; then [[ -n ${matched[$ts]:-} ]] || { posts=$(( posts + 1 )); failed_nets[$net]=1; }; continue; fi
  if [[ $status == 401 ]]; then refused=$(( refused + 1 )); failed_nets[$net]=1; continue; fi
  (( status < 400 )) || continue
  if [[ -z ${api_net[$net]:-} ]]; then
    staff "$at" api "-" "$net" "first API request from this network"
    alert api-client "the API answered a request from the network $net at $(iso "$at"), not seen for API use in the last $STAFF_LOG_DAYS day(s)"
  fi
  api_net[$net]=$at
done <<<"$edge"
for net in "${!api_net[@]}"; do printf '%s\t%s\n' "$net" "${api_net[$net]}"; done | sort >"$STATE_DIR/api-networks"
failed=$(( posts + refused ))
if (( failed > 0 )); then staff "$now" failed-logins - "$(printf '%s\n' "${!failed_nets[@]}" | sort | paste -sd, -)" "$failed failed login(s) since $(iso "${edge_from%.*}")"; fi
if (( failed >= FAILED_LOGIN_LIMIT )); then
  # Once per attack: not again while the next runs still see too many.
  if (( ! failed_active )); then alert failed-logins "$failed failed logins since $(iso "${edge_from%.*}") (admin UI: $posts, API: $refused) from $(printf '%s\n' "${!failed_nets[@]}" | sort | paste -sd' ' -)"; fi
  failed_active=1
else
  failed_active=0
fi

# Staff access log and state: older than the stated period goes.
awk -F'\t' -v from="$(iso "$keep_from")" '$1 >= from' "$STAFF_LOG" >"$STAFF_LOG.new" && mv -f "$STAFF_LOG.new" "$STAFF_LOG"
printf 'audit_from=%s\nedge_from=%s\nfailed_active=%s\n' "$audit_to" "$edge_to" "$failed_active" >"$STATE_DIR/cursor.new" && mv -f "$STATE_DIR/cursor.new" "$STATE_DIR/cursor"

if [[ $first_run == 1 ]]; then echo "mautic-kit-security: first run, $(sed '/^$/d' <<<"$admins" | wc -l) administrator(s) recorded"; exit 0; fi
rc=0
for a in "${alerts[@]}"; do
  "$ALERT_BIN" security "security:${a%%$'\t'*}" "${a#*$'\t'}" || rc=1
  echo "mautic-kit-security: ${a%%$'\t'*}: ${a#*$'\t'}"
done
echo "mautic-kit-security: ${#alerts[@]} alert(s); logins $logins, failed logins $failed"
exit "$rc"
