/* Creating the container process: see spawn.h.  */
#include <config.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>
#include "linux/linux.h"
#include "linux/spawn.h"

#ifndef CLONE_INTO_CGROUP
# define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

void
sk_spawn_plan (const struct sk_spec *spec, struct sk_spawn_plan *plan)
{
  memset (plan, 0, sizeof *plan);
  if (spec->linux_ == NULL)
    return;
  unsigned long new_flags = 0;
  bool joins = false, join_pid = false, join_time = false;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    {
      const struct sk_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->path)
        {
          joins = true;
          join_pid |= ns->type == SK_NS_PID;
          join_time |= ns->type == SK_NS_TIME;
        }
      else
        new_flags |= sk_ns_flag (ns->type);
    }
  plan->userns_new = (new_flags & CLONE_NEWUSER) != 0;
  /* A new cgroup namespace takes as its root the cgroups its creator is in
   * at that moment, in every hierarchy.  clone3 with CLONE_INTO_CGROUP
   * roots it at the target cgroup of the unified hierarchy only; the v1
   * hierarchies (and every hierarchy when the parent writes cgroup.procs
   * after clone) are joined later.  So init unshares it itself once the
   * parent has placed it (after PID_ACK, see init.c), as runc does.  */
  plan->cgroupns_new = (new_flags & CLONE_NEWCGROUP) != 0;
  new_flags &= ~(unsigned long) CLONE_NEWCGROUP;
  unsigned long time = new_flags & CLONE_NEWTIME;
  new_flags &= ~(unsigned long) CLONE_NEWTIME;
  if (joins)
    plan->unshare_flags = new_flags | time;
  else
    {
      plan->clone_flags = new_flags;
      plan->unshare_flags = time;
    }
  /* setns(pid|time) and unshare(pid|time) only affect children.  */
  plan->need_fork = join_pid || join_time || time
                    || (plan->unshare_flags & CLONE_NEWPID);
  /* A new time namespace needs the fork too: then the middle process must
   * stay outside the new pid namespace (unshare it, not clone into it),
   * or it would be that namespace's pid 1 and its exit would kill the
   * real init, and the pid it reports would be namespace-relative.  */
  if (plan->need_fork && (plan->clone_flags & CLONE_NEWPID))
    {
      plan->clone_flags &= ~(unsigned long) CLONE_NEWPID;
      plan->unshare_flags |= CLONE_NEWPID;
    }
}

pid_t
sk_spawn (unsigned long flags, int cgroup_fd, void (*child) (void *), void *arg,
          bool *in_cgroup, sk_error_t *err)
{
  struct clone_args ca;
  memset (&ca, 0, sizeof ca);
  ca.flags = flags;
  ca.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0)
    {
      ca.flags |= CLONE_INTO_CGROUP;
      ca.cgroup = (uint64_t) cgroup_fd;
    }
  *in_cgroup = cgroup_fd >= 0;
  /* clone3 without a stack behaves like fork: the child continues on a
   * copy of our stack, so it can simply call child().  */
  long pid = syscall (SYS_clone3, &ca, sizeof ca);
  if (pid < 0 && cgroup_fd >= 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL
                                    || errno == EOPNOTSUPP || errno == EBUSY))
    {
      /* Kernel without CLONE_INTO_CGROUP, or a cgroup it refuses (a v1
       * hierarchy): the caller writes cgroup.procs instead.  */
      ca.flags &= ~CLONE_INTO_CGROUP;
      ca.cgroup = 0;
      *in_cgroup = false;
      pid = syscall (SYS_clone3, &ca, sizeof ca);
    }
  if (pid < 0 && errno == ENOSYS)
    pid = syscall (SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid < 0)
    {
      int e = errno;
      if (e == EPERM && (flags & CLONE_NEWUSER))
        return sk_error_set (err, e, "clone with a new user namespace (is "
                             "`kernel.unprivileged_userns_clone` or "
                             "`user.max_user_namespaces` 0?)");
      if (e == ENOSPC)
        return sk_error_set (err, e, "clone: namespace limit reached (see `user.max_*_namespaces`)");
      return sk_error_set (err, e, "clone");
    }
  if (pid == 0)
    {
      child (arg);
      _exit (127);
    }
  return (pid_t) pid;
}
