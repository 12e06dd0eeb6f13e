/* Filesystem helpers that know nothing of containers.  */
#ifndef SKIFF_UTIL_FS_H
#define SKIFF_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <skiff/error.h>

/* Whole-file read (NUL-terminated) and write.  */
int sk_read_file (const char *path, char **out, size_t *len, sk_error_t *err);
int sk_read_file_at (int dirfd, const char *name, char **out, size_t *len, sk_error_t *err);
int sk_write_file_at (int dirfd, const char *name, const char *data, size_t len,
                      sk_error_t *err);
/* Atomic replace: temp file with O_TRUNC, fsync, renameat, fsync dir.  */
int sk_write_file_atomic (int dirfd, const char *name, const char *data, size_t len,
                          mode_t mode, sk_error_t *err);
/* Remove a directory tree without following symlinks.  */
int sk_rm_rf (const char *path, sk_error_t *err);
int sk_mkdir_p (const char *path, mode_t mode, sk_error_t *err);

/* ---- resolution inside a root (the rootfs) ----------------------------
 * Never escape rootfd: absolute symlinks and `..` resolve inside it
 * (openat2 RESOLVE_IN_ROOT, with a component-by-component fallback that
 * resolves symlinks by hand).  CVE-2021-30465 class.  */
int sk_open_in_root (int rootfd, const char *path, int flags, mode_t mode,
                     sk_error_t *err);
/* Create every missing directory of path inside the root; returns an
 * O_PATH|O_DIRECTORY fd of the last one.  */
int sk_mkdir_p_in_root (int rootfd, const char *path, mode_t mode, sk_error_t *err);

#endif
