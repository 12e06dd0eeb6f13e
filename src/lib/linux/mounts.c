/* config.json `mounts`: option parsing and performing each mount inside
 * the rootfs (config.md "Mounts", "Linux mount options").
 *
 * Every destination is resolved inside the rootfs (util/fs_root.c) to an
 * O_PATH fd, and the mount is made on that fd (move_mount with
 * MOVE_MOUNT_T_EMPTY_PATH, or mount(2) on /proc/self/fd/N), never on a
 * path string: a symlink swapped into the destination after it was
 * checked cannot send the mount to the host (CVE-2021-30465).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include "cgroup/cgroup_mount.h"
#include "linux/linux.h"
#include "linux/security.h"
#include "linux/rootfs_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- the option table ------------------------------------------------- */

enum opt_kind
{
  OPT_SET,        /* MS_* flag turned on */
  OPT_CLEAR,      /* MS_* flag turned off */
  OPT_PROP,       /* propagation, applied after the mount */
  OPT_RSET,       /* recursive MOUNT_ATTR_* via mount_setattr(AT_RECURSIVE) */
  OPT_RCLR,
  OPT_IDMAP,
  OPT_RIDMAP,
  OPT_TMPCOPYUP,
};

struct opt
{
  const char *name;
  enum opt_kind kind;
  unsigned long value;
};

/* The atime modes are one field of mount_attr, not independent bits: the
 * kernel wants all of MOUNT_ATTR__ATIME cleared when one is set.  */
#define ATIME_BIT (1ul << 63)

