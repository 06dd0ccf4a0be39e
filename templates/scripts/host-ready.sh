#!/usr/bin/env bash
# mautic-kit: last step of first boot. Applies the hardening that needs running services and
# leaves a marker the deploy checks. Safe to run again.
set -euo pipefail

sysctl --system >/dev/null
systemctl restart systemd-journald
# sshd re-reads its drop-ins; Ubuntu 24.04 starts ssh through ssh.socket, Debian as ssh.service.
sshd -t
systemctl try-reload-or-restart ssh.service
systemctl enable --now fail2ban
systemctl restart fail2ban
systemctl enable --now unattended-upgrades
systemctl enable --now chrony 2>/dev/null || systemctl enable --now chronyd
fail2ban-client status sshd >/dev/null
install -d -m 0755 /var/lib/mautic-kit
date -Is >/var/lib/mautic-kit/host-ready
