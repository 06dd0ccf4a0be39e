#!/usr/bin/env bash
# usage: security-scenario.sh NAME EDGE_JSON WORKDIR
# The security alerts' evidence run (docs/evidence/2026-12-07-security-alerts.md) against a
# running instance behind the kit's edge (edge.ts --info EDGE_JSON): renders the kit's
# mautic-kit-security and mautic-kit-alert (security-render.ts), then creates an administrator
# over the API, logs in from new networks, fails logins, exports contacts, and runs the check
# after each step. Alerts go to the instance's SMTP sink (its mail/ is emptied first). Root.
# shellcheck source=scripts/local-mautic/lib.sh
source "$(dirname "$0")/lib.sh"
load_instance "${1:?usage: security-scenario.sh NAME EDGE_JSON WORKDIR}"
EDGE_JSON=${2:?edge info JSON from edge.ts --info}
W=${3:?work directory}
U=intruder$$
rm -rf "$W" && mkdir -p "$W" && chmod 0700 "$W"
(cd "$KIT_ROOT" && npx ts-node --transpile-only scripts/local-mautic/security-render.ts --ip "$IP" --domain "$DOMAIN" --edge-log "$(jq -r .accessLogPath "$EDGE_JSON")" --out "$W")
export PATH="$INST/bin:$PATH" MAUTIC_KIT_SECURITY_CONF="$W/security.conf" MAUTIC_KIT_ALERT_DIR="$W/alertconf"
P=$(jq -r .httpsPort "$EDGE_JSON")
AP=$(cat "$INST/secrets/admin-password")
C=(curl -sk --connect-to "$DOMAIN:443:127.0.0.1:$P" -A Mozilla/5.0)
rm -f "$INST"/mail/*
check() { echo "== $1"; rc=0; bash "$W/mautic-kit-security" || rc=$?; echo "rc=$rc e-mails so far: $(find "$INST/mail" -type f | wc -l)"; }
login() { # login SRC_IP USER PASSWORD [JAR]: the admin UI's login form, as a browser posts it
  local jar tok; jar=${4:-$(mktemp)}
  tok=$("${C[@]}" --interface "$1" -c "$jar" -b "$jar" "https://$DOMAIN/s/login" | sed -n 's/.*name="_csrf_token" value="\([^"]*\)".*/\1/p')
  "${C[@]}" --interface "$1" -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}\n' \
    --data-urlencode "_username=$2" --data-urlencode "_password=$3" --data-urlencode "_csrf_token=$tok" "https://$DOMAIN/s/login_check"
}
check "run 1 (first run: records)"
check "run 2 (quiet)"
echo "== admin logs in from 127.9.9.9"; login 127.9.9.9 admin "$AP"
check "run 3"
echo "== admin logs in again from 127.9.9.9 (known network) and uses the API from there"; login 127.9.9.9 admin "$AP"
"${C[@]}" --interface 127.9.9.9 -u "admin:$AP" "https://$DOMAIN/api/contacts?limit=1" -o /dev/null -w 'API %{http_code}\n'
check "run 4"
check "run 5 (quiet)"
echo "== the API from 127.7.7.7 creates the administrator $U"
"${C[@]}" --interface 127.7.7.7 -u "admin:$AP" -H 'Content-Type: application/json' -o /dev/null -w 'API %{http_code}\n' \
  -d "{\"username\":\"$U\",\"firstName\":\"Test\",\"lastName\":\"$U\",\"email\":\"$U@example.org\",\"plainPassword\":{\"password\":\"Pass-$U-1!\",\"confirm\":\"Pass-$U-1!\"},\"role\":1}" \
  "https://$DOMAIN/api/users/new"
echo "== 12 wrong passwords from 127.6.6.6 and one refused API call"
for i in $(seq 1 12); do login 127.6.6.6 "$U" "wrong$i" >/dev/null; done
"${C[@]}" --interface 127.6.6.6 -u "$U:nope" "https://$DOMAIN/api/contacts" -o /dev/null -w 'API %{http_code}\n'
echo "== $U logs in from 127.8.8.8 and exports contacts (CSV: scheduled; XLSX: direct)"
login 127.8.8.8 "$U" "Pass-$U-1!" "$W/jar"
for t in csv xlsx; do "${C[@]}" --interface 127.8.8.8 -b "$W/jar" "https://$DOMAIN/s/contacts/batchExport?filetype=$t" -o /dev/null -w "export $t %{http_code}\n"; done
check "run 6"
check "run 7 (quiet)"
echo "== alert e-mails in the sink:"
find "$INST/mail" -type f -printf '%T@ %p\n' | sort -n | while read -r _ f; do grep -m1 '^Subject:' "$f"; done
echo "== staff access log:"; cat "$W/staff-access.log"
