#!/bin/bash
# The systemd VM layer: the systemd cgroup driver (--systemd-cgroup) against
# a real systemd, PID 1 of a Debian VM, booted twice: on pure cgroup v2 and
# on systemd's hybrid layout (tests/vm/systemd/).
# The root image is built once with mmdebstrap and cached by content; the
# kernel is the one tests/vm/kernel.sh caches for the VM layers.
set -u
BUILD=$1 SRC=$2
LAYER_NAME=vm-systemd
. "$SRC/tests/layers/lib.sh"
T0=$(date +%s)
[ -n "${SKIFF_SKIP_VM:-}" ] && skip_layer "SKIFF_SKIP_VM is set"
need_packages qemu-system-x86 mmdebstrap e2fsprogs kmod cpio xz-utils busybox-static \
  libsystemd-dev || exit 1
qemu_usable || skip_layer "qemu-system-x86_64 cannot start here"
grep -q '^#define HAVE_SYSTEMD 1' "$BUILD/config.h" 2>/dev/null \
  || { echo "skiff was built without libsystemd (configure did not find libsystemd-dev): rebuild"; echo "0 passed, 1 failed"; exit 1; }
if ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' \
    && [ -z "${SKIFF_NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
fi
make -C "$BUILD" skiff tests/probe/probe >&2 || { echo "0 passed, 1 failed"; exit 1; }
# The image: keyed by the build script (which names the packages).
IMGDIR=$(cache_dir vm-systemd "$(cat "$SRC/tests/vm/systemd/build-image.sh")")
if [ ! -f "$IMGDIR/.done" ]; then
  tb=$(date +%s)
  "$SRC/tests/vm/systemd/build-image.sh" "$IMGDIR" || { echo "0 passed, 1 failed"; exit 1; }
  layer_log "root image built in $(( $(date +%s) - tb ))s"
fi
# Two boots of the same image: pure cgroup v2, then systemd's hybrid
# layout (v1 controllers; the driver's v1 path).  SKIFF_VM_SD_LAYOUTS
# narrows it (e.g. "hybrid" while working on one).
pass=0 fail=0 rc=0
for layout in ${SKIFF_VM_SD_LAYOUTS:-v2 hybrid}; do
  tb=$(date +%s)
  # The boot's output goes on to stderr line by line (not `tee
  # /dev/stderr`: reopening a stderr that is a file truncates it); its
  # last line is the count.
  out=$(SKIFF_VM_SD_CGROUP=$layout "$SRC/tests/vm/systemd/run.sh" "$BUILD" "$SRC" "$IMGDIR/root.ext4" \
        | { last=; while IFS= read -r l; do printf '%s\n' "$l" >&2; last=$l; done; printf '%s\n' "$last"; })
  read -r p _ f _ <<<"$out"
  [[ "$p" =~ ^[0-9]+$ && "$f" =~ ^[0-9]+$ ]] || { p=0 f=1; }
  layer_log "cgroup $layout: $p passed, $f failed in $(( $(date +%s) - tb ))s"
  pass=$((pass + p)) fail=$((fail + f))
done
layer_log "layer time $(( $(date +%s) - T0 ))s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
