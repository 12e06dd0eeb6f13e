#!/bin/sh
# checkpoint/restore tests, run by /init inside the test VM (busybox sh, no
# python), with Debian's kernel and Debian's CRIU.  Each test prints
# `ok N - name` or `not ok N - name` with `#   ` lines of detail (CRIU's
# log lines on failure); tests/vm/run-vm.sh counts them.
SK=/usr/sbin/skiff
ROOT=/run/skiff
B=/bundle
CG=/sys/fs/cgroup
DATA=/tmp/data          # bind-mounted at /data: an external mount to CRIU
N=0
ONLY=$(cat /tests/only 2>/dev/null)
# CRIU runs `ip` and iptables-save/-restore: iproute2's, not busybox's.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

fail () { echo "$*"; exit 1; }
sk () { "$SK" --root "$ROOT" "$@"; }

# The config: ARGS (JSON array), TERMINAL, NS (namespaces), PIDS (the
# pids limit, 100), NOHOST (no hostname) come from the environment.  /data is a bind mount, /proc/kcore a masked file (a
# /dev/null bind mount), /proc/acpi a masked directory.
mkcfg () {
  caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETUID","CAP_SETGID","CAP_NET_ADMIN","CAP_NET_RAW","CAP_NET_BIND_SERVICE"'
  args=${ARGS:-'["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i >/data/count; echo $i; sleep 0.2; done"]'}
  ns=${NS:-'[{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network"}]'}
  # A UTS namespace joined by path keeps its own hostname (NOHOST).
  hostline='"hostname": "c",'
  [ -n "${NOHOST:-}" ] && hostline=
  cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.3.0",
  "process": {
    "terminal": ${TERMINAL:-false}, "user": {"uid": 0, "gid": 0}, "cwd": "/",
    "args": $args,
    "env": ["PATH=/bin"],
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]}
  },
  "root": {"path": "rootfs", "readonly": true},
  $hostline
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=8m"]},
    {"destination": "/data", "type": "bind", "source": "$DATA", "options": ["rbind", "rw"]}
  ],
  "linux": {
    "namespaces": $ns,
    "maskedPaths": ["/proc/kcore", "/proc/acpi"],
    "resources": {"pids": {"limit": ${PIDS:-100}}}
  }
}
EOF
}

