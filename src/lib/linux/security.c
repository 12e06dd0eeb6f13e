/* The child's last privileged steps, LSM labels and verified procfs
 * writes.  See security.h.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/magic.h>
#ifdef HAVE_LINUX_OPENAT2_H
# include <linux/openat2.h>
#endif
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/security.h"
#include "util/cleanup.h"
#include "util/fd.h"

#define PROC_ROOT_INO 1

/* ---- verified procfs access ------------------------------------------ */

static int
open_proc_root (sk_error_t *err)
{
  _cleanup_close_ int fd = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sfs;
  struct stat st;
  if (fd < 0)
    return sk_error_set (err, errno, "open `/proc`");
  /* Not a procfs, or a procfs subdirectory bound on /proc (a container
   * mount or an image trick): refuse rather than write somewhere else.  */
  if (fstatfs (fd, &sfs) < 0 || fstat (fd, &st) < 0)
    return sk_error_set (err, errno, "stat `/proc`");
  if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != PROC_ROOT_INO)
    return sk_error_set (err, EXDEV, "`/proc` is not the root of a procfs");
  return steal_fd (&fd);
}

int
sk_procfs_open (const char *rel, int flags, sk_error_t *err)
{
  char path[PATH_MAX];
  if (strncmp (rel, "self/", 5) == 0)
    snprintf (path, sizeof path, "%d/%s", (int) getpid (), rel + 5);
  else
    snprintf (path, sizeof path, "%s", rel);
  _cleanup_close_ int root = open_proc_root (err);
  if (root < 0)
    return -1;
  int fd = -1;
#if defined HAVE_LINUX_OPENAT2_H && HAVE_DECL_SYS_OPENAT2
  /* RESOLVE_NO_XDEV: any mount on the way (a bind of
   * /proc/sys/kernel/core_pattern over attr/exec, CVE-2025-52881) fails
   * with EXDEV instead of being written through.  */
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC | O_NOFOLLOW),
    .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
  };
  fd = syscall (SYS_openat2, root, path, &how, sizeof how);
  if (fd < 0 && errno != ENOSYS)
    return sk_error_set (err, errno, "open `/proc/%s`", path);
#endif
  if (fd < 0)
    {
      /* No openat2 (before 5.6): no symlink at the end, and the file must
       * be on procfs and not on a mount of its own (checked below).  */
      fd = openat (root, path, flags | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        return sk_error_set (err, errno, "open `/proc/%s`", path);
    }
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return sk_error_set (err, EXDEV, "`/proc/%s` is not a procfs file", path);
    }
  return fd;
}

static int
procfs_write (const char *rel, const char *data, size_t len, sk_error_t *err)
{
  _cleanup_close_ int fd = sk_procfs_open (rel, O_WRONLY, err);
  if (fd < 0)
    return -1;
  if (write (fd, data, len) != (ssize_t) len)
    return sk_error_set (err, errno, "write `/proc/%s`", rel);
  return 0;
}

/* ---- LSM ------------------------------------------------------------- */

static bool
file_starts_with (const char *path, const char *prefix)
{
  char buf[16] = "";
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  return n > 0 && strncmp (buf, prefix, strlen (prefix)) == 0;
}

bool
sk_apparmor_enabled (void)
{
  return access ("/sys/kernel/security/apparmor", F_OK) == 0
         && file_starts_with ("/sys/module/apparmor/parameters/enabled", "Y");
}

/* AppArmor lists its loaded profiles one a line as `NAME (MODE)` in
 * securityfs.  Checking there lets create and exec name a missing profile
 * before anything exists; without the check the kernel's ENOENT would come
 * from the child, at `start` for create (attr/exec is written just before
 * execve).  "unconfined" is not listed but is always valid.  A profile
 * list that cannot be read (a policy namespace, a restricted securityfs)
 * proves nothing: the child's write stays the final word.  */
int
sk_apparmor_check_loaded (const char *profile, sk_error_t *err)
{
  if (strcmp (profile, "unconfined") == 0)
    return 0;
  FILE *f = fopen ("/sys/kernel/security/apparmor/profiles", "re");
  if (f == NULL)
    return 0;
  char *line = NULL;
  size_t cap = 0, len = strlen (profile);
  bool found = false;
  while (!found && getline (&line, &cap, f) > 0)
    found = strncmp (line, profile, len) == 0 && strncmp (line + len, " (", 2) == 0;
  free (line);
  fclose (f);
  if (!found)
    return sk_error_set (err, 0, "AppArmor profile `%s` is not loaded (load it with "
                         "apparmor_parser; loaded profiles are listed in "
                         "/sys/kernel/security/apparmor/profiles)", profile);
  return 0;
}

