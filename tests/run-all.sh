#!/bin/bash
# The full test suite, from a fresh Debian 12 machine, as root:
#   1. installs missing build and test packages (apt-get),
#   2. builds skiff with --enable-werror in build-test/,
#   3. `make check`: Check unit tests + every tests/integration/*.bats file,
#   4. every layer in tests/layers/ (the VM layers, real clients, fuzz, ...),
#      each timed; a layer skips itself, with the reason, only where this
#      machine makes it impossible,
#   5. prints a summary line `N passed, N failed, N skipped` and exits
#      non-zero on any failure.
# Environment: JOBS (make -j, default nproc), SKIFF_SKIP_VM=1 (skip the VM
# layers), SKIFF_LAYERS="a b" (run only these layers of step 4),
# SKIFF_NO_APT=1 (never run apt-get).
set -u
cd "$(dirname "$0")/.."
SRCDIR=$(pwd)
BUILD=$SRCDIR/build-test
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export DEBIAN_FRONTEND=noninteractive
# Debian's own tools first: the python3 the suite installs packages for
# (python3-jsonschema) is /usr/bin/python3, and a version manager's shim
# earlier in PATH (pyenv on this machine kind) costs 0.2-2 s per call,
# hundreds of calls in the bats files.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

say () { printf '\n==> %s\n' "$*"; }

# Layers that could not even start count as one failure each.
passed=0 failed=0 skipped=0
layers=()
timing=()
T_ALL=$(date +%s)
die_summary () {
  echo "run-all: $*" >&2
  failed=$((failed + 1))
  summary
  exit 1
}
summary () {
  echo
  echo "==> summary"
  local l
  for l in "${layers[@]}"; do echo "  $l"; done
  if [ ${#timing[@]} -gt 0 ]; then
    echo "==> time per layer"
    for l in "${timing[@]}"; do echo "  $l"; done
    echo "  $(printf '%-28s %5ds' total $(( $(date +%s) - T_ALL )))"
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
}

# ---------------------------------------------------------------- 1. packages
PACKAGES="autoconf automake libtool pkg-config make gcc libc6-dev git
  libseccomp-dev libcap-dev libyajl-dev check scdoc
  busybox-static bats python3 python3-jsonschema iproute2 procps util-linux
  qemu-system-x86 kmod cpio xz-utils
  uidmap podman"
missing=()
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing: ${missing[*]}"
  if [ -n "${SKIFF_NO_APT:-}" ]; then
    echo "SKIFF_NO_APT is set: not installing; the build or tests may fail" >&2
  elif [ "$(id -u)" != 0 ]; then
    die_summary "missing packages (${missing[*]}) and not root: run as root"
  else
    apt-get update -q || die_summary "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null \
      || die_summary "apt-get install failed"
  fi
fi

# ---------------------------------------------------------------- 2. build
timing+=("$(printf '%-28s %5ds' packages $(( $(date +%s) - T_ALL )))")
say "building skiff (--enable-werror) in $BUILD"
t0=$(date +%s)
(./autogen.sh >/dev/null) || die_summary "autogen.sh failed"
mkdir -p "$BUILD"
(cd "$BUILD" && "$SRCDIR/configure" -q --enable-werror) || die_summary "configure failed"
make -C "$BUILD" -j"$JOBS" >/dev/null || {
  make -C "$BUILD" 2>&1 | tail -40
  die_summary "build failed"
}
timing+=("$(printf '%-28s %5ds' build $(( $(date +%s) - t0 )))")

# Count one layer's results from its output: the last `N passed, N failed`
# line if there is one, else Check's `Checks: N, Failures: F, Errors: E`,
# else the automake result (one test).  A failing layer counts at least one
# failure even if its output claims none.
count_layer () {
  local name=$1 log=$2 result=$3 line p=0 f=0 s=0
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" 2>/dev/null | tail -1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped$/\1/p')
    s=${s:-0}
  elif line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" 2>/dev/null | tail -1) \
      && [ -n "$line" ]; then
    local n e
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    f=$((f + e))
    p=$((n - f))
  else
    case $result in
      PASS|XFAIL) p=1 ;;
      SKIP) s=1 ;;
      *) f=1 ;;
    esac
  fi
  case $result in
    FAIL|ERROR|XPASS) [ "$f" -gt 0 ] || f=1 ;;
    SKIP) [ $((p + f + s)) -gt 0 ] || s=1 ;;   # e.g. the bats layer when not root
  esac
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  layers+=("$(printf '%-40s %-5s %d passed, %d failed, %d skipped' "$name" "$result" "$p" "$f" "$s")")
}

# ---------------------------------------------------------------- 3. make check
say "make check (unit + integration)"
t0=$(date +%s)
find "$BUILD" -name '*.trs' -delete
make -C "$BUILD" -j"$JOBS" check VERBOSE=yes
check_rc=$?
timing+=("$(printf '%-28s %5ds' 'make check' $(( $(date +%s) - t0 )))")
ntrs=0
while IFS= read -r trs; do
  ntrs=$((ntrs + 1))
  log=${trs%.trs}.log
  result=$(sed -nE 's/^:test-result: ([A-Z]+).*/\1/p' "$trs" | head -1)
  count_layer "${log#"$BUILD"/}" "$log" "${result:-ERROR}"
done < <(find "$BUILD" -name '*.trs' | sort)
if [ "$ntrs" -eq 0 ] || { [ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  failed=$((failed + 1))
  layers+=("make check                               FAIL  (exit $check_rc before or outside the tests)")
fi

# ---------------------------------------------------------------- 4. layers
# Every tests/layers/NN-name.sh in name order (see tests/layers/lib.sh for
# the contract): each installs what it needs, prints `N passed, N failed`,
# exits 0 (pass), 77 (skipped, with a `SKIP: reason` line) or non-zero.
# SKIFF_LAYERS: a space-separated list of layer names to run (default all).
for lf in "$SRCDIR"/tests/layers/[0-9]*.sh; do
  [ -f "$lf" ] || continue
  lname=$(basename "$lf" .sh); lname=${lname#[0-9][0-9]-}
  if [ -n "${SKIFF_LAYERS:-}" ] && ! [[ " $SKIFF_LAYERS " == *" $lname "* ]]; then
    continue
  fi
  say "layer $lname"
  llog=$BUILD/layer-$lname.out
  t0=$(date +%s)
  bash "$lf" "$BUILD" "$SRCDIR" 2>&1 | tee "$llog"
  rc=${PIPESTATUS[0]}
  dt=$(( $(date +%s) - t0 ))
  case $rc in
    0) r=PASS ;;
    77) r=SKIP ;;
    *) r=FAIL ;;
  esac
  count_layer "$lname (${dt}s)" "$llog" "$r"
  timing+=("$(printf '%-28s %5ds' "$lname" "$dt")")
done

summary
[ "$failed" -eq 0 ]
