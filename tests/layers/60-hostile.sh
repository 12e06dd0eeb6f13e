#!/bin/bash
# Hostile input and races (issue 11), against the build under test:
#   - the hostile corpus: spec-fixtures/invalid + spec-fixtures/hostile +
#     bundle-shape cases, each through `skiff create` with its expected
#     outcome and nothing left behind (tests/reliab/corpus.py);
#   - concurrency: 200 lifecycles by 8 workers, colliding ids, delete
#     racing create, kill/state/delete racing, list while containers come
#     and go (tests/reliab/concurrency.py).
# The kill-at-every-stage test needs a --enable-test-hooks build: it runs
# in the asan layer (80-asan.sh), which builds one.
set -u
BUILD=$1 SRC=$2
LAYER_NAME=hostile
. "$SRC/tests/layers/lib.sh"
[ "$(id -u)" = 0 ] || skip_layer "needs root (creates containers)"
need_packages python3 busybox-static || exit 1
SKIFF=$BUILD/skiff
[ -x "$SKIFF" ] || { echo "no $SKIFF"; echo "0 passed, 1 failed"; exit 1; }
p=0 f=0
for t in corpus concurrency; do
  t0=$(date +%s)
  out=$BUILD/layer-hostile-$t.log
  python3 "$SRC/tests/reliab/$t.py" "$SKIFF" "$SRC" 2>&1 | tee "$out" | grep -v '^ok '
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  if [ -z "$line" ]; then
    f=$((f + 1))
    echo "$t: no summary line (crashed?)"
  else
    p=$((p + ${line%% passed*}))
    f=$((f + $(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')))
  fi
  echo "hostile/$t: $line ($(( $(date +%s) - t0 ))s)"
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
