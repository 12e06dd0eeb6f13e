#!/usr/bin/env bats
# skiff exec: a new process in a live container, as runc's `exec` (what
# containerd's shim and conmon send: `exec --process F --detach --pid-file P
# [--console-socket S] ID`).  runtime-spec runtime.md "Lifecycle" (exec is
# not in the spec; runc's behaviour is the reference), config.md "Process"
# for what --process carries.

load helpers

# A running container whose init sleeps; $PID is its pid.
start_sleeper () {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "run -d failed" || return 1
  PID=$(state_field "$ID" pid)
  [ "$PID" -gt 0 ] || fail "no pid"
}

# The init's namespace inodes in `probe ns` format.
init_ns () {
  local f
  for f in /proc/$PID/ns/*; do
    echo "$(basename "$f")=$(stat -L -c %i "$f")"
  done | sort
}

@test "exec: joins every namespace of the init (compared by inode)" {
  start_sleeper
  run_skiff exec "$ID" /probe ns
  assert_status 0
  got=$(echo "$output" | sort)
  want=$(init_ns)
  [ "$got" = "$want" ] || fail "namespaces differ: got [$got] want [$want]"
  # ... and they are not ours (the test would pass vacuously otherwise).
  [ "$(readlink /proc/$PID/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]
  [ "$(readlink /proc/$PID/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
}

@test "exec: the process is in the container's cgroup and pid namespace" {
  start_sleeper
  # Inside (the container may have a cgroup namespace): same as the init's.
  run_skiff exec "$ID" /probe cgroup
  assert_status 0
  mine=$output
  run_skiff exec "$ID" cat /proc/1/cgroup
  [ "$mine" = "$output" ] || fail "cgroup differs from the init's: $mine"
  # From the host: the same cgroup as the init.
  run_skiff exec -d --pid-file "$TEST_DIR/p" "$ID" /probe sleep 1000
  assert_status 0
  [ "$(cat /proc/$(cat "$TEST_DIR/p")/cgroup)" = "$(cat /proc/$PID/cgroup)" ]
  run_skiff exec "$ID" /probe pid
  assert_status 0
  # pid 1 is the init; the exec process is another pid inside the namespace.
  assert_output_contains "pid="
  refute_output_contains "pid=1"$'\n'
}

@test "exec: environment comes from the process, not the caller; --env adds and overrides" {
  start_sleeper
  export SKIFF_TEST_LEAK=yes
  run_skiff exec -e FOO=bar --env PATH=/bin "$ID" /probe env
  assert_status 0
  assert_output_contains "FOO=bar"
  assert_output_contains "PATH=/bin"
  refute_output_contains "SKIFF_TEST_LEAK"
  # one PATH only: --env replaced the config's
  [ "$(echo "$output" | grep -c '^PATH=')" = 1 ] || fail "PATH twice"
  # HOME from the container's /etc/passwd (root -> /root)
  assert_output_contains "HOME=/root"
}

@test "exec: --cwd, --user, --additional-gids" {
  start_sleeper
  run_skiff exec --cwd /tmp "$ID" /probe cwd
  assert_status 0
  assert_output_contains "cwd=/tmp"
  run_skiff exec --user 1000:1000 -g 29 --additional-gids 5 "$ID" /probe ids
  assert_status 0
  assert_output_contains "uid=1000"
  assert_output_contains "gid=1000"
  assert_output_contains "euid=1000"
  assert_output_contains "groups=5,29"   # getgroups() order
  # HOME of uid 1000 from /etc/passwd
  run_skiff exec -u 1000 "$ID" /probe env
  assert_output_contains "HOME=/home"
  run_skiff exec -u nobody "$ID" /probe ids
  [ "$status" -ne 0 ] || fail "non-numeric --user accepted"
  assert_output_contains "invalid --user \`nobody\`"
}

@test "exec: --cap adds to the process's capabilities; NNP" {
  cfg 'c["process"]["noNewPrivileges"] = False'
  start_sleeper
  # CAP_SYS_ADMIN is bit 21 (0x200000); the default config does not grant it.
  run_skiff exec "$ID" /probe caps
  assert_status 0
  eff=$(echo "$output" | sed -n 's/^CapEff=//p')
  (( (0x$eff & 0x200000) == 0 )) || fail "CAP_SYS_ADMIN without --cap"
  run_skiff exec --cap CAP_SYS_ADMIN "$ID" /probe caps
  assert_status 0
  for k in CapEff CapPrm CapBnd; do
    v=$(echo "$output" | sed -n "s/^$k=//p")
    (( (0x$v & 0x200000) != 0 )) || fail "$k lacks CAP_SYS_ADMIN with --cap"
  done
  run_skiff exec "$ID" /probe nnp
  assert_output_contains "NoNewPrivs=0"
  run_skiff exec --no-new-privs "$ID" /probe nnp
  assert_output_contains "NoNewPrivs=1"
}

@test "exec: exit codes (status, 128+signal) and a missing executable (127)" {
  start_sleeper
  run_skiff exec "$ID" /probe exit 3
  assert_status 3
  run_skiff exec "$ID" sh -c 'kill -9 $$'
  assert_status 137
  run_skiff exec "$ID" nosuchcommand
  assert_status 127
  assert_output_contains "executable file not found in \$PATH"
  assert_output_contains "nosuchcommand"
  run_skiff exec "$ID" /nosuch/path
  assert_status 127
  # not executable: 126
  run_skiff exec "$ID" /etc/passwd
  assert_status 126
  # detached: an error, no hang, no process left behind
  run_skiff exec -d "$ID" nosuchcommand
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "detached missing binary"
  assert_output_contains "executable file not found"
  # only the init remains in the container's pid namespace
  left=$(for f in /proc/[0-9]*/ns/pid; do
    if [ "$(readlink "$f" 2>/dev/null)" = "$(readlink /proc/$PID/ns/pid)" ]; then echo "${f%/ns/pid}"; fi
  done)
  [ "$left" = "/proc/$PID" ] || fail "left in the container: $left"
}

