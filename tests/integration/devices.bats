#!/usr/bin/env bats
# Devices.  Spec: config-linux.md "Devices", "Default Devices".  Checked from
# inside the container with `probe stat` (type major minor mode uid gid).

load helpers

# no_dev_mounts: drop the config's /dev, /dev/pts, ... mounts, so the
# image's own /dev is used (runc creates the defaults there too).
no_dev_mounts () {
  cfg 'c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/dev")]'
}

# userns_config: a user namespace mapping 0..65535 to 100000..
userns_config () {
  cfg 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  chown -R 100000:100000 "$BUNDLE/rootfs"
  # The mapped root must be able to reach the rootfs (mktemp -d is 0700).
  chmod 0755 "$TEST_DIR" "$BUNDLE"
}

@test "devices: default devices with their numbers and modes (config-linux.md Default Devices)" {
  run_container sh -c 'for d in null zero full random urandom tty; do echo "$d $(/probe stat /dev/$d)"; done'
  assert_status 0
  assert_output_contains "null type=chr major=1 minor=3 mode=0666"
  assert_output_contains "zero type=chr major=1 minor=5 mode=0666"
  assert_output_contains "full type=chr major=1 minor=7 mode=0666"
  assert_output_contains "random type=chr major=1 minor=8 mode=0666"
  assert_output_contains "urandom type=chr major=1 minor=9 mode=0666"
  assert_output_contains "tty type=chr major=5 minor=0 mode=0666"
}

@test "devices: /dev/ptmx, /dev/fd and std* symlinks, /dev/pts is its own devpts" {
  run_container sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done; /probe mounts; echo zero | head -c 4 /dev/zero | wc -c'
  assert_status 0
  assert_output_contains "ptmx -> pts/ptmx"
  assert_output_contains "fd -> /proc/self/fd"
  assert_output_contains "stdin -> /proc/self/fd/0"
  assert_output_contains "stdout -> /proc/self/fd/1"
  assert_output_contains "stderr -> /proc/self/fd/2"
  echo "$output" | grep -q ' /dev/pts .* - devpts ' || fail "no devpts on /dev/pts"
}

@test "devices: /dev/pts is mounted even when the config does not mount it" {
  cfg 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev/pts"]'
  run_container sh -c '/probe mounts; /probe stat /dev/pts/ptmx'
  assert_status 0
  echo "$output" | grep -q ' /dev/pts .* - devpts .*ptmxmode=666' || fail "no devpts on /dev/pts"
  assert_output_contains "type=chr major=5 minor=2"
}

@test "devices: linux.devices c, b, u, p with fileMode, uid, gid (config-linux.md Devices)" {
  cfg 'c["linux"]["devices"] = [
  {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 1000, "gid": 1001},
  {"path": "/dev/loop-skiff", "type": "b", "major": 7, "minor": 0, "fileMode": 432},
  {"path": "/dev/unbuf", "type": "u", "major": 1, "minor": 3},
  {"path": "/dev/myfifo", "type": "p", "fileMode": 420, "uid": 7, "gid": 8},
  {"path": "/opt/elsewhere/null2", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
  run_container sh -c 'for d in /dev/fuse /dev/loop-skiff /dev/unbuf /dev/myfifo /opt/elsewhere/null2; do echo "$d $(/probe stat $d)"; done'
  assert_status 0
  assert_output_contains "/dev/fuse type=chr major=10 minor=229 mode=0600 uid=1000 gid=1001"
  assert_output_contains "/dev/loop-skiff type=blk major=7 minor=0 mode=0660 uid=0 gid=0"
  assert_output_contains "/dev/unbuf type=chr major=1 minor=3 mode=0666"
  assert_output_contains "/dev/myfifo type=fifo major=0 minor=0 mode=0644 uid=7 gid=8"
  assert_output_contains "/opt/elsewhere/null2 type=chr major=1 minor=3 mode=0666"
}

@test "devices: default devices are created in the image's /dev when /dev is not a tmpfs" {
  no_dev_mounts
  run_container sh -c '/probe stat /dev/null; readlink /dev/ptmx'
  assert_status 0
  assert_output_contains "type=chr major=1 minor=3 mode=0666"
  assert_output_contains "pts/ptmx"
  [ -c "$BUNDLE/rootfs/dev/null" ] || fail "not created in the image's /dev"
}

@test "devices: a matching node already in the image is kept" {
  no_dev_mounts
  mknod -m 0600 "$BUNDLE/rootfs/dev/zero" c 1 5
  run_container /probe stat /dev/zero
  assert_status 0
  assert_output_contains "type=chr major=1 minor=5 mode=0666"
}

@test "devices: a file at a device path that is not that device is an error (spec MUST)" {
  no_dev_mounts
  echo notadevice >"$BUNDLE/rootfs/dev/fuse"
  cfg 'c["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
  run_container true
  assert_failed_cleanly "$ID" "device \`/dev/fuse\`: a file that is not the requested device already exists there"
}

@test "hostile: symlink planted at a linux.devices path is not followed" {
  no_dev_mounts
  ln -s /etc/skiff-planted-$TOKEN "$BUNDLE/rootfs/dev/fuse"
  cfg 'c["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
  run_container true
  assert_failed_cleanly "$ID" "device \`/dev/fuse\`: a file that is not the requested device"
  [ ! -e "/etc/skiff-planted-$TOKEN" ] || { rm -f "/etc/skiff-planted-$TOKEN"; fail "node created on the host"; }
  [ ! -e "$BUNDLE/rootfs/etc/skiff-planted-$TOKEN" ] || fail "symlink followed inside the rootfs"
}

@test "hostile: /dev itself a symlink to / in the image stays inside the rootfs" {
  no_dev_mounts
  rm -rf "$BUNDLE/rootfs/dev"
  ln -s / "$BUNDLE/rootfs/dev"
  cfg 'c["linux"]["devices"] = [{"path": "/dev/skiff-dev-'"$TOKEN"'", "type": "c", "major": 1, "minor": 3}]'
  cfg 'c["linux"]["maskedPaths"] = []'
  run_container /probe stat /skiff-dev-$TOKEN
  assert_status 0
  assert_output_contains "type=chr major=1 minor=3"
  [ ! -e "/skiff-dev-$TOKEN" ] || { rm -f "/skiff-dev-$TOKEN"; fail "node created on the host"; }
  [ -c "$BUNDLE/rootfs/skiff-dev-$TOKEN" ] || fail "node not inside the rootfs"
}

@test "devices: inside a user namespace, host nodes are bind-mounted" {
  userns_config
  cfg 'c["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
  run_container sh -c '/probe stat /dev/null; /probe stat /dev/fuse; /probe mounts'
  [ "$status" -eq 0 ] || [[ "$output" != *"exec.fifo"* ]] || skip "user namespace containers do not start yet: $output"
  assert_status 0
  assert_output_contains "type=chr major=1 minor=3"
  assert_output_contains "type=chr major=10 minor=229"
  echo "$output" | grep -q ' /dev/null ' || fail "/dev/null is not a bind mount"
}

@test "mounts: sysfs in a user namespace without a new netns is the host's /sys, read-only" {
  userns_config
  cfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  run_container /probe mounts
  [ "$status" -eq 0 ] || [[ "$output" != *"exec.fifo"* ]] || skip "user namespace containers do not start yet: $output"
  assert_status 0
  echo "$output" | grep -E ' /sys ro,' || fail "/sys not read-only"
}