static const struct opt opts[] = {
  { "defaults", OPT_SET, 0 },
  { "ro", OPT_SET, MS_RDONLY },          { "rw", OPT_CLEAR, MS_RDONLY },
  { "nosuid", OPT_SET, MS_NOSUID },      { "suid", OPT_CLEAR, MS_NOSUID },
  { "nodev", OPT_SET, MS_NODEV },        { "dev", OPT_CLEAR, MS_NODEV },
  { "noexec", OPT_SET, MS_NOEXEC },      { "exec", OPT_CLEAR, MS_NOEXEC },
  { "sync", OPT_SET, MS_SYNCHRONOUS },   { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_SET, MS_DIRSYNC },
  { "remount", OPT_SET, MS_REMOUNT },
  { "mand", OPT_SET, MS_MANDLOCK },     { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "noatime", OPT_SET, MS_NOATIME },    { "atime", OPT_CLEAR, MS_NOATIME },
  { "nodiratime", OPT_SET, MS_NODIRATIME }, { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "relatime", OPT_SET, MS_RELATIME },  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_SET, MS_STRICTATIME }, { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "lazytime", OPT_SET, MS_LAZYTIME },  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "silent", OPT_SET, MS_SILENT },      { "loud", OPT_CLEAR, MS_SILENT },
  { "iversion", OPT_SET, MS_I_VERSION }, { "noiversion", OPT_CLEAR, MS_I_VERSION },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW }, { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "bind", OPT_SET, MS_BIND },          { "rbind", OPT_SET, MS_BIND | MS_REC },
  { "private", OPT_PROP, MS_PRIVATE },   { "rprivate", OPT_PROP, MS_PRIVATE | MS_REC },
  { "shared", OPT_PROP, MS_SHARED },     { "rshared", OPT_PROP, MS_SHARED | MS_REC },
  { "slave", OPT_PROP, MS_SLAVE },       { "rslave", OPT_PROP, MS_SLAVE | MS_REC },
  { "unbindable", OPT_PROP, MS_UNBINDABLE }, { "runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC },
  { "rro", OPT_RSET, MOUNT_ATTR_RDONLY },     { "rrw", OPT_RCLR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_RSET, MOUNT_ATTR_NOSUID }, { "rsuid", OPT_RCLR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_RSET, MOUNT_ATTR_NODEV },   { "rdev", OPT_RCLR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_RSET, MOUNT_ATTR_NOEXEC }, { "rexec", OPT_RCLR, MOUNT_ATTR_NOEXEC },
  { "rnosymfollow", OPT_RSET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_RCLR, MOUNT_ATTR_NOSYMFOLLOW },
  { "rnodiratime", OPT_RSET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_RCLR, MOUNT_ATTR_NODIRATIME },
  /* `atime`, `norelatime` and `nostrictatime` have no mode of their own in
   * mount_setattr: "atime" and "nostrictatime" mean the kernel default
   * (relatime), "norelatime" means update every time (strictatime).  */
  { "rnoatime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_NOATIME },
  { "ratime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_RELATIME },
  { "rrelatime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_STRICTATIME },
  { "rstrictatime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", OPT_RSET, ATIME_BIT | MOUNT_ATTR_RELATIME },
  { "idmap", OPT_IDMAP, 0 },
  { "ridmap", OPT_RIDMAP, 0 },
  { "tmpcopyup", OPT_TMPCOPYUP, 0 },
};

#define N_OPTS (sizeof opts / sizeof opts[0])

/* For `features` (mountOptions): every option name understood above.  */
const char *const sk_mount_option_names[] = {
  "defaults", "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
  "sync", "async", "dirsync", "remount", "mand", "nomand", "noatime", "atime",
  "nodiratime", "diratime", "relatime", "norelatime", "strictatime",
  "nostrictatime", "lazytime", "nolazytime", "silent", "loud", "iversion",
  "noiversion", "nosymfollow", "symfollow", "bind", "rbind", "private",
  "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
  "runbindable", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec",
  "rexec", "rnosymfollow", "rsymfollow", "rnodiratime", "rdiratime",
  "rnoatime", "ratime", "rrelatime", "rnorelatime", "rstrictatime",
  "rnostrictatime", "idmap", "ridmap", "tmpcopyup", NULL,
};
_Static_assert (sizeof sk_mount_option_names / sizeof sk_mount_option_names[0] == N_OPTS + 1,
                "sk_mount_option_names and opts[] must list the same options");

static int
add_data (struct sk_mount_opts *o, const char *opt)
{
  char *n = NULL;
  if (asprintf (&n, "%s%s%s", o->data ? o->data : "", o->data ? "," : "", opt) < 0)
    return -1;
  free (o->data);
  o->data = n;
  return 0;
}

static void
apply_opt (struct sk_mount_opts *o, const struct opt *p)
{
  switch (p->kind)
    {
    case OPT_SET:
      o->flags |= p->value;
      o->cleared &= ~p->value;
      break;
    case OPT_CLEAR:
      o->flags &= ~p->value;
      o->cleared |= p->value;
      break;
    case OPT_PROP:
      if (o->n_propagation < SK_MAX_PROPAGATION)
        o->propagation[o->n_propagation++] = p->value;
      break;
    case OPT_RSET:
      if (p->value & ATIME_BIT)
        {
          o->rattr_clr |= MOUNT_ATTR__ATIME;
          o->rattr_set = (o->rattr_set & ~MOUNT_ATTR__ATIME) | (p->value & ~ATIME_BIT);
        }
      else
        {
          o->rattr_set |= p->value;
          o->rattr_clr &= ~p->value;
        }
      break;
    case OPT_RCLR:
      o->rattr_clr |= p->value;
      o->rattr_set &= ~p->value;
      break;
    case OPT_IDMAP:
      o->idmap = true;
      break;
    case OPT_RIDMAP:
      o->ridmap = true;
      break;
    case OPT_TMPCOPYUP:
      o->tmpcopyup = true;
      break;
    }
}

int
sk_mount_opts_parse (const struct sk_strv *options, struct sk_mount_opts *o, sk_error_t *err)
{
  memset (o, 0, sizeof *o);
  for (size_t i = 0; i < options->n; i++)
    {
      const char *name = options->v[i];
      size_t j;
      for (j = 0; j < N_OPTS; j++)
        if (strcmp (opts[j].name, name) == 0)
          break;
      if (j < N_OPTS)
        apply_opt (o, &opts[j]);
      else if (add_data (o, name) < 0)  /* filesystem-specific (config.md) */
        return sk_error_set (err, ENOMEM, "mount option `%s`", name);
    }
  return 0;
}

void
sk_mount_opts_free (struct sk_mount_opts *o)
{
  free (o->data);
  o->data = NULL;
}

/* ---- fd-based mount helpers ------------------------------------------- */

void
sk_fd_path (int fd, char buf[static 32])
{
  snprintf (buf, 32, "/proc/self/fd/%d", fd);
}

int
sk_move_mount_onto (int treefd, int targetfd, const char *dest, sk_error_t *err)
{
  if (move_mount (treefd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sk_error_set (err, errno, "attach mount on `%s`", dest);
  return 0;
}

int
sk_bind_fd_onto (int srcfd, bool recursive, int targetfd, const char *dest, sk_error_t *err)
{
  _cleanup_close_ int tree = open_tree (srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                        | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return sk_error_set (err, errno, "bind mount on `%s`", dest);
  return sk_move_mount_onto (tree, targetfd, dest, err);
}

int
sk_mount_target (int rootfd, const char *dest, bool dir, sk_error_t *err)
{
  _cleanup_free_ char *name = NULL;
  _cleanup_close_ int parent = -1;
  int fd;

  if (dir)
    return sk_mkdir_p_in_root (rootfd, dest, 0755, err);
  fd = sk_open_in_root_errno (rootfd, dest, O_PATH, 0);
  if (fd >= 0 || errno != ENOENT)
    return fd >= 0 ? fd : sk_error_set (err, errno, "open `%s` inside the rootfs", dest);
  parent = sk_open_parent_in_root (rootfd, dest, 0755, &name, err);
  if (parent < 0)
    return -1;
  /* O_NOFOLLOW|O_EXCL: never create through a symlink planted at the
   * last component; a dangling one is an error, not a host file.  */
  fd = openat (parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    return sk_error_set (err, errno, "create `%s` inside the rootfs", dest);
  if (fd >= 0)
    close (fd);
  return sk_open_in_root (rootfd, dest, O_PATH, 0, err);
}

static uint64_t
ms_to_attr (unsigned long ms)
{
  uint64_t a = 0;
  if (ms & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
  if (ms & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
  if (ms & MS_NODEV) a |= MOUNT_ATTR_NODEV;
  if (ms & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
  if (ms & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
  if (ms & MS_NOSYMFOLLOW) a |= MOUNT_ATTR_NOSYMFOLLOW;
  return a;
}

/* A bind mount ignores every flag but MS_REC: ro, nosuid, ... need a second
 * step.  mount_setattr on the still-detached tree applies them to its top
 * mount only, like MS_REMOUNT|MS_BIND, and leaves flags the kernel locked
 * (inside a user namespace) alone instead of failing with EPERM.  */
int
sk_bind_set_attrs (int tree, const struct sk_mount_opts *o, const char *dest, sk_error_t *err)
{
  struct mount_attr a = { .attr_set = ms_to_attr (o->flags), .attr_clr = ms_to_attr (o->cleared) };

  if (o->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME) || o->cleared & MS_NOATIME)
    {
      a.attr_clr |= MOUNT_ATTR__ATIME;
      a.attr_set |= (o->flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME
        : (o->flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
    }
  if (a.attr_set == 0 && a.attr_clr == 0)
    return 0;
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &a, sizeof a) == 0)
    return 0;
  if (errno == EPERM && (a.attr_clr & ~MOUNT_ATTR__ATIME))
    {
      /* `rw`, `suid`, `dev`, `exec` on a locked mount: keep what the
       * kernel enforces, as a plain bind mount would.  */
      a.attr_clr &= MOUNT_ATTR__ATIME;
      if (mount_setattr (tree, "", AT_EMPTY_PATH, &a, sizeof a) == 0)
        return 0;
    }
  return sk_error_set (err, errno, "set the options of bind mount `%s`", dest);
}

/* ---- idmapped mounts --------------------------------------------------- */

static int
write_map (int procfd, const char *file, const struct sk_id_mappings *m, sk_error_t *err)
{
  char buf[4096];
  size_t len = 0;
  for (size_t i = 0; i < m->n && len < sizeof buf - 40; i++)
    len += snprintf (buf + len, sizeof buf - len, "%u %u %u\n", m->v[i].container_id,
                     m->v[i].host_id, m->v[i].size);
  _cleanup_close_ int fd = openat (procfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, len) != (ssize_t) len)
    return sk_error_set (err, errno, "write %s of an idmapped mount's user namespace", file);
  return 0;
}

/* A user namespace carrying the mount's mappings: a child is cloned into a
 * new one, its maps written, its ns file opened, and the child killed.
 * The child is found through the pidfd's fdinfo, which gives its pid in
 * the pid namespace of our /proc even when we already live in a new one.  */
static int
userns_from_mappings (const struct sk_id_mappings *uids, const struct sk_id_mappings *gids,
                      const char *dest, sk_error_t *err)
{
  int pidfd = -1;
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | CLONE_PIDFD | SIGCHLD, NULL, &pidfd,
                               NULL, NULL);
  if (pid < 0)
    return sk_error_set (err, errno, "idmap `%s`: create a user namespace", dest);
  if (pid == 0)
    {
      for (;;)
        pause ();
    }
  _cleanup_close_ int pfd = pidfd;
  char path[64], line[128];
  _cleanup_fclose_ FILE *f = NULL;
  long procpid = -1;
  int ret = -1;

  snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  f = fopen (path, "re");
  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "Pid: %ld", &procpid) == 1)
      break;
  snprintf (path, sizeof path, "/proc/%ld", procpid);
  _cleanup_close_ int procfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0)
    sk_error_set (err, errno, "idmap `%s`: find the helper process", dest);
  else if (write_map (procfd, "uid_map", uids, err) == 0
           && write_map (procfd, "gid_map", gids, err) == 0)
    {
      ret = openat (procfd, "ns/user", O_RDONLY | O_CLOEXEC);
      if (ret < 0)
        sk_error_set (err, errno, "idmap `%s`: open the user namespace", dest);
    }
  syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  waitpid (pid, NULL, 0);
  return ret;
}

static int
apply_idmap (int tree, const struct sk_mount *m, const struct sk_spec *spec,
             const struct sk_mount_opts *o, sk_error_t *err)
{
  const struct sk_id_mappings *uids = &m->uid_mappings, *gids = &m->gid_mappings;

  if (uids->n == 0 && gids->n == 0 && sk_spec_in_userns (spec) && spec->linux_)
    {
      /* config.md: without per-mount mappings the runtime MAY use the
       * container's.  */
      uids = &spec->linux_->uid_mappings;
      gids = &spec->linux_->gid_mappings;
    }
  if (uids->n == 0 || gids->n == 0)
    return sk_error_set (err, EINVAL, "mount `%s`: `idmap` needs uidMappings and gidMappings "
                         "or a user namespace", m->destination);
  _cleanup_close_ int ns = userns_from_mappings (uids, gids, m->destination, err);
  if (ns < 0)
    return -1;
  struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) ns };
  if (mount_setattr (tree, "", AT_EMPTY_PATH | (o->ridmap ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
    return sk_error_set (err, errno, "idmap mount `%s`", m->destination);
  return 0;
}

/* Detached idmapped trees made ahead of time (see linux.h), indexed like
 * spec->mounts; -1 where none.  */
static int *premade;
static size_t n_premade;

char *
sk_mount_bind_source (const char *bundle, const char *source)
{
  char *s = NULL;
  if (source == NULL)
    return NULL;
  if (source[0] == '/' || bundle == NULL)
    return strdup (source);
  return asprintf (&s, "%s/%s", bundle, source) < 0 ? NULL : s;
}

/* open_tree + attrs (+ idmap) of a bind source: the detached tree.  */
static int
make_bind_tree (int dirfd, const char *src, const struct sk_mount *m, const struct sk_spec *spec,
                const struct sk_mount_opts *o, sk_error_t *err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
    | ((o->flags & MS_REC) ? AT_RECURSIVE : 0) | (src[0] ? 0 : AT_EMPTY_PATH);
  _cleanup_close_ int tree = open_tree (dirfd, src, flags);
  if (tree < 0)
    return sk_error_set (err, errno, "bind mount `%s` on `%s`", src[0] ? src : m->source,
                         m->destination);
  if (sk_bind_set_attrs (tree, o, m->destination, err) < 0)
    return -1;
  if ((o->idmap || o->ridmap) && apply_idmap (tree, m, spec, o, err) < 0)
    return -1;
  return steal_fd (&tree);
}

int
sk_mounts_prepare_idmapped (const struct sk_spec *spec, const char *bundle, sk_error_t *err)
{
  sk_mounts_close_idmapped ();
  premade = malloc ((spec->n_mounts + 1) * sizeof *premade);
  if (premade == NULL)
    return sk_error_set (err, ENOMEM, "idmapped mounts");
  n_premade = spec->n_mounts;
  for (size_t i = 0; i < spec->n_mounts; i++)
    premade[i] = -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct sk_mount *m = &spec->mounts[i];
      struct sk_mount_opts o;
      if (sk_mount_opts_parse (&m->options, &o, err) < 0)
        return -1;
      bool want = (o.idmap || o.ridmap) && (o.flags & MS_BIND);
      _cleanup_free_ char *src = want ? sk_mount_bind_source (bundle, m->source) : NULL;
      int r = 0;
      if (want && src == NULL)
        r = sk_error_set (err, EINVAL, "mount `%s`: bind mount without a source", m->destination);
      else if (want)
        r = premade[i] = make_bind_tree (AT_FDCWD, src, m, spec, &o, err);
      sk_mount_opts_free (&o);
      if (r < 0)
        return -1;
    }
  return 0;
}

void
sk_mounts_close_idmapped (void)
{
  for (size_t i = 0; premade && i < n_premade; i++)
    if (premade[i] >= 0)
      close (premade[i]);
  free (premade);
  premade = NULL;
  n_premade = 0;
}

/* ---- performing one config mount -------------------------------------- */

static bool same_path (const char *a, const char *b);

struct mnt
{
  struct sk_init_ctx *ctx;
  int rootfd;
  size_t index;
  const struct sk_mount *m;
  const char *dest;
  struct sk_mount_opts o;
};

bool
sk_spec_in_userns (const struct sk_spec *spec)
{
  return sk_spec_namespace (spec, SK_NS_USER) != NULL;
}

static bool
new_netns (const struct sk_spec *spec)
{
  const struct sk_namespace *ns = sk_spec_namespace (spec, SK_NS_NETWORK);
  return ns != NULL && ns->path == NULL;
}

/* Without open_tree (kernel < 5.2): mount(2) MS_BIND, then the
 * MS_REMOUNT|MS_BIND step for ro/nosuid/nodev/noexec, keeping the flags a
 * user namespace locks (clearing them would be EPERM).  */
static int
legacy_bind (struct mnt *x, const char *src, int target, sk_error_t *err)
{
  unsigned long extra = x->o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  _cleanup_close_ int fd = -1;
  struct statfs sfs;
  char p[32];

  sk_fd_path (target, p);
  if (mount (src, p, NULL, MS_BIND | (x->o.flags & MS_REC), NULL) < 0)
    return sk_error_set (err, errno, "bind mount `%s` on `%s`", src, x->dest);
  if (extra == 0)
    return 0;
  /* target still names the covered directory: reopen to reach the mount.  */
  fd = sk_open_in_root (x->rootfd, x->dest, O_PATH, 0, err);
  if (fd < 0)
    return -1;
  if (fstatfs (fd, &sfs) == 0)
    extra |= sfs.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME
                            | MS_RELATIME);
  sk_fd_path (fd, p);
  if (mount (NULL, p, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
    return sk_error_set (err, errno, "remount bind mount `%s`", x->dest);
  return 0;
}

/* The source the parent opened for this bind (mount_sources.c), or -1.  */
static int
source_fd (const struct mnt *x)
{
  return x->ctx->mount_src_fds ? x->ctx->mount_src_fds[x->index] : -1;
}

static int
do_bind (struct mnt *x, int dirfd, const char *src, int target, sk_error_t *err)
{
  _cleanup_close_ int tree = -1;

  if (x->index < n_premade && premade[x->index] >= 0)
    tree = steal_fd (&premade[x->index]);
  else if (dirfd == AT_FDCWD && source_fd (x) >= 0)
    tree = make_bind_tree (source_fd (x), "", x->m, x->ctx->spec, &x->o, err);
  else
    tree = make_bind_tree (dirfd, src, x->m, x->ctx->spec, &x->o, err);
  if (tree < 0 && *err && (*err)->errnum == ENOSYS && dirfd == AT_FDCWD
      && !(x->o.idmap || x->o.ridmap))
    {
      sk_error_free (err);
      return legacy_bind (x, src, target, err);
    }
  if (tree < 0)
    return -1;
  return sk_move_mount_onto (tree, target, x->dest, err);
}

static int
do_fs_mount (struct mnt *x, const char *type, int target, const char *data, sk_error_t *err)
{
  const char *source = x->m->source ? x->m->source : type;
  unsigned long flags = x->o.flags;
  char p[32];

  if (!(flags & MS_REMOUNT))
    flags &= ~(MS_BIND | MS_REC);
  sk_fd_path (target, p);
  if (mount (source, p, type, flags, data) < 0)
    return sk_error_set (err, errno, "mount `%s` on `%s`", type ? type : "none", x->dest);
  return 0;
}

static int
do_sysfs (struct mnt *x, int target, sk_error_t *err)
{
  bool userns = sk_spec_in_userns (x->ctx->spec);

  if (!userns || new_netns (x->ctx->spec))
    {
      if (do_fs_mount (x, "sysfs", target, x->o.data, err) == 0)
        return 0;
      if (!userns || (*err)->errnum != EPERM)
        return -1;
      sk_error_free (err);
    }
  /* sysfs belongs to the network namespace: a user namespace that does not
   * own one may not mount it.  Show the host's /sys read-only instead, as
   * runc and crun do.  */
  x->o.flags |= MS_BIND | MS_REC;
  x->o.rattr_set |= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  x->o.rattr_clr &= ~x->o.rattr_set;
  return do_bind (x, AT_FDCWD, "/sys", target, err);
}

/* `cgroup` and `cgroup2` alike: the container's view of its cgroups
 * (cgroup/cgroup_mount.c).  v1 mount data (controller names) is meaningless there
 * (every hierarchy is shown) and is dropped; cgroup2 data goes to a fresh
 * cgroup2 mount.  The tmpfs of the v1 layout is labelled like any tmpfs.  */
static int
do_cgroup (struct mnt *x, const char *type, int target, sk_error_t *err)
{
  const struct sk_spec *spec = x->ctx->spec;
  _cleanup_free_ char *label = NULL;

  if (spec->linux_ && spec->linux_->mount_label)
    label = sk_selinux_mount_option (spec->linux_->mount_label);
  struct sk_cgmount_req r = {
    .rootfd = x->rootfd, .dest = x->dest, .target = target, .o = &x->o,
    .v2_data = strcmp (type, "cgroup2") == 0 ? x->o.data : NULL, .tmpfs_label = label,
    .cgroupns = sk_spec_namespace (spec, SK_NS_CGROUP) != NULL,
  };
  return sk_cgroup_mount (&r, err);
}

static int
dispatch (struct mnt *x, const char *src, int target, sk_error_t *err)
{
  const char *type = x->m->type;

  if (x->o.flags & MS_REMOUNT)
    return do_fs_mount (x, type, target, x->o.data, err);
  if (x->o.flags & MS_BIND)
    return do_bind (x, AT_FDCWD, src, target, err);
  if (x->o.idmap || x->o.ridmap)
    return sk_error_set (err, EINVAL, "mount `%s`: `idmap` is only supported on bind mounts",
                         x->dest);
  if (type == NULL || type[0] == '\0')
    return sk_error_set (err, EINVAL, "mount `%s`: no type and not a bind mount", x->dest);
  if (strcmp (type, "sysfs") == 0)
    return do_sysfs (x, target, err);
  if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    return do_cgroup (x, type, target, err);
  /* linux.mountLabel labels the filesystems the runtime creates (tmpfs,
   * devpts, mqueue, ...); proc, sysfs and cgroup have fixed labels and
   * binds keep their source's.  Only when SELinux is enabled: validation
   * refuses a label on a host without it.  */
  if (strcmp (type, "proc") != 0 && x->ctx->spec->linux_ && x->ctx->spec->linux_->mount_label)
    {
      _cleanup_free_ char *ctx = sk_selinux_mount_option (x->ctx->spec->linux_->mount_label);
      if (ctx && add_data (&x->o, ctx) < 0)
        return sk_error_set (err, ENOMEM, "mount `%s`", x->dest);
    }
  return do_fs_mount (x, type, target, x->o.data, err);
}

/* After the mount: check it landed on the destination, copy up, then the
 * recursive attributes and propagation, which act on the new mount.  */
static int
post_mount (struct mnt *x, int old, sk_error_t *err)
{
  _cleanup_close_ int fd = sk_open_in_root (x->rootfd, x->dest, O_PATH, 0, err);
  char p[32];

  if (fd < 0)
    return -1;
  if (sk_fd_is_mount_root (fd) == 0)
    return sk_error_set (err, EXDEV, "mount on `%s` did not land on its destination", x->dest);
  if (old >= 0)
    {
      _cleanup_close_ int dir = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0 || sk_copy_tree (old, dir, err) < 0)
        return dir < 0 ? sk_error_set (err, errno, "tmpcopyup `%s`", x->dest) :
          sk_error_prefix (err, "tmpcopyup `%s`", x->dest);
    }
  if (x->o.rattr_set || x->o.rattr_clr)
    {
      struct mount_attr a = { .attr_set = x->o.rattr_set, .attr_clr = x->o.rattr_clr };
      if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
        return sk_error_set (err, errno, "set recursive options of mount `%s`", x->dest);
    }
  sk_fd_path (fd, p);
  for (size_t i = 0; i < x->o.n_propagation; i++)
    if (mount (NULL, p, NULL, x->o.propagation[i], NULL) < 0)
      return sk_error_set (err, errno, "set propagation of mount `%s`", x->dest);
  return 0;
}

static int
mount_one (struct mnt *x, sk_error_t *err)
{
  _cleanup_free_ char *src = NULL;
  _cleanup_close_ int target = -1, old = -1;
  bool dir = true;
  struct stat st;

  if (x->o.flags & MS_BIND && !(x->o.flags & MS_REMOUNT))
    {
      src = sk_mount_bind_source (x->ctx->bundle, x->m->source);
      if (src == NULL)
        return sk_error_set (err, EINVAL, "mount `%s`: bind mount without a source", x->dest);
      int srcfd = source_fd (x);
      if ((srcfd >= 0 ? fstat (srcfd, &st) : stat (src, &st)) < 0)
        return sk_error_set (err, errno, "bind mount source `%s`", src);
      dir = S_ISDIR (st.st_mode);
    }
  if (x->o.flags & MS_REMOUNT)
    target = sk_open_in_root (x->rootfd, x->dest, O_PATH, 0, err);
  else
    target = sk_mount_target (x->rootfd, x->dest, dir, err);
  if (target < 0)
    return -1;
  if (x->o.tmpcopyup && x->m->type && strcmp (x->m->type, "tmpfs") == 0)
    {
      /* Kept open across the mount: the fd still reaches the directory the
       * tmpfs is about to cover, so its content can be copied up.  */
      old = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (old < 0)
        return sk_error_set (err, errno, "tmpcopyup `%s`", x->dest);
    }
  /* A read-only /dev still needs its device nodes, /dev/pts, the ptmx
   * link and /dev/console made inside it: mount it writable now and let
   * sk_rootfs_dev_readonly remount it read-only at the end, as runc does
   * (not in the spec; runc's integration suite, mounts.bats "ro /dev
   * mount", and images hardened with a read-only /dev rely on it).  */
  if ((x->o.flags & (MS_RDONLY | MS_REMOUNT)) == MS_RDONLY && same_path (x->dest, "/dev"))
    {
      x->o.flags &= ~MS_RDONLY;
      x->ctx->dev_readonly = true;
    }
  if (dispatch (x, src, target, err) < 0)
    return -1;
  return post_mount (x, old, err);
}

int
sk_mounts_apply (struct sk_init_ctx *ctx, int rootfd, sk_error_t *err)
{
  const struct sk_spec *spec = ctx->spec;

  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct mnt x = { .ctx = ctx, .rootfd = rootfd, .index = i, .m = &spec->mounts[i],
                       .dest = spec->mounts[i].destination };
      if (x.dest == NULL)
        return sk_error_set (err, EINVAL, "config.json: mounts[%zu].destination: missing", i);
      if (sk_mount_opts_parse (&x.m->options, &x.o, err) < 0)
        return -1;
      int r = mount_one (&x, err);
      sk_mount_opts_free (&x.o);
      if (r < 0)
        return -1;
    }
  sk_mounts_close_idmapped ();
  /* Host directories: no reason to keep them open until execve.  */
  for (size_t i = 0; ctx->mount_src_fds && i < spec->n_mounts; i++)
    if (ctx->mount_src_fds[i] >= 0)
      close (ctx->mount_src_fds[i]);
  free (ctx->mount_src_fds);
  ctx->mount_src_fds = NULL;
  return 0;
}

/* Compare paths ignoring repeated and trailing slashes.  */
static bool
same_path (const char *a, const char *b)
{
  for (;;)
    {
      while (*a == '/')
        a++;
      while (*b == '/')
        b++;
      if (*a == '\0' || *b == '\0')
        return *a == *b;
      size_t la = strcspn (a, "/"), lb = strcspn (b, "/");
      if (la != lb || strncmp (a, b, la) != 0)
        return false;
      a += la;
      b += lb;
    }
}

bool
sk_mounts_has_dest (const struct sk_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].destination && same_path (spec->mounts[i].destination, dest))
      return true;
  return false;
}