@test "exec: --detach writes the pid file and returns once the process runs" {
  start_sleeper
  run_skiff exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" /probe sleep 1000
  assert_status 0
  [ -s "$TEST_DIR/exec.pid" ] || fail "no pid file"
  p=$(cat "$TEST_DIR/exec.pid")
  [[ "$p" =~ ^[0-9]+$ ]] || fail "pid file content \`$p\`"
  kill -0 "$p"
  [ "$(readlink /proc/$p/exe)" != "$(readlink -f "$SKIFF")" ] || fail "still skiff"
  [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$PID/ns/pid)" ]
  [ "$(cat /proc/$p/cgroup)" = "$(cat /proc/$PID/cgroup)" ]
  # no temp file left next to the pid file (atomic write)
  [ "$(ls "$TEST_DIR" | grep -c exec.pid)" = 1 ]
}

@test "exec: --process FILE (as containerd's shim sends it)" {
  start_sleeper
  cat >"$TEST_DIR/process.json" <<'EOF'
{ "terminal": false, "user": { "uid": 1000, "gid": 1000, "additionalGids": [29] },
  "args": ["/probe", "ids"], "env": ["PATH=/bin", "FROMFILE=1"], "cwd": "/tmp" }
EOF
  run_skiff exec --process "$TEST_DIR/process.json" "$ID"
  assert_status 0
  assert_output_contains "uid=1000"
  assert_output_contains "groups=29"
  python3 - "$TEST_DIR/process.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1])); p["args"] = ["/probe", "env"]
json.dump(p, open(sys.argv[1], "w"))
EOF
  run_skiff exec -p "$TEST_DIR/process.json" --detach=false "$ID"
  assert_status 0
  assert_output_contains "FROMFILE=1"
  run_skiff exec --process "$TEST_DIR/nope.json" "$ID"
  [ "$status" -ne 0 ] || fail "missing process file accepted"
  assert_output_contains "nope.json"
}

@test "exec: --preserve-fds passes fds 3.. and nothing else of skiff's" {
  start_sleeper
  status=0
  output=$("$SKIFF" --root "$ROOT" exec --preserve-fds 1 "$ID" /probe fds 3>"$TEST_DIR/fd3" </dev/null 2>&1) \
    || status=$?
  assert_status 0
  assert_output_contains "3="
  refute_output_contains "4="
  output=$("$SKIFF" --root "$ROOT" exec "$ID" /probe fds 3>"$TEST_DIR/fd3" </dev/null 2>&1)
  refute_output_contains "3="
}

@test "exec: refuses a stopped container, a paused one unless --ignore-paused" {
  set_args /probe exit 0
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff start "$ID"
  wait_for_status "$ID" stopped
  run_skiff exec "$ID" /probe ids
  [ "$status" -ne 0 ] || fail "exec in a stopped container"
  assert_output_contains "container not running"
  run_skiff exec "$ID-nope" /probe ids
  [ "$status" -ne 0 ]
  assert_output_contains "does not exist"
  run_skiff delete "$ID"

  start_sleeper
  run_skiff pause "$ID"
  [ "$status" -eq 0 ] || skip "pause is not available: $output"
  run_skiff exec "$ID" /probe ids
  [ "$status" -ne 0 ] || fail "exec in a paused container"
  assert_output_contains "paused"
  # --ignore-paused: the process starts frozen and runs after resume.
  "$SKIFF" --root "$ROOT" exec --ignore-paused -d --pid-file "$TEST_DIR/p" "$ID" \
    /probe sleep 1000 </dev/null >"$TEST_DIR/ip.out" 2>&1 &
  bg=$!
  sleep 0.5
  run_skiff resume "$ID"
  assert_status 0
  wait "$bg" || fail "exec --ignore-paused failed: $(cat "$TEST_DIR/ip.out")"
  kill -0 "$(cat "$TEST_DIR/p")"
}

