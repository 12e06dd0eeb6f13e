/* Rootless mode.  The rules, each beside runc's (libcontainer/configs/
 * validate/rootless.go, rootless_linux.go, main.go, nsexec.c, and the
 * cgroup managers of opencontainers/cgroups fs/fs2):
 *
 *  1. Detection (auto): rootless when the effective uid is not 0, or when
 *     it is 0 inside a user namespace that maps it to a host uid other than
 *     0 (`unshare -r`).  runc: euid != 0, or euid 0 in any user namespace
 *     (cgroupfs driver); with --systemd-cgroup in a namespace it asks the
 *     user's systemd for its owner uid.  `--rootless true|false` overrides.
 *  2. State root: $XDG_RUNTIME_DIR/skiff, mode 0700, when --root is not
 *     given and the caller is rootless; an error when XDG_RUNTIME_DIR is
 *     unset, not a directory or not owned by the caller.  runc uses
 *     $XDG_RUNTIME_DIR/runc (0700 + sticky), and silently falls back to
 *     /run/runc (then fails with EACCES) when it is unset.
 *  3. Config (euid != 0 only, as runc's RootlessEUID): a user namespace is
 *     required, with uid and gid mappings unless an existing one is joined;
 *     uid=/gid= mount options must be mapped; linux.netDevices and
 *     idmapped mounts are refused.  All as runc.  skiff also refuses, before
 *     anything exists, a mapping whose host ids are neither the caller's own
 *     id nor inside its /etc/subuid|subgid ranges (runc lets newuidmap fail
 *     after the clone), and names the missing `newuidmap` tool.
 *  4. Id maps (linux/userns.c): a single mapping of the caller's own id is
 *     written directly, after "deny" in setgroups for the gid map (the
 *     kernel's rule for an unprivileged writer); anything else goes through
 *     newuidmap/newgidmap.  runc writes directly first and falls back to
 *     the tools on EPERM; it denies setgroups on the same condition.
 *  5. cgroups (below): runc's rootless managers try to create the cgroup
 *     and, on EPERM/EACCES/EROFS, carry on without one when cgroupsPath is
 *     empty and no limit is set (fs2 needAnyControllers: pids, memory, io,
 *     cpu, cpuset, hugetlb), and fail otherwise ("rootless needs no limits +
 *     no cgrouppath when no permission is granted for cgroups").  Device
 *     rules are ignored in rootless mode (the eBPF filter needs privilege,
 *     and the container can only reach host nodes the user could already
 *     open, bind-mounted).  skiff does the same, counts every limit of
 *     linux.resources (rdma, unified, network too) rather than only those
 *     whose controller exists, and prints one warning when it skips.
 *  6. Privileged steps, done as runc does: devices are bind-mounted from
 *     the host instead of mknod (devices.c, in any user namespace), /sys is
 *     bind-mounted when the container has no network namespace of its own
 *     (mounts.c do_sysfs), sysctls are written only when the container owns
 *     the namespace of each key (sysctl.c), and rlimits can only be lowered
 *     (the kernel's rule; attrs.c names it).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup.h"
#include "linux/linux.h"
#include "rootless.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- detection -------------------------------------------------------- */

uid_t
sk_rootless_host_euid (void)
{
  uid_t euid = geteuid ();
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned long inside, outside, count;
  if (f == NULL)
    return euid;
  while (fscanf (f, "%lu %lu %lu", &inside, &outside, &count) == 3)
    if (euid >= inside && euid - inside < count)
      return (uid_t) (outside + (euid - inside));
  return (uid_t) -1;   /* unmapped: certainly not root */
}

bool
sk_rootless_detect (void)
{
  return geteuid () != 0 || sk_rootless_host_euid () != 0;
}

int
sk_rootless_resolve (const char *flag, bool *rootless, sk_error_t *err)
{
  if (flag == NULL || strcmp (flag, "auto") == 0)
    *rootless = sk_rootless_detect ();
  else if (strcmp (flag, "true") == 0)
    *rootless = true;
  else if (strcmp (flag, "false") == 0)
    *rootless = false;
  else
    return sk_error_set (err, 0, "invalid --rootless `%s`: expected true, false or auto", flag);
  return 0;
}

