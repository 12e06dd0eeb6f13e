#!/bin/sh
# LSM tests, run by /init inside the test VM booted with AppArmor active
# (tests/layers/55-vm-lsm.sh).  config.md "Linux Process": apparmorProfile
# "specifies the name of the AppArmor profile for the process"; runtime.md:
# the process's attributes take effect when the user-specified program is
# executed.  skiff writes the exec transition (attr/apparmor/exec) as the
# last privileged step before execve, so the profile confines only the
# container's program, never the runtime's own setup.
. /tests/guest-lib.sh

AA=/sys/kernel/security/apparmor
PROFILES=/tmp/aa
mkdir -p "$PROFILES" /etc/apparmor
# apparmor_parser warns on every run without its (optional) config file.
: >/etc/apparmor/parser.conf

# A profile that allows what a busybox shell needs and denies writes to
# /tmp/denied*, mounts and pivot_root: had it applied before skiff's own
# mounts, pivot_root and /proc writes, the container could not start.
cat >"$PROFILES/skiff-test" <<'P'
profile skiff-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  deny mount,
  deny pivot_root,
  deny /tmp/denied* w,
}
P
# The exec process's own profile: it differs by what it denies.
cat >"$PROFILES/skiff-exec" <<'P'
profile skiff-exec flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  signal,
  ptrace,
  unix,
  deny /tmp/exec-denied* w,
}
P

t_lsm_active () {
  [ -d "$AA" ] || fail "no $AA: AppArmor is not active in this guest"
  grep -q Y /sys/module/apparmor/parameters/enabled || fail "apparmor not enabled"
  apparmor_parser -r -K "$PROFILES/skiff-test" "$PROFILES/skiff-exec" 2>&1 \
    || fail "apparmor_parser could not load the test profiles"
  grep -q '^skiff-test (enforce)' "$AA/profiles" || fail "skiff-test not listed: $(cat "$AA/profiles")"
}

t_features_enabled () {
  sk features >/tmp/f.json || fail "features failed"
  tr -d ' \t\n' </tmp/f.json | grep -q '"apparmor":{"enabled":true}' \
    || fail "features does not say apparmor enabled: $(tr -d '\n' </tmp/f.json | grep -o '"apparmor":[^}]*}')"
}

# The profile is the process's at exec: /proc/self/attr/current (and the
# stacking-era attr/apparmor/current) name it in enforce mode.
t_profile_applied () {
  PROC_EXTRA='"apparmorProfile": "skiff-test",'
  ARGS='["sh", "-c", "cat /proc/self/attr/current; cat /proc/self/attr/apparmor/current"]'
  mkcfg
  out=$(sk run --bundle "$B" aa1 </dev/null 2>&1) || fail "run: $out"
  [ "$(echo "$out" | sed -n 1p)" = "skiff-test (enforce)" ] || fail "attr/current: $out"
  [ "$(echo "$out" | sed -n 2p)" = "skiff-test (enforce)" ] || fail "attr/apparmor/current: $out"
}

# It confines: the denied write fails, an allowed one works, and mount
# (denied) fails even with CAP_SYS_ADMIN.
t_profile_confines () {
  PROC_EXTRA='"apparmorProfile": "skiff-test",'
  CAPS='"CAP_SYS_ADMIN","CAP_DAC_OVERRIDE"'
  ARGS='["sh", "-c", "echo ok >/tmp/allowed && cat /tmp/allowed; if echo x 2>/dev/null >/tmp/denied-file; then echo WROTE; else echo denied; fi; if mount -t tmpfs t /mnt 2>/dev/null; then echo MOUNTED; else echo nomount; fi"]'
  mkcfg
  out=$(sk run --bundle "$B" aa2 </dev/null 2>&1)
  [ "$out" = "$(printf 'ok\ndenied\nnomount')" ] || fail "confinement: $out"
}

# Without a profile the process is unconfined (nothing inherited).
t_no_profile_unconfined () {
  ARGS='["cat", "/proc/self/attr/current"]'
  mkcfg
  out=$(sk run --bundle "$B" aa3 </dev/null 2>&1) || fail "run: $out"
  [ "$out" = unconfined ] || fail "attr/current: $out"
}

