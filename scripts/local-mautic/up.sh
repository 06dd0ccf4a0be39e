#!/usr/bin/env bash
# usage: up.sh --tree DIR --name NAME --port PORT [--domain DOMAIN] [--website ORIGIN] [--profile kit|defaults]
#
# Runs an EXISTING Mautic tree (with vendor/ and built assets; this script never downloads or
# builds Mautic) the way the kit runs it on a server, as instance NAME:
#   db      MariaDB (Debian's) on IP:3306, own datadir, the flags and user of the kit's db container
#   web     Debian's Apache + mod_php as the official image sets it up, with the kit's vhost and
#           access-log override, the kit's parameters_local.php, the image's local.php template
#   install the kit's rendered mautic-install.sh, unchanged (its `docker` calls go to docker-shim.sh)
#   worker  Debian's supervisor with the kit's rendered supervisord.conf (email, hit, failed)
#   cron    the kit's crontab, run on demand by cron-once.sh
#   edge    Caddy on 127.0.0.1:PORT (plain HTTP, adds X-Forwarded-Proto: https; Mautic's site_url is
#           https) and on 127.0.0.1:PORT+1 (HTTPS, Caddy's local CA), both -> IP:80
#   mail    an SMTP sink on IP:25 writing one .eml per message into mail/
# IP is 127.1.<PORT/256>.<PORT%256>: each instance has its own loopback address, so the kit's
# ports (80, 3306, 25) stay as they are. Re-running up.sh on a stopped instance starts it again.
# --profile (fixed when the instance is created): kit (default) runs each role in a memory cgroup
# with the kit's container limit (components/host/sizing.ts); defaults renders docker-mautic's
# own worker, crontab and (absent) limits instead (render.ts, defaultsProfile.ts), for `npm run bench`.
# --website (fixed when the instance is created; default https://www.example.org): the stack's
# website. A website on the same site as the domain (https://www.mautic.test for NAME.mautic.test)
# is the kit's recommended set-up, in which the Mautic host's cookies are first-party.
source "$(dirname "$0")/lib.sh"

tree="" name="" port="" domain="" profile="" website=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tree) tree="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --domain) domain="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --website) website="$2"; shift 2 ;;
    *) die "unknown argument $1 (usage: up.sh --tree DIR --name NAME --port PORT [--domain DOMAIN] [--website ORIGIN] [--profile kit|defaults])" ;;
  esac