/* ---- state root ------------------------------------------------------- */

char *
sk_rootless_state_root (sk_error_t *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  struct stat sb;
  char *root = NULL;
  if (xdg == NULL || xdg[0] != '/')
    {
      sk_error_set (err, 0, "rootless: XDG_RUNTIME_DIR is %s: set it to a directory you own "
                    "(e.g. /run/user/%u) or pass --root", xdg ? "not an absolute path" : "unset",
                    (unsigned) getuid ());
      return NULL;
    }
  if (stat (xdg, &sb) < 0)
    {
      sk_error_set (err, errno, "rootless: XDG_RUNTIME_DIR `%s`", xdg);
      return NULL;
    }
  if (!S_ISDIR (sb.st_mode) || sb.st_uid != geteuid ())
    {
      sk_error_set (err, 0, "rootless: XDG_RUNTIME_DIR `%s` is %s (uid %u): set it to a "
                    "directory you own or pass --root", xdg,
                    S_ISDIR (sb.st_mode) ? "not owned by this user" : "not a directory",
                    (unsigned) geteuid ());
      return NULL;
    }
  if (asprintf (&root, "%s/skiff", xdg) < 0)
    {
      sk_error_set (err, ENOMEM, "rootless: state root");
      return NULL;
    }
  return root;
}

int
sk_rootless_prepare_root (const char *root, sk_error_t *err)
{
  struct stat sb;
  /* 0700: another user must not even list this user's containers (the
   * state code makes its root 0711 for root's shared /run/skiff).  */
  if (mkdir (root, 0700) < 0 && errno != EEXIST)
    {
      if (errno != ENOENT)
        return sk_error_set (err, errno, "rootless: create state root `%s`", root);
      if (sk_mkdir_p (root, 0700, err) < 0)
        return sk_error_prefix (err, "rootless: state root");
    }
  if (lstat (root, &sb) < 0)
    return sk_error_set (err, errno, "rootless: state root `%s`", root);
  if (!S_ISDIR (sb.st_mode) || sb.st_uid != geteuid ())
    return sk_error_set (err, 0, "rootless: state root `%s` is not a directory owned by uid %u",
                         root, (unsigned) geteuid ());
  return 0;
}

/* ---- config checks ---------------------------------------------------- */

int
sk_subid_covers (const char *file, const char *name, uid_t uid, unsigned start,
                 unsigned count, bool *covered, sk_error_t *err)
{
  *covered = false;
  _cleanup_fclose_ FILE *f = fopen (file, "re");
  if (f == NULL)
    return errno == ENOENT ? 0 : sk_error_set (err, errno, "read `%s`", file);
  char uidstr[16];
  snprintf (uidstr, sizeof uidstr, "%u", (unsigned) uid);
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      char *who = line, *sep = strchr (line, ':');
      unsigned long s, n;
      if (sep == NULL || sscanf (sep + 1, "%lu:%lu", &s, &n) != 2)
        continue;
      *sep = '\0';
      if (strcmp (who, uidstr) != 0 && (name == NULL || strcmp (who, name) != 0))
        continue;
      if ((unsigned long) start >= s && (unsigned long) start + count <= s + n)
        {
          *covered = true;
          return 0;
        }
    }
  return 0;
}

static bool
find_tool (const char *tool)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = strdup (path && *path ? path : "/usr/bin:/bin:/usr/sbin:/sbin");
  char *save = NULL;
  for (char *d = copy ? strtok_r (copy, ":", &save) : NULL; d; d = strtok_r (NULL, ":", &save))
    {
      char p[4096];
      snprintf (p, sizeof p, "%s/%s", d, tool);
      if (access (p, X_OK) == 0)
        return true;
    }
  return false;
}

