#!/bin/bash
# The real clients: podman (through conmon) and containerd (through its runc
# shim v2, driven by ctr) run skiff in place of runc, on this host as it is.
#
#   bash tests/layers/60-clients.sh BUILDDIR SRCDIR       (as root)
#
# Every scenario of the table below runs twice, with runc (the reference)
# and with skiff under the file name `skiff`.  A scenario prints an outcome
# (exit codes, what the container saw); it passes when runc's run passed
# its own checks and skiff's outcome equals runc's, or differs only where
# the DIFF table says why skiff is right.  Each client gets a private
# world under one temp dir: podman its storage, run root, tmp dir and
# containers.conf; containerd its own daemon (config, root, state, socket),
# stopped by pid.  The image is busybox-static, built here.  Nothing is left
# behind (traps): containers, cgroups (in every hierarchy), state dirs,
# mounts, processes.  Environment: SKIFF_CLIENTS="podman containerd" (which
# clients), SKIFF_CLIENT_FILTER=REGEX (scenario names).
set -u
LAYER_NAME=clients
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=$(cd "${1:-build}" && pwd)
T_START=$(date +%s)

[ "$(id -u)" = 0 ] || skip_layer "the real clients need root"
need_packages podman conmon containerd runc catatonit busybox-static util-linux bsdutils \
  || { echo "clients: could not install the clients"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$BUILD/skiff" ] || { echo "clients: no $BUILD/skiff"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/skiff-clients.XXXXXX)
CG=skiffcl$$                       # cgroup parent (both clients), and ctr's namespace
mkdir -p "$T/bin" "$T/vol" "$T/ctrd"
cp "$BUILD/skiff" "$T/bin/skiff"   # podman keys behaviour on the file name
RUNTIMES="runc:$(command -v runc) skiff:$T/bin/skiff"
CTRD_PID=
# what the clients create outside $T, removed at the end unless it was here:
# the shim's socket dir, and the cgroup podman gives the conmon of an exec
run_before=$(ls /run/containerd 2>/dev/null | wc -l)
lpp_before=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null | wc -l)

