/* Cgroup layout detection: which hierarchies the host has, where they are
 * mounted, and which cgroup skiff itself is in for each.  Done once per
 * process from /proc/self/mountinfo (every cgroup and cgroup2 mount) and
 * statfs (is /sys/fs/cgroup itself cgroup2?), as runc decides between its
 * fs and fs2 managers.  */
#include <config.h>
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define CG_ROOT "/sys/fs/cgroup"

/* The v1 controllers a hierarchy can carry (Documentation/admin-guide/
 * cgroup-v1); other super options (rw, noprefix, xattr, release_agent=,
 * clone_children, cpuset_v2_mode, favordynmods) are not controllers.  */
static const char *const v1_known[] = {
  "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
  "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc", "debug", NULL,
};

static bool
is_v1_controller (const char *opt, size_t len)
{
  if (len > 5 && strncmp (opt, "name=", 5) == 0)
    return true;
  for (size_t i = 0; v1_known[i]; i++)
    if (strlen (v1_known[i]) == len && strncmp (v1_known[i], opt, len) == 0)
      return true;
  return false;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct" (the controllers only).  */
static char *
controllers_of (const char *superopts)
{
  size_t len = strlen (superopts);
  char *out = calloc (1, len + 1);
  if (out == NULL)
    return NULL;
  for (const char *p = superopts; *p;)
    {
      size_t n = strcspn (p, ",");
      if (is_v1_controller (p, n))
        {
          if (out[0])
            strcat (out, ",");
          strncat (out, p, n);
        }
      p += n;
      p += strspn (p, ",");
    }
  return out;
}

/* mountinfo unescapes: "\040" is a space.  */
static void
unescape (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3])
      {
        *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
        r += 3;
      }
    else
      *w++ = *r;
  *w = '\0';
}

bool
sk_cg_controllers_equal (const char *a, const char *b)
{
  /* Same set, whatever the order: "cpuacct,cpu" == "cpu,cpuacct".  */
  size_t na = 0, nb = 0;
  for (const char *p = a; *p; p += strcspn (p, ","), p += *p == ',')
    na++;
  for (const char *p = b; *p; p += strcspn (p, ","), p += *p == ',')
    nb++;
  if (na != nb)
    return false;
  for (const char *p = a; *p; p += strcspn (p, ","), p += *p == ',')
    if (!sk_cg_controllers_has (b, p, strcspn (p, ",")))
      return false;
  return true;
}

bool
sk_cg_controllers_has (const char *list, const char *name, size_t len)
{
  for (const char *p = list; p && *p;)
    {
      size_t n = strcspn (p, ",");
      if (n == len && strncmp (p, name, len) == 0)
        return true;
      p += n;
      p += strspn (p, ",");
    }
  return false;
}

