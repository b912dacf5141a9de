#!/usr/bin/env bash
# Tests execmond's packages: builds them (build-packages.sh), inspects the deb
# and the rpm, runs lintian and rpmlint, checks the unit with systemd-analyze,
# then installs the deb on this machine and walks it through remove,
# reinstall, upgrades and purge, and the rpm into a scratch rpm database.
# Prints one PASS/FAIL line per check and a summary; exits 1 on any failure.
# Leaves the machine as it found it: the package is purged at the end.
#
#   packaging/test-packages.sh [BUILD_DIR]      (default: build; run as root)
#
# PID 1 need not be systemd: the maintainer scripts must then enable the unit
# for the next boot but start nothing, which is checked here.
set -uo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
pkg=execmond
conffile=/etc/execmond/execmond.yaml
deb_unit=/lib/systemd/system/execmond.service
rpm_unit=/usr/lib/systemd/system/execmond.service
wants=/etc/systemd/system/multi-user.target.wants/execmond.service
# Worst systemd-analyze security exposure accepted (docs/install.md has the score).
max_exposure=2.0

passed=0
failed=0
failures=()
pass() {
  printf 'PASS  %s%s\n' "$1" "${2:+: $2}"
  passed=$((passed + 1))
}
fail() {
  printf 'FAIL  %s%s\n' "$1" "${2:+: $2}"
  failed=$((failed + 1))
  failures+=("$1")
}
check() { # check NAME DETAIL COMMAND...: PASS when COMMAND succeeds
  local name="$1" detail="$2"
  shift 2
  if "$@" >/dev/null 2>&1; then pass "$name" "$detail"; else fail "$name" "$detail"; fi
}
section() { printf '\n---- %s ----\n' "$*"; }
die() {
  printf 'test-packages: error: %s\n' "$*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: the deb is installed on this machine"
work="$(mktemp -d /tmp/execmond-pkgtest.XXXXXX)"
chmod 0755 "$work" # apt's _apt user reads the deb from here

# The package must not stay behind, whatever happens.
cleanup() {
  if dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null | grep -qv '^not-installed$'; then
    dpkg --purge "$pkg" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- tools ----
need=()
command -v lintian >/dev/null || need+=(lintian)
command -v rpmlint >/dev/null || need+=(rpmlint)
command -v rpm >/dev/null || need+=(rpm)
command -v file >/dev/null || need+=(file)
command -v cpio >/dev/null || need+=(cpio)
command -v man >/dev/null || need+=(man-db)
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  printf 'test-packages: installing %s\n' "${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die "cannot install ${need[*]}"
fi

# ---- build ----
section "build"
mapfile -t built < <("$src/packaging/build-packages.sh" "$build") || true
deb="" rpmfile=""
for f in "${built[@]}"; do
  case "$f" in
    *.deb) deb="$f" ;;
    *.rpm) rpmfile="$f" ;;
  esac
done
[ -f "$deb" ] && [ -f "$rpmfile" ] || die "build-packages.sh made no deb and rpm (got: ${built[*]:-nothing})"
build="$(cd "$build" && pwd)"
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
arch="$(dpkg --print-architecture)"
rpm_arch="$(uname -m)"
pass build "$(basename "$deb") $(basename "$rpmfile") (version $version)"

# Libraries the daemon links, as Debian 12 and the rpm's sonames name them.
deb_libs=(libbpf1 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libyaml-cpp0.7 libre2-9
  'libspdlog1.10(-fmt9)?' libfmt9 libsystemd0 libcivetweb1)
rpm_sonames=(libbpf.so.1 libprometheus-cpp-core.so.1.0 libprometheus-cpp-pull.so.1.0
  libyaml-cpp.so.0.7 libre2.so.9 libspdlog.so.1.10 libfmt.so.9 libsystemd.so.0 libcivetweb.so.1)