# ---------------------------------------------------------------- cleanup
# Processes whose command line or cwd mention $T (conmon, shims,
# containerd itself) or that are in our cgroups (containers), by pid.
our_pids () {
  { grep -lsF "$T" /proc/[0-9]*/cmdline | cut -d/ -f3
    find /proc/[0-9]*/cwd -maxdepth 0 -lname "$T*" 2>/dev/null | cut -d/ -f3
    cat $(find /sys/fs/cgroup/*/"$CG" -name cgroup.procs 2>/dev/null) /dev/null 2>/dev/null
  } | sort -u | grep -vx -e "$$" -e "$BASHPID"
}
our_mounts () { awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo; }
our_cgroups () { find /sys/fs/cgroup/*/"$CG" -depth -type d 2>/dev/null; }

cleanup () {
  trap - EXIT INT TERM
  local p m c i t0=$SECONDS
  if [ -n "${PM_OK:-}" ]; then
    for r in $RUNTIMES; do
      timeout 60 podman "${PM[@]}" --runtime "${r#*:}" pod rm -af -t 0 >/dev/null 2>&1
      timeout 60 podman "${PM[@]}" --runtime "${r#*:}" rm -af -t 0 >/dev/null 2>&1
    done
  fi
  if [ -n "$CTRD_PID" ]; then
    for c in $(ctr_ c ls -q 2>/dev/null); do
      ctr_ t kill -a -s SIGKILL "$c" >/dev/null 2>&1
      ctr_ t rm -f "$c" >/dev/null 2>&1
      ctr_ c rm "$c" >/dev/null 2>&1
    done
    kill "$CTRD_PID" 2>/dev/null
    for i in $(seq 100); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$CTRD_PID" 2>/dev/null
  fi
  for i in 1 2 3; do
    p=$(our_pids)
    [ -z "$p" ] && break
    kill -9 $p 2>/dev/null
    sleep 0.3
  done
  for m in $(our_mounts | sort -r); do umount -l "$m" 2>/dev/null; done
  for c in $(our_cgroups); do rmdir "$c" 2>/dev/null; done
  rm -rf --one-file-system "$T"
  # the shim's socket directory, when this layer made it
  [ "$run_before" = 0 ] && rmdir /run/containerd/s /run/containerd 2>/dev/null
  if [ "$lpp_before" = 0 ]; then
    for c in /sys/fs/cgroup/*/libpod_parent; do rmdir "$c/conmon" "$c" 2>/dev/null; done
  fi
  layer_log "cleanup took $((SECONDS - t0))s"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the image
# busybox-static with its applets, a user and a group for --user.
build_image_tar () {
  local r=$T/rootfs a
  mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,home/user,mnt,data}
  cp "$(command -v busybox)" "$r/bin/busybox"
  for a in $("$r/bin/busybox" --list); do
    [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$r/etc/passwd"
  printf 'nobody:x:65534:65534:nobody:/:/bin/false\n' >>"$r/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$r/etc/group"
  chown 1000:1000 "$r/home/user"
  chmod 1777 "$r/tmp"
  tar -C "$r" -cf "$T/busybox.tar" .
}
IMG=localhost/skiff-busybox:latest

# ---------------------------------------------------------------- helpers
# In a scenario: $RT is the runtime's path, $RN its name (runc|skiff).
say () { echo "$*"; }           # one outcome line
# poll CMD... until it succeeds (about 30 s at most; never a timed assertion)
poll () { local i; for i in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
# run with a pty (conmon's / the shim's console socket path): script(1)
# (dropped: ctr's racy "resize pty" complaint about an exited process, and
# the pty's echo of a NUL byte, ^@, that comes or not)
with_tty () {
  timeout 60 script -qec "$*" /dev/null | tr -d '\r\0' | sed 's/\^@//g' | grep -v -e 'resize pty' -e '^$'
  return "${PIPESTATUS[0]}"
}
q () { printf '%q ' "$@"; }

# ---- podman
PM=(--root "$T/pm/graph" --runroot "$T/pm/run" --tmpdir "$T/pm/tmp" --storage-driver overlay
    --cgroup-manager cgroupfs --events-backend file)
pm () { timeout 90 podman "${PM[@]}" --runtime "$RT" "$@"; }
pmc () { pm run --cgroup-parent "/$CG" "$@"; }   # create-and-run in our cgroup parent

podman_setup () {
  mkdir -p "$T/pm"
  cat >"$T/pm/containers.conf" <<EOF
[containers]
netns = "none"
# this host's hard limits are below podman's defaults (nofile 1048576)
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/pm/events.log"
lock_type = "file"
EOF
  cat >"$T/pm/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$T/pm/run"
graphroot = "$T/pm/graph"
EOF
  export CONTAINERS_CONF=$T/pm/containers.conf CONTAINERS_STORAGE_CONF=$T/pm/storage.conf
  RT=$(command -v runc)
  pm import "$T/busybox.tar" "$IMG" >/dev/null || return 1
  PM_OK=1
}

# ---- containerd
ctr_ () { timeout 90 ctr --address "$T/ctrd/ctrd.sock" -n "$CG" "$@"; }
# ctr run with our runtime binary and a runc root under $T
cr () { ctr_ run --fifo-dir "$T/fifo" --runc-binary "$RT" --runc-root "$T/ctrd/runc-$RN" "$@"; }

containerd_setup () {
  mkdir -p "$T/ctrd/root" "$T/ctrd/state"
  cat >"$T/ctrd/config.toml" <<EOF
version = 2
root = "$T/ctrd/root"
state = "$T/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$T/ctrd/ctrd.sock"
[ttrpc]
  address = "$T/ctrd/ctrd.sock.ttrpc"
[debug]
  address = "$T/ctrd/debug.sock"
EOF
  containerd --config "$T/ctrd/config.toml" >"$T/ctrd/log" 2>&1 &
  CTRD_PID=$!
  poll ctr --address "$T/ctrd/ctrd.sock" version || { tail -20 "$T/ctrd/log"; return 1; }
  RT=$(command -v runc)
  pm save --format oci-archive -o "$T/img-oci.tar" "$IMG" >/dev/null 2>&1 \
    || podman_setup_for_save || return 1
  ctr_ images import --base-name localhost/skiff-busybox "$T/img-oci.tar" >/dev/null || return 1
}
podman_setup_for_save () { podman_setup && pm save --format oci-archive -o "$T/img-oci.tar" "$IMG" >/dev/null; }

# ================================================================ podman
pm_run_exit () {
  pmc --rm "$IMG" sh -c 'echo out; exit 7'; say "rc=$?"
  pmc --rm "$IMG" true; say "true rc=$?"
  pmc --rm "$IMG" sh -c 'kill -9 $$'; say "killed rc=$?"
  # podman maps the runtime's error text to 127/126
  pmc --rm "$IMG" /nonexistent >/dev/null 2>&1; say "missing rc=$?"
  pmc --rm "$IMG" /etc/passwd >/dev/null 2>&1; say "not executable rc=$?"
}
pm_detach_exec_logs_stop () {
  local n=d-$RN
  pmc -d --name "$n" "$IMG" sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done' >/dev/null || return 1
  poll sh -c "podman $(q "${PM[@]}") logs $n | grep -q started"
  pm exec "$n" sh -c 'echo in-exec; exit 5'; say "exec rc=$?"
  pm exec --user 1000 -w /tmp -e X=y "$n" sh -c 'echo $(id -u) $PWD $X'
  pm logs "$n" | head -1
  pm stop -t 20 "$n" >/dev/null; say "stop rc=$?"
  pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n"
  pm logs "$n" | tail -1
  pm rm "$n" >/dev/null; say "rm rc=$?"
}
pm_tty () {
  with_tty "podman $(q "${PM[@]}") --runtime $RT run --cgroup-parent /$CG --rm -t $IMG sh -c 'tty; test -t 0 && echo stdin-is-tty'" </dev/null
  say "-t rc=$?"
  printf 'echo hi-$((6*7))\nexit 4\n' \
    | with_tty "podman $(q "${PM[@]}") --runtime $RT run --cgroup-parent /$CG --rm -it $IMG sh" | grep -x 'hi-42'
  say "-it rc=${PIPESTATUS[1]}"
  pmc -d --name "t-$RN" "$IMG" sleep 1000 >/dev/null
  with_tty "podman $(q "${PM[@]}") --runtime $RT exec -t t-$RN tty" </dev/null; say "exec -t rc=$?"
  printf 'echo via-exec-it\nexit 3\n' \
    | with_tty "podman $(q "${PM[@]}") --runtime $RT exec -it t-$RN sh" | grep -x via-exec-it
  say "exec -it rc=${PIPESTATUS[1]}"
  pm rm -f -t 0 "t-$RN" >/dev/null
}
pm_pause_restart () {
  local n=p-$RN pid1 pid2
  pmc -d --name "$n" "$IMG" sleep 1000 >/dev/null || return 1
  pm pause "$n" >/dev/null; say "pause rc=$?"
  pm inspect -f '{{.State.Status}}' "$n"
  pm exec "$n" true 2>/dev/null; say "exec while paused rc=$?"
  pm unpause "$n" >/dev/null; say "unpause rc=$?"
  pm inspect -f '{{.State.Status}}' "$n"
  pid1=$(pm inspect -f '{{.State.Pid}}' "$n")
  pm restart -t 0 "$n" >/dev/null; say "restart rc=$?"
  pid2=$(pm inspect -f '{{.State.Pid}}' "$n")
  [ "$pid1" != "$pid2" ] && say "new init after restart"
  pm inspect -f '{{.State.Status}}' "$n"
  pm rm -f -t 0 "$n" >/dev/null
}
# The container's cgroup as the host sees it (v1 hierarchies on this host).
pm_cg () { echo "/sys/fs/cgroup/$1/$CG/libpod-$(pm inspect -f '{{.Id}}' "$2")/$3"; }
pm_update_resources () {
  local n=u-$RN f
  pmc -d --name "$n" --pids-limit 77 --memory 96m --cpus 0.5 "$IMG" sleep 1000 >/dev/null || return 1
  for f in pids:pids.max memory:memory.limit_in_bytes cpu:cpu.cfs_quota_us cpu:cpu.cfs_period_us; do
    cat "$(pm_cg "${f%%:*}" "$n" "${f#*:}")"
  done
  pm update --memory 128m --cpus 1.5 "$n" >/dev/null; say "update rc=$?"
  for f in memory:memory.limit_in_bytes cpu:cpu.cfs_quota_us; do
    cat "$(pm_cg "${f%%:*}" "$n" "${f#*:}")"
  done
  pm stats --no-stream --format '{{.PIDs}}' "$n"; say "stats rc=$?"
  pm stats --no-stream --format '{{.MemUsage}}' "$n" | grep -q '^[1-9]' && say "stats: memory used"
  pm rm -f -t 0 "$n" >/dev/null
  # podman's "no limit" is pids.limit 0 in the config: pids.max "max"
  pmc -d --name "$n" --pids-limit -1 "$IMG" sleep 1000 >/dev/null; say "pids -1 rc=$?"
  cat "$(pm_cg pids "$n" pids.max)"
  pm rm -f -t 0 "$n" >/dev/null
}
pm_cgroup_inside () {
  # podman's `cgroup` mount at /sys/fs/cgroup: on v1 (no cgroup namespace)
  # each hierarchy shows the container's own cgroup
  pmc --rm --pids-limit 77 --memory 96m --cpus 0.5 "$IMG" sh -c \
    'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us'
  say "limits inside rc=$?"
}
pm_create_error () {
  # A create that fails: the runtime's message must reach the user.  For a
  # runtime named runc, conmon passes --log-format=json --log F and podman
  # reads F; for an unknown name (skiff) it does not, and the message comes
  # from the runtime's stderr.  With skiff listed in runtime_supports_json
  # skiff gets runc's flags too: both ways are checked.
  pmc --rm --ulimit nofile=99999:99999 "$IMG" true 2>"$T/err-$RN"; say "rc=$?"
  grep -qi rlimit "$T/err-$RN" && say "runtime's error shown"
  sed 's/^lock_type.*/&\nruntime_supports_json = ["runc", "crun", "skiff"]/' \
    "$T/pm/containers.conf" >"$T/pm/json.conf"
  CONTAINERS_CONF=$T/pm/json.conf pmc --rm --ulimit nofile=99999:99999 "$IMG" true 2>"$T/err-$RN"
  say "json log rc=$?"
  grep -qi rlimit "$T/err-$RN" && say "runtime's error shown from the json log"
}
pm_security () {
  pmc --rm --read-only "$IMG" sh -c 'touch /x 2>/dev/null && echo root-writable; touch /tmp/y && echo tmp-writable'
  say "read-only rc=$?"
  pmc --rm --user 1000:1000 "$IMG" id; say "user rc=$?"
  pmc --rm --user nobody "$IMG" id -u
  pmc --rm --cap-drop all --cap-add NET_BIND_SERVICE --cap-add CHOWN "$IMG" grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
  pmc --rm --cap-add SYS_ADMIN "$IMG" grep '^CapEff' /proc/self/status
  pmc --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$IMG" sh -c 'cat /proc/self/uid_map; id -u'
  say "uidmap rc=$?"
}
pm_volumes () {
  local d=$T/vol/pm-$RN
  mkdir -p "$d/sub"
  pmc --rm -v "$d:/vol" "$IMG" sh -c 'echo from-ctr > /vol/f'; say "bind rc=$?"
  cat "$d/f"
  pmc --rm -v "$d:/vol:ro" "$IMG" sh -c 'echo x > /vol/g' 2>/dev/null; say "ro bind rc=$?"
  pm volume create "nv-$RN" >/dev/null
  pmc --rm -v "nv-$RN:/data" "$IMG" sh -c 'echo named > /data/n'
  pmc --rm -v "nv-$RN:/data" "$IMG" cat /data/n
  pm volume rm "nv-$RN" >/dev/null; say "named volume rc=$?"
  # rshared both ways (podman sets rootfsPropagation shared for it)
  mount --bind "$d" "$d" && mount --make-shared "$d"
  mkdir -p "$d/h" "$d/c"
  pmc -d --name "v-$RN" --cap-add SYS_ADMIN -v "$d:/vol:rshared" "$IMG" sleep 1000 >/dev/null
  mount -t tmpfs "pmh-$RN" "$d/h" && touch "$d/h/m"
  pm exec "v-$RN" test -e /vol/h/m && say "host->container"
  pm exec "v-$RN" sh -c 'mount -t tmpfs c /vol/c && touch /vol/c/m'
  [ -e "$d/c/m" ] && say "container->host"
  pm rm -f -t 0 "v-$RN" >/dev/null
  umount "$d/c" "$d/h" 2>/dev/null; umount "$d"
}
pm_pod () {
  local p=pod-$RN
  pm pod create --name "$p" --cgroup-parent "/$CG" >/dev/null || return 1
  pm run -d --pod "$p" --name "pa-$RN" "$IMG" sleep 1000 >/dev/null; say "pod member rc=$?"
  local a b
  a=$(pm exec "pa-$RN" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done')
  b=$(pm run --rm --pod "$p" "$IMG" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done')
  [ -n "$a" ] && [ "$a" = "$b" ] && say "pod members share net ipc uts"
  pm pod ps --format '{{.Status}} {{.NumberOfContainers}}' --filter name="$p"
  pm pod stop -t 0 "$p" >/dev/null; say "pod stop rc=$?"
  pm pod rm -f "$p" >/dev/null; say "pod rm rc=$?"
}
pm_kill () {
  local n=k-$RN
  pmc -d --name "$n" "$IMG" sh -c 'trap "echo usr1 > /tmp/sig" USR1; while :; do sleep 0.1; done' >/dev/null || return 1
  sleep 0.5    # the trap must be set before the signal comes (it is the shell's own)
  pm kill -s USR1 "$n" >/dev/null; say "kill USR1 rc=$?"
  poll podman "${PM[@]}" --runtime "$RT" exec "$n" test -e /tmp/sig && say "USR1 delivered"
  pm kill -s KILL "$n" >/dev/null; say "kill KILL rc=$?"
  pm wait "$n"
  pm rm "$n" >/dev/null
}

# ================================================================ containerd
ct_run_exit () {
  cr --rm "$IMG" "r1-$RN" sh -c 'echo out; exit 3'; say "rc=$?"
  cr --rm --env FOO=bar --cwd /tmp "$IMG" "r2-$RN" sh -c 'echo $FOO $PWD'; say "env rc=$?"
  cr --rm "$IMG" "r3-$RN" /nonexistent >/dev/null 2>&1; say "missing rc=$?"
}
ct_lifecycle () {
  local c=l-$RN
  cr -d "$IMG" "$c" sh -c 'while :; do sleep 0.1; done' >/dev/null || return 1
  ctr_ t exec --fifo-dir $T/fifo --exec-id e1 "$c" sh -c 'echo in-exec; exit 4'; say "exec rc=$?"
  ctr_ t ps "$c" | tail -n +2 | wc -l
  ctr_ t pause "$c"; say "pause rc=$?"
  ctr_ t ls | awk -v c="$c" '$1 == c { print $3 }'
  ctr_ t resume "$c"; say "resume rc=$?"
  ctr_ t ls | awk -v c="$c" '$1 == c { print $3 }'
  ctr_ t metrics "$c" | grep -Eq 'memory|pids' && say "metrics rc=0"
  ctr_ t exec --fifo-dir $T/fifo -d --exec-id e2 "$c" sleep 1000; ctr_ t ps "$c" | tail -n +2 | wc -l
  ctr_ t kill -a -s SIGKILL "$c"; say "kill --all rc=$?"
  poll sh -c "ctr --address $T/ctrd/ctrd.sock -n $CG t ls | grep -q '^$c .*STOPPED'"
  ctr_ t ls | awk -v c="$c" '$1 == c { print $3 }'
  ctr_ t rm "$c" >/dev/null; say "delete rc=$?"
  ctr_ c rm "$c"; say "container rm rc=$?"
}
ct_tty () {
  with_tty "ctr --address $T/ctrd/ctrd.sock -n $CG run --fifo-dir $T/fifo --runc-binary $RT --runc-root $T/ctrd/runc-$RN --rm -t $IMG tt-$RN tty" </dev/null
  say "run -t rc=$?"
  cr -d "$IMG" "te-$RN" sleep 1000 >/dev/null
  with_tty "ctr --address $T/ctrd/ctrd.sock -n $CG t exec --fifo-dir $T/fifo -t --exec-id et te-$RN sh -c 'tty; exit 6'" </dev/null
  say "exec -t rc=$?"
  ctr_ t rm -f "te-$RN" >/dev/null; say "delete -f running rc=$?"
  ctr_ c rm "te-$RN"
}
ct_create_error () {
  # The shim runs the runtime with --log-format json --log B/log.json and
  # shows the last "level":"error" line when create fails.
  cr --rm --with-ns "network:/proc/999999999/ns/net" "$IMG" "ce-$RN" true 2>"$T/err-$RN"
  say "rc=$?"
  grep -q 999999999 "$T/err-$RN" && say "runtime's error shown"
  ctr_ c rm "ce-$RN" 2>/dev/null
  return 0
}
ct_security () {
  cr --rm --read-only "$IMG" "s1-$RN" sh -c 'touch /x' 2>/dev/null; say "read-only rc=$?"
  cr --rm --cap-add CAP_SYS_ADMIN --cap-drop CAP_CHOWN "$IMG" "s2-$RN" grep -E '^Cap(Eff|Bnd)' /proc/self/status
  mkdir -p "$T/vol/ct-$RN"
  cr --rm --mount "type=bind,src=$T/vol/ct-$RN,dst=/vol,options=rbind:rw" "$IMG" "s3-$RN" sh -c 'echo hi > /vol/f'
  say "bind rc=$?"; cat "$T/vol/ct-$RN/f"
}
ct_resources () {
  local c=rs-$RN
  cr -d --memory-limit 100000000 --cpus 0.5 --cpu-shares 512 "$IMG" "$c" sleep 1000 >/dev/null || return 1
  local d
  for d in memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.shares; do
    cat "/sys/fs/cgroup/${d%%/*}/$CG/$c/${d#*/}" 2>/dev/null || say "no $d"
  done
  ctr_ t metrics "$c" >/dev/null; say "metrics rc=$?"
  ctr_ t kill -s SIGKILL "$c"; poll sh -c "ctr --address $T/ctrd/ctrd.sock -n $CG t ls | grep -q '^$c .*STOPPED'"
  ctr_ t rm "$c" >/dev/null; ctr_ c rm "$c"
  [ -d "/sys/fs/cgroup/memory/$CG/$c" ] && say "cgroup left behind"
  return 0
}
ct_pod_pair () {
  # what CRI does: a sandbox, and a container joining its namespaces by path
  local s=sb-$RN pid
  cr -d "$IMG" "$s" sleep 1000 >/dev/null || return 1
  pid=$(ctr_ t ls | awk -v c="$s" '$1 == c { print $2 }')
  cr --rm --with-ns "network:/proc/$pid/ns/net" --with-ns "ipc:/proc/$pid/ns/ipc" \
    --with-ns "uts:/proc/$pid/ns/uts" "$IMG" "ap-$RN" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done' \
    >"$T/ns-app"
  say "joined rc=$?"
  local n want=
  for n in net ipc uts; do want="$want$(readlink /proc/$pid/ns/$n)"$'\n'; done
  [ "$(cat "$T/ns-app")"$'\n' = "$want" ] && say "same namespaces as the sandbox"
  ctr_ t kill -s SIGKILL "$s"; poll sh -c "ctr --address $T/ctrd/ctrd.sock -n $CG t ls | grep -q '^$s .*STOPPED'"
  ctr_ t rm "$s" >/dev/null; ctr_ c rm "$s"
}
ct_rshared () {
  local d=$T/vol/sh-$RN c=rsh-$RN
  mkdir -p "$d"; mount --bind "$d" "$d" && mount --make-shared "$d"
  mkdir -p "$d/h" "$d/c"
  cr -d --rootfs-propagation rshared --cap-add CAP_SYS_ADMIN \
    --mount "type=bind,src=$d,dst=/vol,options=rbind:rshared" "$IMG" "$c" sleep 1000 >/dev/null || return 1
  mount -t tmpfs "cth-$RN" "$d/h" && touch "$d/h/m"
  ctr_ t exec --fifo-dir $T/fifo --exec-id p1 "$c" test -e /vol/h/m && say "host->container"
  ctr_ t exec --fifo-dir $T/fifo --exec-id p2 "$c" sh -c 'mount -t tmpfs c /vol/c && touch /vol/c/m'
  [ -e "$d/c/m" ] && say "container->host"
  ctr_ t kill -s SIGKILL "$c"; poll sh -c "ctr --address $T/ctrd/ctrd.sock -n $CG t ls | grep -q '^$c .*STOPPED'"
  ctr_ t rm "$c" >/dev/null; ctr_ c rm "$c"
  umount "$d/c" "$d/h" 2>/dev/null; umount "$d"
}

# ---------------------------------------------------------------- the table
# client  scenario                    what it covers
SCENARIOS="
podman     pm_run_exit                run --rm, exit codes, 127/126 from the runtime's error
podman     pm_detach_exec_logs_stop   run -d, exec (user/cwd/env), logs, stop (SIGTERM), rm
podman     pm_tty                     -t and -it, exec -t and -it, through conmon's console socket
podman     pm_pause_restart           pause/unpause, exec refused while paused, restart
podman     pm_update_resources        --pids-limit/--memory/--cpus in the cgroup, update, stats, pids -1
podman     pm_cgroup_inside           the same limits read back inside, through the cgroup mount
podman     pm_create_error            a failing create: the runtime's error shown (stderr, and the json log)
podman     pm_security                --read-only, --user, --cap-add/--cap-drop, --uidmap
podman     pm_volumes                 bind, ro bind, named volume, rshared both ways
podman     pm_pod                     pod: shared net/ipc/uts with the catatonit infra container
podman     pm_kill                    kill -s USR1 delivered, kill -s KILL, wait
containerd ct_run_exit                run --rm, exit codes, env/cwd, missing executable
containerd ct_lifecycle               run -d, exec, task ps, pause/resume, metrics, kill --all, delete
containerd ct_tty                     run -t, exec -t through the shim's console socket, delete -f
containerd ct_create_error            a failing create: the last "error" line of log.json shown
containerd ct_security                --read-only, --cap-add/--cap-drop, bind mount
containerd ct_resources               --memory-limit/--cpus/--cpu-shares in the cgroup, metrics, no cgroup left
containerd ct_pod_pair                a container joining a sandbox's namespaces by path (CRI)
containerd ct_rshared                 rootfsPropagation rshared + rshared volume: both ways
"
# Where skiff's outcome may differ from runc's, and why skiff is right, one
# per line: scenario|runc's line|skiff's line|why.  None is needed today:
# every scenario gives runc's outcome.
DIFFS=""

passed=0 failed=0
declare -A client_pass client_fail
result () {   # client scenario PASS|FAIL detail
  printf '%-4s %-10s %-26s %s\n' "$3" "$1" "$2" "$4"
  if [ "$3" = PASS ]; then
    passed=$((passed + 1)); client_pass[$1]=$(( ${client_pass[$1]:-0} + 1 ))
  else
    failed=$((failed + 1)); client_fail[$1]=$(( ${client_fail[$1]:-0} + 1 ))
  fi
}

run_scenario () {   # client fn -> outcome files $T/out/fn.{runc,skiff}
  local client=$1 fn=$2 r rc
  mkdir -p "$T/out"
  for r in $RUNTIMES; do
    RN=${r%%:*} RT=${r#*:}
    ( $fn ) </dev/null >"$T/out/$fn.$RN" 2>"$T/out/$fn.$RN.err"
    rc=$?
    echo "function rc=$rc" >>"$T/out/$fn.$RN"
  done
  # documented differences: skiff's line stands for runc's
  local d f rl sl why notes=
  cp "$T/out/$fn.skiff" "$T/out/$fn.skiff-mapped"
  while IFS='|' read -r f rl sl why; do
    [ "$f" = "$fn" ] || continue
    if grep -qxF "$sl" "$T/out/$fn.skiff-mapped" && grep -qxF "$rl" "$T/out/$fn.runc"; then
      awk -v s="$sl" -v r="$rl" '$0 == s { $0 = r } 1' "$T/out/$fn.skiff-mapped" >"$T/out/tmp" \
        && mv "$T/out/tmp" "$T/out/$fn.skiff-mapped"
      notes="$notes; differs as documented: $why"
    fi
  done <<<"$DIFFS"
  d=$(diff "$T/out/$fn.runc" "$T/out/$fn.skiff-mapped")
  if grep -q '^function rc=0$' "$T/out/$fn.runc" && [ -z "$d" ]; then
    result "$client" "$fn" PASS "same outcome as runc ($(grep -vc '^function' "$T/out/$fn.runc") lines)$notes"
  else
    result "$client" "$fn" FAIL "outcome differs from runc's"
    echo "--- runc"; sed 's/^/    /' "$T/out/$fn.runc"
    echo "--- skiff"; sed 's/^/    /' "$T/out/$fn.skiff"
    echo "--- skiff stderr (last lines)"; tail -5 "$T/out/$fn.skiff.err" | sed 's/^/    /'
  fi
}

build_image_tar
clients=${SKIFF_CLIENTS:-podman containerd}
setup_ok=
for client in $clients; do
  case $client in
    podman) podman_setup || { result podman setup FAIL "podman could not import the image"; continue; } ;;
    containerd) containerd_setup || { result containerd setup FAIL "containerd did not start"; continue; } ;;
  esac
  echo "== $client"
  while read -r cl fn _; do
    [ "$cl" = "$client" ] || continue
    [[ "$fn" =~ ${SKIFF_CLIENT_FILTER:-.} ]] || continue
    run_scenario "$client" "$fn"
  done <<<"$SCENARIOS"
done

# Nothing left by the runtimes once the clients removed everything: no
# container cgroup (podman keeps only its own conmon cgroup), no state dir
# under the runc roots, no container process.
left=
if [ -n "${PM_OK:-}" ]; then
  for r in $RUNTIMES; do RT=${r#*:}; pm rm -af -t 0 >/dev/null 2>&1; pm pod rm -af >/dev/null 2>&1; done
fi
# (podman leaves its pod's cgroup in name=systemd and unified, with runc
# too: only the runtimes' container cgroups count here)
for c in $(our_cgroups); do
  case ${c##*/} in libpod-*|*-runc|*-skiff) left="$left cgroup:$c" ;; esac
done
for d in /run/skiff /run/runc "$T/ctrd/runc-runc" "$T/ctrd/runc-skiff"; do
  for e in "$d"/*; do
    [ -e "$e" ] || continue
    grep -qF "$CG" "$e/state.json" 2>/dev/null && left="$left state:$e"
  done
done
if [ -z "$left" ]; then
  result all nothing-left PASS "no container cgroup or state dir left"
else
  result all nothing-left FAIL "left:$left"
fi

echo
for c in $clients; do
  echo "$c: ${client_pass[$c]:-0} passed, ${client_fail[$c]:-0} failed"
done
echo "clients layer: $(( $(date +%s) - T_START ))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
