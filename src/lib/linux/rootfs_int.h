/* Private interface between rootfs.c, mounts.c and devices.c.  */
#ifndef SKIFF_LINUX_ROOTFS_INT_H
#define SKIFF_LINUX_ROOTFS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/error.h>
#include <skiff/spec.h>
#include "linux/linux.h"

#define SK_MAX_PROPAGATION 8

/* One `options` array, sorted by what consumes each option.  */
struct sk_mount_opts
{
  unsigned long flags;        /* MS_* given to mount(2), MS_BIND|MS_REC included */
  unsigned long cleared;      /* MS_* explicitly turned off (rw, suid, ...) */
  unsigned long propagation[SK_MAX_PROPAGATION];  /* MS_PRIVATE [|MS_REC] ..., in order */
  size_t n_propagation;
  uint64_t rattr_set;         /* recursive MOUNT_ATTR_* (rro, rnosuid, ...) */
  uint64_t rattr_clr;
  bool idmap;
  bool ridmap;
  bool tmpcopyup;
  char *data;                 /* unknown options, comma-joined; NULL if none */
};

int sk_mount_opts_parse (const struct sk_strv *options, struct sk_mount_opts *o,
                         sk_error_t *err);
void sk_mount_opts_free (struct sk_mount_opts *o);

/* "/proc/self/fd/N" for fd: mount(2) on that path acts on what fd refers
 * to, not on whatever the path's components point at by then.  */
void sk_fd_path (int fd, char buf[static 32]);
/* A bind mount's source: absolute as given, else relative to the bundle
 * (malloc'd; NULL without a source or memory).  */
char *sk_mount_bind_source (const char *bundle, const char *source);

/* Attach the detached mount treefd on top of what targetfd refers to.  */
int sk_move_mount_onto (int treefd, int targetfd, const char *dest, sk_error_t *err);
/* Bind what srcfd refers to (recursively when asked) onto targetfd,
 * without ever resolving a path.  */
int sk_bind_fd_onto (int srcfd, bool recursive, int targetfd, const char *dest,
                     sk_error_t *err);

/* ro, nosuid, nodev, noexec, atime of o on the detached bind tree (top
 * mount only); flags the kernel locked in a user namespace are kept
 * rather than failing with EPERM.  dest names it in errors.  */
int sk_bind_set_attrs (int tree, const struct sk_mount_opts *o, const char *dest,
                       sk_error_t *err);

/* An O_PATH fd of dest inside the root, created when missing as a
 * directory (dir) or an empty file.  */
int sk_mount_target (int rootfd, const char *dest, bool dir, sk_error_t *err);

/* Perform every config `mounts` entry in order, under rootfd.  */
int sk_mounts_apply (struct sk_init_ctx *ctx, int rootfd, sk_error_t *err);
/* True when the config mounts something at dest (e.g. "/dev/pts").  */
bool sk_mounts_has_dest (const struct sk_spec *spec, const char *dest);
bool sk_spec_in_userns (const struct sk_spec *spec);

/* devices.c: default devices, /dev symlinks, /dev/pts, /dev/ptmx and
 * linux.devices.  */
int sk_devices_setup (struct sk_init_ctx *ctx, int rootfd, sk_error_t *err);

#endif
