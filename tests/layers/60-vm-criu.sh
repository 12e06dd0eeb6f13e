#!/bin/bash
# The checkpoint/restore VM layer: Debian's CRIU cannot run on this
# machine's kernel (`criu check`: "vdso: Unexpected rt vDSO area bounds"),
# so skiff's checkpoint and restore are tested in the VM of the cgroup v2
# layer (Debian's own kernel), with CRIU, iproute2, iptables and the
# socket-diag and netfilter modules added (tests/vm/suite-criu.sh,
# tests/vm/guest-criu.sh), booted twice: cgroup v2, then hybrid cgroups.  The failures that need no working CRIU are
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
# Two boots of the same guest: the whole suite on pure cgroup v2, then the
# tests that go through the cgroups on systemd's hybrid layout (v1
# controllers, name=systemd, an empty cgroup2 at /sys/fs/cgroup/unified),
# which the guest lays out itself when booted with skiff.cgroup=hybrid
# (tests/vm/guest-criu-setup.sh).  Each boot's summary line is kept as a
# comment; the layer's own is the sum.  A hang guard per boot (TCG on a
# busy machine is slow).
pass=0 fail=0
for layout in v2 hybrid; do
  tb=$(date +%s)
  append=${SKIFF_VM_APPEND:-}
  [ "$layout" = hybrid ] && append="$append skiff.cgroup=hybrid"
  out=$(mktemp)
  SKIFF_VM_APPEND=$append SKIFF_VM_TIMEOUT=${SKIFF_VM_TIMEOUT:-1200} SKIFF_VM_SUITE=criu \
    "$SRC/tests/vm/run-vm.sh" "$BUILD" "$SRC" | tee "$out" \
    | sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/# '"$layout"' boot: \1/'
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  rm -f "$out"
  if [ -z "$line" ]; then
    fail=$((fail + 1))
  else
    pass=$((pass + ${line%% passed*}))
    f=${line#*passed, }
    fail=$((fail + ${f%% failed}))
  fi
  echo "$LAYER_NAME: $layout boot $(( $(date +%s) - tb ))s" >&2
done
echo "$LAYER_NAME: $(( $(date +%s) - T0 ))s" >&2
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
