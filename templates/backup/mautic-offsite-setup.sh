#!/usr/bin/env bash
# mautic-offsite-setup: puts the off-site Storage Box's access in place on this server.
# Rendered by the mautic-gdpr-kit (components/host/offsite.ts): change the kit, not this copy.
# The deploy runs it with the secrets on stdin (never on the command line):
#   mautic-offsite-setup --host H --user U [--port 23] [--host-key 'ssh-ed25519 AAAA...'] [--install-key]
#   stdin: "private_key<TAB>base64", "restic_password<TAB>base64" and, with --install-key,
#          "box_password<TAB>base64" lines.
# Writes, root-only: OFFSITE_DIR/id_ed25519 (the site's own key), OFFSITE_DIR/config (ssh client
# config: port, user, key, StrictHostKeyChecking yes against OFFSITE_DIR/known_hosts), the
# known_hosts line, and OFFSITE_ENV_FILE (RESTIC_PASSWORD=...).
# The host key: --host-key pins the given key. Without it, a key pinned earlier stays (never
# re-scanned: a changed key makes every copy fail until a person checks it); the first run scans
# the box once (ssh-keyscan, inside Hetzner's network) and pins what it got. Either way the
# pinned key's SHA256 fingerprint is printed ("host-key-fingerprint: ...") for the stack output.
# --install-key (a subaccount: the API takes no SSH keys for those) uploads the public key as the
# subaccount's .ssh/authorized_keys over SFTP with the box password, unless the key already works.
# Exit: 0 ok; 1 failed; 2 usage.
set -euo pipefail
umask 077
export LC_ALL=C

OFFSITE_DIR=${MAUTIC_OFFSITE_DIR:-{{offsiteDir}}}
OFFSITE_ENV_FILE=${MAUTIC_OFFSITE_ENV_FILE:-{{offsiteEnvFile}}}
SSH_HOST_ALIAS={{sshHostAlias}}
KEYSCAN_TRIES=${MAUTIC_OFFSITE_KEYSCAN_TRIES:-12}
KEYSCAN_WAIT=${MAUTIC_OFFSITE_KEYSCAN_WAIT:-10}

PROG=${0##*/}
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }
usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }

HOST='' USER_NAME='' PORT=23 HOST_KEY='' INSTALL_KEY=0
while (( $# > 0 )); do
  case $1 in
    --host) HOST=${2:-}; shift ;;
    --user) USER_NAME=${2:-}; shift ;;
    --port) PORT=${2:-}; shift ;;
    --host-key) HOST_KEY=${2:-}; shift ;;
    --install-key) INSTALL_KEY=1 ;;
    *) usage ;;
  esac
  shift
done
[[ $HOST =~ ^[A-Za-z0-9.-]+$ && $USER_NAME =~ ^[A-Za-z0-9._-]+$ && $PORT =~ ^[0-9]{1,5}$ ]] || usage
if [[ -n $HOST_KEY && ! $HOST_KEY =~ ^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa)\ [A-Za-z0-9+/]+={0,3}$ ]]; then
  die "--host-key is not one OpenSSH host public key (type and base64 key)"
fi

PRIVATE_KEY='' RESTIC_PW='' BOX_PW=''
while IFS=$'\t' read -r name b64; do
  [[ -n $name ]] || continue
  value=$(printf '%s' "$b64" | base64 -d) || die "stdin: $name is not base64"
  case $name in
    private_key) PRIVATE_KEY=$value ;;
    restic_password) RESTIC_PW=$value ;;
    box_password) BOX_PW=$value ;;
    *) die "stdin: unknown item $name" ;;
  esac
done
[[ -n $PRIVATE_KEY && -n $RESTIC_PW ]] || die "stdin must hold private_key and restic_password"
(( ! INSTALL_KEY )) || [[ -n $BOX_PW ]] || die "--install-key needs box_password on stdin"
[[ $RESTIC_PW != *$'\n'* ]] || die "the restic password must be one line"

