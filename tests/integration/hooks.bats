#!/usr/bin/env bats
# OCI hooks: config.md "POSIX-platform Hooks" (path, args, env, timeout,
# state on stdin, namespaces, summary table) and runtime.md "Lifecycle"
# (when each kind runs, what a failure does).

load helpers

# The recorder (tests/integration/hook-record.sh) on the host, a copy in
# the rootfs for startContainer (whose path resolves in the container), and
# $HOOKS, a directory bound at /hooks in the container, where it writes.
setup () {
  skiff_setup
  HOOKS=$TEST_DIR/hooks
  mkdir -p "$HOOKS" "$BUNDLE/rootfs/hooks"
  cp "$BATS_TEST_DIRNAME/hook-record.sh" "$TEST_DIR/hook-record.sh"
  cp "$BATS_TEST_DIRNAME/hook-record.sh" "$BUNDLE/rootfs/hook-record.sh"
  cfg "c['mounts'].append({'destination': '/hooks', 'type': 'bind', 'source': '$HOOKS',
                          'options': ['rbind', 'rw']})"
  set_args /probe sleep 1000
}

# hook_json KIND: the hook entry that records KIND (env HOOKVAR=KIND).
hook_json () {
  local path=$TEST_DIR/hook-record.sh dir=$HOOKS
  if [ "$1" = startContainer ]; then path=/hook-record.sh dir=/hooks; fi
  echo "{'path': '/bin/sh', 'args': ['sh', '$path', '$dir', '$1', 'extra arg'],
         'env': ['HOOKVAR=$1']}"
}

all_hooks () {
  local k py="c['hooks'] = {}"
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    py="$py; c['hooks']['$k'] = [$(hook_json $k)]"
  done
  cfg "$py"
}

# set_hook KIND 'SCRIPT' [TIMEOUT]: KIND's only hook is `sh -c SCRIPT`.
set_hook () {
  local t=
  [ -z "${3:-}" ] || t=", 'timeout': $3"
  cfg "c.setdefault('hooks', {})['$1'] = [{'path': '/bin/sh',
       'args': ['sh', '-c', '''$2''', '$TOKEN'] $t}]"
}

