#!/bin/bash
# The LSM VM layer: the guest of the cgroup v2 layer (Debian's kernel, which
# has AppArmor and SELinux built in), booted twice:
#   1. AppArmor active, apparmor_parser in the initramfs: tests/vm/guest-lsm.sh
#      checks that process.apparmorProfile is applied at exec and confines;
#   2. SELinux active with Debian's selinux-policy-default loaded (permissive):
#      tests/vm/guest-selinux.sh checks selinuxLabel and mountLabel.
# This host's own kernel has no LSM enabled, so none of this can run on it.
set -u
BUILD=$1 SRC=$2
LAYER_NAME=vm-lsm
. "$SRC/tests/layers/lib.sh"
[ -n "${SKIFF_SKIP_VM:-}" ] && skip_layer "SKIFF_SKIP_VM is set"
need_packages qemu-system-x86 kmod cpio xz-utils busybox-static apparmor \
  selinux-policy-default policycoreutils || exit 1
qemu_usable || skip_layer "qemu-system-x86_64 cannot start here"
if ! apt-cache depends linux-image-amd64 2>/dev/null | grep -q 'Depends: linux-image-[0-9]' \
    && [ -z "${SKIFF_NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
fi
make -C "$BUILD" skiff tests/probe/probe >/dev/null || exit 1

p=0 f=0
boot () {
  local out
  out=$(mktemp)
  "$SRC/tests/vm/run-vm.sh" "$BUILD" "$SRC" 2>&1 | tee "$out"
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  rm -f "$out"
  if [ -z "$line" ]; then
    f=$((f + 1))
    return
  fi
  p=$((p + ${line%% passed*}))
  line=${line#*passed, }
  f=$((f + ${line%% failed*}))
}

echo "# AppArmor"
SKIFF_VM_TESTS=$SRC/tests/vm/guest-lsm.sh \
SKIFF_VM_APPEND="apparmor=1 security=apparmor" \
SKIFF_VM_BINS=/usr/sbin/apparmor_parser \
  boot
echo "# SELinux (permissive, Debian's default policy)"
SKIFF_VM_TESTS=$SRC/tests/vm/guest-selinux.sh \
SKIFF_VM_APPEND="security=selinux selinux=1 enforcing=0" \
SKIFF_VM_BINS=/usr/sbin/load_policy \
SKIFF_VM_DIRS=/etc/selinux \
  boot
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
