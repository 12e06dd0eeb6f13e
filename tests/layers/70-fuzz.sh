#!/bin/bash
# libFuzzer (clang 14, ASan + UBSan) on skiff's parsers, short form:
# SKIFF_FUZZ_SECONDS (default 20) per target.  Targets (tests/fuzz/targets.c):
# config, process, resources, state (+ intent.json), strings (id, signal,
# mount options), seccomp (profile -> BPF).  Seeds: spec-fixtures/fuzz/<target>
# (+ the spec fixtures for config).  Reports executions per second and
# coverage per target; a crash fails the layer and is copied into
# spec-fixtures/fuzz/<target>/ so that it is kept (commit it) and replayed by
# tests/unit/test_reliab from then on.
#
# The longer run (documented in README.md "Testing"):
#   SKIFF_FUZZ_SECONDS=600 bash tests/layers/70-fuzz.sh build-test .
set -u
BUILD=$1 SRC=$2
LAYER_NAME=fuzz
. "$SRC/tests/layers/lib.sh"
need_packages clang libclang-rt-14-dev libseccomp-dev libcap-dev libyajl-dev \
  autoconf automake make || exit 1
SECS=${SKIFF_FUZZ_SECONDS:-20}
CC=$(command -v clang-14 || command -v clang) || { echo "no clang"; echo "0 passed, 1 failed"; exit 1; }
FB=$BUILD/fuzz-build
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1"
t0=$(date +%s)
# libskiff.a built by clang with the sanitizers, in its own build dir.
if [ ! -f "$FB/libskiff.a" ] || [ -n "$(find "$SRC/src" -newer "$FB/libskiff.a" -name '*.[ch]' | head -1)" ]; then
  mkdir -p "$FB"
  (cd "$FB" && "$SRC/configure" -q --without-systemd CC="$CC" CFLAGS="$SAN" >/dev/null \
     && make -j"${JOBS:-2}" libskiff.a >/dev/null) || { echo "fuzz build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
LIBS="$(pkg-config --libs libseccomp libcap yajl 2>/dev/null || echo -lseccomp -lcap -lyajl)"
TARGETS="config process resources state strings seccomp"
for t in $TARGETS; do
  "$CC" $SAN -fsanitize=fuzzer -DSK_FUZZ_TARGET="$t" -I"$FB" -I"$SRC/include" -I"$SRC/src/lib" \
    -I"$SRC/tests/fuzz" "$SRC/tests/fuzz/fuzz_main.c" "$SRC/tests/fuzz/targets.c" \
    "$FB/libskiff.a" $LIBS -o "$FB/fuzz_$t" || { echo "link fuzz_$t failed"; echo "0 passed, 1 failed"; exit 1; }
done
echo "fuzz: built in $(( $(date +%s) - t0 ))s; $SECS s per target"
p=0 f=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
printf '%-10s %10s %10s %8s %8s %6s\n' target execs exec/s cov ft result
for t in $TARGETS; do
  corpus=$FB/corpus-$t
  rm -rf "$FB/crashes-$t"   # only this run's crashes count
  mkdir -p "$corpus" "$FB/crashes-$t"
  cp -n "$SRC/spec-fixtures/fuzz/$t/"* "$corpus/" 2>/dev/null
  if [ "$t" = config ] || [ "$t" = seccomp ]; then
    for d in valid invalid hostile; do
      find "$SRC/spec-fixtures/$d" -name '*.json' -size -64k -exec cp -n {} "$corpus/" \;
    done
  fi
  log=$FB/fuzz-$t.log
  (cd "$FB/crashes-$t" && "$FB/fuzz_$t" -max_total_time="$SECS" -max_len=65536 -timeout=20 \
     -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FB/crashes-$t/" "$corpus") \
     >"$log" 2>&1
  rc=$?
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  eps=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "$FB/crashes-$t" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
    p=$((p + 1)); r=ok
  else
    f=$((f + 1)); r=CRASH
    mkdir -p "$SRC/spec-fixtures/fuzz/$t"
    for c in "$FB/crashes-$t"/*; do
      [ -f "$c" ] && cp "$c" "$SRC/spec-fixtures/fuzz/$t/$(basename "$c")" \
        && echo "fuzz $t: kept $c as spec-fixtures/fuzz/$t/$(basename "$c")"
    done
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
  fi
  printf '%-10s %10s %10s %8s %8s %6s\n' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$r"
done
echo "fuzz: $(( $(date +%s) - t0 ))s in all"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