done
[ -n "$name" ] || die "--name is required"
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || die "--port '$port': use a free TCP port 1024-65535"
[[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "--name '$name': use 1-31 lowercase letters, digits, '-'"
domain="${domain:-$name.mautic.test}"
INST="$LOCAL_MAUTIC_HOME/$name"
ip="127.1.$((port / 256)).$((port % 256))"
for tool in mariadbd mariadb-install-db apache2 supervisord caddy unshare setpriv flock ss; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-tools.sh installs it)"
done
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || die "python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)"
php_modules=$(php -m)
for ext in pdo_mysql intl gd zip curl bcmath imap mbstring xml; do
  grep -qix "$ext" <<<"$php_modules" || die "PHP extension $ext is missing (apt-get install php8.2-${ext/pdo_mysql/mysql})"
done

log() { echo "$(date -Is) up[$name]: $*"; }

if [ ! -f "$INST/instance.env" ]; then
  [ -n "$tree" ] || die "--tree is required for a new instance"
  [ -f "$tree/bin/console" ] && [ -d "$tree/vendor" ] && [ -f "$tree/index.php" ] || die "--tree $tree: not a Mautic tree with vendor/ and index.php"
  log "new instance in $INST (IP $ip)"
  mkdir -p "$INST"/{html,secrets,etc,run/apache2,log/apache2,log/mautic-kit,mail,mysql,tmp-web,tmp-cron,tmp-worker}
  chmod 700 "$INST/secrets"
  chmod 1777 "$INST"/tmp-*
  # The tree: vendor/ and node_modules/ are only read, so hard links; the rest is copied.
  shopt -s dotglob
  for entry in "$tree"/*; do
    [ -e "$entry" ] || continue
    case "$(basename "$entry")" in
      vendor|node_modules) cp -al "$entry" "$INST/html/" ;;
      .git) ;;
      *) cp -a "$entry" "$INST/html/" ;;
    esac
  done
  shopt -u dotglob
  # The image serves /var/www/html/docroot (recommended-project layout); a 5.x tree has its
  # front controller at the root, so docroot is the root itself.
  [ -e "$INST/html/docroot" ] || ln -s . "$INST/html/docroot"
  mkdir -p "$INST/html/config" "$INST/html/var/logs" "$INST/html/var/tmp" "$INST/html/media/files" "$INST/html/media/images"
  for s in db-root-password db-password secret-key admin-password; do
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=' | cut -c1-32 > "$INST/secrets/$s")
  done
  case "${profile:-kit}" in kit|defaults) ;; *) die "--profile '$profile': use kit or defaults" ;; esac
  printf 'NAME=%s\nPORT=%s\nIP=%s\nDOMAIN=%s\nTREE=%s\nPROFILE=%s\nWEBSITE=%s\n' "$name" "$port" "$ip" "$domain" "$(cd "$tree" && pwd)" "${profile:-kit}" "${website:-https://www.example.org}" > "$INST/instance.env"
fi
load_instance "$name"
# The DOI endpoint's HMAC key (the stack's doiSecret: RandomPassword, 64 letters and digits).
[ -s "$INST/secrets/doi-secret" ] || (umask 077; head -c 96 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-64 > "$INST/secrets/doi-secret")
[ "$PORT" = "$port" ] || die "instance $name was created with --port $PORT"
PROFILE="${PROFILE:-kit}"
[ -z "$profile" ] || [ "$profile" = "$PROFILE" ] || die "instance $name was created with --profile $PROFILE"
ip="$IP"; domain="$DOMAIN"; WEBSITE="${WEBSITE:-https://www.example.org}"
[ -z "$website" ] || [ "$website" = "$WEBSITE" ] || die "instance $name was created with --website $WEBSITE"

# --- the kit's files -----------------------------------------------------------------------
(cd "$KIT_ROOT" && npx ts-node --transpile-only scripts/local-mautic/render.ts --out "$INST/kit" --domain "$domain" --ip "$ip" --secrets "$INST/secrets" --profile "$PROFILE" --website "$WEBSITE") >/dev/null
# The privacy job's root-only config (the script's own override): MariaDB over the socket as root.
mkdir -p "$INST/dsr"
printf "DB_CONTAINER=''\nDB_CLIENT_OPTS=(--socket=%q --user=root)\nDSR_JOURNAL=%q\n" "$INST/db-run/mysqld.sock" "$INST/dsr/journal" > "$INST/kit/privacy-maintenance.conf"
chmod 600 "$INST/kit/privacy-maintenance.conf"
# Docker writes the container's own host name into its /etc/hosts; the roles here share the
# machine's host name (no UTS namespace), so it is listed the same way: PHP's lookups of the
# local host name are answered here, as in a container, and never reach a DNS server.
printf '127.0.0.1\tlocalhost\n%s\tmautic_db mautic_web mautic_cron mautic_worker %s\n' "$ip" "$(hostname)" > "$INST/etc/hosts"

# --- web role: Debian's Apache set up as php:apache + the Mautic image do it --------------------
if [ ! -d "$INST/etc/apache2" ]; then
  cp -a /etc/apache2 "$INST/etc/apache2"
  a="$INST/etc/apache2"
  # php:<v>-apache: PHP files handled by PHP, index.php first, .htaccess allowed under /var/www/.
  cat > "$a/conf-available/docker-php.conf" <<'CONF'
# local-mautic: what the php:*-apache base image adds (conf-available/docker-php.conf there).
<FilesMatch \.php$>
	SetHandler application/x-httpd-php
</FilesMatch>
DirectoryIndex disabled
DirectoryIndex index.php index.html
<Directory /var/www/>
	Options -Indexes
	AllowOverride All
</Directory>
CONF
  ln -sf ../conf-available/docker-php.conf "$a/conf-enabled/docker-php.conf"
  # The Mautic image (Dockerfile lines 143-147): document root, and mod_rewrite on.
  sed -ri -e 's!/var/www/html!${APACHE_DOCUMENT_ROOT}!g' "$a"/sites-available/*.conf
  sed -ri -e 's!/var/www/!${APACHE_DOCUMENT_ROOT}!g' "$a/apache2.conf" "$a"/conf-available/*.conf
  ln -sf ../mods-available/rewrite.load "$a/mods-enabled/rewrite.load"
fi
# The kit's uploads into the web container (mauticApp.ts: apacheVhostPathInContainer, ...).
cp "$INST/kit/000-default.conf" "$INST/etc/apache2/sites-available/000-default.conf"
cp "$INST/kit/other-vhosts-access-log.conf" "$INST/etc/apache2/conf-available/other-vhosts-access-log.conf"
ln -sf ../sites-available/000-default.conf "$INST/etc/apache2/sites-enabled/000-default.conf"
# The DOI endpoint (mauticApp.ts: doiEndpointFiles() 0644, doiEndpointPaths.config 0640 root:www-data).
mkdir -p "$INST/kit-doi" "$INST/etc/mautic-kit"
for f in "$INST"/kit/doi-endpoint/*; do install -o root -g root -m 0644 "$f" "$INST/kit-doi/"; done
install -o root -g 33 -m 0640 "$INST/kit/doi-config.json" "$INST/etc/mautic-kit/doi-config.json"
printf '# local-mautic: the container listens on :80 of its own address\nListen %s:80\n' "$ip" > "$INST/etc/apache2/ports.conf"
# PHP: Debian's conf.d plus the image's php.ini (common/templates/php.ini: values from PHP_INI_VALUE_*).
for sapi in apache2 cli; do
  d="$INST/etc/php-$sapi-conf.d"
  # Refilled in place: a running Apache has this directory bind-mounted (a new one would leave
  # it with an empty, deleted directory after the reload below: no PDO).
  mkdir -p "$d"; find "$d" -mindepth 1 -delete; cp -a "$PHP_VERSION_DIR/$sapi/conf.d/." "$d/"
  cat > "$d/99-mautic-image.ini" <<'INI'
; local-mautic: the official image's php.ini (docker-mautic common/templates/php.ini)
date.timezone="${PHP_INI_VALUE_DATE_TIMEZONE}"
upload_max_filesize="${PHP_INI_VALUE_UPLOAD_MAX_FILESIZE}"
post_max_size="${PHP_INI_VALUE_POST_MAX_FILESIZE}"
memory_limit="${PHP_INI_VALUE_MEMORY_LIMIT}"
max_execution_time="${PHP_INI_VALUE_MAX_EXECUTION_TIME}"
log_errors=On
zend.assertions = -1
expose_php = off
INI
done
mkdir -p /var/www/html /var/www/kit-doi /etc/mautic-kit /var/run/apache2 /var/log/apache2 /var/log/mautic-kit

# --- db: MariaDB as the kit's db container runs it ------------------------------------------------
mysock="$INST/db-run/mysqld.sock"
if ! [ -S "$mysock" ] || ! mariadb-admin --socket="$mysock" ping >/dev/null 2>&1; then
  mkdir -p "$INST/db-run"
  chown -R mysql:mysql "$INST/mysql" "$INST/db-run"
  if [ ! -d "$INST/mysql/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$INST/mysql" --auth-root-authentication-method=socket >"$INST/log/mariadb-install.log" 2>&1
  fi
  # Own tmpdir: mariadbd deletes every #sql* file in its tmpdir at start-up, other servers' too.
  install -d -o mysql -g mysql -m 0700 "$INST/db-run/tmp"
  cgroup_prefix "$(role_cgroup db)"
  TZ=Europe/Berlin setsid "${CG_PREFIX[@]}" mariadbd --no-defaults --user=mysql --datadir="$INST/mysql" --bind-address="$ip" --port=3306 \
    --socket="$mysock" --pid-file="$INST/db-run/mysqld.pid" --log-error="$INST/db-run/mariadb.err" --tmpdir="$INST/db-run/tmp" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-name-resolve \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 60); do mariadb-admin --socket="$mysock" ping >/dev/null 2>&1 && break; sleep 0.5; done
  mariadb-admin --socket="$mysock" ping >/dev/null 2>&1 || die "MariaDB did not start: $INST/db-run/mariadb.err"
  log "MariaDB on $ip:3306 (socket $mysock)"
fi
# What the MariaDB image does on its first start with MARIADB_DATABASE / _USER / _PASSWORD.
mariadb --socket="$mysock" <<SQL
CREATE DATABASE IF NOT EXISTS mautic;
CREATE USER IF NOT EXISTS 'mautic'@'%' IDENTIFIED BY '$(cat "$INST/secrets/db-password")';
GRANT ALL ON mautic.* TO 'mautic'@'%';
SQL

# --- mail sink -------------------------------------------------------------------------------
start_bg() { # start_bg PIDFILE LOG CMD...: a daemon in its own session, unless it runs already
  local pidfile="$1" logfile="$2"; shift 2
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo $! > "$pidfile"
}
start_bg "$INST/run/smtp.pid" "$INST/log/smtp.log" /usr/bin/python3 "$HARNESS/smtp-sink.py" "$ip" 25 "$INST/mail"

# --- web: the image's entrypoint steps for mautic_web ----------------------------------------------
# check_volumes_exist_ownership: the volumes belong to www-data; check_local_php_exists: the
# image's local.php template when config/local.php is absent.
chown -R www-data:www-data "$INST/html/config" "$INST/html/var" "$INST/html/media/files" "$INST/html/media/images"
if [ ! -f "$INST/html/config/local.php" ]; then
  install -o www-data -g www-data -m 0644 "$HARNESS/image-local.php" "$INST/html/config/local.php"
fi
params_changed=0
cmp -s "$INST/kit/parameters_local.php" "$INST/html/config/parameters_local.php" || params_changed=1
install -o 33 -g 33 -m 0640 "$INST/kit/parameters_local.php" "$INST/html/config/parameters_local.php"
installed() {
  in_container web www-data php -r 'include "/var/www/html/config/local.php"; exit(!empty($parameters["db_driver"]) && !empty($parameters["site_url"]) ? 0 : 1);'
}
if installed; then
  log "installed: doctrine:migrations:migrate (as the image's web entrypoint does)"
  in_container web www-data php /var/www/html/bin/console doctrine:migrations:migrate -n >>"$INST/log/web-start.log" 2>&1
  # A server replaces the container when the file changes (a fresh var/cache); here the tree's
  # compiled container keeps the old parameters until the cache is cleared.
  if [ "$params_changed" = 1 ]; then
    log "parameters_local.php changed: cache:clear"
    in_container web www-data php /var/www/html/bin/console cache:clear -n >>"$INST/log/web-start.log" 2>&1
  fi
fi
if [ -f "$INST/run/apache2/apache2.pid" ] && kill -0 "$(cat "$INST/run/apache2/apache2.pid")" 2>/dev/null; then
  # Running already: reload, so a changed vhost or endpoint config is in effect.
  in_container web root bash -c 'source /etc/apache2/envvars && exec apache2 -k graceful'
else
  in_container web root bash -c 'source /etc/apache2/envvars && exec apache2 -k start'
  sleep 1
  [ -f "$INST/run/apache2/apache2.pid" ] || die "Apache did not start: $INST/log/apache2/error.log"
  log "Apache on $ip:80"
fi

# --- edge ----------------------------------------------------------------------------------
tls_port=$((port + 1))
cat > "$INST/etc/Caddyfile" <<CADDY
{
	admin off
	skip_install_trust
	storage file_system $INST/caddy-data
}
# Plain HTTP for curl-like clients: they send Host: $domain and get Mautic as behind the real edge.
http://:$port {
	bind 127.0.0.1
	reverse_proxy $ip:80 {
		header_up X-Forwarded-Proto https
		header_up X-Forwarded-Port 443
	}
}
# HTTPS (Caddy's own local CA) for browsers: Mautic's cookies are Secure and its links https.
https://$domain:$tls_port {
	bind 127.0.0.1
	tls internal
	reverse_proxy $ip:80 {
		header_up X-Forwarded-Port 443
	}
}
CADDY
# The edge's config may have changed: always start a fresh one.
if [ -f "$INST/run/caddy.pid" ] && kill -0 "$(cat "$INST/run/caddy.pid")" 2>/dev/null; then
  kill "$(cat "$INST/run/caddy.pid")"; sleep 1
fi
# Caddy binds with SO_REUSEPORT: a second edge on the same port would not fail but share its
# connections (an HTTPS listener answering plain requests with 400). Refuse instead.
for p in "$port" "$tls_port"; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "127.0.0.1:$p is in use (another instance's PORT or PORT+1?): instances need ports at least 2 apart"
done
start_bg "$INST/run/caddy.pid" "$INST/log/caddy.log" caddy run --config "$INST/etc/Caddyfile" --adapter caddyfile
for _ in $(seq 1 40); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.25; done

# bin/docker: the shim the kit's host scripts call instead of Docker (PATH="$INST/bin:$PATH").
mkdir -p "$INST/bin"
printf '#!/bin/sh\nLOCAL_MAUTIC_HARNESS=%q LOCAL_MAUTIC_INSTANCE=%q LOCAL_MAUTIC_HOME=%q exec bash %q "$@"\n' \
  "$HARNESS" "$name" "$LOCAL_MAUTIC_HOME" "$HARNESS/docker-shim.sh" > "$INST/bin/docker"
chmod 755 "$INST/bin/docker"

# --- install: the kit's script, unchanged ----------------------------------------------------
if ! installed; then
  # The kit's script waits up to 10 minutes for health; fail sooner with the reason.
  for _ in $(seq 1 60); do [ "$("$INST/bin/docker" inspect --format '{{.State.Health.Status}}' mautic_web)" = healthy ] && break; sleep 2; done
  [ "$("$INST/bin/docker" inspect --format '{{.State.Health.Status}}' mautic_web)" = healthy ] ||
    { tail -5 "$INST/log/apache2/error.log" >&2; die "the web role is not healthy after 2 minutes (GET / with Host: $domain)"; }
  log "mautic:install through the kit's mautic-install.sh"
  printf '%s\n%s\n' "$(cat "$INST/secrets/db-password")" "$(cat "$INST/secrets/admin-password")" |
    PATH="$INST/bin:$PATH" \
    unshare -m --propagation private bash -c 'mount --bind "$0/log/mautic-kit" /var/log/mautic-kit && exec bash "$0/kit/mautic-install.sh"' "$INST" \
    > "$INST/log/install.out" 2>&1 || { tail -30 "$INST/log/install.out" >&2; die "install failed ($INST/log/install.out)"; }
  installed || die "install finished but config/local.php is incomplete"
fi

# --- worker: supervisord with the kit's config, after the install (the image waits for it) ------
bash "$HARNESS/worker.sh" "$name" start

code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $domain" "http://127.0.0.1:$port/s/login")
log "ready: http://127.0.0.1:$port/ with 'Host: $domain' (GET /s/login -> $code), or https://$domain/ connected to 127.0.0.1:$tls_port (curl -k --connect-to $domain:443:127.0.0.1:$tls_port); admin $(cat "$INST/kit/admin-username") / $INST/secrets/admin-password"
