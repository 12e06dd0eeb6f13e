#!/usr/bin/env bats
# The container lifecycle (runtime.md "Lifecycle", "Operations", "State"):
# create -> created -> start -> running -> kill -> stopped -> delete -> gone,
# foreground and detached run, exit codes, signals, what the process sees.

load helpers

# create ID [ARGS...]: `skiff create` of $BUNDLE, asserting success.
create () {
  run_skiff create --bundle "$BUNDLE" "$@"
  [ "$status" -eq 0 ] || fail "create failed"
}

# The state of ID, checked against the spec's state schema; sets $output.
state_ok () {
  run_skiff state "$1"
  [ "$status" -eq 0 ] || fail "state $1 failed" || return 1
  echo "$output" | validate_schema state-schema.json - || fail "state JSON is not valid"
}

@test "lifecycle: create -> created -> start -> running -> kill -> stopped -> delete -> gone" {
  set_args /probe sleep 1000
  create "$ID"
  # runtime.md "create": the state is `created` and the process exists
  # but has not run the user program yet.
  state_ok "$ID"
  [ "$(json_field status)" = created ]
  [ "$(json_field id)" = "$ID" ]
  pid=$(json_field pid)
  [ "$pid" -gt 0 ]
  kill -0 "$pid"
  [ "$(readlink /proc/$pid/exe)" != "$(readlink -f "$BUNDLE/rootfs/probe")" ] \
    || fail "the user program ran before start"

  run_skiff start "$ID"
  assert_status 0
  wait_for_status "$ID" running
  state_ok "$ID"
  [ "$(json_field pid)" = "$pid" ]

  run_skiff kill "$ID" KILL
  assert_status 0
  wait_for_status "$ID" stopped
  state_ok "$ID"

  run_skiff delete "$ID"
  assert_status 0
  run_skiff state "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains "does not exist"
  ! kill -0 "$pid" 2>/dev/null
  assert_nothing_left "$ID"
}

@test "state: fields as the spec and go-runc read them" {
  set_args /probe sleep 1000
  cfg 'c["annotations"] = {"org.skiff.test": "yes"}'
  create "$ID"
  state_ok "$ID"
  [ "$(json_field ociVersion)" != "" ]
  [ "$(json_field bundle)" = "$BUNDLE" ]
  [ "$(json_field rootfs)" = "$BUNDLE/rootfs" ]
  echo "$output" | python3 -c '
import json, sys, datetime
s = json.load(sys.stdin)
assert s["annotations"] == {"org.skiff.test": "yes"}, s["annotations"]
assert "owner" in s, "no owner"
c = s["created"]
# RFC 3339 with any fraction of a second
base = c.split(".")[0].rstrip("Z")
datetime.datetime.strptime(base[:19], "%Y-%m-%dT%H:%M:%S")
assert c.endswith("Z") or "+" in c[19:] or "-" in c[19:], c
'
}

@test "start: the process runs only after start (exec.fifo)" {
  cfg 'c["root"]["readonly"] = False'
  set_args /probe write /started yes
  create "$ID"
  [ ! -e "$BUNDLE/rootfs/started" ]
  run_skiff start "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  [ "$(cat "$BUNDLE/rootfs/started")" = yes ]
}

