/* The cgroup manager front: layout detection, cgroupsPath resolution,
 * validation before anything exists, creation with rollback, and dispatch
 * to the manager's function table (cgroup_v2.c).  A cgroup v1 manager for
 * legacy hosts would be one more table picked in detect_layout().  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_HYBRID CG_ROOT "/unified"

static const char *const ctrl_names[SK_CG__COUNT] = {
  [SK_CG_CPUSET] = "cpuset", [SK_CG_CPU] = "cpu", [SK_CG_IO] = "io",
  [SK_CG_MEMORY] = "memory", [SK_CG_HUGETLB] = "hugetlb", [SK_CG_PIDS] = "pids",
  [SK_CG_RDMA] = "rdma", [SK_CG_MISC] = "misc", [SK_CG_DMEM] = "dmem",
};

const char *
sk_cg_ctrl_name (enum sk_cg_ctrl c)
{
  return c < SK_CG__COUNT ? ctrl_names[c] : "?";
}

int
sk_cg_ctrl_from_name (const char *name, size_t len)
{
  for (int c = 0; c < SK_CG__COUNT; c++)
    if (strlen (ctrl_names[c]) == len && strncmp (ctrl_names[c], name, len) == 0)
      return c;
  return -1;
}

unsigned
sk_cg_parse_controllers (const char *text)
{
  unsigned mask = 0;
  const char *p = text;
  while (p && *p)
    {
      p += strspn (p, " \t\n");
      size_t len = strcspn (p, " \t\n");
      int c = sk_cg_ctrl_from_name (p, len);
      if (c >= 0)
        mask |= SK_CG_BIT (c);
      p += len;
    }
  return mask;
}

void
sk_cg_format_controllers (unsigned mask, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int c = 0; c < SK_CG__COUNT; c++)
    if (mask & SK_CG_BIT (c))
      {
        int r = snprintf (buf + used, len - used, "%s%s", used ? " " : "", ctrl_names[c]);
        if (r < 0 || (size_t) r >= len - used)
          return;
        used += r;
      }
}

/* ---- layout ----------------------------------------------------------- */

static bool
is_cgroup2 (const char *path)
{
  struct statfs sfs;
  return statfs (path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Pure v2 at /sys/fs/cgroup, or the unified hierarchy of a hybrid host.  */
static int
detect_layout (const char **mountpoint, const struct sk_cgroup_ops **ops, sk_error_t *err)
{
  if (is_cgroup2 (CG_ROOT))
    {
      *mountpoint = CG_ROOT;
      *ops = &sk_cgroup_v2_ops;
      return 0;
    }
  if (is_cgroup2 (CG_HYBRID))
    {
      *mountpoint = CG_HYBRID;
      *ops = &sk_cgroup_v2_hybrid_ops;
      return 0;
    }
  return sk_error_set (err, 0, "cgroup v2 is not mounted (neither `" CG_ROOT "` nor `" CG_HYBRID
                       "` is cgroup2): hosts with only cgroup v1 are not supported");
}

/* Controllers the hierarchy offers (the root's cgroup.controllers).  */
static int
available_controllers (const char *mountpoint, unsigned *mask, sk_error_t *err)
{
  char path[256];
  snprintf (path, sizeof path, "%s/cgroup.controllers", mountpoint);
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  if (f == NULL)
    return sk_error_set (err, errno, "read `%s`", path);
  char line[512] = "";
  if (fgets (line, sizeof line, f) == NULL && ferror (f))
    return sk_error_set (err, errno, "read `%s`", path);
  *mask = sk_cg_parse_controllers (line);
  return 0;
}

/* ---- path resolution -------------------------------------------------- */

static int
own_cgroup (char **out, sk_error_t *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    return sk_error_set (err, errno, "read `/proc/self/cgroup`");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline (&line, &cap, f)) > 0)
    if (strncmp (line, "0::", 3) == 0)
      {
        line[strcspn (line, "\n")] = '\0';
        *out = strdup (line + 3);
        return *out ? 0 : sk_error_set (err, ENOMEM, "read `/proc/self/cgroup`");
      }
  return sk_error_set (err, 0, "`/proc/self/cgroup` has no cgroup v2 entry");
}

