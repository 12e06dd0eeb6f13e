#!/usr/bin/env bats
# State files are written atomically but not fsynced (src/lib/util/fs.h):
# what a machine crash can leave is an empty state.json or intent.json
# from before the boot.  Such a container describes nothing that still
# exists: it reads as stopped and `delete` removes it.  An empty file from
# this boot is not taken for one (only a crash makes them).
# (runtime.md "State" and "delete": delete of a stopped container removes
# what create made.)

load helpers

# A state directory as a crash leaves it: `file` empty, dated at `when`.
crashed_dir () {
  mkdir -p "$ROOT/$ID"
  : >"$ROOT/$ID/lock"
  : >"$ROOT/$ID/$1"
  touch -d "$2" "$ROOT/$ID/$1"
}

@test "state crash: an empty state.json from before the boot is a stopped container delete removes" {
  crashed_dir state.json "@1000000000"
  run_skiff state "$ID"
  assert_status 0
  assert_output_contains '"status": "stopped"'
  run_skiff delete "$ID"
  assert_status 0
  [ ! -e "$ROOT/$ID" ] || fail "state directory left: $(ls -la "$ROOT/$ID")"
}

@test "state crash: an empty intent.json from before the boot (no state.json) is deleted too" {
  crashed_dir intent.json "@1000000000"
  run_skiff delete "$ID"
  assert_status 0
  [ ! -e "$ROOT/$ID" ] || fail "state directory left: $(ls -la "$ROOT/$ID")"
}

@test "state crash: an empty state.json written in this boot is still an error, and kept" {
  crashed_dir state.json "now"
  run_skiff delete --force "$ID"
  [ "$status" -ne 0 ] || fail "expected failure"
  assert_output_contains "state.json: parse error"
  [ -d "$ROOT/$ID" ] || fail "state directory removed"
}
