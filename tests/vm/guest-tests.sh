#!/bin/sh
# cgroup v2 tests, run by /init inside the test VM (busybox sh, no python).
# Each test prints `ok N - name` or `not ok N - name` with `#   ` lines of
# detail; tests/vm/run-vm.sh counts them.  Spec references: config-linux.md
# "Control groups", "Cgroups Path", "Allowed Device list", "Memory", "CPU",
# "Block IO", "Huge page limits", "PIDs", "RDMA", "Unified"; runtime.md
# "State" (paused is runc's status).
. /tests/guest-lib.sh

# ------------------------------------------------------------------ tests

t_controllers () {
  for c in cpuset cpu io memory hugetlb pids rdma misc; do
    grep -qw "$c" "$CG/cgroup.subtree_control" || fail "controller $c not enabled"
  done
}

t_resources_written () {
  huge='{"pageSize": "2MB", "limit": 4194304}'
  [ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ] && huge="$huge, {\"pageSize\": \"1GB\", \"limit\": 1073741824}"
  RES='{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "burst": 10000, "cpus": "0", "mems": "0"},
        "pids": {"limit": 42},
        "blockIO": {"weight": 500,
                    "throttleReadBpsDevice": [{"major": 1, "minor": 0, "rate": 1048576}],
                    "throttleWriteIOPSDevice": [{"major": 1, "minor": 0, "rate": 100}]},
        "hugepageLimits": ['"$huge"'],
        "unified": {"memory.high": "60000000", "pids.max": "43"}}'
  mkcfg
  sk create --bundle "$B" res </dev/null >/tmp/o 2>&1 || fail "create: $(cat /tmp/o)"
  D=$CG/res
  grep -qx "$(pid_of res)" "$D/cgroup.procs" || fail "init not in $D"
  expect "$D/memory.max" 67108864
  expect "$D/memory.low" 33554432
  expect "$D/memory.swap.max" 33554432          # swap - limit
  expect "$D/memory.high" 59998208              # unified, rounded to a page
  expect "$D/cpu.weight" 20                     # 1 + (512-2)*9999/262142
  expect "$D/cpu.max" "50000 100000"
  expect "$D/cpu.max.burst" 10000
  expect "$D/cpuset.cpus" 0
  expect "$D/cpuset.mems" 0
  expect "$D/pids.max" 43                       # unified overrides pids.limit
  expect "$D/io.weight" "default 4950"          # 1 + (w-10)*9999/990
  expect "$D/io.max" "1:0 rbps=1048576 wbps=max riops=max wiops=100"
  expect "$D/hugetlb.2MB.max" 4194304
  expect "$D/hugetlb.2MB.rsvd.max" 4194304
  if [ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
    expect "$D/hugetlb.1GB.max" 1073741824
  fi
  sk delete --force res || fail "delete"
  nothing_left res
}

t_cpu_idle () {
  RES='{"cpu": {"idle": 1}}' mkcfg
  start idle
  expect "$CG/idle/cpu.idle" 1
}

t_pids_zero_is_unlimited () {
  # 0 and negative mean unlimited, as runc and crun write them (podman 4
  # sends 0 for "no limit").
  RES='{"pids": {"limit": 0}}' mkcfg
  start pz
  expect "$CG/pz/pids.max" max
}

# cgroup v2's no-internal-processes rule: below a parent that holds
# processes, a container needing no controller runs (skiff enables only
# what a container needs); one needing a controller there fails naming
# the rule and the parent, and leaves nothing.
t_parent_with_processes () {
  mkdir "$CG/busy"
  sleep 1000 &
  bpid=$!
  echo "$bpid" >"$CG/busy/cgroup.procs"
  CGPATH=/busy/free mkcfg
  start free
  grep -qx "$(pid_of free)" "$CG/busy/free/cgroup.procs" || fail "not in $CG/busy/free"
  sk delete --force free || fail "delete free"
  CGPATH=/busy/lim RES='{"memory": {"limit": 67108864}}' mkcfg
  sk run -d --bundle "$B" lim </dev/null >/tmp/o 2>&1 && fail "ran with memory below a busy parent"
  grep -q "cgroup \`$CG/busy\` holds processes of its own: cgroup v2's no-internal-processes rule" /tmp/o \
    || fail "message: $(cat /tmp/o)"
  nothing_left lim
  [ ! -d "$CG/busy/lim" ] || fail "cgroup left"
  kill "$bpid"; wait "$bpid" 2>/dev/null
  rmdir "$CG/busy" || fail "busy: $(cat $CG/busy/cgroup.procs)"
}