# ======================================================================
section "deb: metadata and contents"
check deb-file-name "$(basename "$deb")" [ "$(basename "$deb")" = "${pkg}_${version}_${arch}.deb" ]
dpkg-deb -c "$deb" >"$work/deb-contents.txt"
dpkg-deb -f "$deb" >"$work/deb-control.txt"
field() { dpkg-deb -f "$deb" "$1"; }
check deb-version "Version: $(field Version)" [ "$(field Version)" = "$version" ]
check deb-architecture "Architecture: $(field Architecture)" [ "$(field Architecture)" = "$arch" ]
has_entry() { # has_entry MODE PATH: a line of dpkg-deb -c with that mode and path
  awk -v m="$1" -v p="./${2#/}" '$1 == m && $NF == p { found = 1 } END { exit !found }' "$work/deb-contents.txt"
}
check deb-binary "/usr/sbin/execmond, 0755" has_entry -rwxr-xr-x /usr/sbin/execmond
check deb-unit "$deb_unit (Debian 12 layout)" has_entry -rw-r--r-- "$deb_unit"
check deb-no-usr-lib-unit "no unit under /usr/lib/systemd" \
  eval '! grep -q "usr/lib/systemd" "$work/deb-contents.txt"'
check deb-config "$conffile, 0644" has_entry -rw-r--r-- "$conffile"
check deb-man-page "/usr/share/man/man8/execmond.8.gz" has_entry -rw-r--r-- /usr/share/man/man8/execmond.8.gz
check deb-copyright "/usr/share/doc/execmond/copyright" has_entry -rw-r--r-- /usr/share/doc/execmond/copyright
check deb-changelog "/usr/share/doc/execmond/changelog.gz" has_entry -rw-r--r-- /usr/share/doc/execmond/changelog.gz
for f in "$src"/config/examples/*.yaml "$src"/config/examples/*.yml; do
  [ -f "$f" ] || continue
  check "deb-example-$(basename "$f")" "/usr/share/execmond/examples/$(basename "$f")" \
    has_entry -rw-r--r-- "/usr/share/execmond/examples/$(basename "$f")"
done
for f in "$src"/packaging/grafana/*.json "$src"/packaging/prometheus/*.yml; do
  [ -f "$f" ] || continue
  kind="$(basename "$(dirname "$f")")"
  check "deb-$kind-$(basename "$f")" "/usr/share/execmond/$kind/$(basename "$f")" \
    has_entry -rw-r--r-- "/usr/share/execmond/$kind/$(basename "$f")"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles" 2>/dev/null
check deb-conffiles "conffiles: $(paste -sd' ' "$work/conffiles")" grep -qx "$conffile" "$work/conffiles"
depends="$(field Depends)"
missing=""
for lib in "${deb_libs[@]}"; do
  grep -Eq "(^|, )$lib( |,|$)" <<<"$depends" || missing+=" $lib"
done
check deb-depends-runtime-libraries "Depends: $depends${missing:+; missing:$missing}" [ -z "$missing" ]
check deb-depends-no-dev "no -dev package in Depends" eval '! grep -Eq -- "-dev( |,|$)" <<<"$depends"'
dpkg-deb -R "$deb" "$work/deb-root"
for script in postinst prerm postrm; do
  f="$work/deb-root/DEBIAN/$script"
  check "deb-$script" "executable, valid sh" eval '[ -x "$f" ] && sh -n "$f"'
done
check deb-unit-is-source "the packaged unit is systemd/execmond.service" \
  cmp "$work/deb-root$deb_unit" "$src/systemd/execmond.service"
binary_info="$(file -b "$work/deb-root/usr/sbin/execmond")"
check deb-binary-stripped "$(cut -d, -f1-2 <<<"$binary_info"), ...stripped" grep -q ', stripped' <<<"$binary_info"
man_info="$(file -b "$work/deb-root/usr/share/man/man8/execmond.8.gz")"
check deb-man-gzip-9n "$man_info" eval 'grep -q "max compression" <<<"$man_info" && ! grep -q "last modified" <<<"$man_info"'
# As lintian runs it.
man_warnings="$(MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
  "$work/deb-root/usr/share/man/man8/execmond.8.gz" 2>&1 >/dev/null)"
check deb-man-renders "man --warnings: ${man_warnings:-no warnings}" [ -z "$man_warnings" ]
man_version="$(zcat "$work/deb-root/usr/share/man/man8/execmond.8.gz" | sed -n 's/^\.TH .*"execmond \([^"]*\)".*/\1/p')"
check deb-man-version ".TH says execmond $man_version" [ "$man_version" = "$version" ]
changelog_version="$(zcat "$work/deb-root/usr/share/doc/execmond/changelog.gz" | sed -n '1s/^execmond (\([^)]*\)).*/\1/p')"
check deb-changelog-version "changelog.gz: $changelog_version" [ "$changelog_version" = "$version" ]

