#!/bin/bash
# Quick start: build skiff and run a busybox container with it.
#   bash tests/quickstart.sh        (as root on Debian 12)
# Installs missing build packages, builds skiff in build/, makes a bundle
# from Debian's busybox-static (a rootfs with busybox and its applet
# symlinks, config.json from `skiff spec`), runs it with `skiff run` and
# prints what the container printed.
set -eu
cd "$(dirname "$0")/.."
SRCDIR=$(pwd)
export DEBIAN_FRONTEND=noninteractive

say () { printf '==> %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (containers need it)" >&2; exit 1; }

PACKAGES="autoconf automake libtool pkg-config make gcc libc6-dev
  libseccomp-dev libcap-dev libyajl-dev busybox-static python3"
missing=()
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

say "building skiff in build/"
./autogen.sh >/dev/null
mkdir -p build
(cd build && "$SRCDIR/configure" -q)
if ! make -C build -j"$(nproc 2>/dev/null || echo 2)" >build/quickstart-make.log 2>&1; then
  tail -40 build/quickstart-make.log >&2
  echo "quickstart: the build failed (full log: build/quickstart-make.log)" >&2
  exit 1
fi
SKIFF=$SRCDIR/build/skiff

DEMO=$(mktemp -d /tmp/skiff-demo.XXXXXX)
ID=skiff-demo-$$
cleanup () {
  "$SKIFF" --root "$DEMO/state" delete --force "$ID" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$DEMO"
}
trap cleanup EXIT

say "making a busybox bundle in $DEMO/bundle"
rootfs=$DEMO/bundle/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
"$SKIFF" spec --bundle "$DEMO/bundle"
python3 - "$DEMO/bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", "echo hello from skiff; uname -a; id; hostname"]
json.dump(c, open(path, "w"), indent=2)
EOF

say "skiff run --bundle $DEMO/bundle $ID"
rc=0
"$SKIFF" --root "$DEMO/state" run --bundle "$DEMO/bundle" "$ID" </dev/null || rc=$?
say "container exited with status $rc"
exit "$rc"
