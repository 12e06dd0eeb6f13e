/* The `cgroup` mount type: the container's view of /sys/fs/cgroup.
 *
 * Independent of the cgroup manager: the container process reads which
 * hierarchies exist from its /proc/self/mountinfo and its own cgroup in each
 * from /proc/self/cgroup, after the parent has placed it (sync.h).  */
#ifndef SKIFF_CGROUP_MOUNT_H
#define SKIFF_CGROUP_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <skiff/error.h>

struct sk_mount_opts;

/* One hierarchy as the container will see it.  */
struct sk_cgmount_hier
{
  char *name;       /* directory under the destination: basename of the host mountpoint */
  char *subsys;     /* v1: the controllers as /proc/self/cgroup names them
                       ("cpu,cpuacct", "name=systemd"); NULL for cgroup2 */
  char *source;     /* the container's own cgroup directory in this process's
                       mount namespace; NULL when not asked for */
};

struct sk_cgmount_plan
{
  bool unified;     /* /sys/fs/cgroup itself is cgroup2 (pure v2): h[0] only */
  struct sk_cgmount_hier *h;
  size_t n;
};

/* Build the plan from the text of /proc/self/mountinfo and /proc/self/cgroup.
 * with_source: compute each hierarchy's source (needs the cgroup paths and
 * the mount roots in the same cgroup namespace, i.e. no new one).  */
int sk_cgmount_plan_parse (const char *mountinfo, const char *self_cgroup, bool with_source,
                           struct sk_cgmount_plan *p, sk_error_t *err);
void sk_cgmount_plan_free (struct sk_cgmount_plan *p);

/* One `cgroup` or `cgroup2` entry of config `mounts`, performed by the
 * container process in its mount namespace before pivot_root.  */
struct sk_cgmount_req
{
  int rootfd;                     /* the rootfs */
  const char *dest;               /* the mount's destination, for errors */
  int target;                     /* O_PATH fd of the destination directory */
  const struct sk_mount_opts *o;  /* the parsed options */
  const char *v2_data;            /* data for a fresh cgroup2 mount, or NULL */
  const char *tmpfs_label;        /* `context=...` for the tmpfs, or NULL */
  bool cgroupns;                  /* the container has a cgroup namespace */
};

int sk_cgroup_mount (const struct sk_cgmount_req *r, sk_error_t *err);

#endif
