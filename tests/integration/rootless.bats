#!/usr/bin/env bats
# Rootless containers (issue 14): skiff run by an ordinary user that this
# file creates (useradd, with /etc/subuid and /etc/subgid ranges) and
# removes again, and by that user under `unshare -r`.
#
# Each test gets, besides helpers.bash's $BUNDLE/$ROOT/$ID:
#   $UDIR    a directory the user owns, under the (root-owned) $TEST_DIR:
#            its bundle ($UBUNDLE, rootfs copied and chowned, config from
#            `skiff spec --rootless` run AS the user) and XDG_RUNTIME_DIR
#   $ROOT    = $UDIR/xdg/skiff, the user's default state root, so that
#            helpers' teardown and assert_nothing_left look there
# On a host where no cgroup is delegated to the user (this hybrid host, and
# any host where root runs the tests outside a user session) skiff runs
# the container without a cgroup and says so in one warning; one test
# delegates a cgroup v2 subtree by hand to cover pause.

load helpers

setup_file () {
  export RL_USER=skiffrl$$
  [ "$(id -u)" = 0 ] || skip "integration tests need root"
  command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
  # Debian's useradd allots 65536 subordinate ids to a new user; add
  # them ourselves where login.defs says otherwise.
  useradd -M -d /nonexistent -s /bin/sh "$RL_USER"
  if ! grep -q "^$RL_USER:" /etc/subuid || ! grep -q "^$RL_USER:" /etc/subgid; then
    usermod --add-subuids 1300000-1365535 --add-subgids 1300000-1365535 "$RL_USER"
  fi
  # The user must reach the binary and recvtty.py: a build tree under a
  # directory only root may enter (a clone in a `mktemp -d` dir, 0700)
  # gets a world-readable copy of both for this file.
  export RL_RECVTTY=$BATS_TEST_DIRNAME/recvtty.py RL_BIN=
  if ! setpriv --reuid="$RL_USER" --regid="$(id -g "$RL_USER")" --clear-groups \
       sh -c 'test -x "$1" && test -r "$2"' sh "$SKIFF" "$RL_RECVTTY"; then
    RL_BIN=$(mktemp -d /tmp/skiff-rootless-bin.XXXXXX)
    chmod 0755 "$RL_BIN"
    cp "$SKIFF" "$RL_BIN/skiff"
    cp "$RL_RECVTTY" "$RL_BIN/recvtty.py"
    chmod 0755 "$RL_BIN/skiff" "$RL_BIN/recvtty.py"
    export SKIFF=$RL_BIN/skiff RL_RECVTTY=$RL_BIN/recvtty.py
  fi
}

teardown_file () {
  local pid
  # Whatever the user still runs (podman's pause process, a container
  # that a failed test left) was started by these tests.
  for pid in $(ps -u "$RL_USER" -o pid= 2>/dev/null); do
    kill -9 "$pid" 2>/dev/null || true
  done
  userdel "$RL_USER" 2>/dev/null || true
  [ -z "${RL_BIN:-}" ] || rm -rf "$RL_BIN"
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
}

setup () {
  skiff_setup
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  chmod 0711 "$TEST_DIR"
  UDIR=$TEST_DIR/u
  UBUNDLE=$UDIR/bundle
  mkdir -p "$UDIR/xdg" "$UBUNDLE" "$UDIR/home"
  cp -a "$BUNDLE/rootfs" "$UBUNDLE/rootfs"
  chown -R "$RL_UID:$RL_GID" "$UDIR"
  chmod 0700 "$UDIR/xdg"
  ROOT=$UDIR/xdg/skiff
  export UDIR UBUNDLE ROOT RL_UID RL_GID
  as_user "$SKIFF" spec --rootless --bundle "$UBUNDLE" || return 1
  ucfg 'c["process"]["terminal"] = False; c["process"]["args"] = ["/probe", "ids"]'
}

