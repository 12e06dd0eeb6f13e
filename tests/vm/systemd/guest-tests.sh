#!/bin/bash
# The systemd cgroup driver's tests, run by skiff-tests.service inside the
# systemd VM (PID 1 systemd; pure cgroup v2, or systemd's hybrid layout:
# /skiff-tests/layout).  Each test prints `ok N - name` or `not ok N - name`
# with `#   ` detail lines; run.sh counts them.
SK=/usr/local/sbin/skiff
ROOT=/run/skiff
B=/skiff-tests/bundle
CG=/sys/fs/cgroup
N=0
ONLY=$(cat /skiff-tests/only 2>/dev/null)
LAYOUT=$(cat /skiff-tests/layout 2>/dev/null || echo v2)
v1 () { [ "$LAYOUT" != v2 ]; }
# cgdir CTRL PATH: PATH's directory where CTRL's files are (v1: that
# controller's hierarchy; systemd links cpu and cpuacct to cpu,cpuacct).
cgdir () { if v1; then echo "$CG/$1$2"; else echo "$CG$2"; fi; }
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin

fail () { echo "$*"; exit 1; }
sk () { "$SK" --root "$ROOT" --systemd-cgroup "$@"; }
prop () { systemctl show -P "$2" "$1"; }

# expect_props UNIT NAME=VALUE...: one `systemctl show` for all of them
# (each systemctl costs a second or more under TCG).
expect_props () {
  local unit=$1 kv names= got
  shift
  for kv in "$@"; do names=$names${names:+,}${kv%%=*}; done
  got=$(systemctl show -p "$names" "$unit")
  for kv in "$@"; do
    grep -qxF -- "$kv" <<<"$got" \
      || fail "$unit: expected $kv, got $(grep "^${kv%%=*}=" <<<"$got")"
  done
}
expect_prop () { expect_props "$1" "$2=$3"; }
# expect_file FILE VALUE
expect_file () {
  local v
  v=$(tr '\n' '|' <"$1" | sed 's/|$//')
  [ "$v" = "$2" ] || fail "$1: \`$v\`, expected \`$2\`"
}

# mkcfg: the bundle's config from CGPATH, ARGS, RES, ANN (annotations);
# RL_UID set: rootless (a user namespace mapping root to that uid) in the
# bundle BDIR.
mkcfg () {
  local caps='"CAP_KILL","CAP_SETUID","CAP_SETGID"'
  local cgp= args=${ARGS:-'["sleep", "1000"]'} res=${RES:-'{}'} ann=${ANN:-'{}'} userns=
  [ -n "${CGPATH:-}" ] && cgp="\"cgroupsPath\": \"$CGPATH\","
  [ -n "${RL_UID:-}" ] && userns="{\"type\": \"user\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}"
  cat >"${BDIR:-$B}/config.json" <<EOF
{
  "ociVersion": "1.3.0",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
    "args": $args, "env": ["PATH=/bin"],
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]}
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "c",
  "annotations": $ann,
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]}
  ],
  "linux": {
    $cgp
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}${userns:+, $userns}],
    "resources": $res
  }
}
EOF
}

start () { sk run -d --bundle "$B" "$1" </dev/null >/tmp/start.out 2>&1 || fail "run -d $1: $(cat /tmp/start.out)"; }
state_of () { "$SK" --root "$ROOT" state "$1" 2>/dev/null | jq -r .status; }
pid_of () { "$SK" --root "$ROOT" state "$1" | jq -r .pid; }

