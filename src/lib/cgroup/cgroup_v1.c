/* The cgroup v1 manager, for legacy hosts and the hybrid layout (v1
 * controllers plus cgroup2 at /sys/fs/cgroup/unified), as runc's fs
 * manager does it: the container gets a directory in EVERY mounted
 * hierarchy (controllers it configures and those it does not, so that
 * `ps`, stats and the clients' own cgroup readers find it everywhere;
 * `name=systemd` too), and on hybrid hosts in the unified hierarchy as
 * well, which holds no v1 controller but is where systemd and cgroup-v2
 * aware tools look.
 *
 * The top struct sk_cgroup holds one sub-cgroup per hierarchy (hier[]);
 * each is an ordinary struct sk_cgroup so the file helpers work on it.
 * Resources are in cgroup_v1_resources.c, statistics in
 * cgroup_v1_stats.c.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
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

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

struct sk_cgroup *
sk_cg_v1_hier (struct sk_cgroup *cg, const char *name)
{
  for (size_t i = 0; i < cg->n_hier; i++)
    if (cg->hier[i]->dirfd >= 0 && cg->hier[i]->controllers
        && sk_cg_controllers_has (cg->hier[i]->controllers, name, strlen (name)))
      return cg->hier[i];
  return NULL;
}

static struct sk_cgroup *
unified_of (struct sk_cgroup *cg)
{
  for (size_t i = 0; i < cg->n_hier; i++)
    if (cg->hier[i]->dirfd >= 0 && cg->hier[i]->controllers[0] == '\0')
      return cg->hier[i];
  return NULL;
}

/* The hierarchy whose cgroup.procs lists the container: the freezer's
 * (kill --all freezes it), else any.  */
static struct sk_cgroup *
procs_hier (struct sk_cgroup *cg)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "freezer");
  for (size_t i = 0; h == NULL && i < cg->n_hier; i++)
    if (cg->hier[i]->dirfd >= 0)
      h = cg->hier[i];
  return h;
}

static int
add_hier (struct sk_cgroup *top, struct sk_cgroup *h, const char *controllers, sk_error_t *err)
{
  struct sk_cgroup **v = realloc (top->hier, (top->n_hier + 1) * sizeof *v);
  if (h == NULL || v == NULL || (h->controllers = strdup (controllers)) == NULL)
    {
      if (v)
        top->hier = v;
      sk_cgroup_free (h);
      return sk_error_set (err, ENOMEM, "cgroup");
    }
  top->hier = v;
  top->hier[top->n_hier++] = h;
  return 0;
}

/* The top object: named after the first hierarchy for messages, with a
 * dup of its fd so the front's "does it still exist" test works.  */
static int
finish_top (struct sk_cgroup *top, sk_error_t *err)
{
  for (size_t i = 0; i < top->n_hier; i++)
    if (top->hier[i]->dirfd >= 0)
      {
        top->dirfd = fcntl (top->hier[i]->dirfd, F_DUPFD_CLOEXEC, 0);
        if (top->dirfd < 0)
          return sk_error_set (err, errno, "cgroup `%s`", top->hier[i]->full);
        break;
      }
  return 0;
}

/* ---- create ----------------------------------------------------------- */

/* A new cpuset cgroup starts with empty cpus and mems, and the kernel
 * refuses tasks until both are set: copy them from the parent where they
 * are empty (runc's ensureCpusAndMems does the same).  */
static int
fill_cpuset (int parent, int dir, const char *full, sk_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  struct sk_cgroup p = { .dirfd = parent, .full = (char *) full };
  struct sk_cgroup c = { .dirfd = dir, .full = (char *) full };
  for (int i = 0; i < 2; i++)
    {
      _cleanup_free_ char *mine = NULL, *theirs = NULL;
      if (sk_cg_read (&c, files[i], &mine, err) < 0)
        return -1;
      if (mine[strspn (mine, " \n")] != '\0')
        continue;
      if (sk_cg_read (&p, files[i], &theirs, err) < 0)
        return -1;
      theirs[strcspn (theirs, "\n")] = '\0';
      if (theirs[0] && sk_cg_write (&c, files[i], theirs, err) < 0)
        return -1;
    }
  return 0;
}

/* Unified controllers a hybrid host offers only there (hugetlb on this
 * kind of host), enabled down the path when the resources use them.  */