@test "create --pid-file: written before create returns, equal to state pid" {
  set_args /probe sleep 1000
  create --pid-file "$TEST_DIR/pid" "$ID"
  [ -s "$TEST_DIR/pid" ]
  [ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
}

@test "create --pid-file relative to the working directory, -b relative bundle" {
  set_args /probe sleep 1000
  cd "$TEST_DIR"
  run_skiff create -b bundle --pid-file rel.pid "$ID"
  assert_status 0
  [ -s "$TEST_DIR/rel.pid" ]
  [ "$(state_field "$ID" bundle)" = "$BUNDLE" ]
}

@test "create: the bundle defaults to the working directory" {
  set_args /probe sleep 1000
  cd "$BUNDLE"
  run_skiff create "$ID"
  assert_status 0
  [ "$(state_field "$ID" bundle)" = "$BUNDLE" ]
}

@test "run: foreground exit code is the container's" {
  run_container /probe exit 0
  assert_status 0
  run_container /probe exit 42
  assert_status 42
  run_container /probe exit 255
  assert_status 255
}

@test "run: foreground output reaches skiff's stdout and the container is deleted" {
  run_container /probe ids cwd
  assert_status 0
  assert_output_contains "uid=0"
  assert_output_contains "cwd=/"
  run_skiff state "$ID"
  [ "$status" -ne 0 ]
  assert_nothing_left "$ID"
}

@test "run --keep: the stopped container stays until delete" {
  set_args /probe exit 3
  run_skiff run --keep --bundle "$BUNDLE" "$ID"
  assert_status 3
  [ "$(state_field "$ID" status)" = stopped ]
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "run: killed by a signal exits 128+N" {
  set_args /probe sleep 1000
  "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 </dev/null 3>&- &
  runpid=$!
  wait_for_status "$ID" running
  run_skiff kill "$ID" KILL
  assert_status 0
  timed_wait "$runpid"
  [ "$rc" -eq 137 ] || fail "run exited $rc, want 137"
}

@test "run: a process that kills itself exits 128+N (no pid namespace)" {
  cfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
  run_container sh -c 'kill -USR1 $$'
  assert_status 138
}

@test "run: foreground run forwards SIGTERM, SIGINT, SIGHUP to the container" {
  cfg 'c["root"]["readonly"] = False'
  set_args /probe signals /ready
  for sig in TERM:15 INT:2 HUP:1; do
    rm -f "$BUNDLE/rootfs/ready"
    "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 </dev/null 3>&- &
    runpid=$!
    wait_for_file "$BUNDLE/rootfs/ready"
    kill -"${sig%%:*}" "$runpid"
    timed_wait "$runpid"
    [ "$rc" -eq 0 ] || fail "SIG${sig%%:*}: run exited $rc: $(cat "$TEST_DIR/out")"
    grep -qx "signal=${sig##*:}" "$TEST_DIR/out" || fail "SIG${sig%%:*}: $(cat "$TEST_DIR/out")"
  done
}

@test "run -d: returns with the container running" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  [ "$(state_field "$ID" status)" = running ]
  run_skiff kill "$ID" 9
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "run --detach --pid-file" {
  set_args /probe sleep 1000
  run_skiff run --detach --pid-file "$TEST_DIR/pid" --bundle "$BUNDLE" "$ID"
  assert_status 0
  [ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
}

@test "kill: default signal is TERM, delivered to the container process" {
  cfg 'c["root"]["readonly"] = False'
  set_args /probe signals /ready
  create "$ID"
  run_skiff start "$ID"
  assert_status 0
  wait_for_file "$BUNDLE/rootfs/ready"
  run_skiff kill "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  grep -qx "signal=15" "$TEST_DIR/out.1"
}

@test "kill: signal by number, name and SIG name" {
  cfg 'c["root"]["readonly"] = False'
  for sig in 10:10 USR2:12 SIGHUP:1; do
    rm -f "$BUNDLE/rootfs/ready"
    set_args /probe signals /ready
    create "$ID"
    run_skiff start "$ID"
    wait_for_file "$BUNDLE/rootfs/ready"
    run_skiff kill "$ID" "${sig%%:*}"
    assert_status 0
    wait_for_status "$ID" stopped
    n=$(( _skiff_n - 2 ))
    grep -qx "signal=${sig##*:}" "$TEST_DIR/out.$n" || fail "signal ${sig%%:*}: $(cat "$TEST_DIR/out.$n")"
    run_skiff delete "$ID"
    assert_status 0
  done
}

@test "kill: works on a created container" {
  set_args /probe sleep 1000
  create "$ID"
  run_skiff kill "$ID" KILL
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "kill --all: every process of the container" {
  set_args sh -c '/probe sleep 1000 & /probe sleep 1000 & wait'
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff kill --all "$ID" KILL
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "stopped: a container whose process exited is stopped and deletable" {
  set_args /probe exit 0
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  state_ok "$ID"
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "delete --force: a running container is killed and removed" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  run_skiff delete --force "$ID"
  assert_status 0
  ! kill -0 "$pid" 2>/dev/null
  assert_nothing_left "$ID"
}

@test "delete -f: a created container is killed and removed" {
  set_args /probe sleep 1000
  create "$ID"
  run_skiff delete -f "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "two containers from one bundle side by side" {
  set_args /probe sleep 1000
  create "$ID-a"
  create "$ID-b"
  [ "$(state_field "$ID-a" status)" = created ]
  [ "$(state_field "$ID-b" status)" = created ]
  [ "$(state_field "$ID-a" pid)" != "$(state_field "$ID-b" pid)" ]
  run_skiff delete --force "$ID-a"
  assert_status 0
  [ "$(state_field "$ID-b" status)" = created ]
}

# ---- what the process sees (config.md "Process", "Root", "Hostname")

@test "process: args, env, cwd" {
  cfg 'c["process"]["env"] = ["PATH=/bin:/usr/bin", "FOO=bar baz"]; c["process"]["cwd"] = "/tmp"'
  run_container /probe env cwd
  assert_status 0
  assert_output_contains "FOO=bar baz"
  assert_output_contains "PATH=/bin:/usr/bin"
  assert_output_contains "cwd=/tmp"
}

@test "process: executable found through the container's PATH" {
  cfg 'c["process"]["env"] = ["PATH=/nonexistent:/"]'
  run_container probe cwd
  assert_status 0
  assert_output_contains "cwd=/"
}

@test "process.user: uid, gid, additionalGids, umask" {
  cfg 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [29, 5], "umask": 63}'
  run_container /probe ids umask
  assert_status 0
  assert_output_contains "uid=1000"
  assert_output_contains "gid=1000"
  assert_output_contains "euid=1000"
  assert_output_contains "egid=1000"
  groups=$(echo "$output" | sed -n 's/^groups=//p')
  [[ ",$groups," == *,29,* ]] || fail "group 29 missing"
  [[ ",$groups," == *,5,* ]] || fail "group 5 missing"
  assert_output_contains "umask=0077"
}

@test "hostname in a new uts namespace" {
  cfg 'c["hostname"] = "skiff-test-host"'
  run_container /probe hostname
  assert_status 0
  assert_output_contains "hostname=skiff-test-host"
  [ "$(hostname)" != skiff-test-host ]
}

@test "namespaces: the container is in new mount, pid, uts, ipc, net namespaces" {
  run_container /probe pid
  assert_status 0
  assert_output_contains "pid=1"
  run_container /probe ns
  assert_status 0
  for ns in mnt pid uts ipc net; do
    inside=$(echo "$output" | sed -n "s/^$ns=//p")
    outside=$(stat -L -c %i /proc/self/ns/$ns)
    [ -n "$inside" ] && [ "$inside" != "$outside" ] || fail "$ns namespace not new"
  done
}

@test "rootfs: pivoted into the bundle's rootfs with /proc and default devices" {
  run_container sh -c 'ls /probe && /probe stat /dev/null stat /dev/zero stat /dev/tty && /probe mounts'
  assert_status 0
  assert_output_contains "type=chr major=1 minor=3"
  assert_output_contains "type=chr major=1 minor=5"
  assert_output_contains "type=chr major=5 minor=0"
  echo "$output" | grep -q " /proc " || fail "no /proc mount"
}

@test "no stdio leak: the container sees only fds 0 1 2 by default" {
  run_container /probe fds
  assert_status 0
  [ "$(echo "$output" | grep -c '^[0-9]*=')" -eq 3 ] || fail "extra fds"
}