/* Append the components of p to buf (which holds a normalised path
 * starting with '/'), dropping empty and `.` components and refusing `..`:
 * a config must never make skiff mkdir, write limits into, or (on delete)
 * rmdir a cgroup outside the hierarchy it names, and lexical cleaning would
 * silently turn `/a/../../b` into a different cgroup than the one asked.  */
static int
append_components (char *buf, size_t len, const char *p, const char *what, sk_error_t *err)
{
  while (*p)
    {
      size_t n = strcspn (p, "/");
      if (n == 2 && strncmp (p, "..", 2) == 0)
        return sk_error_set (err, 0, "linux.cgroupsPath: `%s`: a `..` component would escape "
                             "the cgroup hierarchy", what);
      if (n > 0 && !(n == 1 && p[0] == '.'))
        {
          size_t used = strlen (buf);
          if (used + 1 + n + 1 > len)
            return sk_error_set (err, ENAMETOOLONG, "linux.cgroupsPath: `%s`", what);
          if (used > 1)
            buf[used++] = '/';
          memcpy (buf + used, p, n);
          buf[used + n] = '\0';
        }
      p += n;
      p += strspn (p, "/");
    }
  return 0;
}

int
sk_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own,
                        char **out, sk_error_t *err)
{
  char buf[4096] = "/";
  const char *rel = (cgroups_path && cgroups_path[0]) ? cgroups_path : id;

  if (rel[0] != '/')
    {
      /* Below the parent of our own cgroup: see cgroup.h.  */
      _cleanup_free_ char *base = strdup (own ? own : "/");
      if (base == NULL)
        return sk_error_set (err, ENOMEM, "resolve cgroupsPath");
      char *slash = strrchr (base, '/');
      if (slash)
        *slash = '\0';
      if (append_components (buf, sizeof buf, base, base, err) < 0)
        return -1;
    }
  if (append_components (buf, sizeof buf, rel, rel, err) < 0)
    return -1;
  if (strcmp (buf, "/") == 0)
    return sk_error_set (err, 0, "linux.cgroupsPath: `%s` is the root of the cgroup hierarchy, "
                         "which cannot hold a container", rel);
  *out = strdup (buf);
  return *out ? 0 : sk_error_set (err, ENOMEM, "resolve cgroupsPath");
}

static int
check_systemd (bool systemd, sk_error_t *err)
{
  if (!systemd)
    return 0;
  if (access ("/run/systemd/system", F_OK) < 0)
    return sk_error_set (err, 0, "--systemd-cgroup: systemd is not running on this host "
                         "(no `/run/systemd/system`); drop the flag and use a plain cgroupsPath");
  return sk_error_set (err, 0, "--systemd-cgroup: the systemd cgroup driver is not supported; "
                       "drop the flag and use a plain cgroupsPath");
}

/* ---- validation ------------------------------------------------------- */

/* Every controller the resources need must be in the hierarchy.  */
static int
check_resources (const char *mountpoint, const struct sk_resources *r, sk_error_t *err)
{
  unsigned need = 0, have = 0;
  if (r == NULL)
    return 0;
  if (sk_cg_resources_controllers (r, &need, err) < 0)
    return -1;
  if (need == 0)
    return 0;
  if (available_controllers (mountpoint, &have, err) < 0)
    return -1;
  for (int c = 0; c < SK_CG__COUNT; c++)
    if ((need & SK_CG_BIT (c)) && !(have & SK_CG_BIT (c)))
      {
        char list[256];
        sk_cg_format_controllers (have, list, sizeof list);
        return sk_error_set (err, 0, "cgroup controller `%s` is not available in `%s` "
                             "(controllers available: %s)", ctrl_names[c], mountpoint,
                             list[0] ? list : "none");
      }
  return 0;
}

