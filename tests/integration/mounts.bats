#!/usr/bin/env bats
# Root filesystem and mounts.  Spec: config.md "Root", "Mounts", "Linux
# mount options"; config-linux.md "Default Filesystems", "Rootfs Mount
# Propagation", "Masked Paths", "Readonly Paths".  Checked from inside the
# container through /proc/self/mountinfo (`probe mounts`) and `probe stat`.

load helpers

# mountinfo_line MOUNTPOINT: the mountinfo line of MOUNTPOINT in $output.
mountinfo_line () {
  echo "$output" | awk -v m="$1" '$5 == m { line = $0 } END { print line }'
}

# mount_opts MOUNTPOINT: the per-mount options (field 6) of MOUNTPOINT.
mount_opts () {
  mountinfo_line "$1" | awk '{ print $6 }'
}

# add_mount JSON: append one entry to config `mounts`.
add_mount () {
  cfg "c['mounts'].append($1)"
}

@test "mounts: default filesystems with their options (config-linux.md Default Filesystems)" {
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /proc)" == *" - proc "* ]] || fail "no proc on /proc"
  [[ "$(mountinfo_line /dev)" == *" - tmpfs "* ]] || fail "no tmpfs on /dev"
  [[ "$(mount_opts /dev)" == *nosuid* ]] || fail "/dev not nosuid"
  [[ "$(mountinfo_line /dev/pts)" == *" - devpts "* ]] || fail "no devpts on /dev/pts"
  [[ "$(mountinfo_line /dev/shm)" == *" - tmpfs "* ]] || fail "no tmpfs on /dev/shm"
  [[ "$(mountinfo_line /dev/mqueue)" == *" - mqueue "* ]] || fail "no mqueue"
  [[ "$(mountinfo_line /sys)" == *" - sysfs "* ]] || fail "no sysfs on /sys"
  [[ "$(mount_opts /sys)" == ro,* ]] || fail "/sys not ro"
  # The `cgroup` mount: cgroup2 on a pure v2 host, else a tmpfs holding the
  # hierarchies (cgroup-mount.bats tests what it shows).
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    [[ "$(mountinfo_line /sys/fs/cgroup)" == *" - cgroup2 "* ]] || fail "no cgroup2 on /sys/fs/cgroup"
  else
    [[ "$(mountinfo_line /sys/fs/cgroup)" == *" - tmpfs "* ]] || fail "no tmpfs on /sys/fs/cgroup"
    [[ "$(mountinfo_line /sys/fs/cgroup/unified)" == *" - cgroup2 "* ]] \
      || fail "no cgroup2 on /sys/fs/cgroup/unified"
  fi
}

@test "mounts: bind mount with ro, nosuid, nodev, noexec (remount step)" {
  mkdir -p "$TEST_DIR/vol"
  echo hello >"$TEST_DIR/vol/file"
  add_mount '{"destination": "/vol", "source": "'"$TEST_DIR"'/vol", "type": "none",
              "options": ["bind", "ro", "nosuid", "nodev", "noexec"]}'
  run_container sh -c '/probe mounts; cat /vol/file; echo x >/vol/new && echo WROTE; true'
  assert_status 0
  local o
  o=$(mount_opts /vol)
  [[ "$o" == ro,* && "$o" == *nosuid* && "$o" == *nodev* && "$o" == *noexec* ]] \
    || fail "bind /vol options: $o"
  assert_output_contains hello
  refute_output_contains WROTE
  [ ! -e "$TEST_DIR/vol/new" ] || fail "write reached the host through a ro bind"
}

@test "mounts: bind mount of a file, source relative to the bundle (config.md Mounts)" {
  echo filedata >"$BUNDLE/hostfile"
  add_mount '{"destination": "/etc/deep/newfile", "source": "hostfile", "options": ["bind"]}'
  run_container sh -c 'cat /etc/deep/newfile; /probe stat /etc/deep/newfile'
  assert_status 0
  assert_output_contains filedata
  assert_output_contains "type=reg"
}