pid_of () { sk state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
state_of () { sk state "$1" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
# The counter's last value (0 before the first; the file is rewritten
# each time, so a read can fall between truncate and write: 0 too).
count () { v=$(cat "$DATA/count" 2>/dev/null); echo "${v:-0}"; }

# The container's stdio is the host's /dev/null (checkpoint saves it as an
# external device; restore then needs /dev/null stdio too): skiff's own
# errors go to --log.
start () {
  mkcfg
  rm -f /tmp/start.log
  timeout -s KILL 300 "$SK" --root "$ROOT" --log /tmp/start.log run -d --bundle "$B" "$@" </dev/null >/dev/null 2>&1 \
    || fail "run -d $*: $(cat /tmp/start.log)"
}

# wait_count_above N: the container's counter passes N (polled, 60 s).
wait_count_above () {
  i=0
  while [ "$(count)" -le "$1" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || fail "counter stuck at $(count) (waited for > $1)"
    sleep 0.1
  done
}

# criu_log DIR: CRIU's error lines, for a failing test's detail.
criu_log () {
  for f in "$1"/*.log; do
    [ -f "$f" ] && grep -n -B3 "Error" "$f" | head -24 | sed "s|^|$f: |"
  done
}

# run_cmd DESC CMD...: run, and on failure show the output and CRIU's log.
run_cmd () {
  desc=$1
  shift
  rm -f /tmp/cmd.log
  # A hang guard (not a timing assertion): a stuck CRIU fails the test.
  timeout -s KILL 300 "$SK" --root "$ROOT" --log /tmp/cmd.log "$@" </dev/null >/dev/null 2>&1 && return 0
  echo "$desc failed (status $?): $(cat /tmp/cmd.log)"
  criu_log "$IMG"
  exit 1
}

nothing_left () {
  [ ! -e "$ROOT/$1" ] || fail "state dir $ROOT/$1 left"
  left=$(find "$CG" -type d -name "$1")
  [ -z "$left" ] || fail "cgroup left: $left"
  ! grep -q "criu-root" /proc/self/mountinfo || fail "criu-root mount left"
}

# The container's cgroup.procs: $CG/ID on cgroup v2, the cgroup2
# hierarchy's $CG/unified/ID on the hybrid layout (guest-criu-setup.sh).
procs_file () { [ -n "$HYBRID" ] && echo "$CG/unified/$1/cgroup.procs" || echo "$CG/$1/cgroup.procs"; }

# in_cgroups ID: the container has processes, and every one of them is in
# ID's cgroup in every hierarchy (each line of /proc/PID/cgroup, one per
# hierarchy: v2's one, or the hybrid layout's v1 controllers, name=systemd
# and cgroup2), not only init.
in_cgroups () {
  f=$(procs_file "$1")
  grep -q . "$f" || fail "$1: no process in $f"
  for q in $(cat "$f"); do
    # Read once: the counter's sleeps come and go meanwhile.
    cgs=$(cat "/proc/$q/cgroup" 2>/dev/null)
    [ -n "$cgs" ] || continue
    bad=$(echo "$cgs" | grep -v ":/$1\$")
    [ -z "$bad" ] || fail "$1: pid $q outside /$1 in: $(echo "$bad" | tr '\n' ' ')"
    [ "$(echo "$cgs" | grep -c .)" = "$(grep -c . /proc/self/cgroup)" ] \
      || fail "$1: pid $q has $(echo "$cgs" | grep -c .) hierarchies, the guest $(grep -c . /proc/self/cgroup)"
  done
}

running_ok () {
  [ "$(state_of "$1")" = running ] || fail "$1: status $(state_of "$1"), expected running"
  p=$(pid_of "$1")
  kill -0 "$p" || fail "$1: pid $p not alive"
  grep -qx "$p" "$(procs_file "$1")" || fail "$1: pid $p not in $(procs_file "$1")"
  in_cgroups "$1"
}

cleanup_all () {
  for d in "$ROOT"/*/; do
    [ -d "$d" ] && "$SK" --root "$ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1
  done
  [ -n "${RECV:-}" ] && kill "$RECV" 2>/dev/null
  unset ARGS TERMINAL NS RECV PIDS NOHOST
  rm -rf /tmp/img* "$DATA" /tmp/tty.log
  /usr/bin/ip netns del ckpt 2>/dev/null
  for f in /run/ckpt-uts /run/ckpt-ipc; do
    umount "$f" 2>/dev/null
    rm -f "$f"
  done
  mkdir -p "$DATA"
}

t () {
  case "$1" in *"$ONLY"*) ;; *) return 0 ;; esac
  N=$((N + 1))
  IMG=/tmp/img
  t0=$(cut -d' ' -f1 /proc/uptime)
  out=$( ("$2") 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "ok $N - $1 # $(awk -v a="$t0" '{printf "%.1fs", $1 - a}' /proc/uptime)"
  else
    echo "not ok $N - $1"
    echo "$out" | tail -25 | sed 's/^/#   /'
  fi
  cleanup_all
}

# ------------------------------------------------------------------ tests

t_check () {
  criu check >/tmp/o 2>&1 || fail "criu check: $(cat /tmp/o)"
  sk checkpoint --help >/dev/null 2>/tmp/o || fail "checkpoint --help: $(cat /tmp/o)"
  sk features | grep -q '"org.skiff.checkpoint.enabled": *"true"' || fail "features: $(sk features | grep checkpoint)"
}

# The counter goes on from where it was: checkpoint destroys the
# container (as runc), restore brings it back as the same id with a state
# that state, exec, kill and delete use.
# The container's mount points (its /proc/self/mountinfo), sorted: CRIU
# mounts them again in its own order.
mounts_of () { sk exec "$1" awk '{ print $5 }' /proc/self/mountinfo | sort | tr '\n' ' '; }

t_counter () {
  start c1
  wait_count_above 3
  # The external bind mount (/data), the masked file (a /dev/null bind
  # mount on /proc/kcore) and the rest come back as they were.
  m0=$(mounts_of c1)
  case " $m0" in *" /data "*" /proc/kcore "*) ;; *) fail "mounts before: $m0" ;; esac
  run_cmd checkpoint checkpoint --image-path "$IMG" c1
  ! sk state c1 >/dev/null 2>&1 || fail "c1 still exists after checkpoint"
  nothing_left c1
  at=$(count)
  sleep 1
  [ "$(count)" = "$at" ] || fail "counter moved after checkpoint: $at -> $(count)"
  run_cmd restore restore -d --image-path "$IMG" --bundle "$B" c1
  running_ok c1
  wait_count_above "$at"
  v=$(sk exec c1 cat /data/count) || fail "exec after restore"
  m1=$(mounts_of c1)
  [ "$m1" = "$m0" ] || fail "mounts after restore: [$m1], before: [$m0]"
  [ -z "$(sk exec c1 cat /proc/kcore)" ] || fail "/proc/kcore is not masked after restore"
  [ "$v" -ge "$at" ] || fail "exec saw $v < $at"
  sk kill c1 KILL || fail "kill after restore"
  i=0
  while [ "$(state_of c1)" != stopped ]; do
    i=$((i + 1)); [ $i -lt 300 ] || fail "not stopped after kill"; sleep 0.1
  done
  sk delete c1 || fail "delete after restore"
  nothing_left c1
}

