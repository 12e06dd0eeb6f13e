#!/usr/bin/env bats
# The runc-compatible command line: global flags, every command's flags and
# --help, spec/features/list output, and the negative cases, each checking
# the exit status, the message and that nothing was left behind
# (runtime.md "Errors": an error MUST leave the state unchanged).

load helpers

COMMANDS="create start run state kill delete list spec features exec pause resume update ps events"

# ---- global flags

@test "--version: skiff version / commit / spec lines" {
  run "$SKIFF" --version
  assert_status 0
  [ "${#lines[@]}" -eq 3 ] || fail "want 3 lines"
  [[ "${lines[0]}" =~ ^skiff\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "line 1"
  [[ "${lines[1]}" =~ ^commit:\ .+ ]] || fail "line 2"
  [ "${lines[2]}" = "spec: 1.3.0" ] || fail "line 3"
  run "$SKIFF" -v
  assert_status 0
  [[ "${lines[0]}" =~ ^skiff\ version ]]
}

@test "--help: lists every command" {
  for h in --help -h; do
    run "$SKIFF" "$h"
    assert_status 0
    for c in $COMMANDS; do
      echo "$output" | grep -qw "$c" || fail "$h does not list $c"
    done
  done
}

@test "COMMAND --help: usage of each command, exit 0" {
  for c in $COMMANDS; do
    for h in --help -h; do
      run "$SKIFF" "$c" "$h"
      [ "$status" -eq 0 ] || fail "$c $h exited $status"
      [[ "$output" == *Usage:* ]] || fail "$c $h: no Usage:"
      [[ "$output" == *"$c"* ]] || fail "$c $h: does not name the command"
    done
  done
}

@test "unknown command: error naming it" {
  run "$SKIFF" --root "$ROOT" frobnicate
  [ "$status" -ne 0 ]
  assert_output_contains frobnicate
}

@test "bad global flag: error naming it" {
  run "$SKIFF" --root "$ROOT" --bogus list
  [ "$status" -ne 0 ]
  assert_output_contains bogus
}

@test "bad command flag: error naming it, nothing created" {
  run_skiff create --bogus --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" bogus
}

@test "missing or extra ID argument: usage error" {
  run_skiff create --bundle "$BUNDLE"
  [ "$status" -ne 0 ]
  [ -n "$output" ]
  assert_nothing_left "$ID"
  run_skiff state
  [ "$status" -ne 0 ]
  run_skiff create --bundle "$BUNDLE" "$ID" extra
  assert_failed_cleanly "$ID" extra
}

@test "flag spellings: --flag=value, Go-style -flag, -root" {
  set_args /probe sleep 1000
  run_skiff create --bundle="$BUNDLE" "$ID"
  assert_status 0
  run_skiff create -bundle "$BUNDLE" -pid-file "$TEST_DIR/pid" "$ID-2"
  assert_status 0
  [ -s "$TEST_DIR/pid" ]
  run "$SKIFF" -root "$ROOT" state "$ID-2"
  assert_status 0
  run "$SKIFF" --root="$ROOT" state "$ID"
  assert_status 0
}

@test "--log --log-format json: one JSON object per line, last error has level error" {
  for form in "--log-format json" "--log-format=json"; do
    rm -f "$TEST_DIR/log.json"
    # shellcheck disable=SC2086
    run "$SKIFF" --root "$ROOT" --log "$TEST_DIR/log.json" $form state nosuch-$TOKEN
    [ "$status" -ne 0 ]
    [ -s "$TEST_DIR/log.json" ]
    python3 - "$TEST_DIR/log.json" "nosuch-$TOKEN" <<'EOF'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty log"
objs = [json.loads(l) for l in lines]          # every line is one object
for o in objs:
    assert set(("level", "msg", "time")) <= set(o), o
    assert o["level"] == o["level"].lower(), o
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", o["time"]), o
errors = [o for o in objs if o["level"] == "error"]
assert errors, "no level=error line"
assert "does not exist" in errors[-1]["msg"], errors[-1]
assert sys.argv[2] in errors[-1]["msg"], errors[-1]
EOF
  done
}

@test "--log text: the error goes to the log file" {
  run "$SKIFF" --root "$ROOT" --log "$TEST_DIR/log.txt" state "nosuch-$TOKEN"
  [ "$status" -ne 0 ]
  grep -q "does not exist" "$TEST_DIR/log.txt"
}

@test "--log-format: an unknown format is an error" {
  run "$SKIFF" --root "$ROOT" --log-format yaml list
  [ "$status" -ne 0 ]
  assert_output_contains yaml
}

@test "--debug --log json: every line is still one JSON object" {
  set_args /probe exit 0
  run "$SKIFF" --root "$ROOT" --debug --log "$TEST_DIR/log.json" --log-format json \
    run --bundle "$BUNDLE" "$ID" </dev/null 3>&-
  assert_status 0
  if [ -s "$TEST_DIR/log.json" ]; then
    python3 -c '
import json, sys
for l in open(sys.argv[1]).read().splitlines():
    o = json.loads(l)
    assert "level" in o and "msg" in o and "time" in o, o
' "$TEST_DIR/log.json"
  fi
}

@test "--systemd-cgroup and --rootless=false are accepted" {
  run "$SKIFF" --root "$ROOT" --systemd-cgroup list
  assert_status 0
  run "$SKIFF" --root "$ROOT" --rootless=false list
  assert_status 0
  run "$SKIFF" --root "$ROOT" --rootless false list
  assert_status 0
}

@test "--rootless with a bad value: a clear error, nothing created" {
  run_skiff --rootless=maybe create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" rootless
}

# ---- create/run flags

@test "--console-socket: the pty master arrives by SCM_RIGHTS, the process has a tty" {
  cfg 'c["process"]["terminal"] = True'
  set_args /probe tty
  python3 "$BATS_TEST_DIRNAME/recvtty.py" "$TEST_DIR/tty.sock" "$TEST_DIR/tty.out" 3>&- &
  rpid=$!
  wait_for_file "$TEST_DIR/tty.sock"
  run_skiff create --bundle "$BUNDLE" --console-socket "$TEST_DIR/tty.sock" "$ID"
  assert_status 0
  run_skiff start "$ID"
  assert_status 0
  timed_wait "$rpid"
  out=$(tr -d '\r' <"$TEST_DIR/tty.out")
  [[ "$out" == *"received 1 fd(s) isatty=1"* ]] || fail "no pty received: $out"
  for fd in 0 1 2; do
    [[ "$out" == *"isatty$fd=1"* ]] || fail "fd $fd is not a tty: $out"
  done
  [[ "$out" == *"ttyname0=/dev/pts/"* ]] || fail "no ttyname: $out"
  wait_for_status "$ID" stopped
}

@test "--console-socket with run -d" {
  cfg 'c["process"]["terminal"] = True'
  set_args sh -c 'read line; echo "got $line"'
  python3 "$BATS_TEST_DIRNAME/recvtty.py" "$TEST_DIR/tty.sock" "$TEST_DIR/tty.out" $'hello\n' 3>&- &
  rpid=$!
  wait_for_file "$TEST_DIR/tty.sock"
  run_skiff run -d --bundle "$BUNDLE" --console-socket "$TEST_DIR/tty.sock" "$ID"
  assert_status 0
  timed_wait "$rpid"
  grep -q "got hello" "$TEST_DIR/tty.out" || fail "$(cat "$TEST_DIR/tty.out")"
}

@test "run in the foreground with a terminal relays skiff's stdio to the pty" {
  cfg 'c["process"]["terminal"] = True'
  run_container /probe tty
  assert_status 0
  out=$(tr -d '\r' <<<"$output")
  [[ "$out" == *"isatty0=1"* ]] && [[ "$out" == *"isatty1=1"* ]] || fail "no tty inside"
  [[ "$out" == *"ttyname0=/dev/pts/"* ]] || fail "no ttyname"
  assert_nothing_left "$ID"
}

@test "--preserve-fds N: fds 3..3+N-1 reach the container, no others" {
  set_args /probe fds
  echo a >"$TEST_DIR/f3"
  echo b >"$TEST_DIR/f4"
  echo c >"$TEST_DIR/f5"
  "$SKIFF" --root "$ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$ID" \
    >"$TEST_DIR/out" 2>&1 </dev/null 3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f5"
  output=$(cat "$TEST_DIR/out")
  grep -qx "3=$TEST_DIR/f3" <<<"$output" || fail "fd 3 missing"
  grep -qx "4=$TEST_DIR/f4" <<<"$output" || fail "fd 4 missing"
  ! grep -q "^5=" <<<"$output" || fail "fd 5 leaked"
}

@test "without --preserve-fds, extra fds are not passed" {
  set_args /probe fds
  "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 </dev/null \
    3<"$TEST_DIR/out" 4<"$TEST_DIR/out"
  output=$(cat "$TEST_DIR/out")
  [ "$(grep -c '^[0-9]*=' <<<"$output")" -eq 3 ] || fail "extra fds passed"
}

@test "--no-pivot: the container runs (MS_MOVE + chroot)" {
  set_args /probe cwd stat /probe
  run_skiff run --no-pivot --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_output_contains "cwd=/"
  assert_output_contains "type=reg"
  assert_nothing_left "$ID"
}

@test "--no-new-keyring is accepted" {
  set_args /probe exit 0
  run_skiff run --no-new-keyring --bundle "$BUNDLE" "$ID"
  assert_status 0
}

@test "--preserve-fds: a non-number is an error" {
  run_skiff create --preserve-fds abc --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" abc
}

# ---- list

@test "list: empty root" {
  run_skiff list --format json
  assert_status 0
  [ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin))')" = "[]" ]
  run_skiff list -q
  assert_status 0
  [ -z "$output" ]
}

@test "list: table, json and -q" {
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID-a"
  assert_status 0
  run_skiff run -d --bundle "$BUNDLE" "$ID-b"
  assert_status 0

  run_skiff list
  assert_status 0
  [[ "${lines[0]}" == *ID* ]] && [[ "${lines[0]}" == *STATUS* ]] || fail "no table header"
  echo "$output" | grep -E "^$ID-a +[0-9]+ +created" || fail "$ID-a not listed as created"
  echo "$output" | grep -E "^$ID-b +[0-9]+ +running" || fail "$ID-b not listed as running"

  run_skiff list --format json
  assert_status 0
  echo "$output" | python3 -c '
import json, sys
l = json.load(sys.stdin)
got = sorted((s["id"], s["status"]) for s in l)
want = sorted([(sys.argv[1] + "-a", "created"), (sys.argv[1] + "-b", "running")])
assert got == want, got
' "$ID"
  for i in 0 1; do
    echo "$output" | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)[int(sys.argv[1])], sys.stdout)' $i \
      | validate_schema state-schema.json -
  done

  run_skiff list -q
  assert_status 0
  [ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "$ID-a $ID-b " ]

  run_skiff list --format yaml
  [ "$status" -ne 0 ]
  assert_output_contains yaml
}

