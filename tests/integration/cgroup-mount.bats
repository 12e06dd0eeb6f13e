#!/usr/bin/env bats
# The `cgroup` mount type: the container's view of /sys/fs/cgroup
# (config.md "Mounts"; config-linux.md "Cgroup ownership": the cgroup
# filesystem is mounted read/write exactly when the mount's options lack
# `ro`).  What the view holds is runc's: on a v1 or hybrid host a tmpfs with
# one directory per hierarchy, named as on the host, each showing the
# container's OWN cgroup of that hierarchy (a bind mount, or a fresh mount
# inside a cgroup namespace), plus the co-mount symlinks.  Pure v2 is tested
# in the VM layer (tests/vm/guest-tests.sh).
#
# Every check compares the container's view, read from the host through
# /proc/<pid>/root, with the container's cgroups as the host sees them in
# /proc/<pid>/cgroup, so the tests hold whichever cgroups the manager puts
# the container in.

load helpers

setup () {
  skiff_setup
  [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] \
    || skip "pure cgroup v2 host: covered by the VM layer"
}

# no_cgroupns: drop the cgroup namespace from the config (the default has one).
no_cgroupns () {
  cfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]'
}

# with_userns: a user namespace mapping root to 100000, as podman --uidmap.
with_userns () {
  chown -R 100000:100000 "$BUNDLE/rootfs"
  # The mapped root must be able to reach the rootfs (mktemp -d is 0700).
  chmod 0755 "$TEST_DIR" "$BUNDLE"
  cfg 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# cg_options OPTIONS...: the options of the /sys/fs/cgroup mount.
cg_options () {
  cfg "
m = [m for m in c['mounts'] if m['destination'] == '/sys/fs/cgroup'][0]
m['options'] = [o for o in '$*'.split()]"
}

# start ID [ARGS...]: run container ID in the background (default process:
# sleep); $PID is its init.  (The checks read the container from the host,
# not through `skiff exec`.)
start () {
  local id=$1
  shift
  if [ $# -gt 0 ]; then set_args "$@"; else set_args /probe sleep 1000; fi
  run_skiff run -d --bundle "$BUNDLE" "$id"
  [ "$status" -eq 0 ] || fail "run -d $id failed" || return 1
  PID=$(state_field "$id" pid)
  [ "$PID" -gt 0 ] || fail "no pid"
}

# The host's hierarchies as the container must show them, one per line:
# NAME HOST_DIR, HOST_DIR being the container's own cgroup directory there
# (from /proc/PID/cgroup and the host mount's root).  Co-mounted
# controllers also give `LINK -> NAME` lines.
expected_view () {
  python3 - "$1" <<'EOF'
import os, sys
pid = sys.argv[1]
own = {}
for line in open(f"/proc/{pid}/cgroup"):
    _, ctl, path = line.rstrip("\n").split(":", 2)
    own[ctl] = path
seen = set()
for line in open("/proc/self/mountinfo"):
    f = line.split()
    sep = f.index("-")
    fstype, sup = f[sep + 1], f[sep + 3].split(",")
    mp, root = f[4], f[3]
    if fstype not in ("cgroup", "cgroup2") or os.path.dirname(mp) != "/sys/fs/cgroup":
        continue
    if fstype == "cgroup2":
        key = ""
    else:
        key = next((k for k in own if k and k.split(",")[0] in sup), None)
    if key is None or key in seen:
        continue
    seen.add(key)
    path = own[key]
    rel = path if root == "/" else path[len(root):]
    name = os.path.basename(mp)
    print(f"{name} {mp}{rel}")
    if "," in name:
        for link in name.split(","):
            print(f"{link} -> {name}")
EOF
}

# check_view PID: the container's /sys/fs/cgroup lists exactly the host's
# hierarchies (and co-mount links), and each directory is the container's
# own cgroup (same device and inode as on the host).
check_view () {
  local pid=$1 view=/proc/$1/root/sys/fs/cgroup name dir want got line
  local -a names=()
  want=$(expected_view "$pid") || return 1
  [ -n "$want" ] || fail "no hierarchy expected" || return 1
  while read -r name dir; do
    names+=("$name")
    if [ "${dir%% *}" = "->" ]; then
      got=$(readlink "$view/$name") || fail "no symlink \`$name\`" || return 1
      [ "$got" = "${dir#-> }" ] || fail "\`$name\` -> \`$got\`, expected \`${dir#-> }\`" || return 1
      continue
    fi
    got=$(stat -c '%d:%i' "$view/$name") || fail "no \`$name\` in the view" || return 1
    [ "$got" = "$(stat -c '%d:%i' "$dir")" ] \
      || fail "\`$name\` is not the container's own cgroup \`$dir\`" || return 1
  done <<<"$want"
  got=$(ls -A "$view" | sort | tr '\n' ' ')
  want=$(printf '%s\n' "${names[@]}" | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "view lists \`$got\`, expected \`$want\`"
}

# mount_opts_in PID MOUNTPOINT: per-mount options of MOUNTPOINT in PID's view.
mount_opts_in () {
  awk -v m="$2" '$5 == m { o = $6 } END { print o }' "/proc/$1/mountinfo"
}

@test "cgroup mount: v1/hybrid, no cgroup ns: tmpfs with the container's own cgroup per hierarchy" {
  no_cgroupns
  start "$ID"
  check_view "$PID"
  [[ "$(awk '$5 == "/sys/fs/cgroup"' /proc/$PID/mountinfo)" == *" - tmpfs "* ]] \
    || fail "no tmpfs at /sys/fs/cgroup"
  # The hybrid host's unified hierarchy is there too, as `unified`.
  [ -e "/proc/$PID/root/sys/fs/cgroup/unified/cgroup.procs" ] || fail "no unified directory"
}

@test "cgroup mount: v1/hybrid in a cgroup ns: fresh mounts rooted at the container's cgroups" {
  start "$ID"
  [ "$(readlink /proc/$PID/ns/cgroup)" != "$(readlink /proc/self/ns/cgroup)" ] \
    || fail "no cgroup namespace"
  check_view "$PID"
  # Fresh mounts: every hierarchy's root is the namespace's root (mountinfo
  # shows cgroup roots relative to the reader's cgroup namespace).
  run nsenter -t "$PID" -C awk 'index($5, "/sys/fs/cgroup/") == 1 && $4 != "/" { print }' \
    "/proc/$PID/mountinfo"
  assert_status 0
  [ -z "$output" ] || fail "hierarchies not rooted at the namespace root"
}

@test "cgroup mount: user ns without cgroup ns (podman --uidmap) shows the container's own cgroups" {
  with_userns
  no_cgroupns
  start "$ID"
  [ "$(readlink /proc/$PID/ns/user)" != "$(readlink /proc/self/ns/user)" ] || fail "no user ns"
  check_view "$PID"
}

@test "cgroup mount: user ns with a cgroup ns shows the container's own cgroups" {
  with_userns
  start "$ID"
  check_view "$PID"
}

@test "cgroup mount: read-only with \`ro\` (the default config): every mount, and writes fail" {
  no_cgroupns
  run_container sh -c 'mkdir /sys/fs/cgroup/unified/sub && echo MADE
    awk '"'"'$5 == "/sys/fs/cgroup" || index($5, "/sys/fs/cgroup/") == 1 { print "M", $5, $6 }'"'"' \
      /proc/self/mountinfo'
  assert_status 0
  refute_output_contains MADE
  assert_output_contains "Read-only file system"
  local m o n=0
  while read -r m o; do
    n=$((n + 1))
    [[ "$o" == ro,* ]] || fail "\`$m\` is not read-only: $o" || return 1
    [[ "$o" == *nosuid* && "$o" == *nodev* && "$o" == *noexec* ]] \
      || fail "\`$m\` lacks nosuid,nodev,noexec: $o" || return 1
  done < <(echo "$output" | sed -n 's/^M //p')
  [ "$n" -gt 2 ] || fail "only $n cgroup mounts"
}

@test "cgroup mount: \`rw\` makes the hierarchies writable (the container's cgroup only)" {
  no_cgroupns
  cg_options nosuid noexec nodev relatime rw
  start "$ID" sh -c 'mkdir /sys/fs/cgroup/unified/sub && exec sleep 1000'
  [[ "$(mount_opts_in "$PID" /sys/fs/cgroup/unified)" == rw,* ]] || fail "unified not rw"
  [[ "$(mount_opts_in "$PID" /sys/fs/cgroup/pids)" == rw,* ]] || fail "pids not rw"
  local own i
  own=$(expected_view "$PID" | awk '$1 == "unified" { print $2 }')
  # The child cgroup made inside appears below the container's own cgroup.
  for i in $(seq 1 100); do [ -d "$own/sub" ] && break; sleep 0.1; done
  [ -d "$own/sub" ] || fail "\`sub\` did not appear in \`$own\`"
  rmdir "$own/sub"
}

@test "cgroup mount: neither ro nor rw means read/write (config-linux.md Cgroup ownership)" {
  no_cgroupns
  cg_options nosuid noexec nodev
  start "$ID"
  [[ "$(mount_opts_in "$PID" /sys/fs/cgroup/unified)" == rw,* ]] || fail "unified not rw"
  [[ "$(mount_opts_in "$PID" /sys/fs/cgroup)" == rw,* ]] || fail "tmpfs not rw"
}

@test "cgroup mount: a sibling container's cgroup is not visible" {
  no_cgroupns
  start "$ID-2"
  local pid2=$PID
  start "$ID"
  local other
  other=$(expected_view "$pid2" | awk '$1 == "unified" { print $2 }')
  [ -d "$other" ] || fail "no cgroup \`$other\` for the sibling"
  run find "/proc/$PID/root/sys/fs/cgroup/" -name "$(basename "$other")"
  [ -z "$output" ] || fail "the sibling's cgroup is visible: $output"
  # Nor anything above the container's own cgroup.
  check_view "$PID"
}

@test "cgroup mount: a bad cgroup2 option fails cleanly, naming the mount" {
  cfg "
m = [m for m in c['mounts'] if m['destination'] == '/sys/fs/cgroup'][0]
m['type'] = 'cgroup2'
m['options'] = m.get('options', []) + ['bogus_cg_opt']"
  run_container /probe ids
  assert_failed_cleanly "$ID" "mount \`cgroup\` on \`/sys/fs/cgroup\`: hierarchy \`unified\`: mount cgroup2 \`bogus_cg_opt\`"
}

@test "cgroup mount: a destination that is a file fails cleanly" {
  no_cgroupns
  cfg "
m = [m for m in c['mounts'] if m['destination'] == '/sys/fs/cgroup'][0]
m['destination'] = '/etc/passwd'"
  run_container /probe ids
  assert_failed_cleanly "$ID" "/etc/passwd"
}

# This host co-mounts no controllers, and net_cls and net_prio are usually
# built in but unbound: in a private mount namespace, a copy of the host's
# /sys/fs/cgroup gets them as one `net_cls,net_prio` hierarchy (it vanishes
# with the namespace; the host's mounts are not touched), and skiff runs
# there.
@test "cgroup mount: co-mounted controllers get their symlinks (net_cls -> net_cls,net_prio)" {
  awk '$1 == "net_cls" || $1 == "net_prio" { n++; if ($2 != 0) bound = 1 }
       END { exit !(n == 2 && !bound) }' /proc/cgroups \
    || skip "net_cls and net_prio are not both available and unbound"
  no_cgroupns
  set_args /probe sleep 1000
  mkdir "$TEST_DIR/cg"
  unshare -m --propagation private sh -c '
    set -e
    mount --rbind /sys/fs/cgroup "$1/cg"
    mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
    for d in "$1"/cg/*/; do
      d=${d%/}; mkdir "/sys/fs/cgroup/${d##*/}"; mount --bind "$d" "/sys/fs/cgroup/${d##*/}"
    done
    mkdir /sys/fs/cgroup/net_cls,net_prio
    mount -t cgroup -o net_cls,net_prio cgroup /sys/fs/cgroup/net_cls,net_prio
    "$SKIFF" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" </dev/null >"$1/run.out" 2>&1 \
      && r=ok || r=failed
    echo "$r $$" >"$1/started.tmp" && mv "$1/started.tmp" "$1/started"
    exec sleep 1000' sh "$TEST_DIR" >"$TEST_DIR/holder.log" 2>&1 3>&- &
  local holder i
  # A hang guard, not a timing assertion: skiff run -d is slow under load.
  for i in $(seq 1 600); do [ -e "$TEST_DIR/started" ] && break; sleep 0.1; done
  run cat "$TEST_DIR/started" "$TEST_DIR/run.out" "$TEST_DIR/holder.log"
  [ "${lines[0]%% *}" = ok ] || fail "run -d in the namespace failed"
  # The shell that holds the namespace (bats' $! may be a subshell above it).
  holder=${lines[0]#* }
  PID=$(state_field "$ID" pid)
  local view=/proc/$PID/root/sys/fs/cgroup l own
  for l in net_cls net_prio; do
    [ "$(readlink "$view/$l")" = "net_cls,net_prio" ] \
      || fail "\`$l\` -> \`$(readlink "$view/$l")\`" || return 1
  done
  own=$(sed -n 's/^[0-9]*:net_cls,net_prio://p' "/proc/$PID/cgroup")
  [ -n "$own" ] || fail "no net_cls,net_prio line in /proc/$PID/cgroup"
  [ "$(stat -c '%d:%i' "$view/net_cls,net_prio")" = \
    "$(stat -c '%d:%i' "/proc/$holder/root/sys/fs/cgroup/net_cls,net_prio$own")" ] \
    || fail "net_cls,net_prio is not the container's own cgroup \`$own\`"
  # Deleted where the hierarchy is mounted, so nothing stays in it.
  nsenter -t "$holder" -m "$SKIFF" --root "$ROOT" delete --force "$ID" \
    || fail "delete in the namespace"
  kill "$holder"
}

# A time namespace makes init fork once more after clone (spawn.c): the
# forked init must still be in the container's cgroups, which the parent
# joins after clone on v1 (sync.h PLACED).  Without that wait it was left
# in the runtime's cgroups about one time in three: three containers.
@test "cgroup mount: an init forked for a time namespace shows its own cgroups" {
  no_cgroupns
  cfg 'c["linux"]["namespaces"].append({"type": "time"})'
  local i
  for i in 1 2 3; do
    start "$ID-$i"
    check_view "$PID" || return 1
  done
}
