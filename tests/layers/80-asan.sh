#!/bin/bash
# The unit tests and the integration suite under AddressSanitizer + UBSan,
# in their own build dir (configure --enable-asan --enable-test-hooks), then
# the kill-at-every-stage test, which needs the test hooks
# (tests/reliab/killstages.py: SKIFF_TEST_STOP_AT).  Any ASan or UBSan
# report fails the run (halt_on_error; UBSan made fatal).
#
# CI runs the integration files that drive every library path at least
# once (lifecycle, cli, exec, hooks, spec, security, compat: parser,
# validation, create/start/kill/delete, exec, hooks, seccomp, caps, mounts,
# userns) to keep the whole suite under its time budget; the whole
# integration suite under ASan is `SKIFF_ASAN_FULL=1` (about as long again
# as `make check`).
set -u
BUILD=$1 SRC=$2
LAYER_NAME=asan
. "$SRC/tests/layers/lib.sh"
[ "$(id -u)" = 0 ] || skip_layer "needs root"
need_packages gcc libc6-dev python3 busybox-static bats check || exit 1
AB=$(dirname "$BUILD")/build-asan
t0=$(date +%s)
mkdir -p "$AB"
(cd "$AB" && "$SRC/configure" -q --enable-asan --enable-test-hooks \
   CFLAGS="-g -O1 -fno-sanitize-recover=undefined" >/dev/null \
   && make -j"${JOBS:-2}" >/dev/null) || { echo "asan build failed"; echo "0 passed, 1 failed"; exit 1; }
echo "asan: built in $(( $(date +%s) - t0 ))s"
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
p=0 f=0
count () {   # count NAME LOG RC: add a `N passed, N failed` or Check summary
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
  if [ -n "$line" ]; then
    p=$((p + ${line%% passed*})); f=$((f + $(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')))
  elif line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$2" | tail -1) && [ -n "$line" ]; then
    local n fl e
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fl=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    p=$((p + n - fl - e)); f=$((f + fl + e))
  fi
  [ "$3" -eq 0 ] || [ "$f" -gt 0 ] || f=$((f + 1))
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$2"; then
    echo "$1: sanitizer report:"; grep -E -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$2" | head -30
    f=$((f + 1))
  fi
}
# Unit tests (Check) and the integration suite (bats), as `make check`.
t1=$(date +%s)
if [ -z "${SKIFF_ASAN_FULL:-}" ]; then
  export SKIFF_BATS_FILES=${SKIFF_BATS_FILES:-"lifecycle cli exec hooks spec security compat"}
  echo "asan: integration files: $SKIFF_BATS_FILES (SKIFF_ASAN_FULL=1: all)"
fi
find "$AB" -name '*.trs' -delete
make -C "$AB" -j"${JOBS:-2}" check >/dev/null 2>&1
for trs in $(find "$AB/tests" -name '*.trs' | sort); do
  log=${trs%.trs}.log
  rc=0; grep -qE ':test-result: (FAIL|ERROR)' "$trs" && rc=1
  count "$(basename "${trs%.trs}")" "$log" "$rc"
  echo "asan: $(basename "${trs%.trs}"): $(grep -E ':test-result:' "$trs" | head -1 | cut -d' ' -f2)"
done
echo "asan: make check in $(( $(date +%s) - t1 ))s"
t1=$(date +%s)
python3 "$SRC/tests/reliab/killstages.py" "$AB/skiff" "$SRC" > "$AB/killstages.log" 2>&1
rc=$?
cat "$AB/killstages.log"
count killstages "$AB/killstages.log" "$rc"
echo "asan: kill stages in $(( $(date +%s) - t1 ))s; total $(( $(date +%s) - t0 ))s"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