section "deb: lintian"
lintian --display-info --pedantic "$deb" >"$work/lintian.txt" 2>&1
lintian_rc=$?
sed 's/^/  /' "$work/lintian.txt"
errors="$(grep -c '^E: ' "$work/lintian.txt")"
warnings="$(grep -c '^W: ' "$work/lintian.txt")"
check lintian-no-errors "$errors errors, $warnings warnings, $(grep -c '^[IP]: ' "$work/lintian.txt") info/pedantic (see docs/install.md)" \
  eval '[ "$lintian_rc" -eq 0 ] && [ "$errors" -eq 0 ]'

# ======================================================================
section "rpm: metadata and contents"
check rpm-file-name "$(basename "$rpmfile")" [ "$(basename "$rpmfile")" = "$pkg-$version-1.$rpm_arch.rpm" ]
rq() { rpm -qp --nosignature "$@" "$rpmfile" 2>/dev/null; }
check rpm-version "$(rq --qf '%{VERSION}-%{RELEASE}')" [ "$(rq --qf '%{VERSION}-%{RELEASE}')" = "$version-1" ]
check rpm-license "$(rq --qf '%{LICENSE}')" eval '[[ "$(rq --qf "%{LICENSE}")" == Apache-2.0* ]]'
rq -l >"$work/rpm-files.txt"
rpm_has() { grep -qx "$1" "$work/rpm-files.txt"; }
check rpm-binary "/usr/sbin/execmond" rpm_has /usr/sbin/execmond
check rpm-unit "$rpm_unit" rpm_has "$rpm_unit"
check rpm-config "$conffile" rpm_has "$conffile"
check rpm-man-page "/usr/share/man/man8/execmond.8.gz" rpm_has /usr/share/man/man8/execmond.8.gz
check rpm-share "/usr/share/execmond/{examples,grafana,prometheus}" \
  eval '[ "$(grep -c "^/usr/share/execmond/.*\.\(yaml\|json\|yml\)$" "$work/rpm-files.txt")" -ge 3 ]'
check rpm-license-file "/usr/share/licenses/execmond/copyright (%license)" \
  eval 'rq -L | grep -qx /usr/share/licenses/execmond/copyright'
flags="$(rq --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' | awk -v f="$conffile" '$2 == f { print $1 }')"
check rpm-config-noreplace "rpm -qcp: $(rq -c | paste -sd' '); flags '$flags' (c=config, n=noreplace)" \
  eval '[[ "$flags" == *c* && "$flags" == *n* ]]'
check rpm-man-is-doc "man page marked %doc" eval 'rq -d | grep -q /usr/share/man/man8/execmond.8.gz'
owned_dirs="$(rq --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' | awk '$1 ~ /^d/ { print $2 }' |
  grep -Ex '/(etc|usr|usr/lib|usr/lib/systemd(/system)?|usr/sbin|usr/share|usr/share/(man|man/man8|doc|licenses))' | paste -sd' ')"
check rpm-no-system-dirs "owns no directory of filesystem/systemd/man-db${owned_dirs:+: $owned_dirs}" [ -z "$owned_dirs" ]
requires="$(rq -R)"
missing=""
for soname in "${rpm_sonames[@]}"; do
  grep -q "^$soname()" <<<"$requires" || missing+=" $soname"
done
check rpm-requires-sonames "AutoReq: $(grep -c '()(64bit)$' <<<"$requires") soname requirements${missing:+; missing:$missing}" [ -z "$missing" ]
check rpm-requires-no-devel "no -devel package, no unversioned .so" \
  eval '! grep -Eq -- "-devel|\.so\(\)" <<<"$requires"'
scripts="$(rq --scripts)"
check rpm-scriptlet-post "%post: systemctl preset on install" grep -q 'systemctl --no-reload preset execmond.service' <<<"$scripts"
check rpm-scriptlet-preun "%preun: disable --now on erase" grep -q 'systemctl --no-reload disable --now execmond.service' <<<"$scripts"
check rpm-scriptlet-postun "%postun: try-restart on upgrade" grep -q 'systemctl try-restart execmond.service' <<<"$scripts"
for s in post preun postun; do
  check "rpm-$s-syntax" "sh -n packaging/rpm/$s.sh" sh -n "$src/packaging/rpm/$s.sh"
