#!/bin/bash
# The pure cgroup v2 test layer: boot Debian's own kernel in qemu with an
# initramfs holding busybox, the freshly built skiff (and its shared
# libraries), a test bundle and tests/vm/guest-tests.sh; parse the guest's
# `ok N - name` / `not ok N - name` lines from the serial console; print
# `N passed, N failed` and exit non-zero on any failure, a boot that never
# reached the tests, or a guest that did not finish.
#
#   run-vm.sh BUILDDIR [SRCDIR]
#
# Environment:
#   SKIFF_VM_CACHE   kernel cache (default /var/cache/skiff-vm): the .deb is
#                    downloaded once with `apt-get download`, unpacked, and
#                    vmlinux is cut out of vmlinuz; reruns reuse all of it
#   SKIFF_VM_KERNEL  package to use (default: what linux-image-amd64 depends on)
#   SKIFF_VM_ACCEL   tcg | kvm | auto (default auto: KVM when /dev/kvm works and
#                    is not kvm_pvm, falling back to TCG if the guest prints
#                    nothing within SKIFF_VM_STALL seconds, default 60)
#   SKIFF_VM_TIMEOUT whole-run limit in seconds (default 900)
#   SKIFF_VM_ONLY    run only guest tests whose name contains this string
#   SKIFF_VM_TESTS   the guest test script (default tests/vm/guest-tests.sh,
#                    the cgroup v2 suite); other layers boot the same guest
#                    with their own script (tests/layers/*-vm-*.sh)
#   SKIFF_VM_APPEND  extra kernel command line (e.g. to pick the LSM)
#   SKIFF_VM_BINS    extra host programs for the guest, copied with the
#                    shared libraries ldd names (space-separated paths)
#   SKIFF_VM_DIRS    extra host directories copied to the same path
#   SKIFF_VM_SUITE   NAME of a tests/vm/suite-NAME.sh whose suite_initramfs
#                    adds more (modules, tools, its guest script): criu
#   SKIFF_VM_MEM     guest memory in MB (default 1536)
set -u
BUILD=$(cd "${1:?usage: run-vm.sh BUILDDIR [SRCDIR]}" && pwd)
SRC=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
CACHE=${SKIFF_VM_CACHE:-/var/cache/skiff-vm}
TIMEOUT=${SKIFF_VM_TIMEOUT:-900}
STALL=${SKIFF_VM_STALL:-60}
T0=$(date +%s)

