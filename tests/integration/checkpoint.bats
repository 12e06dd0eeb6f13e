#!/usr/bin/env bats
# checkpoint and restore where CRIU cannot work: not installed, or
# `criu check` failing (as on a kernel CRIU 3.17 does not know).  The
# working paths run in the VM layer (tests/layers/60-vm-criu.sh).

load helpers

# A `criu` in $PATH whose `check` fails the way CRIU 3.17 does on this
# host's kernel, so that these tests do not depend on the host's CRIU.
fake_failing_criu () {
  mkdir -p "$TEST_DIR/fakebin"
  cat >"$TEST_DIR/fakebin/criu" <<'SH'
#!/bin/sh
echo "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" >&2
echo "Error (criu/crtools.c:260): Could not initialize kernel features detection." >&2
exit 1
SH
  chmod +x "$TEST_DIR/fakebin/criu"
}

# PATH without any criu (Debian installs it in /usr/sbin only).
NO_CRIU_PATH=/usr/bin:/bin

start_sleeper () {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
}

@test "checkpoint --help: exit status follows \`criu check\` on this host" {
  if command -v criu >/dev/null && criu check >/dev/null 2>&1; then
    run_skiff checkpoint --help
    assert_status 0
  else
    run_skiff checkpoint --help
    [ "$status" -ne 0 ] || fail "checkpoint --help exited 0 without a working CRIU"
    assert_output_contains "Options:"
    assert_output_contains "criu"
  fi
}

@test "checkpoint --help: no criu in \$PATH is an error naming it" {
  PATH=$NO_CRIU_PATH run_skiff checkpoint --help
  [ "$status" -ne 0 ] || fail "exit 0 without criu"
  assert_output_contains "criu is not installed: \`criu\` not found in \$PATH"
}

@test "checkpoint --help: a failing \`criu check\` is an error quoting it" {
  fake_failing_criu
  PATH=$TEST_DIR/fakebin:$PATH run_skiff checkpoint --help
  [ "$status" -ne 0 ] || fail "exit 0 with a failing criu check"
  assert_output_contains "\`criu check\` failed: Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
}

@test "checkpoint without criu: error, container untouched, no image dir" {
  start_sleeper
  pid=$(state_field "$ID" pid)
  PATH=$NO_CRIU_PATH run_skiff checkpoint --image-path "$TEST_DIR/img" "$ID"
  [ "$status" -ne 0 ] || fail "checkpoint succeeded without criu"
  assert_output_contains "checkpoint: criu is not installed"
  [ ! -e "$TEST_DIR/img" ] || fail "image dir created"
  [ "$(state_field "$ID" status)" = running ] || fail "container not running"
  [ "$(state_field "$ID" pid)" = "$pid" ] || fail "pid changed"
  kill -0 "$pid"
}

@test "checkpoint with a failing criu check: error, container untouched" {
  fake_failing_criu
  start_sleeper
  PATH=$TEST_DIR/fakebin:$PATH run_skiff checkpoint --image-path "$TEST_DIR/img" "$ID"
  [ "$status" -ne 0 ] || fail "checkpoint succeeded"
  assert_output_contains "checkpoint: \`criu check\` failed: Error (criu/vdso.c:381)"
  [ ! -e "$TEST_DIR/img" ] || fail "image dir created"
  [ "$(state_field "$ID" status)" = running ] || fail "container not running"
}

@test "restore without criu: error, nothing left" {
  mkdir "$TEST_DIR/img"
  PATH=$NO_CRIU_PATH run_skiff restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "restore: criu is not installed"
}

@test "restore with a failing criu check: error, nothing left" {
  fake_failing_criu
  mkdir "$TEST_DIR/img"
  PATH=$TEST_DIR/fakebin:$PATH run_skiff restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "restore: \`criu check\` failed: Error (criu/vdso.c:381)"
}

@test "restore: missing image dir is an error before anything is made" {
  run_skiff restore -d --image-path "$TEST_DIR/none" --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "restore: image path \`$TEST_DIR/none\`: No such file or directory"
}

@test "restore: bad --manage-cgroups-mode is an error, nothing left" {
  mkdir "$TEST_DIR/img"
  run_skiff restore -d --manage-cgroups-mode bogus --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "--manage-cgroups-mode \`bogus\`: expected soft, full, strict or ignore"
}

@test "restore onto an existing id: error, the container is untouched" {
  start_sleeper
  pid=$(state_field "$ID" pid)
  mkdir "$TEST_DIR/img"
  fake_failing_criu
  # Whether CRIU works or not, the id is taken: with the failing CRIU the
  # check comes first, so use the real PATH only if CRIU works here.
  if command -v criu >/dev/null && criu check >/dev/null 2>&1; then
    run_skiff restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
    assert_output_contains "container \`$ID\` already exists"
  else
    PATH=$TEST_DIR/fakebin:$PATH run_skiff restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
  fi
  [ "$status" -ne 0 ] || fail "restore onto a running id succeeded"
  [ "$(state_field "$ID" status)" = running ] || fail "container not running"
  [ "$(state_field "$ID" pid)" = "$pid" ] || fail "pid changed"
  [ "$(ls "$ROOT")" = "$ID" ] || fail "state root: $(ls "$ROOT")"
}

@test "features: checkpoint annotations say whether CRIU works and why not" {
  fake_failing_criu
  PATH=$TEST_DIR/fakebin:$PATH run "$SKIFF" features
  assert_status 0
  python3 -c '
import json, sys
a = json.loads(sys.stdin.read())["annotations"]
assert a["org.skiff.checkpoint.enabled"] == "false", a
assert "criu check" in a["org.skiff.checkpoint.unavailable"], a
' <<<"$output"
  PATH=$NO_CRIU_PATH run "$SKIFF" features
  assert_status 0
  assert_output_contains '"org.skiff.checkpoint.unavailable": "criu is not installed'
}

@test "checkpoint of a container that does not exist: does not exist" {
  if ! { command -v criu >/dev/null && criu check >/dev/null 2>&1; }; then
    skip "needs a working CRIU (covered in the VM layer)"
  fi
  run_skiff checkpoint --image-path "$TEST_DIR/img" nosuch
  [ "$status" -ne 0 ]
  assert_output_contains "does not exist"
}
