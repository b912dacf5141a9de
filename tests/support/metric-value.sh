# shellcheck shell=bash
# Sourced by tests/image/run.sh on the host and by
# tests/system/guest/guest-test.sh in the guest (tests/system/run.sh puts a
# copy beside it on the share): both read exact series from a scrape saved
# to a file, without a Prometheus.

# metric_value FILE NAME LABEL=VALUE...: the value of the series NAME with
# exactly those labels, or "absent" (also when FILE does not exist).
metric_value() {
  local file=$1 name=$2
  shift 2
  [ -f "$file" ] || { echo absent; return 0; }
  awk -v name="$name" -v want="$*" '
    BEGIN { n = split(want, w, " ") }
    /^#/ { next }
    {
      series = $1; value = $NF
      brace = index(series, "{")
      base = brace ? substr(series, 1, brace - 1) : series
      if (base != name) next
      labels = brace ? substr(series, brace + 1, length(series) - brace - 1) : ""
      count = gsub(/="/, "=\"", labels)
      if (count != n) next
      for (i = 1; i <= n; i++) {
        split(w[i], kv, "=")
        pair = kv[1] "=\"" kv[2] "\""
        if (index("," labels ",", "," pair ",") == 0) next
      }
      print value; found = 1; exit
    }
    END { if (!found) print "absent" }' "$file"
}
