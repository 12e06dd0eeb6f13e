/* config.json `process` (config.md "Process", "POSIX process", "Linux
 * Process", "User").  Also the root of `exec --process` documents.  */
#include <config.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "spec/spec_internal.h"

static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

static const char *const sched_policies[] = {
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
  "SCHED_DEADLINE", NULL
};

static const char *const sched_flags[] = {
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX", NULL
};

static const char *const ioprio_classes[] = {
  "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL
};

/* config.md "POSIX process": type must map to a kernel resource (else
 * "the runtime MUST generate an error"), soft and hard REQUIRED.  */
static int
parse_rlimit (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_rlimit *r = out;
  if (SP_REQUIRE (v, path, err, "type", "soft", "hard") < 0
      || sp_str (v, path, "type", &r->type, err) < 0
      || sp_u64 (v, path, "soft", &r->soft, NULL, err) < 0
      || sp_u64 (v, path, "hard", &r->hard, NULL, err) < 0)
    return -1;
  r->resource = -1;
  for (size_t i = 0; i < sizeof rlimits / sizeof *rlimits; i++)
    if (strcmp (rlimits[i].name, r->type) == 0)
      r->resource = rlimits[i].resource;
  if (r->resource < 0)
    return sk_error_set (err, 0, "%s.type: unknown rlimit `%s`", path, r->type);
  /* setrlimit would fail with a bare EINVAL much later, inside the
   * container; say what is wrong now.  */
  if (r->soft > r->hard)
    return sk_error_set (err, 0, "%s: soft limit %" PRIu64 " is greater than hard limit %" PRIu64,
                         path, r->soft, r->hard);
  return 0;
}

/* "If rlimits contains duplicated entries with same type, the runtime
 * MUST generate an error."  */
static int
check_rlimit_duplicates (const struct sk_process *p, const char *path, sk_error_t *err)
{
  char rp[SP_PATH_LEN], ip[SP_PATH_LEN];
  sp_key (rp, path, "rlimits");
  for (size_t i = 0; i < p->n_rlimits; i++)
    for (size_t j = 0; j < i; j++)
      if (p->rlimits[i].resource == p->rlimits[j].resource)
        {
          sp_index (ip, rp, i);
          return sk_error_set (err, 0, "%s.type: duplicate rlimit `%s`", ip, p->rlimits[i].type);
        }
  return 0;
}

/* config.md calls uid and gid REQUIRED, the schema does not; absent
 * means 0 (as in Go-based runtimes) so minimal hand-written configs work.  */
static int
parse_user (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_user *u = out;
  char gp[SP_PATH_LEN], ip[SP_PATH_LEN];
  if (sp_u32_in (v, path, "uid", 0, SP_ID_MAX, &u->uid, NULL, err) < 0
      || sp_u32_in (v, path, "gid", 0, SP_ID_MAX, &u->gid, NULL, err) < 0
      /* umask(2) keeps only 0777: more would be masked silently.  */
      || sp_u32_in (v, path, "umask", 0, 0777, &u->umask, &u->has_umask, err) < 0
      || sp_str (v, path, "username", &u->username, err) < 0)
    return -1;
  const sk_json *gids = sp_get (v, "additionalGids");
  if (gids == NULL)
    return 0;
  sp_key (gp, path, "additionalGids");
  if (sk_json_type_of (gids) != SK_JSON_ARRAY)
    return sk_error_set (err, 0, "%s: expected array", gp);
  u->n_additional_gids = sk_json_array_len (gids);
  u->additional_gids = calloc (u->n_additional_gids + 1, sizeof *u->additional_gids);
  if (u->additional_gids == NULL)
    abort ();
  for (size_t i = 0; i < u->n_additional_gids; i++)
    {
      int64_t g = 0;
      sp_index (ip, gp, i);
      if (sk_json_int_range (sk_json_array_get (gids, i), ip, 0, SP_ID_MAX, &g, err) < 0)
        return -1;
      u->additional_gids[i] = (uint32_t) g;
    }
  return 0;
}

static int
parse_capabilities (const sk_json *v, const char *key, const char *path, void *out,
                    sk_error_t *err)
{
  /* Names are not checked here: config.md wants unknown capabilities
   * logged as warnings, not refused; the caps module does that.  */
  struct sk_capabilities *c = out;
  if (sp_strv (v, path, "bounding", NULL, &c->bounding, err) < 0
      || sp_strv (v, path, "effective", NULL, &c->effective, err) < 0
      || sp_strv (v, path, "inheritable", NULL, &c->inheritable, err) < 0
      || sp_strv (v, path, "permitted", NULL, &c->permitted, err) < 0
      || sp_strv (v, path, "ambient", NULL, &c->ambient, err) < 0)
    return -1;
  return 0;
}

