#!/usr/bin/env bats
# Capabilities, no_new_privs, umask, seccomp (with a notify agent) and the
# runc/crun CVE classes.  Spec: config.md "Linux Process", "User";
# config-linux.md "Seccomp", "The Container Process State".

load helpers

# Capability numbers (linux/capability.h) of the names these tests use.
declare -gA CAP=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_KILL]=5 [CAP_SETGID]=6
  [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_ADMIN]=21
  [CAP_SYS_RESOURCE]=24 [CAP_AUDIT_WRITE]=29)

# mask NAME...: the /proc/self/status hex of a set of capabilities.
mask () {
  local m=0 c
  for c in "$@"; do m=$((m | (1 << ${CAP[$c]}))); done
  printf '%016x' "$m"
}

# set_caps 'PYTHON-DICT': process.capabilities = that dict.
set_caps () {
  cfg "c['process']['capabilities'] = $1"
}

helper_bin () {
  local p
  p="$(dirname "$SKIFF")/tests/helpers/$1"
  if ! [ -x "$p" ]; then
    p=$BATS_RUN_TMPDIR/$1
    [ -x "$p" ] || ${CC:-cc} -O2 -o "$p" "$SKIFF_SRCDIR/tests/helpers/$1.c" >&2 || return 1
  fi
  echo "$p"
}

# ------------------------------------------------------------ capabilities

@test "caps: root gets exactly the configured sets, no inheritable (CVE-2022-29162)" {
  set_caps "{k: ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'] for k in ('bounding', 'effective', 'permitted')}"
  run_container /probe caps
  assert_status 0
  m=$(mask CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE)
  assert_output_contains "CapBnd=$m"
  assert_output_contains "CapEff=$m"
  assert_output_contains "CapPrm=$m"
  assert_output_contains "CapInh=0000000000000000"
  assert_output_contains "CapAmb=0000000000000000"
}

@test "caps: no capabilities object drops everything, bounding included" {
  cfg "c['process'].pop('capabilities', None)"
  run_container /probe caps
  assert_status 0
  for s in CapBnd CapEff CapPrm CapInh CapAmb; do
    assert_output_contains "$s=0000000000000000"
  done
}

@test "caps: non-root user keeps ambient capabilities across exec" {
  cfg "c['process']['user'] = {'uid': 1000, 'gid': 1000}"
  set_caps "{k: ['CAP_NET_RAW', 'CAP_CHOWN'] for k in ('bounding', 'effective', 'permitted', 'inheritable', 'ambient')}"
  run_container /probe caps
  assert_status 0
  m=$(mask CAP_NET_RAW CAP_CHOWN)
  for s in CapBnd CapEff CapPrm CapInh CapAmb; do assert_output_contains "$s=$m"; done
}

@test "caps: non-root user without ambient has empty effective/permitted after exec" {
  cfg "c['process']['user'] = {'uid': 1000, 'gid': 1000}"
  set_caps "{k: ['CAP_NET_RAW'] for k in ('bounding', 'effective', 'permitted', 'inheritable')}"
  run_container /probe caps
  assert_status 0
  m=$(mask CAP_NET_RAW)
  assert_output_contains "CapBnd=$m"
  assert_output_contains "CapInh=$m"
  assert_output_contains "CapEff=0000000000000000"
  assert_output_contains "CapPrm=0000000000000000"
  assert_output_contains "CapAmb=0000000000000000"
}

@test "caps: unknown capability is warned about and skipped (config.md MUST warn)" {
  set_caps "{k: ['CAP_KILL', 'CAP_FOO'] for k in ('bounding', 'effective', 'permitted')}"
  run_container /probe caps
  assert_status 0
  assert_output_contains 'capability `CAP_FOO` is unknown to this kernel: skipped'
  assert_output_contains "CapEff=$(mask CAP_KILL)"
}

@test "caps: a capability this host cannot grant is warned about and skipped" {
  grep -q '^CapBnd:.*' /proc/self/status
  bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
  (( (bnd >> 24) & 1 )) && skip "host bounding set has CAP_SYS_RESOURCE"
  set_caps "{k: ['CAP_KILL', 'CAP_SYS_RESOURCE'] for k in ('bounding', 'effective', 'permitted')}"
  run_container /probe caps
  assert_status 0
  assert_output_contains 'capability `CAP_SYS_RESOURCE` cannot be granted'
  assert_output_contains "CapEff=$(mask CAP_KILL)"
}