t_leave_running () {
  start c2
  wait_count_above 2
  run_cmd checkpoint checkpoint --leave-running --image-path "$IMG" c2
  running_ok c2
  at=$(count)
  wait_count_above "$at"
  [ -f "$IMG/inventory.img" ] || fail "no image written"
}

t_predump_then_dump () {
  start c3
  wait_count_above 2
  run_cmd pre-dump checkpoint --pre-dump --image-path "$IMG/pre" c3
  running_ok c3
  ls "$IMG/pre" | grep -q '^pages-' || fail "pre-dump wrote no pages: $(ls "$IMG/pre")"
  IMG=$IMG/final
  run_cmd dump checkpoint --image-path "$IMG" --parent-path ../pre c3
  [ -L "$IMG/parent" ] || fail "dump has no parent link: $(ls -l "$IMG")"
  at=$(count)
  run_cmd restore restore -d --image-path "$IMG" --bundle "$B" c3
  running_ok c3
  wait_count_above "$at"
}

t_restore_new_id () {
  start c4
  wait_count_above 2
  run_cmd checkpoint checkpoint --image-path "$IMG" c4
  at=$(count)
  run_cmd restore restore -d --image-path "$IMG" --bundle "$B" --pid-file /tmp/c4b.pid c4b
  running_ok c4b
  [ "$(cat /tmp/c4b.pid)" = "$(pid_of c4b)" ] || fail "pid file $(cat /tmp/c4b.pid) != $(pid_of c4b)"
  ! sk state c4 >/dev/null 2>&1 || fail "c4 exists again"
  nothing_left c4
  wait_count_above "$at"
  sk delete --force c4b || fail "delete c4b"
  nothing_left c4b
}

# --manage-cgroups-mode on restore.  skiff makes the restored container's
# cgroups from its config, moves CRIU into them and names each one CRIU's
# cgroup root (as runc does), so the restored tasks land there whatever
# the mode.  The modes differ in the dumped cgroup properties: soft
# (CRIU's default) writes them only into cgroups CRIU makes itself (none
# here: the root exists), full writes them into every cgroup of the dump,
# ignore leaves cgroups alone.  The dump has pids.max 100; the config
# used for the restores says 200.  CRIU 3.17 saves controller properties
# of v1 hierarchies only (its property table, cgroup-props.c, has none
# for cgroup2): on cgroup v2 full has nothing to write back and the
# config's 200 stands in every mode; on the hybrid layout full brings
# back 100.
pids_max () { [ -n "$HYBRID" ] && cat "$CG/pids/$1/pids.max" || cat "$CG/$1/pids.max"; }

t_cgroup_modes () {
  start m1
  wait_count_above 2
  run_cmd checkpoint checkpoint --image-path "$IMG" m1
  nothing_left m1
  dumped=$(count)
  PIDS=200
  mkcfg
  full=200
  [ -n "$HYBRID" ] && full=100
  for mode in soft:200 full:$full ignore:200; do
    id=m-${mode%:*}
    rm -f "$DATA/count"
    run_cmd "restore ($mode)" restore -d --manage-cgroups-mode "${mode%:*}" --image-path "$IMG" --bundle "$B" "$id"
    running_ok "$id"
    wait_count_above "$dumped"
    v=$(pids_max "$id")
    [ "$v" = "${mode#*:}" ] || fail "--manage-cgroups-mode ${mode%:*}: pids.max $v, expected ${mode#*:}"
    sk delete --force "$id" || fail "delete $id"
    nothing_left "$id"
  done
}

