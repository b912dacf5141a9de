# %postun of execmond: %systemd_postun_with_restart execmond.service as plain
# shell. $1: 0 on erase, 1+ on upgrade: reload units and restart the service
# if it was running, so the new binary and unit take over.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -ge 1 ]; then
    systemctl try-restart execmond.service >/dev/null 2>&1 || :
  fi
fi
