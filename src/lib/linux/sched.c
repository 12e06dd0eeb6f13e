/* process.scheduler, process.ioPriority (config.md "Linux Process") and
 * linux.memoryPolicy (config-linux.md "Memory policy").  All three are
 * per-thread kernel state inherited over fork and kept over execve, so
 * setting them in the container process before exec covers every process
 * the container later starts.  */
#include <config.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"

struct name_value
{
  const char *name;
  int value;
};

static int
lookup (const struct name_value *t, size_t n, const char *name)
{
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return t[i].value;
  return -1;
}
#define LOOKUP(t, name) lookup (t, sizeof t / sizeof t[0], name)

/* ---- scheduler -------------------------------------------------------- */

/* uapi/linux/sched.h values; spelled out because glibc's <sched.h> lacks
 * SCHED_DEADLINE and the flags on older systems.  */
enum
{
  POL_OTHER = 0, POL_FIFO = 1, POL_RR = 2, POL_BATCH = 3, POL_ISO = 4,
  POL_IDLE = 5, POL_DEADLINE = 6,
};

static const struct name_value policies[] = {
  { "SCHED_OTHER", POL_OTHER }, { "SCHED_FIFO", POL_FIFO }, { "SCHED_RR", POL_RR },
  { "SCHED_BATCH", POL_BATCH }, { "SCHED_ISO", POL_ISO }, { "SCHED_IDLE", POL_IDLE },
  { "SCHED_DEADLINE", POL_DEADLINE },
};

static const struct name_value sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

int
sk_sched_policy_value (const char *name)
{
  return LOOKUP (policies, name);
}

int
sk_sched_flag_value (const char *name)
{
  return LOOKUP (sched_flags, name);
}

/* The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1); our own name so
 * it cannot clash with a libc that starts to declare it.  */
struct sk_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

int
sk_sched_validate (const struct sk_scheduler *s, sk_error_t *err)
{
  if (s == NULL)
    return 0;
  int pol = sk_sched_policy_value (s->policy);
  if (pol < 0)
    return sk_error_set (err, 0, "config.json: process.scheduler.policy: unknown policy `%s`",
                         s->policy ? s->policy : "");
  if (pol == POL_ISO)
    return sk_error_set (err, 0, "config.json: process.scheduler.policy: `SCHED_ISO` is "
                         "reserved and not implemented by Linux");
  for (size_t i = 0; i < s->flags.n; i++)
    if (sk_sched_flag_value (s->flags.v[i]) < 0)
      return sk_error_set (err, 0, "config.json: process.scheduler.flags: unknown flag `%s`",
                           s->flags.v[i]);
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return sk_error_set (err, 0, "config.json: process.scheduler.nice: `%d` is outside "
                         "-20..19", (int) s->nice);
  bool rt = pol == POL_FIFO || pol == POL_RR;
  int32_t prio = s->has_priority ? s->priority : 0;
  if (rt && (prio < 1 || prio > 99))
    return sk_error_set (err, 0, "config.json: process.scheduler.priority: `%s` needs a "
                         "priority in 1..99, got `%d`", s->policy, (int) prio);
  if (!rt && prio != 0)
    return sk_error_set (err, 0, "config.json: process.scheduler.priority: only "
                         "SCHED_FIFO and SCHED_RR take a priority (policy `%s`)", s->policy);
  if (pol != POL_DEADLINE && (s->runtime || s->deadline || s->period))
    return sk_error_set (err, 0, "config.json: process.scheduler: runtime, deadline and "
                         "period apply only to SCHED_DEADLINE (policy `%s`)", s->policy);
  if (pol == POL_DEADLINE
      && (s->runtime == 0 || s->runtime > s->deadline
          || (s->period != 0 && s->deadline > s->period)))
    return sk_error_set (err, 0, "config.json: process.scheduler: SCHED_DEADLINE needs "
                         "0 < runtime <= deadline <= period (period 0 = deadline)");
  return 0;
}

