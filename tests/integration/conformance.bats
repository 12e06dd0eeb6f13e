#!/usr/bin/env bats
# Regression tests for spec conformance bugs found by running the OCI
# runtime-tools validation suite against skiff by hand (the suite itself is
# not part of skiff; these tests are our own, each citing the spec section
# it checks).

load helpers

# The process writes a marker into a writable rootfs: $BUNDLE/rootfs/ran.
setup () {
  skiff_setup
  cfg 'c["root"]["readonly"] = False'
  set_args sh -c 'echo ran > /ran'
}

# hook KIND MARKER: a host-side hook of kind KIND that appends MARKER to
# $TEST_DIR/hooks.log.
hook () {
  echo "c.setdefault('hooks', {}).setdefault('$1', []).append(
          {'path': '/bin/sh', 'args': ['sh', '-c', 'echo $2 >> $TEST_DIR/hooks.log']})"
}

@test "conformance: config.json edits after create do not affect start or delete" {
  # runtime.md "Lifecycle" step 2: "Any updates to config.json after this
  # step MUST NOT affect the container."  start (poststart hooks) and
  # delete (poststop hooks) use the config as it was at create.
  cfg "$(hook poststart poststart-at-create); $(hook poststop poststop-at-create)"
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  # Replace the bundle's config with one that has no root, no process and
  # other hooks: none of it may show.
  cat >"$BUNDLE/config.json" <<EOF
{"ociVersion": "1.0.0",
 "hooks": {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo edited >> $TEST_DIR/hooks.log"]}]}}
EOF
  run_skiff start "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  [ "$(cat "$BUNDLE/rootfs/ran")" = ran ] || fail "the created process did not run"
  run_skiff delete "$ID"
  assert_status 0
  run cat "$TEST_DIR/hooks.log"
  [ "$output" = "$(printf 'poststart-at-create\npoststop-at-create')" ] \
    || fail "hooks did not come from the config at create"
  assert_nothing_left "$ID"
}

@test "conformance: the config copy kept at create is private to root" {
  # config.md process.env may carry secrets; the state dir is 0711 so that a
  # container's root in a user namespace can reach exec.fifo, hence the
  # copy itself must not be readable by others.
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  [ "$(stat -c %a "$ROOT/$ID/config.json")" = 600 ] || fail "config copy is not 0600"
  cmp -s "$ROOT/$ID/config.json" "$BUNDLE/config.json" || fail "config copy differs"
}

@test "conformance: a start that cannot load its config leaves the container created" {
  # runtime.md "start": the user program runs only when start succeeds; an
  # error from start must not come with a process that runs anyway.  With
  # the kept copy gone and the bundle's config unreadable, start fails
  # before letting the process go.
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  rm "$ROOT/$ID/config.json"
  echo '{' >"$BUNDLE/config.json"
  run_skiff start "$ID"
  [ "$status" -ne 0 ] || fail "start succeeded"
  assert_output_contains "config.json"
  [ "$(state_field "$ID" status)" = created ] || fail "container is not created any more"
  [ ! -e "$BUNDLE/rootfs/ran" ] || fail "the user program ran although start failed"
  run_skiff delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "conformance: state is created, not running, while startContainer hooks run" {
  # runtime.md "State": `running` is "the container process has executed
  # the user-specified program" (after lifecycle step 8); startContainer
  # hooks are step 7.  The hook (in the container, config.md
  # "startContainer") blocks until the test lets it go.
  mkdir -p "$TEST_DIR/hooks"
  cfg "c['mounts'].append({'destination': '/hooks', 'type': 'bind', 'source': '$TEST_DIR/hooks',
                          'options': ['rbind', 'rw']})
c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'env': ['PATH=/bin'],
  'args': ['sh', '-c', 'touch /hooks/entered; while [ ! -e /hooks/go ]; do sleep 0.05; done']}]}"
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  "$SKIFF" --root "$ROOT" start "$ID" >"$TEST_DIR/start.out" 2>&1 </dev/null 3>&- &
  start_pid=$!
  wait_for_file "$TEST_DIR/hooks/entered"
  st=$(state_field "$ID" status)
  touch "$TEST_DIR/hooks/go"
  wait "$start_pid" || fail "start failed: $(cat "$TEST_DIR/start.out")"
  [ "$st" = created ] || fail "state during the startContainer hook: \`$st\`, expected \`created\`"
  [ "$(state_field "$ID" status)" = running ] || fail "not running after start"
}