done
# The scriptlets against a systemctl that only records its arguments.
mkdir -p "$work/fakebin"
printf '#!/bin/sh\necho "$*" >>"%s/systemctl.log"\n' "$work" >"$work/fakebin/systemctl"
chmod 755 "$work/fakebin/systemctl"
run_scriptlet() { # run_scriptlet NAME ARG: what it made systemctl do
  : >"$work/systemctl.log"
  PATH="$work/fakebin:$PATH" sh "$src/packaging/rpm/$1.sh" "$2"
  paste -sd';' "$work/systemctl.log"
}
got="$(run_scriptlet post 1)"
check rpm-post-install "%post 1 -> systemctl $got" [ "$got" = "--no-reload preset execmond.service" ]
got="$(run_scriptlet post 2)"
check rpm-post-upgrade "%post 2 -> ${got:-nothing}" [ -z "$got" ]
got="$(run_scriptlet preun 0)"
check rpm-preun-erase "%preun 0 -> systemctl $got" [ "$got" = "--no-reload disable --now execmond.service" ]
got="$(run_scriptlet preun 1)"
check rpm-preun-upgrade "%preun 1 -> ${got:-nothing}" [ -z "$got" ]
rpm2cpio "$rpmfile" | (mkdir -p "$work/rpm-root" && cd "$work/rpm-root" && cpio -idm --quiet 2>/dev/null)
check rpm-unit-is-source "the packaged unit is systemd/execmond.service" \
  cmp "$work/rpm-root$rpm_unit" "$src/systemd/execmond.service"

section "rpm: rpmlint"
rpmlint -c "$src/packaging/rpm/rpmlint.toml" "$rpmfile" >"$work/rpmlint.txt" 2>&1
rpmlint_rc=$?
grep -E ': [EW]: |checked' "$work/rpmlint.txt" | sed 's/^/  /'
errors="$(grep -c ': E: ' "$work/rpmlint.txt")"
warnings="$(grep -c ': W: ' "$work/rpmlint.txt")"
check rpmlint-no-errors "$errors errors, $warnings warnings (see docs/install.md)" \
  eval '[ "$rpmlint_rc" -eq 0 ] && [ "$errors" -eq 0 ]'

section "rpm: install, upgrade and erase in a scratch rpm database"
# --noscripts: the scriptlets are tested above; this checks %config(noreplace).
rroot="$work/rpmdb-root"
mkdir -p "$rroot"
rpmq() { rpm --root "$rroot" --nosignature "$@"; }
if rpmq --initdb && rpmq -i --nodeps --noscripts "$rpmfile" >"$work/rpm-i.log" 2>&1; then
  pass rpm-install "rpm --root ... -i $(basename "$rpmfile")"
else
  fail rpm-install "$(tail -n 3 "$work/rpm-i.log")"
fi
check rpm-installed-files "binary, unit and config under the scratch root" \
  eval '[ -x "$rroot/usr/sbin/execmond" ] && [ -f "$rroot$rpm_unit" ] && [ -f "$rroot$conffile" ]'
echo "# changed by test-packages.sh" >>"$rroot$conffile"
# Release 2 of the same files: an upgrade must keep the changed config.
(cd "$build" && cpack -G RPM -D CPACK_RPM_PACKAGE_RELEASE=2 -B "$work/rpm2" >"$work/cpack-rpm2.log" 2>&1)
rpm2=("$work"/rpm2/execmond-*-2.*.rpm)
if [ -f "${rpm2[0]}" ] && rpmq -U --nodeps --noscripts "${rpm2[0]}" >"$work/rpm-U.log" 2>&1; then
  pass rpm-upgrade "rpm -U $(basename "${rpm2[0]}")"
else
  fail rpm-upgrade "$(tail -n 3 "$work/rpm-U.log" "$work/cpack-rpm2.log" 2>/dev/null)"
fi
check rpm-upgrade-keeps-config "changed $conffile kept, no .rpmnew" \
  eval 'grep -q "changed by test-packages.sh" "$rroot$conffile" && [ ! -e "$rroot$conffile.rpmnew" ]'
