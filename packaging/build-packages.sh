#!/usr/bin/env bash
# Builds execmond's deb and rpm with CPack into BUILD_DIR/packages and prints
# their paths. Run as root on Debian 12 (installs dpkg-dev, rpm and file when
# missing); `make package BUILD_DIR=...` calls it.
#
#   packaging/build-packages.sh [BUILD_DIR]     (default: build)
#
# A BUILD_DIR without a CMake cache is configured first (CMAKE_FLAGS from the
# environment are passed on). The packages come from the same install rules as
# `cmake --install` (packaging/packaging.cmake). EXECMOND_PACKAGE_FORMATS
# (default "DEB RPM") picks the formats, e.g. RPM alone on a Fedora host, where
# the rpm's soname requirements then name that host's libraries.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
log() { printf 'build-packages: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# ---- tools ----
# dpkg-shlibdeps (dpkg-dev) computes the deb's Depends; rpmbuild (rpm) writes
# the rpm; CPack's deb generator runs file(1) to find ELF objects.
read -r -a formats <<<"${EXECMOND_PACKAGE_FORMATS:-DEB RPM}"
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v file >/dev/null || need+=(file)
command -v gzip >/dev/null || need+=(gzip)
for format in "${formats[@]}"; do
  case "$format" in
    DEB) command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev) ;;
    RPM) command -v rpmbuild >/dev/null || need+=(rpm) ;;
    *) die "unknown package format $format in EXECMOND_PACKAGE_FORMATS (DEB, RPM)" ;;
  esac
done
if ((${#need[@]})); then
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null ||
    die "missing ${need[*]}: install them (on Debian, as root, this script does)"
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# ---- build ----
mkdir -p "$build"
build="$(cd "$build" && pwd)"
if [ ! -f "$build/CMakeCache.txt" ]; then
  log "configuring $build"
  # shellcheck disable=SC2086 # CMAKE_FLAGS is a list of flags
  cmake -S "$src" -B "$build" ${CMAKE_FLAGS:-}
fi
log "building in $build"
cmake --build "$build" -j "$(nproc)"

# ---- package ----
out="$build/packages"
mkdir -p "$out"
rm -f "$out"/execmond_*.deb "$out"/execmond-*.rpm
for generator in "${formats[@]}"; do
  log "cpack -G $generator"
  if ! (cd "$build" && cpack -G "$generator" >"$out/cpack-$generator.log" 2>&1); then
    cat "$out/cpack-$generator.log" >&2
    die "cpack -G $generator failed (log: $out/cpack-$generator.log)"
  fi
done
rm -rf "$out/_CPack_Packages"

shopt -s nullglob
packages=("$out"/execmond_*.deb "$out"/execmond-*.rpm)
((${#packages[@]} == ${#formats[@]})) || die "expected ${#formats[@]} packages in $out, found: ${packages[*]:-none}"
printf '%s\n' "${packages[@]}"
