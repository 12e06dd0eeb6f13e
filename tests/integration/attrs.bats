#!/usr/bin/env bats
# Process and host attributes, checked from inside the container with the
# probe: config.md "Process", "POSIX process", "Linux Process", "User",
# "Hostname", "Domainname"; config-linux.md "Sysctl", "Personality",
# "Memory policy", "Network Devices", "IntelRdt".

load helpers

# CAP_SYS_RESOURCE (bit 24) in our effective set: raising hard limits and
# lowering oom_score_adj would then succeed, and the negative tests skip.
has_cap_sys_resource () {
  local eff
  eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  (( (0x$eff >> 24) & 1 ))
}

# config.md "Hostname", "Domainname"
@test "hostname and domainname are set in the new uts namespace" {
  cfg 'c["hostname"] = "mrsdalloway"; c["domainname"] = "foobarbaz.test"'
  run_container /probe hostname domainname
  assert_status 0
  assert_output_contains "hostname=mrsdalloway"
  assert_output_contains "domainname=foobarbaz.test"
  [ "$(hostname)" != mrsdalloway ] || fail "the host's hostname changed"
}

# config.md "Hostname": the uts namespace must be the container's own
@test "hostname without a uts namespace fails cleanly" {
  cfg 'c["hostname"] = "box"
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]'
  run_container /probe hostname
  assert_failed_cleanly "$ID" "config.json: hostname: requires a new uts namespace"
}

@test "domainname joining the host's uts namespace fails cleanly" {
  cfg 'c["domainname"] = "x.test"; c.pop("hostname", None)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"] + [{"type": "uts", "path": "/proc/'"$$"'/ns/uts"}]'
  run_container /probe hostname
  assert_failed_cleanly "$ID" "config.json: domainname: the joined uts namespace \`/proc/$$/ns/uts\` is the host's"
}

# config.md "POSIX process": rlim_cur / rlim_max MUST match
@test "rlimits are applied" {
  cfg 'c["process"]["rlimits"] = [
  {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
  {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615},
  {"type": "RLIMIT_NPROC", "soft": 4096, "hard": 8192}]'
  run_container /probe rlimits
  assert_status 0
  assert_output_contains "RLIMIT_NOFILE=512 1024"
  assert_output_contains "RLIMIT_CORE=0 unlimited"
  assert_output_contains "RLIMIT_NPROC=4096 8192"
}

# The runtime's own setup (mounts, devices, pivot) opens many fds: a
# small RLIMIT_NOFILE must only bite the container's process
@test "a tiny RLIMIT_NOFILE and RLIMIT_NPROC do not break the container's setup" {
  cfg 'c["process"]["rlimits"] = [
  {"type": "RLIMIT_NOFILE", "soft": 5, "hard": 5},
  {"type": "RLIMIT_NPROC", "soft": 1, "hard": 1}]'
  run_container /probe rlimits
  assert_status 0
  assert_output_contains "RLIMIT_NOFILE=5 5"
  assert_output_contains "RLIMIT_NPROC=1 1"
}

# config.md "POSIX process": only a privileged process can raise a hard
# limit; this host's bounding set lacks CAP_SYS_RESOURCE
@test "RLIMIT_NOFILE above the runtime's hard limit fails cleanly and says why" {
  local hard
  hard=$(ulimit -Hn)
  [ "$hard" != unlimited ] || skip "hard RLIMIT_NOFILE is unlimited here"
  if has_cap_sys_resource; then skip "CAP_SYS_RESOURCE is available"; fi
  local want=$((hard + 10000))
  cfg "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $want, 'hard': $want}]"
  run_container /probe rlimits
  assert_failed_cleanly "$ID" "\`RLIMIT_NOFILE\`: cannot raise the hard limit to \`$want\`, above the runtime's hard limit \`$hard\`: raising a hard limit needs CAP_SYS_RESOURCE"
}

@test "duplicate rlimit types fail cleanly" {
  cfg 'c["process"]["rlimits"] = [
  {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
  {"type": "RLIMIT_NOFILE", "soft": 256, "hard": 256}]'
  run_container /probe rlimits
  assert_failed_cleanly "$ID" "config.json: process.rlimits"
  assert_output_contains "RLIMIT_NOFILE"
}