@test "conformance: a start killed after execve leaves a running container" {
  # The state must not depend on `start` surviving: kill it while the
  # startContainer hook runs; once the user program runs, state says
  # `running` (runtime.md "State") and a second start is refused.
  mkdir -p "$TEST_DIR/hooks"
  cfg "c['mounts'].append({'destination': '/hooks', 'type': 'bind', 'source': '$TEST_DIR/hooks',
                          'options': ['rbind', 'rw']})
c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'env': ['PATH=/bin'],
  'args': ['sh', '-c', 'touch /hooks/entered; while [ ! -e /hooks/go ]; do sleep 0.05; done']}]}"
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  "$SKIFF" --root "$ROOT" start "$ID" >/dev/null 2>&1 </dev/null 3>&- &
  start_pid=$!
  wait_for_file "$TEST_DIR/hooks/entered"
  kill -9 "$start_pid"
  wait "$start_pid" || true
  touch "$TEST_DIR/hooks/go"
  wait_for_status "$ID" running
  run_skiff start "$ID"
  [ "$status" -ne 0 ] || fail "second start succeeded"
  assert_output_contains "not created"
}

# activated ARGS...: skiff ARGS with LISTEN_FDS=2 meant for it (LISTEN_PID is
# skiff's own pid: exec keeps the shell's) and fds 3, 4 open on two files.
activated () {
  echo three >"$TEST_DIR/l3"
  echo four >"$TEST_DIR/l4"
  status=0
  sh -c 'LISTEN_FDS=2 LISTEN_PID=$$ exec "$@"' sh "$SKIFF" --root "$ROOT" "$@" \
    3<"$TEST_DIR/l3" 4<"$TEST_DIR/l4" >"$TEST_DIR/act.out" 2>&1 </dev/null || status=$?
  output=$(cat "$TEST_DIR/act.out")
}

@test "conformance: LISTEN_FDS passes fds 3 and 4 and tells the process" {
  # OCI runtime command line interface (runtime-tools docs), "create",
  # environment variables: "LISTEN_FDS=2 would mean that the runtime MUST
  # pass file descriptors 3 and 4 to the container process".  LISTEN_PID is
  # the process's own pid (1 in its pid namespace) so sd_listen_fds accepts
  # them; a stale LISTEN_FDS in process.env is replaced.
  cfg 'c["process"]["env"].append("LISTEN_FDS=9")'
  set_args sh -c 'echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; cat <&3; cat <&4; ls /proc/self/fd/'
  activated run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_output_contains "fds=2 pid=1"
  assert_output_contains "three"
  assert_output_contains "four"
}

@test "conformance: LISTEN_FDS meant for another process is ignored" {
  # sd_listen_fds(3): LISTEN_PID names the process the fds are for.
  echo three >"$TEST_DIR/l3"
  set_args sh -c 'echo "fds=${LISTEN_FDS:-none}"; ls /proc/self/fd/'
  status=0
  LISTEN_FDS=1 LISTEN_PID=1 "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
    3<"$TEST_DIR/l3" >"$TEST_DIR/out" 2>&1 </dev/null || status=$?
  output=$(cat "$TEST_DIR/out")
  assert_status 0
  assert_output_contains "fds=none"
}

@test "conformance: LISTEN_FDS with --preserve-fds passes both, activation fds first" {
  # runc's reading of the same CLI: stdio + LISTEN_FDS + --preserve-fds N.
  echo five >"$TEST_DIR/l5"
  set_args sh -c 'cat <&3; cat <&4; cat <&5'
  echo three >"$TEST_DIR/l3"
  echo four >"$TEST_DIR/l4"
  status=0
  sh -c 'LISTEN_FDS=2 LISTEN_PID=$$ exec "$@"' sh "$SKIFF" --root "$ROOT" run --preserve-fds 1 \
    --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/l3" 4<"$TEST_DIR/l4" 5<"$TEST_DIR/l5" \
    >"$TEST_DIR/act.out" 2>&1 </dev/null || status=$?
  output=$(cat "$TEST_DIR/act.out")
  assert_status 0
  [ "$output" = "$(printf 'three\nfour\nfive')" ] || fail "fds 3-5 not passed in order"
}

@test "conformance: kill --signal, the OCI CLI spelling" {
  # OCI runtime command line interface (runtime-tools docs), "kill":
  # `--signal <SIGNAL>`, default TERM; callers such as containerd pass the
  # signal positionally (runc), which keeps working.
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff kill --signal KILL "$ID" TERM
  [ "$status" -ne 0 ] || fail "conflicting signals accepted"
  assert_output_contains "signal given twice"
  [ "$(state_field "$ID" status)" = created ] || fail "container changed by a refused kill"
  run_skiff kill --signal KILL "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}
