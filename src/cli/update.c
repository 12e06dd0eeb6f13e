/* skiff update [--resources FILE|-] [runc's resource flags] ID  */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct flags
{
  const char *resources, *memory, *reservation, *swap, *shares, *share, *quota, *period;
  const char *rt_runtime, *rt_period, *cpus, *mems, *pids, *blkio, *idle;
};

/* Integers, with k/m/g/t suffixes (base 1024, optional trailing b/ib) for
 * byte values as runc's --memory takes "256m".  */
static int
parse_num (const char *flag, const char *v, bool bytes, int64_t *out, sk_error_t *err)
{
  char *end;
  errno = 0;
  long long n = strtoll (v, &end, 10);
  if (errno || end == v)
    goto bad;
  if (bytes && *end)
    {
      const char *units = "kmgt";
      const char *u = strchr (units, tolower ((unsigned char) *end));
      if (u == NULL)
        goto bad;
      for (long i = 0; i <= u - units; i++)
        {
          if (n > INT64_MAX / 1024 || n < -INT64_MAX / 1024)
            goto bad;
          n *= 1024;
        }
      end++;
      if (strcasecmp (end, "b") == 0 || strcasecmp (end, "ib") == 0 || strcasecmp (end, "i") == 0)
        end += strlen (end);
    }
  if (*end)
    goto bad;
  *out = n;
  return 0;
bad:
  return sk_error_set (err, 0, "update: invalid value `%s` for `--%s`: expected %s", v, flag,
                       bytes ? "a byte count (e.g. 268435456 or 256m)" : "an integer");
}

/* `--resources -`: stdin is what the caller chose to hand over (a pipe),
 * read to EOF but no further than SK_INPUT_FILE_MAX.  */
static int
read_stdin (char **out, size_t *out_len, sk_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;)
    {
      if (len + 4096 > cap)
        {
          if (cap >= SK_INPUT_FILE_MAX)
            return sk_error_set (err, 0, "update: read `-`: larger than %u bytes",
                                 SK_INPUT_FILE_MAX);
          char *nb = realloc (buf, cap = cap ? cap * 2 : 8192);
          if (nb == NULL)
            return sk_error_set (err, ENOMEM, "update: read `-`");
          buf = nb;
        }
      size_t r = fread (buf + len, 1, cap - len, stdin);
      len += r;
      if (r == 0)
        break;
    }
  if (ferror (stdin))
    return sk_error_set (err, errno, "update: read `-`");
  *out = steal_ptr (&buf);
  *out_len = len;
  return 0;
}

static int
load_resources (const char *path, struct sk_resources **out, sk_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (strcmp (path, "-") != 0)
    {
      /* A FIFO or device named as the file is refused, never waited on.  */
      if (sk_read_regular_file (path, SK_INPUT_FILE_MAX, &buf, &len, err) < 0)
        return sk_error_prefix (err, "update");
    }
  else if (read_stdin (&buf, &len, err) < 0)
    return -1;
  *out = sk_resources_parse (buf ? buf : "", len, err);
  return *out ? 0 : sk_error_prefix (err, "update: `%s`", path);
}

#define SUB(r, field) ((r)->field ? (r)->field : ((r)->field = calloc (1, sizeof *(r)->field)))

static int
apply_memory_flags (const struct flags *f, struct sk_resources *r, sk_error_t *err)
{
  int64_t v;
  if (!f->memory && !f->reservation && !f->swap)
    return 0;
  if (SUB (r, memory) == NULL)
    return sk_error_set (err, ENOMEM, "update");
  if (f->memory && parse_num ("memory", f->memory, true, &v, err) < 0)
    return -1;
  if (f->memory)
    r->memory->has_limit = true, r->memory->limit = v;
  if (f->reservation && parse_num ("memory-reservation", f->reservation, true, &v, err) < 0)
    return -1;
  if (f->reservation)
    r->memory->has_reservation = true, r->memory->reservation = v;
  if (f->swap && parse_num ("memory-swap", f->swap, true, &v, err) < 0)
    return -1;
  if (f->swap)
    r->memory->has_swap = true, r->memory->swap = v;
  return 0;
}