static int
enable_unified (int dirfd, const char *full, const char *need, sk_error_t *err)
{
  struct sk_cgroup at = { .dirfd = dirfd, .full = (char *) full };
  for (const char *p = need; p && *p; p += strcspn (p, ","), p += *p == ',')
    {
      char req[64];
      snprintf (req, sizeof req, "+%.*s", (int) strcspn (p, ","), p);
      if (sk_cg_write (&at, "cgroup.subtree_control", req, err) < 0)
        return sk_error_prefix (err, "enable cgroup controller `%s` in the unified hierarchy",
                                req + 1);
    }
  return 0;
}

/* mkdir each missing component of h->path below its mount point.  */
static int
walk_create (struct sk_cgroup *h, const char *unified_need, sk_error_t *err)
{
  char full[4096], ok[4096];
  bool cpuset = sk_cg_controllers_has (h->controllers, "cpuset", 6);
  _cleanup_close_ int cur = open (h->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int depth = 0;
  if (cur < 0)
    return sk_error_set (err, errno, "open `%s`", h->mountpoint);
  snprintf (full, sizeof full, "%s", h->mountpoint);
  snprintf (ok, sizeof ok, "%s", full);
  for (const char *p = h->path + 1; *p; p += strcspn (p, "/"), p += strspn (p, "/"))
    {
      size_t len = strcspn (p, "/"), used = strlen (full);
      char name[256];
      if (len >= sizeof name)
        return sk_error_set (err, ENAMETOOLONG, "cgroup `%s`", h->full);
      snprintf (name, sizeof name, "%.*s", (int) len, p);
      snprintf (full + used, sizeof full - used, "/%s", name);
      if (h->controllers[0] == '\0' && unified_need && enable_unified (cur, full, unified_need,
                                                                       err) < 0)
        goto fail;
      bool made = mkdirat (cur, name, 0755) == 0;
      if (!made && errno != EEXIST)
        {
          sk_error_set (err, errno, "create cgroup `%s`", full);
          goto fail;
        }
      snprintf (ok, sizeof ok, "%s", full);
      /* Once one component is new, all below it are.  */
      depth = made || depth ? depth + 1 : 0;
      h->created_depth = depth;
      h->created = depth > 0;
      int next = openat (cur, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (next < 0)
        {
          sk_error_set (err, errno, "open cgroup `%s`", full);
          goto fail;
        }
      /* Pre-existing but empty ancestors too: runc fills every level, and
       * an empty one would refuse the container's tasks (ENOSPC).  */
      if (cpuset && fill_cpuset (cur, next, full, err) < 0)
        {
          close (next);
          goto fail;
        }
      close (cur);
      cur = next;
    }
  h->dirfd = steal_fd (&cur);
  return 0;
fail:
  /* Undo the components made so far (ok is the deepest one reached).  */
  for (int d = 0; d < depth; d++)
    {
      if (rmdir (ok) < 0 && errno != ENOENT)
        sk_log_warn ("cgroup: rollback: remove `%s`: %s", ok, strerror (errno));
      char *slash = strrchr (ok, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  h->created = false;
  h->created_depth = 0;
  return -1;
}

/* A pre-existing cgroup with processes: runc warns and joins it (v1 has
 * no rule against it), and so does skiff.  */
static void
warn_if_busy (struct sk_cgroup *h)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0, cap = 0;
  sk_error_t e = NULL;
  if (h->created || sk_cg_collect_pids (h->dirfd, h->full, &pids, &n, &cap, &e) < 0)
    {
      sk_error_free (&e);
      return;
    }
  if (n)
    sk_log_warn ("cgroup `%s` already exists and is not empty (%zu process(es)): the container "
                 "joins it as runc does; kill --all and delete will not spare those processes",
                 h->full, n);
}

/* The path of the container in hierarchy `ctrls` mounted with `m_root`
 * as its root (a mount of a sub-tree, as inside another container).  */
static int
path_in (const char *ctrls, const char *m_root, const char *cgroups_path, const char *id,
         char **out, sk_error_t *err)
{
  _cleanup_free_ char *own = NULL;
  const char *rel = cgroups_path && cgroups_path[0] ? cgroups_path : id;
  if (rel[0] != '/' && sk_cg_own_path (ctrls, &own, err) < 0)
    return -1;
  const char *o = own ? own : "/";
  size_t rl = strlen (m_root);
  if (strcmp (m_root, "/") != 0 && strncmp (o, m_root, rl) == 0 && (o[rl] == '/' || !o[rl]))
    o += rl;
  return sk_cgroup_resolve_path_v1 (cgroups_path, id, o[0] ? o : "/", out, err);
}

static int
add_place (struct sk_cgroup *top, const struct sk_cgroup_ops *ops, const char *ctrls,
           const char *mountpoint, const char *m_root, const struct sk_linux *l, const char *id,
           sk_error_t *err)
{
  _cleanup_free_ char *path = NULL;
  if (path_in (ctrls, m_root, l ? l->cgroups_path : NULL, id, &path, err) < 0)
    return -1;
  return add_hier (top, sk_cg_new (ops, mountpoint, path), ctrls, err);
}

static void
rollback (struct sk_cgroup *top)
{
  for (size_t i = 0; i < top->n_hier; i++)
    {
      struct sk_cgroup *h = top->hier[i];
      _cleanup_free_ char *dir = strdup (h->full);
      sk_closep (&h->dirfd);
      for (int d = 0; dir && d < h->created_depth; d++)
        {
          if (rmdir (dir) < 0 && errno != ENOENT)
            sk_log_warn ("cgroup: rollback: remove `%s`: %s", dir, strerror (errno));
          char *slash = strrchr (dir, '/');
          if (slash == NULL)
            break;
          *slash = '\0';
        }
      h->created = false;
      h->created_depth = 0;
    }
}

struct sk_cgroup *
sk_cg_v1_create (const struct sk_cgroup_ops *ops, const struct sk_spec *spec, const char *id,
                 sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  const struct sk_resources *r = l ? l->resources : NULL;
  const struct sk_cg_layout *lay = sk_cg_layout (err);
  _cleanup_free_ char *need = NULL, *unified_need = NULL;
  if (lay == NULL || (r && sk_cg_v1_check_host (r, err) < 0)
      || (r && sk_cg_v1_resources_check (r, &need, err) < 0))
    return NULL;
  struct sk_cgroup *top = sk_cg_new (ops, "/sys/fs/cgroup", "/");
  if (top == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup");
      return NULL;
    }
  /* Every path is resolved before the first mkdir.  */
  for (size_t i = 0; i < lay->n_v1; i++)
    if (add_place (top, ops, lay->v1[i].controllers, lay->v1[i].mountpoint, lay->v1[i].root, l,
                   id, err) < 0)
      goto fail;
  if (ops == &sk_cgroup_v1_hybrid_ops
      && add_place (top, &sk_cgroup_v2_hybrid_ops, "", lay->unified, "/", l, id, err) < 0)
    goto fail;
  /* Recorded by create before anything exists (intent.h).  */
  if (sk_cg_report_intent (ops, top->hier, top->n_hier, err) < 0)
    goto fail;
  /* Controllers a hybrid host has only in the unified hierarchy.  */
  unified_need = sk_cg_v1_unified_need (need);
  for (size_t i = 0; i < top->n_hier; i++)
    {
      if (walk_create (top->hier[i], unified_need, err) < 0)
        goto fail;
      warn_if_busy (top->hier[i]);
    }
  free (top->full);
  top->full = strdup (top->hier[0]->full);
  free (top->path);
  top->path = strdup (top->hier[0]->path);
  top->created = top->hier[0]->created;
  if (top->full == NULL || top->path == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup");
      goto fail;
    }
  if (finish_top (top, err) < 0 || sk_cg_v1_apply (top, r, false, err) < 0
      || sk_cg_set_places (top, err) < 0)
    goto fail;
  return top;
fail:
  rollback (top);
  sk_cgroup_free (top);
  return NULL;
}

/* The systemd driver on a v1 or hybrid host (systemd.c): systemd has
 * started the unit, so its cgroup `path` exists in the hierarchies systemd
 * manages (name=systemd, the unified one, and with Delegate=yes cpu,
 * cpuacct, memory, blkio, devices, pids) and holds pid there.  As runc's
 * systemd v1 manager, make the same path in the hierarchies systemd leaves
 * alone (cpuset, freezer, net_cls, perf_event, hugetlb ...), put pid in
 * every one, then write the resources through the v1 writers.  Only what
 * this call made is marked created: delete removes those, systemd its own
 * when the unit stops.  */
int
sk_cg_v1_adopt (struct sk_cgroup *top, const char *path, pid_t pid, const struct sk_resources *r,
                sk_error_t *err)
{
  const struct sk_cg_layout *lay = sk_cg_layout (err);
  _cleanup_free_ char *need = NULL, *unified_need = NULL;
  if (lay == NULL || (r && sk_cg_v1_resources_check (r, &need, err) < 0))
    return -1;
  const struct sk_cgroup_ops *ops = lay->kind == SK_CG_LAYOUT_HYBRID ? &sk_cgroup_v1_hybrid_ops
                                                                       : &sk_cgroup_v1_ops;
  for (size_t i = 0; i < lay->n_v1; i++)
    {
      /* systemd's paths start at the hierarchy's root; a mount of a
       * sub-tree (as inside another container) shows them shorter.  */
      const char *p = path, *m_root = lay->v1[i].root;
      size_t rl = strlen (m_root);
      if (strcmp (m_root, "/") != 0 && strncmp (p, m_root, rl) == 0 && p[rl] == '/')
        p += rl;
      if (add_hier (top, sk_cg_new (ops, lay->v1[i].mountpoint, p), lay->v1[i].controllers,
                    err) < 0)
        goto fail;
    }
  if (lay->kind == SK_CG_LAYOUT_HYBRID
      && add_hier (top, sk_cg_new (&sk_cgroup_v2_hybrid_ops, lay->unified, path), "", err) < 0)
    goto fail;
  unified_need = sk_cg_v1_unified_need (need);
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < top->n_hier; i++)
    {
      struct sk_cgroup *h = top->hier[i];
      h->dirfd = open (h->full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (h->dirfd < 0 && errno != ENOENT)
        {
          sk_error_set (err, errno, "open cgroup `%s`", h->full);
          goto fail;
        }
      if (h->dirfd < 0 && walk_create (h, unified_need, err) < 0)
        goto fail;
      /* Where systemd placed pid this is a no-op; a slice unit holds no
       * pid of systemd's doing anywhere.  */
      if (sk_cg_write (h, "cgroup.procs", buf, err) < 0)
        goto fail;
    }
  free (top->full);
  free (top->path);
  free (top->mountpoint);
  top->full = strdup (top->hier[0]->full);
  top->path = strdup (path);
  top->mountpoint = strdup ("/sys/fs/cgroup");
  if (top->full == NULL || top->path == NULL || top->mountpoint == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup");
      goto fail;
    }
  if (finish_top (top, err) < 0 || sk_cg_v1_apply (top, r, false, err) < 0
      || sk_cg_set_places (top, err) < 0)
    goto fail;
  return 0;
fail:
  rollback (top);
  return -1;
}

struct sk_cgroup *
sk_cg_v1_open (const struct sk_cgroup_ops *ops, const struct sk_cgroup_place *places, size_t n,
               sk_error_t *err)
{
  struct sk_cgroup *top = sk_cg_new (ops, "/sys/fs/cgroup", places[0].path);
  if (top == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup");
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    {
      const struct sk_cgroup_place *p = &places[i];
      bool unified = p->controllers == NULL || p->controllers[0] == '\0';
      struct sk_cgroup *h = sk_cg_open_one (unified ? &sk_cgroup_v2_hybrid_ops : ops,
                                            p->mountpoint, p->path, p->created, err);
      if (h == NULL || add_hier (top, h, p->controllers ? p->controllers : "", err) < 0)
        goto fail;
      h->created_depth = p->created_depth;
    }
  free (top->full);
  top->full = strdup (top->hier[0]->full);
  top->created = top->hier[0]->created;
  if (top->full == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup");
      goto fail;
    }
  if (finish_top (top, err) < 0 || sk_cg_set_places (top, err) < 0)
    goto fail;
  return top;
fail:
  sk_cgroup_free (top);
  return NULL;
}

/* ---- apply / enter ---------------------------------------------------- */

static int
v1_create_unused (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  (void) cg;
  (void) r;
  return sk_error_set (err, EINVAL, "cgroup v1: create goes through sk_cg_v1_create");
}

static int
v1_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  return sk_cg_v1_apply (cg, r, false, err);
}

static int
v1_update (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  return sk_cg_v1_apply (cg, r, true, err);
}

/* One write per hierarchy, as runc's Apply does: a process is in exactly
 * one cgroup of each.  */
static int
v1_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < cg->n_hier; i++)
    if (cg->hier[i]->dirfd >= 0 && sk_cg_write (cg->hier[i], "cgroup.procs", buf, err) < 0)
      return -1;
  return 0;
}

/* ---- freezer ---------------------------------------------------------- */

static int
freezer_state (struct sk_cgroup *h, char *buf, size_t len, sk_error_t *err)
{
  _cleanup_free_ char *s = NULL;
  if (sk_cg_read (h, "freezer.state", &s, err) < 0)
    return -1;
  snprintf (buf, len, "%.*s", (int) strcspn (s, "\n"), s);
  return 0;
}

/* freezer.state goes THAWED -> FREEZING -> FROZEN; a task forking or in
 * an uninterruptible sleep can keep it FREEZING.  As runc's freezer does,
 * re-write FROZEN while it is FREEZING, and now and then thaw and try
 * again so that a cgroup whose tasks keep appearing still freezes; give
 * up (thawed, never left half frozen) after FREEZE_TIMEOUT_MS.  */
static int
freeze_v1 (struct sk_cgroup *h, sk_error_t *err)
{
  int64_t deadline = now_ms () + FREEZE_TIMEOUT_MS;
  char st[32];
  for (int i = 0;; i++)
    {
      if (i % 200 == 199)
        {
          sk_error_t e = NULL;
          sk_cg_write (h, "freezer.state", "THAWED", &e);
          sk_error_free (&e);
          sleep_ms (10);
        }
      if (sk_cg_write (h, "freezer.state", "FROZEN", err) < 0 || freezer_state (h, st, sizeof st,
                                                                                 err) < 0)
        return -1;
      if (strcmp (st, "FROZEN") == 0)
        return 0;
      if (strcmp (st, "FREEZING") != 0)
        return sk_error_set (err, 0, "freeze cgroup `%s`: unexpected freezer.state `%s`",
                             h->full, st);
      if (now_ms () > deadline)
        break;
      sleep_ms (1);
    }
  sk_error_t e = NULL;
  sk_cg_write (h, "freezer.state", "THAWED", &e);
  sk_error_free (&e);
  return sk_error_set (err, ETIMEDOUT, "freeze cgroup `%s`: still FREEZING after %d s (a task "
                       "in uninterruptible sleep?); thawed it again", h->full,
                       FREEZE_TIMEOUT_MS / 1000);
}

static int
v1_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "freezer");
  if (h == NULL)
    {
      /* No v1 freezer: a hybrid host's unified hierarchy has cgroup.freeze. */
      struct sk_cgroup *u = unified_of (cg);
      if (u)
        return sk_cg_v2_freeze (u, frozen, err);
      return sk_error_set (err, 0, "pause: the host has no `freezer` cgroup hierarchy");
    }
  if (frozen)
    return freeze_v1 (h, err);
  return sk_cg_write (h, "freezer.state", "THAWED", err);
}

