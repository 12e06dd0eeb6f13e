#!/bin/bash
# Boot the systemd VM and run the systemd-driver tests in it: Debian's
# kernel (tests/vm/kernel.sh) with a small initramfs that mounts the cached
# root image (build-image.sh) and copies in this build's skiff, the probe,
# a test bundle and guest-tests.sh; systemd as PID 1 on pure cgroup v2 runs
# skiff-tests.target, whose service prints `ok N` / `not ok N` lines on the
# serial console and powers off.  Prints `N passed, N failed`.
#
#   run.sh BUILDDIR SRCDIR IMAGE
#
# Environment: SKIFF_VM_TIMEOUT (default 1500 s), SKIFF_VM_ONLY (run only
# tests whose name matches this extended regular expression), SKIFF_VM_CACHE (kernel cache),
# SKIFF_VM_SD_CGROUP: v2 (default: pure cgroup v2) or hybrid (systemd 252's
# systemd.unified_cgroup_hierarchy=0: v1 controller hierarchies plus
# cgroup2 at /sys/fs/cgroup/unified, where systemd tracks its units) or
# legacy (v1 only, systemd.legacy_systemd_cgroup_controller=1).
set -u
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
IMG=$3
TIMEOUT=${SKIFF_VM_TIMEOUT:-1500}
LAYOUT=${SKIFF_VM_SD_CGROUP:-v2}
case $LAYOUT in
  v2) CGARGS="systemd.unified_cgroup_hierarchy=1" ;;
  hybrid) CGARGS="systemd.unified_cgroup_hierarchy=0" ;;
  # Not in the layer's default list (time): v1 only, name=systemd tracking.
  legacy) CGARGS="systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=1" ;;
  *) echo "vm-systemd: SKIFF_VM_SD_CGROUP=$LAYOUT: expected v2, hybrid or legacy" >&2; echo "0 passed, 1 failed"; exit 1 ;;