@test "exec: --tty with --console-socket sends the pty master (conmon)" {
  start_sleeper
  python3 "$BATS_TEST_DIRNAME/recvtty.py" "$TEST_DIR/tty.sock" "$TEST_DIR/tty.out" &
  rt=$!
  for i in $(seq 50); do [ -S "$TEST_DIR/tty.sock" ] && break; sleep 0.1; done
  run_skiff exec --detach --tty --console-socket "$TEST_DIR/tty.sock" "$ID" /probe tty
  assert_status 0
  wait "$rt" || true
  out=$(cat "$TEST_DIR/tty.out")
  [[ "$out" == *"received 1 fd(s) isatty=1"* ]] || fail "console socket: $out"
  [[ "$out" == *"isatty0=1"* && "$out" == *"isatty1=1"* ]] || fail "not a tty inside: $out"
  # --tty --detach without a console socket is refused (nobody would own the pty)
  run_skiff exec -d -t "$ID" /probe tty
  [ "$status" -ne 0 ]
  assert_output_contains "console-socket"
}

@test "exec: --tty in the foreground relays a pty" {
  start_sleeper
  # script(1) gives skiff a terminal on stdin.
  run timeout 60 script -qec "$SKIFF --root $ROOT exec -t $ID /probe tty" /dev/null
  assert_status 0
  assert_output_contains "isatty0=1"
  assert_output_contains "isatty1=1"
  run timeout 60 script -qec "$SKIFF --root $ROOT exec -t $ID sh -c 'exit 7'" /dev/null
  assert_status 7
}

@test "exec: forwards signals to the process in the foreground" {
  start_sleeper
  "$SKIFF" --root "$ROOT" exec "$ID" /probe signals /dev/shm/ready \
    </dev/null >"$TEST_DIR/sig.out" 2>&1 &
  bg=$!
  for i in $(seq 100); do [ -e /proc/$PID/root/dev/shm/ready ] && break; sleep 0.1; done
  [ -e /proc/$PID/root/dev/shm/ready ] || fail "probe did not get ready"
  kill -USR1 "$bg"
  st=0
  wait "$bg" || st=$?
  grep -q "signal=10" "$TEST_DIR/sig.out" || fail "signal not forwarded: $(cat "$TEST_DIR/sig.out")"
}