/* Every range must be the caller's own id or delegated in /etc/subXid.  */
static int
check_mappings (const struct sk_id_mappings *m, bool gid, sk_error_t *err)
{
  const char *what = gid ? "linux.gidMappings" : "linux.uidMappings";
  const char *file = gid ? "/etc/subgid" : "/etc/subuid";
  unsigned own = gid ? (unsigned) getegid () : (unsigned) geteuid ();
  struct passwd *pw = getpwuid (geteuid ());
  bool needs_tool = !(m->n == 1 && m->v[0].host_id == own && m->v[0].size == 1);
  for (size_t i = 0; i < m->n; i++)
    {
      const struct sk_id_mapping *r = &m->v[i];
      bool ok = r->size == 1 && r->host_id == own;
      if (!ok && sk_subid_covers (file, pw ? pw->pw_name : NULL, geteuid (), r->host_id,
                                  r->size, &ok, err) < 0)
        return -1;
      if (!ok)
        return sk_error_set (err, 0, "config.json: %s: host ids `%u-%u` are neither this "
                             "user's own %s (%u) nor delegated to it in `%s`", what,
                             r->host_id, r->host_id + r->size - 1, gid ? "gid" : "uid", own,
                             file);
    }
  if (needs_tool && !find_tool (gid ? "newgidmap" : "newuidmap"))
    return sk_error_set (err, 0, "config.json: %s: more than this user's own id needs `%s` "
                         "(Debian package `uidmap`), which is not in $PATH", what,
                         gid ? "newgidmap" : "newuidmap");
  return 0;
}

static bool
mapped (const struct sk_id_mappings *m, unsigned long id)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->v[i].container_id && id - m->v[i].container_id < m->v[i].size)
      return true;
  return false;
}

/* runc's rootlessEUIDMount: a uid=/gid= option names a container id, and
 * the kernel refuses one that the user namespace does not map.  */
static int
check_mount_ids (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  for (size_t i = 0; i < spec->n_mounts; i++)
    for (size_t j = 0; j < spec->mounts[i].options.n; j++)
      {
        const char *o = spec->mounts[i].options.v[j];
        bool gid = strncmp (o, "gid=", 4) == 0;
        char *end;
        if (!gid && strncmp (o, "uid=", 4) != 0)
          continue;
        unsigned long id = strtoul (o + 4, &end, 10);
        if (end == o + 4 || *end)
          continue;   /* not a number: the filesystem judges it */
        if (!mapped (gid ? &l->gid_mappings : &l->uid_mappings, id))
          return sk_error_set (err, 0, "config.json: mounts[%zu] (`%s`): option `%s`: %s %lu "
                               "is not mapped in the user namespace, which a rootless "
                               "container needs (drop the option, as `skiff spec --rootless` "
                               "does)", i, spec->mounts[i].destination, o, gid ? "gid" : "uid",
                               id);
      }
  return 0;
}

static bool
host_mapped (const struct sk_id_mappings *m, unsigned long id)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->v[i].host_id && id - m->v[i].host_id < m->v[i].size)
      return true;
  return false;
}

/* The container's root has capabilities only over files whose owner its
 * namespace maps: a rootfs of another user, closed to others, cannot be
 * entered.  Said here, before anything exists, rather than as EACCES from
 * inside the init.  */
static int
check_rootfs (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  struct stat sb;
  if (rootfs == NULL || stat (rootfs, &sb) < 0)
    return 0;   /* prepare() reported it already */
  bool by_owner = host_mapped (&l->uid_mappings, sb.st_uid) && (sb.st_mode & S_IXUSR);
  bool by_group = host_mapped (&l->gid_mappings, sb.st_gid) && (sb.st_mode & S_IXGRP);
  if (by_owner || by_group || (sb.st_mode & S_IXOTH))
    return 0;
  return sk_error_set (err, EACCES, "config.json: root.path `%s`: owned by uid %u, which the "
                       "container's user namespace does not map, and closed to others (mode "
                       "%03o): a rootless container cannot enter it", rootfs,
                       (unsigned) sb.st_uid, (unsigned) (sb.st_mode & 0777));
}