t_tty () {
  # Its stdio away from t's $(...) capture, which would otherwise wait
  # for it (and for its children holding the pty masters) to exit.
  /tests/recvtty /tmp/console.sock /tmp/tty.log </dev/null >/dev/null 2>&1 &
  RECV=$!
  i=0
  while [ ! -S /tmp/console.sock ]; do i=$((i + 1)); [ $i -lt 100 ] || fail "no console socket"; sleep 0.1; done
  TERMINAL=true
  start --console-socket /tmp/console.sock c5
  wait_count_above 2
  echo "# tty: started, checkpointing" >/dev/console
  run_cmd checkpoint checkpoint --image-path "$IMG" c5
  echo "# tty: checkpointed, restoring" >/dev/console
  at=$(count)
  : >/tmp/tty.log
  run_cmd restore restore -d --image-path "$IMG" --bundle "$B" --console-socket /tmp/console.sock c5
  running_ok c5
  wait_count_above "$at"
  # The restored process writes to its terminal, whose new master went
  # through the console socket.
  i=0
  while ! grep -q "^$((at + 1))" /tmp/tty.log 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 300 ] || fail "no output on the new pty master: $(tail -c 200 /tmp/tty.log)"; sleep 0.1
  done
  readlink "/proc/$(pid_of c5)/fd/1" | grep -q '^/dev/pts/' \
    || fail "init's stdout is $(readlink "/proc/$(pid_of c5)/fd/1"), not a pty"
  sk delete --force c5
  kill "$RECV"
}

# A TCP connection on the container's loopback survives with
# --tcp-established; without it CRIU refuses to dump the connection.  The
# network namespace is joined by path (as podman and CRI pods do): CRIU
# leaves it alone (external, key extRootNetNS) and restore hands it back,
# loopback up and all.
#
# The shape: a busybox nc server writes what it receives to /data/recv; a
# counter is piped into a busybox nc client.  busybox nc copies stdin to
# the socket and the socket to stdout, and on EOF from stdin it shuts its
# sending half (shutdown SHUT_WR); on EOF from the socket it exits.  So
# the server's stdin must never end: with the container's /dev/null (or
# the /dev/null a background job gets) the server shut down at once, the
# client read EOF and exited, and the counter died of SIGPIPE at 1 or 2.
# `sleep | nc -l` keeps it open.  nc -l accepts one connection and closes
# its listener, and the client never reconnects: the same connection (its
# port pair in /proc/PID/net/tcp*) carrying 1, 2, 3, ... without a gap
# before and after the restore shows it survived.
# conns PID: the established connections on port 5000 (0x1388) seen in
# PID's network namespace, as "local remote" address pairs, sorted.
conns () {
  cat "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null \
    | awk '$4 == "01" && ($2 ~ /:1388$/ || $3 ~ /:1388$/) { print $2, $3 }' | sort
}

# recv_ok: /data/recv is 1, 2, 3, ... (its last line may be half written).
recv_ok () {
  awk 'NR > 1 && prev != NR - 1 { print "line " NR - 1 " is " prev; bad = 1; exit }
       { prev = $1 } END { exit bad }' "$DATA/recv"
}

# What a stuck connection looks like: the sockets with their queues,
# CRIU's netfilter lock (if left), CRIU's lines about it.
tcp_diag () {
  echo "tcp: $(cat /proc/$1/net/tcp /proc/$1/net/tcp6 2>/dev/null | awk '$2 ~ /:1388$/ || $3 ~ /:1388$/ { print $2, $3, $4, $5 }' | tr '\n' ';')"
  echo "iptables: $(/usr/bin/ip netns exec ckpt iptables-save 2>&1 | grep -v '^#' | tr '\n' ';')"
  echo "iptables-legacy: $(/usr/bin/ip netns exec ckpt iptables-legacy-save 2>&1 | grep -v '^#' | tr '\n' ';')"
  grep -i -E "lock|tcp|repair" "$IMG/restore.log" | tail -15
  grep -i -E "lock" "$IMG/dump.log" | tail -8
}

last_recv () { v=$(tail -n1 "$DATA/recv" 2>/dev/null); echo "${v:-0}"; }

