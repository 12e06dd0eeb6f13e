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
/* A file handed to skiff by a bundle or a caller (config.json,
 * process.json, resources, state.json): it must be a regular file of at
 * most max bytes; a FIFO or device is refused without blocking.  */
#define SK_INPUT_FILE_MAX (64u << 20)
int sk_read_regular_file (const char *path, size_t max, char **out, size_t *len,
                          sk_error_t *err);
int sk_write_file_at (int dirfd, const char *name, const char *data, size_t len,
                      sk_error_t *err);
/* Atomic and durable replace: temp file with O_TRUNC, fsync, renameat,
 * fsync dir.  For what must outlive a machine crash (checkpoint images).  */
int sk_write_file_atomic (int dirfd, const char *name, const char *data, size_t len,
                          mode_t mode, sk_error_t *err);
/* Atomic replace without fsync: a reader sees the old or the new content,
 * whatever process dies when, but a machine crash may lose it.  For the
 * state directory and pid files: everything they describe (processes,
 * cgroups, mounts) dies with the machine too, and an fsync cost 1-5 ms of
 * wall time each on an ext4 /run (crun and runc do not sync either).  */
int sk_write_file_replace (int dirfd, const char *name, const char *data, size_t len,
                           mode_t mode, sk_error_t *err);
/* An empty file last written before this boot: what a machine crash
 * leaves of a file sk_write_file_replace wrote just before it (ext4 with
 * delayed allocation keeps the name, not the data).  skiff never writes
 * an empty state file, and one from before the boot describes nothing
 * that still exists, so it reads as absent.  */
bool sk_file_torn_by_crash (const char *path, size_t len);
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
/* As sk_open_in_root, but -1 with errno set (callers that treat ENOENT as
 * "skip" do not have to build and drop an error).  */
int sk_open_in_root_errno (int rootfd, const char *path, int flags, mode_t mode);
/* The fallback walk alone (no openat2), exposed for the unit tests.  */
int sk_open_in_root_walk (int rootfd, const char *path, int flags, mode_t mode);
/* Tests set this to make sk_open_in_root use the walk.  */
extern bool sk_fs_root_force_walk;
/* Create the missing parents of path inside the root; return an O_PATH fd
 * of the parent directory and its last component in *name (malloc'd), so
 * the caller can mknodat/symlinkat/openat a single name with no symlink
 * following.  `.`, `..` or an empty last component are EINVAL.  */
int sk_open_parent_in_root (int rootfd, const char *path, mode_t mode, char **name,
                            sk_error_t *err);
/* Copy the tree under the directory srcfd into the directory dstfd:
 * files, directories, symlinks, fifos and device nodes, with mode and
 * owner; never follows a symlink (tmpcopyup).  */
int sk_copy_tree (int srcfd, int dstfd, sk_error_t *err);
/* 1 when fd is the root of a mount, 0 when not, -1 when unknown.  */
int sk_fd_is_mount_root (int fd);

#endif
