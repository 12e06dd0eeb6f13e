#!/bin/bash
# Run the integration tests: every tests/integration/*.bats file (so each
# work area's file is picked up without editing this script), or the files
# given as arguments.  Prints TAP per file and a final line
#   N passed, N failed, N skipped
# Exit: 0 all passed, 1 a failure, 77 (automake's SKIP) when not root.
#
# Environment: SKIFF (binary), SKIFF_PROBE (static probe), SKIFF_BATS_FILTER
# (a regex passed to `bats -f`), SKIFF_BATS_FILES (names of the files to run,
# without .bats; default all), SKIFF_TEST_TMP (where test dirs go, /tmp).
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
  echo "integration tests need root: skipped"
  echo "0 passed, 0 failed, 0 skipped"
  exit 77
fi
if ! command -v bats >/dev/null; then
  echo "bats not found: apt-get install bats"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# One rootfs/config cache for the whole run (helpers.bash builds it once).
SKIFF_TEST_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/skiff-cache.XXXXXX")
export SKIFF_TEST_CACHE
trap 'rm -rf --one-file-system "$SKIFF_TEST_CACHE"' EXIT

if [ $# -gt 0 ]; then
  files=("$@")
elif [ -n "${SKIFF_BATS_FILES:-}" ]; then
  files=()
  for n in $SKIFF_BATS_FILES; do files+=("$here/$n.bats"); done
else
  files=("$here"/*.bats)
fi
filter=()
if [ -n "${SKIFF_BATS_FILTER:-}" ]; then
  filter=(-f "$SKIFF_BATS_FILTER")
fi

passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  echo "# ---- $(basename "$f")"
  out=$(mktemp)
  # stdin from /dev/null: a container that reads stdin must not hang the run.
  bats --tap --print-output-on-failure "${filter[@]}" "$f" </dev/null 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  p=$(grep -E '^ok [0-9]+' "$out" | grep -vcE '# skip( |$)')
  s=$(grep -cE '^ok [0-9]+.*# skip( |$)' "$out")
  n=$(grep -cE '^not ok [0-9]+' "$out")
  rm -f "$out"
  # bats failing without a `not ok` line (syntax error, setup_file failure)
  # still counts as a failure of that file.
  if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
    echo "not ok - $(basename "$f"): bats exited with status $rc"
    n=1
  fi
  passed=$((passed + p)) failed=$((failed + n)) skipped=$((skipped + s))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
