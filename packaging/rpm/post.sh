# %post of execmond: what %systemd_post execmond.service expands to
# (systemd-rpm-macros), as plain shell so that the package does not depend on
# the macros of the build host. $1: 1 on installation, 2+ on upgrade.
# Like every Fedora/RHEL service, the unit follows the system's presets:
# enabled only where a preset says so (otherwise: systemctl enable --now).
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --no-reload preset execmond.service >/dev/null 2>&1 || :
fi
