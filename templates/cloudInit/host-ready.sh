#!/usr/bin/env bash
# mautic-kit: last step of first boot. Applies the hardening that needs running services and
# leaves a marker the deploy checks. Safe to run again.
set -euo pipefail

# The database and media must be on the volume, never on the root disk.
if ! mountpoint -q "{{dataMountPoint}}"; then
  echo "host-ready: {{dataMountPoint}} is not mounted (see /var/log/mautic-kit/volume.log)" >&2
  exit 1
fi

sysctl --system >/dev/null
systemctl restart systemd-journald
# sshd re-reads its drop-ins; Ubuntu 24.04 starts ssh through ssh.socket, Debian as ssh.service.
sshd -t
systemctl try-reload-or-restart ssh.service
systemctl enable --now fail2ban
systemctl restart fail2ban
# fail2ban's unit is Type=simple: wait until the server answers before asking it anything.
for _ in $(seq 1 30); do
  fail2ban-client ping >/dev/null 2>&1 && break
  sleep 1
done
systemctl enable --now unattended-upgrades
systemctl enable --now chrony 2>/dev/null || systemctl enable --now chronyd
fail2ban-client status sshd >/dev/null
# Containers must not read the cloud metadata service: it serves the user data, which holds
# the pinned SSH host key.
systemctl enable --now mautic-kit-block-metadata.service
install -d -m 0755 /var/lib/mautic-kit
date -Is >/var/lib/mautic-kit/host-ready
