#!/usr/bin/env bash
# System test: the execmond deb in a real systemd on Debian 12's own kernel
# (6.1), booted under qemu. Usage (as root; `make systemtest` runs it after
# `make package`):
#
#   tests/system/run.sh BUILD_DIR
#
# 1. Builds, once, a Debian 12 disk image with debootstrap (cached in
#    /var/cache/execmond-systemtest, keyed by a hash of the package list and
#    of the image-building files; see build-image.sh).
# 2. Boots it with BUILD_DIR/packages/execmond_*.deb, guest/guest-test.sh
#    and what it sources (guest/guest-lib.sh, guest/guest-tls.sh,
#    guest/guest-units.sh, guest/guest-cpu.sh, guest/guest-naming.sh,
#    guest/guest-records.sh and tests/support/metric-value.sh)
#    on a 9p share; a oneshot unit in the
#    image runs the script, which installs the deb, drives the service with
#    systemctl and checks the metrics, the journal and the BPF objects,
#    writes its results to the share and powers off.
# 3. Prints every check, a total, and exits 0 only if all passed.
#
# Environment: EXECMOND_SYSTEMTEST_CACHE (cache directory),
# EXECMOND_SYSTEMTEST_TIMEOUT (seconds for boot and test, default 600),
# EXECMOND_SYSTEMTEST_ACCEL (qemu accelerator, default tcg),
# EXECMOND_SYSTEMTEST_DEB (a deb to test instead of BUILD_DIR's),
# EXECMOND_SYSTEMTEST_GUEST_SCRIPT (another script to run in the guest, for
# debugging; it gets the share directory as $1 and writes results.txt there),
# EXECMOND_SYSTEMTEST_MIRROR / _SECURITY_MIRROR (Debian mirrors; default:
# the host's apt sources).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build_dir="${1:?usage: tests/system/run.sh BUILD_DIR}"
mkdir -p "$build_dir"
build_dir="$(cd "$build_dir" && pwd)"
cache_root="${EXECMOND_SYSTEMTEST_CACHE:-/var/cache/execmond-systemtest}"
timeout_s="${EXECMOND_SYSTEMTEST_TIMEOUT:-600}"
accel="${EXECMOND_SYSTEMTEST_ACCEL:-tcg}"
out_dir="$build_dir/systemtest"

# Bump to force a rebuild of the cached image for reasons the hash misses.
image_version=1
# In the image besides debootstrap's minbase: systemd as init, the Debian 12
# kernel, tools the guest script uses, and execmond's run-time libraries so
# the deb installs offline. The deb's own Depends are added below.
base_packages=(
  systemd-sysv udev kmod linux-image-amd64 curl iproute2 bpftool procps
  libbpf1 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libyaml-cpp0.7
  libspdlog1.10 libfmt9 libsystemd0 libcivetweb1 libcap2
)

say() { printf '[systemtest] %s\n' "$*"; }
die() {
  printf '[systemtest] error: %s\n' "$*" >&2
  exit 2
}

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mkfs need it)"

