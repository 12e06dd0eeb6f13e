#!/bin/bash
# The pure cgroup v2 VM layer (tests/vm/run-vm.sh through `make check-vm`).
set -u
BUILD=$1 SRC=$2
LAYER_NAME=vm-cgroup2
. "$SRC/tests/layers/lib.sh"
[ -n "${SKIFF_SKIP_VM:-}" ] && skip_layer "SKIFF_SKIP_VM is set"
need_packages qemu-system-x86 kmod cpio xz-utils busybox-static || exit 1
qemu_usable || skip_layer "qemu-system-x86_64 cannot start here"
# The VM layer asks apt which kernel linux-image-amd64 depends on: a
# machine that had every package already may have no package lists.
if ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' \
    && [ -z "${SKIFF_NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
fi
exec make -C "$BUILD" check-vm