@test "mounts: rbind + rro makes submounts read-only (mount_setattr AT_RECURSIVE)" {
  mkdir -p "$TEST_DIR/vol/sub"
  mount -t tmpfs tmpfs "$TEST_DIR/vol/sub"
  add_mount '{"destination": "/vol", "source": "'"$TEST_DIR"'/vol", "options": ["rbind", "rro"]}'
  run_container sh -c '/probe mounts; touch /vol/sub/x && echo WROTE; true'
  assert_status 0
  [[ "$(mount_opts /vol)" == ro,* ]] || fail "/vol not ro"
  [[ "$(mount_opts /vol/sub)" == ro,* ]] || fail "/vol/sub not ro (rro is recursive)"
  refute_output_contains WROTE
  # Only a plain `ro` would leave the submount writable.
  run grep -c " $TEST_DIR/vol/sub .*ro," /proc/self/mountinfo
  [ "$output" = 0 ] || fail "the host's submount became read-only"
}

@test "mounts: plain ro on rbind leaves submounts writable" {
  mkdir -p "$TEST_DIR/vol/sub"
  mount -t tmpfs tmpfs "$TEST_DIR/vol/sub"
  add_mount '{"destination": "/vol", "source": "'"$TEST_DIR"'/vol", "options": ["rbind", "ro"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mount_opts /vol)" == ro,* ]] || fail "/vol not ro"
  [[ "$(mount_opts /vol/sub)" == rw,* ]] || fail "/vol/sub should stay rw"
}

@test "mounts: tmpfs with flags, atime option and data (size, mode)" {
  add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
              "options": ["nosuid", "nodev", "noexec", "noatime", "size=1m", "mode=700"]}'
  run_container sh -c '/probe mounts; /probe stat /scratch'
  assert_status 0
  local line o
  line=$(mountinfo_line /scratch)
  o=$(mount_opts /scratch)
  [[ "$o" == rw,nosuid,nodev,noexec,noatime ]] || fail "tmpfs options: $o"
  [[ "$line" == *size=1024k* ]] || fail "size not passed as data: $line"
  assert_output_contains "type=dir major=0 minor=0 mode=0700"
}

@test "mounts: strictatime, nodiratime, sync, dirsync, relatime" {
  add_mount '{"destination": "/a", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime", "nodiratime", "sync", "dirsync"]}'
  add_mount '{"destination": "/b", "type": "tmpfs", "source": "tmpfs", "options": ["relatime", "ro"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mount_opts /a)" == rw,nodiratime ]] || fail "/a: $(mount_opts /a)"
  [[ "$(mountinfo_line /a)" == *" rw,sync,dirsync"* ]] || fail "/a super options: $(mountinfo_line /a)"
  [[ "$(mount_opts /b)" == ro,relatime ]] || fail "/b: $(mount_opts /b)"
}

@test "mounts: recursive atime and nosuid/nodev/noexec options (rnoatime, rnosuid, ...)" {
  add_mount '{"destination": "/r", "type": "tmpfs", "source": "tmpfs",
              "options": ["rnoatime", "rnosuid", "rnodev", "rnoexec", "rnodiratime"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mount_opts /r)" == rw,nosuid,nodev,noexec,noatime,nodiratime ]] || fail "/r: $(mount_opts /r)"
}

@test "mounts: propagation options (rshared, private, unbindable)" {
  mkdir -p "$TEST_DIR/vol"
  add_mount '{"destination": "/s", "type": "tmpfs", "source": "tmpfs", "options": ["rshared"]}'
  add_mount '{"destination": "/p", "source": "'"$TEST_DIR"'/vol", "options": ["rbind", "rprivate"]}'
  add_mount '{"destination": "/u", "type": "tmpfs", "source": "tmpfs", "options": ["unbindable"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /s)" == *" shared:"* ]] || fail "/s not shared: $(mountinfo_line /s)"
  [[ "$(mountinfo_line /p)" != *shared:* && "$(mountinfo_line /p)" != *master:* ]] \
    || fail "/p not private: $(mountinfo_line /p)"
  [[ "$(mountinfo_line /u)" == *" unbindable "* ]] || fail "/u not unbindable: $(mountinfo_line /u)"
}

