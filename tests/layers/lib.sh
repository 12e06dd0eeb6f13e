# Shared functions for tests/layers/*.sh (sourced, not run).
#
# A layer is one script tests/layers/NN-name.sh, run by tests/run-all.sh in
# name order as   bash NN-name.sh BUILDDIR SRCDIR   from the source tree.
# Contract:
#   - it installs what it needs itself (need_packages), as CI has nothing;
#   - it prints test results and ends with a line `N passed, N failed[, N skipped]`;
#   - exit 0: passed; exit 77: skipped as a whole, the reason on a line
#     `SKIP: reason` (only where this machine makes the layer impossible);
#     anything else: failed;
#   - it leaves nothing behind (processes, mounts, cgroups, temp dirs), also
#     on failure;
#   - downloads and images go to a cache keyed by content under
#     ${SKIFF_CACHE:-/var/cache/skiff} (see cache_dir).
# run-all.sh prints each layer's wall time.

export DEBIAN_FRONTEND=noninteractive

layer_log () { echo "$LAYER_NAME: $*" >&2; }

# need_packages PKG...: install the missing ones (apt-get update once per run).
need_packages () {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -n "${SKIFF_NO_APT:-}" ] || [ "$(id -u)" != 0 ]; then
    layer_log "missing packages: ${missing[*]} (not installing: SKIFF_NO_APT or not root)"
    return 1
  fi
  layer_log "installing: ${missing[*]}"
  # Another layer (or a person) may hold apt's lock: wait for it.
  local stamp=/var/lib/apt/lists/.skiff-updated
  if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -q >&2 && touch "$stamp"
  fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
}

# cache_dir NAME KEY...: a directory for NAME whose name carries a hash of
# KEY... (the inputs it is built from); prints its path.  Callers build into
# it under flock and mark it complete with a `.done` file.
cache_dir () {
  local name=$1; shift
  local h
  h=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  local d=${SKIFF_CACHE:-/var/cache/skiff}/$name-$h
  mkdir -p "$d" && echo "$d"
}

# qemu_usable: 0 when qemu-system-x86_64 can start here (TCG at least).
qemu_usable () {
  command -v qemu-system-x86_64 >/dev/null || return 1
  echo quit | timeout 60 qemu-system-x86_64 -accel tcg -M none -display none \
    -nodefaults -monitor stdio >/dev/null 2>&1
}

# skip_layer REASON: print the reason and the summary line, exit 77.
skip_layer () {
  echo "SKIP: $*"
  echo "0 passed, 0 failed, 1 skipped"
  exit 77
}