rpmq -e --nodeps --noscripts "$pkg" >"$work/rpm-e.log" 2>&1
check rpm-erase "binary gone, changed config saved as .rpmsave" \
  eval '[ ! -e "$rroot/usr/sbin/execmond" ] && grep -q "changed by test-packages.sh" "$rroot$conffile.rpmsave"'

# ======================================================================
section "deb: install on this machine"
state() { dpkg-query -W -f '${db:Status-Abbrev}' "$pkg" 2>/dev/null | tr -d ' '; }
if [ -n "$(state)" ] && [ "$(state)" != "un" ]; then
  printf 'note: %s was installed (%s); purging it first\n' "$pkg" "$(state)"
  dpkg --purge "$pkg" >/dev/null
fi
[ -e /etc/execmond ] && die "/etc/execmond exists but no package owns it: move it away first"
if [ -d /run/systemd/system ]; then
  printf 'note: systemd runs here: the maintainer scripts will start and stop execmond.service\n'
else
  printf 'note: PID 1 is %s, not systemd: the maintainer scripts must start nothing\n' "$(cat /proc/1/comm)"
fi
# Processes running the installed binary (other execmond processes may run here).
installed_daemons() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/execmond ] && echo "${p#/proc/}"
  done
}
cp "$deb" "$work/"
deb_copy="$work/$(basename "$deb")"
chmod 0644 "$deb_copy"
if apt-get install -y --no-install-recommends "$deb_copy" </dev/null >"$work/apt-install.log" 2>&1; then
  pass deb-install "apt-get install ./$(basename "$deb")"
else
  sed 's/^/  /' "$work/apt-install.log"
  fail deb-install "apt-get install failed"
fi
check deb-installed-state "dpkg status: $(state)" [ "$(state)" = ii ]
check installed-binary "/usr/sbin/execmond --version: $(/usr/sbin/execmond --version 2>&1)" \
  eval '/usr/sbin/execmond --version | grep -qF "$version"'
check installed-unit "$deb_unit" [ -f "$deb_unit" ]
check installed-config "$conffile" [ -f "$conffile" ]
check installed-config-valid "execmond --config.check (default path)" /usr/sbin/execmond --config.check
check installed-man-page "man -w execmond: $(man -w execmond 2>&1)" eval '[ "$(man -w execmond)" = /usr/share/man/man8/execmond.8.gz ]'
check installed-share "/usr/share/execmond/examples" [ -d /usr/share/execmond/examples ]
check installed-md5sums "dpkg --verify execmond" eval '[ -z "$(dpkg --verify execmond)" ]'
check enabled-for-boot "postinst enabled the unit: $wants -> $(readlink "$wants")" \
  eval '[ "$(readlink "$wants")" = "$deb_unit" ]'
if [ ! -d /run/systemd/system ]; then
  running="$(installed_daemons | paste -sd' ')"
  check not-started-without-systemd "no /usr/sbin/execmond process${running:+: pids $running}" [ -z "$running" ]
fi
verify_out="$(systemd-analyze verify "$deb_unit" 2>&1)"
verify_rc=$?
check unit-verify "systemd-analyze verify $deb_unit: ${verify_out:-clean}" \
  eval '[ "$verify_rc" -eq 0 ] && [ -z "$verify_out" ]'
exposure="$(systemd-analyze security --offline=true --no-pager "$deb_unit" 2>/dev/null |
  sed -n 's/.*Overall exposure level for execmond.service: \([0-9.]*\).*/\1/p')"
check unit-exposure "systemd-analyze security: ${exposure:-?} (at most $max_exposure)" \
  awk -v e="${exposure:-99}" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'

section "deb: remove keeps the configuration"
echo "# changed by test-packages.sh" >>"$conffile"
changed_sum="$(md5sum <"$conffile")"
dpkg --remove "$pkg" </dev/null >"$work/remove.log" 2>&1
check remove "dpkg -r: status $(state)" [ "$(state)" = rc ]
check remove-binary-gone "/usr/sbin/execmond gone" [ ! -e /usr/sbin/execmond ]
check remove-unit-gone "$deb_unit gone" [ ! -e "$deb_unit" ]
check remove-keeps-config "changed $conffile kept" eval '[ "$(md5sum <"$conffile")" = "$changed_sum" ]'

