# shellcheck shell=bash
# Sourced by tests/image/build-base.sh and tests/system/build-image.sh, so the
# images they debootstrap come from the same mirrors as the host's packages.

# apt_uris PATTERN: the first mirror apt is configured with (deb822 or
# one-line sources) whose URI matches the extended regex PATTERN.
apt_uris() {
  local pattern="$1"
  {
    grep -hsE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/\[[^]]*\]//' | awk '{print $2}'
  } | grep -E "$pattern" | head -n1
}
