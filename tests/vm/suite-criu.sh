# The checkpoint/restore VM suite (sourced by tests/vm/run-vm.sh with
# SKIFF_VM_SUITE=criu): Debian's CRIU and the tools it runs, the kernel
# modules its socket dumps and network lock need, tests/vm/guest-criu.sh.
#
# What CRIU needs in the guest, and why:
#   criu            /usr/sbin/criu, its libraries (ldd)
#   tar, gzip       CRIU saves a tmpfs's content with GNU tar options
#                   (busybox tar refuses them)
#   ip              CRIU saves and restores a network namespace's links,
#                   addresses and routes with `ip ... save|restore`
#   iptables-*      ... and its iptables rules with iptables-save/-restore,
#                   and locks the network of a dumped network namespace with
#                   iptables-restore (-m mark: the xtables extensions, which
#                   iptables loads with dlopen, not in its ldd list)
#   *_diag modules  sockets are found through sock_diag netlink: unix,
#                   inet (tcp, udp), netlink, packet
#   nf_tables       the nftables network lock, when it is used
#   nf_conntrack_netlink   every dump of a network namespace reads its
#                   conntrack table (even with --empty-ns network); without
#                   the module the kernel answers EINVAL ("-22 reported by
#                   netlink"): a real system loads it on demand, the guest
#                   has no modprobe
suite_initramfs () {
  local ir=$1 t
  command -v criu >/dev/null || vm_die "criu is not installed (apt-get install criu)"
  vm_add_binary "$ir" "$(command -v criu)"
  for t in tar gzip ip iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore \
           iptables-legacy-save iptables-legacy-restore ip6tables-legacy-save ip6tables-legacy-restore; do
    command -v "$t" >/dev/null || vm_die "$t not found (apt-get install iproute2 iptables)"
    vm_add_binary "$ir" "$(readlink -f "$(command -v "$t")")"
    [ "$(readlink -f "$(command -v "$t")")" = "$(command -v "$t")" ] \
      || ln -sf "$(readlink -f "$(command -v "$t")")" "$ir$(command -v "$t")"
  done
  # iptables loads its matches and targets (-m mark, -j DROP) at run time.
  local xt
  xt=$(dpkg -L iptables 2>/dev/null | grep '/xtables$' | head -1)
  [ -d "$xt" ] || vm_die "no iptables extensions in $xt"
  mkdir -p "$ir$xt" && cp -a "$xt/." "$ir$xt/"
  vm_add_modules "$ir" crc32c_generic unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag \
    nf_tables nft_compat x_tables ip_tables ip6_tables iptable_filter \
    ip6table_filter xt_mark nf_reject_ipv4 nft_reject nft_reject_inet nf_conntrack nft_ct \
    nf_conntrack_netlink
  [ -x "$BUILD/tests/helpers/recvtty" ] || vm_die "no $BUILD/tests/helpers/recvtty: make check-vm-criu builds it"
  cp "$BUILD/tests/helpers/recvtty" "$ir/tests/recvtty"
  mkdir -p "$ir/bundle/rootfs/data"
  cp "$SRC/tests/vm/guest-criu.sh" "$ir/tests/guest-tests.sh"
  # Lays out hybrid cgroups when booted with skiff.cgroup=hybrid.
  cp "$SRC/tests/vm/guest-criu-setup.sh" "$ir/tests/guest-setup.sh"
  chmod +x "$ir/tests/guest-setup.sh"
}