# config.md "Linux Process": oomScoreAdj
@test "oomScoreAdj is written" {
  cfg 'c["process"]["oomScoreAdj"] = 500'
  run_container /probe oom
  assert_status 0
  assert_output_contains "oom_score_adj=500"
}

@test "oomScoreAdj below the runtime's own needs CAP_SYS_RESOURCE: clean failure" {
  local cur
  cur=$(cat /proc/self/oom_score_adj)
  [ "$cur" -gt -1000 ] || skip "oom_score_adj is already -1000"
  if has_cap_sys_resource; then skip "CAP_SYS_RESOURCE is available"; fi
  cfg "c['process']['oomScoreAdj'] = $((cur - 1))"
  run_container /probe oom
  assert_failed_cleanly "$ID" "process.oomScoreAdj: write \`$((cur - 1))\` to /proc/self/oom_score_adj"
}

@test "oomScoreAdj out of range fails cleanly" {
  cfg 'c["process"]["oomScoreAdj"] = -1001'
  run_container /probe oom
  assert_failed_cleanly "$ID" "config.json: process.oomScoreAdj:"
  assert_output_contains "-1000..1000"
}

# config-linux.md "Personality"
@test "personality LINUX32" {
  cfg 'c["linux"]["personality"] = {"domain": "LINUX32"}'
  run_container /probe personality
  assert_status 0
  assert_output_contains "personality=0x8"
  run_container /bin/uname -m
  assert_status 0
  [[ "$output" == i?86 ]] || fail "uname -m should show a 32-bit machine"
}

@test "personality with an unknown domain or a flag fails cleanly" {
  cfg 'c["linux"]["personality"] = {"domain": "LINUX64"}'
  run_container /probe personality
  assert_failed_cleanly "$ID" "config.json: linux.personality.domain:"
  assert_output_contains "\`LINUX64\`"
  cfg 'c["linux"]["personality"] = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
  run_container /probe personality
  assert_failed_cleanly "$ID" "linux.personality.flags: \`ADDR_NO_RANDOMIZE\`: no personality flags are supported"
}

# config.md "Linux Process": scheduler
@test "scheduler SCHED_BATCH with nice and SCHED_FLAG_RESET_ON_FORK" {
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
  run_container /probe sched
  assert_status 0
  assert_output_contains "policy=3"
  assert_output_contains "nice=7"
  assert_output_contains "reset_on_fork=1"
}

@test "scheduler SCHED_IDLE" {
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_IDLE"}'
  run_container /probe sched
  assert_status 0
  assert_output_contains "policy=5"
}

@test "scheduler SCHED_FIFO priority or a clear error" {
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}'
  run_container /probe sched
  if [ "$status" -eq 0 ]; then
    assert_output_contains "policy=1"
    assert_output_contains "priority=10"
  else
    # cgroup v1 RT group scheduling with no cpu.rt_runtime_us for the group
    assert_failed_cleanly "$ID" "process.scheduler: sched_setattr \`SCHED_FIFO\` priority 10 (real-time"
  fi
}

@test "invalid scheduler settings fail cleanly" {
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_FIFO"}'
  run_container /probe sched
  assert_failed_cleanly "$ID" "config.json: process.scheduler.priority: \`SCHED_FIFO\` needs a priority in 1..99"
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_OTHER", "nice": 42}'
  run_container /probe sched
  assert_failed_cleanly "$ID" "config.json: process.scheduler.nice: expected integer in -20..19"
  cfg 'c["process"]["scheduler"] = {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_BOGUS"]}'
  run_container /probe sched
  assert_failed_cleanly "$ID" "config.json: process.scheduler.flags"
  assert_output_contains "\`SCHED_FLAG_BOGUS\`"
}

# config.md "Linux Process": ioPriority
@test "ioPriority best-effort 6" {
  cfg 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
  run_container /probe ioprio
  assert_status 0
  assert_output_contains "class=2"
  assert_output_contains "level=6"
}

@test "ioPriority idle" {
  cfg 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
  run_container /probe ioprio
  assert_status 0
  assert_output_contains "class=3"
}

@test "ioPriority out of range fails cleanly" {
  cfg 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
  run_container /probe ioprio
  assert_failed_cleanly "$ID" "config.json: process.ioPriority.priority:"
  assert_output_contains "0..7"
}