int
sk_cgroup_validate (const struct sk_spec *spec, sk_error_t *err)
{
  const char *mountpoint;
  const struct sk_cgroup_ops *ops;
  _cleanup_free_ char *path = NULL;
  const struct sk_linux *l = spec->linux_;

  if (detect_layout (&mountpoint, &ops, err) < 0)
    return -1;
  /* The id is not known here; any valid id resolves the same way.  */
  if (sk_cgroup_resolve_path (l ? l->cgroups_path : NULL, "id", "/", &path, err) < 0)
    return sk_error_prefix (err, "config.json");
  if (check_resources (mountpoint, l ? l->resources : NULL, err) < 0)
    return (*err)->errnum == 0 && strncmp ((*err)->msg, "linux.", 6) == 0
             ? sk_error_prefix (err, "config.json") : -1;
  return 0;
}

/* ---- create ----------------------------------------------------------- */

static struct sk_cgroup *
cg_new (const struct sk_cgroup_ops *ops, const char *mountpoint, const char *path)
{
  struct sk_cgroup *cg = calloc (1, sizeof *cg);
  if (cg == NULL)
    return NULL;
  cg->ops = ops;
  cg->dirfd = -1;
  cg->mountpoint = strdup (mountpoint);
  cg->path = strdup (path);
  if (cg->mountpoint == NULL || cg->path == NULL
      || asprintf (&cg->full, "%s%s", mountpoint, path) < 0)
    {
      cg->full = NULL;
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

struct sk_cgroup *
sk_cgroup_create (const struct sk_spec *spec, const char *id, bool systemd, sk_error_t *err)
{
  const char *mountpoint;
  const struct sk_cgroup_ops *ops;
  _cleanup_free_ char *own = NULL, *path = NULL;
  const struct sk_linux *l = spec->linux_;
  const struct sk_resources *r = l ? l->resources : NULL;

  if (check_systemd (systemd, err) < 0 || detect_layout (&mountpoint, &ops, err) < 0)
    return NULL;
  if (own_cgroup (&own, err) < 0)
    return NULL;
  if (sk_cgroup_resolve_path (l ? l->cgroups_path : NULL, id, own, &path, err) < 0
      || check_resources (mountpoint, r, err) < 0)
    return NULL;
  struct sk_cgroup *cg = cg_new (ops, mountpoint, path);
  if (cg == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup `%s%s`", mountpoint, path);
      return NULL;
    }
  if (ops->create (cg, r, err) < 0)
    {
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

struct sk_cgroup *
sk_cgroup_open (const char *mountpoint, const char *path, bool created, sk_error_t *err)
{
  const struct sk_cgroup_ops *ops = &sk_cgroup_v2_ops;
  size_t ml = strlen (mountpoint), hl = strlen ("/unified");

  if (ml >= hl && strcmp (mountpoint + ml - hl, "/unified") == 0)
    ops = &sk_cgroup_v2_hybrid_ops;
  /* state.json is ours, but refuse a path that leaves the hierarchy all
   * the same: delete removes what this names.  */
  if (path[0] != '/' || strstr (path, "/../") || (strlen (path) >= 3
                                                   && strcmp (path + strlen (path) - 3, "/..") == 0))
    {
      sk_error_set (err, 0, "state: invalid cgroup path `%s`", path);
      return NULL;
    }
  struct sk_cgroup *cg = cg_new (ops, mountpoint, path);
  if (cg == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup `%s%s`", mountpoint, path);
      return NULL;
    }
  cg->created = created;
  cg->dirfd = open (cg->full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* A cgroup that is already gone is not an error here: delete must still
   * work, and status falls back to the pid.  */
  if (cg->dirfd < 0 && errno != ENOENT)
    {
      sk_error_set (err, errno, "open cgroup `%s`", cg->full);
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

void
sk_cgroup_free (struct sk_cgroup *cg)
{
  if (cg == NULL)
    return;
  sk_closep (&cg->dirfd);
  free (cg->mountpoint);
  free (cg->path);
  free (cg->full);
  free (cg);
}

const char *
sk_cgroup_full_path (struct sk_cgroup *cg)
{
  return cg->full;
}

/* ---- dispatch --------------------------------------------------------- */

static int
gone (struct sk_cgroup *cg, sk_error_t *err)
{
  return sk_error_set (err, ENOENT, "cgroup `%s` does not exist", cg->full);
}

int
sk_cgroup_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err)
{
  return cg->dirfd < 0 ? gone (cg, err) : cg->ops->enter (cg, pid, err);
}

int
sk_cgroup_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  return cg->dirfd < 0 ? gone (cg, err) : cg->ops->apply (cg, r, err);
}

int
sk_cgroup_update (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  if (cg->dirfd < 0)
    return gone (cg, err);
  if (check_resources (cg->mountpoint, r, err) < 0)
    return -1;
  return cg->ops->update (cg, r, err);
}

int
sk_cgroup_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err)
{
  return cg->dirfd < 0 ? gone (cg, err) : cg->ops->freeze (cg, frozen, err);
}

int
sk_cgroup_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err)
{
  *frozen = false;
  return cg->dirfd < 0 ? 0 : cg->ops->is_frozen (cg, frozen, err);
}

int
sk_cgroup_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err)
{
  return cg->dirfd < 0 ? 0 : cg->ops->kill_all (cg, signo, err);
}

int
sk_cgroup_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err)
{
  *pids = NULL;
  *n = 0;
  return cg->dirfd < 0 ? 0 : cg->ops->pids (cg, pids, n, err);
}

char *
sk_cgroup_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err)
{
  if (cg->dirfd < 0)
    {
      gone (cg, err);
      return NULL;
    }
  return cg->ops->stats_json (cg, id, err);
}

