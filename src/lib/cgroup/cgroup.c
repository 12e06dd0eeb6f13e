/* The cgroup manager front: the manager for the host's layout (layout.c),
 * cgroupsPath resolution, validation before anything exists, creation with
 * rollback, and dispatch to the manager's function table (cgroup_v2.c,
 * cgroup_v1.c).  */
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
#include "cgroup/systemd.h"
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

/* The manager for this host: see cgroup.h.  *mountpoint is the unified
 * hierarchy for the v2 managers, NULL for v1.  */
static int
detect_layout (const char **mountpoint, const struct sk_cgroup_ops **ops, sk_error_t *err)
{
  const struct sk_cg_layout *l = sk_cg_layout (err);
  if (l == NULL)
    return -1;
  *mountpoint = l->unified;
  switch (l->kind)
    {
    case SK_CG_LAYOUT_UNIFIED:
      *ops = strcmp (l->unified, CG_ROOT) == 0 ? &sk_cgroup_v2_ops : &sk_cgroup_v2_hybrid_ops;
      return 0;
    case SK_CG_LAYOUT_HYBRID:
      *ops = &sk_cgroup_v1_hybrid_ops;
      return 0;
    case SK_CG_LAYOUT_LEGACY:
      *ops = &sk_cgroup_v1_ops;
      *mountpoint = NULL;
      return 0;
    }
  return sk_error_set (err, 0, "unknown cgroup layout");
}

static bool
is_v1 (const struct sk_cgroup_ops *ops)
{
  return ops == &sk_cgroup_v1_ops || ops == &sk_cgroup_v1_hybrid_ops;
}

