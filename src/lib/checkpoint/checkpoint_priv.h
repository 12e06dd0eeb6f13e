/* Shared by checkpoint.c, restore.c and common.c (not public).  */
#ifndef SKIFF_CHECKPOINT_PRIV_H
#define SKIFF_CHECKPOINT_PRIV_H

#include <skiff/checkpoint.h>
#include "checkpoint/criu.h"

/* runc's default image directory, relative to the working directory.  */
#define SK_CKPT_DEFAULT_IMAGES "checkpoint"
/* In the image dir: the inode of the network namespace joined by path
 * that the dump left locked (checkpoint.c, restore.c).  */
#define SK_CKPT_NETNS_LOCKED "skiff-netns-locked"

int sk_ckpt_cg_mode (const char *mode, int *out, sk_error_t *err);
int sk_ckpt_open_dir (const char *path, bool create, const char *what, sk_error_t *err);
int sk_ckpt_common_opts (struct sk_criu_opts *co, const struct sk_criu_flags *f,
                         const struct sk_spec *spec, sk_error_t *err);
int sk_ckpt_ext_mounts (struct sk_criu_opts *co, const struct sk_spec *spec, const char *bundle,
                        pid_t pid, bool restore, sk_error_t *err);
void sk_ckpt_log_reason (const char *dir, const char *file, sk_error_t *err);
int sk_ckpt_write_descriptors (int images_fd, pid_t pid, sk_error_t *err);
int sk_ckpt_external_stdio (struct sk_criu_opts *co, int images_fd, pid_t pid, sk_error_t *err);
int sk_ckpt_inherit_stdio (struct sk_criu_opts *co, int images_fd, sk_error_t *err);

#endif