esac
T0=$(date +%s)
die () { echo "vm-systemd: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
log () { echo "vm-systemd: $*" >&2; }

[ -x "$BUILD/skiff" ] || die "no $BUILD/skiff: build first"
[ -x "$BUILD/tests/probe/probe" ] || die "no $BUILD/tests/probe/probe: build first"
ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is not static: apt-get install busybox-static"
# bfq: its blkio.bfq.weight (v1) / io.bfq.weight is where blockIO.weight goes
# on a kernel without CFQ.
kdir=$("$SRC/tests/vm/kernel.sh" virtio_pci virtio_blk ext4 bfq) || die "kernel: download or unpack failed"
kver=$(cat "$kdir/version")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skiff-vmsd-XXXXXX")
QPID=
cleanup () {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# ------------------------------------------------------------ initramfs
IR=$WORK/ir
P=$IR/payload
mkdir -p "$IR"/{bin,proc,sys,dev,newroot} "$P/usr/local/sbin" "$P/etc/systemd/system" \
  "$P/skiff-tests/bundle/rootfs"/{bin,proc,sys,dev,tmp,etc,root}
cp /bin/busybox "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"
cp "$SRC/tests/vm/systemd/init" "$IR/init"
chmod +x "$IR/init"
cp "$kdir/insmod.list" "$IR/insmod.list"
while read -r m; do
  mkdir -p "$IR/$(dirname "$m")" && cp "$kdir/pkg/$m" "$IR/$m"
done <"$kdir/insmod.list"
# This run's skiff (not cached): the image has its libraries (same suite).
cp "$BUILD/skiff" "$P/usr/local/sbin/skiff"
cp "$SRC/tests/vm/systemd/guest-tests.sh" "$P/skiff-tests/guest-tests.sh"
chmod +x "$P/skiff-tests/guest-tests.sh"
echo "${SKIFF_VM_ONLY:-}" >"$P/skiff-tests/only"
echo "$LAYOUT" >"$P/skiff-tests/layout"
B=$P/skiff-tests/bundle/rootfs
cp /bin/busybox "$B/bin/busybox"
for a in $(/bin/busybox --list); do [ -e "$B/bin/$a" ] || ln -s busybox "$B/bin/$a"; done
cp "$BUILD/tests/probe/probe" "$B/probe"
echo 'root:x:0:0:root:/root:/bin/sh' >"$B/etc/passwd"
echo 'root:x:0:' >"$B/etc/group"
# The test unit: runs the tests, powers off whatever their outcome.  No
# getty: the target pulls only basic.target and the tests.
cat >"$P/etc/systemd/system/skiff-tests.target" <<'EOF'
[Unit]
Description=skiff systemd-driver tests
Requires=basic.target skiff-tests.service
After=basic.target
AllowIsolate=yes
EOF
cat >"$P/etc/systemd/system/skiff-tests.service" <<'EOF'
[Unit]
Description=skiff systemd-driver tests
Requires=dbus.socket
After=basic.target dbus.socket
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/skiff-tests/guest-tests.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TimeoutStartSec=infinity
EOF
# Boot-time work these tests do not need costs tens of seconds under TCG:
# mask it (first-boot jobs, TPM measurements, binfmt, debug filesystems).
for u in systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-firstboot.service \
    systemd-journal-flush.service systemd-machine-id-commit.service \
    systemd-modules-load.service systemd-pcrphase-sysinit.service systemd-pcrphase.service \
    systemd-random-seed.service systemd-repart.service systemd-sysusers.service \
    systemd-update-utmp.service systemd-pstore.service sys-fs-fuse-connections.mount \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
    kmod-static-nodes.service systemd-ask-password-console.path ldconfig.service \
    systemd-journal-catalog-update.service systemd-hwdb-update.service; do
  ln -s /dev/null "$P/etc/systemd/system/$u"
done
(cd "$IR" && find . | cpio -o -H newc --quiet >"$WORK/initramfs.cpio") || die "cpio failed"

# ------------------------------------------------------------ boot
# TCG: this machine kind's /dev/kvm (kvm_pvm) cannot boot Debian's kernel
# (../shared notes: tests/vm/run-vm.sh has the same rule).
accel=tcg cpu=max
if [ "${SKIFF_VM_ACCEL:-auto}" = kvm ] || { [ "${SKIFF_VM_ACCEL:-auto}" = auto ] \
     && [ ! -d /sys/module/kvm_pvm ] && [ -w /dev/kvm ]; }; then
  accel=kvm cpu=host
fi
SERIAL=$WORK/serial.log
: >"$SERIAL"
log "booting $kver with systemd ($accel, cgroup $LAYOUT), image $IMG"
qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 1024 -smp 2 \
  -kernel "$kdir/vmlinux" -initrd "$WORK/initramfs.cpio" \
  -drive "file=$IMG,format=raw,if=virtio,snapshot=on" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init systemd.unit=skiff-tests.target $CGARGS systemd.firstboot=off systemd.show_status=0" \
  -display none -nodefaults -nic none -serial "file:$SERIAL" -no-reboot &
QPID=$!
shown=0
while kill -0 "$QPID" 2>/dev/null; do
  total=$(wc -l <"$SERIAL")
  if [ "$total" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${total}p" "$SERIAL" | tr -d '\r'
    shown=$total
  fi
  if [ $(( $(date +%s) - T0 )) -ge "$TIMEOUT" ]; then
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

pass=$(tr -d '\r' <"$SERIAL" | grep -c '^ok [0-9]')
fail=$(tr -d '\r' <"$SERIAL" | grep -c '^not ok [0-9]')
if ! grep -q '^# skiff-vm: done' "$SERIAL"; then
  log "the guest did not finish its tests (see the serial output above)"
  fail=$((fail + 1))
fi
[ "$pass" -eq 0 ] && [ "$fail" -eq 0 ] && fail=1
log "accel=$accel kernel=$kver cgroup=$LAYOUT boot+tests $(( $(date +%s) - T0 ))s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
