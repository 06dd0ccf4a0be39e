#!/usr/bin/env bash
# mautic-kit: install Mautic once, non-interactively. Idempotent: exits 0 at once when
# config/local.php already has db_driver and site_url (what the image itself checks).
# Secrets arrive on stdin (line 1: database user password, used only to mask output; line 2:
# admin password) so they are never on the host's command line or in a file.
set -euo pipefail

web="{{webContainer}}"
site_url="{{siteUrl}}"
log=/var/log/mautic-kit/install.log
mkdir -p /var/log/mautic-kit

IFS= read -r db_password
IFS= read -r admin_password
if [ -z "$db_password" ] || [ -z "$admin_password" ]; then
  echo "mautic-install: expected two secret lines on stdin" >&2
  exit 2
fi

echo "$(date -Is) mautic-install: waiting for $web to be healthy" | tee -a "$log"
for _ in $(seq 1 120); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$web" 2>/dev/null || echo missing)
  [ "$status" = healthy ] && break
  sleep 5
done
if [ "$status" != healthy ]; then
  echo "$(date -Is) mautic-install: $web is '$status' after 10 minutes" | tee -a "$log" >&2
  docker logs --tail 50 "$web" >&2 || true
  exit 1
fi

# Replaces the secrets in output without putting them on a command line (no sed arguments).
mask() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//"$db_password"/[secret]}
    printf '%s\n' "${line//"$admin_password"/[secret]}"
  done
}

installed() {
  docker exec --user www-data "$web" php -r '
    $f = "/var/www/html/config/local.php";
    if (!is_file($f)) exit(1);
    include $f;
    exit(!empty($parameters["db_driver"]) && !empty($parameters["site_url"]) ? 0 : 1);'
}

# Background imports: the UI stores the CSV in var/import and cron's mautic:import reads it from
# the same volume directory; a directory Docker created for the mount belongs to root.
docker exec --user root "$web" install -d -o www-data -g www-data -m 0750 /var/www/html/var/import

if installed; then
  echo "$(date -Is) mautic-install: already installed, nothing to do" | tee -a "$log"
  exit 0
fi

# The database password is on no command line at all: the image's config/local.php reads it
# from the web container's environment (getenv('MAUTIC_DB_PASSWORD')) and mautic:install takes
# every db_* value it is not given from local.php. Check that it is there before installing.
if ! docker exec --user www-data "$web" php -r '
    $parameters = [];
    include "/var/www/html/config/local.php";
    exit(empty($parameters["db_password"]) ? 1 : 0);'; then
  echo "$(date -Is) mautic-install: config/local.php gives no db_password (the image's template reads MAUTIC_DB_PASSWORD)" | tee -a "$log" >&2
  exit 1
fi

echo "$(date -Is) mautic-install: installing Mautic for $site_url" | tee -a "$log"
# The admin password reaches the container through docker's environment (-e NAME without a
# value takes it from this process), never through a host command line. mautic:install takes it
# only as an option, so it is visible to root in the web container's process list while it runs.
export KIT_ADMIN_PASSWORD="$admin_password"
# -f is required: without it a non-interactive run exits 0 without installing.
docker exec --user www-data -e KIT_ADMIN_PASSWORD \
  "$web" bash -c 'exec php /var/www/html/bin/console mautic:install "$0" -f --no-interaction --no-ansi \
    --db_driver=pdo_mysql --db_host="$1" --db_port=3306 --db_name="$2" --db_user="$3" \
    --admin_firstname="$4" --admin_lastname="$5" --admin_username="$6" --admin_email="$7" \
    --admin_password="$KIT_ADMIN_PASSWORD"' \
  "$site_url" "{{dbHost}}" "{{dbName}}" "{{dbUser}}" \
  "{{adminFirstName}}" "{{adminLastName}}" "{{adminUsername}}" "{{adminEmail}}" \
  2>&1 | mask | tee -a "$log"
unset KIT_ADMIN_PASSWORD

if ! installed; then
  echo "$(date -Is) mautic-install: mautic:install finished but local.php is incomplete" | tee -a "$log" >&2
  exit 1
fi
docker exec --user www-data "$web" php /var/www/html/bin/console cache:clear --no-interaction --no-ansi >>"$log" 2>&1
echo "$(date -Is) mautic-install: done" | tee -a "$log"