# ---- host tools ----
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v flock >/dev/null || need+=(util-linux)
if ((${#need[@]})); then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# ---- the package under test ----
if [ -n "${EXECMOND_SYSTEMTEST_DEB:-}" ]; then
  deb="$EXECMOND_SYSTEMTEST_DEB"
else
  shopt -s nullglob
  debs=("$build_dir"/packages/execmond_*_amd64.deb)
  shopt -u nullglob
  ((${#debs[@]})) || die "no $build_dir/packages/execmond_*_amd64.deb: run 'make package BUILD_DIR=$build_dir' first"
  deb="$(find "${debs[@]}" -printf '%T@ %p\n' | sort -n | tail -n1 | cut -d' ' -f2-)"
fi
[ -f "$deb" ] || die "no such deb: $deb"
say "package: $deb"

# Runtime dependencies of the deb (first of each alternative, no versions).
deb_deps="$(dpkg-deb -f "$deb" Pre-Depends Depends | sed -E 's/^[A-Za-z-]+: //' | tr ',' '\n' |
  sed -E 's/\|.*//; s/\(.*\)//; s/:[a-z0-9]+//; s/[[:space:]]//g' | grep -v '^$' || true)"
mapfile -t packages < <(printf '%s\n' "${base_packages[@]}" "$deb_deps" | grep -v '^$' | sort -u)

# ---- the image, built once per key ----
key="$({
  echo "image_version=$image_version"
  printf '%s\n' "${packages[@]}"
  cat "$here/build-image.sh" "$here/../support/apt-uris.sh" "$here/guest/execmond-systemtest.service" "$here/guest/execmond-systemtest-boot"
} | sha256sum | cut -c1-16)"
image_dir="$cache_root/image-$key"
mkdir -p "$cache_root"
image_seconds=0
image_note="cached"
exec 9>"$cache_root/.lock"
flock 9
if [ ! -f "$image_dir/rootfs.img" ]; then
  say "building the guest image in $image_dir (packages: ${packages[*]})"
  t0=$SECONDS
  # A build that was killed may have left its chroot's mounts behind.
  awk -v root="$cache_root/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$image_dir" "$image_dir.tmp"
  if ! "$here/build-image.sh" "$image_dir.tmp" "${packages[@]}"; then
    rm -rf --one-file-system "$image_dir.tmp"
    die "image build failed"
  fi
  mv "$image_dir.tmp" "$image_dir"
  image_seconds=$((SECONDS - t0))
  image_note="built in ${image_seconds} s"
  # Older images (other keys) are of no further use.
  find "$cache_root" -mindepth 1 -maxdepth 1 -name 'image-*' ! -name "image-$key" -exec rm -rf --one-file-system {} +
fi
# Held shared until the end: no other run deletes this image while it boots.
flock -s 9
say "image: $image_dir ($image_note; kernel $(cat "$image_dir/kernel-release"))"

# ---- boot and test ----
work="$(mktemp -d /tmp/execmond-systemtest.XXXXXX)"
qemu_pid=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
share="$work/share"
mkdir -p "$share"
cp "$deb" "$share/"
install -m 0755 "${EXECMOND_SYSTEMTEST_GUEST_SCRIPT:-$here/guest/guest-test.sh}" "$share/guest-test.sh"
# guest-test.sh sources these from beside itself.
install -m 0644 "$here/guest/guest-lib.sh" "$share/guest-lib.sh"
install -m 0644 "$here/guest/guest-tls.sh" "$share/guest-tls.sh"
install -m 0644 "$here/guest/guest-units.sh" "$share/guest-units.sh"
install -m 0644 "$here/guest/guest-naming.sh" "$share/guest-naming.sh"
install -m 0644 "$here/guest/guest-cpu.sh" "$share/guest-cpu.sh"
install -m 0644 "$here/guest/guest-records.sh" "$share/guest-records.sh"
install -m 0644 "$here/../support/metric-value.sh" "$share/metric-value.sh"
# A statically linked program that burns CPU and writes memory, for the CPU checks.
[ -x "$build_dir/tests/execmond_spawnee" ] && install -m 0755 "$build_dir/tests/execmond_spawnee" "$share/spawnee"
# A CA and server certificate for the TLS checks (the guest has no openssl).
"$here/../support/make-test-certs.sh" "$share/certs" >/dev/null
# A throwaway overlay: the cached image is never written.
qemu-img create -q -f qcow2 -F raw -b "$image_dir/rootfs.img" "$work/disk.qcow2"

rm -rf "$out_dir"
mkdir -p "$out_dir"
serial_log="$out_dir/serial.log"
say "booting Debian 12 under qemu ($accel, timeout ${timeout_s} s); serial console: $serial_log"
t0=$SECONDS
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
  -accel "$accel" -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=1 systemd.log_color=0" \
  -drive "file=$work/disk.qcow2,format=qcow2,if=virtio" \
  -virtfs "local,path=$share,mount_tag=host0,security_model=none,id=host0" \
  -nic none -monitor none -serial "file:$serial_log" \
  </dev/null >"$out_dir/qemu.log" 2>&1 &
qemu_pid=$!
wait "$qemu_pid"
qemu_rc=$?
qemu_pid=""
set -e
boot_seconds=$((SECONDS - t0))

for f in results.txt guest.log journal-execmond.txt journal-boot.txt journal-records.json metrics-after-workload.txt; do
  [ -f "$share/$f" ] && cp "$share/$f" "$out_dir/"
done

# ---- report ----
results="$out_dir/results.txt"
[ -f "$results" ] || : >"$results"
passed=0
failed=0
report=()
add() { # add PASS|FAIL NAME DETAIL
  if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  report+=("$(printf '%-4s  %-34s %s' "$1" "$2" "$3")")
}
case "$qemu_rc" in
  0) add PASS qemu-exited "the guest powered off after ${boot_seconds} s" ;;
  124 | 137) add FAIL qemu-exited "timed out after ${timeout_s} s" ;;
  *) add FAIL qemu-exited "qemu exit status $qemu_rc after ${boot_seconds} s: $(tail -n 3 "$out_dir/qemu.log" | paste -sd' ')" ;;
esac
if grep -qx END "$results"; then
  add PASS guest-ran-all-checks "results.txt complete"
else
  add FAIL guest-ran-all-checks "results.txt missing or cut short ($(grep -cE '^(PASS|FAIL)' "$results") checks reported)"
fi
while IFS=$'\t' read -r verdict name detail; do
  case "$verdict" in
    PASS | FAIL) add "$verdict" "$name" "$detail" ;;
  esac
done <"$results"

echo
echo "==================== execmond system test ===================="
printf '%-22s %s\n' "package:" "$(basename "$deb")" "image:" "$image_dir ($image_note)"
while IFS=$'\t' read -r verdict name detail; do
  [ "$verdict" = INFO ] && printf '%-22s %s\n' "$name:" "$detail"
done <"$results"
printf '%-22s %s\n' "boot+test:" "${boot_seconds} s"
echo "--------------------------------------------------------------"
printf '%s\n' "${report[@]}"
echo "--------------------------------------------------------------"
if ((failed)); then
  echo
  if [ -s "$out_dir/guest.log" ]; then
    echo "---- last 40 lines of the guest test's output ($out_dir/guest.log) ----"
    tail -n 40 "$out_dir/guest.log"
  fi
  echo "---- last 80 lines of the serial console ($serial_log) ----"
  tail -n 80 "$serial_log" 2>/dev/null | tr -d '\r' || true
  echo "---- end of serial console ----"
  echo
fi
echo "logs: $out_dir"
echo "systemtest: $passed passed, $failed failed"
if ((failed == 0 && passed > 0)); then
  echo "OVERALL: PASS"
  exit 0
fi
echo "OVERALL: FAIL"
exit 1