static int
v1_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "freezer");
  char st[32];
  *frozen = false;
  if (h == NULL)
    {
      struct sk_cgroup *u = unified_of (cg);
      return u ? sk_cg_v2_is_frozen (u, frozen, err) : 0;
    }
  if (freezer_state (h, st, sizeof st, err) < 0)
    {
      /* Removed under us.  */
      if ((*err)->errnum == ENOENT || (*err)->errnum == ENODEV)
        {
          sk_error_free (err);
          return 0;
        }
      return -1;
    }
  /* FREEZING is not paused: pause either reached FROZEN or thawed.  */
  *frozen = strcmp (st, "FROZEN") == 0;
  return 0;
}

/* ---- pids and kill ---------------------------------------------------- */

static int
v1_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err)
{
  size_t cap = 0;
  struct sk_cgroup *h = procs_hier (cg);
  *pids = NULL;
  *n = 0;
  if (h == NULL)
    return 0;
  if (sk_cg_collect_pids (h->dirfd, h->full, pids, n, &cap, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

/* v1 has no cgroup.kill: freeze (so that no process can fork behind the
 * walk), signal every pid, thaw.  With SIGKILL on a hybrid host the
 * unified hierarchy's cgroup.kill does it atomically: every process of
 * the container is in its unified cgroup too.  */
static int
v1_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err)
{
  struct sk_cgroup *u = unified_of (cg);
  if (signo == SIGKILL && u && sk_cg_has_file (u, "cgroup.kill"))
    return sk_cg_write (u, "cgroup.kill", "1", err);
  bool was_frozen = false, froze = false;
  sk_error_t e = NULL;
  if (v1_is_frozen (cg, &was_frozen, &e) < 0)
    sk_error_free (&e);
  if (!was_frozen && sk_cg_v1_hier (cg, "freezer") && v1_freeze (cg, true, &e) == 0)
    froze = true;
  sk_error_free (&e);
  _cleanup_free_ pid_t *pids = NULL;
  size_t n;
  int r = v1_pids (cg, &pids, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    if (kill (pids[i], signo) < 0 && errno != ESRCH)
      r = sk_error_set (err, errno, "send signal %d to pid %d", signo, (int) pids[i]);
  if (froze && v1_freeze (cg, false, r == 0 ? err : &e) < 0 && r == 0)
    return -1;
  sk_error_free (&e);
  return r;
}

static int
v1_oom_kills (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err)
{
  struct sk_cgroup *h = sk_cg_v1_hier (cg, "memory");
  _cleanup_free_ char *oc = NULL;
  *count = 0;
  if (h == NULL || sk_cg_read_opt (h, "memory.oom_control", &oc, err) < 0)
    return h ? -1 : 0;
  if (oc)
    sk_cg_kv_get (oc, "oom_kill", count);
  return 0;
}

/* ---- destroy ---------------------------------------------------------- */

/* rmdir `full` (children first).  A cgroup still holding processes
 * answers EBUSY: SIGKILL them and poll cgroup.procs (v1 has no
 * populated event) until empty or DRAIN_TIMEOUT_MS.  */
static int
remove_dir (const char *full, sk_error_t *err)
{
  /* The common case, an empty leaf, needs no listing: cgroupfs answers
   * EBUSY for a cgroup with children or processes.  */
  if (rmdir (full) == 0 || errno == ENOENT)
    return 0;
  if (errno != EBUSY)
    return sk_error_set (err, errno, "remove cgroup `%s`", full);
  _cleanup_closedir_ DIR *d = opendir (full);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      _cleanup_free_ char *sub = NULL;
      if (asprintf (&sub, "%s/%s", full, de->d_name) < 0)
        return sk_error_set (err, ENOMEM, "remove cgroup `%s`", full);
      if (remove_dir (sub, err) < 0)
        return -1;
    }
  int64_t deadline = now_ms () + DRAIN_TIMEOUT_MS;
  while (rmdir (full) < 0)
    {
      if (errno == ENOENT)
        return 0;
      if (errno != EBUSY || now_ms () > deadline)
        return sk_error_set (err, errno, "remove cgroup `%s`%s", full,
                             errno == EBUSY ? ": processes are still in it after SIGKILL" : "");
      _cleanup_close_ int fd = open (full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      _cleanup_free_ pid_t *pids = NULL;
      size_t n = 0, cap = 0;
      sk_error_t e = NULL;
      if (fd >= 0 && sk_cg_collect_pids (fd, full, &pids, &n, &cap, &e) == 0)
        for (size_t i = 0; i < n; i++)
          kill (pids[i], SIGKILL);
      sk_error_free (&e);
      sleep_ms (10);
    }
  return 0;
}

/* In each hierarchy remove what this container's create made: its
 * cgroup and the parents it made (while empty: one shared with another
 * container stays).  Pre-existing cgroups are left alone.  */
static int
v1_destroy (struct sk_cgroup *cg, sk_error_t *err)
{
  int r = 0;
  for (size_t i = 0; i < cg->n_hier; i++)
    {
      struct sk_cgroup *h = cg->hier[i];
      if (!h->created || h->dirfd < 0)
        continue;
      sk_error_t e = NULL;
      if (remove_dir (h->full, &e) < 0)
        {
          /* Go on with the other hierarchies; report the first failure.  */
          if (r == 0)
            *err = e, r = -1;
          else
            sk_error_free (&e);
          continue;
        }
      _cleanup_free_ char *dir = strdup (h->full);
      for (int d = 1; dir && d < h->created_depth; d++)
        {
          char *slash = strrchr (dir, '/');
          if (slash == NULL)
            break;
          *slash = '\0';
          if (rmdir (dir) < 0)
            break;
        }
    }
  return r;
}

#define SK_V1_OPS(label)                                                        \
  {                                                                             \
    .name = label, .create = v1_create_unused, .apply = v1_apply,               \
    .update = v1_update, .enter = v1_enter, .freeze = v1_freeze,                \
    .is_frozen = v1_is_frozen, .kill_all = v1_kill_all, .pids = v1_pids,        \
    .stats_json = sk_cg_v1_stats_json, .oom_kills = v1_oom_kills,               \
    .destroy = v1_destroy,                                                      \
  }

const struct sk_cgroup_ops sk_cgroup_v1_ops = SK_V1_OPS ("v1");
const struct sk_cgroup_ops sk_cgroup_v1_hybrid_ops = SK_V1_OPS ("v1-hybrid");