# field KIND KEY: a field of the state KIND's hook received.
field () {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' \
    "$HOOKS/$1.json" "$2"
}
# gone PID: the process does not exist or is a zombie (killed, not yet
# reaped by whoever inherited it).
gone () {
  local i
  for i in $(seq 50); do
    [ -e "/proc/$1" ] || return 0
    grep -q ') Z ' "/proc/$1/stat" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
ns_of () { sed -n "s/^$2=//p" "$HOOKS/$1.ns"; }

@test "hooks: every kind runs once, in order, at its lifecycle point" {
  all_hooks
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  # runtime.md steps 3-5: prestart, createRuntime, createContainer during
  # create; nothing of start yet.
  [ "$(cat "$HOOKS/order" | tr '\n' ' ')" = "prestart createRuntime createContainer " ] \
    || fail "after create: $(cat "$HOOKS/order")"
  run_skiff start "$ID"
  assert_status 0
  # steps 7-9: startContainer before the user process, poststart before
  # `start` returned.
  [ "$(cat "$HOOKS/order" | tr '\n' ' ')" = \
    "prestart createRuntime createContainer startContainer poststart " ] \
    || fail "after start: $(cat "$HOOKS/order")"
  run_skiff kill "$ID" KILL
  wait_for_status "$ID" stopped
  [ ! -e "$HOOKS/poststop.json" ] || fail "poststop ran before delete"
  run_skiff delete "$ID"
  assert_status 0
  # step 13: poststop after the container is deleted.
  [ "$(tail -n 1 "$HOOKS/order")" = poststop ] || fail "poststop: $(cat "$HOOKS/order")"
  [ "$(wc -l <"$HOOKS/order")" = 6 ]
  assert_nothing_left "$ID"
}

@test "hooks: the state on stdin (pid, status) matches the lifecycle point" {
  all_hooks
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  run_skiff start "$ID"
  assert_status 0
  run_skiff kill "$ID" KILL
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    validate_schema state-schema.json "$HOOKS/$k.json" || fail "$k: state not valid"
    [ "$(field $k id)" = "$ID" ] || fail "$k: id"
    [ "$(field $k bundle)" = "$BUNDLE" ] || fail "$k: bundle $(field $k bundle)"
  done
  for k in prestart createRuntime createContainer startContainer; do
    [ "$(field $k status)" = created ] || fail "$k: status $(field $k status)"
    [ "$(field $k pid)" = "$pid" ] || fail "$k: pid $(field $k pid), container $pid"
  done
  [ "$(field poststart status)" = running ] || fail "poststart: status $(field poststart status)"
  [ "$(field poststart pid)" = "$pid" ]
  [ "$(field poststop status)" = stopped ] || fail "poststop: status $(field poststop status)"
  p=$(field poststop pid)
  [ -z "$p" ] || [ "$p" = 0 ] || fail "poststop: pid $p of a deleted container"
}

@test "hooks: each kind runs in the namespace the spec's table gives" {
  all_hooks
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  cmnt=$(readlink /proc/$pid/ns/mnt)
  cpid=$(readlink /proc/$pid/ns/pid)
  hmnt=$(readlink /proc/self/ns/mnt)
  [ "$cmnt" != "$hmnt" ]
  run_skiff start "$ID"
  assert_status 0
  run_skiff delete --force "$ID"
  assert_status 0
  # runtime namespace
  for k in prestart createRuntime poststart poststop; do
    [ "$(ns_of $k mnt)" = "$hmnt" ] || fail "$k: mount ns $(ns_of $k mnt), host $hmnt"
  done
  # container namespace: createContainer in its mount ns (before
  # pivot_root: its path resolved on the host), startContainer inside it.
  [ "$(ns_of createContainer mnt)" = "$cmnt" ] || fail "createContainer: $(ns_of createContainer mnt)"
  [ "$(ns_of startContainer mnt)" = "$cmnt" ] || fail "startContainer: $(ns_of startContainer mnt)"
  [ "$(ns_of startContainer pid)" = "$cpid" ] || fail "startContainer: pid ns"
}

@test "hooks: args as given and exactly the hook's env" {
  all_hooks
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff delete --force "$ID"
  assert_status 0
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    [ "$(cat "$HOOKS/$k.env")" = "HOOKVAR=$k" ] || fail "$k env: $(cat "$HOOKS/$k.env")"
    dir=$HOOKS
    [ $k = startContainer ] && dir=/hooks
    [ "$(cat "$HOOKS/$k.args")" = "$dir $k extra arg" ] || fail "$k args: $(cat "$HOOKS/$k.args")"
  done
}

@test "hooks: run in the foreground calls every kind, poststop after the process exits" {
  all_hooks
  set_args /probe exit 3
  run_skiff run --bundle "$BUNDLE" "$ID"
  assert_status 3
  [ "$(cat "$HOOKS/order" | tr '\n' ' ')" = \
    "prestart createRuntime createContainer startContainer poststart poststop " ] \
    || fail "order: $(cat "$HOOKS/order")"
  assert_nothing_left "$ID"
}

# runtime.md steps 3-5: a failing hook is an error and the container is
# destroyed; nothing is left behind.
@test "hooks: a failing prestart/createRuntime/createContainer hook fails create cleanly" {
  for k in prestart createRuntime createContainer; do
    cfg 'c["hooks"] = {}'
    set_hook $k 'cat >/dev/null; echo "hook says no" >&2; exit 3'
    run_skiff create --bundle "$BUNDLE" "$ID"
    assert_failed_cleanly "$ID" "hook \`$k[0]\` (\`/bin/sh\`): exited with status 3" || return 1
    assert_output_contains "hook says no"
  done
}

@test "hooks: a failing startContainer hook fails start and destroys the container" {
  set_hook startContainer 'exit 4'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff start "$ID"
  assert_failed_cleanly "$ID" "hook \`startContainer[0]\` (\`/bin/sh\`): exited with status 4"
}

@test "hooks: a failing poststart hook is an error and destroys the container" {
  # runtime.md step 9: generate an error, stop the container, step 12.
  set_hook poststart 'exit 5'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff start "$ID"
  assert_failed_cleanly "$ID" "hook \`poststart[0]\` (\`/bin/sh\`): exited with status 5"
}

@test "hooks: a failing poststop hook is a warning; the later ones still run" {
  cfg "c['hooks'] = {'poststop': [{'path': '/bin/sh', 'args': ['sh', '-c', 'exit 6']},
                                  $(hook_json poststop)]}"
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff delete --force "$ID"
  # runtime.md step 13: a warning, the lifecycle continues.
  assert_status 0
  assert_output_contains "hook \`poststop[0]\` (\`/bin/sh\`): exited with status 6"
  [ -e "$HOOKS/poststop.json" ] || fail "poststop[1] did not run"
  assert_nothing_left "$ID"
}

@test "hooks: a hook that outlives its timeout is killed and create fails cleanly" {
  # config.md: timeout, the number of seconds before aborting the hook.
  set_hook createRuntime 'echo $$ > '"$TEST_DIR"'/hook.pid; sleep 1000 & echo $! > '"$TEST_DIR"'/child.pid; wait' 1
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "hook \`createRuntime[0]\` (\`/bin/sh\`): timed out after 1s"
  gone "$(cat "$TEST_DIR/hook.pid")" || fail "the hook is still running"
  # what the hook started goes with it (its process group is killed)
  gone "$(cat "$TEST_DIR/child.pid")" || fail "the hook's child survived"
}

@test "hooks: a hook that exits without reading a large state does not kill skiff" {
  # The state carries the annotations: make it much larger than a pipe.
  cfg 'c["annotations"] = {"big": "x" * 200000}'
  set_hook createRuntime 'exit 0'
  set_hook poststart 'exit 0'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff start "$ID"
  assert_status 0
  run_skiff state "$ID"
  assert_status 0
  assert_output_contains '"status": "running"'
}

@test "hooks: a hook whose path does not exist fails create cleanly" {
  cfg 'c["hooks"] = {"createRuntime": [{"path": "/nonexistent/hook"}]}'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "hook \`createRuntime[0]\` (\`/nonexistent/hook\`): exec: No such file or directory"
}
