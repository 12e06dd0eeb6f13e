#!/bin/bash
# The checkpoint/restore VM layer: Debian's CRIU cannot run on this
# machine's kernel (`criu check`: "vdso: Unexpected rt vDSO area bounds"),
# so skiff's checkpoint and restore are tested in the VM of the cgroup v2
# layer (Debian's own kernel), with CRIU, iproute2, iptables and the
# socket-diag and netfilter modules added (tests/vm/suite-criu.sh,
# tests/vm/guest-criu.sh).  The failures that need no working CRIU are
# also host tests (tests/integration/checkpoint.bats).
set -u
BUILD=$1 SRC=$2
LAYER_NAME=vm-criu
. "$SRC/tests/layers/lib.sh"
[ -n "${SKIFF_SKIP_VM:-}" ] && skip_layer "SKIFF_SKIP_VM is set"
need_packages qemu-system-x86 kmod cpio xz-utils busybox-static criu iproute2 iptables || exit 1
qemu_usable || skip_layer "qemu-system-x86_64 cannot start here"
if ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' \
    && [ -z "${SKIFF_NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
fi
T0=$(date +%s)
make -C "$BUILD" skiff tests/probe/probe tests/helpers/recvtty >/dev/null || exit 1
# A hang guard for the whole guest run (TCG on a busy machine is slow).
SKIFF_VM_TIMEOUT=${SKIFF_VM_TIMEOUT:-1500} SKIFF_VM_SUITE=criu "$SRC/tests/vm/run-vm.sh" "$BUILD" "$SRC"
rc=$?
echo "$LAYER_NAME: $(( $(date +%s) - T0 ))s" >&2
exit $rc