int
sk_sched_apply (const struct sk_scheduler *s, sk_error_t *err)
{
  if (s == NULL)
    return 0;
  struct sk_sched_attr a = {
    .size = sizeof a,
    .sched_policy = sk_sched_policy_value (s->policy),
    .sched_nice = s->has_nice ? s->nice : 0,
    .sched_priority = s->has_priority ? s->priority : 0,
    .sched_runtime = s->runtime,
    .sched_deadline = s->deadline,
    .sched_period = s->period,
  };
  for (size_t i = 0; i < s->flags.n; i++)
    a.sched_flags |= sk_sched_flag_value (s->flags.v[i]);
  if (syscall (SYS_sched_setattr, 0, &a, 0) == 0)
    return 0;
  int e = errno;
  if (e == EPERM && a.sched_policy != POL_OTHER && a.sched_policy != POL_BATCH
      && a.sched_policy != POL_IDLE)
    return sk_error_set (err, e, "process.scheduler: sched_setattr `%s` priority %u "
                         "(real-time and deadline policies need CAP_SYS_NICE in the "
                         "initial user namespace and, with cgroup v1 RT group scheduling, "
                         "cpu.rt_runtime_us in the container's cgroup)",
                         s->policy, a.sched_priority);
  if (e == EPERM)
    return sk_error_set (err, e, "process.scheduler: sched_setattr `%s` nice %d (a "
                         "negative nice needs CAP_SYS_NICE in the initial user namespace)",
                         s->policy, a.sched_nice);
  return sk_error_set (err, e, "process.scheduler: sched_setattr `%s`", s->policy);
}

/* ---- ioPriority ------------------------------------------------------- */

#define SK_IOPRIO_CLASS_SHIFT 13
#define SK_IOPRIO_WHO_PROCESS 1