t_default_path () {
  mkcfg
  start dflt
  [ -d "$CG/dflt" ] || fail "no $CG/dflt"
  grep -qx "$(pid_of dflt)" "$CG/dflt/cgroup.procs" || fail "not a member"
  grep -q '^0::/dflt$' "/proc/$(pid_of dflt)/cgroup" || fail "$(cat /proc/$(pid_of dflt)/cgroup)"
}

t_relative_path () {
  CGPATH=rel/a mkcfg
  start relp
  grep -qx "$(pid_of relp)" "$CG/rel/a/cgroup.procs" || fail "not in $CG/rel/a"
  sk delete --force relp
  # delete removes the parents its create made too (nothing left behind)
  [ ! -d "$CG/rel" ] || fail "created parent left"
  # a parent that existed before is kept
  mkdir "$CG/rel"
  start relp2
  sk delete --force relp2
  [ ! -d "$CG/rel/a" ] || fail "leaf left"
  [ -d "$CG/rel" ] || fail "pre-existing parent removed"
  rmdir "$CG/rel"
}

t_dotdot_refused () {
  CGPATH=/x/../../dd mkcfg
  sk run --bundle "$B" dd </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q 'a `..` component would escape the cgroup hierarchy' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left dd
}

t_systemd_refused () {
  mkcfg
  "$SK" --root "$ROOT" --systemd-cgroup run --bundle "$B" sd </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q -- '--systemd-cgroup' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left sd
}

t_unified_missing_file () {
  RES='{"unified": {"memory.nonexistent": "1"}}' mkcfg
  sk run --bundle "$B" um </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q '`memory.nonexistent` does not exist' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left um
}

t_unified_slash () {
  RES='{"unified": {"../cgroup.procs": "1"}}' mkcfg
  sk run --bundle "$B" us </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q 'invalid key `../cgroup.procs`' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left us
}

t_rdma_missing_device () {
  RES='{"rdma": {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 100}}}' mkcfg
  sk run --bundle "$B" rd </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q 'mlx5_0 hca_handle=3 hca_object=100` to `.*/rdma.max' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left rd
}

t_swap_below_limit () {
  RES='{"memory": {"limit": 67108864, "swap": 33554432}}' mkcfg
  sk run --bundle "$B" sw </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q 'linux.resources.memory.swap: `33554432` is lower than memory.limit' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left sw
}

t_realtime_refused () {
  RES='{"cpu": {"realtimeRuntime": 950000, "realtimePeriod": 1000000}}' mkcfg
  sk run --bundle "$B" rt </dev/null >/tmp/o 2>&1 && fail "accepted"
  grep -q 'linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime' /tmp/o || fail "$(cat /tmp/o)"
  nothing_left rt
}

t_oom_kill () {
  RES='{"memory": {"limit": 33554432, "swap": 33554432}}'
  ARGS='["sh", "-c", "sleep 3; dd if=/dev/zero of=/dev/null bs=128M count=1; echo survived"]'
  mkcfg
  start oom
  sk events --interval 1s oom >/tmp/ev 2>&1 &
  evpid=$!
  wait_status oom stopped
  i=0
  while kill -0 $evpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill $evpid 2>/dev/null
  grep -q '^oom_kill [1-9]' "$CG/oom/memory.events" || fail "memory.events: $(cat $CG/oom/memory.events)"
  grep -q '"type":"oom","id":"oom"' /tmp/ev || fail "no oom event: $(cat /tmp/ev)"
  grep -q '"type":"stats"' /tmp/ev || fail "no stats event: $(cat /tmp/ev)"
}

