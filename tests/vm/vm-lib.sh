# Shared by the VM test layers (sourced by tests/vm/run-vm.sh): Debian's
# kernel from the cache, an initramfs with busybox, skiff and whatever a
# suite adds, and the modules a suite needs.
#
# Functions (they call vm_die on failure):
#   vm_kernel              sets kver, kdir, mods; downloads and unpacks once
#   vm_modules NAME...     makes sure these modules and their dependencies
#                          are in the cache (re-extracting the kept .deb when
#                          a suite asks for one the cache pruned), prints the
#                          relative paths, dependencies first
#   vm_add_modules IR NAME...  copies them into IR/lib/modules/ with a
#                          load-order list IR/lib/modules/load
#   vm_add_binary IR PATH...   a binary at its path plus its ldd libraries
#   vm_add_libs IR PATH...     only the libraries
#   vm_base_initramfs IR BUILD SRC   busybox, skiff and its libraries, the
#                          test bundle (busybox rootfs and the probe)

vm_log () { echo "check-vm: $*" >&2; }
vm_die () { echo "check-vm: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# The modules every suite may ask for are kept from the 450 MB tree; the
# others are deleted after unpacking.
vm_kernel () {
  local pkg
  pkg=${SKIFF_VM_KERNEL:-$(apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)}
  [ -n "$pkg" ] || vm_die "cannot tell which kernel linux-image-amd64 depends on (apt-get update?)"
  kver=${pkg#linux-image-}
  kdir=$CACHE/$kver
  mkdir -p "$CACHE" || vm_die "cannot create $CACHE"
  (
    flock 9
    if [ ! -f "$kdir/.done" ]; then
      local deb off
      deb=$(_vm_deb "$pkg") || exit 1
      rm -rf "$kdir" && mkdir -p "$kdir"
      dpkg-deb -x "$deb" "$kdir/pkg" || exit 1
      # The .deb carries no modules.dep (its postinst runs depmod).
      depmod -b "$kdir/pkg" "$kver" || exit 1
      find "$kdir/pkg/lib/modules/$kver/kernel" -name '*.ko*' ! -name 'brd.ko*' -delete
      # vmlinux boots through PVH, skipping vmlinuz's real-mode setup and
      # decompressor: about half the boot time under TCG.  Cut it out at the
      # xz stream inside vmlinuz.
      off=$(LC_ALL=C grep -abo $'\xfd7zXZ' "$kdir/pkg/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
      [ -n "$off" ] || { echo "no xz stream in vmlinuz" >&2; exit 1; }
      tail -c +$((off + 1)) "$kdir/pkg/boot/vmlinuz-$kver" | xz -dc --single-stream >"$kdir/vmlinux" 2>/dev/null
      [ -s "$kdir/vmlinux" ] && head -c 4 "$kdir/vmlinux" | grep -q ELF || { echo "vmlinux extraction failed" >&2; exit 1; }
      touch "$kdir/.done"
    fi
  ) 9>"$CACHE/.lock" || vm_die "kernel $pkg: download or unpack failed"
  VM_PKG=$pkg
  mods=$kdir/pkg/lib/modules/$kver
}

# The .deb, downloaded into the cache once.
_vm_deb () {
  local pkg=$1 deb
  deb=$(ls "$CACHE/${pkg}_"*.deb 2>/dev/null | head -1)
  if [ -z "$deb" ]; then
    vm_log "downloading $pkg into $CACHE"
    # apt's sandbox user cannot write root's cache dir: download as root.
    (cd "$CACHE" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2) || return 1
    deb=$(ls "$CACHE/${pkg}_"*.deb | head -1)
  fi
  echo "$deb"
}

# Relative paths (kernel/...) of NAME and its dependencies, deps first.
_vm_mod_paths () {
  local name=$1 line path deps d
  line=$(grep -E "(^|/)${name//_/[-_]}\.ko(\.[a-z]+)?:" "$mods/modules.dep" | head -1)
  [ -n "$line" ] || return 1
  path=${line%%:*}
  deps=${line#*:}
  for d in $deps; do echo "$d"; done | tac
  echo "$path"
}

vm_modules () {
  local name p missing=0 all=()
  for name in "$@"; do
    local ps
    ps=$(_vm_mod_paths "$name") || vm_die "module $name: not in $kver's modules.dep (built in?)"
    for p in $ps; do
      all+=("$p")
      [ -f "$mods/$p" ] || missing=1
    done
  done
  if [ "$missing" = 1 ]; then
    (
      flock 9
      local tmp deb
      deb=$(_vm_deb "$VM_PKG") || exit 1
      tmp=$(mktemp -d "$CACHE/.x-XXXXXX")
      dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; exit 1; }
      for p in "${all[@]}"; do
        mkdir -p "$(dirname "$mods/$p")"
        cp "$tmp/lib/modules/$kver/$p" "$mods/$p" || { rm -rf "$tmp"; exit 1; }
      done
      rm -rf "$tmp"
    ) 9>"$CACHE/.lock" || vm_die "modules $*: extraction failed"
  fi
  # Each once, first occurrence wins (dependencies come first).
  printf '%s\n' "${all[@]}" | awk '!seen[$0]++'
}

vm_add_modules () {
  local ir=$1 p list
  shift
  list=$(vm_modules "$@") || vm_die "modules $*"
  mkdir -p "$ir/lib/modules"
  for p in $list; do
    cp "$mods/$p" "$ir/lib/modules/" || vm_die "copy module $p"
    basename "$p" >>"$ir/lib/modules/load"
  done
}

# The shared libraries and the loader of each binary, at the paths ldd names.
vm_add_libs () {
  local ir=$1 b lib
  shift
  for b in "$@"; do
    for lib in $(ldd "$b" 2>/dev/null | grep -o '/[^ ]*'); do
      [ -e "$ir$lib" ] && continue
      mkdir -p "$ir$(dirname "$lib")"
      cp -L "$lib" "$ir$lib"
    done
  done
}

vm_add_binary () {
  local ir=$1 b
  shift
  for b in "$@"; do
    mkdir -p "$ir$(dirname "$b")"
    cp -L "$b" "$ir$b" || vm_die "copy $b"
    vm_add_libs "$ir" "$b"
  done
}

vm_base_initramfs () {
  local ir=$1 build=$2 src=$3 a
  mkdir -p "$ir"/{bin,sbin,proc,sys,dev,tmp,run,etc,lib/modules,newroot,tests,usr/sbin}
  cp /bin/busybox "$ir/bin/busybox"
  ln -s busybox "$ir/bin/sh"
  cp "$build/skiff" "$ir/usr/sbin/skiff"
  vm_add_libs "$ir" "$build/skiff"
  vm_add_modules "$ir" brd
  # The bundle's rootfs: busybox and, when built, the static probe.
  local b=$ir/bundle/rootfs
  mkdir -p "$b"/{bin,proc,sys,dev,tmp,etc,root}
  cp /bin/busybox "$b/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$b/bin/$a" ] || ln -s busybox "$b/bin/$a"; done
  [ -x "$build/tests/probe/probe" ] && cp "$build/tests/probe/probe" "$b/probe"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$b/etc/passwd"
  echo 'root:x:0:' >"$b/etc/group"
  cp "$src/tests/vm/init" "$ir/init"
  chmod +x "$ir/init"
}