section "deb: reinstall and upgrades do not prompt"
dpkg_quiet() { # dpkg_quiet LOG DEB: dpkg -i that must not ask (stdin closed)
  local log="$1" rc
  shift
  dpkg -i "$@" </dev/null >"$log" 2>&1
  rc=$?
  if grep -q "Configuration file '" "$log"; then
    echo "prompted: $(grep -m1 "Configuration file '" "$log")"
    return 1
  fi
  [ "$rc" -eq 0 ] || { tail -n 3 "$log"; return 1; }
}
out="$(dpkg_quiet "$work/reinstall.log" "$deb_copy")"
check reinstall "dpkg -i over the removed package: ${out:-no prompt}, status $(state)" \
  eval '[ -z "$out" ] && [ "$(state)" = ii ]'
check reinstall-keeps-config "changed $conffile kept, no .dpkg-dist/.dpkg-new" \
  eval '[ "$(md5sum <"$conffile")" = "$changed_sum" ] && ! ls /etc/execmond/*.dpkg-* >/dev/null 2>&1'

# Later versions of the same package, made by repacking the deb.
repack() { # repack VERSION CONFFILE_SUFFIX: a deb of that version
  local dir="$work/repack-$1"
  rm -rf "$dir"
  cp -a "$work/deb-root" "$dir"
  sed -i "s/^Version: .*/Version: $1/" "$dir/DEBIAN/control"
  if [ -n "$2" ]; then
    echo "$2" >>"$dir$conffile"
    (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
      xargs md5sum >DEBIAN/md5sums)
  fi
  dpkg-deb --root-owner-group -b "$dir" "$work/${pkg}_$1_$arch.deb" >/dev/null
  echo "$work/${pkg}_$1_$arch.deb"
}
# Upgrade, same default configuration: the changed file stays, silently.
v2="$(repack "$version+pkgtest1" "")"
out="$(dpkg_quiet "$work/upgrade1.log" "$v2")"
check upgrade "dpkg -i $(basename "$v2"): ${out:-no prompt}, $(dpkg-query -W -f '${Version}' $pkg)" \
  eval '[ -z "$out" ] && [ "$(dpkg-query -W -f "\${Version}" $pkg)" = "$version+pkgtest1" ]'
check upgrade-keeps-config "changed $conffile kept" eval '[ "$(md5sum <"$conffile")" = "$changed_sum" ]'
# Upgrade to a new default configuration, the installed file unchanged: the
# new file is installed, silently.
cp "$work/deb-root$conffile" "$conffile"
v3="$(repack "$version+pkgtest2" "# new default from $version+pkgtest2")"
out="$(dpkg_quiet "$work/upgrade2.log" "$v3")"
check upgrade-new-default "unchanged config, new default: ${out:-no prompt}" [ -z "$out" ]
check upgrade-installs-new-default "$conffile is the new default" \
  grep -qx "# new default from $version+pkgtest2" "$conffile"
check still-enabled "$wants" eval '[ "$(readlink "$wants")" = "$deb_unit" ]'
if [ ! -d /run/systemd/system ]; then
  running="$(installed_daemons | paste -sd' ')"
  check upgrade-starts-nothing "no /usr/sbin/execmond process${running:+: pids $running}" [ -z "$running" ]
fi

section "deb: purge"
echo "# changed by test-packages.sh" >>"$conffile"
dpkg --purge "$pkg" </dev/null >"$work/purge.log" 2>&1
check purge "dpkg -P: status $(state)" eval '[ -z "$(state)" ] || [ "$(state)" = un ]'
check purge-config-gone "/etc/execmond gone" [ ! -e /etc/execmond ]
check purge-unit-gone "$deb_unit gone" [ ! -e "$deb_unit" ]
check purge-enablement-gone "$wants gone" eval '[ ! -e "$wants" ] && [ ! -L "$wants" ]'
check purge-helper-state-gone "no deb-systemd-helper state for execmond.service" \
  eval '! grep -rqs "execmond.service" /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked'

# ======================================================================
printf '\n%d passed, %d failed\n' "$passed" "$failed"
if ((failed)); then
  printf 'FAILED: %s\n' "${failures[*]}"
  exit 1
fi
echo "packagetest: PASS"