t_fork_bomb () {
  RES='{"pids": {"limit": 16}}'
  ARGS='["sh", "-c", "i=0; while [ $i -lt 64 ]; do sleep 1000 & i=$((i+1)); done; sleep 1000"]'
  mkcfg
  start fb
  i=0
  until grep -q '^max [1-9]' "$CG/fb/pids.events"; do
    i=$((i + 1)); [ $i -lt 300 ] || fail "pids.events: $(cat $CG/fb/pids.events)"; sleep 0.1
  done
  cur=$(cat "$CG/fb/pids.current")
  [ "$cur" -le 16 ] || fail "pids.current $cur > 16"
}

t_device_denied () {
  RES='{"devices": [{"allow": false, "access": "rwm"},
                    {"allow": true, "type": "b", "major": 1, "minor": 0, "access": "rw"}]}'
  ARGS='["sh", "-c", "mknod /dev/ram0 b 1 0 && echo x >/dev/ram0 && echo ram-ok; mknod /dev/k c 240 0 && (echo x >/dev/k) 2>&1; mknod /dev/r1 b 1 0; head -c1 /dev/zero >/dev/null && echo zero-ok"]'
  mkcfg
  sk run --bundle "$B" dev </dev/null >/tmp/o 2>&1
  grep -q ram-ok /tmp/o || fail "allowed block device not writable: $(cat /tmp/o)"
  grep -q "can't create /dev/k: Operation not permitted" /tmp/o || fail "denied device writable: $(cat /tmp/o)"
  grep -q zero-ok /tmp/o || fail "default device /dev/zero not readable: $(cat /tmp/o)"
}

