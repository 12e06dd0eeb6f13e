/* The cgroup v2 manager: creation (parents, controllers down the path),
 * membership, freezer, kill, pids, destroy.  Resources are in
 * cgroup_v2_resources.c, statistics in cgroup_stats.c, the device filter in
 * cgroup_ebpf.c.
 *
 * The same table serves the unified hierarchy of a hybrid host
 * (/sys/fs/cgroup/unified): membership, cgroup.freeze and cgroup.kill are
 * core cgroup v2 files that exist there whatever controllers it has; a
 * resource needing a controller it lacks was refused by validation.  */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

#define FREEZE_TIMEOUT_MS 10000
#define DRAIN_TIMEOUT_MS 5000

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- create ----------------------------------------------------------- */

/* Enable in `dir`'s cgroup.subtree_control the controllers the container
 * needs, and only those (one write each, so the error names the one
 * refused).  Enabling every controller, as runc and crun do, breaks a
 * container below a parent that holds processes: even the threaded
 * controllers (cpu, pids), which the kernel lets such a parent enable,
 * turn it into a thread root whose plain children refuse processes
 * (`cgroup.procs: Operation not supported`).  `update` enables what it
 * newly needs the same way (sk_cg_v2_enable_path).
 *
 * A parent that holds processes of its own (not the root) cannot give
 * its children any controller: cgroup v2's no-internal-processes rule.  */
static int
enable_controllers (int dirfd, const char *dirpath, bool is_root, unsigned need, sk_error_t *err)
{
  struct sk_cgroup at = { .dirfd = dirfd, .full = (char *) dirpath };
  _cleanup_free_ char *enabled = NULL, *procs = NULL;
  if (need == 0)
    return 0;
  if (sk_cg_read (&at, "cgroup.subtree_control", &enabled, err) < 0)
    return -1;
  unsigned missing = need & ~sk_cg_parse_controllers (enabled);
  if (missing == 0)
    return 0;
  if (!is_root && sk_cg_read (&at, "cgroup.procs", &procs, err) < 0)
    return -1;
  if (procs && procs[strspn (procs, " \n")] != '\0')
    {
      char list[256];
      sk_cg_format_controllers (missing, list, sizeof list);
      return sk_error_set (err, EBUSY, "cgroup `%s` holds processes of its own: cgroup v2's "
                           "no-internal-processes rule forbids enabling controllers (%s) for "
                           "its children; place the container below a cgroup without processes",
                           dirpath, list);
    }
  for (int c = 0; c < SK_CG__COUNT; c++)
    {
      if (!(missing & SK_CG_BIT (c)))
        continue;
      char req[32];
      snprintf (req, sizeof req, "+%s", sk_cg_ctrl_name (c));
      if (sk_cg_write (&at, "cgroup.subtree_control", req, err) == 0)
        continue;
      if ((*err)->errnum == EBUSY)
        {
          sk_error_free (err);
          return sk_error_set (err, EBUSY, "enable cgroup controller `%s` in `%s`: cgroup v2's "
                               "no-internal-processes rule (the cgroup or its subtree holds "
                               "processes where controllers cannot be)", sk_cg_ctrl_name (c),
                               dirpath);
        }
      return sk_error_prefix (err, "enable cgroup controller `%s`", sk_cg_ctrl_name (c));
    }
  return 0;
}

