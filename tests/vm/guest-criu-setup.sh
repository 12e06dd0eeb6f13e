# Sourced by the VM's /init (tests/vm/init) as /tests/guest-setup.sh, after
# it mounted cgroup2 on /sys/fs/cgroup and enabled every controller there.
#
# With `skiff.cgroup=hybrid` on the kernel command line the CRIU suite runs
# on systemd's hybrid layout instead (what Debian 10/11 hosts and this
# project's build machine have): a tmpfs on /sys/fs/cgroup, each v1
# controller on its own hierarchy (cpu,cpuacct and net_cls,net_prio
# together, with symlinks, as systemd mounts them), a named
# name=systemd hierarchy, and cgroup2 with no controller at
# /sys/fs/cgroup/unified.  The guest owns its mounts, and a controller can
# move from cgroup2 to a v1 hierarchy while no cgroup below the root uses
# it: none exists yet.  Any step that fails is printed and stops the boot's
# tests (the suite must not run on a half-made layout).
case " $(cat /proc/cmdline) " in
*" skiff.cgroup=hybrid "*)
  cg_layout_fail () {
    echo "# skiff-vm: hybrid layout: $*"
    echo "not ok 1 - hybrid cgroup layout: $*"
    echo "# skiff-vm: done"
    poweroff -f
  }
  for c in $(cat /sys/fs/cgroup/cgroup.subtree_control); do
    echo "-$c" >/sys/fs/cgroup/cgroup.subtree_control || cg_layout_fail "cannot disable $c in cgroup2"
  done
  umount /sys/fs/cgroup || cg_layout_fail "umount cgroup2"
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup || cg_layout_fail "tmpfs"
  for h in cpuset cpu,cpuacct blkio memory devices freezer net_cls,net_prio perf_event hugetlb pids rdma misc; do
    mkdir -p "/sys/fs/cgroup/$h"
    mount -t cgroup -o "$h" cgroup "/sys/fs/cgroup/$h" || cg_layout_fail "mount v1 $h"
    case $h in *,*)
      for c in $(echo "$h" | tr , ' '); do ln -s "$h" "/sys/fs/cgroup/$c"; done ;;
    esac
  done
  mkdir -p /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
  mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd || cg_layout_fail "mount name=systemd"
  mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup/unified || cg_layout_fail "mount cgroup2 on unified"
  echo "# skiff-vm: hybrid cgroup layout: $(grep -c ' - cgroup ' /proc/self/mountinfo) v1 hierarchies," \
    "cgroup2 at /sys/fs/cgroup/unified (controllers: [$(cat /sys/fs/cgroup/unified/cgroup.controllers)])"
  ;;
esac
