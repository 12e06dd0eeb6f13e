#!/usr/bin/env bats
# Namespaces created and joined (config-linux.md "Namespaces", "User
# namespace mappings", "Offset for Time Namespace"), compared by inode from
# inside the container with `probe ns`.

load helpers

HOLDERS=()

teardown () {
  local p
  for p in "${HOLDERS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  skiff_teardown
}

# ns_in_output NAME: the inode `probe ns` printed for NAME.
ns_in_output () {
  echo "$output" | sed -n "s/^$1=//p" | head -1
}

host_ns () {
  stat -L -c %i "/proc/$$/ns/$1"
}

# start_holder VAR CMD...: run CMD in the background (an `unshare ...
# sleep`), remember it for teardown, wait until its namespaces differ from
# ours (unshare execs sleep after unsharing), store the pid in VAR.
start_holder () {
  local var=$1 ns=$2; shift 2
  "$@" &
  local pid=$! i
  HOLDERS+=("$pid")
  for i in $(seq 1 100); do
    if [ -n "$(pgrep -P "$pid" 2>/dev/null)" ]; then
      pid=$(pgrep -P "$pid" | head -1)   # unshare --fork: the child holds them
      HOLDERS+=("$pid")
    fi
    if [ "$(stat -L -c %i "/proc/$pid/ns/$ns" 2>/dev/null)" != "$(host_ns "$ns")" ] \
        && [ -e "/proc/$pid/ns/$ns" ]; then
      printf -v "$var" %s "$pid"
      return 0
    fi
    sleep 0.1
  done
  fail "holder \`$*\` did not create its namespaces"
}

# set_ns TYPE [PATH]: replace the namespace entry of TYPE (path or new).
set_ns () {
  cfg "
ns = [n for n in c['linux']['namespaces'] if n['type'] != '$1']
e = {'type': '$1'}
if '${2:-}': e['path'] = '${2:-}'
c['linux']['namespaces'] = ns + [e]"
}

# config-linux.md "Namespaces": no path -> a new namespace of that type
@test "new pid, network, mount, ipc, uts, cgroup and time namespaces" {
  local t
  for t in pid network mount ipc uts cgroup time; do set_ns "$t"; done
  run_container /probe ns pid
  assert_status 0
  for t in pid net mnt ipc uts cgroup time; do
    local in host
    in=$(ns_in_output "$t")
    host=$(host_ns "$t")
    [ -n "$in" ] || fail "probe printed no $t namespace"
    [ "$in" != "$host" ] || fail "$t namespace is the host's ($host)"
  done
  # not asked for: inherited
  [ "$(ns_in_output user)" = "$(host_ns user)" ] || fail "user namespace should be the host's"
  assert_output_contains "pid=1"
}

@test "a namespace type left out is the runtime's" {
  cfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in ("ipc", "cgroup")]'
  run_container /probe ns
  assert_status 0
  [ "$(ns_in_output ipc)" = "$(host_ns ipc)" ] || fail "ipc should be inherited"
  [ "$(ns_in_output cgroup)" = "$(host_ns cgroup)" ] || fail "cgroup should be inherited"
}

@test "a new cgroup namespace shows the container's cgroup as its root" {
  set_ns cgroup
  run_container /probe cgroup
  assert_status 0
  local bad
  bad=$(echo "$output" | grep -E '^[0-9]+:' | grep -v -E ':/$' || true)
  [ -z "$bad" ] || fail "cgroup paths not rooted: $bad"
}

# config-linux.md "Namespaces": path -> join it
@test "network, ipc, uts and cgroup namespaces joined by path" {
  local h
  start_holder h net unshare --net --ipc --uts --cgroup sleep 1000
  local t
  for t in network:net ipc:ipc uts:uts cgroup:cgroup; do
    set_ns "${t%%:*}" "/proc/$h/ns/${t##*:}"
  done
  cfg 'c.pop("hostname", None)'
  run_container /probe ns
  assert_status 0
  for t in net ipc uts cgroup; do
    [ "$(ns_in_output "$t")" = "$(stat -L -c %i "/proc/$h/ns/$t")" ] \
      || fail "$t namespace is not the holder's"
  done
}

@test "a hostname is set in a joined uts namespace" {
  local h
  start_holder h uts unshare --uts sleep 1000
  set_ns uts "/proc/$h/ns/uts"
  cfg 'c["hostname"] = "joined-box"'
  run_container /probe hostname
  assert_status 0
  assert_output_contains "hostname=joined-box"
  [ "$(nsenter --uts="/proc/$h/ns/uts" hostname)" = joined-box ] || fail "not set in the joined namespace"
}

@test "a mount namespace joined by path" {
  local h
  start_holder h mnt unshare --mount sleep 1000
  set_ns mount "/proc/$h/ns/mnt"
  run_container /probe ns
  assert_status 0
  [ "$(ns_in_output mnt)" = "$(stat -L -c %i "/proc/$h/ns/mnt")" ] || fail "mnt namespace is not the holder's"
}

