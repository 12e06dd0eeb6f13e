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
