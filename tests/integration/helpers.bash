# Shared helpers for every integration test (tests/integration/*.bats).
#
#   load helpers
#
# Each test gets (from setup/teardown below; a file that needs its own
# setup() must call skiff_setup first, and its own teardown() skiff_teardown):
#   $ROOT    a fresh --root for skiff
#   $BUNDLE  a fresh bundle: rootfs = busybox-static (+ applet symlinks) and
#            the static /probe, config.json from `skiff spec` adjusted:
#            process.terminal false, args ["/probe", "ids"]
#   $ID      a container id unique to this test (use "$ID-2"... for more:
#            anything containing $TOKEN is found and cleaned up by teardown)
#   $TOKEN   the unique name of this test's temp dir
#   $TEST_DIR  that temp dir (holds $ROOT and $BUNDLE; put scratch files here)
#   $SKIFF   the binary under test (env SKIFF, else <srcdir>/build/skiff)
#
# Functions:
#   skiff ARGS...                  $SKIFF --root $ROOT ARGS...
#   cfg 'PYTHON'                   edit $BUNDLE/config.json; `c` is the dict
#   set_args ARGS...               process.args = ARGS (no quoting games)
#   run_container [ARGS...]        set process.args (if given), `skiff run`
#                                  in the foreground: $status, $output
#   run_skiff ARGS...              like `run skiff ARGS...` but safe for
#                                  commands whose container inherits stdio
#                                  (create, run -d): output via a file
#   assert_failed_cleanly ID MSG   status != 0, MSG in output, nothing left
#   assert_nothing_left ID         no state dir, cgroup, mount or process
#   wait_for_status ID STATUS      poll `skiff state` (fails after ~10 s)
#   wait_for_file PATH             poll until PATH exists (fails after ~10 s)
#   timed_wait PID                 wait for a background child (hang guard
#                                  60 s); its exit status in $rc
#   state_field ID FIELD           print one field of `skiff state ID`
#   json_field FIELD               print one field of the JSON in $output
#   validate_schema NAME FILE      validate FILE against the runtime-spec
#                                  schema NAME (state-schema.json, ...)
#   assert_status N, assert_output_contains STR, refute_output_contains STR
#   fail MSG                       print MSG (and $output) and fail the test
#
# Everything runs as root.  Cleanup never depends on the test passing:
# teardown force-deletes every container under $ROOT, kills any process
# whose command line or mount table mentions $TOKEN, unmounts anything under
# the test dir, removes cgroups named for $TOKEN and the temp dirs.

