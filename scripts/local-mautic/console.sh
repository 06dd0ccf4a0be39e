#!/usr/bin/env bash
# usage: console.sh NAME ARGS...   = php /var/www/html/bin/console ARGS... in the web container as www-data
# (what `docker exec -u www-data mautic_web php /var/www/html/bin/console` is on a kit server).
name="${1:?usage: console.sh NAME ARGS...}"; shift
exec bash "$(dirname "$0")/exec.sh" "$name" php /var/www/html/bin/console "$@"
