#!/usr/bin/env bats
# What the real callers (containerd's runc shim, conmon/podman, CRI) rely
# on, as unit-sized checks; tests/layers/60-clients.sh runs the programs
# themselves.  Issue 16.

load helpers

start_sleeper () {
  set_args /probe sleep 1000
  run_skiff run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "run -d failed" || return 1
}

# CPU hogs for the load tests: 2 per core.  Their command line carries
# $TOKEN, so teardown kills them whatever happens.
start_hogs () {
  local i n
  n=$(( $(nproc) * 2 ))
  HOGS=()
  for i in $(seq "$n"); do
    bash -c 'while :; do :; done' "hog-$TOKEN" &
    HOGS+=($!)
  done
}

stop_hogs () {
  kill "${HOGS[@]}" 2>/dev/null || true
}

@test "exec: PID always reaches the caller before the process's own frames, under load" {
  # sync.h: stage 1 sends PID after the clone, the process sends READY (or
  # ERROR); without the PID_ACK wait, READY could come first ("expected
  # PID, got READY") and the caller lose a running process.  The process
  # exits at once (the shortest path to READY).  SKIFF_EXEC_LOOPS raises
  # the count (the issue's 1,000 ran by hand: 0 failures at load ~20).
  start_sleeper
  start_hogs
  local n=${SKIFF_EXEC_LOOPS:-100} i bad=0 out
  for i in $(seq "$n"); do
    if ! out=$("$SKIFF" --root "$ROOT" exec --detach --pid-file "$TEST_DIR/e.pid" "$ID" \
          /bin/sh -c 'exit 3' 2>&1); then
      bad=$((bad + 1))
      echo "loop $i: $out" >&2
    fi
  done
  stop_hogs
  [ "$bad" -eq 0 ] || fail "$bad of $n exec --detach failed under load"
}

@test "delete --force of an unknown container: exit 0, no output (runc; containerd's shim, podman)" {
  run skiff delete --force "$ID-none"
  assert_status 0
  [ -z "$output" ] || fail "printed something"
  run skiff delete -f "$ID-none"
  assert_status 0
  [ -z "$output" ] || fail "printed something"
  # plain delete keeps its error, and so does an invalid id
  run skiff delete "$ID-none"
  [ "$status" -ne 0 ] || fail "plain delete of an unknown id succeeded"
  assert_output_contains "does not exist"
  run skiff delete --force "a/b"
  [ "$status" -ne 0 ] || fail "delete --force of an invalid id succeeded"
  assert_output_contains "invalid container id"
  [ ! -e "$ROOT/a" ] && [ ! -e "$ROOT/$ID-none" ]
}

# ---- rootfsPropagation with a volume from a shared host mount ----------

# $TEST_DIR/vol: a shared mount point of its own (its own peer group on the
# host), bound into the container at /vol with the given propagation.
prop_setup () {
  local prop=$1
  mkdir -p "$TEST_DIR/vol"
  mount --bind "$TEST_DIR/vol" "$TEST_DIR/vol"
  mount --make-shared "$TEST_DIR/vol"
  mkdir -p "$TEST_DIR/vol/from-host" "$TEST_DIR/vol/from-ctr"
  cfg "
c['linux']['rootfsPropagation'] = '$prop'
c['root']['readonly'] = False
c['mounts'].append({'destination': '/vol', 'type': 'bind', 'source': '$TEST_DIR/vol',
                    'options': ['rbind', '$prop']})
c['process']['capabilities']['bounding'].append('CAP_SYS_ADMIN')
c['process']['capabilities']['effective'].append('CAP_SYS_ADMIN')
c['process']['capabilities']['permitted'].append('CAP_SYS_ADMIN')
"
  start_sleeper
}

# Mount a tmpfs on the host side and in the container; print which side
# sees which: "h2c=yes|no c2h=yes|no".
prop_probe () {
  mount -t tmpfs "h-$TOKEN" "$TEST_DIR/vol/from-host"
  touch "$TEST_DIR/vol/from-host/marker"
  skiff exec "$ID" /bin/mount -t tmpfs ctr-tmpfs /vol/from-ctr
  skiff exec "$ID" /bin/touch /vol/from-ctr/marker
  local h2c=no c2h=no
  skiff exec "$ID" /bin/sh -c 'test -e /vol/from-host/marker' && h2c=yes
  [ -e "$TEST_DIR/vol/from-ctr/marker" ] && c2h=yes
  echo "h2c=$h2c c2h=$c2h"
}

# The peer group of the volume: host's line for $TEST_DIR/vol and the
# container's for /vol (peer group ids are global).
peer_of () { grep -o 'shared:[0-9]*' | head -1; }

@test "rootfsPropagation rshared: a shared volume is in the host's peer group, both ways" {
  prop_setup rshared
  host=$(awk -v p="$TEST_DIR/vol" '$5 == p' /proc/self/mountinfo | tail -1)
  ctr=$(skiff exec "$ID" /bin/cat /proc/self/mountinfo | awk '$5 == "/vol"')
  [ -n "$(echo "$host" | peer_of)" ] || fail "host side not shared: $host"
  [ "$(echo "$ctr" | peer_of)" = "$(echo "$host" | peer_of)" ] \
    || fail "container's /vol is not in the host's peer group: host [$host] container [$ctr]"
  [[ "$ctr" != *master:* ]] || fail "container's /vol is a slave: $ctr"
  run prop_probe
  assert_status 0
  [ "$output" = "h2c=yes c2h=yes" ] || fail "rshared propagation"
}

@test "rootfsPropagation rslave: host to container only" {
  prop_setup rslave
  run prop_probe
  assert_status 0
  [ "$output" = "h2c=yes c2h=no" ] || fail "rslave propagation"
}

@test "rootfsPropagation rprivate: neither way" {
  prop_setup rprivate
  run prop_probe
  assert_status 0
  [ "$output" = "h2c=no c2h=no" ] || fail "rprivate propagation"
}

@test "rootfsPropagation rshared: the rootfs is a new peer group, container mounts stay in" {
  # config-linux.md: shared "does not mean that it's shared with the host".
  prop_setup rshared
  skiff exec "$ID" /bin/mkdir -p /ctr-only
  skiff exec "$ID" /bin/mount -t tmpfs "c-$TOKEN" /ctr-only
  ! grep -q "c-$TOKEN" /proc/self/mountinfo || fail "a rootfs mount reached the host"
  root=$(skiff exec "$ID" /bin/cat /proc/self/mountinfo | awk '$5 == "/"')
  [[ "$root" == *shared:* ]] || fail "/ is not shared: $root"
  [[ "$root" != *master:* ]] || fail "/ is a slave of the host: $root"
}