@test "caps: sets the kernel would refuse are warned about and trimmed, not fatal" {
  # inheritable outside bounding (capset EPERM), effective outside
  # permitted, ambient outside permitted+inheritable.
  set_caps "{'bounding': ['CAP_KILL', 'CAP_CHOWN'], 'permitted': ['CAP_KILL', 'CAP_CHOWN'],
             'effective': ['CAP_KILL', 'CAP_NET_RAW'], 'inheritable': ['CAP_KILL', 'CAP_SETUID'],
             'ambient': ['CAP_CHOWN']}"
  run_container /probe caps
  assert_status 0
  assert_output_contains 'capability `CAP_SETUID` cannot be granted in the inheritable set'
  assert_output_contains 'capability `CAP_NET_RAW` cannot be granted in the effective set'
  assert_output_contains 'capability `CAP_CHOWN` cannot be granted in the ambient set'
  assert_output_contains "CapInh=$(mask CAP_KILL)"
  assert_output_contains "CapAmb=0000000000000000"
}

@test "user: uid, gid, additionalGids, umask (config.md User)" {
  cfg "c['process']['user'] = {'uid': 1000, 'gid': 1001, 'additionalGids': [5, 1002], 'umask': 23}"
  run_container /probe ids
  assert_status 0
  assert_output_contains "euid=1000"
  assert_output_contains "egid=1001"
  assert_output_contains "suid=1000"
  assert_output_contains "groups=5,1002"
  run_container /probe umask
  assert_output_contains "umask=0027"
}

@test "noNewPrivileges: true sets NoNewPrivs, false leaves it clear" {
  cfg "c['process']['noNewPrivileges'] = True"
  run_container /probe nnp
  assert_status 0
  assert_output_contains "NoNewPrivs=1"
  cfg "c['process']['noNewPrivileges'] = False"
  run_container /probe nnp
  assert_status 0
  assert_output_contains "NoNewPrivs=0"
}

# ------------------------------------------------------------ seccomp

# seccomp_rule ACTION [EXTRA-PYTHON-DICT-ITEMS]: default allow, getcwd -> ACTION.
seccomp_rule () {
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
    'syscalls': [{'names': ['getcwd'], 'action': '$1' ${2:+, $2}}]}"
}

@test "seccomp: filter installed (mode 2), ERRNO defaults to EPERM" {
  seccomp_rule SCMP_ACT_ERRNO
  run_container /probe seccomp
  assert_status 0
  assert_output_contains "Seccomp=2"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=1"
}

@test "seccomp: errnoRet is returned; multiple names per rule" {
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
    'syscalls': [{'names': ['mkdir', 'mkdirat', 'getcwd'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=38"
  run_container /probe syscall mkdir
  assert_output_contains "errno=38"
}

@test "seccomp: KILL, KILL_PROCESS, KILL_THREAD and TRAP end the process with SIGSYS" {
  for a in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
    seccomp_rule "$a"
    run_container /probe syscall getcwd
    [ "$status" -eq $((128 + 31)) ] || fail "$a: expected status 159 (SIGSYS)"
    refute_output_contains "errno="
  done
}

@test "seccomp: LOG and ALLOW let the call through" {
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
    'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_LOG'},
                 {'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 12}]}"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=0"
  # ALLOW under a default that is not ALLOW (LOG lets the rest through).
  cfg "c['linux']['seccomp']['defaultAction'] = 'SCMP_ACT_LOG'
c['linux']['seccomp']['syscalls'][0]['action'] = 'SCMP_ACT_ALLOW'"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=0"
  run_container /probe syscall mkdir
  assert_output_contains "errno=12"
}

@test "seccomp: argument operators (personality)" {
  # config-linux.md syscalls[].args: personality(0xffffffff) only queries.
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
    'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 9,
                  'args': [{'index': 0, 'value': 4294967295, 'op': 'SCMP_CMP_EQ'}]}]}"
  run_container /probe syscall personality
  assert_status 0
  assert_output_contains "errno=9"
  cfg "c['linux']['seccomp']['syscalls'][0]['args'][0]['op'] = 'SCMP_CMP_NE'"
  run_container /probe syscall personality
  assert_output_contains "errno=0"
  cfg "c['linux']['seccomp']['syscalls'][0]['args'][0] = {'index': 0, 'value': 1, 'valueTwo': 1, 'op': 'SCMP_CMP_MASKED_EQ'}"
  run_container /probe syscall personality
  assert_output_contains "errno=9"
}

