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

# ---- 3. user namespace + a bind source the mapped root cannot reach

userns_config () {
  cfg 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 0755 "$TEST_DIR" "$BUNDLE"
}

@test "user namespace: bind sources below a 0700 host directory are mounted (opened before the userns)" {
  userns_config
  mkdir -p "$TEST_DIR/secret/vol" "$TEST_DIR/secret/ro"
  echo hello > "$TEST_DIR/secret/vol/file"
  echo single > "$TEST_DIR/secret/one"
  chmod 0700 "$TEST_DIR/secret"
  cfg 'c["mounts"].append({"destination": "/vol", "type": "bind", "source": "'"$TEST_DIR"'/secret/vol", "options": ["rbind"]})
c["mounts"].append({"destination": "/one", "type": "bind", "source": "'"$TEST_DIR"'/secret/one", "options": ["bind", "ro"]})'
  run_container sh -c 'cat /vol/file /one; grep -E " /(vol|one) " /proc/self/mountinfo; echo x > /one || echo ONE-RO'
  assert_status 0
  assert_output_contains hello
  assert_output_contains single
  assert_output_contains ONE-RO
  # The ro bind stays read-only: the container's root cannot lift it.
  run_container sh -c 'mount -o remount,bind,rw /one; echo x > /one && echo ONE-RW'
  refute_output_contains ONE-RW
}

@test "user namespace: a missing bind source fails cleanly, naming it" {
  userns_config
  cfg 'c["mounts"].append({"destination": "/vol", "type": "bind", "source": "'"$TEST_DIR"'/nope", "options": ["rbind"]})'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "bind mount source \`$TEST_DIR/nope\`: No such file or directory"
}

# ---- 4. the pty belongs to the process's user

# The owner of the process's stdin as `uid:gid`, from `probe stat`
# (type=chr major=.. minor=.. mode=.. uid=N gid=N).
tty_owner () { tr -d '\r\000' | sed -n 's/.*type=chr .* uid=\([0-9]*\) gid=\([0-9]*\).*/\1:\2/p' | head -1; }

@test "terminal with uid 1000: the pty is owned by 1000:5 (run, create --console-socket, exec -t)" {
  cfg 'c["process"]["terminal"] = True
c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  run_container /probe stat /proc/self/fd/0
  assert_status 0
  [ "$(tty_owner <<<"$output")" = "1000:5" ] || fail "run: pty not owned by 1000:5"

  set_args /probe stat /proc/self/fd/0
  python3 "$BATS_TEST_DIRNAME/recvtty.py" "$TEST_DIR/tty.sock" "$TEST_DIR/tty.out" 3>&- &
  rpid=$!
  wait_for_file "$TEST_DIR/tty.sock"
  run_skiff create --bundle "$BUNDLE" --console-socket "$TEST_DIR/tty.sock" "$ID"
  assert_status 0
  run_skiff start "$ID"
  assert_status 0
  timed_wait "$rpid"
  [ "$(tty_owner <"$TEST_DIR/tty.out")" = "1000:5" ] || fail "create: $(cat "$TEST_DIR/tty.out")"
  skiff delete --force "$ID"

  cfg 'c["process"]["terminal"] = False'
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID-2"
  assert_status 0
  run timeout 60 script -qec "$SKIFF --root $ROOT exec -t --user 1000:1000 $ID-2 /probe stat /proc/self/fd/0" /dev/null
  assert_status 0
  [ "$(tty_owner <<<"$output")" = "1000:5" ] || fail "exec -t: pty not owned by 1000:5"
}

# ---- 5. HOME from the container's /etc/passwd

@test "no HOME in process.env: HOME from /etc/passwd for the user, / when unknown (run and exec)" {
  printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n' >"$BUNDLE/rootfs/etc/passwd"
  cfg 'c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("HOME=")]'
  run_container /probe env
  assert_status 0
  assert_output_contains "HOME=/root"
  cfg 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  run_container /probe env
  assert_output_contains "HOME=/home/u"
  cfg 'c["process"]["user"] = {"uid": 2000, "gid": 2000}'
  run_container /probe env
  [ "$(grep -c '^HOME=/$' <<<"$output")" = 1 ] || fail "uid 2000: want HOME=/"
  # A HOME given by the config wins.
  cfg 'c["process"]["env"].append("HOME=/mine")'
  run_container /probe env
  [ "$(grep -c '^HOME=' <<<"$output")" = 1 ] && assert_output_contains "HOME=/mine"

  cfg 'c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("HOME=")]
c["process"]["user"] = {"uid": 0, "gid": 0}'
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run skiff exec --user 1000:1000 "$ID" /probe env
  assert_output_contains "HOME=/home/u"
}

