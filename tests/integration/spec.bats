#!/usr/bin/env bats
# config.json: `skiff spec` output, and bad configs refused before anything
# is created (config.md, config-linux.md; runtime.md "Errors").

load helpers

@test "spec: default config validates against config-schema.json" {
  local dir=$BATS_TEST_TMPDIR/spec-default
  mkdir -p "$dir"
  run "$SKIFF" spec --bundle "$dir"
  assert_status 0
  run validate_schema config-schema.json "$dir/config.json"
  assert_status 0
  # terminal false so `skiff run` works without a tty (scripts, CI)
  [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["process"]["terminal"])' "$dir/config.json")" = False ]
}

@test "spec: refuses to overwrite an existing config.json" {
  local dir=$BATS_TEST_TMPDIR/spec-exists
  mkdir -p "$dir"
  echo '{}' >"$dir/config.json"
  run "$SKIFF" spec --bundle "$dir"
  [ "$status" -ne 0 ] || fail "expected failure"
  assert_output_contains "config.json"
  [ "$(cat "$dir/config.json")" = '{}' ] || fail "config.json was changed"
}

@test "spec: --rootless adds a user namespace mapping the caller, drops network" {
  local dir=$BATS_TEST_TMPDIR/spec-rootless
  mkdir -p "$dir"
  run "$SKIFF" spec --rootless --bundle "$dir"
  assert_status 0
  run validate_schema config-schema.json "$dir/config.json"
  assert_status 0
  run python3 -c '
import json, os, sys
c = json.load(open(sys.argv[1]))
types = [n["type"] for n in c["linux"]["namespaces"]]
assert "user" in types and "network" not in types, types
assert c["linux"]["uidMappings"] == [{"containerID": 0, "hostID": os.geteuid(), "size": 1}]
assert c["linux"]["gidMappings"] == [{"containerID": 0, "hostID": os.getegid(), "size": 1}]
' "$dir/config.json"
  assert_status 0
}

# config.md "POSIX process": unknown rlimit types MUST generate an error.
@test "spec: unknown rlimit fails create cleanly with the JSON path" {
  cfg 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}, {"type": "RLIMIT_CORE", "soft": 1, "hard": 1}, {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]'
  run skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" 'config.json: process.rlimits[2].type: unknown rlimit `RLIMIT_FOO`'
}

# config-linux.md "Namespaces": duplicated types MUST generate an error.
@test "spec: duplicate namespace fails run cleanly" {
  cfg 'c["linux"]["namespaces"].append({"type": "pid"})'
  run_container
  assert_failed_cleanly "$ID" 'duplicate namespace `pid`'
}

@test "spec: malformed config.json fails with a one-line parse error" {
  printf '{"ociVersion": "1.3.0",\n "root": {\n' >"$BUNDLE/config.json"
  run skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "config.json: parse error: "
}

# Every document of spec-fixtures/invalid fails `skiff create` with its
# expected message and leaves nothing behind.
@test "spec: every invalid fixture is refused by create, nothing left" {
  local f want n=0
  for f in "$SKIFF_SRCDIR"/spec-fixtures/invalid/*.json; do
    cp "$f" "$BUNDLE/config.json"
    want=$(head -n1 "${f%.json}.err")
    run skiff create --bundle "$BUNDLE" "$ID"
    assert_failed_cleanly "$ID" "$want" || fail "fixture $(basename "$f")" || return 1
    n=$((n + 1))
  done
  [ "$n" -ge 50 ] || fail "only $n fixtures found"
}