/* The v1 manager's files, also under the systemd driver on a v1 host.  */
static bool
cg_is_v1 (const struct sk_cgroup *cg)
{
  return is_v1 (cg->ops) || cg->n_hier > 0;
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

static int
resolve_path (const char *cgroups_path, const char *id, const char *own, bool parent_of_own,
              char **out, sk_error_t *err)
{
  char buf[4096] = "/";
  const char *rel = (cgroups_path && cgroups_path[0]) ? cgroups_path : id;

  if (rel[0] != '/')
    {
      _cleanup_free_ char *base = strdup (own ? own : "/");
      if (base == NULL)
        return sk_error_set (err, ENOMEM, "resolve cgroupsPath");
      char *slash = strrchr (base, '/');
      if (slash && parent_of_own)
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

int
sk_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own,
                        char **out, sk_error_t *err)
{
  /* Below the parent of our own cgroup: see cgroup.h.  */
  return resolve_path (cgroups_path, id, own, true, out, err);
}

int
sk_cgroup_resolve_path_v1 (const char *cgroups_path, const char *id, const char *own,
                           char **out, sk_error_t *err)
{
  return resolve_path (cgroups_path, id, own, false, out, err);
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
  if (is_v1 (ops))
    {
      if (l && l->resources && sk_cg_v1_check_host (l->resources, err) < 0)
        return (*err)->errnum == 0 && strncmp ((*err)->msg, "linux.", 6) == 0
                 ? sk_error_prefix (err, "config.json") : -1;
      return 0;
    }
  if (check_resources (mountpoint, l ? l->resources : NULL, err) < 0)
    return (*err)->errnum == 0 && strncmp ((*err)->msg, "linux.", 6) == 0
             ? sk_error_prefix (err, "config.json") : -1;
  return 0;
}

/* ---- create ----------------------------------------------------------- */

struct sk_cgroup *
sk_cg_new (const struct sk_cgroup_ops *ops, const char *mountpoint, const char *path)
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

static sk_cgroup_intent_fn intent_fn;
static void *intent_data;

void
sk_cgroup_set_intent_hook (sk_cgroup_intent_fn fn, void *data)
{
  intent_fn = fn;
  intent_data = data;
}

/* How many components of full (below mountpoint) do not exist yet.  */
static int
missing_depth (const char *mountpoint, const char *full)
{
  _cleanup_free_ char *p = strdup (full);
  size_t ml = strlen (mountpoint);
  int depth = 0;
  struct stat st;
  while (p && strlen (p) > ml && stat (p, &st) < 0 && errno == ENOENT)
    {
      depth++;
      *strrchr (p, '/') = '\0';
    }
  return depth;
}

/* Called by the managers with every hierarchy's cgroup resolved and none
 * made yet (see sk_cgroup_set_intent_hook).  */
int
sk_cg_report_intent (const struct sk_cgroup_ops *ops, struct sk_cgroup *const *cgs, size_t n,
                     sk_error_t *err)
{
  if (intent_fn == NULL)
    return 0;
  _cleanup_free_ struct sk_cgroup_place *places = calloc (n ? n : 1, sizeof *places);
  if (places == NULL)
    return sk_error_set (err, ENOMEM, "cgroup");
  for (size_t i = 0; i < n; i++)
    {
      const struct sk_cgroup *c = cgs[i];
      places[i].controllers = (char *) (c->controllers ? c->controllers : "");
      places[i].mountpoint = c->mountpoint;
      places[i].path = c->path;
      places[i].created_depth = missing_depth (c->mountpoint, c->full);
      places[i].created = places[i].created_depth > 0;
    }
  return intent_fn (intent_data, ops->name, places, n, err);
}

struct sk_cgroup *
sk_cgroup_create (const struct sk_spec *spec, const char *id, bool systemd, sk_error_t *err)
{
  const char *mountpoint;
  const struct sk_cgroup_ops *ops;
  _cleanup_free_ char *own = NULL, *path = NULL;
  const struct sk_linux *l = spec->linux_;
  const struct sk_resources *r = l ? l->resources : NULL;

  if (detect_layout (&mountpoint, &ops, err) < 0)
    return NULL;
  if (systemd)
    {
      /* v1/hybrid: the unit with v1 property names, the v1 manager's
       * files in every hierarchy (systemd.c, cgroup_v1.c sk_cg_v1_adopt).
       * Rootless, the user manager has no v1 hierarchy delegated to it
       * (runc and crun refuse this too).  */
      if (is_v1 (ops))
        {
          if (geteuid () != 0)
            {
              sk_error_set (err, 0, "--systemd-cgroup: rootless containers need cgroup v2 "
                            "(this host's controllers are on cgroup v1 hierarchies, %s layout, "
                            "which systemd does not delegate to a user)", ops->name);
              return NULL;
            }
          if (r && sk_cg_v1_check_host (r, err) < 0)
            return NULL;
          return sk_cgroup_systemd_new (spec, id, CG_ROOT, false, err);
        }
      if (check_resources (mountpoint, r, err) < 0)
        return NULL;
      return sk_cgroup_systemd_new (spec, id, mountpoint, true, err);
    }
  if (is_v1 (ops))
    return sk_cg_v1_create (ops, spec, id, err);
  if (own_cgroup (&own, err) < 0)
    return NULL;
  if (sk_cgroup_resolve_path (l ? l->cgroups_path : NULL, id, own, &path, err) < 0
      || check_resources (mountpoint, r, err) < 0)
    return NULL;
  struct sk_cgroup *cg = sk_cg_new (ops, mountpoint, path);
  if (cg == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup `%s%s`", mountpoint, path);
      return NULL;
    }
  if (sk_cg_report_intent (ops, &cg, 1, err) < 0 || ops->create (cg, r, err) < 0
      || sk_cg_set_places (cg, err) < 0)
    {
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

/* state.json is ours, but refuse a path that leaves the hierarchy all
 * the same: delete removes what this names.  */
bool
sk_cg_path_ok (const char *path)
{
  size_t l = strlen (path);
  return path[0] == '/' && strstr (path, "/../") == NULL
         && !(l >= 3 && strcmp (path + l - 3, "/..") == 0);
}

/* Open one hierarchy's cgroup.  A cgroup that is already gone is not an
 * error here (dirfd -1): delete must still work, and status falls back
 * to the pid.  */
struct sk_cgroup *
sk_cg_open_one (const struct sk_cgroup_ops *ops, const char *mountpoint, const char *path,
          bool created, sk_error_t *err)
{
  if (!sk_cg_path_ok (path))
    {
      sk_error_set (err, 0, "state: invalid cgroup path `%s`", path);
      return NULL;
    }
  struct sk_cgroup *cg = sk_cg_new (ops, mountpoint, path);
  if (cg == NULL)
    {
      sk_error_set (err, ENOMEM, "cgroup `%s%s`", mountpoint, path);
      return NULL;
    }
  cg->created = created;
  cg->dirfd = open (cg->full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->dirfd < 0 && errno != ENOENT)
    {
      sk_error_set (err, errno, "open cgroup `%s`", cg->full);
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

struct sk_cgroup *
sk_cgroup_open (const char *mountpoint, const char *path, bool created, sk_error_t *err)
{
  size_t ml = strlen (mountpoint), hl = strlen ("/unified");
  bool hybrid = ml >= hl && strcmp (mountpoint + ml - hl, "/unified") == 0;
  struct sk_cgroup *cg = sk_cg_open_one (hybrid ? &sk_cgroup_v2_hybrid_ops : &sk_cgroup_v2_ops,
                                   mountpoint, path, created, err);
  if (cg && sk_cg_set_places (cg, err) < 0)
    {
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

static const struct sk_cgroup_ops *
ops_by_name (const char *name)
{
  static const struct sk_cgroup_ops *const all[] = {
    &sk_cgroup_v2_ops, &sk_cgroup_v2_hybrid_ops, &sk_cgroup_v1_ops, &sk_cgroup_v1_hybrid_ops,
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (strcmp (all[i]->name, name) == 0)
      return all[i];
  return NULL;
}

struct sk_cgroup *
sk_cgroup_open_places (const char *manager, const struct sk_cgroup_place *places, size_t n,
                       sk_error_t *err)
{
  if (manager && strcmp (manager, "systemd") == 0 && n > 0)
    return sk_cgroup_systemd_open (places, n, err);
  const struct sk_cgroup_ops *ops = manager ? ops_by_name (manager) : NULL;
  if (manager && ops == NULL)
    {
      sk_error_set (err, 0, "state: unknown cgroup manager `%s`", manager);
      return NULL;
    }
  if (n == 0)
    {
      sk_error_set (err, 0, "state: no cgroup recorded");
      return NULL;
    }
  /* State files from before v1 support name no manager: one v2 place.  */
  if (ops == NULL || !is_v1 (ops))
    {
      struct sk_cgroup *cg = sk_cgroup_open (places[0].mountpoint, places[0].path,
                                             places[0].created, err);
      if (cg)
        cg->created_depth = cg->places[0].created_depth = places[0].created_depth;
      return cg;
    }
  return sk_cg_v1_open (ops, places, n, err);
}

/* What state.json records: the cgroup itself (v2) or each hierarchy's.  */
int
sk_cg_set_places (struct sk_cgroup *cg, sk_error_t *err)
{
  size_t n = cg->n_hier ? cg->n_hier : 1;
  cg->places = calloc (n, sizeof *cg->places);
  if (cg->places == NULL)
    return sk_error_set (err, ENOMEM, "cgroup `%s`", cg->full);
  cg->n_places = n;
  for (size_t i = 0; i < n; i++)
    {
      struct sk_cgroup *h = cg->n_hier ? cg->hier[i] : cg;
      struct sk_cgroup_place *p = &cg->places[i];
      p->controllers = strdup (h->controllers ? h->controllers : "");
      p->mountpoint = strdup (h->mountpoint);
      p->path = strdup (h->path);
      p->created = h->created;
      p->created_depth = h->created_depth;
      if (!p->controllers || !p->mountpoint || !p->path)
        return sk_error_set (err, ENOMEM, "cgroup `%s`", cg->full);
    }
  return 0;
}

const struct sk_cgroup_place *
sk_cgroup_places (const struct sk_cgroup *cg, size_t *n)
{
  *n = cg->n_places;
  return cg->places;
}

const char *
sk_cgroup_manager_name (const struct sk_cgroup *cg)
{
  return cg->ops->name;
}

int
sk_cgroup_clone_fd (const struct sk_cgroup *cg)
{
  return cg_is_v1 (cg) ? -1 : cg->dirfd;
}

void
sk_cgroup_free (struct sk_cgroup *cg)
{
  if (cg == NULL)
    return;
  sk_closep (&cg->dirfd);
  for (size_t i = 0; i < cg->n_hier; i++)
    sk_cgroup_free (cg->hier[i]);
  free (cg->hier);
  for (size_t i = 0; i < cg->n_places; i++)
    {
      free (cg->places[i].controllers);
      free (cg->places[i].mountpoint);
      free (cg->places[i].path);
    }
  free (cg->places);
  free (cg->controllers);
  free (cg->mountpoint);
  free (cg->path);
  free (cg->full);
  free (cg->unit);
  if (cg->driver_free)
    cg->driver_free (cg->driver);
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
  /* The systemd driver makes the cgroup here (a scope needs a pid).  */
  return cg->dirfd < 0 && cg->unit == NULL ? gone (cg, err) : cg->ops->enter (cg, pid, err);
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
  if (cg_is_v1 (cg) ? sk_cg_v1_check_host (r, err) < 0
                      : check_resources (cg->mountpoint, r, err) < 0)
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
  /* A unit outlives its cgroup when it failed: the driver resets it.  */
  return cg->dirfd < 0 && cg->unit == NULL ? 0 : cg->ops->destroy (cg, err);
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

/* ---- exec --cgroup ---------------------------------------------------- */

/* "CTRL[,CTRL]:PATH" or "PATH": *ctrls (malloc'd, NULL for all) and the
 * path below the container's cgroup.  */
static int
parse_exec_sub (const char *sub, char **ctrls, const char **path, sk_error_t *err)
{
  const char *colon = strchr (sub, ':');
  *ctrls = NULL;
  *path = colon ? colon + 1 : sub;
  while (**path == '/')
    (*path)++;
  if (**path == '\0' || strstr (*path, "..") || (colon && (colon == sub || strchr (*path, ':'))))
    return sk_error_set (err, 0, "invalid --cgroup `%s`: expected [CONTROLLER[,CONTROLLER]:]PATH "
                         "below the container's cgroup", sub);
  if (colon && (*ctrls = strndup (sub, (size_t) (colon - sub))) == NULL)
    return sk_error_set (err, ENOMEM, "--cgroup `%s`", sub);
  return 0;
}

/* Does hierarchy h match any controller of ctrls (NULL: all match)?  */
static bool
hier_matches (const struct sk_cgroup *h, const char *ctrls)
{
  if (ctrls == NULL)
    return true;
  for (const char *p = ctrls; *p; p += strcspn (p, ","), p += *p == ',')
    if (sk_cg_controllers_has (h->controllers, p, strcspn (p, ",")))
      return true;
  return false;
}

static int
open_exec_dir (struct sk_cgroup *h, char *const *subs, size_t n_subs, int *fd, sk_error_t *err)
{
  const char *path = NULL, *which = NULL;
  for (size_t i = 0; i < n_subs; i++)
    {
      _cleanup_free_ char *ctrls = NULL;
      const char *p;
      if (parse_exec_sub (subs[i], &ctrls, &p, err) < 0)
        return -1;
      if (h->controllers == NULL || hier_matches (h, ctrls))
        path = p, which = subs[i];
    }
  *fd = path ? openat (h->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
             : fcntl (h->dirfd, F_DUPFD_CLOEXEC, 0);
  if (*fd < 0)
    return path ? sk_error_set (err, errno, "--cgroup `%s`: open `%s/%s`", which, h->full, path)
                : sk_error_set (err, errno, "open the container's cgroup `%s`", h->full);
  return 0;
}

int
sk_cgroup_exec_dirs (struct sk_cgroup *cg, char *const *subs, size_t n_subs, int *fds,
                     size_t max, size_t *n, bool *clone_ok, sk_error_t *err)
{
  *n = 0;
  *clone_ok = !cg_is_v1 (cg);
  if (cg->dirfd < 0)
    return gone (cg, err);
  /* Every controller named must be one the host has (runc refuses an
   * unknown one too).  */
  for (size_t i = 0; i < n_subs && cg->n_hier; i++)
    {
      _cleanup_free_ char *ctrls = NULL;
      const char *p;
      if (parse_exec_sub (subs[i], &ctrls, &p, err) < 0)
        return -1;
      for (const char *c = ctrls; c && *c; c += strcspn (c, ","), c += *c == ',')
        {
          bool found = false;
          for (size_t k = 0; k < cg->n_hier && !found; k++)
            found = sk_cg_controllers_has (cg->hier[k]->controllers, c, strcspn (c, ","));
          if (!found)
            return sk_error_set (err, 0, "--cgroup `%s`: no cgroup hierarchy has controller "
                                 "`%.*s`", subs[i], (int) strcspn (c, ","), c);
        }
    }
  size_t count = cg->n_hier ? cg->n_hier : 1;
  for (size_t i = 0; i < count; i++)
    {
      struct sk_cgroup *h = cg->n_hier ? cg->hier[i] : cg;
      if (h->dirfd < 0)
        continue;
      if (*n == max)
        return sk_error_set (err, E2BIG, "too many cgroup hierarchies");
      if (open_exec_dir (h, subs, n_subs, &fds[*n], err) < 0)
        {
          for (size_t k = 0; k < *n; k++)
            close (fds[k]);
          *n = 0;
          return -1;
        }
      (*n)++;
    }
  return 0;
}
