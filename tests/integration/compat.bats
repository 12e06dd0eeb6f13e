#!/usr/bin/env bats
# Behaviour that people and programs moving from runc rely on (issue 10):
# each test reproduces one difference found by running runc's users'
# scripts and suites against skiff.

load helpers

# ---- 1. global options before help

@test "global flags before -h/--help: help, exit 0 (runc's wrapper puts --root first)" {
  for h in -h --help; do
    run "$SKIFF" --root "$ROOT" "$h"
    assert_status 0
    assert_output_contains "Commands:"
    run "$SKIFF" --root="$ROOT" --log-format json --debug "$h"
    assert_status 0
    assert_output_contains "Commands:"
  done
  # A value that looks like a flag is still the value, not a help request.
  cd "$TEST_DIR"
  run "$SKIFF" --root "$ROOT" --log -h list
  [ "$status" -ne 0 ] || [[ "$output" != *Commands:* ]] || fail "--log -h read as help"
  rm -f ./-h
}

# ---- 2. read-only /dev

@test "a read-only /dev tmpfs: devices and /dev/pts inside, then /dev read-only" {
  cfg 'for m in c["mounts"]:
    if m["destination"] == "/dev": m["options"].append("ro")'
  cfg 'c["process"]["terminal"] = False'
  run_container sh -c 'grep " /dev " /proc/self/mountinfo; ls /dev/null /dev/pts/ptmx /dev/ptmx; grep " /dev/pts " /proc/self/mountinfo; touch /dev/newfile && echo WRITABLE'
  assert_status 1
  [[ "${lines[0]}" == *" /dev ro,"* ]] || fail "/dev is not read-only"
  assert_output_contains "/dev/pts/ptmx"
  [[ "$output" == *" /dev/pts "*" rw,"* ]] || fail "/dev/pts is not writable"
  assert_output_contains "Read-only file system"
  refute_output_contains WRITABLE
}