install -d -m 0700 -- "$OFFSITE_DIR" "$(dirname -- "$OFFSITE_ENV_FILE")"
key="$OFFSITE_DIR/id_ed25519" known="$OFFSITE_DIR/known_hosts" config="$OFFSITE_DIR/config"
printf '%s\n' "$PRIVATE_KEY" >"$key.new" && chmod 0600 "$key.new" && mv -f "$key.new" "$key"
ssh-keygen -y -f "$key" >"$key.pub" || die "the private key is not an OpenSSH key"

# The pinned entry names the host with its port, as ssh looks it up: [host]:port (port 22: host).
if [[ $PORT == 22 ]]; then known_name=$HOST; else known_name="[$HOST]:$PORT"; fi
cat >"$config.new" <<EOF
# mautic-kit off-site Storage Box (written by $PROG; the deploy rewrites it)
Host $SSH_HOST_ALIAS
  HostName $HOST
  Port $PORT
  User $USER_NAME
  IdentityFile $key
  IdentitiesOnly yes
  UserKnownHostsFile $known
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  HashKnownHosts no
  UpdateHostKeys no
  BatchMode yes
  ConnectTimeout 30
  ServerAliveInterval 15
  ServerAliveCountMax 4
EOF
chmod 0600 "$config.new" && mv -f "$config.new" "$config"

if [[ -n $HOST_KEY ]]; then
  printf '%s %s\n' "$known_name" "$HOST_KEY" >"$known.new"
  mv -f "$known.new" "$known"
  log "host key pinned from the configuration (storageBoxHostKey)"
elif [[ -s $known ]] && ssh-keygen -F "$known_name" -f "$known" >/dev/null; then
  log "host key pinned earlier: kept (never re-scanned)"
else
  scanned=''
  for (( i = 1; i <= KEYSCAN_TRIES; i++ )); do
    scanned=$(ssh-keyscan -T 10 -t ed25519 -p "$PORT" "$HOST" 2>/dev/null | grep -v '^#' || true)
    [[ -z $scanned ]] || break
    log "the box does not answer yet (try $i of $KEYSCAN_TRIES)"
    sleep "$KEYSCAN_WAIT"
  done
  [[ -n $scanned ]] || die "no ed25519 host key from $HOST port $PORT: cannot pin it"
  printf '%s\n' "$scanned" >"$known.new"
  mv -f "$known.new" "$known"
  log "host key pinned on first use: compare the fingerprint below with the ones Hetzner publishes, then set storageBoxHostKey"
fi
chmod 0600 "$known"

printf 'RESTIC_PASSWORD=%s\n' "$RESTIC_PW" >"$OFFSITE_ENV_FILE.new"
chmod 0600 "$OFFSITE_ENV_FILE.new" && mv -f "$OFFSITE_ENV_FILE.new" "$OFFSITE_ENV_FILE"

key_works() { sftp -F "$config" -b - "$SSH_HOST_ALIAS" <<<'pwd' >/dev/null 2>&1; }

if (( INSTALL_KEY )) && ! key_works; then
  # ssh reads the password from this helper (SSH_ASKPASS_REQUIRE=force), never from a command
  # line or a terminal; the helper and the password file exist only while sftp runs.
  tmp=$(mktemp -d)
  trap 'rm -rf -- "$tmp"' EXIT
  printf '%s' "$BOX_PW" >"$tmp/pw"
  printf '#!/bin/sh\nexec cat %q\n' "$tmp/pw" >"$tmp/askpass"
  chmod 0700 "$tmp/askpass"
  printf -- '-mkdir .ssh\nput %s .ssh/authorized_keys\nchmod 600 .ssh/authorized_keys\n' "$key.pub" >"$tmp/batch"
  SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    sftp -F "$config" -o BatchMode=no -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
    -o NumberOfPasswordPrompts=1 "$SSH_HOST_ALIAS" <"$tmp/batch" >/dev/null 2>"$tmp/err" \
    || die "installing the key with the box password failed: $(tail -n 3 "$tmp/err")"
  key_works || die "the key was uploaded but the box still refuses it"
  log "installed this server's key as the subaccount's .ssh/authorized_keys"
fi

printf 'host-key-fingerprint: %s\n' "$(ssh-keygen -l -E sha256 -f "$known" | awk 'NR == 1 { print $2 }')"
