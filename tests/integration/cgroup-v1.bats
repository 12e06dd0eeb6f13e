#!/usr/bin/env bats
# The cgroup v1 manager on a hybrid (or legacy) host: every linux.resources
# field written into the container's v1 files and read back from the host
# side, limits enforced (judged by the kernel's counters, never by time),
# freezer, update, ps, events --stats, kill --all, delete in every
# hierarchy.  Skipped where the host has no v1 controller hierarchy (the
# pure v2 layout is tested in tests/vm).

load helpers

setup () {
  grep -q ' - cgroup cgroup .*\b\(cpu\|memory\|pids\|freezer\)\b' /proc/self/mountinfo \
    || skip "no cgroup v1 controller hierarchy on this host"
  skiff_setup
}

# The v1 directory of the container in the hierarchy mounted at /sys/fs/cgroup/$1
# (cgroupsPath absent: <id> below our own cgroup of that hierarchy, as runc).
v1dir () {
  local ctrl=$1 own
  own=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
  own=${own%/}
  echo "/sys/fs/cgroup/$ctrl$own/$ID"
}

start_sleeper () {
  set_args /probe sleep 300
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
}

# read_is FILE VALUE: the file's first line is VALUE.
read_is () {
  local got
  got=$(head -n1 "$1") || fail "cannot read $1"
  [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}

# poll_until CMD...: retry CMD every 0.1 s up to ~30 s (a hang guard).
poll_until () {
  local i
  for i in $(seq 1 300); do
    "$@" && return 0
    sleep 0.1
  done
  fail "condition never held: $*"
}

no_cgroup_left () {
  local left
  left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$1*" 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left: $left"
}

@test "cgroup v1: the container is in every hierarchy, and delete removes every one" {
  start_sleeper
  local pid h d
  pid=$(state_field "$ID" pid)
  for h in cpu cpuacct cpuset memory devices freezer blkio pids; do
    [ -d "/sys/fs/cgroup/$h" ] || continue
    d=$(v1dir "$h")
    grep -qx "$pid" "$d/cgroup.procs" || fail "pid $pid not in $d"
  done
  grep -q "^[0-9]*:name=systemd:.*/$ID\$" "/proc/$pid/cgroup" || fail "not in name=systemd: $(cat /proc/$pid/cgroup)"
  if [ -d /sys/fs/cgroup/unified ]; then
    grep -q "^0::.*/$ID\$" "/proc/$pid/cgroup" || fail "not in the unified hierarchy: $(cat /proc/$pid/cgroup)"
  fi
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["cgroupManager"] in ("v1-hybrid", "v1"), s.get("cgroupManager")
ctrls = [p["controllers"] for p in s["cgroupPlaces"]]
assert "name=systemd" in ctrls and any("memory" in c.split(",") for c in ctrls), ctrls
assert all(p["created"] for p in s["cgroupPlaces"]), s["cgroupPlaces"]
' "$ROOT/$ID/state.json" || fail "state.json: $(cat "$ROOT/$ID/state.json")"
  run_skiff delete --force "$ID"
  assert_status 0
  no_cgroup_left "$ID"
}

@test "cgroup v1: each resource is written to the container's v1 files" {
  local dev
  dev=$(cat /sys/block/"$(ls /sys/block | grep -v -e '^loop' -e '^zram' | head -n1)"/dev)
  cfg "
r = c['linux'].setdefault('resources', {})
r['cpu'] = {'shares': 512, 'quota': 30000, 'period': 100000, 'cpus': '0', 'mems': '0',
            'realtimeRuntime': 10000, 'realtimePeriod': 1000000}
r['memory'] = {'limit': 67108864, 'reservation': 33554432, 'swap': 134217728,
               'swappiness': 10, 'kernelTCP': 16777216}
r['pids'] = {'limit': 42}
r['blockIO'] = {'weight': 300, 'throttleReadBpsDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:}, 'rate': 1048576}],
                'throttleWriteIOPSDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:}, 'rate': 100}]}
r['devices'] = [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'rw'}]
"
  start_sleeper
  local cpu mem
  cpu=$(v1dir cpu); mem=$(v1dir memory)
  read_is "$cpu/cpu.shares" 512
  read_is "$cpu/cpu.cfs_quota_us" 30000
  read_is "$cpu/cpu.cfs_period_us" 100000
  read_is "$cpu/cpu.rt_runtime_us" 10000
  read_is "$cpu/cpu.rt_period_us" 1000000
  read_is "$(v1dir cpuset)/cpuset.cpus" 0
  read_is "$(v1dir cpuset)/cpuset.mems" 0
  read_is "$mem/memory.limit_in_bytes" 67108864
  read_is "$mem/memory.soft_limit_in_bytes" 33554432
  read_is "$mem/memory.memsw.limit_in_bytes" 134217728
  read_is "$mem/memory.swappiness" 10
  read_is "$mem/memory.kmem.tcp.limit_in_bytes" 16777216
  read_is "$(v1dir pids)/pids.max" 42
  read_is "$(v1dir blkio)/blkio.bfq.weight" "default 300" 2>/dev/null \
    || read_is "$(v1dir blkio)/blkio.bfq.weight" 300
  grep -qx "$dev 1048576" "$(v1dir blkio)/blkio.throttle.read_bps_device" || fail "read_bps: $(cat "$(v1dir blkio)/blkio.throttle.read_bps_device")"
  grep -qx "$dev 100" "$(v1dir blkio)/blkio.throttle.write_iops_device" || fail "write_iops"
  # devices: deny-all first, then the config's and the default rules
  grep -qx 'c 10:200 rw' "$(v1dir devices)/devices.list" || fail "devices.list: $(cat "$(v1dir devices)/devices.list")"
  grep -qx 'c 1:3 rwm' "$(v1dir devices)/devices.list" || fail "no /dev/null rule"
  ! grep -q '^a ' "$(v1dir devices)/devices.list" || fail "allow-all left: $(cat "$(v1dir devices)/devices.list")"
}

@test "cgroup v1: disableOOMKiller and the kernel's ignored files are reported" {
  cfg "c['linux'].setdefault('resources', {})['memory'] = {'limit': 67108864, 'disableOOMKiller': True, 'kernel': 33554432, 'useHierarchy': False}"
  start_sleeper
  grep -qx 'oom_kill_disable 1' "$(v1dir memory)/memory.oom_control" || fail "$(cat "$(v1dir memory)/memory.oom_control")"
  # Linux >= 6.1 accepts memory.kmem.limit_in_bytes and ignores it.
  if [ "$(head -n1 "$(v1dir memory)/memory.kmem.limit_in_bytes")" != 33554432 ]; then
    assert_output_contains 'linux.resources.memory.kernel: ignored: this kernel accepts `memory.kmem.limit_in_bytes` but does not enforce it'
  fi
  assert_output_contains 'linux.resources.memory.useHierarchy: ignored'
}

@test "cgroup v1: pids.limit 0 and -1 mean unlimited (max)" {
  cfg "c['linux'].setdefault('resources', {})['pids'] = {'limit': 0}"
  start_sleeper
  read_is "$(v1dir pids)/pids.max" max
  run_skiff update --pids-limit 7 "$ID"
  assert_status 0
  read_is "$(v1dir pids)/pids.max" 7
  run_skiff update --pids-limit -1 "$ID"
  assert_status 0
  read_is "$(v1dir pids)/pids.max" max
}

@test "cgroup v1: a memory hog is killed at memory.limit_in_bytes" {
  cfg "c['linux'].setdefault('resources', {})['memory'] = {'limit': 16777216, 'swap': 16777216}"
  # dd's 64 MiB block buffer cannot fit in 16 MiB
  run_container /bin/dd if=/dev/zero of=/dev/null bs=64M count=1
  [ "$status" -eq 137 ] || fail "expected 137 (SIGKILL), got $status"
}

@test "cgroup v1: fork fails at pids.max" {
  cfg "c['linux'].setdefault('resources', {})['pids'] = {'limit': 4}"
  set_args /bin/sh -c 'for i in 1 2 3 4 5 6 7 8; do /probe sleep 30 & done; wait'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  poll_until grep -q '^max [1-9]' "$(v1dir pids)/pids.events"
  [ "$(cat "$(v1dir pids)/pids.current")" -le 4 ] || fail "pids.current above the limit"
}

@test "cgroup v1: a cpu quota throttles (nr_throttled grows)" {
  cfg "c['linux'].setdefault('resources', {})['cpu'] = {'quota': 10000, 'period': 100000}"
  set_args /bin/sh -c 'while :; do :; done'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  poll_until awk '$1 == "nr_throttled" && $2 > 0 { ok = 1 } END { exit !ok }' "$(v1dir cpu)/cpu.stat"
}

@test "cgroup v1: pause and resume through the v1 freezer" {
  start_sleeper
  local fz
  fz=$(v1dir freezer)/freezer.state
  run_skiff pause "$ID"
  assert_status 0
  read_is "$fz" FROZEN
  [ "$(state_field "$ID" status)" = paused ]
  run_skiff resume "$ID"
  assert_status 0
  read_is "$fz" THAWED
  [ "$(state_field "$ID" status)" = running ]
}

@test "cgroup v1: update with flags and --resources" {
  start_sleeper
  run_skiff update --memory 100000000 --memory-swap 200000000 --cpu-shares 256 --cpu-quota 20000 --cpu-period 50000 --pids-limit 33 "$ID"
  assert_status 0
  read_is "$(v1dir memory)/memory.limit_in_bytes" 99999744
  read_is "$(v1dir memory)/memory.memsw.limit_in_bytes" 199999488
  read_is "$(v1dir cpu)/cpu.shares" 256
  read_is "$(v1dir cpu)/cpu.cfs_quota_us" 20000
  read_is "$(v1dir cpu)/cpu.cfs_period_us" 50000
  read_is "$(v1dir pids)/pids.max" 33
  echo '{"memory": {"limit": 50000000}, "cpu": {"cpus": "0"}, "blockIO": {"weight": 200}}' >"$TEST_DIR/r.json"
  run_skiff update --resources "$TEST_DIR/r.json" "$ID"
  assert_status 0
  read_is "$(v1dir memory)/memory.limit_in_bytes" 49999872
  read_is "$(v1dir cpuset)/cpuset.cpus" 0
  grep -q 200 "$(v1dir blkio)/blkio.bfq.weight" || fail "blkio weight: $(cat "$(v1dir blkio)/blkio.bfq.weight")"
}

@test "cgroup v1: ps and events --stats (runc's field names)" {
  cfg "c['linux'].setdefault('resources', {}).update({'memory': {'limit': 67108864}, 'pids': {'limit': 50}})"
  start_sleeper
  local pid
  pid=$(state_field "$ID" pid)
  run_skiff ps --format json "$ID"
  assert_status 0
  [ "$output" = "[$pid]" ] || fail "expected [$pid]"
  run_skiff events --stats "$ID"
  assert_status 0
  echo "$output" | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
d = e["data"]
assert e["type"] == "stats" and e["id"] == sys.argv[1], e
assert d["memory"]["usage"]["limit"] == 67108864, d["memory"]["usage"]
assert d["memory"]["usage"]["usage"] > 0 and "raw" in d["memory"], d["memory"]
assert "rss" in d["memory"]["raw"] or "total_rss" in d["memory"]["raw"], d["memory"]["raw"]
assert d["pids"] == {"current": 1, "limit": 50}, d["pids"]
assert d["cpu"]["usage"]["total"] > 0 and len(d["cpu"]["usage"]["percpu"]) >= 1, d["cpu"]
assert "throttling" in d["cpu"] and "ioServiceBytesRecursive" in d["blkio"], d
' "$ID" || fail "bad stats event: $output"
}

@test "cgroup v1: kill --all freezes, signals every pid, thaws" {
  cfg "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
  set_args /bin/sh -c '/probe sleep 300 & /probe sleep 300 & exec /probe sleep 300'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local procs
  procs=$(v1dir freezer)/cgroup.procs
  poll_until test "$(wc -l <"$procs")" -ge 3
  run_skiff kill --all "$ID" TERM
  assert_status 0
  poll_until test -z "$(cat "$procs")"
  read_is "$(v1dir freezer)/freezer.state" THAWED
  wait_for_status "$ID" stopped
}

@test "cgroup v1: a nested cgroupsPath removes the parents it made, keeps a pre-existing cpuset parent" {
  mkdir "/sys/fs/cgroup/cpuset/$ID-p"
  echo 0 >"/sys/fs/cgroup/cpuset/$ID-p/cpuset.cpus"
  echo 0 >"/sys/fs/cgroup/cpuset/$ID-p/cpuset.mems"
  cfg "c['linux']['cgroupsPath'] = '/$ID-p/mid/$ID'"
  start_sleeper
  read_is "/sys/fs/cgroup/cpuset/$ID-p/mid/$ID/cpuset.cpus" 0
  read_is "/sys/fs/cgroup/cpuset/$ID-p/mid/$ID/cpuset.mems" 0
  grep -qx "$(state_field "$ID" pid)" "/sys/fs/cgroup/memory/$ID-p/mid/$ID/cgroup.procs" || fail "not in memory"
  run_skiff delete --force "$ID"
  assert_status 0
  [ -d "/sys/fs/cgroup/cpuset/$ID-p" ] || fail "pre-existing parent removed"
  [ ! -e "/sys/fs/cgroup/cpuset/$ID-p/mid" ] || fail "made parent left in cpuset"
  [ ! -e "/sys/fs/cgroup/memory/$ID-p" ] || fail "made parent left in memory"
  rmdir "/sys/fs/cgroup/cpuset/$ID-p"
  no_cgroup_left "$ID"
}

@test "cgroup v1: exec --cgroup takes runc's CONTROLLER:PATH per hierarchy" {
  start_sleeper
  mkdir "$(v1dir cpu)/sub" "$(v1dir memory)/sub"
  run_skiff exec --cgroup cpu:sub --cgroup memory:/sub "$ID" /probe cgroup
  assert_status 0
  # The default config has a cgroup namespace rooted at the container's
  # own cgroups (created once init is placed): inside, its cgroup reads `/`
  # and the exec's `sub` reads `/sub`; without one, the host paths.
  echo "$output" | grep -Eq "^[0-9]*:cpu:(.*/$ID)?/sub\$" || fail "cpu: $output"
  echo "$output" | grep -Eq "^[0-9]*:memory:(.*/$ID)?/sub\$" || fail "memory: $output"
  echo "$output" | grep -Eq "^[0-9]*:pids:(.*/$ID|/)\$" || fail "pids: $output"
  run_skiff exec --cgroup nosuch:sub "$ID" /probe cgroup
  [ "$status" -ne 0 ] || fail "unknown controller accepted"
  assert_output_contains 'no cgroup hierarchy has controller `nosuch`'
}

@test "cgroup v1: an invalid value fails before any cgroup exists" {
  cfg "c['linux'].setdefault('resources', {})['memory'] = {'swappiness': 200}"
  run_container
  assert_failed_cleanly "$ID" 'linux.resources.memory.swappiness: expected integer in 0..100'
  no_cgroup_left "$ID"
}

@test "cgroup v1: hugepageLimits go to the unified hierarchy when only it has hugetlb" {
  grep -q ' - cgroup cgroup .*hugetlb' /proc/self/mountinfo && skip "hugetlb is a v1 hierarchy here"
  grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || skip "no hugetlb in the unified hierarchy"
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
  cfg "c['linux'].setdefault('resources', {})['hugepageLimits'] = [{'pageSize': '2MB', 'limit': 4194304}]"
  start_sleeper
  local own
  own=$(sed -n 's/^0:://p' /proc/self/cgroup); own=${own%/}
  read_is "/sys/fs/cgroup/unified$own/$ID/hugetlb.2MB.max" 4194304
  run_skiff delete --force "$ID"
  assert_status 0
  no_cgroup_left "$ID"
}

# config.md "Device allowed list"; runc's update of a running container.
# Rewriting the list from `deny a` takes every device away from the
# container for as long as the rewrite lasts, and the kernel refuses `a`
# once the cgroup has a child: update writes only the difference.
@test "cgroup v1: update of devices never denies what both lists allow, and works with a child cgroup" {
  [ -d /sys/fs/cgroup/devices ] || skip "no v1 devices hierarchy"
  set_args /bin/sh -c 'while :; do true </dev/null || echo x >>/dev/shm/fails; done'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local d i
  d=$(v1dir devices)
  echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]}' >"$TEST_DIR/a.json"
  echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]}' >"$TEST_DIR/b.json"
  for i in $(seq 1 15); do
    run_skiff update --resources "$TEST_DIR/a.json" "$ID"
    assert_status 0
    run_skiff update --resources "$TEST_DIR/b.json" "$ID"
    assert_status 0
  done
  grep -qx 'b 7:0 r' "$d/devices.list" || fail "b 7:0 r missing: $(cat "$d/devices.list")"
  ! grep -q '^c 10:200 ' "$d/devices.list" || fail "c 10:200 still allowed: $(cat "$d/devices.list")"
  grep -qx 'c 1:3 rwm' "$d/devices.list" || fail "/dev/null not allowed: $(cat "$d/devices.list")"
  run_skiff exec "$ID" /bin/sh -c 'cat /dev/shm/fails 2>/dev/null | wc -l'
  assert_status 0
  [ "$(echo "$output" | tr -d ' ')" = 0 ] || fail "opens of /dev/null failed during update: $output"
  mkdir "$d/sub"
  run_skiff update --resources "$TEST_DIR/a.json" "$ID"
  local st=$status
  rmdir "$d/sub"
  [ "$st" = 0 ] || fail "update with a child cgroup: $output"
  grep -q '^c 10:200 rwm' "$d/devices.list" || fail "c 10:200 not allowed: $(cat "$d/devices.list")"
}