int
sk_cgroup_oom_kills (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err)
{
  *count = 0;
  return cg->dirfd < 0 ? 0 : cg->ops->oom_kills (cg, count, err);
}

int
sk_cgroup_destroy (struct sk_cgroup *cg, sk_error_t *err)
{
  return cg->dirfd < 0 ? 0 : cg->ops->destroy (cg, err);
}

/* ---- file helpers (shared by the manager files) ---------------------- */

int
sk_cg_read_opt (const struct sk_cgroup *cg, const char *name, char **out, sk_error_t *err)
{
  *out = NULL;
  _cleanup_close_ int fd = openat (cg->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? 0 : sk_error_set (err, errno, "read `%s/%s`", cg->full, name);
  size_t cap = 4096, len = 0;
  _cleanup_free_ char *buf = malloc (cap);
  for (;;)
    {
      if (buf == NULL)
        return sk_error_set (err, ENOMEM, "read `%s/%s`", cg->full, name);
      ssize_t r = read (fd, buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sk_error_set (err, errno, "read `%s/%s`", cg->full, name);
      if (r == 0)
        break;
      len += r;
      if (len + 1 == cap)
        {
          char *nb = realloc (buf, cap *= 2);
          if (nb == NULL)
            return sk_error_set (err, ENOMEM, "read `%s/%s`", cg->full, name);
          buf = nb;
        }
    }
  buf[len] = '\0';
  *out = steal_ptr (&buf);
  return 0;
}

int
sk_cg_read (const struct sk_cgroup *cg, const char *name, char **out, sk_error_t *err)
{
  if (sk_cg_read_opt (cg, name, out, err) < 0)
    return -1;
  if (*out == NULL)
    return sk_error_set (err, ENOENT, "read `%s/%s`", cg->full, name);
  return 0;
}

int
sk_cg_write (const struct sk_cgroup *cg, const char *name, const char *value, sk_error_t *err)
{
  _cleanup_close_ int fd = openat (cg->dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return sk_error_set (err, errno, "write `%s` to `%s/%s`", value, cg->full, name);
  /* One write(2): cgroup files parse each write as a whole.  */
  ssize_t r;
  do
    r = write (fd, value, strlen (value));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return sk_error_set (err, errno, "write `%s` to `%s/%s`", value, cg->full, name);
  return 0;
}

bool
sk_cg_has_file (const struct sk_cgroup *cg, const char *name)
{
  return faccessat (cg->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

bool
sk_cg_kv_get (const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen (key);
  for (const char *p = text; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
      {
        *out = strtoull (p + kl + 1, NULL, 10);
        return true;
      }
  return false;
}