bool
sk_selinux_enabled (void)
{
  struct statfs sfs;
  return statfs ("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}

/* Runs in the child, after pivot_root: the container's /sys has neither
 * securityfs nor selinuxfs, so whether an LSM is enabled was decided by
 * the parent (sk_security_validate, exec's check_lsm) before anything was
 * created; asking here again would see the container's view and refuse
 * every label.  If the LSM went away meanwhile, the write fails.  */
int
sk_lsm_apply (const struct sk_process *p, sk_error_t *err)
{
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      _cleanup_free_ char *cmd = NULL;
      if (asprintf (&cmd, "exec %s", p->apparmor_profile) < 0)
        return sk_error_set (err, ENOMEM, "apparmor profile");
      /* attr/apparmor/exec exists since 5.8 (LSM stacking); attr/exec is
       * the older shared file.  */
      sk_error_t e = NULL;
      if (procfs_write ("self/attr/apparmor/exec", cmd, strlen (cmd), &e) < 0)
        {
          if (sk_error_free (&e), procfs_write ("self/attr/exec", cmd, strlen (cmd), err) < 0)
            {
              /* The kernel says ENOENT for a profile it does not have
               * (loaded or removed after the parent's check).  */
              if ((*err)->errnum == ENOENT)
                {
                  sk_error_free (err);
                  return sk_error_set (err, 0, "AppArmor profile `%s` is not loaded",
                                       p->apparmor_profile);
                }
              return sk_error_prefix (err, "apparmor profile `%s`", p->apparmor_profile);
            }
        }
    }
  if (p->selinux_label && *p->selinux_label)
    {
      if (procfs_write ("self/attr/exec", p->selinux_label, strlen (p->selinux_label), err) < 0)
        {
          if ((*err)->errnum == EINVAL)
            {
              sk_error_free (err);
              return sk_error_set (err, 0, "SELinux label `%s` is not a valid context in "
                                   "the loaded policy", p->selinux_label);
            }
          return sk_error_prefix (err, "selinux label `%s`", p->selinux_label);
        }
    }
  return 0;
}

char *
sk_selinux_mount_option (const char *mount_label)
{
  char *s = NULL;
  /* No sk_selinux_enabled () here: validation refused a mountLabel on a
   * host without SELinux, and the child's view of /sys may lack selinuxfs;
   * a label must never be dropped silently.  */
  if (mount_label == NULL || *mount_label == '\0')
    return NULL;
  if (asprintf (&s, "context=\"%s\"", mount_label) < 0)
    return NULL;
  return s;
}

/* ---- parent-side validation ------------------------------------------ */

int
sk_security_validate (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_process *p = spec->process;
  if (p)
    {
      sk_caps_check (p, sk_spec_namespace (spec, SK_NS_USER) != NULL);
      if (p->apparmor_profile && *p->apparmor_profile && !sk_apparmor_enabled ())
        return sk_error_set (err, 0, "config.json: process.apparmorProfile: AppArmor is "
                             "not enabled on this host");
      if (p->apparmor_profile && *p->apparmor_profile
          && sk_apparmor_check_loaded (p->apparmor_profile, err) < 0)
        return sk_error_prefix (err, "config.json: process.apparmorProfile");
      if (p->selinux_label && *p->selinux_label && !sk_selinux_enabled ())
        return sk_error_set (err, 0, "config.json: process.selinuxLabel: SELinux is not "
                             "enabled on this host");
    }
  if (spec->linux_ && spec->linux_->mount_label && *spec->linux_->mount_label
      && !sk_selinux_enabled ())
    return sk_error_set (err, 0, "config.json: linux.mountLabel: SELinux is not enabled "
                         "on this host");
  return 0;
}

/* ---- the child's last steps ------------------------------------------ */

/* Order:
 *  1. LSM exec labels, while still root with every capability (AppArmor
 *     restricts profile changes under no_new_privs);
 *  2. seccomp, when it cannot wait: seccomp(2) needs no_new_privs or
 *     CAP_SYS_ADMIN.  Without noNewPrivileges, a process that does not keep
 *     CAP_SYS_ADMIN could not load it after the drop, so it is loaded just
 *     before, and the profile then also filters setgroups/setuid/capset/
 *     prctl/execve of init (runc and crun make the same choice);
 *  3. capabilities, user, no_new_privs (caps.c);
 *  4. seccomp, in the common case: as late as possible, so profiles need
 *     not allow the runtime's own calls.
 * A filter with SCMP_ACT_NOTIFY was loaded before READY
 * (sk_seccomp_notify_handoff); loading it again is a no-op.  */
int
sk_security_finalize (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const struct sk_process *p = ctx->spec->process;
  bool late = p->no_new_privileges || sk_caps_keeps (p, CAP_SYS_ADMIN);
  if (sk_lsm_apply (p, err) < 0)
    return -1;
  if (ctx->seccomp && !late && sk_seccomp_load (ctx->seccomp, err) == -1)
    return -1;
  if (sk_caps_apply_user (p, err) < 0)
    return -1;
  if (ctx->seccomp && late && sk_seccomp_load (ctx->seccomp, err) == -1)
    return -1;
  return 0;
}
