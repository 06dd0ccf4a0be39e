#!/usr/bin/env bash
# Installs, from Debian's packages, every tool the tests check rendered files with.
# Idempotent: installs only what is missing. Needs root (CI and the dev machines run as root).
set -euo pipefail

# binary -> Debian package
declare -A tools=(
  [caddy]=caddy
  [cloud-init]=cloud-init
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [ssh]=openssh-client
  [logrotate]=logrotate
  [fail2ban-client]=fail2ban
  [php]=php-cli
  [shellcheck]=shellcheck
  [mariadbd]=mariadb-server
  [mariadb]=mariadb-client
  [mariadb-dump]=mariadb-client
  [chromium]=chromium
  [openssl]=openssl
  [curl]=curl
  [apt-config]=apt
  [restic]=restic
  [mariadb-install-db]=mariadb-server
  [systemd-analyze]=systemd
  [flock]=util-linux
  [sha256sum]=coreutils
  [gzip]=gzip
  [tar]=tar
  [apache2]=apache2
  [supervisord]=supervisor
  # the VM layer (tests/vm/vm.firstboot.test.ts): image build and boot
  [qemu-system-x86_64]=qemu-system-x86
  [qemu-img]=qemu-utils
  [debootstrap]=debootstrap
  [genisoimage]=genisoimage
  [mkfs.ext4]=e2fsprogs
  [ssh-keyscan]=openssh-client
  [chroot]=coreutils
  [aiosmtpd]=python3-aiosmtpd
)

missing=()
for bin in "${!tools[@]}"; do
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
    missing+=("${tools[$bin]}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-tools: all test tools present"
  exit 0
fi

# de-duplicate package names
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-tools: missing packages: ${pkgs[*]}; run this script as root to install them" >&2
  exit 1
fi
echo "install-tools: installing ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps package scripts from starting daemons (sshd, fail2ban, mariadb) on the
# test machine: the tests start what they need themselves, on loopback.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "install-tools: done"
