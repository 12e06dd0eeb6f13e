#!/bin/bash
# Benchmark skiff against crun and runc in one run (see bench/README.md).
#
#   bench/run.sh [-n N] [--warmup N] [--rss-runs N] [--density N]
#                [--concurrency 20,100] [--view v1|host] [--skiff PATH]   (as root)
#
# Builds three bundles from Debian's busybox-static (/bin/true; /bin/true
# under podman's default seccomp profile; sleep), compiles bench/floor, and
# runs bench/bench.py, which prints the table and writes a markdown report
# and PNG plots to bench/results/.  Nothing is asserted.
#
# --view v1 (the default on a hybrid host whose cgroup2 has controllers):
# everything runs in a private mount namespace where an empty file is bound
# over /sys/fs/cgroup/unified/cgroup.controllers, so the three runtimes see
# the same layout (v1 controllers, a controller-less cgroup2) and do the
# same cgroup work; crun 1.8.1 refuses the host's own layout.  The host's
# mounts are untouched.
# --view host: the host as it is (crun is then listed as not compared).
#
# --vm: instead, the same comparison in the pure cgroup v2 VM of the test
# layer (tests/vm/run-vm.sh: Debian's kernel under qemu, TCG emulation on
# this kind of machine), a reduced scenario set (run, run + seccomp,
# create, start, delete, exec, state, --version), -n rounds (default 10)
# after one warm-up round; crun and runc are copied into the guest with
# their libraries.  Only the ratios are reported: emulated times are not
# comparable with anything.  Takes ~10-20 min with 10 rounds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)

n= warmup=3 rss_runs=10 density=1000 concurrency=20,100 view= vm=0 skiff=${SKIFF:-}
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rss-runs) rss_runs=$2; shift 2 ;;
    --skiff) skiff=$2; shift 2 ;;
    --density) density=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --view) view=$2; shift 2 ;;
    --vm) vm=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$n" ]; then
  n=50
  [ "$vm" = 1 ] && n=10
fi

[ "$(id -u)" = 0 ] || { echo "bench: run as root (containers need it)" >&2; exit 1; }
if [ -z "$skiff" ]; then
  for c in "$srcdir/build/skiff" "$srcdir/skiff"; do
    if [ -x "$c" ]; then skiff=$c; break; fi
  done
fi
[ -n "$skiff" ] && [ -x "$skiff" ] \
  || { echo "bench: skiff binary not found: build it (see README.md) or pass --skiff PATH" >&2; exit 1; }
skiff=$(cd "$(dirname "$skiff")" && pwd)/$(basename "$skiff")
command -v python3 >/dev/null || { echo "bench: python3 not found: apt-get install python3" >&2; exit 1; }
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' \
  || { echo "bench: a static $busybox is needed: apt-get install busybox-static" >&2; exit 1; }
if ldd "$skiff" 2>/dev/null | grep -q libasan; then
  echo "bench: warning: $skiff is built with --enable-asan: its numbers mean little" >&2
fi