# ---- spec and features

@test "spec: writes a valid config.json that run accepts" {
  d=$TEST_DIR/specbundle
  mkdir -p "$d"
  run_skiff spec --bundle "$d"
  assert_status 0
  validate_schema config-schema.json "$d/config.json"
  cp -a "$BUNDLE/rootfs" "$d/rootfs"
  python3 -c '
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/probe", "ids"]
json.dump(c, open(p, "w"))
' "$d/config.json"
  run_skiff run --bundle "$d" "$ID"
  assert_status 0
  assert_output_contains "uid=0"
}

@test "spec: in the working directory; refuses to overwrite" {
  d=$TEST_DIR/specbundle
  mkdir -p "$d"
  cd "$d"
  run_skiff spec
  assert_status 0
  [ -s "$d/config.json" ]
  cp "$d/config.json" "$TEST_DIR/before"
  run_skiff spec
  [ "$status" -ne 0 ]
  assert_output_contains config.json
  cmp "$d/config.json" "$TEST_DIR/before"
}

@test "spec --rootless: a user namespace with mappings" {
  d=$TEST_DIR/specbundle
  mkdir -p "$d"
  run_skiff spec --rootless --bundle "$d"
  assert_status 0
  validate_schema config-schema.json "$d/config.json"
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert "user" in [n["type"] for n in c["linux"]["namespaces"]]
assert c["linux"]["uidMappings"] and c["linux"]["gidMappings"]
' "$d/config.json"
}