static int
parse_scheduler (const sk_json *v, const char *key, const char *path, void *out,
                 sk_error_t *err)
{
  struct sk_scheduler *s = out;
  if (SP_REQUIRE (v, path, err, "policy") < 0
      || sp_enum (v, path, "policy", sched_policies, &s->policy, NULL, err) < 0
      /* sched_setattr(2): nice -20..19, an RT priority 0..99.  */
      || sp_i32_in (v, path, "nice", -20, 19, &s->nice, &s->has_nice, err) < 0
      || sp_i32_in (v, path, "priority", 0, 99, &s->priority, &s->has_priority, err) < 0
      || sp_strv (v, path, "flags", sched_flags, &s->flags, err) < 0
      || sp_u64 (v, path, "runtime", &s->runtime, NULL, err) < 0
      || sp_u64 (v, path, "deadline", &s->deadline, NULL, err) < 0
      || sp_u64 (v, path, "period", &s->period, NULL, err) < 0)
    return -1;
  return 0;
}

/* config.md: priority "ranging from 0 (highest) to 7 (lowest)"; the
 * kernel refuses anything else with a bare EINVAL.  config.md calls it
 * REQUIRED but the schema does not: absent means 0, as runc reads it.  */
static int
parse_io_priority (const sk_json *v, const char *key, const char *path, void *out,
                   sk_error_t *err)
{
  struct sk_io_priority *io = out;
  int64_t prio = 0;
  if (SP_REQUIRE (v, path, err, "class") < 0
      || sp_enum (v, path, "class", ioprio_classes, &io->class, NULL, err) < 0
      || sp_range (v, path, "priority", 0, 7, &prio, NULL, err) < 0)
    return -1;
  io->priority = (int32_t) prio;
  return 0;
}

static int
parse_cpu_affinity (const sk_json *v, const char *key, const char *path, void *out,
                    sk_error_t *err)
{
  /* schema: "^[0-9, -]*$" */
  static const char cpu_list[] = "0123456789, -";
  struct sk_cpu_affinity *a = out;
  if (sp_str (v, path, "initial", &a->initial, err) < 0
      || sp_check_chars (a->initial, path, "initial", cpu_list, err) < 0
      || sp_str (v, path, "final", &a->final, err) < 0
      || sp_check_chars (a->final, path, "final", cpu_list, err) < 0)
    return -1;
  return 0;
}

/* The schema says uint64; a terminal size is 16 bits to the kernel and
 * the struct keeps 32, so anything larger is refused with its range.  */
static int
parse_console_size (const sk_json *v, const char *key, const char *path, void *out,
                    sk_error_t *err)
{
  struct sk_process *p = out;
  if (SP_REQUIRE (v, path, err, "height", "width") < 0
      || sp_u32_in (v, path, "height", 0, UINT16_MAX, &p->console_height, NULL, err) < 0
      || sp_u32_in (v, path, "width", 0, UINT16_MAX, &p->console_width, NULL, err) < 0)
    return -1;
  p->has_console_size = true;
  return 0;
}

/* config.md: cwd REQUIRED and absolute; args needs at least one entry
 * (non-Windows).  */
static int
check_process (const struct sk_process *p, const char *path, sk_error_t *err)
{
  char ap[SP_PATH_LEN];
  if (sp_check_absolute (p->cwd, path, "cwd", err) < 0)
    return -1;
  if (p->args.n == 0)
    {
      sp_key (ap, path, "args");
      return sk_error_set (err, 0, "%s: must contain at least one entry", ap);
    }
  return check_rlimit_duplicates (p, path, err);
}

int
sp_process (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_process *p = out;
  int64_t oom = 0;
  if (SP_REQUIRE (v, path, err, "cwd") < 0
      || sp_bool (v, path, "terminal", &p->terminal, NULL, err) < 0
      || sp_inline (v, path, "consoleSize", parse_console_size, p, err) < 0
      || sp_str (v, path, "cwd", &p->cwd, err) < 0
      || sp_strv (v, path, "env", NULL, &p->env, err) < 0
      || sp_strv (v, path, "args", NULL, &p->args, err) < 0
      || sp_str (v, path, "commandLine", &p->command_line, err) < 0
      || sp_inline (v, path, "user", parse_user, &p->user, err) < 0
      || sp_array (v, path, "rlimits", sizeof *p->rlimits, parse_rlimit, &p->rlimits,
                   &p->n_rlimits, err) < 0
      || sp_object (v, path, "capabilities", sizeof *p->capabilities, parse_capabilities,
                    &p->capabilities, err) < 0
      || sp_bool (v, path, "noNewPrivileges", &p->no_new_privileges, NULL, err) < 0
      || sp_str (v, path, "apparmorProfile", &p->apparmor_profile, err) < 0
      /* the kernel's range for /proc/PID/oom_score_adj */
      || sp_range (v, path, "oomScoreAdj", -1000, 1000, &oom, &p->has_oom_score_adj, err) < 0
      || sp_str (v, path, "selinuxLabel", &p->selinux_label, err) < 0
      || sp_object (v, path, "scheduler", sizeof *p->scheduler, parse_scheduler,
                    &p->scheduler, err) < 0
      || sp_object (v, path, "ioPriority", sizeof *p->io_priority, parse_io_priority,
                    &p->io_priority, err) < 0
      || sp_object (v, path, "execCPUAffinity", sizeof *p->exec_cpu_affinity,
                    parse_cpu_affinity, &p->exec_cpu_affinity, err) < 0)
    return -1;
  p->oom_score_adj = (int32_t) oom;
  return check_process (p, path, err);
}