# State roots and bundles on /run (tmpfs) when it is one, as containerd
# (/run/containerd/runc), podman and CRI-O keep runtime state: an fsync of
# state.json is then free, as it is for those callers.
tmpbase=/tmp
[ "$(stat -fc %T /run 2>/dev/null)" = tmpfs ] && tmpbase=/run
# The VM copies the bench dir to the same path in the guest, whose /run is
# a fresh tmpfs that would hide it.
[ "$vm" = 1 ] && tmpbase=/tmp
tmp=$(mktemp -d "$tmpbase/skiff-bench.XXXXXX")
cleanup () {
  # bench.py deletes its containers; this catches a crash of it.
  for r in "$tmp"/root-*; do
    [ -d "$r" ] || continue
    rt=${r##*/root-}
    bin=$skiff
    [ "$rt" = skiff ] || bin=$(command -v "$rt" || echo /bin/false)
    for c in "$r"/*/; do
      [ -d "$c" ] && "$bin" --root "$r" delete --force "$(basename "$c")" >/dev/null 2>&1
    done
  done
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bundle: busybox-static and the two applets the config needs.  The
# config comes from `skiff spec` (runc's if that fails), the same file for
# every runtime.  ociVersion 1.0.2: crun 1.8.1 refuses "1.3.0" with
# "unknown version specified", and all three accept 1.0.2.
bundle=$tmp/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys"
cp "$busybox" "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/true"
ln -s busybox "$bundle/rootfs/bin/sh"
if ! "$skiff" spec --bundle "$bundle" 2>/dev/null; then
  echo "bench: \`skiff spec\` failed: using \`runc spec\`" >&2
  (cd "$bundle" && runc spec)
fi
for b in bundle-seccomp bundle-sleep; do
  mkdir -p "$tmp/$b"
  cp -a "$bundle/rootfs" "$tmp/$b/rootfs"
done
ln -s busybox "$tmp/bundle-sleep/rootfs/bin/sleep"
python3 "$here/bundles.py" "$bundle" "$tmp/bundle-seccomp" "$tmp/bundle-sleep" \
  /usr/share/containers/seccomp.json

if [ "$vm" = 1 ]; then
  # The guest has busybox and no python: bench/vmtime (static) times each
  # command there and reaps the container inits; bench.py reads its lines.
  cc -O2 -Wall -static -o "$tmp/vmtime" "$here/vmtime.c" \
    || { echo "bench: cannot build bench/vmtime.c statically (libc6-dev has libc.a)" >&2; exit 1; }
  cp "$here/vm-guest.sh" "$tmp/vm-guest.sh"
  rts="skiff:/usr/sbin/skiff"   # where run-vm.sh puts the skiff under test
  bins=
  for b in crun runc; do
    p=$(command -v "$b" || true)
    [ -n "$p" ] || continue
    p=$(readlink -f "$p")
    bins="$bins $p"
    rts="$rts $b:$p"
  done
  printf 'ROUNDS=%s\nWARMUP=1\nRUNTIMES="%s"\n' "$n" "$rts" >"$tmp/vm.conf"
  printf '#!/bin/sh\nexec %s/vmtime reap sh %s/vm-guest.sh %s\n' "$tmp" "$tmp" "$tmp" \
    >"$tmp/guest-tests.sh"
  echo "bench: booting the cgroup v2 VM (tests/vm/run-vm.sh), $n rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  # crun and runc are copied to the same paths in the guest, with the
  # libraries ldd names (tests/vm/vm-lib.sh vm_add_binary).
  SKIFF_VM_TESTS=$tmp/guest-tests.sh SKIFF_VM_DIRS=$tmp SKIFF_VM_BINS="${bins# }" \
    SKIFF_VM_TIMEOUT=${SKIFF_VM_TIMEOUT:-3600} SKIFF_VM_MEM=${SKIFF_VM_MEM:-2048} \
    "$srcdir/tests/vm/run-vm.sh" "$(dirname "$skiff")" "$srcdir" 2>&1 | tee "$tmp/vm.log" \
    | grep -v '^# bench ' || true
  python3 "$here/bench.py" --vm-log "$tmp/vm.log" --skiff "$skiff" --tmp "$tmp" \
    --results "$here/results" --load-before "$load_before" -n "$n"
  exit
fi

floor=$tmp/floor
cc -O2 -Wall -Wno-format-truncation -o "$floor" "$here/floor.c" \
  || { echo "bench: cannot compile bench/floor.c: the floor rows are skipped" >&2; floor=; }

if [ -z "$view" ]; then
  view=host
  # cgroup files report size 0: read them.
  if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then view=v1; fi
fi
args=(-n "$n" --warmup "$warmup" --rss-runs "$rss_runs" --density "$density"
  --concurrency "$concurrency" --skiff "$skiff" --bundle "$bundle"
  --bundle-seccomp "$tmp/bundle-seccomp" --bundle-sleep "$tmp/bundle-sleep"
  --tmp "$tmp" --results "$here/results" ${floor:+--floor "$floor"})
case $view in
  v1)
    # The python driver and every runtime it starts live in this namespace.
    : >"$tmp/empty"
    unshare -m --propagation private sh -c '
      mount --bind "$0" /sys/fs/cgroup/unified/cgroup.controllers || exit 1
      exec python3 "$@"' "$tmp/empty" "$here/bench.py" \
      --view "v1 controllers (cgroup2's controller list hidden in a private mount namespace)" \
      "${args[@]}"
    ;;
  host)
    python3 "$here/bench.py" --view "host ($(stat -fc %T /sys/fs/cgroup))" "${args[@]}"
    ;;
  *) echo "bench: --view v1|host" >&2; exit 2 ;;
esac