@test "exec: --cgroup runs in a sub-cgroup of the container's" {
  start_sleeper
  cg=$(awk -F: '$1 == "0" { print $3 }' /proc/$PID/cgroup)
  mnt=/sys/fs/cgroup/unified
  [ -d "$mnt$cg" ] || mnt=/sys/fs/cgroup
  [ -d "$mnt$cg" ] || skip "container cgroup not found"
  mkdir "$mnt$cg/sub"
  # On v1/hybrid hosts a bare PATH names the sub-cgroup in every hierarchy
  # (runc's rule): make it in each v1 hierarchy of the container too.
  local v1=0 ctrls path dir
  while IFS=: read -r _ ctrls path; do
    [ -n "$ctrls" ] || continue
    dir=${ctrls#name=}
    # A hierarchy the kernel has but this mount namespace does not mount
    # (another test's private mount) is not one skiff uses.
    [ -d "/sys/fs/cgroup/$dir" ] || continue
    v1=1
    mkdir "/sys/fs/cgroup/$dir$path/sub"
    if [ "$ctrls" = cpuset ]; then   # a new v1 cpuset takes no task until filled
      cat "/sys/fs/cgroup/cpuset$path/cpuset.cpus" >"/sys/fs/cgroup/cpuset$path/sub/cpuset.cpus"
      cat "/sys/fs/cgroup/cpuset$path/cpuset.mems" >"/sys/fs/cgroup/cpuset$path/sub/cpuset.mems"
    fi
  done </proc/$PID/cgroup
  run_skiff exec -d --pid-file "$TEST_DIR/p" --cgroup sub "$ID" /probe sleep 1000
  assert_status 0
  grep -q -x "0::$cg/sub" /proc/$(cat "$TEST_DIR/p")/cgroup \
    || fail "not in the sub-cgroup: $(cat /proc/$(cat "$TEST_DIR/p")/cgroup)"
  if [ "$v1" = 1 ]; then
    while IFS=: read -r _ ctrls path; do
      [ -z "$ctrls" ] || [ -d "/sys/fs/cgroup/${ctrls#name=}" ] || continue
      case $path in */$ID/sub) ;; *) fail "not in sub in every hierarchy: $(cat /proc/$(cat "$TEST_DIR/p")/cgroup)" ;; esac
    done </proc/$(cat "$TEST_DIR/p")/cgroup
    # runc's CONTROLLER:PATH form names one hierarchy
    run_skiff exec -d --pid-file "$TEST_DIR/p2" --cgroup pids:sub "$ID" /probe sleep 1000
    assert_status 0
    grep -q -x "[0-9]*:pids:.*/sub" /proc/$(cat "$TEST_DIR/p2")/cgroup || fail "pids"
    grep -q -x "0::$cg" /proc/$(cat "$TEST_DIR/p2")/cgroup || fail "unified"
  else
    # runc's [CONTROLLERS:]PATH form
    run_skiff exec -d --pid-file "$TEST_DIR/p2" --cgroup hugetlb:sub "$ID" /probe sleep 1000
    assert_status 0
    grep -q -x "0::$cg/sub" /proc/$(cat "$TEST_DIR/p2")/cgroup
  fi
  run_skiff exec --cgroup nosuch "$ID" /probe cgroup
  [ "$status" -ne 0 ]
  assert_output_contains "--cgroup \`nosuch\`"
  run_skiff exec --cgroup ../escape "$ID" /probe cgroup
  [ "$status" -ne 0 ]
  assert_output_contains "invalid --cgroup"
}

@test "exec: --apparmor on a host without AppArmor is a clear error" {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is enabled"
  start_sleeper
  run_skiff exec --apparmor myprofile "$ID" /probe ids
  [ "$status" -ne 0 ]
  assert_output_contains "apparmor"
  assert_output_contains "myprofile"
  if [ ! -e /sys/fs/selinux/enforce ]; then
    run_skiff exec --process-label system_u:system_r:container_t:s0 "$ID" /probe ids
    [ "$status" -ne 0 ]
    assert_output_contains "selinux label \`system_u:system_r:container_t:s0\`"
  fi
}

@test "exec: works in a created (not yet started) container, as runc allows" {
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff exec "$ID" /probe exit 0
  assert_status 0
  [ "$(state_field "$ID" status)" = created ] || fail "exec started the container"
}

@test "exec: the container keeps running and deletes cleanly afterwards" {
  start_sleeper
  run_skiff exec -d "$ID" /probe sleep 1000
  assert_status 0
  run_skiff delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "exec: joins the container's user namespace first (uid 0 inside is mapped)" {
  # config-linux.md "User namespace mappings"; the exec process must enter
  # the user namespace before the namespaces it owns.
  chown -R 100000:100000 "$BUNDLE/rootfs"
  # the mapped root must be able to reach the bundle (mktemp -d is 0700)
  chmod 755 "$TEST_DIR" "$BUNDLE"
  cfg 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  start_sleeper
  [ "$(readlink /proc/$PID/ns/user)" != "$(readlink /proc/self/ns/user)" ]
  run_skiff exec "$ID" /probe ns
  assert_status 0
  [ "$(echo "$output" | sort)" = "$(init_ns)" ] || fail "namespaces differ from the init's"
  run_skiff exec -d --pid-file "$TEST_DIR/p" -u 1000:1000 "$ID" /probe sleep 1000
  assert_status 0
  # uid 1000 in the container is 101000 on the host
  awk '$1 == "Uid:" { exit !($2 == 101000) }' /proc/$(cat "$TEST_DIR/p")/status \
    || fail "host uid: $(grep Uid: /proc/$(cat "$TEST_DIR/p")/status)"
}

@test "exec: the container's seccomp filter, the process's rlimits and umask apply" {
  # config-linux.md "Seccomp": the filter is the container's, so exec'd
  # processes cannot escape it.
  cfg 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 700}]
c["process"]["user"]["umask"] = 63'
  start_sleeper
  run_skiff exec "$ID" /probe seccomp
  assert_status 0
  assert_output_contains "Seccomp=2"
  run_skiff exec "$ID" /probe syscall getcwd
  assert_output_contains "errno=38"
  run_skiff exec "$ID" /probe rlimits
  assert_output_contains "RLIMIT_NOFILE=512 700"
  run_skiff exec "$ID" /probe umask
  assert_output_contains "077"
}