teardown () {
  skiff_teardown
  if [ -n "${RL_CG:-}" ]; then
    rmdir "$RL_CG"/*/ "$RL_CG" 2>/dev/null || true
  fi
}

# as_user CMD...: run CMD as the test user with a clean environment whose
# XDG_RUNTIME_DIR is $UDIR/xdg, or $RL_XDG when set ("-" = unset).
as_user () {
  local xdg=${RL_XDG:-$UDIR/xdg}
  local envv=(PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$UDIR/home")
  [ "$xdg" = - ] || envv+=(XDG_RUNTIME_DIR="$xdg")
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups env -i "${envv[@]}" "$@"
}

# urun ARGS...: `skiff ARGS` as the user in $UBUNDLE, with no --root (the
# XDG default); $status, $output as run_skiff gives them.
urun () {
  _skiff_n=$((_skiff_n + 1))
  OUTFILE=$TEST_DIR/out.$_skiff_n
  status=0
  (cd "$UBUNDLE" && as_user timeout -k 5 120 "$SKIFF" "$@" >"$OUTFILE" 2>&1 </dev/null 3>&-) \
    || status=$?
  output=$(cat "$OUTFILE")
}

ucfg () {
  python3 -c '
import json, sys
path = sys.argv[1]
c = json.load(open(path))
exec(sys.argv[2])
json.dump(c, open(path, "w"), indent=2)
' "$UBUNDLE/config.json" "$1"
}

uargs () {
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = sys.argv[2:]
json.dump(c, open(sys.argv[1], "w"), indent=2)
' "$UBUNDLE/config.json" "$@"
}

# The user's first subordinate range: "START COUNT".
subid_range () {
  awk -F: -v u="$RL_USER" '$1 == u { print $2, $3; exit }' "$1"
}

# ---- detection and the state root

@test "rootless: --rootless takes true, false or auto only" {
  urun --rootless=maybe list
  [ "$status" -ne 0 ] || fail "accepted --rootless=maybe"
  assert_output_contains "invalid --rootless \`maybe\`"
}

@test "rootless: the default state root is \$XDG_RUNTIME_DIR/skiff, mode 0700" {
  urun list
  assert_status 0
  [ -d "$ROOT" ] || fail "no $ROOT"
  [ "$(stat -c '%a %u' "$ROOT")" = "700 $RL_UID" ] || fail "mode/owner: $(stat -c '%a %u' "$ROOT")"
}

@test "rootless: XDG_RUNTIME_DIR unset or another user's is a clear error" {
  RL_XDG=- urun list
  [ "$status" -ne 0 ] || fail "no error without XDG_RUNTIME_DIR"
  assert_output_contains "XDG_RUNTIME_DIR is unset"
  RL_XDG=$TEST_DIR urun list
  [ "$status" -ne 0 ] || fail "no error with a root-owned XDG_RUNTIME_DIR"
  assert_output_contains "is not owned by this user"
  [ ! -e "$TEST_DIR/skiff" ] || fail "made a state root in another user's dir"
}

@test "rootless: spec --rootless is runc's rootless default" {
  run python3 -c '
import json, sys
c = json.load(open(sys.argv[1])); l = c["linux"]
ns = [n["type"] for n in l["namespaces"]]
assert "user" in ns and "network" not in ns, ns
assert l["uidMappings"] == [{"containerID": 0, "hostID": int(sys.argv[2]), "size": 1}], l
assert l["gidMappings"] == [{"containerID": 0, "hostID": int(sys.argv[3]), "size": 1}], l
assert "resources" not in l, l
m = {x["destination"]: x for x in c["mounts"]}
assert m["/sys"]["type"] == "none" and "rbind" in m["/sys"]["options"], m["/sys"]
assert not any(o.startswith("gid=") for o in m["/dev/pts"]["options"]), m["/dev/pts"]
' "$UBUNDLE/config.json" "$RL_UID" "$RL_GID"
  assert_status 0
}

# ---- the lifecycle as the user

@test "rootless: run as the user: root inside, one warning when no cgroup is delegated" {
  urun run "$ID"
  assert_status 0
  assert_output_contains "uid=0"
  n=$(grep -c "warning: rootless" <<<"$output" || true)
  [ "$n" = 1 ] || fail "expected one rootless warning, got $n"
  refute_output_contains "capability"
  assert_nothing_left "$ID"
}

@test "rootless: create/start split, exec, list, kill, delete as the user" {
  uargs sleep 300
  urun create "$ID"
  assert_status 0
  [ "$(state_field "$ID" status)" = created ] || fail "not created"
  urun start "$ID"
  assert_status 0
  wait_for_status "$ID" running
  urun exec "$ID" /probe ids
  assert_status 0
  assert_output_contains "uid=0"
  urun list
  assert_status 0
  assert_output_contains "$ID"
  assert_output_contains "$RL_USER"
  urun kill "$ID" KILL
  assert_status 0
  wait_for_status "$ID" stopped
  urun delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "rootless: another user can neither see nor touch the containers" {
  uargs sleep 300
  urun run -d "$ID"
  assert_status 0
  for cmd in list "state $ID" "kill $ID KILL" "delete --force $ID"; do
    status=0
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SKIFF" --root "$ROOT" \
            $cmd 2>&1 </dev/null 3>&-) || status=$?
    [ "$status" -ne 0 ] || fail "\`$cmd\` by nobody succeeded: $out"
    [[ "$out" == *"ermission denied"* ]] || fail "\`$cmd\`: $out"
  done
  [ "$(state_field "$ID" status)" = running ] || fail "the container was touched"
}

@test "rootless: pause without a delegated cgroup says why" {
  uargs sleep 300
  urun run -d "$ID"
  assert_status 0
  urun pause "$ID"
  [ "$status" -ne 0 ] || fail "paused without a cgroup"
  assert_output_contains "no cgroup was delegated"
  [ "$(state_field "$ID" status)" = running ] || fail "status changed"
}

@test "rootless: --console-socket" {
  ucfg 'c["process"]["terminal"] = True; c["process"]["args"] = ["/probe", "tty"]'
  as_user python3 "$RL_RECVTTY" "$UDIR/tty.sock" "$UDIR/tty.out" 3>&- &
  rpid=$!
  wait_for_file "$UDIR/tty.sock"
  urun create --console-socket "$UDIR/tty.sock" "$ID"
  assert_status 0
  urun start "$ID"
  assert_status 0
  timed_wait "$rpid"
  out=$(tr -d '\r' <"$UDIR/tty.out")
  [[ "$out" == *"received 1 fd(s) isatty=1"* ]] || fail "no pty received: $out"
  [[ "$out" == *"ttyname0=/dev/pts/"* ]] || fail "no tty inside: $out"
  wait_for_status "$ID" stopped
}

@test "rootless: a multi-range map goes through newuidmap/newgidmap" {
  read -r us uc < <(subid_range /etc/subuid)
  read -r gs gc < <(subid_range /etc/subgid)
  ucfg "
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $RL_UID, 'size': 1},
                             {'containerID': 1, 'hostID': $us, 'size': $uc}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $RL_GID, 'size': 1},
                             {'containerID': 1, 'hostID': $gs, 'size': $gc}]"
  # uid 1000 exists only through the subordinate range: chown proves it.
  ucfg 'for s in ("bounding", "effective", "permitted"): c["process"]["capabilities"][s].append("CAP_CHOWN")'
  uargs sh -c 'cat /proc/self/uid_map; touch /dev/shm/f && chown 1000:1000 /dev/shm/f && stat -c "owner=%u:%g" /dev/shm/f'
  urun run "$ID"
  assert_status 0
  [[ "$output" =~ 1[[:space:]]+$us[[:space:]]+$uc ]] || fail "range not in uid_map"
  assert_output_contains "owner=1000:1000"
  assert_nothing_left "$ID"
}

@test "rootless: under unshare -r (root in the user's namespace)" {
  command -v unshare >/dev/null || skip "no unshare"
  rm "$UBUNDLE/config.json"
  status=0
  out=$(cd "$UBUNDLE" && as_user unshare -r sh -c '
    "$0" spec --rootless && sed -i "s|\"sh\"|\"sleep\", \"300\"|" config.json &&
    "$0" run -d un1 >/dev/null && "$0" exec un1 /probe ids && "$0" kill un1 KILL &&
    "$0" delete --force un1 && "$0" list -q' "$SKIFF" 2>&1 </dev/null 3>&-) || status=$?
  [ "$status" = 0 ] || fail "$out"
  [[ "$out" == *"uid=0"* ]] || fail "$out"
  [ -z "$(ls "$ROOT")" ] || fail "left: $(ls "$ROOT")"
}

# ---- what a rootless user may not do

@test "rootless: a config without a user namespace points at spec --rootless" {
  ucfg 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]; c["linux"].pop("uidMappings"); c["linux"].pop("gidMappings")'
  urun run "$ID"
  assert_failed_cleanly "$ID" "needs a user namespace (generate a config with \`skiff spec --rootless\`)"
}

@test "rootless: an id map the user does not own is refused, nothing left" {
  ucfg "c['linux']['uidMappings'].append({'containerID': 1, 'hostID': 4000000000, 'size': 10})"
  urun run "$ID"
  assert_failed_cleanly "$ID" "host ids \`4000000000-4000000009\` are neither this user's own uid"
}

@test "rootless: a rootfs owned by another user is refused, nothing left" {
  chown root:root "$UBUNDLE/rootfs"
  chmod 0700 "$UBUNDLE/rootfs"
  urun run "$ID"
  assert_failed_cleanly "$ID" "a rootless container cannot enter it"
}

@test "rootless: limits without a delegated cgroup are an error, nothing left" {
  mnt=/sys/fs/cgroup
  [ -f $mnt/cgroup.controllers ] || mnt=/sys/fs/cgroup/unified
  ctrls=$(cat $mnt/cgroup.controllers)
  if [[ " $ctrls " == *" pids "* ]]; then
    ucfg 'c["linux"]["resources"] = {"pids": {"limit": 100}}'
    what=pids
  elif [[ " $ctrls " == *" hugetlb "* ]]; then
    ucfg 'c["linux"]["resources"] = {"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}'
    what=hugepageLimits
  else
    skip "neither pids nor hugetlb in $mnt"
  fi
  urun run "$ID"
  assert_failed_cleanly "$ID" "linux.resources.$what: a rootless container's limits need a cgroup delegated"
}

@test "rootless: device rules are ignored, devices are the host's nodes bound" {
  ucfg 'c["linux"]["resources"] = {"devices": [{"allow": False, "access": "rwm"}]}'
  uargs sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
  urun run "$ID"
  assert_status 0
  assert_output_contains "4"
}

@test "rootless: rlimits can be lowered, not raised" {
  ucfg 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]'
  uargs sh -c 'ulimit -n; ulimit -Hn'
  urun run "$ID"
  assert_status 0
  assert_output_contains "100"
  ucfg 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 1073741816}]'
  urun run "$ID"
  assert_failed_cleanly "$ID" "cannot raise the hard limit"
}

# ---- a delegated cgroup v2 subtree

@test "rootless: with a delegated cgroup v2 subtree the container gets a cgroup and pauses" {
  mnt=/sys/fs/cgroup
  # Delegation is a cgroup v2 notion; a hybrid host's containers live in
  # the v1 hierarchies (cgroup/layout.c), which no user can be given.
  [ "$(stat -f -c %T $mnt)" = cgroup2fs ] || skip "hybrid or v1 host: no cgroup v2 delegation"
  # What systemd's Delegate=yes gives a user: a subtree it owns, with the
  # caller's process inside it.  skiff's relative path puts the container
  # beside that process's cgroup.
  RL_CG=$mnt/skrl-$TOKEN
  mkdir -p "$RL_CG/$TOKEN-sh"
  chown -R "$RL_UID:$RL_GID" "$RL_CG"
  [ -f "$RL_CG/cgroup.freeze" ] || skip "no cgroup.freeze (kernel < 5.2)"
  uargs sleep 300
  status=0
  # Output to a file, not $(...): see run_skiff.
  (cd "$UBUNDLE" && sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$RL_CG/$TOKEN-sh" \
     setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups env -i PATH=/usr/bin:/bin \
     XDG_RUNTIME_DIR="$UDIR/xdg" "$SKIFF" run -d "$ID" >"$UDIR/run.out" 2>&1 </dev/null 3>&-) \
    || status=$?
  out=$(cat "$UDIR/run.out")
  [ "$status" = 0 ] || fail "$out"
  [[ "$out" != *"warning: rootless"* ]] || fail "warned although delegated: $out"
  [ -d "$RL_CG/$ID" ] || fail "no cgroup $RL_CG/$ID"
  wait_for_status "$ID" running
  pid=$(state_field "$ID" pid)
  grep -qx "$pid" "$RL_CG/$ID/cgroup.procs" \
    || fail "init $pid not in the cgroup: $(cat /proc/$pid/cgroup)"
  urun pause "$ID"
  assert_status 0
  wait_for_status "$ID" paused
  urun resume "$ID"
  assert_status 0
  wait_for_status "$ID" running
  urun delete --force "$ID"
  assert_status 0
  [ ! -d "$RL_CG/$ID" ] || fail "cgroup left"
}

# ---- podman

@test "rootless: podman --runtime skiff as the user (vfs, --network none)" {
  command -v podman >/dev/null || skip "podman not installed"
  command -v conmon >/dev/null || [ -x /usr/libexec/podman/conmon ] || skip "no conmon"
  tar -C "$BUNDLE/rootfs" -cf "$UDIR/bb.tar" .
  chown "$RL_UID:$RL_GID" "$UDIR/bb.tar"
  p=(podman --root "$UDIR/pstore" --runroot "$UDIR/xdg/prun" --storage-driver vfs
     --cgroup-manager cgroupfs --events-backend file --runtime "$SKIFF")
  status=0
  out=$(cd "$UDIR" && as_user "${p[@]}" import "$UDIR/bb.tar" localhost/skrl-bb 2>&1 </dev/null 3>&-) \
    || status=$?
  [ "$status" = 0 ] || fail "import: $out"
  out=$(cd "$UDIR" && as_user "${p[@]}" run --rm --network none localhost/skrl-bb \
          /probe ids 2>&1 </dev/null 3>&-) || status=$?
  [ "$status" = 0 ] || fail "run: $out"
  [[ "$out" == *"uid=0"* ]] || fail "run: $out"
  out=$(cd "$UDIR" && as_user "${p[@]}" run -d --name "$ID" --network none localhost/skrl-bb \
          sleep 300 2>&1 </dev/null 3>&-) || status=$?
  [ "$status" = 0 ] || fail "run -d: $out"
  out=$(cd "$UDIR" && as_user "${p[@]}" exec "$ID" cat /proc/self/uid_map 2>&1 </dev/null 3>&-) \
    || status=$?
  [ "$status" = 0 ] || fail "exec: $out"
  [[ "$out" =~ 0[[:space:]]+$RL_UID[[:space:]]+1 ]] || fail "exec: $out"
  out=$(cd "$UDIR" && as_user "${p[@]}" rm -f -t 0 "$ID" 2>&1 </dev/null 3>&-) || status=$?
  [ "$status" = 0 ] || fail "rm: $out"
  out=$(cd "$UDIR" && as_user "${p[@]}" ps -a -q 2>&1 </dev/null 3>&-)
  [ -z "$out" ] || fail "containers left: $out"
}
