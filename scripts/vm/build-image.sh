#!/usr/bin/env bash
# Builds the Debian 12 disk image the VM test layer boots (tests/vm/vm.firstboot.test.ts), from
# Debian's own packages with debootstrap; no cloud image is downloaded. The image is what a fresh
# Hetzner Debian 12 server has before cloud-init runs (kernel, systemd, cloud-init, sshd), plus
# the .debs the kit's user data installs, pre-placed in apt's cache together with the package
# lists they were resolved from: cloud-init's own `apt-get install` then installs them offline
# (the VM has no outbound network).
#
#   build-image.sh CACHE_ROOT PACKAGE...
#
# The image lands in CACHE_ROOT/<key>/ where <key> hashes this script and the package list; an
# existing complete image is reused. Prints the image directory on stdout. Needs root.
set -euo pipefail

cache_root=$1
shift
[ "$#" -gt 0 ] || { echo "build-image: no packages given" >&2; exit 2; }
for tool in debootstrap mkfs.ext4 qemu-img chroot flock; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "build-image: $tool is missing (bash scripts/install-tools.sh installs it)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build-image: must run as root (debootstrap, chroot)" >&2; exit 1; }

suite=bookworm
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
key=$( { cat "$0"; printf '%s\n' "${pkgs[@]}"; } | sha256sum | cut -c1-16)
out="$cache_root/$key"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ -f "$out/complete" ]; then
  echo "$out"
  exit 0
fi

work=$(mktemp -d "$cache_root/.build.XXXXXX")
root="$work/root"
cleanup() {
  for m in dev/pts dev proc sys; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
# What Hetzner's Debian 12 image brings: kernel, systemd, cloud-init (with growpart), sshd,
# ifupdown networking, locales/tzdata for cloud-init's locale and timezone modules. debootstrap
# lays down the minimal base; apt (which resolves virtual packages) installs the rest.
base=(systemd-sysv udev dbus linux-image-amd64 cloud-init cloud-guest-utils openssh-server ifupdown
  isc-dhcp-client locales tzdata iproute2 netbase procps kmod sudo python3-apt)
echo "build-image: debootstrap $suite" >&2
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# The same sources cloud-init's Debian template writes, so the lists stay valid after it runs.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
echo "build-image: upgrade to $suite-security/-updates and download ${pkgs[*]}" >&2
in_root apt-get update -q >"$work/apt.log" 2>&1
in_root apt-get -y -q dist-upgrade >>"$work/apt.log" 2>&1
in_root apt-get -y -q --no-install-recommends install "${base[@]}" >>"$work/apt.log" 2>&1 || {
  tail -n 30 "$work/apt.log" >&2; exit 1; }
# Only downloaded: installing them is cloud-init's job on first boot.
in_root apt-get -y -q --download-only install "${pkgs[@]}" >>"$work/apt.log" 2>&1 || {
  tail -n 30 "$work/apt.log" >&2; exit 1; }
# Hetzner's image is a fuller Debian than debootstrap's minimal base (perl, python3, glib, git,
# the usual libraries). Pre-install the dependencies of the kit's packages, as such an image
# has them, so the emulated first boot spends its minutes on what the kit itself installs; the
# named packages, Docker's parts and services stay for cloud-init to install.
mapfile -t deps < <(in_root apt-get -s install "${pkgs[@]}" | awk '/^Inst / { print $2 }' |
  grep -vxF -f <(printf '%s\n' "${pkgs[@]}" containerd runc tini apparmor criu cgroupfs-mount git git-man) || true)
if [ "${#deps[@]}" -gt 0 ]; then
  in_root apt-get -y -q --no-install-recommends install "${deps[@]}" >>"$work/apt.log" 2>&1 || {
    tail -n 30 "$work/apt.log" >&2; exit 1; }
  in_root apt-mark auto "${deps[@]}" >/dev/null
fi
in_root dpkg-query -W -f '${Package} ${Version}\n' >"$work/installed.txt"
ls "$root/var/cache/apt/archives" | grep '\.deb$' >"$work/downloaded.txt"
rm -f "$root/usr/sbin/policy-rc.d"
for m in dev/pts dev proc sys; do umount -l "$root/$m"; done

# First-boot state: no host keys (cloud-init installs the kit's pinned key), no machine id, no
# cloud-init state, DHCP resolver, NoCloud as the only datasource (the seed disk).
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root/var/lib/cloud"
rm -f "$root/etc/resolv.conf"
echo "localhost" >"$root/etc/hostname"
printf 'LABEL=root / ext4 defaults,errors=remount-ro 0 1\n' >"$root/etc/fstab"
printf 'datasource_list: [ NoCloud, None ]\n' >"$root/etc/cloud/cloud.cfg.d/90-mautic-kit-vm-test.cfg"
printf 'auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n' >"$root/etc/network/interfaces"
# Speed under software emulation only (no effect on what the kit configures): no man-db index
# rebuild after each install, no documentation unpacked.
rm -f "$root/var/lib/man-db/auto-update"
# qemu boots the kernel and initrd copied out below: regenerating the guest's initrd (a trigger
# of some packages) would only cost minutes.
sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$root/etc/initramfs-tools/update-initramfs.conf"
printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' \
  >"$root/etc/dpkg/dpkg.cfg.d/90-mautic-kit-vm-test"

cp "$(readlink -f "$root/vmlinuz")" "$work/vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$work/initrd.img"
echo "build-image: creating the ext4 image" >&2
truncate -s 8G "$work/root.raw"
mkfs.ext4 -q -L root -d "$root" "$work/root.raw"
qemu-img convert -O qcow2 "$work/root.raw" "$work/disk.qcow2"
rm -f "$work/root.raw"
rm -rf "$root"
printf '%s\n' "${pkgs[@]}" >"$work/packages.txt"
echo "$(( $(date +%s) - start ))" >"$work/build-seconds"
touch "$work/complete"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT
echo "build-image: done in $(cat "$out/build-seconds") s" >&2
echo "$out"