@test "seccomp: unknown syscall names are skipped, not fatal" {
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
    'syscalls': [{'names': ['no_such_syscall_skiff', 'getcwd'], 'action': 'SCMP_ACT_ERRNO'}]}"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=1"
}

@test "seccomp: loads without noNewPrivileges for a user without CAP_SYS_ADMIN" {
  # seccomp(2) needs NNP or CAP_SYS_ADMIN: skiff loads before the drop then.
  cfg "c['process']['noNewPrivileges'] = False; c['process']['user'] = {'uid': 1000, 'gid': 1000}"
  seccomp_rule SCMP_ACT_ERRNO
  run_container /probe seccomp
  assert_status 0
  assert_output_contains "Seccomp=2"
  run_container /probe nnp
  assert_output_contains "NoNewPrivs=0"
}

@test "seccomp: bad profiles fail cleanly with the JSON path" {
  seccomp_rule SCMP_ACT_KILL "'errnoRet': 3"
  run_container /probe ids
  # (the parser or seccomp.c may catch it first; both name the JSON path)
  assert_failed_cleanly "$ID" "linux.seccomp.syscalls[0]"
  assert_output_contains "errno"
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_SHEB'],
    'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_ERRNO'}]}"
  run_container /probe ids
  assert_failed_cleanly "$ID" "SCMP_ARCH_SHEB"
  seccomp_rule SCMP_ACT_NOTIFY
  run_container /probe ids
  assert_failed_cleanly "$ID" "linux.seccomp.listenerPath: required"
}

@test "seccomp notify: the agent gets the process state and the fd, and answers" {
  listener=$(helper_bin notify_listener)
  sock=$TEST_DIR/agent.sock
  "$listener" "$sock" "$TEST_DIR/state.json" 77 >"$TEST_DIR/agent.out" 2>&1 &
  agent=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  [ -S "$sock" ] || fail "listener did not start"
  seccomp_rule SCMP_ACT_NOTIFY
  cfg "c['linux']['seccomp']['listenerPath'] = '$sock'; c['linux']['seccomp']['listenerMetadata'] = 'meta-$TOKEN'"
  run_container /probe syscall getcwd
  wait "$agent" || fail "agent failed: $(cat "$TEST_DIR/agent.out")"
  assert_status 0
  assert_output_contains "errno=77"
  python3 - "$TEST_DIR/state.json" "$ID" "$TOKEN" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ociVersion"] == "1.3.0", s
assert s["fds"] == ["seccompFd"], s
assert isinstance(s["pid"], int) and s["pid"] > 0, s
assert s["metadata"] == "meta-" + sys.argv[3], s
assert s["state"]["id"] == sys.argv[2] and s["state"]["pid"] == s["pid"], s
EOF
}

@test "seccomp notify: an unreachable listener is an error and leaves nothing" {
  seccomp_rule SCMP_ACT_NOTIFY
  cfg "c['linux']['seccomp']['listenerPath'] = '$TEST_DIR/nobody.sock'"
  run_container /probe ids
  assert_failed_cleanly "$ID" "seccomp listener"
}

# ------------------------------------------------------------ fds, cwd

@test "fds: only stdio reaches the container process (CVE-2024-21626)" {
  run_container /probe fds
  assert_status 0
  fds=$(echo "$output" | cut -d= -f1 | sort -n | tr '\n' ' ')
  [ "$fds" = "0 1 2 " ] || fail "unexpected fds: $fds"
}

@test "fds: --preserve-fds passes exactly the preserved ones" {
  set_args /probe fds
  run bash -c 'exec 3<"$1"; exec 4<"$1"; "$SKIFF" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID" </dev/null' _ "$BUNDLE/config.json"
  assert_status 0
  fds=$(echo "$output" | cut -d= -f1 | sort -n | tr '\n' ' ')
  [ "$fds" = "0 1 2 3 " ] || fail "unexpected fds: $fds"
}

