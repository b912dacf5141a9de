#!/usr/bin/env bash
# Builds the base the image test imports as debian:12 and debian:12-slim (the
# Dockerfile's FROM lines; no registry is needed): a Debian 12 root
# filesystem from debootstrap --variant=minbase, with apt pointed at the
# mirrors the host uses, packed as a tarball for podman import.
#
#   build-base.sh OUT_DIR
#
# Writes OUT_DIR/{rootfs.tar,packages.txt}. Run as root. Called by run.sh,
# which caches OUT_DIR by a hash of this script and
# tests/support/apt-uris.sh; the mirrors can be set with
# EXECMOND_IMAGETEST_MIRROR / _SECURITY_MIRROR.
set -euo pipefail

out="${1:?usage: build-base.sh OUT_DIR}"
suite=bookworm
log() { printf '[build-base] %s\n' "$*" >&2; }

# shellcheck source=../support/apt-uris.sh
. "$(dirname "$0")/../support/apt-uris.sh"
mirror="${EXECMOND_IMAGETEST_MIRROR:-$(apt_uris '/debian/?$' || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="${EXECMOND_IMAGETEST_SECURITY_MIRROR:-$(apt_uris '/debian-security/?$' || true)}"
security="${security:-http://deb.debian.org/debian-security}"

mkdir -p "$out"
work="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"

log "debootstrap --variant=minbase $suite from $mirror"
t0=$SECONDS
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  exit 1
}
log "debootstrap done in $((SECONDS - t0)) s"

# What the Debian images carry: the release, its updates and security.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$work/packages.txt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
  "$root"/var/log/apt/* "$root"/tmp/*
tar --numeric-owner --xattrs -C "$root" -cf "$work/rootfs.tar" .
mv -f "$work/rootfs.tar" "$work/packages.txt" "$out/"
log "base ready: $out/rootfs.tar ($(du -m "$out/rootfs.tar" | cut -f1) MB, $(wc -l <"$out/packages.txt") packages)"
