# Shared by the guest test scripts of the VM layers (sourced; busybox sh).
# Each test prints `ok N - name` or `not ok N - name` with `#   ` lines of
# detail; tests/vm/run-vm.sh counts them.
#   t NAME FUNC     run FUNC as one test (skipped unless NAME contains $ONLY)
#   mkcfg           write $B/config.json from ARGS (JSON array), RES
#                   (resources object), CGPATH, NS (namespaces array), CAPS,
#                   PROC_EXTRA / LINUX_EXTRA (more members, each ending in `,`),
#                   MOUNTS_EXTRA (more mounts, each starting with `,`)
#   start ID, state_of ID, pid_of ID, wait_status ID STATUS, nothing_left ID
SK=/usr/sbin/skiff
ROOT=/run/skiff
B=/bundle
CG=/sys/fs/cgroup
N=0
ONLY=$(cat /tests/only 2>/dev/null)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

fail () { echo "$*"; exit 1; }
sk () { "$SK" --root "$ROOT" "$@"; }

# expect FILE VALUE: the cgroup file's content (newlines as `|`) is VALUE.
expect () {
  v=$(tr '\n' '|' <"$1" | sed 's/|$//')
  [ "$v" = "$2" ] || fail "$1: expected \`$2\`, got \`$v\`"
}

# The config: ARGS (JSON array), RES (resources object), CGPATH, NS
# (namespaces array) and CAPS come from the environment.
mkcfg () {
  caps=${CAPS:-'"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETUID","CAP_SETGID","CAP_MKNOD"'}
  cgp=
  [ -n "${CGPATH:-}" ] && cgp="\"cgroupsPath\": \"$CGPATH\","
  # Defaults set apart: a `}` inside ${VAR:-...} would end the expansion.
  args=${ARGS:-'["sleep", "1000"]'}
  ns=${NS:-'[{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]'}
  res=${RES:-'{}'}
  cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.3.0",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",${PROC_EXTRA:-}
    "args": $args,
    "env": ["PATH=/bin"],
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]}
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "c",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=8m"]}${MOUNTS_EXTRA:-}
  ],
  "linux": {
    $cgp${LINUX_EXTRA:-}
    "namespaces": $ns,
    "resources": $res
  }
}
EOF
}

start () { sk run -d --bundle "$B" "$1" </dev/null >/tmp/start.out 2>&1 || fail "run -d $1: $(cat /tmp/start.out)"; }
state_of () { sk state "$1" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
pid_of () { sk state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }

wait_status () {
  i=0
  while [ "$(state_of "$1")" != "$2" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "$1: status $(state_of "$1"), expected $2"
    sleep 0.1
  done
}

# nothing_left ID: no state dir, no cgroup named ID anywhere.
nothing_left () {
  [ ! -e "$ROOT/$1" ] || fail "state dir $ROOT/$1 left"
  left=$(find "$CG" -type d -name "$1")
  [ -z "$left" ] || fail "cgroup left: $left"
}

cleanup_all () {
  for d in "$ROOT"/*/; do
    [ -d "$d" ] && "$SK" --root "$ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1
  done
  unset ARGS RES CGPATH NS CAPS PROC_EXTRA LINUX_EXTRA
}

t () {
  case "$1" in *"$ONLY"*) ;; *) return 0 ;; esac
  N=$((N + 1))
  out=$( ("$2") 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "ok $N - $1"
  else
    echo "not ok $N - $1"
    echo "$out" | tail -15 | sed 's/^/#   /'
  fi
  cleanup_all
}