static int
add_mount (struct sk_cg_layout *l, const char *ctrls, const char *mountpoint, const char *root)
{
  /* A hierarchy mounted twice: the first mount wins (runc's
   * FindCgroupMountpoint does the same).  */
  for (size_t i = 0; i < l->n_v1; i++)
    if (sk_cg_controllers_equal (l->v1[i].controllers, ctrls))
      return 0;
  struct sk_cg_mount *v = realloc (l->v1, (l->n_v1 + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  l->v1 = v;
  struct sk_cg_mount *m = &l->v1[l->n_v1];
  memset (m, 0, sizeof *m);
  m->controllers = strdup (ctrls);
  m->mountpoint = strdup (mountpoint);
  m->root = strdup (root);
  if (!m->controllers || !m->mountpoint || !m->root)
    return -1;
  l->n_v1++;
  return 0;
}

/* A mount made later on the same mount point hides a cgroup hierarchy
 * (mountinfo lists mounts in the order they were made): a tmpfs over
 * /sys/fs/cgroup/unified, as a nested runtime or a benchmark's private
 * namespace does, leaves no usable cgroup2 there.  */
static void
forget_shadowed (struct sk_cg_layout *l, const char *mountpoint, const char *fstype)
{
  if (l->unified && strcmp (l->unified, mountpoint) == 0 && strcmp (fstype, "cgroup2") != 0)
    {
      free (l->unified);
      l->unified = NULL;
    }
  for (size_t i = 0; i < l->n_v1; i++)
    if (strcmp (l->v1[i].mountpoint, mountpoint) == 0 && strcmp (fstype, "cgroup") != 0)
      {
        free (l->v1[i].controllers);
        free (l->v1[i].mountpoint);
        free (l->v1[i].root);
        memmove (&l->v1[i], &l->v1[i + 1], (l->n_v1 - i - 1) * sizeof l->v1[0]);
        l->n_v1--;
        i--;
      }
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] -
 * FSTYPE SOURCE SUPEROPTS".  */
static int
parse_line (struct sk_cg_layout *l, char *line)
{
  char *f[6] = { 0 }, *save = NULL, *t;
  int i = 0;
  for (t = strtok_r (line, " \n", &save); t && i < 6; t = strtok_r (NULL, " \n", &save))
    f[i++] = t;
  if (i < 6)
    return 0;
  while (t && strcmp (t, "-") != 0)
    t = strtok_r (NULL, " \n", &save);
  char *fstype = t ? strtok_r (NULL, " \n", &save) : NULL;
  char *source = fstype ? strtok_r (NULL, " \n", &save) : NULL;
  char *superopts = source ? strtok_r (NULL, " \n", &save) : NULL;
  if (superopts == NULL)
    return 0;
  unescape (f[3]);
  unescape (f[4]);
  forget_shadowed (l, f[4], fstype);
  if (strcmp (fstype, "cgroup2") == 0)
    {
      if (l->unified == NULL && (l->unified = strdup (f[4])) == NULL)
        return -1;
      return 0;
    }
  if (strcmp (fstype, "cgroup") != 0)
    return 0;
  _cleanup_free_ char *ctrls = controllers_of (superopts);
  if (ctrls == NULL)
    return -1;
  return ctrls[0] ? add_mount (l, ctrls, f[4], f[3]) : 0;
}

int
sk_cg_layout_parse (const char *mountinfo, bool root_is_cgroup2, struct sk_cg_layout *l,
                    sk_error_t *err)
{
  _cleanup_free_ char *copy = strdup (mountinfo);
  memset (l, 0, sizeof *l);
  if (copy == NULL)
    return sk_error_set (err, ENOMEM, "cgroup layout");
  for (char *save = NULL, *line = strtok_r (copy, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      _cleanup_free_ char *dup = strdup (line);
      if (dup == NULL || parse_line (l, dup) < 0)
        return sk_error_set (err, ENOMEM, "cgroup layout");
    }
  bool v1_controllers = false;
  for (size_t i = 0; i < l->n_v1; i++)
    if (strncmp (l->v1[i].controllers, "name=", 5) != 0)
      v1_controllers = true;
  if (root_is_cgroup2)
    {
      /* A v1 hierarchy mounted elsewhere on a pure v2 host is not ours
       * to use: runc ignores it too.  */
      free (l->unified);
      l->unified = strdup (CG_ROOT);
      l->kind = SK_CG_LAYOUT_UNIFIED;
    }
  else if (v1_controllers)
    l->kind = l->unified ? SK_CG_LAYOUT_HYBRID : SK_CG_LAYOUT_LEGACY;
  else if (l->unified)
    l->kind = SK_CG_LAYOUT_UNIFIED;
  else
    return sk_error_set (err, 0, "no cgroup hierarchy is mounted (neither cgroup2 nor a cgroup "
                         "v1 controller in /proc/self/mountinfo)");
  return 0;
}

const struct sk_cg_layout *
sk_cg_layout (sk_error_t *err)
{
  static struct sk_cg_layout layout;
  static bool done;
  if (done)
    return &layout;
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    {
      sk_error_set (err, errno, "read `/proc/self/mountinfo`");
      return NULL;
    }
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&text, &len);
  char buf[4096];
  size_t r;
  if (mem == NULL)
    {
      sk_error_set (err, ENOMEM, "read `/proc/self/mountinfo`");
      return NULL;
    }
  while ((r = fread (buf, 1, sizeof buf, f)) > 0)
    fwrite (buf, 1, r, mem);
  fclose (mem);
  struct statfs sfs;
  bool v2 = statfs (CG_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
  if (sk_cg_layout_parse (text ? text : "", v2, &layout, err) < 0)
    return NULL;
  done = true;
  return &layout;
}

/* /proc/self/cgroup, read once per process (create asks once per v1
 * hierarchy: ten reads of the same file on this host).  Keyed by pid so
 * that a forked child reads its own; skiff never moves itself.  */
static const char *
self_cgroup (sk_error_t *err)
{
  static char *text;
  static pid_t pid;
  if (text && pid == getpid ())
    return text;
  char *t = NULL;
  size_t len = 0;
  if (sk_read_file ("/proc/self/cgroup", &t, &len, err) < 0)
    return NULL;
  free (text);
  text = t;
  pid = getpid ();
  return text;
}

/* /proc/self/cgroup: "N:CONTROLLERS:PATH"; v2's line is "0::PATH".  */
int
sk_cg_own_path (const char *controllers, char **out, sk_error_t *err)
{
  const char *text = self_cgroup (err);
  if (text == NULL)
    return -1;
  for (const char *l = text; *l; l += strcspn (l, "\n") + (l[strcspn (l, "\n")] != '\0'))
    {
      size_t n = strcspn (l, "\n");
      const char *c1 = memchr (l, ':', n);
      const char *c2 = c1 ? memchr (c1 + 1, ':', n - (c1 + 1 - l)) : NULL;
      if (c2 == NULL)
        continue;
      _cleanup_free_ char *ctl = strndup (c1 + 1, c2 - c1 - 1);
      if (ctl == NULL)
        return sk_error_set (err, ENOMEM, "read `/proc/self/cgroup`");
      if (controllers[0] == '\0' ? (c1 - l == 1 && l[0] == '0' && c2 == c1 + 1)
                                 : sk_cg_controllers_equal (ctl, controllers))
        {
          *out = strndup (c2 + 1, n - (c2 + 1 - l));
          return *out ? 0 : sk_error_set (err, ENOMEM, "read `/proc/self/cgroup`");
        }
    }
  return sk_error_set (err, 0, "`/proc/self/cgroup` has no entry for the `%s` hierarchy",
                       controllers[0] ? controllers : "unified");
}
