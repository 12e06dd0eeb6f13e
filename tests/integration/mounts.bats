#!/usr/bin/env bats
# Root filesystem and mounts (config.md "Root", "Mounts"; config-linux.md
# "Rootfs Mount Propagation", "Masked Paths", "Readonly Paths").

load helpers

@test "mounts: default config runs and shows its mounts" {
  run_container /probe mounts
  assert_status 0
  assert_output_contains " / "
}
