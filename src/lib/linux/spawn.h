/* Creating the container process.  */
#ifndef SKIFF_SPAWN_H
#define SKIFF_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

struct sk_spawn_plan
{
  unsigned long clone_flags;    /* CLONE_NEW* given to clone3 */
  unsigned long unshare_flags;  /* CLONE_NEW* the child unshares after joining paths */
  bool userns_new;              /* the parent writes uid/gid maps */
  bool cgroupns_new;            /* init unshares CLONE_NEWCGROUP once in its cgroups */
  bool need_fork;               /* pid/time ns entered after clone: fork once more */
};

/* Decide how each configured namespace comes to be.  Namespaces without a
 * path are created by clone3 when nothing is joined by path (cheapest: one
 * syscall); when some are joined, the child joins them first and unshares
 * the rest, so that new namespaces are owned by a joined user namespace.
 * A time namespace is always unshared: its offsets must be written before
 * any process enters it, so the process that enters is a forked child.  */
void sk_spawn_plan (const struct sk_spec *spec, struct sk_spawn_plan *plan);

/* clone3 (with CLONE_INTO_CGROUP when cgroup_fd >= 0) or clone; in the child
 * `child (arg)` runs and must never return.  *in_cgroup tells whether the
 * kernel placed it in the cgroup (else the caller writes cgroup.procs).  */
pid_t sk_spawn (unsigned long flags, int cgroup_fd, void (*child) (void *), void *arg,
                bool *in_cgroup, sk_error_t *err);

#endif