wait_status () {
  local i=0
  while [ "$(state_of "$1")" != "$2" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || fail "$1: status $(state_of "$1"), expected $2"
    sleep 0.1
  done
}

# no_unit UNIT: systemd does not know it (not loaded, not failed).
no_unit () {
  local i=0
  # systemd loads any slice name on demand (LoadState=loaded even when
  # nobody made it): a slice is gone when inactive and its cgroup removed.
  case $1 in *.slice)
    while [ "$(prop "$1" ActiveState)" != inactive ]; do
      i=$((i + 1))
      [ $i -lt 100 ] || fail "slice $1 still $(prop "$1" ActiveState)"
      sleep 0.1
    done
    return 0 ;;
  esac
  # A stop job may still be winding down right after delete returned.
  while [ "$(prop "$1" LoadState)" != not-found ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "unit $1 left: $(systemctl show -p LoadState,ActiveState,SubState "$1" | tr '\n' ' ')"
    sleep 0.1
  done
  systemctl list-units --all --no-legend | grep -q "$1" && fail "unit $1 still listed"
  return 0
}
# nothing_left ID UNIT CGPATH (v1: in no hierarchy, systemd's or skiff's)
nothing_left () {
  local h
  [ ! -e "$ROOT/$1" ] || fail "state dir $ROOT/$1 left"
  no_unit "$2"
  if v1; then
    for h in "$CG"/*/; do
      [ ! -e "$h${3#/}" ] || fail "cgroup $h${3#/} left"
    done
  fi
  [ ! -e "$CG$3" ] || fail "cgroup $CG$3 left"
}
# expect_cgroup FILE PATH: a /proc/PID/cgroup (or its copy) shows PATH in
# the unified hierarchy and, on v1, in every hierarchy.
expect_cgroup () {
  local bad
  if v1; then
    [ "$LAYOUT" = legacy ] || grep -qxF "0::$2" "$1" || fail "$1: no \`0::$2\` line: $(tr '\n' ' ' <"$1")"
    bad=$(grep -v ":$2\$" "$1")
    [ -z "$bad" ] || fail "$1: hierarchies where the process is not in $2: $(tr '\n' ' ' <<<"$bad")"
  else
    expect_file "$1" "0::$2"
  fi
}

# expect_error ID WORDS: the last command's output (in /tmp/out) names WORDS.
expect_error () {
  local w
  for w in "$@"; do
    grep -qF -- "$w" /tmp/out || fail "error \`$(cat /tmp/out)\` lacks \`$w\`"
  done
}

cleanup_all () {
  local id
  [ -e /run/libpod ] && podman --storage-driver vfs rm -af >/dev/null 2>&1
  for id in $(ls "$ROOT" 2>/dev/null); do
    "$SK" --root "$ROOT" --systemd-cgroup delete -f "$id" >/dev/null 2>&1
  done
  systemctl reset-failed >/dev/null 2>&1
  unset CGPATH ARGS RES ANN
}

# t NAME FUNCTION: run one test in its own process, under a time limit so
# that a hang is a failure with what systemd was doing, not a stuck VM.
t () {
  local name=$1 fn=$2 out rc
  # SKIFF_VM_ONLY: an extended regular expression on test names.
  [ -z "$ONLY" ] || grep -qE -- "$ONLY" <<<"$name" || return 0
  N=$((N + 1))
  out=$(timeout -k 5 "$TEST_TIMEOUT" "$0" run-one "$fn" 2>&1)
  rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    out="$out
timed out after ${TEST_TIMEOUT}s; systemd jobs: $(systemctl list-jobs --no-legend | tr '\n' ';')
processes: $(for p in /proc/[0-9]*; do tr '\0' ' ' <$p/cmdline 2>/dev/null; echo; done | grep -E 'skiff|sleep' | tr '\n' ';')"
  fi
  if [ $rc -eq 0 ]; then
    echo "ok $N - $name"
  else
    echo "not ok $N - $name"
    printf '%s\n' "$out" | sed 's/^/#   /'
  fi
  cleanup_all
}
TEST_TIMEOUT=300

# ---------------------------------------------------------------- tests

test_scope () {
  CGPATH=system.slice:skiff:t1 mkcfg
  start t1
  local io=IOAccounting
  v1 && io=BlockIOAccounting
  expect_props skiff-t1.scope ActiveState=active Slice=system.slice \
    ControlGroup=/system.slice/skiff-t1.scope Delegate=yes DefaultDependencies=no \
    "Description=skiff container t1" MemoryAccounting=yes CPUAccounting=yes \
    $io=yes TasksAccounting=yes
  local pid
  pid=$(pid_of t1)
  expect_cgroup /proc/$pid/cgroup /system.slice/skiff-t1.scope
  if v1; then
    # state.json: one place per hierarchy; skiff made (and delete removes)
    # only those systemd does not manage.
    local st=$ROOT/t1/state.json
    jq -e '.cgroupManager == "systemd" and (.cgroupPlaces | length) >= 8' $st >/dev/null \
      || fail "state.json places: $(jq -c '[.cgroupManager, .cgroupPlaces]' $st)"
    jq -e '[.cgroupPlaces[] | select(.created) | .controllers] | index("freezer") != null' $st >/dev/null \
      || fail "freezer not made by skiff: $(jq -c .cgroupPlaces $st)"
    jq -e '[.cgroupPlaces[] | select(.created) | .controllers] | index("memory") == null' $st >/dev/null \
      || fail "memory marked made by skiff (it is systemd's): $(jq -c .cgroupPlaces $st)"
  fi
  # The container's processes are the scope's (systemd's view agrees).
  systemctl status skiff-t1.scope --no-pager | grep -q "$pid" || fail "pid $pid not in the scope's status"
  sk delete -f t1 || fail "delete"
  nothing_left t1 skiff-t1.scope /system.slice/skiff-t1.scope
}

test_default_path () {
  unset CGPATH
  mkcfg
  start t2
  expect_prop skiff-t2.scope ControlGroup /system.slice/skiff-t2.scope
  sk delete -f t2 || fail "delete"
  nothing_left t2 skiff-t2.scope /system.slice/skiff-t2.scope
}

RESOURCES='{
  "memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
  "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
  "pids": {"limit": 40},
  "blockIO": {"weight": 500},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
  "unified": {"memory.high": "60000000", "memory.oom.group": "1"}
}'

# v1: no unified keys (v2 file names, refused there as runc does).
RESOURCES_V1='{
  "memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
  "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
  "pids": {"limit": 40},
  "blockIO": {"weight": 500},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
  "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]
}'

test_properties_v1 () {
  CGPATH=system.slice:skiff:t3 RES=$RESOURCES_V1 mkcfg
  start t3
  local u=skiff-t3.scope p=/system.slice/skiff-t3.scope w
  # systemd 252 on v1 takes the legacy names (cpuset is v2-only there:
  # files only).
  expect_props $u MemoryLimit=67108864 CPUShares=1024 CPUQuotaPerSecUSec=500ms \
    CPUQuotaPeriodUSec=100ms TasksMax=40 BlockIOWeight=500
  expect_file $(cgdir memory $p)/memory.limit_in_bytes 67108864
  expect_file $(cgdir memory $p)/memory.soft_limit_in_bytes 33554432
  [ -e $(cgdir memory $p)/memory.memsw.limit_in_bytes ] \
    && expect_file $(cgdir memory $p)/memory.memsw.limit_in_bytes 100663296
  expect_file $(cgdir cpu $p)/cpu.shares 1024
  expect_file $(cgdir cpu $p)/cpu.cfs_quota_us 50000
  expect_file $(cgdir cpu $p)/cpu.cfs_period_us 100000
  expect_file $(cgdir pids $p)/pids.max 40
  # Hierarchies systemd does not manage: skiff's directories.
  expect_file $(cgdir cpuset $p)/cpuset.cpus 0
  expect_file $(cgdir hugetlb $p)/hugetlb.2MB.limit_in_bytes 4194304
  w=$(cat $(cgdir blkio $p)/blkio.bfq.weight 2>/dev/null || cat $(cgdir blkio $p)/blkio.weight)
  [ "${w##* }" = 500 ] || fail "blkio weight \`$w\`, expected 500"
  grep -qx 'b 7:0 r' $(cgdir devices $p)/devices.list || fail "devices.list: $(cat $(cgdir devices $p)/devices.list)"
  grep -q '^a ' $(cgdir devices $p)/devices.list && fail "devices.list allows all: $(cat $(cgdir devices $p)/devices.list)"
  # What systemd owns survives systemd re-applying its units.
  systemctl daemon-reload || fail "daemon-reload"
  expect_file $(cgdir memory $p)/memory.limit_in_bytes 67108864
  expect_file $(cgdir pids $p)/pids.max 40
  expect_file $(cgdir cpu $p)/cpu.shares 1024
  # systemd re-applied DevicePolicy=strict + DeviceAllow: the same list.
  grep -q '^a ' $(cgdir devices $p)/devices.list && fail "devices.list allows all after daemon-reload"
  grep -qx 'c 1:3 rwm' $(cgdir devices $p)/devices.list \
    && grep -qx 'b 7:0 r' $(cgdir devices $p)/devices.list \
    || fail "devices.list after daemon-reload: $(tr '\n' ' ' <$(cgdir devices $p)/devices.list)"
  sk delete -f t3 || fail "delete"
  nothing_left t3 $u $p
}

test_properties () {
  if v1; then test_properties_v1; return; fi
  CGPATH=system.slice:skiff:t3 RES=$RESOURCES mkcfg
  start t3
  local u=skiff-t3.scope d=$CG/system.slice/skiff-t3.scope
  # systemd owns these: set as unit properties ...
  expect_props $u MemoryMax=67108864 MemoryLow=33554432 MemorySwapMax=33554432 \
    MemoryHigh=60000000 CPUWeight=39 CPUQuotaPerSecUSec=500ms CPUQuotaPeriodUSec=100ms \
    TasksMax=40 AllowedCPUs=0 AllowedMemoryNodes=0 IOWeight=$((1 + (490 * 9999) / 990))
  # ... and the files agree.
  expect_file $d/memory.max 67108864
  expect_file $d/memory.low 33554432
  expect_file $d/memory.swap.max 33554432
  expect_file $d/memory.high 59998208   # rounded down to a page
  expect_file $d/cpu.weight 39
  expect_file $d/cpu.max "50000 100000"
  expect_file $d/pids.max 40
  expect_file $d/cpuset.cpus 0
  # systemd has no property for these: files only, hugetlb enabled by
  # skiff down a path systemd made.
  expect_file $d/hugetlb.2MB.max 4194304
  expect_file $d/memory.oom.group 1
  # What systemd owns survives systemd re-applying its units.
  systemctl daemon-reload || fail "daemon-reload"
  expect_file $d/memory.max 67108864
  expect_file $d/pids.max 40
  expect_file $d/cpu.weight 39
  sk delete -f t3 || fail "delete"
  nothing_left t3 $u /system.slice/skiff-t3.scope
}

test_enforced () {
  CGPATH=system.slice:skiff:t4 RES='{"pids": {"limit": 4}}' mkcfg
  start t4
  local d
  d=$(cgdir pids /system.slice/skiff-t4.scope)
  sk exec t4 sh -c 'for i in 1 2 3 4 5 6; do sleep 1000 & done; wait' >/tmp/out 2>&1 \
    && fail "6 forks succeeded under pids.limit 4"
  grep -q '^max [1-9]' $d/pids.events || fail "pids.events counted no refused fork: $(cat $d/pids.events)"
  local n
  n=$(sk ps --format json t4 | jq length)
  [ "$n" -le 4 ] || fail "$n processes with pids.limit 4"
  [ "$(prop skiff-t4.scope TasksCurrent)" -le 4 ] || fail "systemd counts $(prop skiff-t4.scope TasksCurrent) tasks"
  sk delete -f t4 || fail "delete"
  nothing_left t4 skiff-t4.scope /system.slice/skiff-t4.scope
}

test_update () {
  CGPATH=system.slice:skiff:t5 RES='{"memory": {"limit": 67108864}, "pids": {"limit": 40}}' mkcfg
  start t5
  local u=skiff-t5.scope p=/system.slice/skiff-t5.scope
  sk update --memory 134217728 --pids-limit 60 --cpu-quota 20000 --cpu-period 100000 t5 \
    >/tmp/out 2>&1 || fail "update: $(cat /tmp/out)"
  if v1; then
    expect_props $u MemoryLimit=134217728 TasksMax=60 CPUQuotaPerSecUSec=200ms
    expect_file $(cgdir memory $p)/memory.limit_in_bytes 134217728
    expect_file $(cgdir pids $p)/pids.max 60
    expect_file $(cgdir cpu $p)/cpu.cfs_quota_us 20000
    # A file in a hierarchy systemd does not manage.
    sk update --cpuset-cpus 0 t5 >/tmp/out 2>&1 || fail "update cpuset: $(cat /tmp/out)"
    expect_file $(cgdir cpuset $p)/cpuset.cpus 0
  else
    expect_props $u MemoryMax=134217728 TasksMax=60 CPUQuotaPerSecUSec=200ms
    expect_file $CG$p/memory.max 134217728
    expect_file $CG$p/pids.max 60
    expect_file $CG$p/cpu.max "20000 100000"
  fi
  # A value systemd refuses names the unit and the property.
  sk update --resources - t5 <<<'{"unified": {"memory.max": "lots"}}' >/tmp/out 2>&1 \
    && fail "update with a bad value succeeded"
  expect_error memory.max
  sk delete -f t5 || fail "delete"
  nothing_left t5 $u $p
}

test_pause () {
  CGPATH=system.slice:skiff:t6 mkcfg
  start t6
  local d=$CG/system.slice/skiff-t6.scope f
  sk pause t6 || fail "pause"
  [ "$(state_of t6)" = paused ] || fail "status $(state_of t6) after pause"
  if v1; then
    # The v1 freezer, in the directory skiff made beside systemd's.
    f=$(cgdir freezer /system.slice/skiff-t6.scope)/freezer.state
    expect_file $f FROZEN
  else
    grep -q '^frozen 1' $d/cgroup.events || fail "cgroup.events: $(cat $d/cgroup.events)"
  fi
  sk resume t6 || fail "resume"
  [ "$(state_of t6)" = running ] || fail "status $(state_of t6) after resume"
  if v1; then
    expect_file $f THAWED
  else
    grep -q '^frozen 0' $d/cgroup.events || fail "cgroup.events: $(cat $d/cgroup.events)"
  fi
  # events --stats reads the scope's files.
  sk events --stats t6 >/tmp/out 2>&1 || fail "events --stats: $(cat /tmp/out)"
  jq -e '.data.pids.current >= 1' /tmp/out >/dev/null || fail "events --stats: $(cat /tmp/out)"
  sk delete -f t6 || fail "delete"
  nothing_left t6 skiff-t6.scope /system.slice/skiff-t6.scope
}

test_kill_all_ps_exec () {
  CGPATH=system.slice:skiff:t7 ARGS='["sh", "-c", "sleep 1000 & sleep 1000"]' mkcfg
  start t7
  # exec joins the scope's cgroup.
  sk exec t7 cat /proc/self/cgroup >/tmp/out 2>&1 || fail "exec: $(cat /tmp/out)"
  expect_cgroup /tmp/out /system.slice/skiff-t7.scope
  local n
  n=$(sk ps --format json t7 | jq length)
  [ "$n" -ge 2 ] || fail "ps lists $n processes"
  sk kill --all t7 KILL || fail "kill --all"
  wait_status t7 stopped
  sk delete t7 || fail "delete"
  nothing_left t7 skiff-t7.scope /system.slice/skiff-t7.scope
}

test_kill9 () {
  CGPATH=system.slice:skiff:t8 mkcfg
  start t8
  kill -9 "$(pid_of t8)"
  wait_status t8 stopped
  sk delete t8 >/tmp/out 2>&1 || fail "delete: $(cat /tmp/out)"
  nothing_left t8 skiff-t8.scope /system.slice/skiff-t8.scope
}

test_failed_start () {
  # systemd refuses a property: the error names the unit and the
  # property, and nothing is left.
  CGPATH=system.slice:skiff:t9 ANN='{"org.systemd.property.TasksMax": "\u0027lots\u0027"}' mkcfg
  sk run -d --bundle "$B" t9 </dev/null >/tmp/out 2>&1 && fail "run succeeded"
  expect_error skiff-t9.scope TasksMax
  nothing_left t9 skiff-t9.scope /system.slice/skiff-t9.scope
  # The unit starts, the container's process does not.
  CGPATH=system.slice:skiff:t9 ARGS='["/nonexistent"]' mkcfg
  sk run -d --bundle "$B" t9 </dev/null >/tmp/out 2>&1 && fail "run of /nonexistent succeeded"
  nothing_left t9 skiff-t9.scope /system.slice/skiff-t9.scope
  # An unknown property.
  CGPATH=system.slice:skiff:t9 ANN='{"org.systemd.property.NoSuchProperty": "true"}' mkcfg
  sk run -d --bundle "$B" t9 </dev/null >/tmp/out 2>&1 && fail "run succeeded"
  expect_error skiff-t9.scope NoSuchProperty
  nothing_left t9 skiff-t9.scope /system.slice/skiff-t9.scope
}

test_annotations () {
  CGPATH=system.slice:skiff:t10 ANN='{"org.systemd.property.TimeoutStopSec": "uint64 7", "org.systemd.property.CollectMode": "\u0027inactive-or-failed\u0027"}' mkcfg
  start t10
  expect_props skiff-t10.scope TimeoutStopUSec=7s CollectMode=inactive-or-failed
  sk delete -f t10 || fail "delete"
  nothing_left t10 skiff-t10.scope /system.slice/skiff-t10.scope
}

test_custom_slice () {
  CGPATH=skiff-pods.slice:ctr:a mkcfg
  start a
  CGPATH=skiff-pods.slice:ctr:b mkcfg
  start b
  local s=/skiff.slice/skiff-pods.slice
  expect_prop ctr-a.scope ControlGroup $s/ctr-a.scope
  expect_prop ctr-b.scope ControlGroup $s/ctr-b.scope
  expect_prop skiff-pods.slice ActiveState active
  expect_cgroup /proc/$(pid_of a)/cgroup $s/ctr-a.scope
  expect_cgroup /proc/$(pid_of b)/cgroup $s/ctr-b.scope
  grep -q "ctr-a.scope" <(systemctl list-units --no-legend) || fail "ctr-a.scope not listed"
  sk delete -f a || fail "delete a"
  nothing_left a ctr-a.scope $s/ctr-a.scope
  expect_prop ctr-b.scope ActiveState active
  sk delete -f b || fail "delete b"
  nothing_left b ctr-b.scope $s/ctr-b.scope
}

test_slice_unit () {
  # A name ending in .slice makes the container's unit a slice.
  CGPATH=system.slice:ignored:system-skiffpod.slice mkcfg
  start s1
  expect_prop system-skiffpod.slice ActiveState active
  expect_cgroup /proc/$(pid_of s1)/cgroup /system.slice/system-skiffpod.slice
  sk delete -f s1 || fail "delete"
  nothing_left s1 system-skiffpod.slice /system.slice/system-skiffpod.slice
}

test_bad_path () {
  local p
  for p in /foo/bar system.slice:x docker:abc:def:ghi system.slice:x: a--b.slice:x:y; do
    CGPATH=$p mkcfg
    sk run -d --bundle "$B" bad </dev/null >/tmp/out 2>&1 && fail "run with cgroupsPath $p succeeded"
    grep -q "linux.cgroupsPath: \`$p\`" /tmp/out || fail "$p: error \`$(cat /tmp/out)\` does not name it"
    [ ! -e "$ROOT/bad" ] || fail "$p: state dir left"
  done
  CGPATH=/foo/bar mkcfg
  sk run -d --bundle "$B" bad </dev/null >/tmp/out 2>&1
  expect_error 'expected `slice:prefix:name` with --systemd-cgroup'
  [ -z "$(systemctl list-units --all --no-legend | grep -- '-bad.scope')" ] || fail "a unit was made"
}

test_no_bus () {
  CGPATH=system.slice:skiff:t11 mkcfg
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/nonexistent-bus sk run -d --bundle "$B" t11 \
    </dev/null >/tmp/out 2>&1 && fail "run without a bus succeeded"
  expect_error "cannot connect to systemd over D-Bus" /run/nonexistent-bus
  nothing_left t11 skiff-t11.scope /system.slice/skiff-t11.scope
  grep -l '^sleep' /proc/[0-9]*/cmdline 2>/dev/null | grep -q . && fail "a container process is left"
  return 0
}

# Rootless: a user with linger (user@UID.service, its own systemd and
# session bus); skiff run as that user talks to that manager.
RL_USER=skuser RLU=1500
UB=/home/$RL_USER/bundle
urun () {
  setpriv --reuid=$RLU --regid=$RLU --init-groups env -i PATH=$PATH HOME=/home/$RL_USER \
    XDG_RUNTIME_DIR=/run/user/$RLU "$@"
}
rl_setup () {
  id $RL_USER >/dev/null 2>&1 || useradd -m -u $RLU -U $RL_USER || fail "useradd"
  systemctl start systemd-logind || fail "systemd-logind does not start"
  loginctl enable-linger $RL_USER || fail "enable-linger"
  systemctl start user@$RLU.service || fail "user@$RLU.service does not start"
  local i=0
  until [ -S /run/user/$RLU/bus ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "no /run/user/$RLU/bus (dbus-user-session) after 30 s"
    sleep 0.1
  done
  rm -rf $UB && mkdir -p $UB && cp -a $B/rootfs $UB/ && chown -R $RLU:$RLU $UB \
    || fail "copy the bundle for $RL_USER"
}
uprop () { urun systemctl --user show -P "$2" "$1"; }

test_rootless () {
  rl_setup
  local mgr=/user.slice/user-$RLU.slice/user@$RLU.service
  BDIR=$UB RL_UID=$RLU RES='{"memory": {"limit": 67108864}, "pids": {"limit": 30}}' mkcfg
  chown $RLU:$RLU $UB/config.json
  if v1; then
    # systemd delegates no v1 hierarchy to a user: refused (runc, crun too).
    urun "$SK" --systemd-cgroup run -d --bundle $UB r1 </dev/null >/tmp/out 2>&1 \
      && fail "rootless run on $LAYOUT succeeded"
    expect_error "rootless containers need cgroup v2"
    [ ! -e /run/user/$RLU/skiff/r1 ] || fail "state dir left"
    return 0
  fi
  urun "$SK" --systemd-cgroup run -d --bundle $UB r1 </dev/null >/tmp/out 2>&1 \
    || fail "rootless run: $(cat /tmp/out)"
  # An empty slice is user.slice, of the user's manager.
  local cgp=$mgr/user.slice/skiff-r1.scope pid
  [ "$(uprop skiff-r1.scope ControlGroup)" = $cgp ] \
    || fail "ControlGroup $(uprop skiff-r1.scope ControlGroup), expected $cgp"
  [ "$(uprop skiff-r1.scope Delegate)" = yes ] || fail "not delegated"
  [ "$(uprop skiff-r1.scope TasksMax)" = 30 ] || fail "TasksMax $(uprop skiff-r1.scope TasksMax)"
  pid=$(urun "$SK" state r1 | jq -r .pid)
  expect_cgroup /proc/$pid/cgroup $cgp
  expect_file $CG$cgp/pids.max 30
  [ -e $CG$cgp/memory.max ] && expect_file $CG$cgp/memory.max 67108864
  urun "$SK" pause r1 >/tmp/out 2>&1 || fail "rootless pause: $(cat /tmp/out)"
  grep -q '^frozen 1' $CG$cgp/cgroup.events || fail "not frozen: $(cat $CG$cgp/cgroup.events)"
  urun "$SK" resume r1 >/tmp/out 2>&1 || fail "rootless resume: $(cat /tmp/out)"
  urun "$SK" delete -f r1 >/tmp/out 2>&1 || fail "rootless delete: $(cat /tmp/out)"
  [ ! -e /run/user/$RLU/skiff/r1 ] || fail "state dir left"
  [ "$(uprop skiff-r1.scope LoadState)" = not-found ] \
    || fail "unit left: $(urun systemctl --user show -p LoadState,ActiveState skiff-r1.scope | tr '\n' ' ')"
  [ ! -e $CG$cgp ] || fail "cgroup $CG$cgp left"
  # No user bus: the error names the address tried.
  urun env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus "$SK" --systemd-cgroup run -d \
    --bundle $UB r2 </dev/null >/tmp/out 2>&1 && fail "rootless run without a user bus succeeded"
  expect_error "cannot connect to the user's systemd instance" /nonexistent/bus
  [ ! -e /run/user/$RLU/skiff/r2 ] || fail "state dir left after the bus error"
}

# podman (4.3 with conmon) with skiff as its OCI runtime and the systemd
# cgroup manager, on a --rootfs directory (no registry): podman asks for
# `machine.slice:libpod:ID`, i.e. libpod-ID.scope in machine.slice.
# vfs storage: the guest kernel has no overlay module loaded (--rootfs
# needs no image layers anyway).
pm () { podman --cgroup-manager systemd --runtime "$SK" --events-backend file --storage-driver vfs "$@"; }
test_podman () {
  command -v podman >/dev/null || fail "podman is not in the image"
  local r=/var/tmp/podman-rootfs cid u pid mem=MemoryMax
  v1 && mem=MemoryLimit
  rm -rf $r && cp -a $B/rootfs $r || fail "copy the rootfs"
  pm run -d --name p1 --network none --memory 64m --pids-limit 50 --rootfs $r sleep 1000 \
    >/tmp/out 2>&1 || fail "podman run: $(cat /tmp/out)"
  cid=$(pm inspect -f '{{.Id}}' p1) || fail "podman inspect"
  u=libpod-$cid.scope
  expect_props $u ActiveState=active Slice=machine.slice Delegate=yes TasksMax=50 $mem=67108864
  pid=$(pm inspect -f '{{.State.Pid}}' p1)
  expect_cgroup /proc/$pid/cgroup /machine.slice/$u
  pm pause p1 >/tmp/out 2>&1 || fail "podman pause: $(cat /tmp/out)"
  [ "$(pm inspect -f '{{.State.Status}}' p1)" = paused ] || fail "podman: $(pm inspect -f '{{.State.Status}}' p1) after pause"
  pm unpause p1 >/tmp/out 2>&1 || fail "podman unpause: $(cat /tmp/out)"
  pm exec p1 true >/tmp/out 2>&1 || fail "podman exec: $(cat /tmp/out)"
  pm rm -f p1 >/tmp/out 2>&1 || fail "podman rm -f: $(cat /tmp/out)"
  no_unit $u
  nothing_left $cid $u /machine.slice/$u
  rm -rf $r
}

test_features () {
  "$SK" features | jq -e '.linux.cgroup.systemd == true' >/dev/null || fail "features: systemd not true"
  # The rootless driver needs pure cgroup v2.
  local u=true
  v1 && u=false
  "$SK" features | jq -e ".linux.cgroup.systemdUser == $u" >/dev/null \
    || fail "features: systemdUser not $u on $LAYOUT"
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/nonexistent-bus "$SK" features \
    | jq -e '.linux.cgroup.systemd == false' >/dev/null || fail "features: systemd true without a bus"
}

if [ "${1:-}" = run-one ]; then
  set -u
  "$2"
  exit $?
fi

mkdir -p "$ROOT"
echo "# skiff-vm: systemd started after $(( $(systemctl show -P UserspaceTimestampMonotonic) / 1000000 ))s of uptime"
echo "# skiff-vm: systemd $(systemctl --version | head -1 | cut -d' ' -f2), kernel $(uname -r), cgroup $(stat -fc %T $CG) ($LAYOUT$(v1 && echo ": $(ls $CG | tr '\n' ' ')"))"
echo "# skiff-vm: tests start after $(cut -d' ' -f1 /proc/uptime)s of uptime"
t "scope: name, slice, Delegate, accounting" test_scope
t "scope: default cgroupsPath" test_default_path
t "resources: unit properties and files" test_properties
t "resources: pids limit enforced" test_enforced
t "update: properties and files" test_update
t "pause/resume, events --stats" test_pause
t "kill --all, ps, exec" test_kill_all_ps_exec
t "delete after kill -9 leaves no unit" test_kill9
t "failed start leaves no unit" test_failed_start
t "org.systemd.property annotations" test_annotations
t "two containers in one custom slice" test_custom_slice
t "slice unit" test_slice_unit
t "bad cgroupsPath" test_bad_path
t "systemd not reachable" test_no_bus
t "features: cgroup.systemd" test_features
t "rootless: the user's systemd instance" test_rootless
t "podman --cgroup-manager systemd --runtime skiff" test_podman
echo "# skiff-vm: done after $(cut -d' ' -f1 /proc/uptime)s of uptime"