# The create/start split: create succeeds with the profile named, the
# transition happens at start's execve (the process is still skiff's init,
# unconfined, while it waits).
t_profile_at_start () {
  PROC_EXTRA='"apparmorProfile": "skiff-test",'
  ARGS='["sleep", "1000"]'
  mkcfg
  sk create --bundle "$B" aa4 </dev/null >/tmp/o 2>&1 || fail "create: $(cat /tmp/o)"
  pid=$(pid_of aa4)
  [ "$(cat /proc/$pid/attr/current)" = unconfined ] || fail "init confined before start: $(cat /proc/$pid/attr/current)"
  sk start aa4 || fail "start"
  i=0
  while [ "$(cat /proc/$pid/attr/current 2>/dev/null)" != "skiff-test (enforce)" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "after start: $(cat /proc/$pid/attr/current)"; sleep 0.1
  done
}

# exec gets the exec process's own profile (process.json, or --apparmor),
# not the init's.
t_exec_profile () {
  PROC_EXTRA='"apparmorProfile": "skiff-test",'
  mkcfg
  start aa5
  out=$(sk exec --apparmor skiff-exec aa5 cat /proc/self/attr/current 2>&1) || fail "exec: $out"
  [ "$out" = "skiff-exec (enforce)" ] || fail "exec --apparmor: $out"
  out=$(sk exec aa5 sh -c 'if echo x >/tmp/exec-denied; then echo WROTE; else echo denied; fi' 2>&1)
  [ "$out" = WROTE ] || fail "exec without a profile inherits nothing of skiff-exec: $out"
  cat >/tmp/process.json <<'J'
{"args": ["sh", "-c", "cat /proc/self/attr/current; if echo x 2>/dev/null >/tmp/exec-denied; then echo WROTE; else echo denied; fi"],
 "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}, "apparmorProfile": "skiff-exec"}
J
  out=$(sk exec --process /tmp/process.json aa5 2>&1) || fail "exec --process: $out"
  [ "$out" = "$(printf 'skiff-exec (enforce)\ndenied')" ] || fail "exec --process: $out"
}

# A profile that is not loaded: a clear error naming it, nothing left, for
# create and for exec.
t_profile_not_loaded () {
  PROC_EXTRA='"apparmorProfile": "no-such-profile",'
  mkcfg
  out=$(sk create --bundle "$B" aa6 </dev/null 2>&1) && fail "create succeeded"
  echo "$out" | grep -q 'AppArmor profile `no-such-profile` is not loaded' || fail "message: $out"
  nothing_left aa6
  [ -z "$(ps -o pid,args | grep 'aa6' | grep -v grep)" ] || fail "a process is left"
  unset PROC_EXTRA
  mkcfg
  start aa7
  out=$(sk exec --apparmor no-such-profile aa7 true 2>&1) && fail "exec succeeded"
  echo "$out" | grep -q 'AppArmor profile `no-such-profile` is not loaded' || fail "exec message: $out"
  [ "$(sk ps --format json aa7)" = "[$(pid_of aa7)]" ] || fail "exec left a process: $(sk ps --format json aa7)"
}

# A profile removed between create and start: the kernel's refusal at
# start names the profile; the container does not run unconfined.
t_profile_removed_before_start () {
  cat >"$PROFILES/skiff-gone" <<'P'
profile skiff-gone { file, capability, }
P
  apparmor_parser -r -K "$PROFILES/skiff-gone" || fail "load skiff-gone"
  PROC_EXTRA='"apparmorProfile": "skiff-gone",'
  ARGS='["sleep", "1000"]'
  mkcfg
  sk create --bundle "$B" aa8 </dev/null >/tmp/o 2>&1 || fail "create: $(cat /tmp/o)"
  apparmor_parser -R "$PROFILES/skiff-gone" || fail "unload skiff-gone"
  out=$(sk start aa8 2>&1) && fail "start succeeded: the process ran unconfined"
  echo "$out" | grep -q 'skiff-gone' || fail "start message: $out"
}

t "AppArmor is active and the test profiles load" t_lsm_active
t "features reports apparmor enabled" t_features_enabled
t "apparmorProfile is the process's profile at exec" t_profile_applied
t "the profile confines the process (denied write, denied mount)" t_profile_confines
t "no apparmorProfile: the process is unconfined" t_no_profile_unconfined
t "create/start: the init is unconfined until start's execve" t_profile_at_start
t "exec gets the exec process's own profile" t_exec_profile
t "a profile that is not loaded: clear error, nothing left" t_profile_not_loaded
t "a profile unloaded after create: start fails naming it" t_profile_removed_before_start
