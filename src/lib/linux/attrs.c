/* Process and host attributes (config.md "Process", "Hostname",
 * "Domainname", config-linux.md "Personality"): validation before
 * anything is created, and the child-side setup after the namespaces
 * exist and before the mounts, while the process is still root in the
 * container's user namespace.
 *
 * The scheduler, ioPriority and memoryPolicy live in sched.c, sysctl in
 * sysctl.c; this file orders them.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* ---- helpers shared by the area ----------------------------------------- */

enum sk_ns_mode
sk_attrs_ns_mode (const struct sk_spec *spec, enum sk_ns_type t, const char **path)
{
  if (spec->linux_ == NULL)
    return SK_NS_INHERITED;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    {
      const struct sk_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->type != t)
        continue;
      if (path != NULL)
        *path = ns->path;
      return ns->path != NULL ? SK_NS_JOINED : SK_NS_NEW;
    }
  return SK_NS_INHERITED;
}

/* "0-3,7": numbers and inclusive ranges separated by commas (the format
 * of cpuset.cpus, execCPUAffinity and memoryPolicy.nodes).  */
int
sk_parse_cpu_list (const char *list, unsigned long *mask, size_t nbits, sk_error_t *err)
{
  const size_t per = 8 * sizeof (unsigned long);
  memset (mask, 0, (nbits + per - 1) / per * sizeof (unsigned long));
  if (list == NULL || *list == '\0')
    return sk_error_set (err, 0, "empty list");
  const char *p = list;
  for (;;)
    {
      char *end;
      if (*p < '0' || *p > '9')
        return sk_error_set (err, 0, "invalid list `%s`: expected numbers and ranges like "
                             "`0-3,7`", list);
      unsigned long lo = strtoul (p, &end, 10), hi = lo;
      if (*end == '-')
        {
          p = end + 1;
          if (*p < '0' || *p > '9')
            return sk_error_set (err, 0, "invalid list `%s`: expected numbers and ranges "
                                 "like `0-3,7`", list);
          hi = strtoul (p, &end, 10);
        }
      if (hi < lo)
        return sk_error_set (err, 0, "invalid list `%s`: range `%lu-%lu` is reversed",
                             list, lo, hi);
      if (hi >= nbits)
        return sk_error_set (err, 0, "invalid list `%s`: `%lu` is above the maximum `%zu`",
                             list, hi, nbits - 1);
      for (unsigned long i = lo; i <= hi; i++)
        mask[i / per] |= 1UL << (i % per);
      if (*end == '\0')
        return 0;
      if (*end != ',')
        return sk_error_set (err, 0, "invalid list `%s`: expected numbers and ranges like "
                             "`0-3,7`", list);
      p = end + 1;
    }
}

#define SK_MAX_CPUS 8192

/* execCPUAffinity: called by exec around the move into the cgroup.  An
 * empty or absent list means "leave the affinity alone" (config.md).  */
int
sk_cpu_affinity_apply (const char *cpus, sk_error_t *err)
{
  if (cpus == NULL || *cpus == '\0')
    return 0;
  unsigned long mask[SK_MAX_CPUS / (8 * sizeof (unsigned long))];
  if (sk_parse_cpu_list (cpus, mask, SK_MAX_CPUS, err) < 0)
    return sk_error_prefix (err, "process.execCPUAffinity");
  if (sched_setaffinity (0, sizeof mask, (cpu_set_t *) mask) == 0)
    return 0;
  if (errno == EINVAL)
    return sk_error_set (err, errno, "process.execCPUAffinity: none of the cpus `%s` is "
                         "online and allowed by the cpuset", cpus);
  return sk_error_set (err, errno, "process.execCPUAffinity: sched_setaffinity `%s`", cpus);
}

/* ---- validation ----------------------------------------------------------- */