t_tcp_established () {
  # iproute2's ip by path: busybox sh runs its own applet for a bare `ip`.
  /usr/bin/ip netns add ckpt || fail "ip netns add"
  /usr/bin/ip -n ckpt link set lo up || fail "lo up"
  NS='[{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network", "path": "/run/netns/ckpt"}]'
  # The client connects once the server listens (port 5000 = 0x1388 in
  # state 0A in /proc/net/tcp or tcp6: busybox nc may bind ::): no fixed
  # sleep, the machine may be slow.
  ARGS='["sh", "-c", "sleep 1000000 | nc -l -p 5000 >/data/recv & while ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q \":1388 [0-9A-F]*:0000 0A\"; do sleep 0.1; done; i=0; while :; do i=$((i+1)); echo $i >/data/count; echo $i; sleep 0.2; done | nc 127.0.0.1 5000"]'
  start c6
  wait_count_above 3
  before=$(conns "$(pid_of c6)")
  [ "$(echo "$before" | grep -c .)" = 2 ] || fail "expected the two ends of one connection, got: $before"
  if sk checkpoint --leave-running --image-path /tmp/img-no c6 </dev/null >/tmp/o 2>&1; then
    fail "checkpoint without --tcp-established succeeded"
  fi
  grep -q "TCP" /tmp/o || fail "no word of TCP in: $(cat /tmp/o)"
  [ "$(grep -c . /tmp/o)" = 1 ] || fail "not one line: $(cat /tmp/o)"
  running_ok c6
  # ... and the connection goes on (CRIU unlocked the network again).
  at=$(last_recv)
  i=0
  while [ "$(last_recv)" -le "$at" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || fail "nothing received after the refused dump (last $at)
$(tcp_diag "$(pid_of c6)")"; sleep 0.1
  done
  run_cmd checkpoint checkpoint --tcp-established --image-path "$IMG" c6
  nothing_left c6
  # The server's output file as the image knows it (CRIU checks its size).
  cp "$DATA/recv" /tmp/img-recv
  at=$(last_recv)
  [ "$at" -gt 3 ] || fail "received $at before the dump"
  run_cmd restore restore -d --tcp-established --image-path "$IMG" --bundle "$B" c6
  running_ok c6
  p=$(pid_of c6)
  [ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/self/ns/net)" ] \
    && fail "restored into the host's network namespace"
  [ "$(stat -L -c %i /proc/$p/ns/net)" = "$(stat -L -c %i /run/netns/ckpt)" ] \
    || fail "not restored into /run/netns/ckpt"
  # The receiving end gets numbers past the ones sent before the dump,
  # on the same connection, with none lost or repeated.
  i=0
  while [ "$(last_recv)" -le $((at + 3)) ]; do
    i=$((i + 1)); [ $i -lt 600 ] || fail "nothing received after restore (last $(last_recv), before $at; counter $(count))
$(tcp_diag "$p")"; sleep 0.1
  done
  after=$(conns "$p")
  [ "$after" = "$before" ] || fail "not the same connection: before [$before], after [$after]"
  recv_ok || fail "the stream has a gap or a repeat"
  # CRIU's network lock is gone from the namespace, which outlives the
  # container.
  no_criu_lock
  # The same image again into the same namespace, now unlocked (the image
  # still says the dump locked it): the restore works, nothing is left
  # locked.
  sk delete --force c6
  nothing_left c6
  rm -f "$DATA/count"
  cp /tmp/img-recv "$DATA/recv"
  run_cmd "second restore" restore -d --tcp-established --image-path "$IMG" --bundle "$B" c6
  running_ok c6
  wait_count_above 0
  [ "$(conns "$(pid_of c6)")" = "$before" ] || fail "second restore: not the same connection: $(conns "$(pid_of c6)")"
  no_criu_lock
  sk delete --force c6
  nothing_left c6
}

no_criu_lock () {
  for save in iptables-save ip6tables-save; do
    /usr/bin/ip netns exec ckpt $save | grep -q CRIU \
      && fail "CRIU's lock left ($save): $(/usr/bin/ip netns exec ckpt $save | grep CRIU | tr '\n' ';')"
  done
  return 0
}

# IPC and UTS namespaces joined by path (a pod's, as CRI runtimes ask):
# CRIU dumps them with the container and, on restore, joins the given
# paths instead of making new ones (join_ns), hostname and all.
t_join_ns () {
  : >/run/ckpt-uts
  : >/run/ckpt-ipc
  unshare --uts=/run/ckpt-uts --ipc=/run/ckpt-ipc hostname joined || fail "unshare"
  NOHOST=1
  NS='[{"type": "pid"}, {"type": "mount"}, {"type": "ipc", "path": "/run/ckpt-ipc"}, {"type": "uts", "path": "/run/ckpt-uts"}, {"type": "network"}]'
  start j1
  wait_count_above 2
  [ "$(sk exec j1 hostname)" = joined ] || fail "hostname before: $(sk exec j1 hostname)"
  run_cmd checkpoint checkpoint --image-path "$IMG" j1
  nothing_left j1
  at=$(count)
  run_cmd restore restore -d --image-path "$IMG" --bundle "$B" j1
  running_ok j1
  wait_count_above "$at"
  p=$(pid_of j1)
  for ns in uts ipc; do
    [ "$(stat -L -c %i /proc/$p/ns/$ns)" = "$(stat -L -c %i /run/ckpt-$ns)" ] \
      || fail "$ns: restored into $(readlink /proc/$p/ns/$ns), not /run/ckpt-$ns ($(stat -L -c %i /run/ckpt-$ns))"
  done
  [ "$(sk exec j1 hostname)" = joined ] || fail "hostname after: $(sk exec j1 hostname)"
}

t_fail_no_criu () {
  start c7
  PATH=/bin sk checkpoint --image-path "$IMG" c7 </dev/null >/tmp/o 2>&1 && fail "checkpoint without criu succeeded"
  grep -q "criu is not installed" /tmp/o || fail "message: $(cat /tmp/o)"
  [ ! -e "$IMG" ] || fail "image dir made"
  running_ok c7
  PATH=/bin sk checkpoint --help >/dev/null 2>&1 && fail "checkpoint --help exits 0 without criu"
  run_cmd checkpoint checkpoint --image-path "$IMG" c7
  PATH=/bin sk restore -d --image-path "$IMG" --bundle "$B" c7 </dev/null >/tmp/o 2>&1 && fail "restore without criu succeeded"
  grep -q "criu is not installed" /tmp/o || fail "message: $(cat /tmp/o)"
  nothing_left c7
}

t_fail_image_missing () {
  mkcfg
  sk restore -d --image-path /tmp/img-none --bundle "$B" c8 </dev/null >/tmp/o 2>&1 && fail "restore succeeded"
  grep -q "image path \`/tmp/img-none\`: No such file or directory" /tmp/o || fail "message: $(cat /tmp/o)"
  nothing_left c8
  # An image dir that holds no image: CRIU fails; everything is rolled back.
  mkdir -p "$IMG"
  sk restore -d --image-path "$IMG" --bundle "$B" c8 </dev/null >/tmp/o 2>&1 && fail "restore of an empty image succeeded"
  grep -q "criu restore failed" /tmp/o || fail "message: $(cat /tmp/o)"
  nothing_left c8
}

t_fail_restore_running_id () {
  start c9
  wait_count_above 2
  run_cmd checkpoint checkpoint --leave-running --image-path "$IMG" c9
  p=$(pid_of c9)
  sk restore -d --image-path "$IMG" --bundle "$B" c9 </dev/null >/tmp/o 2>&1 && fail "restore onto a running id succeeded"
  grep -q "container \`c9\` already exists" /tmp/o || fail "message: $(cat /tmp/o)"
  [ "$(pid_of c9)" = "$p" ] || fail "c9's pid changed"
  running_ok c9
  [ "$(ls "$ROOT")" = c9 ] || fail "state left: $(ls "$ROOT")"
}

mkdir -p "$ROOT" "$DATA"
ip link set lo up
# The hybrid boot (tests/layers/60-vm-criu.sh's second one, laid out by
# guest-criu-setup.sh): the tests that go through the cgroups.
HYBRID=
case " $(cat /proc/cmdline) " in *" skiff.cgroup=hybrid "*) HYBRID=1 ;; esac
echo "# criu: $(criu --version | head -1)"
if [ -n "$HYBRID" ]; then
  t "hybrid: a counter checkpointed and restored goes on counting" t_counter
  t "hybrid: restore into a new id, delete leaves nothing" t_restore_new_id
  t "hybrid: --manage-cgroups-mode soft, full, ignore" t_cgroup_modes
else
  t "criu check passes, checkpoint --help and features say so" t_check
  t "a counter checkpointed and restored goes on counting" t_counter
  t "checkpoint --leave-running" t_leave_running
  t "pre-dump then dump with --parent-path" t_predump_then_dump
  t "restore into a new id with --pid-file" t_restore_new_id
  t "--manage-cgroups-mode soft, full, ignore" t_cgroup_modes
  t "no criu: clear error, container untouched, nothing left" t_fail_no_criu
  t "image dir missing or empty: clear error, nothing left" t_fail_image_missing
  t "restore onto a running id: clear error, nothing left" t_fail_restore_running_id
  t "terminal through --console-socket" t_tty
  t "tcp-established: a loopback connection in a netns joined by path" t_tcp_established
  t "ipc and uts namespaces joined by path" t_join_ns
fi
