#!/bin/bash
# Benchmark skiff against crun and runc in one run (see bench/README.md).
#
#   bench/run.sh [-n N] [--warmup N] [--rss-runs N] [--skiff PATH]   (as root)
#
# Builds a bundle from Debian's busybox-static whose process is /bin/true,
# gives every runtime its own --root under one temp dir, and prints medians
# and ratios: create+start+wait+delete, run, peak RSS during create, binary
# size.  Nothing is asserted; the exit status is 0 unless a runtime failed
# an iteration or skiff cannot run at all.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)

n=50 warmup=3 rss_runs=10 skiff=${SKIFF:-}
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rss-runs) rss_runs=$2; shift 2 ;;
    --skiff) skiff=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
  esac
done

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

tmp=$(mktemp -d /tmp/skiff-bench.XXXXXX)
cleanup () {
  # lifecycle.py deletes its containers; this catches a crash of it.
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
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["ociVersion"] = "1.0.2"
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=2)
PY

python3 "$here/lifecycle.py" -n "$n" --warmup "$warmup" --rss-runs "$rss_runs" --skiff "$skiff" \
  --bundle "$bundle" --tmp "$tmp"
