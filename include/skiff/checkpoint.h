/* skiff: checkpoint and restore through CRIU (src/lib/checkpoint/).  The
 * flags are runc's, for the callers that drive runc's (podman, CRI-O,
 * containerd).  */
#ifndef SKIFF_CHECKPOINT_H
#define SKIFF_CHECKPOINT_H

#include <stdbool.h>
#include <skiff/container.h>

/* What checkpoint and restore share.  */
struct sk_criu_flags
{
  const char *image_path;       /* default: ./checkpoint, as runc */
  const char *work_path;        /* CRIU's work dir and logs (default: image_path) */
  const char *manage_cgroups_mode; /* soft | full | strict | ignore (NULL: CRIU's default) */
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool file_locks;
  bool lazy_pages;
  bool auto_dedup;
};

struct sk_checkpoint_opts
{
  struct sk_criu_flags c;
  const char *parent_path;      /* the previous (pre-)dump, relative to image_path */
  const char *page_server;      /* ADDRESS:PORT */
  int status_fd;                /* --lazy-pages: written "\0" when ready; -1 */
  const char *empty_ns;         /* namespace type CRIU must not dump (network) */
  bool leave_running;
  bool pre_dump;
};

struct sk_restore_opts
{
  struct sk_criu_flags c;
  const char *bundle;
  const char *console_socket;
  const char *pid_file;
  const char *lsm_profile;
  const char *lsm_mount_context;
  bool detach;
  bool no_subreaper;
  bool no_pivot;
};

int sk_container_checkpoint (const struct sk_global *g, const char *id,
                             const struct sk_checkpoint_opts *o, sk_error_t *err);
/* In the foreground (no detach) waits for the restored container and
 * stores its exit code in *exit_code, as run does.  */
int sk_container_restore (const struct sk_global *g, const char *id,
                          const struct sk_restore_opts *o, int *exit_code, sk_error_t *err);

/* 0 with *version ("3.17.1") when CRIU is installed and `criu check`
 * passes; -1 with an error naming what is missing.  */
int sk_checkpoint_available (char **version, sk_error_t *err);

#endif