/* For `update`: enable what r needs in every ancestor of the cgroup.  */
int
sk_cg_v2_enable_path (struct sk_cgroup *cg, unsigned need, sk_error_t *err)
{
  char full[4096];
  _cleanup_close_ int cur = open (cg->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return sk_error_set (err, errno, "open `%s`", cg->mountpoint);
  snprintf (full, sizeof full, "%s", cg->mountpoint);
  bool root = true;
  for (const char *p = cg->path + 1; *p; p += strcspn (p, "/"), p += strspn (p, "/"))
    {
      if (enable_controllers (cur, full, root, need, err) < 0)
        return -1;
      root = false;
      size_t len = strcspn (p, "/"), used = strlen (full);
      snprintf (full + used, sizeof full - used, "/%.*s", (int) len, p);
      if (strcmp (full, cg->full) == 0)
        break;
      int next = openat (cur, full + used + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (next < 0)
        return sk_error_set (err, errno, "open cgroup `%s`", full);
      close (cur);
      cur = next;
    }
  return 0;
}

/* rmdir the components of path from the deepest up to index `from`.  */
static void
remove_created (const char *mountpoint, char **comps, int n, int from)
{
  for (int last = n - 1; last >= from; last--)
    {
      char buf[4096];
      size_t used = (size_t) snprintf (buf, sizeof buf, "%s", mountpoint);
      for (int i = 0; i <= last && used < sizeof buf; i++)
        used += (size_t) snprintf (buf + used, sizeof buf - used, "/%s", comps[i]);
      if (rmdir (buf) < 0 && errno != ENOENT)
        sk_log_warn ("cgroup: rollback: remove `%s`: %s", buf, strerror (errno));
    }
}

static int
split_path (const char *path, char ***out, int *n)
{
  char *copy = strdup (path);
  char **v = calloc (strlen (path) / 2 + 2, sizeof *v);
  int k = 0;
  if (copy == NULL || v == NULL)
    {
      free (copy);
      free (v);
      return -1;
    }
  for (char *save = NULL, *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    v[k++] = strdup (t);
  free (copy);
  *out = v;
  *n = k;
  return 0;
}

/* Joining a pre-existing cgroup that already holds processes: runc warns
 * and continues (callers such as kubelet's pod-level cgroups and users
 * running several containers in one cgroup rely on it), so skiff does
 * too, unless the kernel forbids it: a v2 cgroup with controllers enabled
 * for its children cannot take processes (the no-internal-processes
 * rule), which writing cgroup.procs would answer with EBUSY.
 * `populated` covers the whole subtree, where cgroup.procs lists only the
 * cgroup's own members.  */
int
sk_cg_v2_check_join (struct sk_cgroup *cg, sk_error_t *err)
{
  uint64_t populated = 0;
  _cleanup_free_ char *ev = NULL, *subtree = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (sk_cg_read (cg, "cgroup.events", &ev, err) < 0)
    return -1;
  sk_cg_kv_get (ev, "populated", &populated);
  if (populated == 0)
    return 0;
  if (sk_cg_v2_pids (cg, &pids, &n, err) < 0 || sk_cg_read (cg, "cgroup.subtree_control",
                                                             &subtree, err) < 0)
    return -1;
  if (subtree[strspn (subtree, " \n")] != '\0')
    return sk_error_set (err, 0, "cgroup `%s` already exists and has processes below it with "
                         "controllers enabled for its children (%.*s): cgroup v2's "
                         "no-internal-processes rule forbids adding the container's processes "
                         "to it", cg->full, (int) strcspn (subtree, "\n"), subtree);
  sk_log_warn ("cgroup `%s` already exists and is not empty (%zu process(es)): the container "
               "joins it as runc does; kill --all and delete will not spare those processes",
               cg->full, n);
  return 0;
}

/* Walk the path from the mount point: enable controllers in each parent,
 * mkdir each missing component.  On return *created_from is the index of
 * the first component this call made (n when none).  */
static int
walk_create (struct sk_cgroup *cg, char **comps, int n, unsigned need, int *created_from,
             sk_error_t *err)
{
  char full[4096];
  snprintf (full, sizeof full, "%s", cg->mountpoint);
  _cleanup_close_ int cur = open (cg->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  *created_from = n;
  if (cur < 0)
    return sk_error_set (err, errno, "open `%s`", cg->mountpoint);
  for (int i = 0; i < n; i++)
    {
      if (enable_controllers (cur, full, i == 0, need, err) < 0)
        return -1;
      size_t used = strlen (full);
      snprintf (full + used, sizeof full - used, "/%s", comps[i]);
      if (mkdirat (cur, comps[i], 0755) == 0)
        {
          if (*created_from == n)
            *created_from = i;
        }
      else if (errno != EEXIST)
        return sk_error_set (err, errno, "create cgroup `%s`", full);
      int next = openat (cur, comps[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (next < 0)
        return sk_error_set (err, errno, "open cgroup `%s`", full);
      close (cur);
      cur = next;
    }
  cg->dirfd = steal_fd (&cur);
  return 0;
}

static int
v2_create (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  unsigned need = 0;
  _cleanup_strv_ char **comps = NULL;
  int n, from;

  if (r && sk_cg_resources_controllers (r, &need, err) < 0)
    return -1;
  if (split_path (cg->path, &comps, &n) < 0)
    return sk_error_set (err, ENOMEM, "cgroup `%s`", cg->full);
  if (walk_create (cg, comps, n, need, &from, err) < 0)
    goto fail;
  cg->created = from < n;
  cg->created_depth = n - from;
  /* A pre-existing cgroup is joined and never removed.  */
  if (!cg->created && sk_cg_v2_check_join (cg, err) < 0)
    goto fail;
  if (cg->ops->apply (cg, r, err) < 0)
    goto fail;
  return 0;
fail:
  sk_closep (&cg->dirfd);
  remove_created (cg->mountpoint, comps, n, from);
  cg->created = false;
  return -1;
}

/* The systemd driver: systemd made the cgroup and its parents (and enabled
 * the controllers it manages); enable the others the resources need down
 * the path (hugetlb, rdma, misc are not systemd's) and write the files.  */
int
sk_cg_v2_adopt (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  unsigned need = 0;
  _cleanup_strv_ char **comps = NULL;
  int n, from;

  if (r && sk_cg_resources_controllers (r, &need, err) < 0)
    return -1;
  if (split_path (cg->path, &comps, &n) < 0)
    return sk_error_set (err, ENOMEM, "cgroup `%s`", cg->full);
  if (walk_create (cg, comps, n, need, &from, err) < 0)
    return -1;
  if (from < n)
    {
      sk_closep (&cg->dirfd);
      remove_created (cg->mountpoint, comps, n, from);
      return sk_error_set (err, ENOENT, "cgroup `%s` does not exist after its unit started",
                           cg->full);
    }
  return sk_cg_v2_apply (cg, r, false, err);
}

/* ---- apply / enter ---------------------------------------------------- */

static int
v2_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  return sk_cg_v2_apply (cg, r, false, err);
}

static int
v2_update (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  unsigned need = 0;
  if (sk_cg_resources_controllers (r, &need, err) < 0 || sk_cg_v2_enable_path (cg, need, err) < 0)
    return -1;
  return sk_cg_v2_apply (cg, r, true, err);
}

static int
v2_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  return sk_cg_write (cg, "cgroup.procs", buf, err);
}

/* ---- freezer ---------------------------------------------------------- */

static int
events_value (struct sk_cgroup *cg, const char *key, uint64_t *v, sk_error_t *err)
{
  _cleanup_free_ char *ev = NULL;
  if (sk_cg_read (cg, "cgroup.events", &ev, err) < 0)
    return -1;
  if (!sk_cg_kv_get (ev, key, v))
    return sk_error_set (err, 0, "`%s/cgroup.events` has no `%s` line", cg->full, key);
  return 0;
}

/* Wait until cgroup.events says key == want.  The kernel signals changes
 * of cgroup.events with POLLPRI, so this sleeps rather than spins.  */
static int
wait_events (struct sk_cgroup *cg, const char *key, uint64_t want, int timeout_ms, bool *ok,
             sk_error_t *err)
{
  _cleanup_close_ int fd = openat (cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
  int64_t deadline = now_ms () + timeout_ms;
  *ok = false;
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s/cgroup.events`", cg->full);
  for (;;)
    {
      uint64_t v;
      if (events_value (cg, key, &v, err) < 0)
        return -1;
      if (v == want)
        {
          *ok = true;
          return 0;
        }
      int64_t left = deadline - now_ms ();
      if (left <= 0)
        return 0;
      struct pollfd p = { .fd = fd, .events = POLLPRI };
      /* Re-check at least every 100 ms: a change between our read and the
       * poll would otherwise only be seen at the deadline.  */
      if (poll (&p, 1, left < 100 ? (int) left : 100) < 0 && errno != EINTR)
        return sk_error_set (err, errno, "poll `%s/cgroup.events`", cg->full);
    }
}

int
sk_cg_v2_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err)
{
  bool ok;
  if (sk_cg_write (cg, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  if (wait_events (cg, "frozen", frozen ? 1 : 0, FREEZE_TIMEOUT_MS, &ok, err) < 0)
    return -1;
  if (ok)
    return 0;
  if (frozen)
    {
      /* Do not leave it half frozen.  */
      sk_error_t ignored = NULL;
      sk_cg_write (cg, "cgroup.freeze", "0", &ignored);
      sk_error_free (&ignored);
    }
  return sk_error_set (err, ETIMEDOUT, "%s cgroup `%s`: `frozen %d` did not appear in "
                       "cgroup.events within %d s", frozen ? "freeze" : "thaw", cg->full,
                       frozen ? 1 : 0, FREEZE_TIMEOUT_MS / 1000);
}

int
sk_cg_v2_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err)
{
  uint64_t v = 0;
  *frozen = false;
  if (events_value (cg, "frozen", &v, err) < 0)
    {
      /* Removed under us (ENODEV on a deleted cgroup's open fd).  */
      if ((*err)->errnum == ENOENT || (*err)->errnum == ENODEV)
        {
          sk_error_free (err);
          return 0;
        }
      return -1;
    }
  *frozen = v == 1;
  return 0;
}

/* ---- pids and kill ---------------------------------------------------- */

int
sk_cg_collect_pids (int dirfd, const char *full, pid_t **pids, size_t *n, size_t *cap, sk_error_t *err)
{
  struct sk_cgroup at = { .dirfd = dirfd, .full = (char *) full };
  _cleanup_free_ char *procs = NULL;
  if (sk_cg_read (&at, "cgroup.procs", &procs, err) < 0)
    return -1;
  for (char *p = procs; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (*n == *cap)
        {
          size_t nc = *cap ? *cap * 2 : 64;
          pid_t *np = realloc (*pids, nc * sizeof *np);
          if (np == NULL)
            return sk_error_set (err, ENOMEM, "read `%s/cgroup.procs`", full);
          *pids = np;
          *cap = nc;
        }
      (*pids)[(*n)++] = (pid_t) v;
      p = end + strspn (end, "\n");
    }
  /* Sub-cgroups (exec --cgroup) belong to the container too.  */
  int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return sk_error_set (err, errno, "open `%s`", full);
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return sk_error_set (err, errno, "open `%s`", full);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      _cleanup_close_ int sub = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (sub < 0)
        continue;   /* removed meanwhile */
      _cleanup_free_ char *subfull = NULL;
      if (asprintf (&subfull, "%s/%s", full, de->d_name) < 0)
        return sk_error_set (err, ENOMEM, "read `%s`", full);
      if (sk_cg_collect_pids (sub, subfull, pids, n, cap, err) < 0)
        return -1;
    }
  return 0;
}

int
sk_cg_v2_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err)
{
  size_t cap = 0;
  *pids = NULL;
  *n = 0;
  if (sk_cg_collect_pids (cg->dirfd, cg->full, pids, n, &cap, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

/* Signal every process.  The cgroup is frozen meanwhile (unless the user
 * had paused it) so that a process forking in a loop cannot outrun the
 * walk over cgroup.procs.  */
static int
signal_each (struct sk_cgroup *cg, int signo, sk_error_t *err)
{
  bool was_frozen = false, froze = false;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n;
  sk_error_t e = NULL;

  if (sk_cg_v2_is_frozen (cg, &was_frozen, &e) < 0)
    sk_error_free (&e);
  if (!was_frozen && sk_cg_v2_freeze (cg, true, &e) == 0)
    froze = true;
  sk_error_free (&e);
  int r = sk_cg_v2_pids (cg, &pids, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    if (kill (pids[i], signo) < 0 && errno != ESRCH)
      r = sk_error_set (err, errno, "send signal %d to pid %d", signo, (int) pids[i]);
  if (froze && sk_cg_v2_freeze (cg, false, &e) < 0)
    {
      if (r == 0)
        {
          *err = e;
          return -1;
        }
      sk_error_free (&e);
    }
  return r;
}

static int
v2_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err)
{
  /* cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks in
   * flight included; it only does SIGKILL.  */
  if (signo == SIGKILL && sk_cg_has_file (cg, "cgroup.kill"))
    return sk_cg_write (cg, "cgroup.kill", "1", err);
  return signal_each (cg, signo, err);
}

static int
v2_oom_kills (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err)
{
  _cleanup_free_ char *ev = NULL;
  *count = 0;
  if (sk_cg_read_opt (cg, "memory.events", &ev, err) < 0)
    return -1;
  if (ev)
    sk_cg_kv_get (ev, "oom_kill", count);
  return 0;
}

/* ---- destroy ---------------------------------------------------------- */

/* Remove dir `name` under parent, children first.  A cgroup still holding
 * processes (leftovers of a stopped container, or processes still being
 * torn down after SIGKILL) answers EBUSY: kill them and wait until
 * cgroup.events says `populated 0`.  */
static int
remove_tree (int parent, const char *name, const char *full, sk_error_t *err)
{
  /* The common case, an empty leaf, needs no listing: cgroupfs answers
   * EBUSY for a cgroup with children or processes.  */
  if (unlinkat (parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  if (errno != EBUSY)
    return sk_error_set (err, errno, "remove cgroup `%s`", full);
  _cleanup_close_ int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? 0 : sk_error_set (err, errno, "remove cgroup `%s`", full);
  int dfd = dup (fd);
  _cleanup_closedir_ DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    return sk_error_set (err, errno, "remove cgroup `%s`", full);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      _cleanup_free_ char *sub = NULL;
      if (asprintf (&sub, "%s/%s", full, de->d_name) < 0)
        return sk_error_set (err, ENOMEM, "remove cgroup `%s`", full);
      if (remove_tree (fd, de->d_name, sub, err) < 0)
        return -1;
    }
  if (unlinkat (parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  if (errno != EBUSY)
    return sk_error_set (err, errno, "remove cgroup `%s`", full);

  struct sk_cgroup at = { .dirfd = fd, .full = (char *) full };
  bool drained;
  sk_error_t e = NULL;
  if (v2_kill_all (&at, SIGKILL, &e) < 0)
    sk_error_free (&e);
  if (wait_events (&at, "populated", 0, DRAIN_TIMEOUT_MS, &drained, err) < 0)
    return -1;
  if (unlinkat (parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  return sk_error_set (err, errno, "remove cgroup `%s`%s", full,
                       drained ? "" : ": processes are still in it after SIGKILL");
}

static int
v2_destroy (struct sk_cgroup *cg, sk_error_t *err)
{
  if (!cg->created)
    {
      /* Not ours: leave it, but take our device filter off it.  */
      sk_error_t e = NULL;
      if (sk_cg_devices_detach (cg, &e) < 0)
        {
          sk_log_warn ("cgroup `%s`: %s", cg->full, e->msg);
          sk_error_free (&e);
        }
      return 0;
    }
  _cleanup_free_ char *parent = strdup (cg->full);
  if (parent == NULL)
    return sk_error_set (err, ENOMEM, "remove cgroup `%s`", cg->full);
  char *slash = strrchr (parent, '/');
  *slash = '\0';
  _cleanup_close_ int pfd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    return errno == ENOENT ? 0 : sk_error_set (err, errno, "open `%s`", parent);
  if (remove_tree (pfd, slash + 1, cg->full, err) < 0)
    return -1;
  /* Parents this container's create made (cgroupsPath a/b/c with a/ new):
   * remove them while empty; one still used by another container stays
   * (ENOTEMPTY/EBUSY).  */
  for (int i = 1; i < cg->created_depth && (slash = strrchr (parent, '/')); i++)
    {
      if (rmdir (parent) < 0)
        break;
      *slash = '\0';
    }
  return 0;
}

/* Pure v2 and the unified hierarchy of a hybrid host share every
 * operation: validation already refused whatever the latter's fewer
 * controllers cannot enforce.  Only the name differs.  */
#define SK_V2_OPS(label)                                                       \
  {                                                                            \
    .name = label, .create = v2_create, .apply = v2_apply, .update = v2_update, \
    .enter = v2_enter, .freeze = sk_cg_v2_freeze, .is_frozen = sk_cg_v2_is_frozen,          \
    .kill_all = v2_kill_all, .pids = sk_cg_v2_pids, .stats_json = sk_cg_v2_stats_json, \
    .oom_kills = v2_oom_kills, .destroy = v2_destroy,                           \
  }

const struct sk_cgroup_ops sk_cgroup_v2_ops = SK_V2_OPS ("v2");
const struct sk_cgroup_ops sk_cgroup_v2_hybrid_ops = SK_V2_OPS ("v2-hybrid");