t_device_update () {
  RES='{"devices": [{"allow": false, "access": "rwm"}]}'
  ARGS='["sh", "-c", "mknod /dev/k c 240 0; while :; do case \"$( (: </dev/k) 2>&1)\" in *\"not permitted\"*) r=denied;; *) r=allowed;; esac; echo $r >/dev/res.tmp; mv /dev/res.tmp /dev/res; sleep 0.1; done"]'
  mkcfg
  start du
  p=$(pid_of du)
  i=0
  until [ "$(cat /proc/$p/root/dev/res 2>/dev/null)" = denied ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "never denied: $(cat /proc/$p/root/dev/res)"; sleep 0.1
  done
  echo '{"devices": [{"allow": true, "type": "c", "major": 240, "minor": 0, "access": "r"}]}' \
    | sk update --resources - du || fail "update"
  i=0
  until [ "$(cat /proc/$p/root/dev/res 2>/dev/null)" = allowed ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "update did not allow: $(cat /proc/$p/root/dev/res)"; sleep 0.1
  done
}

t_pause_resume () {
  mkcfg
  start pr
  sk pause pr || fail "pause"
  expect "$CG/pr/cgroup.freeze" 1
  grep -qx 'frozen 1' "$CG/pr/cgroup.events" || fail "not frozen"
  [ "$(state_of pr)" = paused ] || fail "state $(state_of pr)"
  sk resume pr || fail "resume"
  grep -qx 'frozen 0' "$CG/pr/cgroup.events" || fail "still frozen"
  [ "$(state_of pr)" = running ] || fail "state $(state_of pr)"
  sk pause pr
  sk delete --force pr || fail "delete --force of a paused container"
  nothing_left pr
}

t_update () {
  RES='{"memory": {"limit": 67108864}}' mkcfg
  start up
  D=$CG/up
  sk update --memory 128m --memory-swap 256m --cpu-share 1024 --cpu-quota 20000 \
     --cpu-period 100000 --pids-limit 20 --cpuset-cpus 0-1 --blkio-weight 300 up || fail "update"
  expect "$D/memory.max" 134217728
  expect "$D/memory.swap.max" 134217728
  expect "$D/cpu.weight" 39
  expect "$D/cpu.max" "20000 100000"
  expect "$D/pids.max" 20
  expect "$D/cpuset.cpus" 0-1
  expect "$D/io.weight" "default 2930"
  sk update --cpu-period 50000 up || fail "update period"
  expect "$D/cpu.max" "20000 50000"               # the quota is kept
  # 0 and negative: unlimited, as runc and crun (podman 4 sends 0)
  sk update --pids-limit 5 up && expect "$D/pids.max" 5
  sk update --pids-limit 0 up && expect "$D/pids.max" max
  sk update --pids-limit 5 up && sk update --pids-limit -1 up && expect "$D/pids.max" max
  echo '{"memory": {"limit": 100000000}}' | sk update -r - up || fail "update -r -"
  expect "$D/memory.max" 99999744
  sk update --cpu-rt-runtime 1000 up >/tmp/o 2>&1 && fail "realtime accepted"
  grep -q 'realtime' /tmp/o || fail "$(cat /tmp/o)"
  # checkBeforeUpdate: a limit below the current usage is refused
  echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' | sk update -r - up >/tmp/o 2>&1 \
    && fail "limit below usage accepted"
  grep -q 'is below the current usage' /tmp/o || fail "$(cat /tmp/o)"
  expect "$D/memory.max" 99999744
}

t_unified_multiline () {
  # io.max takes one device per write: a multi-line value is split.
  RES='{"unified": {"io.max": "1:0 rbps=1048576\n1:0 wiops=50"}}' mkcfg
  start uml
  expect "$CG/uml/io.max" "1:0 rbps=1048576 wbps=max riops=max wiops=50"
}

t_events_stats () {
  mkcfg
  start st
  sk events --stats st >/tmp/o 2>&1 || fail "events: $(cat /tmp/o)"
  for s in '"type":"stats"' '"id":"st"' '"cpu":{"usage":{"total":' '"pids":{"current":1' \
           '"memory":{"cache":' '"hugetlb":{"2MB":' '"blkio":{'; do
    grep -qF "$s" /tmp/o || fail "no $s in $(cat /tmp/o)"
  done
  grep -q '"usage":{"limit":[0-9]*,"usage":[1-9]' /tmp/o || fail "no memory usage: $(cat /tmp/o)"
}

t_ps () {
  mkcfg
  start ps
  p=$(pid_of ps)
  [ "$(sk ps --format json ps)" = "[$p]" ] || fail "json: $(sk ps --format json ps)"
  sk ps ps >/tmp/o 2>&1 || fail "ps: $(cat /tmp/o)"
  head -1 /tmp/o | grep -q PID || fail "no header: $(cat /tmp/o)"
  [ "$(wc -l </tmp/o)" -eq 2 ] || fail "expected 2 lines: $(cat /tmp/o)"
  grep -q "^ *$p " /tmp/o || fail "pid $p missing: $(cat /tmp/o)"
}

t_kill_all () {
  NS='[{"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]'
  ARGS='["sh", "-c", "sleep 1000 & sleep 1000 & exec sleep 1000"]'
  mkcfg
  start ka
  i=0
  until [ "$(wc -l <"$CG/ka/cgroup.procs")" -ge 3 ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "procs: $(cat $CG/ka/cgroup.procs)"; sleep 0.1
  done
  sk kill --all ka KILL || fail "kill --all"
  i=0
  until [ -z "$(cat "$CG/ka/cgroup.procs")" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "left: $(cat $CG/ka/cgroup.procs)"; sleep 0.1
  done
  wait_status ka stopped
}

t_delete () {
  mkcfg
  start del
  sk delete --force del || fail "delete"
  nothing_left del
  mkdir "$CG/pre"
  CGPATH=/pre mkcfg
  start pre
  sk delete --force pre || fail "delete pre"
  [ -d "$CG/pre" ] || fail "a cgroup skiff did not create was removed"
  rmdir "$CG/pre"
}

# ---- the `cgroup` mount on pure v2 (cgroup/cgroup_mount.c): the container
# sees its own cgroup at /sys/fs/cgroup, whatever the namespaces.
CGM=', {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
        "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
USERNS_MAPS='"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],'

# view_is_own ID: the container's /sys/fs/cgroup is its own cgroup (same
# device and inode), read-only, and lists no sibling container.
view_is_own () {
  p=$(pid_of "$1")
  own=$(sed -n 's/^0:://p' "/proc/$p/cgroup")
  [ -n "$own" ] && [ "$own" != / ] || fail "$1: cgroup \`$own\`"
  [ "$(stat -c '%d:%i' "/proc/$p/root/sys/fs/cgroup")" = "$(stat -c '%d:%i' "$CG$own")" ] \
    || fail "$1: /sys/fs/cgroup is not $CG$own"
  grep -q ' /sys/fs/cgroup ro,[^ ]* .*- cgroup2 ' "/proc/$p/mountinfo" \
    || fail "$1: $(grep cgroup "/proc/$p/mountinfo")"
  [ -z "$(find "/proc/$p/root/sys/fs/cgroup/" -name "$2")" ] || fail "$1 sees $2"
}

# cgmount_case NAME: two containers of the current config, each seeing only
# its own cgroup; both deleted without leftovers.
cgmount_case () {
  start "$1a"
  start "$1b"
  view_is_own "$1a" "$1b"
  view_is_own "$1b" "$1a"
  sk delete --force "$1a" && sk delete --force "$1b" || fail "delete"
  nothing_left "$1a"
  nothing_left "$1b"
}

t_cgmount_bind () {
  MOUNTS_EXTRA=$CGM mkcfg
  cgmount_case cgb
}

t_cgmount_cgroupns () {
  NS='[{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "cgroup"}]' MOUNTS_EXTRA=$CGM mkcfg
  cgmount_case cgn
}

t_cgmount_userns () {
  NS='[{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "user"}]' LINUX_EXTRA=$USERNS_MAPS \
    MOUNTS_EXTRA=$CGM mkcfg
  cgmount_case cgu
}

t_cgmount_userns_cgroupns () {
  NS='[{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}]' \
    LINUX_EXTRA=$USERNS_MAPS MOUNTS_EXTRA=$CGM mkcfg
  cgmount_case cgc
}

t "cgroup2 root has every controller enabled" t_controllers
t "resources are written to the container's cgroup files" t_resources_written
t "cpu.idle" t_cpu_idle
t "pids.limit 0 means unlimited (max)" t_pids_zero_is_unlimited
t "below a parent holding processes: no controller runs, a controller is refused" t_parent_with_processes
t "default cgroupsPath is the id below our parent cgroup" t_default_path
t "relative cgroupsPath, removed leaf and created parents on delete" t_relative_path
t "cgroupsPath with .. refused, nothing left" t_dotdot_refused
t "--systemd-cgroup refused, nothing left" t_systemd_refused
t "unified key that does not exist: error, nothing left" t_unified_missing_file
t "unified key with a slash refused" t_unified_slash
t "rdma limit for a missing device fails cleanly" t_rdma_missing_device
t "memory.swap below memory.limit refused" t_swap_below_limit
t "realtime cpu refused" t_realtime_refused
t "unified multi-line io.max" t_unified_multiline
t "memory hog is OOM-killed, events reports it" t_oom_kill
t "fork bomb stops at pids.max" t_fork_bomb
t "denied device: EPERM; allowed and default devices work" t_device_denied
t "update replaces the device filter" t_device_update
t "pause/resume via cgroup.freeze, state paused" t_pause_resume
t "update writes the new limits" t_update
t "events --stats fields" t_events_stats
t "ps lists the container's processes" t_ps
t "kill --all empties the cgroup" t_kill_all
t "delete leaves no cgroup, keeps one it did not create" t_delete
t "cgroup mount without cgroup ns: a bind of the container's own cgroup" t_cgmount_bind
t "cgroup mount in a cgroup ns: fresh cgroup2 rooted at the container's cgroup" t_cgmount_cgroupns
t "cgroup mount in a user ns without cgroup ns (podman --uidmap)" t_cgmount_userns
t "cgroup mount in a user ns with a cgroup ns" t_cgmount_userns_cgroupns