static int
check_uts (const struct sk_spec *spec, const char *field, sk_error_t *err)
{
  const char *path = NULL;
  enum sk_ns_mode m = sk_attrs_ns_mode (spec, SK_NS_UTS, &path);
  struct stat a, b;
  /* runc accepts a joined uts namespace too (a pod's containers share
   * the sandbox's); only the runtime's own one is refused.  */
  if (m == SK_NS_NEW)
    return 0;
  if (m == SK_NS_INHERITED)
    return sk_error_set (err, 0, "config.json: %s: requires a new uts namespace", field);
  if (stat (path, &a) == 0 && stat ("/proc/self/ns/uts", &b) == 0
      && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return sk_error_set (err, 0, "config.json: %s: the joined uts namespace `%s` is the "
                         "host's", field, path);
  return 0;
}

static int
validate_rlimits (const struct sk_process *p, sk_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct sk_rlimit *r = &p->rlimits[i];
      if (r->resource < 0 || r->resource >= RLIMIT_NLIMITS)
        return sk_error_set (err, 0, "config.json: process.rlimits: unknown type `%s`",
                             r->type);
      if (r->soft > r->hard)
        return sk_error_set (err, 0, "config.json: process.rlimits: `%s`: soft limit `%llu` "
                             "is above the hard limit `%llu`", r->type,
                             (unsigned long long) r->soft, (unsigned long long) r->hard);
      for (size_t j = 0; j < i; j++)
        if (p->rlimits[j].resource == r->resource)
          return sk_error_set (err, 0, "config.json: process.rlimits: `%s` is given twice",
                               r->type);
    }
  return 0;
}

static int
validate_personality (const struct sk_personality *pers, sk_error_t *err)
{
  if (pers == NULL)
    return 0;
  if (pers->domain == NULL
      || (strcmp (pers->domain, "LINUX") != 0 && strcmp (pers->domain, "LINUX32") != 0))
    return sk_error_set (err, 0, "config.json: linux.personality.domain: unknown domain `%s` "
                         "(expected `LINUX` or `LINUX32`)", pers->domain ? pers->domain : "");
  /* config-linux.md: "Currently no flag values are supported."  */
  if (pers->flags.n > 0)
    return sk_error_set (err, 0, "config.json: linux.personality.flags: `%s`: no personality "
                         "flags are supported", pers->flags.v[0]);
  return 0;
}

static int
validate_process (const struct sk_process *p, sk_error_t *err)
{
  if (p == NULL)
    return 0;
  if (validate_rlimits (p, err) < 0)
    return -1;
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return sk_error_set (err, 0, "config.json: process.oomScoreAdj: `%d` is outside "
                         "-1000..1000", (int) p->oom_score_adj);
  if (sk_sched_validate (p->scheduler, err) < 0 || sk_ioprio_validate (p->io_priority, err) < 0)
    return -1;
  if (p->exec_cpu_affinity != NULL)
    {
      const char *lists[2] = { p->exec_cpu_affinity->initial, p->exec_cpu_affinity->final };
      const char *names[2] = { "initial", "final" };
      unsigned long mask[SK_MAX_CPUS / (8 * sizeof (unsigned long))];
      for (int i = 0; i < 2; i++)
        if (lists[i] != NULL && *lists[i] != '\0'
            && sk_parse_cpu_list (lists[i], mask, SK_MAX_CPUS, err) < 0)
          return sk_error_prefix (err, "config.json: process.execCPUAffinity.%s", names[i]);
    }
  return 0;
}

/* On every container start: no system calls beyond a few stat()s, and
 * those only when a joined namespace must be told apart from the host's.  */
int
sk_attrs_validate (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->hostname != NULL && check_uts (spec, "hostname", err) < 0)
    return -1;
  if (spec->domainname != NULL && check_uts (spec, "domainname", err) < 0)
    return -1;
  if (validate_process (spec->process, err) < 0)
    return -1;
  if (spec->linux_ == NULL)
    return 0;
  if (sk_sysctl_validate (spec, err) < 0
      || validate_personality (spec->linux_->personality, err) < 0
      || sk_mempolicy_validate (spec->linux_->memory_policy, err) < 0
      || sk_netdev_validate (spec, err) < 0)
    return -1;
  if (spec->linux_->intel_rdt != NULL && sk_intelrdt_validate (spec, err) < 0)
    return -1;
  return 0;
}

/* ---- application (child) -------------------------------------------------- */