die () { echo "check-vm: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
log () { echo "check-vm: $*" >&2; }

for tool in qemu-system-x86_64 busybox cpio dpkg-deb depmod xz; do
  command -v "$tool" >/dev/null || die "\`$tool\` not found (apt-get install qemu-system-x86 busybox-static cpio dpkg kmod xz-utils)"
done
[ -x "$BUILD/skiff" ] || die "no $BUILD/skiff: build first"
ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is not static: apt-get install busybox-static"

# ------------------------------------------------------------------ kernel
. "$SRC/tests/vm/vm-lib.sh"
vm_kernel

# ------------------------------------------------------------------ initramfs
WORK=$(mktemp -d "${TMPDIR:-/tmp}/skiff-vm-XXXXXX")
QPID=
cleanup () {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
IR=$WORK/root
vm_base_initramfs "$IR" "$BUILD" "$SRC"
cp "${SKIFF_VM_TESTS:-$SRC/tests/vm/guest-tests.sh}" "$IR/tests/guest-tests.sh"
cp "$SRC/tests/vm/guest-lib.sh" "$IR/tests/guest-lib.sh"
for d in ${SKIFF_VM_DIRS:-}; do
  [ -d "$d" ] || die "SKIFF_VM_DIRS: \`$d\` is not a directory"
  mkdir -p "$IR$(dirname "$d")"
  cp -a "$d" "$IR$(dirname "$d")/"
done
# Extra programs a layer's guest tests need, with their libraries.
for bin in ${SKIFF_VM_BINS:-}; do
  [ -x "$bin" ] || die "SKIFF_VM_BINS: \`$bin\` is not an executable"
  vm_add_binary "$IR" "$bin"
done
# A suite adds what it needs to the initramfs (tests/vm/suite-NAME.sh).
if [ -n "${SKIFF_VM_SUITE:-}" ]; then
  [ -f "$SRC/tests/vm/suite-$SKIFF_VM_SUITE.sh" ] \
    || die "no suite \`$SKIFF_VM_SUITE\` (tests/vm/suite-$SKIFF_VM_SUITE.sh)"
  . "$SRC/tests/vm/suite-$SKIFF_VM_SUITE.sh"
  suite_initramfs "$IR" || die "suite $SKIFF_VM_SUITE: initramfs"
fi
chmod +x "$IR/init" "$IR/tests/guest-tests.sh"
echo "${SKIFF_VM_ONLY:-}" >"$IR/tests/only"
# Uncompressed: the guest kernel unpacks it faster than it could inflate it.
(cd "$IR" && find . | cpio -o -H newc --quiet >"$WORK/initramfs.cpio") || die "cpio failed"

# ------------------------------------------------------------------ boot
# /dev/kvm on this kind of machine may be kvm_pvm (software nested
# virtualisation), under which an unmodified Debian kernel never finishes
# booting: never try KVM there.
accel=${SKIFF_VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
  if [ -d /sys/module/kvm_pvm ]; then
    accel=tcg
    log "kvm_pvm provides /dev/kvm here: using TCG"
  elif [ -w /dev/kvm ]; then
    accel=kvm
  else
    accel=tcg
  fi
fi

SERIAL=$WORK/serial.log
boot () {
  local a=$1 cpu
  [ "$a" = kvm ] && cpu=host || cpu=max
  : >"$SERIAL"
  qemu-system-x86_64 -accel "$a" -cpu "$cpu" -m "${SKIFF_VM_MEM:-1536}" -smp 2 \
    -kernel "$kdir/vmlinux" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init ${SKIFF_VM_APPEND:-}" \
    -display none -nodefaults -nic none -serial "file:$SERIAL" -no-reboot &
  QPID=$!
}

finished () { grep -q '^# skiff-vm: done' "$SERIAL" 2>/dev/null; }

log "booting $kver with $accel (serial log: $SERIAL)"
boot "$accel"
tb=$(date +%s)
shown=0
while kill -0 "$QPID" 2>/dev/null; do
  now=$(date +%s)
  # Stream the guest's lines as they come (tee-like; the file is raw).
  total=$(wc -l <"$SERIAL")
  if [ "$total" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${total}p" "$SERIAL" | tr -d '\r'
    shown=$total
  fi
  if [ "$accel" = kvm ] && [ ! -s "$SERIAL" ] && [ $((now - tb)) -ge "$STALL" ]; then
    log "no serial output after ${STALL}s with KVM: retrying with TCG"
    kill "$QPID"; wait "$QPID" 2>/dev/null
    accel=tcg
    boot tcg
    tb=$(date +%s)
    shown=0
    continue
  fi
  if [ $((now - T0)) -ge "$TIMEOUT" ]; then
    log "timed out after ${TIMEOUT}s"
    kill "$QPID"
    break
  fi
  sleep 1
done
wait "$QPID" 2>/dev/null
QPID=
total=$(wc -l <"$SERIAL")
[ "$total" -gt "$shown" ] && sed -n "$((shown + 1)),${total}p" "$SERIAL" | tr -d '\r'

# ------------------------------------------------------------------ verdict
pass=$(tr -d '\r' <"$SERIAL" | grep -c '^ok [0-9]')
fail=$(tr -d '\r' <"$SERIAL" | grep -c '^not ok [0-9]')
elapsed=$(( $(date +%s) - T0 ))
if ! finished; then
  log "the guest did not finish its tests (see the serial output above)"
  fail=$((fail + 1))
fi
if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
  fail=1
fi
log "accel=$accel kernel=$kver boot+tests ${elapsed}s (from start, including initramfs build)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
