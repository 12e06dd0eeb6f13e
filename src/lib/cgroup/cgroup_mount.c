/* The `cgroup` mount type: what the container sees at its destination
 * (usually /sys/fs/cgroup).  The spec names the type (config.md "Mounts")
 * and treats the mount as read/write exactly when its options lack `ro`
 * (config-linux.md "Cgroup ownership"); what it shows is runc's:
 *
 *   pure v2, no cgroup ns    a bind mount of the container's own cgroup
 *   pure v2, cgroup ns       a fresh cgroup2 mount, rooted at the ns root,
 *                            which is the container's cgroup (init.c)
 *   v1 or hybrid, no ns      a tmpfs; in it, per hierarchy, a directory
 *                            named as on the host (`cpu,cpuacct`, `systemd`,
 *                            `unified`) with a bind mount of the container's
 *                            own cgroup in that hierarchy, and the co-mount
 *                            symlinks (`cpu -> cpu,cpuacct`)
 *   v1 or hybrid, cgroup ns  the same tmpfs and directories, each with a
 *                            fresh mount of its hierarchy (cgroup v1 with
 *                            its controllers, or cgroup2), as runc does
 *
 * runc and crun mount a fresh cgroup2 on a pure v2 host even without a
 * cgroup namespace, which shows every sibling container's cgroup; the bind
 * of the container's own directory shows what runc shows on v1 and what
 * both show in a user namespace, so skiff does that everywhere.  runc
 * leaves the unified hierarchy out on hybrid hosts; it is mounted here
 * because the container is placed in it too (systemd in a container looks
 * for it at `unified`, as on the host).
 *
 * Bind sources are resolved by path in the container's own mount namespace
 * (the copy of the host's made when it was cloned), before pivot_root.  A
 * tree cloned in the parent cannot be used instead: open_tree refuses a
 * mount of another mount namespace (the EINVAL that a user namespace
 * without a cgroup namespace used to fail with), and a tree attached from
 * outside would not carry the flag locks the kernel puts on the copies of
 * a user namespace's mount namespace.  Resolved here, it needs nothing from
 * the parent and no frame in the protocol.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup/cgroup_mount.h"
#include "linux/rootfs_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* ---- the plan: which hierarchies, and the container's cgroup in each --- */

/* mountinfo escapes space, tab, newline and backslash as \ooo.  */
static char *
unescape (const char *s, size_t len)
{
  char *out = malloc (len + 1), *o = out;
  for (size_t i = 0; out && i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3'
          && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          *o++ = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
          i += 3;
        }
      else
        *o++ = s[i];
    }
  if (out)
    *o = '\0';
  return out;
}

/* Field n (0-based, space-separated) of line, unescaped; NULL if absent.  */
static char *
field (const char *line, size_t n)
{
  const char *p = line;
  for (size_t i = 0; i < n && p; i++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p == NULL || *p == '\0' || *p == '\n')
    return NULL;
  return unescape (p, strcspn (p, " \n"));
}

struct mi_line
{
  char *root, *mountpoint, *fstype, *super;
};

static void
mi_line_free (struct mi_line *m)
{
  free (m->root);
  free (m->mountpoint);
  free (m->fstype);
  free (m->super);
}

/* id parent maj:min root mountpoint options [optional...] - fstype source super */
static int
mi_parse (const char *line, struct mi_line *m)
{
  const char *sep = strstr (line, " - ");
  size_t nl = strcspn (line, "\n");
  memset (m, 0, sizeof *m);
  if (sep == NULL || (size_t) (sep - line) > nl)
    return -1;
  m->root = field (line, 3);
  m->mountpoint = field (line, 4);
  m->fstype = field (sep + 3, 0);
  m->super = field (sep + 3, 2);
  return m->root && m->mountpoint && m->fstype && m->super ? 0 : -1;
}

/* True when the comma-separated list has the item.  */
static bool
list_has (const char *list, const char *item, size_t len)
{
  for (const char *p = list; *p;)
    {
      size_t l = strcspn (p, ",");
      if (l == len && strncmp (p, item, len) == 0)
        return true;
      p += l + (p[l] == ',');
    }
  return false;
}

/* The /proc/self/cgroup line of the hierarchy mounted with `super` options
 * (cgroup v1: its controllers or name= are among them) or of cgroup2 (the
 * `0::` line).  Returns the start of the line; ctl and path point into it.  */
static const char *
own_line (const char *self_cgroup, bool v2, const char *super, const char **ctl, size_t *ctl_len,
          const char **path, size_t *path_len)
{
  for (const char *l = self_cgroup; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      const char *c = strchr (l, ':'), *pth = c ? strchr (c + 1, ':') : NULL;
      size_t nl = strcspn (l, "\n");
      if (pth == NULL || (size_t) (pth - l) > nl)
        continue;
      size_t clen = pth - (c + 1), first = strcspn (c + 1, ",:");
      if (v2 ? clen != 0 : (clen == 0 || !list_has (super, c + 1, first)))
        continue;
      *ctl = c + 1;
      *ctl_len = clen;
      *path = pth + 1;
      *path_len = nl - (pth + 1 - l);
      return l;
    }
  return NULL;
}

