#!/usr/bin/env bash
# mautic-kit: mount the Hetzner volume that holds the database, media and backups.
# The volume is attached right after the server is created, so the device may appear a little
# after first boot: wait for it, then mount it by UUID with nofail so a missing volume never
# blocks boot (Docker itself waits for the mount: RequiresMountsFor in its drop-in).
set -euo pipefail

device="{{volumeDevice}}"
mountpoint="{{dataMountPoint}}"
log=/var/log/mautic-kit/volume.log
mkdir -p /var/log/mautic-kit
exec >>"$log" 2>&1
echo "$(date -Is) mount-volume: waiting for $device"

for _ in $(seq 1 120); do
  [ -b "$device" ] && break
  sleep 5
done
if [ ! -b "$device" ]; then
  echo "$(date -Is) mount-volume: $device did not appear within 10 minutes" >&2
  exit 1
fi

# Hetzner formats the volume (format=ext4) at creation; format only a blank device.
if ! blkid "$device" >/dev/null 2>&1; then
  echo "$(date -Is) mount-volume: $device has no filesystem, creating ext4"
  mkfs.ext4 -q -L mautic-data "$device"
fi

uuid=$(blkid -s UUID -o value "$device")
mkdir -p "$mountpoint"
if ! grep -q "UUID=$uuid" /etc/fstab; then
  echo "UUID=$uuid $mountpoint ext4 defaults,nofail,discard,x-systemd.device-timeout=60s 0 2" >>/etc/fstab
fi
systemctl daemon-reload
mountpoint -q "$mountpoint" || mount "$mountpoint"

# Layout and owners: mysql (uid 999 in the mariadb image), www-data (uid 33 in the Mautic
# image), the edge (root), backups (root only).
install -d -m 0750 -o 999 -g 999 "$mountpoint/mysql"
for d in mautic/config mautic/logs mautic/media/files mautic/media/images mautic/tmp mautic/import; do
  install -d -m 0750 -o 33 -g 33 "$mountpoint/$d"
done
install -d -m 0755 -o 33 -g 33 "$mountpoint/mautic/cron"
install -d -m 0700 "$mountpoint/caddy/data" "$mountpoint/caddy/config"
install -d -m 0750 "$mountpoint/logs/caddy"
install -d -m 0700 "$mountpoint/backups"
echo "$(date -Is) mount-volume: $device mounted on $mountpoint"
