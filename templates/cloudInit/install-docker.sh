#!/usr/bin/env bash
# mautic-kit: install Docker Engine (stack setting dockerSource).
#   docker: Docker's own apt repository (current releases). The signing key is checked against
#           Docker's published fingerprint before apt trusts it.
#   debian: the distribution's docker.io, security-updated by Debian/Ubuntu (and so by
#           unattended-upgrades' default origins).
set -euo pipefail

source="{{dockerSource}}"
# shellcheck disable=SC1091
. /etc/os-release
case "$ID" in
  debian|ubuntu) ;;
  *) echo "install-docker: unsupported distribution $ID" >&2; exit 1 ;;
esac

case "$source" in
  debian)
    # cloud-init refreshed the package lists moments ago (package_update).
    # shellcheck disable=SC2086 # a word list
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q {{debianDockerPackages}}
    ;;
  docker)
    fingerprint="9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
    arch=$(dpkg --print-architecture)
    keyring=/etc/apt/keyrings/docker.asc

    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL --retry 5 --retry-connrefused "https://download.docker.com/linux/$ID/gpg" -o "$keyring.tmp"
    actual=$(gpg --show-keys --with-colons "$keyring.tmp" | awk -F: '$1 == "fpr" { print $10; exit }')
    if [ "$actual" != "$fingerprint" ]; then
      echo "install-docker: unexpected signing key fingerprint '$actual'" >&2
      rm -f "$keyring.tmp"
      exit 1
    fi
    mv "$keyring.tmp" "$keyring"
    chmod 0644 "$keyring"

    cat >/etc/apt/sources.list.d/docker.sources <<SOURCES
Types: deb
URIs: https://download.docker.com/linux/$ID
Suites: $VERSION_CODENAME
Components: stable
Architectures: $arch
Signed-By: $keyring
SOURCES

    apt-get update -q
    # shellcheck disable=SC2086 # a word list
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q {{dockerCePackages}}
    ;;
  *) echo "install-docker: unknown dockerSource '$source' (docker or debian)" >&2; exit 1 ;;
esac
systemctl enable --now docker
docker info --format 'docker {{.ServerVersion}} logging={{.LoggingDriver}} live-restore={{.LiveRestoreEnabled}}'