@test "mounts: remount option changes an earlier mount" {
  add_mount '{"destination": "/rm", "type": "tmpfs", "source": "tmpfs", "options": []}'
  add_mount '{"destination": "/rm", "type": "tmpfs", "source": "tmpfs", "options": ["remount", "ro"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mount_opts /rm)" == ro,* ]] || fail "/rm not remounted ro: $(mount_opts /rm)"
}

@test "mounts: tmpcopyup copies the image's directory into the tmpfs" {
  mkdir -p "$BUNDLE/rootfs/data/sub"
  echo keep >"$BUNDLE/rootfs/data/sub/f"
  ln -s sub/f "$BUNDLE/rootfs/data/link"
  chmod 0751 "$BUNDLE/rootfs/data/sub"
  add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
  run_container sh -c '/probe mounts; cat /data/link; /probe stat /data/sub; echo x >/data/new'
  assert_status 0
  [[ "$(mountinfo_line /data)" == *" - tmpfs "* ]] || fail "no tmpfs on /data"
  assert_output_contains keep
  assert_output_contains "mode=0751"
  [ ! -e "$BUNDLE/rootfs/data/new" ] || fail "the write went to the image, not the tmpfs"
}

@test "mounts: idmap bind mount with uidMappings/gidMappings (stat shows mapped ids)" {
  mkdir -p "$TEST_DIR/vol"
  touch "$TEST_DIR/vol/owned"
  chown 0:0 "$TEST_DIR/vol/owned"
  add_mount '{"destination": "/idm", "source": "'"$TEST_DIR"'/vol", "options": ["bind", "idmap"],
              "uidMappings": [{"containerID": 0, "hostID": 1234, "size": 1}],
              "gidMappings": [{"containerID": 0, "hostID": 4321, "size": 1}]}'
  run_container sh -c '/probe mounts; /probe stat /idm/owned'
  assert_status 0
  assert_output_contains "uid=1234 gid=4321"
  [[ "$(mountinfo_line /idm)" == *idmapped* ]] || fail "not idmapped: $(mountinfo_line /idm)"
  [ "$(stat -c %u "$TEST_DIR/vol/owned")" = 0 ] || fail "host file owner changed"
}

@test "mounts: idmap without mappings nor user namespace is an error (config.md idmap)" {
  mkdir -p "$TEST_DIR/vol"
  add_mount '{"destination": "/idm", "source": "'"$TEST_DIR"'/vol", "options": ["bind", "idmap"]}'
  run_container true
  assert_failed_cleanly "$ID" "needs uidMappings and gidMappings"
}

@test "mounts: unknown options go to the filesystem as data" {
  add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["nr_inodes=77"]}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /t)" == *nr_inodes=77* ]] || fail "data not passed: $(mountinfo_line /t)"
  add_mount '{"destination": "/t2", "type": "tmpfs", "source": "tmpfs", "options": ["bogus_opt"]}'
  run_container true
  assert_failed_cleanly "$ID" "mount \`tmpfs\` on \`/t2\`"
}

@test "mounts: missing bind source fails cleanly" {
  add_mount '{"destination": "/x", "source": "/nonexistent-skiff-src", "options": ["bind"]}'
  run_container true
  assert_failed_cleanly "$ID" "bind mount source \`/nonexistent-skiff-src\`"
}

@test "root: readonly root refuses writes, mounts stay writable (config.md Root)" {
  cfg 'c["root"]["readonly"] = True'
  run_container sh -c '/probe mounts; touch /newfile && echo ROOTW; touch /dev/shm/x && echo SHMW'
  assert_status 0
  [[ "$(mount_opts /)" == ro,* ]] || fail "/ not ro"
  refute_output_contains ROOTW
  assert_output_contains SHMW
}

@test "root: readonly false allows writes" {
  cfg 'c["root"]["readonly"] = False'
  run_container sh -c 'touch /newfile && echo ROOTW'
  assert_status 0
  assert_output_contains ROOTW
  [ -e "$BUNDLE/rootfs/newfile" ] || fail "write did not reach the rootfs"
}

