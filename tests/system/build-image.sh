#!/usr/bin/env bash
# Builds the Debian 12 guest for the system test: a root filesystem from
# debootstrap, configured to run the test from the host's 9p share at boot and
# power off, packed into an ext4 disk image with mkfs.ext4 -d (no loop
# mounts), plus the kernel and initrd for qemu's direct boot.
#
#   build-image.sh OUT_DIR PACKAGE...
#
# Writes OUT_DIR/{rootfs.img,vmlinuz,initrd.img,kernel-release,packages.txt}.
# Run as root. Called by run.sh, which caches OUT_DIR by a hash of this script,
# tests/support/apt-uris.sh,
# the guest-side files and the package list; everything here is rebuilt from
# Debian's archive when that hash changes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-image.sh OUT_DIR PACKAGE...}"
shift
packages=("$@")

suite=bookworm
log() { printf '[build-image] %s\n' "$*" >&2; }

# shellcheck source=../support/apt-uris.sh
. "$here/../support/apt-uris.sh"
mirror="${EXECMOND_SYSTEMTEST_MIRROR:-$(apt_uris '/debian/?$' || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="${EXECMOND_SYSTEMTEST_SECURITY_MIRROR:-$(apt_uris '/debian-security/?$' || true)}"
security="${security:-http://deb.debian.org/debian-security}"

mkdir -p "$out"
work="$(mktemp -d "$out/.build.XXXXXX")"
root="$work/root"
mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    m="${mounted[i]}"
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

log "debootstrap $suite (minbase) from $mirror"
t0=$SECONDS
debootstrap --variant=minbase --include=systemd-sysv "$suite" "$root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  exit 1
}
log "debootstrap done in $((SECONDS - t0)) s"

for d in proc sys dev dev/pts; do
  mkdir -p "$root/$d"
  case "$d" in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sysfs "$root/sys" ;;
    dev) mount --bind /dev "$root/dev" ;;
    dev/pts) mount --bind /dev/pts "$root/dev/pts" ;;
  esac
  # Nothing propagates back to the host's mounts (systemd makes / shared).
  mount --make-private "$root/$d"
  mounted+=("$root/$d")
done
# No services start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
  >"$root/etc/apt/apt.conf.d/90systemtest"

# A small initrd (only what a virtio disk and the 9p share need) boots
# faster under TCG than the default MODULES=most one.
mkdir -p "$root/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$root/etc/initramfs-tools/conf.d/systemtest.conf"
cat >"$root/etc/initramfs-tools/modules.systemtest" <<'EOF'
virtio_pci
virtio_blk
crc32c_generic
ext4
EOF

in_root() { chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

log "installing: ${packages[*]}"
t0=$SECONDS
{
  in_root apt-get update -q
  in_root apt-get -y -q dist-upgrade
  # initramfs-tools ships /etc/initramfs-tools/modules; list ours after it is there.
  in_root apt-get -y -q install initramfs-tools
  cat "$root/etc/initramfs-tools/modules.systemtest" >>"$root/etc/initramfs-tools/modules"
  rm "$root/etc/initramfs-tools/modules.systemtest"
  in_root apt-get -y -q install "${packages[@]}"
} >"$work/apt.log" 2>&1 || {
  tail -n 60 "$work/apt.log" >&2
  exit 1
}
log "packages installed in $((SECONDS - t0)) s"

# Record what went in, for the log and for debugging a cached image.
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
in_root dpkg-query -W -f '${Package} ${Version}\n' >"$work/packages.txt"

# ---- guest configuration ----
echo systemtest >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 systemtest\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
# Root has no password; nothing logs in. The test runs from a service.
install -m 0755 "$here/guest/execmond-systemtest-boot" "$root/usr/local/sbin/execmond-systemtest-boot"
install -m 0644 "$here/guest/execmond-systemtest.service" "$root/etc/systemd/system/execmond-systemtest.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/mnt/host"
ln -sf /etc/systemd/system/execmond-systemtest.service \
  "$root/etc/systemd/system/multi-user.target.wants/execmond-systemtest.service"
# Nothing periodic or interactive competes with the test for the slow CPUs.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer serial-getty@ttyS0.service getty@tty1.service getty-static.service \
  dpkg-db-backup.timer systemd-timesyncd.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
# A fixed machine id: an empty one would make the boot a "first boot".
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"
rm -f "$root/usr/sbin/policy-rc.d"
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/*_Packages "$root"/var/log/*.log "$root"/tmp/*

kver="$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)"
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
echo "$kver" >"$work/kernel-release"

for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}"; done
mounted=()

# ---- disk image: ext4 filled from the directory, on a sparse file ----
used_mb="$(du -sm -x "$root" | awk '{print $1}')"
size_mb=$((used_mb * 13 / 10 + 1024))
log "making ext4 image: ${used_mb} MB used, ${size_mb} MB image"
truncate -s "${size_mb}M" "$work/rootfs.img"
mkfs.ext4 -q -F -L systemtest -d "$root" "$work/rootfs.img"

mv -f "$work/rootfs.img" "$work/vmlinuz" "$work/initrd.img" "$work/kernel-release" "$work/packages.txt" "$out/"
log "image ready: $out (kernel $kver)"