# ---- 6. lo is up in a new network namespace

@test "a new network namespace has lo up (also with a user namespace)" {
  grep -q '"network"' "$BUNDLE/config.json" || fail "default config has no network namespace"
  run_container cat /sys/class/net/lo/flags
  assert_status 0
  [ "$(( ${lines[0]} & 1 ))" = 1 ] || fail "lo is down"
  userns_config
  run_container cat /sys/class/net/lo/flags
  assert_status 0
  [ "$(( ${lines[0]} & 1 ))" = 1 ] || fail "lo is down in a user namespace"
}

# ---- 11. signal 0

# runc 1.1.5 (measured): `kill ID 0` is an existence check (exit 0 while
# running, "container not running" once stopped).  `kill -a ID SIG` on a
# stopped container exits 0 in runc; runtime.md "kill" says signalling a
# container that is neither created nor running MUST generate an error, so
# skiff answers "container not running" there as for any signal.
@test "kill ID 0 and kill -a ID 0: existence check while running, container not running once stopped" {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff kill "$ID" 0
  assert_status 0
  run_skiff kill -a "$ID" 0
  assert_status 0
  run_skiff kill --signal 0 "$ID"
  assert_status 0
  [ "$(state_field "$ID" status)" = running ]
  run_skiff kill "$ID" KILL
  wait_for_status "$ID" stopped
  for a in "" -a; do
    run_skiff kill $a "$ID" 0
    [ "$status" -eq 1 ] || fail "kill $a 0 on a stopped container exited $status"
    assert_output_contains "container not running"
    refute_output_contains "invalid signal"
  done
}

# ---- 9. --debug, and why init died

@test "--debug --log-format json: debug lines for config, namespaces, mounts, cgroup, hooks, steps with timings" {
  cfg 'c.setdefault("hooks", {})["createRuntime"] = [{"path": "/bin/true"}]'
  set_args /probe exit 0
  run_skiff --debug --log "$TEST_DIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run_skiff --debug --log "$TEST_DIR/log.json" --log-format json start "$ID"
  assert_status 0
  # Every line is one JSON object; the debug ones have level "debug".
  python3 - "$TEST_DIR/log.json" <<'PY' || fail "$(cat "$TEST_DIR/log.json")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
dbg = [l["msg"] for l in lines if l["level"] == "debug"]
want = ["config `", "namespace pid: new", "namespace mount: new", "mount 0: `proc` on `/proc`",
        "cgroup `", "hook createRuntime[0] `/bin/true`: ok in", "init: PID", "init: HOOKS",
        "init: READY", "start `", " ms)"]
missing = [w for w in want if not any(w in m for m in dbg)]
assert not missing, missing
PY
  # text: to stderr without --log
  run_skiff --debug state "$ID"
  run_skiff --debug delete --force "$ID"
  set_args /probe exit 0
  run_skiff --debug run --bundle "$BUNDLE" "$ID-2"
  assert_status 0
  assert_output_contains "skiff: debug: init: READY"
  # without --debug: no debug line
  run_skiff run --bundle "$BUNDLE" "$ID-3"
  refute_output_contains "debug"
}

@test "container init killed during setup: the error says how it ended and the last step it reported" {
  # A createRuntime hook (runtime namespace) kills init while it waits for
  # HOOKS_DONE: the last step init reported is HOOKS.
  cat >"$TEST_DIR/killer.sh" <<'SH'
#!/bin/sh
pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; do sleep 0.05; done
SH
  chmod +x "$TEST_DIR/killer.sh"
  cfg 'c.setdefault("hooks", {})["createRuntime"] = [{"path": "'"$TEST_DIR"'/killer.sh"}]'
  run_skiff create --bundle "$BUNDLE" "$ID"
  assert_failed_cleanly "$ID" "container init exited unexpectedly (killed by signal 9 (Killed); last step reported: HOOKS"
}

# ---- 8. seccomp: syscalls newer than the profile get ENOSYS

# A profile "from before clone3": it allows every x86_64 syscall numbered
# below clone3 (435) except mkdir, default action EPERM.
old_profile () {
  python3 - "$BUNDLE/config.json" "$@" <<'PY'
import json, re, sys
names = []
for line in open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"):
    m = re.match(r"#define __NR_(\w+) (\d+)$", line.strip())
    if m and int(m.group(2)) < 435 and m.group(1) != "mkdir":
        names.append(m.group(1))
c = json.load(open(sys.argv[1]))
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                         "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}]}
for extra in sys.argv[2:]:
    c["linux"]["seccomp"]["syscalls"].append({"names": [extra], "action": "SCMP_ACT_ERRNO"})
json.dump(c, open(sys.argv[1], "w"))
PY
}

