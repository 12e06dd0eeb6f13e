#!/bin/bash
# Debian's kernel for the VM layers, downloaded once and cached:
#
#   kernel.sh MODULE...
#
# prints the kernel's cache directory, which holds:
#   vmlinux          the uncompressed ELF cut out of vmlinuz (qemu boots it
#                    through PVH, skipping vmlinuz's real-mode setup and
#                    decompressor: about half the boot time under TCG)
#   pkg/lib/modules/VERSION/   only MODULE... and what they depend on
#   insmod.list      those modules' paths (relative to pkg/), in load order
#   version          the kernel version
# The directory is keyed by version and module list, the .deb is kept, so
# another module list costs an unpack, not a download.
#
# Environment:
#   SKIFF_VM_CACHE   default /var/cache/skiff-vm
#   SKIFF_VM_KERNEL  package (default: what linux-image-amd64 depends on)
set -u
CACHE=${SKIFF_VM_CACHE:-/var/cache/skiff-vm}
log () { echo "kernel.sh: $*" >&2; }
for tool in dpkg-deb depmod modprobe xz apt-get; do
  command -v "$tool" >/dev/null || { log "\`$tool\` not found (apt-get install dpkg kmod xz-utils)"; exit 1; }
done
pkg=${SKIFF_VM_KERNEL:-$(apt-cache depends linux-image-amd64 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)}
[ -n "$pkg" ] || { log "cannot tell which kernel linux-image-amd64 depends on (apt-get update?)"; exit 1; }
kver=${pkg#linux-image-}
mods=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
key=$(printf '%s' "$mods" | sha256sum | cut -c1-8)
kdir=$CACHE/$kver-$key
mkdir -p "$CACHE" || { log "cannot create $CACHE"; exit 1; }
(
  flock 9
  [ -f "$kdir/.done" ] && exit 0
  deb=$(ls "$CACHE/${pkg}_"*.deb 2>/dev/null | head -1)
  if [ -z "$deb" ]; then
    log "downloading $pkg into $CACHE"
    # apt's sandbox user cannot write root's cache dir: download as root.
    (cd "$CACHE" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2) || exit 1
    deb=$(ls "$CACHE/${pkg}_"*.deb | head -1)
  fi
  rm -rf "$kdir" && mkdir -p "$kdir"
  dpkg-deb -x "$deb" "$kdir/pkg" || exit 1
  # The .deb carries no modules.dep (its postinst runs depmod).
  depmod -b "$kdir/pkg" "$kver" || exit 1
  : >"$kdir/insmod.list"
  if [ -n "$mods" ]; then
    # shellcheck disable=SC2086
    modprobe -d "$kdir/pkg" -S "$kver" -a --show-depends $mods \
      | sed -n "s|^insmod $kdir/pkg/\([^ ]*\).*|\1|p" | awk '!seen[$0]++' >"$kdir/insmod.list" \
      || exit 1
  fi
  # Keep only those (the tree is ~450 MB): one pass, not a process per file.
  (cd "$kdir/pkg" && find "lib/modules/$kver/kernel" -name '*.ko*' \
     | grep -vxFf "$kdir/insmod.list" | xargs -r rm -f) || exit 1
  off=$(LC_ALL=C grep -abo $'\xfd7zXZ' "$kdir/pkg/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
  [ -n "$off" ] || { log "no xz stream in vmlinuz"; exit 1; }
  tail -c +$((off + 1)) "$kdir/pkg/boot/vmlinuz-$kver" | xz -dc --single-stream >"$kdir/vmlinux" 2>/dev/null
  [ -s "$kdir/vmlinux" ] && head -c 4 "$kdir/vmlinux" | grep -q ELF || { log "vmlinux extraction failed"; exit 1; }
  echo "$kver" >"$kdir/version"
  touch "$kdir/.done"
) 9>"$CACHE/.lock" || { log "kernel $pkg: download or unpack failed"; exit 1; }
echo "$kdir"