@test "root: the old root is detached after pivot_root" {
  run_container /probe mounts
  assert_status 0
  refute_output_contains "$TEST_DIR/root"
  [ "$(echo "$output" | awk '$5 == "/"' | wc -l)" = 1 ] || fail "more than one / mount"
}

@test "root: --no-pivot (MS_MOVE + chroot) runs the container" {
  set_args sh -c '/probe mounts; cat /proc/self/mountinfo >/dev/null; ls /'
  run "$SKIFF" --root "$ROOT" run --no-pivot --bundle "$BUNDLE" "$ID" </dev/null
  assert_status 0
  assert_output_contains probe
}

@test "root: rootfsPropagation shared makes / a shared mount (config-linux.md)" {
  cfg 'c["linux"]["rootfsPropagation"] = "shared"'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /)" == *" shared:"* ]] || fail "/ not shared: $(mountinfo_line /)"
}

@test "root: rootfsPropagation private and unbindable" {
  cfg 'c["linux"]["rootfsPropagation"] = "private"'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /)" != *shared:* && "$(mountinfo_line /)" != *master:* ]] \
    || fail "/ not private: $(mountinfo_line /)"
  cfg 'c["linux"]["rootfsPropagation"] = "unbindable"'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /)" == *unbindable* ]] || fail "/ not unbindable: $(mountinfo_line /)"
}

@test "root: rootfsPropagation unknown value is refused" {
  cfg 'c["linux"]["rootfsPropagation"] = "sideways"'
  run_container true
  assert_failed_cleanly "$ID" "rootfsPropagation"
}

@test "masked paths: files get /dev/null, directories an empty ro tmpfs (config-linux.md Masked Paths)" {
  mkdir -p "$BUNDLE/rootfs/secretdir"
  echo topsecret-content >"$BUNDLE/rootfs/secretdir/s"
  echo topsecret-content >"$BUNDLE/rootfs/secretfile"
  cfg 'c["linux"]["maskedPaths"] = ["/proc/keys", "/secretfile", "/secretdir", "/sys/firmware"]'
  run_container sh -c '/probe mounts; /probe stat /secretfile; /probe stat /proc/keys; cat /secretfile; ls -A /secretdir; touch /secretdir/x && echo WROTE; true'
  assert_status 0
  refute_output_contains topsecret-content
  refute_output_contains WROTE
  [ "$(echo "$output" | grep -c 'type=chr major=1 minor=3')" = 2 ] || fail "files not masked with /dev/null"
  [[ "$(mountinfo_line /secretdir)" == *" - tmpfs "* ]] || fail "dir not masked with tmpfs"
  [[ "$(mount_opts /secretdir)" == ro,* ]] || fail "mask tmpfs not ro"
  [[ "$(mount_opts /sys/firmware)" == ro,* ]] || fail "/sys/firmware not masked"
}

@test "masked paths: missing paths are ignored" {
  cfg 'c["linux"]["maskedPaths"] = ["/nonexistent/file", "/proc/nonexistent", "/etc/passwd/notadir"]'
  run_container true
  assert_status 0
}

@test "readonly paths: bound read-only (config-linux.md Readonly Paths)" {
  cfg 'c["linux"]["readonlyPaths"] = ["/proc/sys", "/proc/keys", "/nonexistent"]; c["linux"]["maskedPaths"] = []'
  run_container sh -c '/probe mounts; echo 1 >/proc/sys/kernel/ns_last_pid && echo WROTE; true'
  assert_status 0
  [[ "$(mount_opts /proc/sys)" == ro,nosuid,nodev,noexec* ]] || fail "/proc/sys: $(mount_opts /proc/sys)"
  [[ "$(mount_opts /proc/keys)" == ro,* ]] || fail "/proc/keys (a file) not ro"
  refute_output_contains WROTE
}

# ---- hostile bundles: nothing may land outside the rootfs (CVE-2021-30465 class)