@test "seccomp: a syscall newer than the profile gets ENOSYS, a known one not allowed keeps the default action" {
  [ "$(uname -m)" = x86_64 ] || skip "the profile is built from x86_64 syscall numbers"
  [ -f /usr/include/x86_64-linux-gnu/asm/unistd_64.h ] || skip "no asm/unistd_64.h"
  old_profile
  run_container sh -c '/probe syscall clone3; /probe syscall mkdir; /probe syscall getcwd'
  assert_status 0
  assert_output_contains "errno=38"      # clone3: ENOSYS, glibc falls back to clone
  [[ "${lines[1]}" == *"errno=1"* ]] || fail "mkdir: want EPERM (the default action)"
  [[ "${lines[2]}" == *"errno=0"* ]] || fail "getcwd: want allowed"
  [[ "${lines[0]}" == *"errno=38"* ]] || fail "clone3: want ENOSYS"
  # Once the profile names clone3 it knows it: its own answer (EPERM), not
  # ENOSYS.  A different filter, so a different cache entry.
  old_profile clone3
  run_container /probe syscall clone3
  [[ "$output" == *"errno=1"* ]] || fail "clone3 named in the profile: want EPERM"
  # The same profile again, now from the compiled-filter cache: same answer.
  old_profile
  run_container /probe syscall clone3
  [[ "$output" == *"errno=38"* ]] || fail "cached filter: want ENOSYS"
  # SCMP_ACT_ALLOW by default: a new syscall is simply allowed (EINVAL from
  # the kernel for clone3 without arguments), no ENOSYS.
  cfg 'c["linux"]["seccomp"]["defaultAction"] = "SCMP_ACT_ALLOW"
c["linux"]["seccomp"]["syscalls"] = [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]'
  run_container /probe syscall clone3
  [[ "$output" == *"errno=22"* ]] || fail "default allow: want EINVAL from the kernel"
}

# config-linux.md "Namespaces": "If a namespace type is not specified in
# the namespaces array, the container MUST inherit the runtime namespace of
# that type" (runtime-tools' NSInheritWithoutType).  skiff then mounts
# nothing: the process is chrooted into root.path, the host's mount table
# is unchanged, and what would need a mount is refused by name.
no_mount_ns_config () {
  cfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in ("mount", "cgroup")]
c["mounts"] = []
c["linux"].pop("maskedPaths", None)
c["linux"].pop("readonlyPaths", None)
c["linux"].pop("devices", None)
c["linux"].pop("rootfsPropagation", None)
c["root"]["readonly"] = False'
}

@test "no mount namespace: the runtime's is inherited, the rootfs is the root, no mount is made" {
  no_mount_ns_config
  before=$(wc -l </proc/self/mountinfo)
  run_container ls /probe
  assert_status 0
  assert_output_contains "/probe"
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  pid=$(state_field "$ID" pid)
  [ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] \
    || fail "not the runtime's mount namespace"
  [ "$(readlink /proc/$pid/root)" = "$(cd "$BUNDLE/rootfs" && pwd -P)" ] \
    || fail "root is $(readlink /proc/$pid/root)"
  [ "$(wc -l </proc/self/mountinfo)" = "$before" ] || fail "the host's mount table changed"
  # exec enters the same root
  run_skiff exec "$ID" ls /probe
  assert_status 0
  assert_output_contains "/probe"
  skiff delete --force "$ID"
  assert_nothing_left "$ID"
}

@test "no mount namespace: mounts, masked paths and a terminal are refused by name, nothing left" {
  no_mount_ns_config
  cfg 'c["mounts"] = [{"destination": "/proc", "type": "proc", "source": "proc"}]'
  run_container true
  assert_failed_cleanly "$ID" 'config.json: mounts: needs a mount namespace'
  no_mount_ns_config
  cfg 'c["linux"]["maskedPaths"] = ["/proc/kcore"]'
  run_container true
  assert_failed_cleanly "$ID" 'config.json: linux.maskedPaths: needs a mount namespace'
  no_mount_ns_config
  cfg 'c["process"]["terminal"] = True'
  run_container true
  assert_failed_cleanly "$ID" 'config.json: process.terminal: needs a mount namespace'
}
