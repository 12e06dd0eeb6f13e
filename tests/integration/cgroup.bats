#!/usr/bin/env bats
# The cgroup manager on the host, whatever its layout (config-linux.md
# "Control groups", "Cgroups Path", "Allowed Device list"; runtime.md
# "pause"/"kill" as runc implements them): membership of the unified
# hierarchy (pure v2, or the hybrid layout's /sys/fs/cgroup/unified, where
# the container is placed too), paths, pause, kill, ps, stats, devices.
# The v1 controllers of a hybrid host are in cgroup-v1.bats; v2 resource
# limits in the pure cgroup v2 VM (tests/vm, `make check-vm`).

load helpers

cg_mount () {
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo /sys/fs/cgroup
  else
    echo /sys/fs/cgroup/unified
  fi
}

# v1 controllers mounted (hybrid or legacy): the v1 manager runs.
have_v1 () {
  grep -q ' - cgroup cgroup .*\b\(cpu\|memory\|pids\|freezer\|devices\)\b' /proc/self/mountinfo
}

# The cgroup a relative path (the default <id>) lands in, as runc resolves
# it: on v2 below the parent of our own cgroup; on a hybrid host's unified
# hierarchy below our own (runc's fs manager treats every hierarchy alike).
default_cg () {
  local own parent
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  parent=${own%/*}
  if have_v1; then parent=${own%/}; fi
  echo "$(cg_mount)${parent}/$1"
}

start_sleeper () {
  set_args /probe sleep 300
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
}

wait_cgroup_empty () {
  local i
  for i in $(seq 1 100); do
    [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  fail "processes still in $1: $(cat "$1/cgroup.procs")"
}

@test "cgroup: the container's process is a member of its cgroup in the unified hierarchy" {
  start_sleeper
  local pid cg
  pid=$(state_field "$ID" pid)
  cg=$(default_cg "$ID")
  [ -d "$cg" ] || fail "no cgroup $cg"
  grep -qx "$pid" "$cg/cgroup.procs" || fail "pid $pid not in $cg/cgroup.procs"
  grep -q "^0::.*/$ID\$" "/proc/$pid/cgroup" || fail "$(cat /proc/$pid/cgroup)"
  run_skiff delete --force "$ID"
  assert_status 0
  [ ! -d "$cg" ] || fail "cgroup $cg left after delete"
}

@test "cgroup: absolute cgroupsPath is relative to the mount point and removed on delete" {
  cfg "c['linux']['cgroupsPath'] = '/$ID'"
  start_sleeper
  grep -qx "$(state_field "$ID" pid)" "$(cg_mount)/$ID/cgroup.procs"
  run_skiff delete --force "$ID"
  assert_status 0
  [ ! -d "$(cg_mount)/$ID" ]
}

@test "cgroup: delete never removes a cgroup skiff did not create" {
  mkdir "$(cg_mount)/$ID"
  cfg "c['linux']['cgroupsPath'] = '/$ID'"
  start_sleeper
  run_skiff delete --force "$ID"
  assert_status 0
  [ -d "$(cg_mount)/$ID" ] || fail "pre-existing cgroup removed"
  rmdir "$(cg_mount)/$ID"
}

@test "cgroup: a busy pre-existing cgroup is joined with a warning, as runc does" {
  mkdir "$(cg_mount)/$ID"
  sleep 300 3>&- &
  local pid=$!
  echo "$pid" >"$(cg_mount)/$ID/cgroup.procs"
  cfg "c['linux']['cgroupsPath'] = '/$ID'"
  start_sleeper
  assert_output_contains "already exists and is not empty (1 process(es)): the container joins it as runc does"
  grep -qx "$(state_field "$ID" pid)" "$(cg_mount)/$ID/cgroup.procs" || fail "container not in the cgroup"
  run_skiff kill "$ID" KILL
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  # not ours: kept, and so is the process skiff did not start
  grep -qx "$pid" "$(cg_mount)/$ID/cgroup.procs" || fail "foreign process gone"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  wait_cgroup_empty "$(cg_mount)/$ID"
  rmdir "$(cg_mount)/$ID"
}

@test "cgroup: cgroupsPath with .. is refused and nothing is left" {
  cfg "c['linux']['cgroupsPath'] = '/a/../../$ID'"
  run_container
  assert_failed_cleanly "$ID" 'linux.cgroupsPath: `/a/../../'"$ID"'`: a `..` component would escape the cgroup hierarchy'
}

@test "cgroup: --systemd-cgroup without systemd is a clear error" {
  [ ! -d /run/systemd/system ] || skip "systemd runs here"
  cfg "c['linux']['cgroupsPath'] = 'system.slice:skiff:$ID'"
  run_skiff --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  # The same on every layout (the driver runs on v1/hybrid hosts too):
  # refused before anything is made (sd_booted's test, as runc's).
  if grep -q '^#define HAVE_SYSTEMD 1' "$(dirname "$SKIFF")/config.h" 2>/dev/null; then
    assert_failed_cleanly "$ID" '--systemd-cgroup: systemd is not running on this host (no `/run/systemd/system`)'
  else
    assert_failed_cleanly "$ID" "--systemd-cgroup: skiff was built without systemd support"
  fi
}

@test "cgroup: --systemd-cgroup with a malformed cgroupsPath shows the expected form" {
  [ ! -d /run/systemd/system ] || skip "systemd runs here"
  cfg "c['linux']['cgroupsPath'] = '/not/a/slice'"
  run_skiff --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" 'linux.cgroupsPath: `/not/a/slice`: expected `slice:prefix:name`'
}

@test "cgroup: a resource whose controller the hierarchy lacks is an error naming it" {
  if have_v1; then
    grep -q ' - cgroup cgroup .*net_cls' /proc/self/mountinfo && skip "net_cls is mounted here"
    cfg "c['linux']['resources']['network'] = {'classID': 1048577}"
    run_container
    assert_failed_cleanly "$ID" 'cgroup controller `net_cls` is not mounted on this host (cgroup v1 hierarchies: '
    return
  fi
  grep -qw memory "$(cg_mount)/cgroup.controllers" && skip "memory controller available here"
  cfg "c['linux']['resources']['memory'] = {'limit': 67108864}"
  run_container
  assert_failed_cleanly "$ID" "cgroup controller \`memory\` is not available in \`$(cg_mount)\` (controllers available: "
}

@test "cgroup: update of a resource the hierarchy lacks fails and names the controller" {
  if have_v1; then
    grep -q ' - cgroup cgroup .*net_cls' /proc/self/mountinfo && skip "net_cls is mounted here"
    start_sleeper
    echo '{"network": {"classID": 1048577}}' >"$TEST_DIR/r.json"
    run_skiff update --resources "$TEST_DIR/r.json" "$ID"
    [ "$status" -ne 0 ] || fail "update succeeded"
    assert_output_contains 'cgroup controller `net_cls` is not mounted on this host'
    return
  fi
  grep -qw pids "$(cg_mount)/cgroup.controllers" && skip "pids controller available here"
  start_sleeper
  run_skiff update --pids-limit 10 "$ID"
  [ "$status" -ne 0 ] || fail "update succeeded"
  assert_output_contains 'cgroup controller `pids` is not available'
}

@test "cgroup: pause freezes the cgroup, state says paused, resume thaws" {
  start_sleeper
  local cg
  cg=$(default_cg "$ID")
  # On v1 the freezer the clients read is the v1 one.
  local fz="$cg/cgroup.events" on='frozen 1' off='frozen 0'
  if have_v1; then
    fz="/sys/fs/cgroup/freezer$(sed -n 's/^[0-9]*:freezer://p' /proc/self/cgroup | sed 's#/$##')/$ID/freezer.state"
    on=FROZEN off=THAWED
  fi
  run_skiff pause "$ID"
  assert_status 0
  grep -qx "$on" "$fz" || fail "$(cat "$fz")"
  [ "$(state_field "$ID" status)" = paused ]
  run_skiff pause "$ID"
  [ "$status" -ne 0 ] || fail "pausing a paused container succeeded"
  assert_output_contains "container not running"
  run_skiff resume "$ID"
  assert_status 0
  grep -qx "$off" "$fz" || fail "$(cat "$fz")"
  [ "$(state_field "$ID" status)" = running ]
  run_skiff resume "$ID"
  [ "$status" -ne 0 ] || fail "resuming a running container succeeded"
  assert_output_contains "container not paused"
}

@test "cgroup: kill --all reaches processes that outlive init (no pid namespace)" {
  # No pid namespace: killing init alone would leave its children running.
  cfg "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
  set_args /bin/sh -c '/probe sleep 300 & /probe sleep 300 & exec /probe sleep 300'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local cg i n
  cg=$(default_cg "$ID")
  for i in $(seq 1 50); do
    n=$(wc -l <"$cg/cgroup.procs")
    [ "$n" -ge 3 ] && break
    sleep 0.1
  done
  [ "$n" -ge 3 ] || fail "expected 3 processes, got $n"
  run_skiff kill --all "$ID" KILL
  assert_status 0
  wait_cgroup_empty "$cg"
  wait_for_status "$ID" stopped
}

@test "cgroup: kill --all with a catchable signal signals every process" {
  cfg "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
  set_args /bin/sh -c '/probe sleep 300 & exec /probe sleep 300'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local cg
  cg=$(default_cg "$ID")
  sleep 0.5
  run_skiff kill --all "$ID" TERM
  assert_status 0
  wait_cgroup_empty "$cg"
}

@test "cgroup: ps lists the container's pids" {
  start_sleeper
  local pid
  pid=$(state_field "$ID" pid)
  run_skiff ps --format json "$ID"
  assert_status 0
  [ "$output" = "[$pid]" ] || fail "expected [$pid]"
  run_skiff ps "$ID"
  assert_status 0
  [[ "${lines[0]}" == *PID* ]] || fail "no header"
  [[ "${lines[1]}" == *" $pid "* ]] || fail "pid $pid not listed"
  [ "${#lines[@]}" -eq 2 ] || fail "other processes listed"
}

@test "cgroup: events --stats prints one stats event in runc's format" {
  start_sleeper
  run_skiff events --stats "$ID"
  assert_status 0
  echo "$output" | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
assert e["type"] == "stats" and e["id"] == sys.argv[1], e
d = e["data"]
for k in ("cpu", "memory", "pids", "blkio", "hugetlb"):
    assert k in d, k
assert d["cpu"]["usage"]["total"] > 0, d["cpu"]
' "$ID" || fail "bad stats event"
}

@test "cgroup: a denied device cannot be written (eBPF device filter), update replaces the filter" {
  cfg "
for k in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][k].append('CAP_MKNOD')
c['linux']['resources']['devices'] = [{'allow': False, 'access': 'rwm'}]
"
  # Open a node of char 240:0 (a local/experimental number with no driver)
  # every 0.1 s: the device filter answers EPERM before any driver is
  # looked up; allowed, the open fails with ENXIO instead.
  set_args /bin/sh -c 'mknod /dev/k c 240 0; while :; do case "$( (: </dev/k) 2>&1)" in *"not permitted"*) r=denied;; *) r=allowed;; esac; echo $r >/dev/result.tmp; mv /dev/result.tmp /dev/result; sleep 0.1; done'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local pid i r
  pid=$(state_field "$ID" pid)
  for i in $(seq 1 50); do
    r=$(cat "/proc/$pid/root/dev/result" 2>/dev/null) && [ -n "$r" ] && break
    sleep 0.1
  done
  [ "$r" = denied ] || fail "expected denied, got '$r'"
  echo '{"devices": [{"allow": true, "type": "c", "major": 240, "minor": 0, "access": "rw"}]}' \
    | skiff update --resources - "$ID"
  for i in $(seq 1 50); do
    r=$(cat "/proc/$pid/root/dev/result" 2>/dev/null)
    [ "$r" = allowed ] && break
    sleep 0.1
  done
  [ "$r" = allowed ] || fail "update did not allow the device: '$r'"
}