int
sk_rootless_validate (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  if (geteuid () == 0)
    return 0;
  const struct sk_namespace *user = sk_spec_namespace (spec, SK_NS_USER);
  const struct sk_linux *l = spec->linux_;
  if (user == NULL)
    return sk_error_set (err, 0, "config.json: linux.namespaces: a rootless container needs a "
                         "user namespace (generate a config with `skiff spec --rootless`)");
  if (l->n_net_devices)
    return sk_error_set (err, 0, "config.json: linux.netDevices: moving network devices needs "
                         "privilege, which a rootless container lacks");
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].uid_mappings.n || spec->mounts[i].gid_mappings.n)
      return sk_error_set (err, 0, "config.json: mounts[%zu] (`%s`): idmapped mounts need "
                           "privilege in the host user namespace, which a rootless container "
                           "lacks", i, spec->mounts[i].destination);
  if (user->path == NULL)
    {
      if (l->uid_mappings.n == 0 || l->gid_mappings.n == 0)
        return sk_error_set (err, 0, "config.json: linux.%s: a rootless container's new user "
                             "namespace needs at least one mapping (see `skiff spec "
                             "--rootless`)", l->uid_mappings.n ? "gidMappings" : "uidMappings");
      if (check_mappings (&l->uid_mappings, false, err) < 0
          || check_mappings (&l->gid_mappings, true, err) < 0
          || check_mount_ids (spec, err) < 0 || check_rootfs (spec, rootfs, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- cgroups ---------------------------------------------------------- */

/* Any limit at all (devices aside: see rule 5).  */
static const char *
first_limit (const struct sk_resources *r)
{
  if (r == NULL)
    return NULL;
  if (r->memory)
    return "memory";
  if (r->cpu)
    return "cpu";
  if (r->has_pids_limit)
    return "pids";
  if (r->block_io)
    return "blockIO";
  if (r->n_hugepage_limits)
    return "hugepageLimits";
  if (r->has_net_class_id || r->n_net_priorities)
    return "network";
  if (r->n_rdma)
    return "rdma";
  if (r->unified.n)
    return "unified";
  return NULL;
}

static bool
permission_error (const sk_error_t e)
{
  return e && (e->errnum == EACCES || e->errnum == EPERM || e->errnum == EROFS);
}

struct sk_cgroup *
sk_rootless_cgroup_create (const struct sk_spec *spec, const char *id, bool systemd,
                           sk_error_t *err)
{
  /* Device rules are dropped (rule 5): shallow copies, nothing freed.  */
  struct sk_spec s = *spec;
  struct sk_linux l;
  struct sk_resources r;
  const struct sk_resources *orig = spec->linux_ ? spec->linux_->resources : NULL;
  if (spec->linux_)
    {
      l = *spec->linux_;
      s.linux_ = &l;
      if (orig)
        {
          r = *orig;
          r.devices = NULL;
          r.n_devices = 0;
          l.resources = &r;
        }
    }
  /* Hook for the systemd driver: with --systemd-cgroup it must place a
   * rootless container in the caller's own user manager (`systemd
   * --user`, a transient scope under user@UID.service, as runc does):
   * that delegation is its to check, so its errors pass through.  */
  /* The original spec: the driver keeps its resources until enter (the
   * copies above die with this call) and drops the device rules itself.  */
  if (systemd)
    return sk_cgroup_create (spec, id, true, err);

  _cleanup_error_ sk_error_t e = NULL;
  struct sk_cgroup *cg = sk_cgroup_create (&s, id, false, &e);
  if (cg != NULL)
    return cg;   /* delegated: cgroup v2 with write access to the target */
  if (!permission_error (e))
    {
      *err = e;
      e = NULL;
      return NULL;
    }
  const char *limit = first_limit (orig);
  const char *path = spec->linux_ ? spec->linux_->cgroups_path : NULL;
  if (limit)
    {
      sk_error_set (err, 0, "config.json: linux.resources.%s: a rootless container's limits "
                    "need a cgroup delegated to this user, and %s (%s); drop the limits or "
                    "delegate a cgroup v2 subtree (or use --systemd-cgroup with a user "
                    "manager)", limit, e->msg, strerror (e->errnum));
      return NULL;
    }
  if (path && *path)
    {
      sk_error_set (err, 0, "config.json: linux.cgroupsPath `%s`: not delegated to this user "
                    "(%s: %s); leave cgroupsPath empty to run without a cgroup", path, e->msg,
                    strerror (e->errnum));
      return NULL;
    }
  sk_log_warn ("rootless: no cgroup delegated to this user (%s: %s): the container runs "
               "without one (no limits, pause, stats or kill --all)", e->msg,
               strerror (e->errnum));
  return NULL;
}