static const struct name_value io_classes[] = {
  { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
};

int
sk_ioprio_class_value (const char *name)
{
  return LOOKUP (io_classes, name);
}

int
sk_ioprio_validate (const struct sk_io_priority *io, sk_error_t *err)
{
  if (io == NULL)
    return 0;
  if (sk_ioprio_class_value (io->class) < 0)
    return sk_error_set (err, 0, "config.json: process.ioPriority.class: unknown class `%s`",
                         io->class ? io->class : "");
  if (io->priority < 0 || io->priority > 7)
    return sk_error_set (err, 0, "config.json: process.ioPriority.priority: `%d` is outside "
                         "0..7", (int) io->priority);
  return 0;
}

/* IOPRIO_WHO_PROCESS on ourselves rather than IOPRIO_WHO_PGRP: at this
 * point we may still share the process group of the caller (`skiff run`
 * in a shell), whose other members must not be changed.  The value is
 * inherited over fork, so every process of the container gets it, which
 * is what config.md asks of the "process group".  */
int
sk_ioprio_apply (const struct sk_io_priority *io, sk_error_t *err)
{
  if (io == NULL)
    return 0;
  int cls = sk_ioprio_class_value (io->class);
  int value = (cls << SK_IOPRIO_CLASS_SHIFT) | io->priority;
  if (syscall (SYS_ioprio_set, SK_IOPRIO_WHO_PROCESS, 0, value) == 0)
    return 0;
  if (errno == EPERM && cls == 1)
    return sk_error_set (err, errno, "process.ioPriority: ioprio_set `%s` %d (the real-time "
                         "class needs CAP_SYS_ADMIN or CAP_SYS_NICE)", io->class,
                         (int) io->priority);
  return sk_error_set (err, errno, "process.ioPriority: ioprio_set `%s` %d", io->class,
                       (int) io->priority);
}

/* ---- memoryPolicy ----------------------------------------------------- */

enum
{
  MP_DEFAULT = 0, MP_PREFERRED = 1, MP_BIND = 2, MP_INTERLEAVE = 3, MP_LOCAL = 4,
  MP_PREFERRED_MANY = 5, MP_WEIGHTED_INTERLEAVE = 6,
};
#define MPF_STATIC_NODES (1 << 15)
#define MPF_RELATIVE_NODES (1 << 14)
#define MPF_NUMA_BALANCING (1 << 13)

/* MAX_NUMNODES is at most 1 << CONFIG_NODES_SHIFT(10).  */
#define SK_MAX_NODES 1024

static const struct name_value mp_modes[] = {
  { "MPOL_DEFAULT", MP_DEFAULT }, { "MPOL_PREFERRED", MP_PREFERRED },
  { "MPOL_BIND", MP_BIND }, { "MPOL_INTERLEAVE", MP_INTERLEAVE },
  { "MPOL_LOCAL", MP_LOCAL }, { "MPOL_PREFERRED_MANY", MP_PREFERRED_MANY },
  { "MPOL_WEIGHTED_INTERLEAVE", MP_WEIGHTED_INTERLEAVE },
};

static const struct name_value mp_flags[] = {
  { "MPOL_F_STATIC_NODES", MPF_STATIC_NODES },
  { "MPOL_F_RELATIVE_NODES", MPF_RELATIVE_NODES },
  { "MPOL_F_NUMA_BALANCING", MPF_NUMA_BALANCING },
};

int
sk_mempolicy_mode_value (const char *name)
{
  return LOOKUP (mp_modes, name);
}

int
sk_mempolicy_flag_value (const char *name)
{
  return LOOKUP (mp_flags, name);
}

static bool
has_nodes (const struct sk_memory_policy *mp)
{
  return mp->nodes != NULL && mp->nodes[0] != '\0';
}

int
sk_mempolicy_validate (const struct sk_memory_policy *mp, sk_error_t *err)
{
  if (mp == NULL)
    return 0;
  int mode = sk_mempolicy_mode_value (mp->mode);
  if (mode < 0)
    return sk_error_set (err, 0, "config.json: linux.memoryPolicy.mode: unknown mode `%s`",
                         mp->mode ? mp->mode : "");
  int flags = 0;
  for (size_t i = 0; i < mp->flags.n; i++)
    {
      int f = sk_mempolicy_flag_value (mp->flags.v[i]);
      if (f < 0)
        return sk_error_set (err, 0, "config.json: linux.memoryPolicy.flags: unknown flag `%s`",
                             mp->flags.v[i]);
      flags |= f;
    }
  if ((flags & MPF_STATIC_NODES) && (flags & MPF_RELATIVE_NODES))
    return sk_error_set (err, 0, "config.json: linux.memoryPolicy.flags: "
                         "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
  if ((mode == MP_DEFAULT || mode == MP_LOCAL) && has_nodes (mp))
    return sk_error_set (err, 0, "config.json: linux.memoryPolicy.nodes: `%s` takes no nodes",
                         mp->mode);
  if ((mode == MP_BIND || mode == MP_INTERLEAVE || mode == MP_WEIGHTED_INTERLEAVE
       || mode == MP_PREFERRED_MANY) && !has_nodes (mp))
    return sk_error_set (err, 0, "config.json: linux.memoryPolicy.nodes: `%s` needs at "
                         "least one node", mp->mode);
  if (has_nodes (mp))
    {
      unsigned long mask[SK_MAX_NODES / (8 * sizeof (unsigned long))];
      if (sk_parse_cpu_list (mp->nodes, mask, SK_MAX_NODES, err) < 0)
        return sk_error_prefix (err, "config.json: linux.memoryPolicy.nodes");
    }
  return 0;
}

int
sk_mempolicy_apply (const struct sk_memory_policy *mp, sk_error_t *err)
{
  if (mp == NULL)
    return 0;
  unsigned long mask[SK_MAX_NODES / (8 * sizeof (unsigned long))] = { 0 };
  int mode = sk_mempolicy_mode_value (mp->mode);
  for (size_t i = 0; i < mp->flags.n; i++)
    mode |= sk_mempolicy_flag_value (mp->flags.v[i]);
  bool nodes = has_nodes (mp);
  if (nodes && sk_parse_cpu_list (mp->nodes, mask, SK_MAX_NODES, err) < 0)
    return sk_error_prefix (err, "linux.memoryPolicy.nodes");
  /* The kernel reads maxnode - 1 bits (an old off-by-one kept for ABI).  */
  long r = syscall (SYS_set_mempolicy, mode, nodes ? mask : NULL,
                    nodes ? SK_MAX_NODES + 1 : 0);
  if (r == 0)
    return 0;
  if (errno == ENOSYS)
    return sk_error_set (err, errno, "linux.memoryPolicy: set_mempolicy `%s`: this kernel "
                         "has no NUMA support", mp->mode);
  if (errno == EINVAL && nodes)
    return sk_error_set (err, errno, "linux.memoryPolicy: set_mempolicy `%s` nodes `%s` (a "
                         "node that does not exist or is not allowed by the cpuset?)",
                         mp->mode, mp->nodes);
  return sk_error_set (err, errno, "linux.memoryPolicy: set_mempolicy `%s`", mp->mode);
}