/* mountpoint + (own - root): where the container's cgroup is in this
 * process's mount namespace.  */
static char *
source_path (const char *mountpoint, const char *root, const char *own, const char *name,
             sk_error_t *err)
{
  size_t rl = strcmp (root, "/") == 0 ? 0 : strlen (root);
  char *s = NULL;
  if (strncmp (own, root, rl) != 0 || (own[rl] != '/' && own[rl] != '\0'))
    {
      sk_error_set (err, 0, "hierarchy `%s`: the container's cgroup `%s` is not below the "
                    "root `%s` of its mount", name, own, root);
      return NULL;
    }
  if (asprintf (&s, "%s%s", mountpoint, own + rl) < 0)
    sk_error_set (err, ENOMEM, "hierarchy `%s`", name);
  return s;
}

static int
add_hier (struct sk_cgmount_plan *p, const struct mi_line *m, const char *ctl, size_t ctl_len,
          const char *own, bool with_source, sk_error_t *err)
{
  struct sk_cgmount_hier *n = realloc (p->h, (p->n + 1) * sizeof *n), *h;
  if (n == NULL)
    return sk_error_set (err, ENOMEM, "cgroup hierarchies");
  p->h = n;
  h = memset (&p->h[p->n], 0, sizeof *h);
  h->name = strdup (strrchr (m->mountpoint, '/') + 1);
  h->subsys = ctl_len ? strndup (ctl, ctl_len) : NULL;
  p->n++;
  if (h->name == NULL || (ctl_len && h->subsys == NULL))
    return sk_error_set (err, ENOMEM, "cgroup hierarchies");
  if (with_source)
    {
      h->source = source_path (m->mountpoint, m->root, own, h->name, err);
      if (h->source == NULL)
        return -1;
    }
  return 0;
}

/* One mountinfo line: a hierarchy at /sys/fs/cgroup (pure v2) or directly
 * below it (v1, hybrid).  `seen` holds the /proc/self/cgroup lines used
 * already: a hierarchy mounted twice is shown once.  */
static int
consider (struct sk_cgmount_plan *p, const struct mi_line *m, const char *self_cgroup,
          bool with_source, const char **seen, sk_error_t *err)
{
  bool v2 = strcmp (m->fstype, "cgroup2") == 0;
  const char *slash = strrchr (m->mountpoint, '/');
  const char *ctl, *path;
  size_t ctl_len, path_len;

  if (!v2 && strcmp (m->fstype, "cgroup") != 0)
    return 0;
  bool top = v2 && strcmp (m->mountpoint, CGROUP_ROOT) == 0;
  if (!top && (slash - m->mountpoint != (ptrdiff_t) strlen (CGROUP_ROOT)
               || strncmp (m->mountpoint, CGROUP_ROOT, slash - m->mountpoint) != 0
               || slash[1] == '\0'))
    return 0;
  const char *line = own_line (self_cgroup, v2, m->super, &ctl, &ctl_len, &path, &path_len);
  if (line == NULL)
    return 0;   /* a hierarchy this process is not in: nothing of its own to show */
  for (size_t i = 0; i < p->n; i++)
    if (seen[i] == line)
      return 0;
  seen[p->n] = line;
  _cleanup_free_ char *own = strndup (path, path_len);
  if (own == NULL)
    return sk_error_set (err, ENOMEM, "cgroup hierarchies");
  if (top)
    {
      sk_cgmount_plan_free (p);
      p->unified = true;
    }
  return add_hier (p, m, ctl, ctl_len, own, with_source, err);
}

int
sk_cgmount_plan_parse (const char *mountinfo, const char *self_cgroup, bool with_source,
                       struct sk_cgmount_plan *p, sk_error_t *err)
{
  size_t lines = 1;
  memset (p, 0, sizeof *p);
  for (const char *c = mountinfo; *c; c++)
    lines += *c == '\n';
  _cleanup_free_ const char **seen = calloc (lines + 1, sizeof *seen);
  if (seen == NULL)
    return sk_error_set (err, ENOMEM, "cgroup hierarchies");
  for (const char *l = mountinfo; l && *l && !p->unified;
       l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      struct mi_line m;
      int r = mi_parse (l, &m) == 0 ? consider (p, &m, self_cgroup, with_source, seen, err) : 0;
      mi_line_free (&m);
      if (r < 0)
        {
          sk_cgmount_plan_free (p);
          return -1;
        }
    }
  if (p->n == 0)
    return sk_error_set (err, ENOENT, "no cgroup hierarchy of this process is mounted at or "
                         "below `" CGROUP_ROOT "`");
  return 0;
}

void
sk_cgmount_plan_free (struct sk_cgmount_plan *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->h[i].name);
      free (p->h[i].subsys);
      free (p->h[i].source);
    }
  free (p->h);
  p->h = NULL;
  p->n = 0;
  p->unified = false;
}

/* ---- performing the mount ---------------------------------------------- */

static unsigned long
fs_flags (const struct sk_mount_opts *o)
{
  return o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
}

/* A new instance of a hierarchy (inside a cgroup namespace its root is the
 * namespace's): cgroup v1 names its hierarchy by controllers or name=.  */