@test "hostile: mount destination through an absolute symlink to / stays in the rootfs" {
  ln -s / "$BUNDLE/rootfs/evil"
  add_mount '{"destination": "/evil/skiff-escape-'"$TOKEN"'", "type": "tmpfs", "source": "tmpfs"}'
  run_container sh -c '/probe mounts'
  assert_status 0
  [[ "$(mountinfo_line /skiff-escape-$TOKEN)" == *" - tmpfs "* ]] || fail "mount not inside the rootfs"
  [ ! -e "/skiff-escape-$TOKEN" ] || { rmdir "/skiff-escape-$TOKEN"; fail "directory created on the host"; }
  [ -d "$BUNDLE/rootfs/skiff-escape-$TOKEN" ] || fail "not created inside the rootfs"
}

@test "hostile: mount destination through ../../.. symlink stays in the rootfs" {
  ln -s ../../../../../../../.. "$BUNDLE/rootfs/up"
  add_mount '{"destination": "/up/tmp/skiff-up-'"$TOKEN"'", "type": "tmpfs", "source": "tmpfs"}'
  add_mount '{"destination": "/../../../skiff-dots-'"$TOKEN"'", "type": "tmpfs", "source": "tmpfs"}'
  run_container /probe mounts
  assert_status 0
  [[ "$(mountinfo_line /tmp/skiff-up-$TOKEN)" == *" - tmpfs "* ]] || fail "mount not inside the rootfs"
  [[ "$(mountinfo_line /skiff-dots-$TOKEN)" == *" - tmpfs "* ]] || fail "dots mount not inside"
  [ ! -e "/tmp/skiff-up-$TOKEN" ] || { rmdir "/tmp/skiff-up-$TOKEN"; fail "created on the host"; }
  [ ! -e "/skiff-dots-$TOKEN" ] || { rmdir "/skiff-dots-$TOKEN"; fail "created on the host"; }
}

@test "hostile: bind mount onto a symlink to a host file hits the rootfs copy" {
  echo inside >"$BUNDLE/rootfs/etc/hostname"
  ln -s /etc/hostname "$BUNDLE/rootfs/hn"
  echo replaced >"$TEST_DIR/src"
  local before
  before=$(cat /etc/hostname)
  add_mount '{"destination": "/hn", "source": "'"$TEST_DIR"'/src", "options": ["bind"]}'
  run_container cat /etc/hostname
  assert_status 0
  assert_output_contains replaced
  [ "$(cat /etc/hostname)" = "$before" ] || fail "host /etc/hostname was touched"
}

@test "hostile: symlink loop at a mount destination fails cleanly" {
  ln -s loop2 "$BUNDLE/rootfs/loop1"
  ln -s loop1 "$BUNDLE/rootfs/loop2"
  add_mount '{"destination": "/loop1/x", "type": "tmpfs", "source": "tmpfs"}'
  run_container true
  assert_failed_cleanly "$ID" "Too many levels of symbolic links"
}

@test "hostile: /dev/null that is not 1:3 is refused for maskedPaths (CVE-2025-31133)" {
  # linux.devices replaces the default /dev/null with the zero device: the
  # masking step must notice and refuse rather than bind it over /proc.
  cfg 'c["linux"]["devices"] = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]'
  cfg 'c["linux"]["maskedPaths"] = ["/proc/keys"]'
  run_container true
  assert_failed_cleanly "$ID" "is not the null device"
}

@test "hostile: /dev/null symlink planted in the image (no /dev tmpfs) is refused" {
  cfg 'c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/dev")]'
  mkdir -p "$BUNDLE/rootfs/dev"
  ln -s /etc/passwd "$BUNDLE/rootfs/dev/null"
  cp "$BUNDLE/rootfs/etc/passwd" "$TEST_DIR/passwd.before"
  run_container true
  assert_failed_cleanly "$ID" "device \`/dev/null\`: a file that is not the requested device"
  cmp -s "$BUNDLE/rootfs/etc/passwd" "$TEST_DIR/passwd.before" || fail "the symlink target was modified"
}
