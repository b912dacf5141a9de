# %preun of execmond: %systemd_preun execmond.service as plain shell.
# $1: 0 on erase (stop and disable), 1+ on upgrade (keep running).
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --no-reload disable --now execmond.service >/dev/null 2>&1 || :
fi