# features.md: ociVersionMin and ociVersionMax are REQUIRED.
@test "features: valid against features-schema.json" {
  run_skiff features
  assert_status 0
  echo "$output" | validate_schema features-schema.json -
  [ "$(json_field ociVersionMax)" = 1.3.0 ]
  [ -n "$(json_field ociVersionMin)" ]
}

# ---- exit status: errors exit 1 (the issue's CLI contract; `run`'s own
# status is the container's)

@test "errors exit with status 1" {
  run_skiff state "nosuch-$TOKEN"
  assert_status 1
  run_skiff kill "nosuch-$TOKEN" KILL
  assert_status 1
  run_skiff create --bogus "$ID"
  assert_status 1
  rm -rf "$BUNDLE/rootfs"
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 1
  run_skiff run --bundle "$BUNDLE" "$ID"
  assert_status 1
  assert_nothing_left "$ID"
}

# ---- unknown ids (callers match `does not exist`)

# (`delete --force` of an unknown id succeeds silently, as runc's does:
# containerd's shim and podman call it after every delete; clients.bats.)
@test "state, start, kill, delete of an unknown id: does not exist" {
  for cmd in state start kill delete; do
    # shellcheck disable=SC2086
    run_skiff $cmd "nosuch-$TOKEN"
    [ "$status" -ne 0 ] || fail "$cmd succeeded"
    assert_output_contains "does not exist"
    assert_output_contains "nosuch-$TOKEN"
  done
  assert_nothing_left "nosuch-$TOKEN"
}

