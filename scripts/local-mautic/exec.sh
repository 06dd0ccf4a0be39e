#!/usr/bin/env bash
# usage: exec.sh NAME [--role web|cron|worker] [--user USER] CMD...
# Runs CMD in one of the instance's Mautic containers (default: web, as www-data), with the
# paths of the official image (/var/www/html, ...) and the role's environment as the kit sets it.
# e.g. exec.sh a php /var/www/html/bin/console mautic:campaigns:trigger
source "$(dirname "$0")/lib.sh"
load_instance "${1:?usage: exec.sh NAME [--role web|cron|worker] [--user USER] CMD...}"; shift
role=web user=www-data
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || die "no command given"
IN_CONTAINER_EXEC=1 in_container "$role" "$user" "$@"