static int
apply_cpu_flags (const struct flags *f, struct sk_resources *r, sk_error_t *err)
{
  int64_t v;
  const char *shares = f->shares ? f->shares : f->share;
  if (!shares && !f->quota && !f->period && !f->rt_runtime && !f->rt_period && !f->cpus
      && !f->mems && !f->idle)
    return 0;
  if (SUB (r, cpu) == NULL)
    return sk_error_set (err, ENOMEM, "update");
  struct sk_cpu *c = r->cpu;
  if (shares && (parse_num ("cpu-share", shares, false, &v, err) < 0 || v < 0))
    return (err && *err) ? -1 : sk_error_set (err, 0, "update: `--cpu-share` must be >= 0");
  if (shares)
    c->has_shares = true, c->shares = (uint64_t) v;
  if (f->quota && parse_num ("cpu-quota", f->quota, false, &v, err) < 0)
    return -1;
  if (f->quota)
    c->has_quota = true, c->quota = v;
  if (f->period && (parse_num ("cpu-period", f->period, false, &v, err) < 0 || v < 0))
    return (err && *err) ? -1 : sk_error_set (err, 0, "update: `--cpu-period` must be >= 0");
  if (f->period)
    c->has_period = true, c->period = (uint64_t) v;
  if (f->rt_runtime && parse_num ("cpu-rt-runtime", f->rt_runtime, false, &v, err) < 0)
    return -1;
  if (f->rt_runtime)
    c->has_realtime_runtime = true, c->realtime_runtime = v;
  if (f->rt_period && parse_num ("cpu-rt-period", f->rt_period, false, &v, err) < 0)
    return -1;
  if (f->rt_period)
    c->has_realtime_period = true, c->realtime_period = (uint64_t) v;
  if (f->idle && parse_num ("cpu-idle", f->idle, false, &v, err) < 0)
    return -1;
  if (f->idle)
    c->has_idle = true, c->idle = v;
  if (f->cpus && (free (c->cpus), c->cpus = strdup (f->cpus)) == NULL)
    return sk_error_set (err, ENOMEM, "update");
  if (f->mems && (free (c->mems), c->mems = strdup (f->mems)) == NULL)
    return sk_error_set (err, ENOMEM, "update");
  return 0;
}

static int
apply_flags (const struct flags *f, struct sk_resources *r, sk_error_t *err)
{
  int64_t v;
  if (apply_memory_flags (f, r, err) < 0 || apply_cpu_flags (f, r, err) < 0)
    return -1;
  if (f->pids && parse_num ("pids-limit", f->pids, false, &v, err) < 0)
    return -1;
  if (f->pids)
    r->has_pids_limit = true, r->pids_limit = v;
  if (f->blkio)
    {
      if (parse_num ("blkio-weight", f->blkio, false, &v, err) < 0)
        return -1;
      if (v < 0 || v > UINT16_MAX)
        return sk_error_set (err, 0, "update: `--blkio-weight` `%s` is out of range", f->blkio);
      if (SUB (r, block_io) == NULL)
        return sk_error_set (err, ENOMEM, "update");
      r->block_io->has_weight = true;
      r->block_io->weight = (uint16_t) v;
    }
  return 0;
}

int
cmd_update (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "update", "update [options] ID",
    "Update the resource limits of a container.  --resources takes a LinuxResources\n"
    "JSON object (config.json's linux.resources); flags override its values."
  };
  struct flags f = { 0 };
  const struct sk_opt opts[] = {
    { "resources", 'r', SK_OPT_STRING, &f.resources, "FILE", "LinuxResources JSON file, `-` for stdin" },
    { "memory", 0, SK_OPT_STRING, &f.memory, "BYTES", "memory limit (e.g. 256m)" },
    { "memory-reservation", 0, SK_OPT_STRING, &f.reservation, "BYTES", "memory soft limit (memory.low)" },
    { "memory-swap", 0, SK_OPT_STRING, &f.swap, "BYTES", "memory+swap total, -1 for unlimited" },
    { "cpu-share", 0, SK_OPT_STRING, &f.share, "N", "CPU shares (mapped to cpu.weight)" },
    { "cpu-shares", 0, SK_OPT_STRING, &f.shares, "N", "same as --cpu-share" },
    { "cpu-quota", 0, SK_OPT_STRING, &f.quota, "USEC", "CPU time per period, -1 for none" },
    { "cpu-period", 0, SK_OPT_STRING, &f.period, "USEC", "CPU CFS period" },
    { "cpu-rt-runtime", 0, SK_OPT_STRING, &f.rt_runtime, "USEC", "realtime runtime (not on cgroup v2)" },
    { "cpu-rt-period", 0, SK_OPT_STRING, &f.rt_period, "USEC", "realtime period (not on cgroup v2)" },
    { "cpu-idle", 0, SK_OPT_STRING, &f.idle, "0|1", "SCHED_IDLE for the cgroup" },
    { "cpuset-cpus", 0, SK_OPT_STRING, &f.cpus, "LIST", "CPUs to use (e.g. 0-2,4)" },
    { "cpuset-mems", 0, SK_OPT_STRING, &f.mems, "LIST", "memory nodes to use" },
    { "pids-limit", 0, SK_OPT_STRING, &f.pids, "N", "maximum number of tasks, -1 for none" },
    { "blkio-weight", 0, SK_OPT_STRING, &f.blkio, "N", "IO weight, 10..1000" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  struct sk_resources *res = NULL;
  if (f.resources && load_resources (f.resources, &res, err) < 0)
    return -1;
  if (res == NULL && (res = calloc (1, sizeof *res)) == NULL)
    return sk_error_set (err, ENOMEM, "update");
  if (apply_flags (&f, res, err) < 0)
    r = -1;
  else
    r = sk_container_update (g, argv[first], res, err) < 0 ? -1 : 0;
  sk_resources_free (res);
  return r;
}