# ---- negative cases of create/run: status, message, nothing left

@test "malformed config.json" {
  echo '{ "ociVersion": "1.3.0", "process": ' >"$BUNDLE/config.json"
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" config.json
  run_skiff run --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" config.json
}

@test "missing config.json" {
  rm "$BUNDLE/config.json"
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" config.json
}

@test "config.json with a wrong type names the JSON path" {
  cfg 'c["process"]["args"] = "/probe ids"'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" process.args
}

@test "missing bundle directory" {
  run_skiff create --bundle "$TEST_DIR/nosuch" "$ID"
  assert_failed_cleanly "$ID" nosuch
}

@test "missing rootfs" {
  rm -rf "$BUNDLE/rootfs"
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" rootfs
}

@test "missing executable (absolute path): create and run fail cleanly" {
  set_args /nonexistent-binary
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" nonexistent-binary
  run_skiff run --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" nonexistent-binary
}

@test "missing executable (searched in PATH)" {
  set_args no-such-command
  run_skiff run --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" no-such-command
}

# runtime.md "Create": an id "not valid in any other way" is an error.
@test "invalid container ids" {
  for bad in "a/b" ".." "." "../$TOKEN" "a b"; do
    run_skiff create --bundle "$BUNDLE" "$bad"
    assert_failed_cleanly "$bad" "$bad"
  done
  run_skiff create --bundle "$BUNDLE" ""
  [ "$status" -ne 0 ]
  assert_nothing_left "$ID"
  [ -z "$(ls -A "$TEST_DIR/root")" ]
}

# runtime.md "Create": an id that is not unique MUST generate an error and
# a new container MUST NOT be created.
@test "duplicate id: already exists, the first container untouched" {
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  run_skiff create --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains "already exists"
  [ "$(state_field "$ID" status)" = created ]
  [ "$(state_field "$ID" pid)" = "$pid" ]
  kill -0 "$pid"
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains "already exists"
  [ "$(state_field "$ID" status)" = created ]
}

# runtime.md "Start": starting a container that is not `created` MUST have
# no effect on the container and MUST generate an error.
@test "start of a running container: error, still running" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  run_skiff start "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains "$ID"
  [ "$(state_field "$ID" status)" = running ]
  [ "$(state_field "$ID" pid)" = "$pid" ]
}

@test "start of a stopped container: error" {
  set_args /probe exit 0
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff start "$ID"
  [ "$status" -ne 0 ]
  [ "$(state_field "$ID" status)" = stopped ]
}

@test "kill with a bad signal: error naming it, the container untouched" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  for sig in FOO SIGFOO -1 999 9x; do
    run_skiff kill "$ID" "$sig"
    [ "$status" -ne 0 ] || fail "kill $sig succeeded"
    assert_output_contains "$sig"
    [ "$(state_field "$ID" status)" = running ]
  done
}

# runtime.md "Kill": signalling a container that is neither created nor
# running MUST have no effect and MUST generate an error.
@test "kill of a stopped container: container not running" {
  set_args /probe exit 0
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  wait_for_status "$ID" stopped
  run_skiff kill "$ID" KILL
  [ "$status" -ne 0 ]
  assert_output_contains "container not running"
  [ "$(state_field "$ID" status)" = stopped ]
}

# runtime.md "Delete": deleting a container that is not `stopped` MUST have
# no effect on the container and MUST generate an error (runc deviates).
@test "delete of a running container without --force: error, still running" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff delete "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains running
  [ "$(state_field "$ID" status)" = running ]
}

@test "delete of a created container without --force: error, still created" {
  set_args /probe sleep 1000
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff delete "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains created
  [ "$(state_field "$ID" status)" = created ]
}

# runtime.md "Start": "This operation MUST generate an error if `process`
# was not set"; config.md: process is OPTIONAL, so create succeeds.
@test "create without process succeeds, start then errors" {
  cfg 'del c["process"]'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_status 0
  [ "$(state_field "$ID" status)" = created ]
  run_skiff start "$ID"
  [ "$status" -ne 0 ]
  assert_output_contains process
  run_skiff delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}