# config.md "User": umask, additionalGids
@test "umask and additionalGids" {
  cfg 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "umask": 23, "additionalGids": [29, 5]}'
  run_container /probe umask ids
  assert_status 0
  assert_output_contains "umask=0027"
  assert_output_contains "uid=1000"
  assert_output_contains "gid=1000"
  echo "$output" | grep -E '^groups=' | grep -q -E '(^|[=,])29(,|$)' || fail "group 29 missing"
  echo "$output" | grep -E '^groups=' | grep -q -E '(^|[=,])5(,|$)' || fail "group 5 missing"
}

# config.md "Process": cwd, env
@test "cwd is created when missing, env is passed exactly" {
  cfg 'c["process"]["cwd"] = "/work/new/dir"; c["process"]["env"] = ["FOO=bar baz", "PATH=/bin"]'
  run_container /probe cwd env
  assert_status 0
  assert_output_contains "cwd=/work/new/dir"
  assert_output_contains "FOO=bar baz"
  assert_output_contains "PATH=/bin"
  [ -d "$BUNDLE/rootfs/work/new/dir" ] || fail "cwd not created inside the rootfs"
}

# Keyring: a new session keyring named after the container, unless
# --no-new-keyring
@test "a new session keyring named after the container" {
  run_container /probe keyring
  assert_status 0
  assert_output_contains "_ses.$ID"
  run "$SKIFF" --root "$ROOT" run --no-new-keyring --bundle "$BUNDLE" "$ID" </dev/null
  assert_status 0
  refute_output_contains "_ses.$ID"
}

# config-linux.md "Sysctl"
@test "net and ipc sysctls are applied inside the container's namespaces" {
  local host_fwd host_shm
  host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
  host_shm=$(cat /proc/sys/kernel/shmmni)
  local want_fwd=$((1 - host_fwd))
  cfg "c['linux']['sysctl'] = {'net.ipv4.ip_forward': '$want_fwd', 'kernel.shmmni': '1234'}"
  run_container /probe cat /proc/sys/net/ipv4/ip_forward cat /proc/sys/kernel/shmmni
  assert_status 0
  [ "$(echo "$output" | head -1)" = "$want_fwd" ] || fail "ip_forward not applied"
  assert_output_contains "1234"
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] || fail "host ip_forward changed"
  [ "$(cat /proc/sys/kernel/shmmni)" = "$host_shm" ] || fail "host shmmni changed"
}

@test "a sysctl the kernel does not namespace fails cleanly" {
  cfg 'c["linux"]["sysctl"] = {"kernel.panic": "1"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.sysctl: \`kernel.panic\`: not namespaced by the kernel"
}

