#!/bin/bash
# The systemd VM's root filesystem: a minimal Debian (systemd as PID 1,
# dbus, busybox-static, the libraries skiff links) built with mmdebstrap
# from Debian's archive, as an ext4 image (mkfs.ext4 -d).  Built once per
# content: the caller passes a cache directory whose name hashes PACKAGES
# and this script (tests/layers/60-vm-systemd.sh).
#
#   build-image.sh CACHEDIR     -> CACHEDIR/root.ext4 (+ .done)
#
# The image holds no skiff and no test unit: run.sh's initramfs copies the
# fresh build, the tests and their unit in at every boot (not cached).
set -u
OUT=${1:?usage: build-image.sh CACHEDIR}
SUITE=${SKIFF_VM_SUITE:-bookworm}
MIRROR=${SKIFF_VM_MIRROR:-http://deb.debian.org/debian}
# Keep in sync with the layer's cache key (it hashes this line).
PACKAGES="systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,passwd,busybox-static,jq,libseccomp2,libcap2,libyajl2,libsystemd0,podman,conmon"
log () { echo "build-image: $*" >&2; }

[ -f "$OUT/.done" ] && exit 0
exec 9>"$OUT/.lock"
flock 9
[ -f "$OUT/.done" ] && exit 0
T0=$(date +%s)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/skiff-sdimg-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log "mmdebstrap $SUITE ($PACKAGES)"
mmdebstrap --variant=essential --include="$PACKAGES" \
  --customize-hook='echo skiff-vm >"$1/etc/hostname"' \
  --customize-hook='rm -f "$1/etc/machine-id" && touch "$1/etc/machine-id"' \
  --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" "$1/usr/share/doc" "$1/usr/share/man" "$1/usr/share/locale"' \
  "$SUITE" "$TMP/root" "$MIRROR" >&2 || { log "mmdebstrap failed"; exit 1; }
size=$(du -sm "$TMP/root" | cut -f1)
mkfs.ext4 -q -F -L skiffroot -d "$TMP/root" "$TMP/root.ext4" "$((size + 256))M" >&2 \
  || { log "mkfs.ext4 failed"; exit 1; }
mv "$TMP/root.ext4" "$OUT/root.ext4" && touch "$OUT/.done"
log "image built in $(( $(date +%s) - T0 ))s (${size} MB of files)"
