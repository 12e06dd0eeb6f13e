#!/bin/sh
# SELinux tests, run by /init inside the test VM booted with SELinux as
# the LSM (tests/layers/55-vm-lsm.sh) and Debian's selinux-policy-default
# loaded in permissive mode: labels are applied and visible, denials are
# logged, not enforced (the guest's own processes carry no file labels, so
# an enforcing policy would confine the test harness instead).
# config.md "Linux Process": selinuxLabel "specifies the SELinux context
# that the container process is run as"; config-linux.md "Mount Label":
# mountLabel "will set the Selinux context for the mounts in the container".
# Debian's policy has no container module: svirt_t and svirt_image_t (its
# virtual_domain_context and virtual_image_context) stand in, with MCS
# categories as container engines assign them.
. /tests/guest-lib.sh

LABEL=system_u:system_r:svirt_t:s0:c1,c2
EXEC_LABEL=system_u:system_r:svirt_t:s0:c3,c4
FILE_LABEL=system_u:object_r:svirt_image_t:s0:c1,c2

t_selinux_active () {
  mount -t selinuxfs selinuxfs /sys/fs/selinux 2>/dev/null
  load_policy 2>&1 || fail "load_policy failed"
  [ "$(cat /sys/fs/selinux/enforce)" = 0 ] || fail "not permissive"
  [ -n "$(cat /proc/self/attr/current)" ] || fail "no context"
}

t_features_enabled () {
  sk features >/tmp/f.json || fail "features failed"
  tr -d ' \t\n' </tmp/f.json | grep -q '"selinux":{"enabled":true}' || fail "features: selinux not enabled"
}

# The process context at exec is selinuxLabel.
t_process_label () {
  PROC_EXTRA="\"selinuxLabel\": \"$LABEL\","
  ARGS='["cat", "/proc/self/attr/current"]'
  mkcfg
  out=$(sk run --bundle "$B" se1 </dev/null 2>&1) || fail "run: $out"
  [ "$(echo "$out" | tr -d '\0')" = "$LABEL" ] || fail "attr/current: $out"
}

# create/start: the init keeps skiff's context until start's execve.
t_label_at_start () {
  PROC_EXTRA="\"selinuxLabel\": \"$LABEL\","
  mkcfg
  sk create --bundle "$B" se2 </dev/null >/tmp/o 2>&1 || fail "create: $(cat /tmp/o)"
  pid=$(pid_of se2)
  mine=$(tr -d '\0' </proc/self/attr/current)
  [ "$(tr -d '\0' </proc/$pid/attr/current)" = "$mine" ] || fail "init relabelled before start"
  sk start se2 || fail start
  i=0
  while [ "$(tr -d '\0' </proc/$pid/attr/current)" != "$LABEL" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "after start: $(cat /proc/$pid/attr/current)"; sleep 0.1
  done
}

# exec: the exec process's own label (--process-label, or process.json).
t_exec_label () {
  PROC_EXTRA="\"selinuxLabel\": \"$LABEL\","
  mkcfg
  start se3
  out=$(sk exec --process-label "$EXEC_LABEL" se3 cat /proc/self/attr/current 2>&1) || fail "exec: $out"
  [ "$(echo "$out" | tr -d '\0')" = "$EXEC_LABEL" ] || fail "exec label: $out"
}

# mountLabel: the mounts skiff creates carry context= (seen in mountinfo's
# super options), and the files in them have that label.
t_mount_label () {
  LINUX_EXTRA="\"mountLabel\": \"$FILE_LABEL\","
  ARGS='["sh", "-c", "grep \" /tmp \" /proc/self/mountinfo; grep \" /dev \" /proc/self/mountinfo"]'
  mkcfg
  out=$(sk run --bundle "$B" se4 </dev/null 2>&1) || fail "run: $out"
  echo "$out" | grep ' /tmp ' | grep -q "context=\"\\?$FILE_LABEL" || fail "/tmp without context=: $out"
  echo "$out" | grep ' /dev ' | grep -q "context=\"\\?$FILE_LABEL" || fail "/dev without context=: $out"
}

# An invalid context: a clear error naming it, nothing left.
t_bad_label () {
  PROC_EXTRA='"selinuxLabel": "nosuch_u:nosuch_r:nosuch_t:s0",'
  ARGS='["true"]'
  mkcfg
  out=$(sk run --bundle "$B" se5 </dev/null 2>&1) && fail "run succeeded"
  echo "$out" | grep -q 'nosuch_u:nosuch_r:nosuch_t:s0' || fail "message: $out"
  nothing_left se5
}

t "SELinux is active with a policy loaded (permissive)" t_selinux_active
t "features reports selinux enabled" t_features_enabled
t "selinuxLabel is the process's context at exec" t_process_label
t "create/start: the init is relabelled only at start's execve" t_label_at_start
t "exec gets the exec process's own label" t_exec_label
t "mountLabel: context= on the mounts skiff makes" t_mount_label
t "an invalid label: clear error naming it, nothing left" t_bad_label