# joining a pid namespace needs a fork so the container's process is in it
@test "a pid namespace joined by path" {
  local h
  start_holder h pid unshare --pid --fork sleep 1000
  set_ns pid "/proc/$h/ns/pid"
  run_container /probe ns pid
  assert_status 0
  [ "$(ns_in_output pid)" = "$(stat -L -c %i "/proc/$h/ns/pid")" ] || fail "pid namespace is not the holder's"
  local inpid
  inpid=$(echo "$output" | sed -n 's/^pid=\([0-9]*\)$/\1/p' | head -1)
  [ -n "$inpid" ] && [ "$inpid" -gt 1 ] || fail "the holder's sleep is pid 1 there: got pid \`$inpid\`"
}

# config-linux.md "Offset for Time Namespace"
@test "time namespace with boottime and monotonic offsets" {
  set_ns time
  cfg 'c["linux"]["timeOffsets"] = {"boottime": {"secs": 1000000, "nanosecs": 0}, "monotonic": {"secs": 500000}}'
  local before
  before=$(cut -d' ' -f1 /proc/uptime)
  run_container /bin/cat /proc/uptime
  assert_status 0
  local inside
  inside=$(echo "$output" | cut -d' ' -f1)
  awk -v i="$inside" -v b="$before" 'BEGIN { exit !(i >= b + 1000000) }' \
    || fail "uptime inside ($inside) is not the host's ($before) + 1000000"
  awk -v i="$inside" -v b="$before" 'BEGIN { exit !(i < b + 2000000) }' \
    || fail "uptime inside ($inside) is far beyond the offset"
}

@test "a time namespace joined by path" {
  local h
  start_holder h time unshare --time --fork --boottime 2000000 sleep 1000
  set_ns time "/proc/$h/ns/time"
  local before
  before=$(cut -d' ' -f1 /proc/uptime)
  run_container /probe ns cat /proc/uptime
  assert_status 0
  [ "$(ns_in_output time)" = "$(stat -L -c %i "/proc/$h/ns/time")" ] || fail "time namespace is not the holder's"
  local inside
  inside=$(echo "$output" | tail -1 | cut -d' ' -f1)
  awk -v i="$inside" -v b="$before" 'BEGIN { exit !(i >= b + 2000000) }' \
    || fail "uptime inside ($inside) lacks the holder's offset"
}

# The mapped root must reach and own the rootfs: mktemp made the test dir
# 0700 (runc has the same requirement on the bundle path).
userns_rootfs () {
  chmod o+x "$TEST_DIR" "$BUNDLE"
  chown -R 100000:100000 "$BUNDLE/rootfs"
}

# config-linux.md "User namespace mappings"
@test "user namespace with uid and gid mappings" {
  userns_rootfs
  set_ns user
  cfg 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  run_container /probe ns ids cat /proc/self/uid_map cat /proc/self/gid_map
  assert_status 0
  [ "$(ns_in_output user)" != "$(host_ns user)" ] || fail "user namespace is the host's"
  assert_output_contains "uid=0"
  local maps
  maps=$(echo "$output" | awk 'NF == 3 && $2 == 100000 { print $1, $2, $3 }')
  [ "$(echo "$maps" | grep -c '^0 100000 65536$')" = 2 ] || fail "uid_map/gid_map wrong: $maps"
}

@test "user namespace: a container uid outside the mapping fails cleanly" {
  userns_rootfs
  set_ns user
  cfg 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000}]
c["process"]["user"] = {"uid": 5000, "gid": 0}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "uid 5000 / gid 0 is not in linux.uidMappings"
}

# config-linux.md "Namespaces": a path that is not a namespace of type
# `type` MUST be an error
@test "a namespace path that is not a namespace fails cleanly" {
  set_ns network "$BUNDLE/config.json"
  run_container /probe ns
  assert_failed_cleanly "$ID" "\`$BUNDLE/config.json\` is not a namespace file"
}

@test "a namespace path of the wrong type fails cleanly" {
  set_ns network /proc/self/ns/uts
  run_container /probe ns
  assert_failed_cleanly "$ID" "\`/proc/self/ns/uts\` is not a network namespace"
}

@test "a missing namespace path fails cleanly" {
  set_ns ipc /nonexistent/ns/ipc
  run_container /probe ns
  assert_failed_cleanly "$ID" "open \`/nonexistent/ns/ipc\`"
}

@test "a relative namespace path fails cleanly" {
  set_ns ipc proc/self/ns/ipc
  run_container /probe ns
  assert_failed_cleanly "$ID" "proc/self/ns/ipc"
}

@test "duplicate namespace types fail cleanly" {
  cfg 'c["linux"]["namespaces"] = c["linux"]["namespaces"] + [{"type": "ipc"}]'
  run_container /probe ns
  assert_failed_cleanly "$ID" "ipc"
}