static int
fresh_mount (const struct sk_cgmount_req *r, const struct sk_cgmount_hier *h, int target,
             sk_error_t *err)
{
  const char *type = h->subsys ? "cgroup" : "cgroup2";
  const char *data = h->subsys ? h->subsys : r->v2_data;
  char p[32];
  sk_fd_path (target, p);
  if (mount (type, p, type, fs_flags (r->o), data) < 0)
    return sk_error_set (err, errno, "mount %s `%s`", type, data ? data : h->name);
  return 0;
}

static int
bind_own (const struct sk_cgmount_req *r, const struct sk_cgmount_hier *h, int target,
          sk_error_t *err)
{
  _cleanup_close_ int tree = open_tree (AT_FDCWD, h->source,
                                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0)
    return sk_error_set (err, errno, "bind `%s`", h->source);
  if (sk_bind_set_attrs (tree, r->o, h->name, err) < 0)
    return -1;
  return sk_move_mount_onto (tree, target, h->name, err);
}

static int
mount_hier (const struct sk_cgmount_req *r, const struct sk_cgmount_hier *h, int target,
            sk_error_t *err)
{
  return r->cgroupns ? fresh_mount (r, h, target, err) : bind_own (r, h, target, err);
}

/* `cpu,cpuacct` gets `cpu` and `cpuacct` pointing at it, as on the host.  */
static int
comount_links (int dir, const char *name, sk_error_t *err)
{
  if (strchr (name, ',') == NULL)
    return 0;
  for (const char *p = name; *p;)
    {
      size_t l = strcspn (p, ",");
      _cleanup_free_ char *link = strndup (p, l);
      if (link == NULL)
        return sk_error_set (err, ENOMEM, "symlink to `%s`", name);
      if (symlinkat (name, dir, link) < 0 && errno != EEXIST)
        return sk_error_set (err, errno, "symlink `%s` -> `%s`", link, name);
      p += l + (p[l] == ',');
    }
  return 0;
}

static int
mount_tmpfs (const struct sk_cgmount_req *r, sk_error_t *err)
{
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    | (r->o->flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME));
  _cleanup_free_ char *data = NULL;
  char p[32];
  if (asprintf (&data, "mode=755%s%s", r->tmpfs_label ? "," : "",
                r->tmpfs_label ? r->tmpfs_label : "") < 0)
    return sk_error_set (err, ENOMEM, "tmpfs");
  sk_fd_path (r->target, p);
  if (mount ("tmpfs", p, "tmpfs", flags, data) < 0)
    return sk_error_set (err, errno, "mount tmpfs");
  return 0;
}

static int
mount_v1_layout (const struct sk_cgmount_req *r, const struct sk_cgmount_plan *plan,
                 sk_error_t *err)
{
  _cleanup_close_ int dir = -1;
  if (mount_tmpfs (r, err) < 0)
    return -1;
  /* r->target still names the directory under the tmpfs: reopen.  */
  dir = sk_open_in_root (r->rootfd, r->dest, O_RDONLY | O_DIRECTORY, 0, err);
  if (dir < 0)
    return -1;
  for (size_t i = 0; i < plan->n; i++)
    {
      const struct sk_cgmount_hier *h = &plan->h[i];
      _cleanup_close_ int sub = -1;
      if (mkdirat (dir, h->name, 0755) < 0 && errno != EEXIST)
        return sk_error_set (err, errno, "mkdir `%s`", h->name);
      sub = openat (dir, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return sk_error_set (err, errno, "open `%s`", h->name);
      if (mount_hier (r, h, sub, err) < 0)
        return sk_error_prefix (err, "hierarchy `%s`", h->name);
    }
  for (size_t i = 0; i < plan->n; i++)
    if (comount_links (dir, plan->h[i].name, err) < 0)
      return -1;
  /* Read-only last: the tmpfs had to take the directories first.  */
  if (r->o->flags & MS_RDONLY)
    {
      struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (dir, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
        return sk_error_set (err, errno, "make the tmpfs read-only");
    }
  return 0;
}

static int
read_proc (const char *path, char **out, sk_error_t *err)
{
  size_t len;
  return sk_read_file (path, out, &len, err);
}

int
sk_cgroup_mount (const struct sk_cgmount_req *r, sk_error_t *err)
{
  _cleanup_free_ char *mountinfo = NULL, *self = NULL;
  struct sk_cgmount_plan plan;
  int ret;

  if (read_proc ("/proc/self/mountinfo", &mountinfo, err) < 0
      || read_proc ("/proc/self/cgroup", &self, err) < 0
      || sk_cgmount_plan_parse (mountinfo, self, !r->cgroupns, &plan, err) < 0)
    return sk_error_prefix (err, "mount `cgroup` on `%s`", r->dest);
  if (plan.unified)
    ret = mount_hier (r, &plan.h[0], r->target, err);
  else
    ret = mount_v1_layout (r, &plan, err);
  sk_cgmount_plan_free (&plan);
  return ret < 0 ? sk_error_prefix (err, "mount `cgroup` on `%s`", r->dest) : 0;
}
