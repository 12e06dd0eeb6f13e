#!/bin/bash
# The LSM VM layer: the same guest as the cgroup v2 layer (Debian's kernel,
# which has AppArmor built in), booted with AppArmor as the active LSM and
# apparmor_parser in the initramfs; tests/vm/guest-lsm.sh checks that
# process.apparmorProfile is applied at exec, confines, and fails clearly.
# This host's own kernel has no LSM enabled, so these cannot run on it.
set -u
BUILD=$1 SRC=$2
LAYER_NAME=vm-lsm
. "$SRC/tests/layers/lib.sh"
[ -n "${SKIFF_SKIP_VM:-}" ] && skip_layer "SKIFF_SKIP_VM is set"
need_packages qemu-system-x86 kmod cpio xz-utils busybox-static apparmor || exit 1
qemu_usable || skip_layer "qemu-system-x86_64 cannot start here"
if ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' \
    && [ -z "${SKIFF_NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
fi
make -C "$BUILD" skiff tests/probe/probe >/dev/null || exit 1
SKIFF_VM_TESTS=$SRC/tests/vm/guest-lsm.sh \
SKIFF_VM_APPEND="apparmor=1 security=apparmor" \
SKIFF_VM_BINS=/usr/sbin/apparmor_parser \
  exec "$SRC/tests/vm/run-vm.sh" "$BUILD" "$SRC"
