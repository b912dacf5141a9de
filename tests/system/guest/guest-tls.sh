#!/bin/bash
# Sourced by guest-test.sh, whose variables ($unit, $conf, $share, $work,
# $port, $url) and guest-lib.sh helpers it uses: the TLS checks, which end
# with the service back on plain HTTP.
# shellcheck disable=SC2154,SC2086 # set by guest-test.sh, single words

section "TLS with the key as a credential"
# As docs/security.md says: the key stays root's (mode 0600) and reaches the
# transient user through LoadCredential=; key_file names the credential.
tls=/etc/execmond/tls
install -d -m 0755 $tls
install -m 0644 "$share/certs/server.crt" "$share/certs/ca.crt" "$share/certs/stranger.key" $tls/
install -m 0600 "$share/certs/server.key" $tls/server.key
printf 'tls_server_config:\n  cert_file: %s/server.crt\n  key_file: /run/credentials/%s.service/tls.key\n' \
  $tls $unit >/etc/execmond/web.yml
mkdir -p /etc/systemd/system/$unit.service.d
printf '[Service]\nLoadCredential=tls.key:%s/server.key\n' $tls >/etc/systemd/system/$unit.service.d/tls.conf
cp "$conf" "$work/execmond.yaml.before-tls"
sed -i -E 's|^web:$|web:\n  config_file: /etc/execmond/web.yml|' "$conf"
systemctl daemon-reload
systemctl restart $unit
tls_scrape() { curl -fsS --max-time 10 --cacert $tls/ca.crt "https://localhost:$port/metrics" -o "$work/metrics.txt" 2>"$work/curl.err"; }
if wait_active 60 && while_active 10 tls_scrape; then
  pass tls-from-credential "https scrape with the key from LoadCredential ($(metric execmond_config_last_reload_successful) = reload_successful)"
else
  fail tls-from-credential "$(unit_state); $(cat "$work/curl.err"); $(journalctl -u $unit --no-pager -o cat -n 3 | paste -sd' ')"
fi
verdict tls-refuses-plain-http "plain HTTP on the TLS port gets no answer" \
  eval "! curl -fsS --max-time 5 -o /dev/null $url"
# A reload with a key that does not match: refused as the file is read, the
# running listener untouched, the failure in the metrics.
sed -i "s|/run/credentials/$unit.service/tls.key|$tls/stranger.key|" /etc/execmond/web.yml
systemctl reload $unit
# systemctl returns once SIGHUP is sent; the refused reload shows as the metric's 0.
reload_refused() { tls_scrape && [ "$(metric execmond_config_last_reload_successful)" = 0 ]; }
while_active 15 reload_refused
if is_active && reload_refused; then
  pass tls-bad-reload-keeps-serving "active, https answers, execmond_config_last_reload_successful 0"
else
  fail tls-bad-reload-keeps-serving "$(unit_state); reload_successful $(metric execmond_config_last_reload_successful); $(cat "$work/curl.err")"
fi
mismatch="$(journalctl -u $unit --no-pager -o cat | grep -m1 -F 'key values mismatch')"
verdict tls-bad-reload-logged "${mismatch:-no 'key values mismatch' in the journal}" [ -n "$mismatch" ]
cp "$work/execmond.yaml.before-tls" "$conf"
rm -rf /etc/systemd/system/$unit.service.d /etc/execmond/web.yml $tls
systemctl daemon-reload
systemctl restart $unit
plain_again() { wait_active 60 && while_active 20 scrape; }
verdict plain-http-again "plain HTTP after the TLS drop-in is gone" plain_again
