#!/usr/bin/env bash
# Prints, once more, what each test that failed in the last ctest run said:
# with -j the failures are scattered through the whole log, and a CI report
# that keeps only its tail would otherwise show just their names.
# Usage: tests/failed-output.sh BUILD_DIR
set -euo pipefail
dir=${1:?usage: failed-output.sh BUILD_DIR}/Testing/Temporary
[[ -f $dir/LastTestsFailed.log && -f $dir/LastTest.log ]] || exit 0
echo "==== the output of every failed test, again ===="
while IFS=: read -r _ name; do
  echo "---- $name"
  # A test's section of LastTest.log runs from its "Test: NAME" line to the
  # "<end of output>" marker; gtest's failures are the lines that matter.
  awk -v want="Test: $name" '
    /^[0-9]+\/[0-9]+ Test: / { sub(/^[0-9]+\/[0-9]+ /, ""); on = ($0 == want); next }
    on && /<end of output>/ { on = 0 }
    on' "$dir/LastTest.log" | grep -v -E '^\[ +(OK|RUN) +\]' | tail -n 80
done <"$dir/LastTestsFailed.log"