@test "cwd: /proc/self/fd/N cannot lead outside the rootfs (CVE-2024-21626)" {
  for n in 3 4 5 6 7 8 9 10; do
    cfg "c['process']['cwd'] = '/proc/self/fd/$n'"
    run_container /probe cwd
    if [ "$status" -eq 0 ]; then
      # Allowed only when it is a real directory inside the container.
      [[ "$output" == /* ]] || fail "fd $n: cwd outside the root: $output"
      [[ "$output" != *unreachable* ]] || fail "fd $n: cwd outside the root"
    else
      assert_failed_cleanly "$ID" "/proc/self/fd/$n"
    fi
  done
}

# ------------------------------------------------------------ CVE-2019-5736

@test "CVE-2019-5736: init's /proc/PID/exe is a sealed copy, never the host binary" {
  cp "$SKIFF" "$TEST_DIR/skiff-copy"
  sum=$(sha256sum <"$TEST_DIR/skiff-copy")
  set_args /probe exit 0
  # create's stdio goes to the container init, which lives on: a file,
  # not bats' pipe.
  "$TEST_DIR/skiff-copy" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
    </dev/null >"$TEST_DIR/create.out" 2>&1 || fail "create: $(cat "$TEST_DIR/create.out")"
  pid=$(state_field "$ID" pid)
  exe=$(readlink "/proc/$pid/exe")
  [[ "$exe" == /memfd:skiff* ]] || fail "init exe is $exe"
  # Grab the exe now, as a container process would during setup, then try
  # to write through it once init has exec'd the user process.
  python3 - "$pid" "$TEST_DIR/skiff-copy" "$SKIFF" "$ROOT" "$ID" <<'EOF'
import os, subprocess, sys
pid, copy, skiff, root, cid = sys.argv[1:]
fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
subprocess.run([skiff, "--root", root, "start", cid], check=True,
               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
try:
    w = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY)
    os.write(w, b"overwritten")
except OSError as e:
    print("write refused:", e)
else:
    sys.exit("wrote through the init's exe")
EOF
  [ "$(sha256sum <"$TEST_DIR/skiff-copy")" = "$sum" ] || fail "host binary changed"
}

@test "CVE-2019-5736: a skiff on a read-only mount runs uncopied and stays unwritable" {
  mkdir "$TEST_DIR/ro"
  cp "$SKIFF" "$TEST_DIR/ro/skiff"
  mount --bind "$TEST_DIR/ro" "$TEST_DIR/ro"
  mount -o remount,bind,ro "$TEST_DIR/ro"
  sum=$(sha256sum <"$TEST_DIR/ro/skiff")
  set_args /probe exit 0
  "$TEST_DIR/ro/skiff" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
    </dev/null >"$TEST_DIR/create.out" 2>&1 || fail "create: $(cat "$TEST_DIR/create.out")"
  pid=$(state_field "$ID" pid)
  [ "$(readlink "/proc/$pid/exe")" = "$TEST_DIR/ro/skiff" ] || fail "expected no copy"
  python3 - "$pid" "$SKIFF" "$ROOT" "$ID" <<'PY'
import errno, os, subprocess, sys
pid, skiff, root, cid = sys.argv[1:]
fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
subprocess.run([skiff, "--root", root, "start", cid], check=True,
               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
try:
    os.open(f"/proc/self/fd/{fd}", os.O_WRONLY)
except OSError as e:
    assert e.errno == errno.EROFS, e
else:
    sys.exit("reopened the init's exe for writing")
PY
  skiff delete --force "$ID" </dev/null >/dev/null 2>&1 || true
  umount "$TEST_DIR/ro"
  [ "$(sha256sum <"$TEST_DIR/ro/skiff")" = "$sum" ] || fail "binary changed"
}

@test "CVE-2019-5736: init is non-dumpable until execve (userns check)" {
  # In a user namespace a dumpable init would own its /proc/PID files as
  # the mapped uid; a non-dumpable one keeps them owned by host root, and
  # a process inside the container cannot open /proc/1/exe.
  cfg "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 755 "$TEST_DIR" "$BUNDLE"
  set_args /probe exit 0
  skiff create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/create.out" 2>&1 \
    || fail "create: $(cat "$TEST_DIR/create.out")"
  pid=$(state_field "$ID" pid)
  [ "$(stat -c %u "/proc/$pid/status")" = 0 ] || fail "init's /proc files owned by $(stat -c %u "/proc/$pid/status")"
  run nsenter -t "$pid" -U -m -p --preserve-credentials=no -- /bin/busybox readlink /proc/1/exe
  [ "$status" -ne 0 ] || fail "container root could read init's exe: $output"
  skiff delete --force "$ID"
}

# ------------------------------------------------------------ CVE-2025-31133 / 52565 / 52881

@test "CVE-2025-31133: a /dev/null symlink cannot redirect maskedPaths" {
  core=$(cat /proc/sys/kernel/core_pattern)
  # No /dev tmpfs: the image's own /dev, with a hostile null.
  cfg "c['mounts'] = [m for m in c['mounts'] if m['destination'] not in ('/dev', '/dev/pts', '/dev/shm', '/dev/mqueue')]
c['linux']['maskedPaths'] = ['/proc/kcore', '/proc/sys/kernel/core_pattern']
c['linux']['readonlyPaths'] = []"
  mkdir -p "$BUNDLE/rootfs/dev"
  rm -f "$BUNDLE/rootfs/dev/null"
  ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
  run_container /probe write /proc/sys/kernel/core_pattern "|/tmp/evil-$TOKEN"
  now=$(cat /proc/sys/kernel/core_pattern)
  [ "$now" = "$core" ] || { echo "$core" >/proc/sys/kernel/core_pattern; fail "core_pattern changed to $now"; }
  if [ "$status" -ne 0 ]; then
    assert_nothing_left "$ID"
  fi
}

@test "CVE-2025-52881: a procfs overmount cannot redirect a sysctl write" {
  core=$(cat /proc/sys/kernel/core_pattern)
  cfg "c['linux']['readonlyPaths'] = []
c['mounts'].append({'destination': '/proc/sys/kernel/domainname', 'type': 'bind',
                    'source': '/proc/sys/kernel/core_pattern', 'options': ['bind']})
c['linux']['sysctl'] = {'kernel.domainname': '|/tmp/evil-$TOKEN'}"
  run_container /probe exit 0
  now=$(cat /proc/sys/kernel/core_pattern)
  [ "$now" = "$core" ] || { echo "$core" >/proc/sys/kernel/core_pattern; fail "core_pattern changed to $now"; }
  if [ "$status" -ne 0 ]; then
    assert_nothing_left "$ID"
  fi
}

@test "CVE-2025-52565: a /dev/console symlink in the image is not followed" {
  core=$(cat /proc/sys/kernel/core_pattern)
  # The image's own /dev (no tmpfs), writable, with a hostile console; with
  # a terminal the pty must land on the real /dev/console, never on the
  # symlink's target.
  cfg "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/dev']
c['linux']['readonlyPaths'] = []
c['root']['readonly'] = False
c['process']['terminal'] = True"
  mkdir -p "$BUNDLE/rootfs/dev"
  ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
  set_args /probe stat /dev/console
  run timeout 20 "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null
  now=$(cat /proc/sys/kernel/core_pattern)
  [ "$now" = "$core" ] || { echo "$core" >/proc/sys/kernel/core_pattern; fail "core_pattern changed to $now"; }
  ! grep -q core_pattern /proc/self/mountinfo || fail "something is mounted on core_pattern"
  if [ "$status" -eq 0 ]; then
    assert_output_contains "type=chr major=13"   # a pty slave (136-143)
  else
    assert_nothing_left "$ID"
  fi
}

# ------------------------------------------------------------ LSM

@test "apparmorProfile on a host without AppArmor is a clear error" {
  [ -d /sys/kernel/security/apparmor ] && skip "AppArmor is enabled here"
  cfg "c['process']['apparmorProfile'] = 'skiff-test'"
  run_container /probe ids
  assert_failed_cleanly "$ID" "process.apparmorProfile: AppArmor is not enabled on this host"
}

@test "selinuxLabel on a host without SELinux is a clear error" {
  [ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here"
  cfg "c['process']['selinuxLabel'] = 'system_u:system_r:container_t:s0'"
  run_container /probe ids
  assert_failed_cleanly "$ID" "process.selinuxLabel: SELinux is not enabled on this host"
}
