#!/bin/sh
# mautic-kit-alert: tells the operator that something on this server broke (or recovered).
# Rendered by the mautic-gdpr-kit (components/host/alerts.ts).
#   mautic-kit-alert fail CHECK [MESSAGE]   e-mail adminEmail and ping alertUrl + /fail
#   mautic-kit-alert ok [MESSAGE]           ping alertUrl (the dead man's switch: "all is well")
#   mautic-kit-alert recovered CHECK [MESSAGE]  e-mail that a failure has cleared, ping alertUrl
#   mautic-kit-alert ping-fail CHECK [MESSAGE]  only ping alertUrl + /fail (a check that still fails)
#   mautic-kit-alert security CHECK MESSAGE     a security event (mautic-kit-security): e-mail, ping + /fail
# Secrets (the SMTP password, the ping URL) are only in root-only files, never on a command
# line: curl reads the SMTP settings with -K from MAIL_CONF.
set -u
CONF_DIR="${MAUTIC_KIT_ALERT_DIR:-/etc/mautic-kit/alerts}"
MAIL_CONF="$CONF_DIR/smtp.curl"
URL_FILE="$CONF_DIR/ping-url"
RCPT='{{adminEmail}}'
SITE='{{domain}}'
JOURNAL_LINES=30

kind=${1:-}
check=${2:-}
case $kind in
  fail | recovered | ping-fail | security) [ -n "$check" ] || { echo "usage: $0 fail|recovered|ping-fail|security CHECK [MESSAGE]" >&2; exit 64; }; shift 2 ;;
  ok) shift 1; check=health ;;
  *) echo "usage: $0 fail|recovered|ping-fail|security CHECK [MESSAGE] | ok [MESSAGE]" >&2; exit 64 ;;
esac
message=${*:-}
host=$(hostname -f 2>/dev/null || hostname)
rc=0

# A failed systemd unit (OnFailure=mautic-kit-alert@%n): its last journal lines explain why.
unit_log() {
  case $check in
    *.service | *.timer)
      if command -v journalctl >/dev/null 2>&1; then
        journalctl -q -o short-iso -n "$JOURNAL_LINES" -u "$check" 2>/dev/null || true
      fi ;;
  esac
}

send_mail() {
  [ -r "$MAIL_CONF" ] || return 0
  tmp=$(mktemp) || return 1
  subject="[$SITE] $kind: $check"
  {
    printf 'From: %s\r\n' "$(sed -n 's/^mail-from = "\(.*\)"$/\1/p' "$MAIL_CONF")"
    printf 'To: %s\r\n' "$RCPT"
    printf 'Subject: %s\r\n' "$subject"
    printf 'Date: %s\r\n' "$(LC_ALL=C date -R)"
    printf 'Message-ID: <%s.%s@%s>\r\n' "$(date +%s)" "$$" "$host"
    printf 'Auto-Submitted: auto-generated\r\n'
    printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
    printf 'Server %s (Mautic at https://%s) reports: %s %s\n' "$host" "$SITE" "$kind" "$check"
    [ -z "$message" ] || printf '\n%s\n' "$message"
    log=$(unit_log)
    [ -z "$log" ] || printf '\nLast %s journal lines of %s:\n%s\n' "$JOURNAL_LINES" "$check" "$log"
    printf '\n-- \nmautic-kit-alert on %s; checks: systemctl list-timers mautic-kit-health.timer\n' "$host"
  } >"$tmp"
  if ! curl -sS --max-time 60 --retry 3 -K "$MAIL_CONF" --mail-rcpt "$RCPT" -T "$tmp"; then
    echo "mautic-kit-alert: could not send the e-mail to $RCPT" >&2
    rc=1
  fi
  rm -f "$tmp"
}

ping_url() {
  [ -r "$URL_FILE" ] || return 0
  url=$(head -n 1 "$URL_FILE")
  [ -n "$url" ] || return 0
  case $kind in
    fail | ping-fail | security) url="$url/fail" ;;
  esac
  # The URL is read into curl's config from stdin: it never shows in the process list.
  if ! printf 'url = "%s"\n' "$url" | curl -fsS --max-time 15 --retry 3 -o /dev/null --data-binary "$check: ${message:-$kind}" -K -; then
    echo "mautic-kit-alert: could not ping the alert URL" >&2
    rc=1
  fi
}

case $kind in fail | recovered | security) send_mail ;; esac
ping_url
exit "$rc"