@test "a net sysctl without a network namespace fails cleanly" {
  cfg 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.sysctl: \`net.ipv4.ip_forward\`: requires a new or joined network namespace"
}

@test "invalid sysctl names fail cleanly" {
  cfg 'c["linux"]["sysctl"] = {"net/ipv4/ip_forward": "1"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.sysctl: \`net/ipv4/ip_forward\`: invalid sysctl name"
  cfg 'c["linux"]["sysctl"] = {"net.ipv4..conf": "1"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "invalid sysctl name"
}

@test "an unknown net sysctl fails cleanly" {
  cfg 'c["linux"]["sysctl"] = {"net.ipv4.no_such_knob": "1"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "linux.sysctl: \`net.ipv4.no_such_knob\`: no such kernel parameter"
}

# config-linux.md "Memory policy"
@test "memoryPolicy MPOL_BIND to node 0" {
  [ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0"
  cfg 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0"}'
  run_container /bin/cat /proc/self/numa_maps
  assert_status 0
  assert_output_contains "bind:0"
}

@test "memoryPolicy MPOL_INTERLEAVE with MPOL_F_STATIC_NODES" {
  [ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0"
  cfg 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
  run_container /bin/cat /proc/self/numa_maps
  assert_status 0
  assert_output_contains "interleave=static:0"
}

@test "invalid memoryPolicy fails cleanly" {
  cfg 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0-x"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.memoryPolicy.nodes:"
  assert_output_contains "\`0-x\`"
  cfg 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_LOCAL", "nodes": "0"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.memoryPolicy.nodes: \`MPOL_LOCAL\` takes no nodes"
}

# config.md "Linux Process": execCPUAffinity (applied by exec; validated here)
@test "an invalid execCPUAffinity fails cleanly" {
  cfg 'c["process"]["execCPUAffinity"] = {"initial": "0-", "final": "0"}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: process.execCPUAffinity.initial: invalid list \`0-\`"
}

# config-linux.md "IntelRdt": no resctrl here -> an error
@test "intelRdt without a mounted resctrl fails cleanly" {
  if grep -q ' - resctrl ' /proc/self/mountinfo; then skip "resctrl is mounted here"; fi
  cfg 'c["linux"]["intelRdt"] = {"closID": "guaranteed_group", "schemata": ["L3:0=7f0"]}'
  run_container /probe ids
  assert_failed_cleanly "$ID" "linux.intelRdt: no resctrl filesystem is mounted"
}

# config-linux.md "Network Devices".  Everything happens in a network
# namespace this test creates: skiff runs in it (nsenter --net only, so
# the mount table and cgroups stay the host's), the veth pair lives in it.
netns_setup () {
  NETNS=skt-$TOKEN
  ip netns add "$NETNS"
  ip -n "$NETNS" link add skv0 type veth peer name skv0p
  ip -n "$NETNS" addr add 10.9.8.7/24 dev skv0
  ip -n "$NETNS" addr add fd00:5::7/64 dev skv0 nodad
  ip -n "$NETNS" addr add 169.254.9.9/16 scope link dev skv0
}

netns_teardown () {
  [ -n "${NETNS:-}" ] && ip netns del "$NETNS" 2>/dev/null || true
}

run_in_netns () {
  run nsenter --net="/run/netns/$NETNS" "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null
}

@test "netDevices: a host interface is moved, renamed, keeps its global addresses, is up" {
  netns_setup
  cfg 'c["linux"]["netDevices"] = {"skv0": {"name": "eth7"}}
c["process"]["args"] = ["ip", "addr", "show", "eth7"]'
  run_in_netns
  local out=$output st=$status
  ip -n "$NETNS" link show skv0 >/dev/null 2>&1 && { netns_teardown; fail "skv0 still in the runtime's namespace"; }
  netns_teardown
  output=$out status=$st
  assert_status 0
  assert_output_contains "eth7"
  assert_output_contains "10.9.8.7/24"
  assert_output_contains "fd00:5::7/64"
  refute_output_contains "169.254.9.9"
  echo "$output" | head -1 | grep -q '[<,]UP[,>]' || fail "eth7 is not up"
}

@test "netDevices: %d template and a missing device" {
  netns_setup
  cfg 'c["linux"]["netDevices"] = {"skv0": {"name": "net%d"}}
c["process"]["args"] = ["ip", "-o", "link"]'
  run_in_netns
  local out=$output st=$status
  cfg 'c["linux"]["netDevices"] = {"skv9": {}}'
  run_in_netns
  netns_teardown
  assert_failed_cleanly "$ID" "linux.netDevices: \`skv9\`: no such network interface"
  output=$out status=$st
  assert_status 0
  assert_output_contains "net0"
}

@test "netDevices without a network namespace fails cleanly" {
  cfg 'c["linux"]["netDevices"] = {"skv0": {}}
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  run_container /probe ids
  assert_failed_cleanly "$ID" "config.json: linux.netDevices: requires a new or joined network namespace"
}

# config.md "Linux Process": execCPUAffinity is for exec'd processes, not
# the container's init; `final` is the affinity after the cgroup move
@test "execCPUAffinity final applies to an exec'd process, not to init" {
  [ "$(nproc)" -ge 2 ] || skip "needs two cpus"
  local all
  all=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
  [ "$all" != 1 ] || skip "only cpu 1 is allowed here"
  cfg 'c["process"]["execCPUAffinity"] = {"initial": "0", "final": "1"}
c["process"]["args"] = ["/probe", "sleep", "1000"]'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  local pid
  pid=$(state_field "$ID" pid)
  [ "$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/$pid/status)" != 1 ] || fail "init got execCPUAffinity"
  python3 - "$BUNDLE/config.json" "$TEST_DIR/process.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["process"]
p["args"] = ["/bin/cat", "/proc/self/status"]
json.dump(p, open(sys.argv[2], "w"))
PY
  run_skiff exec --process "$TEST_DIR/process.json" "$ID"
  assert_status 0
  echo "$output" | grep -q -P '^Cpus_allowed_list:\t1$' || fail "exec'd process not on cpu 1"
}