SKIFF_SRCDIR=${SKIFF_SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
if [ -z "${SKIFF:-}" ]; then
  for _c in "$SKIFF_SRCDIR/build/skiff" "$SKIFF_SRCDIR/skiff"; do
    if [ -x "$_c" ]; then SKIFF=$_c; break; fi
  done
fi
export SKIFF
SKIFF_SCHEMA_DIR=${SKIFF_SCHEMA_DIR:-}
if [ -z "$SKIFF_SCHEMA_DIR" ]; then
  for _c in "$SKIFF_SRCDIR/../shared/oci-runtime-spec/schema" /work/shared/oci-runtime-spec/schema; do
    if [ -f "$_c/state-schema.json" ]; then SKIFF_SCHEMA_DIR=$(cd "$_c" && pwd); break; fi
  done
fi
SKIFF_TEST_CACHE=${SKIFF_TEST_CACHE:-$BATS_RUN_TMPDIR/skiff-cache}
TESTS_DIR=$SKIFF_SRCDIR/tests

fail () {
  echo "FAIL: $*" >&2
  if [ -n "${output+x}" ]; then
    echo "--- output (status ${status:-?}) ---" >&2
    echo "$output" >&2
    echo "---" >&2
  fi
  return 1
}

skiff () {
  "$SKIFF" --root "$ROOT" "$@"
}

# ---------------------------------------------------------------- bundle cache

# The probe: env SKIFF_PROBE, else next to the skiff binary's build dir, else
# compiled here (so a single .bats file can be run by hand after `make`).
_skiff_find_probe () {
  local p
  for p in "${SKIFF_PROBE:-}" "$(dirname "$SKIFF")/tests/probe/probe"; do
    if [ -n "$p" ] && [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  ${CC:-cc} -static -O2 -o "$SKIFF_TEST_CACHE/probe" "$TESTS_DIR/probe/probe.c" >&2 || return 1
  echo "$SKIFF_TEST_CACHE/probe"
}

# A default config written without skiff, used only when `skiff spec` fails
# (so other areas' tests can run while `spec` is broken; cli.bats tests
# `spec` itself).
_skiff_fallback_config () {
  python3 - "$1" <<'EOF'
import json, sys
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
mounts = [
  {"destination": "/proc", "type": "proc", "source": "proc"},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
   "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
  {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
   "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
  {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
   "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
  {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
   "options": ["nosuid", "noexec", "nodev"]},
  {"destination": "/sys", "type": "sysfs", "source": "sysfs",
   "options": ["nosuid", "noexec", "nodev", "ro"]},
]
c = {"ociVersion": "1.3.0",
     "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
                 "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         "TERM=xterm"],
                 "cwd": "/", "noNewPrivileges": True,
                 "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
                 "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
     "root": {"path": "rootfs", "readonly": True},
     "hostname": "skiff", "mounts": mounts,
     "linux": {"resources": {"devices": [{"allow": False, "access": "rwm"}]},
               "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
               "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
               "readonlyPaths": ["/proc/bus", "/proc/sys", "/proc/sysrq-trigger"]}}
json.dump(c, open(sys.argv[1], "w"), indent=2)
EOF
}

_skiff_build_rootfs () {
  local cache=$1 bb=/bin/busybox probe applet
  if ! [ -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
    echo "need a static /bin/busybox: apt-get install busybox-static" >&2
    return 1
  fi
  probe=$(_skiff_find_probe) || { echo "cannot build the probe" >&2; return 1; }
  mkdir -p "$cache/rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,run,var/tmp}
  chmod 1777 "$cache/rootfs/tmp" "$cache/rootfs/var/tmp"
  cp "$bb" "$cache/rootfs/bin/busybox"
  cp "$probe" "$cache/rootfs/probe"
  for applet in $("$bb" --list-full); do
    [ -e "$cache/rootfs/$applet" ] || ln -s /bin/busybox "$cache/rootfs/$applet"
  done
  cat >"$cache/rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/:/bin/false
tester:x:1000:1000:tester:/home:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
EOF
  cat >"$cache/rootfs/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
tty:x:5:
audio:x:29:tester
tester:x:1000:
nogroup:x:65534:
EOF
  # The default config: what `skiff spec` writes, adjusted for tests.
  mkdir -p "$cache/spec"
  if ! "$SKIFF" spec --bundle "$cache/spec" >"$cache/spec.log" 2>&1 \
      || ! [ -s "$cache/spec/config.json" ]; then
    echo "warning: \`skiff spec\` failed, using the helpers' default config" >&2
    _skiff_fallback_config "$cache/spec/config.json"
  fi
  python3 - "$cache/spec/config.json" "$cache/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/probe", "ids"]
c["root"]["path"] = "rootfs"
json.dump(c, open(sys.argv[2], "w"), indent=2)
EOF
}

# Build the rootfs and default config once per test run (the runner exports
# SKIFF_TEST_CACHE; a lock makes parallel bats jobs safe).
_skiff_cache () {
  mkdir -p "$SKIFF_TEST_CACHE"
  (
    flock 9
    [ -f "$SKIFF_TEST_CACHE/.done" ] && exit 0
    rm -rf "$SKIFF_TEST_CACHE/rootfs" "$SKIFF_TEST_CACHE/spec"
    _skiff_build_rootfs "$SKIFF_TEST_CACHE" && touch "$SKIFF_TEST_CACHE/.done"
  ) 9>"$SKIFF_TEST_CACHE/.lock"
}

# ---------------------------------------------------------------- setup/teardown

skiff_setup () {
  [ "$(id -u)" = 0 ] || skip "integration tests need root"
  [ -n "${SKIFF:-}" ] && [ -x "$SKIFF" ] \
    || { echo "skiff binary not found: set SKIFF or build into $SKIFF_SRCDIR/build" >&2; return 1; }
  _skiff_cache || return 1
  TEST_DIR=$(mktemp -d "${SKIFF_TEST_TMP:-/tmp}/skt-XXXXXXXX")
  TOKEN=$(basename "$TEST_DIR")
  ROOT=$TEST_DIR/root
  BUNDLE=$TEST_DIR/bundle
  ID=$TOKEN
  mkdir -p "$ROOT" "$BUNDLE"
  # A real copy (~3 MB), not hard links: a test may chown or chmod its
  # rootfs (user namespaces) without touching the other tests' files.
  cp -a "$SKIFF_TEST_CACHE/rootfs" "$BUNDLE/rootfs"
  cp "$SKIFF_TEST_CACHE/config.json" "$BUNDLE/config.json"
  export ROOT BUNDLE ID TOKEN TEST_DIR
}

setup () {
  skiff_setup
}

# Pids of processes that belong to this test: their command line mentions
# $TOKEN (skiff itself, or its clone before execve), or they live in another
# mount namespace whose mount table mentions it (a container: its rootfs is
# under $TEST_DIR).  Processes in our own mount namespace are never matched
# by mount table: a mount leaked under $TEST_DIR would show in all of them.
_skiff_test_pids () {
  local pat f pid myns
  [ -n "${TOKEN:-}" ] || return 0
  # The bracket keeps grep's own command line from matching.
  pat="${TOKEN:0:1}[${TOKEN:1:1}]${TOKEN:2}"
  myns=$(readlink /proc/self/ns/mnt)
  {
    for f in $(grep -l -a -E "$pat" /proc/[0-9]*/cmdline 2>/dev/null); do
      pid=${f#/proc/}
      echo "${pid%%/*}"
    done
    for f in $(grep -l -E "$pat" /proc/[0-9]*/mountinfo 2>/dev/null); do
      pid=${f#/proc/}
      pid=${pid%%/*}
      [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" != "$myns" ] && echo "$pid"
    done
  } | grep -v -x -e "$$" -e "${BASHPID:-$$}" | sort -u
}

_skiff_test_mounts () {
  [ -n "${TEST_DIR:-}" ] || return 0
  awk -v d="$TEST_DIR" 'index($5, d "/") == 1 || $5 == d { print $5 }' /proc/self/mountinfo
}

# cgroup directories whose name contains NAME (any hierarchy; hybrid hosts
# have v1 controllers under /sys/fs/cgroup/* and v2 under .../unified).
_skiff_cgroups_named () {
  [ ${#1} -ge 8 ] || return 0
  # find exits 1 when a directory vanishes under it (any other container's
  # cgroup being removed meanwhile): that is not a failure of this test.
  find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$1*" 2>/dev/null || true
}

skiff_teardown () {
  local d id pid m cg
  [ -n "${TEST_DIR:-}" ] || return 0
  if [ -d "$ROOT" ]; then
    for d in "$ROOT"/*/; do
      [ -d "$d" ] || continue
      id=$(basename "$d")
      timeout 30 "$SKIFF" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  for m in $(_skiff_test_mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  for pid in $(_skiff_test_pids); do
    kill -9 "$pid" 2>/dev/null || true
  done
  for cg in $(_skiff_cgroups_named "$TOKEN" | sort -r); do
    rmdir "$cg" 2>/dev/null || true
  done
  rm -rf --one-file-system "$TEST_DIR"
}

teardown () {
  skiff_teardown
}

# ---------------------------------------------------------------- config and runs

# cfg 'PYTHON': run PYTHON with `c` = the parsed config.json, then save it.
cfg () {
  python3 -c '
import json, sys
path = sys.argv[1]
c = json.load(open(path))
exec(sys.argv[2])
json.dump(c, open(path, "w"), indent=2)
' "$BUNDLE/config.json" "$1"
}

# set_args ARGS...: set process.args to exactly ARGS.
set_args () {
  python3 -c '
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c.setdefault("process", {})["args"] = sys.argv[2:]
json.dump(c, open(path, "w"), indent=2)
' "$BUNDLE/config.json" "$@"
}

# run_skiff ARGS...: like bats' `run skiff ARGS...`, but stdout and stderr
# go to a file ($OUTFILE), not a pipe: a container inherits skiff's stdio
# (create, run -d), and bats would wait for the pipe to close, i.e. for the
# container to exit.  stdin is /dev/null, bats' fd 3 is closed, and a hang
# guard (SKIFF_TEST_TIMEOUT, 120 s) turns a stuck skiff into a failure
# instead of a stuck test run.  Sets $status, $output, $lines.
_skiff_n=0
run_skiff () {
  _skiff_n=$((_skiff_n + 1))
  OUTFILE=$TEST_DIR/out.$_skiff_n
  status=0
  timeout -k 5 "${SKIFF_TEST_TIMEOUT:-120}" "$SKIFF" --root "$ROOT" "$@" \
    >"$OUTFILE" 2>&1 </dev/null 3>&- || status=$?
  output=$(cat "$OUTFILE")
  mapfile -t lines <"$OUTFILE"
  if [ "$status" = 124 ]; then
    echo "run_skiff: \`skiff $*\` timed out" >&2
  fi
}

# run_container [ARGS...]: `skiff run` in the foreground; with ARGS, they
# become process.args first.
run_container () {
  if [ $# -gt 0 ]; then set_args "$@"; fi
  run_skiff run --bundle "$BUNDLE" "$ID"
}

# ---------------------------------------------------------------- assertions

assert_status () {
  [ "$status" -eq "$1" ] || fail "expected status $1, got $status"
}

assert_output_contains () {
  [[ "$output" == *"$1"* ]] || fail "expected output to contain \`$1\`"
}

refute_output_contains () {
  [[ "$output" != *"$1"* ]] || fail "expected output not to contain \`$1\`"
}

# assert_nothing_left ID: no state dir, no cgroup named for ID, no mount
# under the test dir and no process of this test.
assert_nothing_left () {
  local id=$1 left
  if [ -n "$id" ] && [[ "$id" != */* ]] && [ "$id" != . ] && [ "$id" != .. ]; then
    [ ! -e "$ROOT/$id" ] || fail "state dir \`$ROOT/$id\` left behind" || return 1
  fi
  left=$(find "$ROOT" -mindepth 1 -maxdepth 1 2>/dev/null)
  [ -z "$left" ] || fail "left in the state root: $left" || return 1
  left=$(_skiff_cgroups_named "$id")
  [ -z "$left" ] || fail "cgroup left behind: $left" || return 1
  left=$(_skiff_test_mounts)
  [ -z "$left" ] || fail "mounts left behind: $left" || return 1
  left=$(_skiff_test_pids)
  [ -z "$left" ] || fail "processes left behind: $(for p in $left; do
    tr '\0' ' ' </proc/$p/cmdline 2>/dev/null; echo; done)" || return 1
}

# assert_failed_cleanly ID MSG: the last `run` failed, printed MSG, and left
# nothing behind.  The state root must be otherwise empty too: use it for
# tests where no other container exists.
assert_failed_cleanly () {
  [ "$status" -ne 0 ] || fail "expected failure, got status 0" || return 1
  [[ "$output" == *"$2"* ]] || fail "expected message \`$2\`" || return 1
  assert_nothing_left "$1"
}

# ---------------------------------------------------------------- state

json_field () {
  python3 -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
' "$output" "$1"
}

state_field () {
  local out
  out=$("$SKIFF" --root "$ROOT" state "$1") || return 1
  output=$out json_field "$2"
}

wait_for_status () {
  local id=$1 want=$2 i s=
  for i in $(seq 1 100); do
    s=$(state_field "$id" status 2>/dev/null) || s=gone
    [ "$s" = "$want" ] && return 0
    sleep 0.1
  done
  fail "container \`$id\` did not reach status \`$want\` (last: \`$s\`)"
}

# timed_wait PID: `wait` for a background child of the test, but give up
# after ~60 s (a hang guard, not a timing assertion: the child is killed and
# the test fails).  Sets $rc to the child's exit status.
timed_wait () {
  local i st=
  for i in $(seq 1 600); do
    st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) || st=
    if [ -z "$st" ] || [ "$st" = Z ]; then break; fi
    sleep 0.1
  done
  if [ -n "$st" ] && [ "$st" != Z ]; then
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    rc=137
    fail "pid $1 still running after 60 s: killed"
    return 1
  fi
  rc=0
  wait "$1" || rc=$?
}

# wait_for_file PATH: poll until PATH exists (a readiness marker written by
# `/probe signals PATH`, a socket...); fails after ~10 s.
wait_for_file () {
  local i
  for i in $(seq 1 100); do
    [ -e "$1" ] && return 0
    sleep 0.1
  done
  fail "\`$1\` did not appear"
}

# validate_schema NAME FILE: FILE (or - for stdin) against
# $SKIFF_SCHEMA_DIR/NAME, resolving the schema's relative $refs.
validate_schema () {
  [ -n "$SKIFF_SCHEMA_DIR" ] || skip "runtime-spec schemas not found (../shared/oci-runtime-spec/schema)"
  python3 "$BATS_TEST_DIRNAME/validate-json.py" "$SKIFF_SCHEMA_DIR/$1" "$2"
}