static int
apply_uts (const struct sk_spec *spec, sk_error_t *err)
{
  if (spec->hostname != NULL && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return sk_error_set (err, errno, "sethostname `%s`", spec->hostname);
  if (spec->domainname != NULL
      && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return sk_error_set (err, errno, "setdomainname `%s`", spec->domainname);
  return 0;
}

/* A session keyring of its own, so the container cannot read the keys of
 * the runtime's session (and so two containers do not share one).  */
static int
join_keyring (const struct sk_init_ctx *ctx, sk_error_t *err)
{
  if (ctx->no_new_keyring)
    return 0;
  char name[1100];
  snprintf (name, sizeof name, "_ses.%s", ctx->id ? ctx->id : "");
  if (syscall (SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name) >= 0)
    return 0;
  /* Kernels without keys, and user namespaces where the keyring quota
   * or an LSM says no: carry on with the inherited keyring, as runc.  */
  if (errno == ENOSYS || errno == EPERM || errno == EACCES || errno == EDQUOT)
    return 0;
  return sk_error_set (err, errno, "join session keyring `%s`", name);
}

/* Before privileges drop: lowering the score below the current value
 * needs CAP_SYS_RESOURCE.  */
static int
apply_oom (const struct sk_process *p, sk_error_t *err)
{
  if (!p->has_oom_score_adj)
    return 0;
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", (int) p->oom_score_adj);
  _cleanup_close_ int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd >= 0 && sk_write_all (fd, buf, n) == 0)
    return 0;
  if (errno == EACCES || errno == EPERM)
    return sk_error_set (err, errno, "process.oomScoreAdj: write `%s` to "
                         "/proc/self/oom_score_adj (going below the runtime's own value "
                         "needs CAP_SYS_RESOURCE)", buf);
  return sk_error_set (err, errno, "process.oomScoreAdj: write `%s` to "
                       "/proc/self/oom_score_adj", buf);
}

static void
fmt_limit (char *buf, size_t len, rlim_t v)
{
  if (v == RLIM_INFINITY)
    snprintf (buf, len, "unlimited");
  else
    snprintf (buf, len, "%llu", (unsigned long long) v);
}

static int
rlimit_eperm (const struct sk_rlimit *r, pid_t pid, sk_error_t *err)
{
  struct rlimit cur = { 0, 0 };
  char want[32], have[32];
  prlimit (pid, r->resource, NULL, &cur);
  fmt_limit (want, sizeof want, r->hard);
  fmt_limit (have, sizeof have, cur.rlim_max);
  /* The kernel checks CAP_SYS_RESOURCE in the initial user namespace,
   * which is ours: a capability missing from our bounding set can never
   * be had.  */
  const char *why = prctl (PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 0
    ? "which is not in the bounding set"
    : "which this process lacks";
  return sk_error_set (err, EPERM, "process.rlimits: `%s`: cannot raise the hard limit to "
                       "`%s`, above the runtime's hard limit `%s`: raising a hard limit "
                       "needs CAP_SYS_RESOURCE, %s", r->type, want, have, why);
}

/* Parent side, on the container process, once it reported READY: every
 * step of its setup is done, so even a tiny RLIMIT_NOFILE cannot break
 * the mounts, and prlimit from here uses the runtime's capabilities in
 * the initial user namespace, which a child inside a new user namespace
 * no longer has (runc applies them at the same point).  */
int
sk_rlimits_apply (const struct sk_process *p, pid_t pid, sk_error_t *err)
{
  if (p == NULL)
    return 0;
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct sk_rlimit *r = &p->rlimits[i];
      struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
      if (prlimit (pid, r->resource, &rl, NULL) == 0)
        continue;
      if (errno == EPERM)
        return rlimit_eperm (r, pid, err);
      return sk_error_set (err, errno, "process.rlimits: prlimit `%s` soft `%llu` hard `%llu`",
                           r->type, (unsigned long long) r->soft,
                           (unsigned long long) r->hard);
    }
  return 0;
}

static int
apply_personality (const struct sk_personality *pers, sk_error_t *err)
{
  if (pers == NULL)
    return 0;
  unsigned long persona = strcmp (pers->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
  if (personality (persona) < 0)
    return sk_error_set (err, errno, "linux.personality: personality `%s`", pers->domain);
  return 0;
}

/* Order: the cheap, capability-needing ones first; the scheduler last (a
 * SCHED_IDLE policy slows everything after it).  rlimits are not here:
 * the parent sets them at READY (sk_rlimits_apply).  */
int
sk_attrs_apply (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const struct sk_spec *spec = ctx->spec;
  const struct sk_process *p = spec->process;
  const struct sk_linux *l = spec->linux_;
  if (apply_uts (spec, err) < 0 || join_keyring (ctx, err) < 0)
    return -1;
  if (l != NULL
      && (apply_personality (l->personality, err) < 0
          || sk_mempolicy_apply (l->memory_policy, err) < 0))
    return -1;
  if (p == NULL)
    return 0;
  if (apply_oom (p, err) < 0 || sk_ioprio_apply (p->io_priority, err) < 0
      || sk_sched_apply (p->scheduler, err) < 0)
    return -1;
  return 0;
}
