/* The command table: one file per command under src/cli/.  Each command
 * parses its flags, calls exactly one library function and returns the
 * process exit code (>= 0), or -1 with *err set; main.c prints the error.  */
#ifndef SKIFF_CLI_COMMANDS_H
#define SKIFF_CLI_COMMANDS_H

#include <skiff/container.h>
#include "opts.h"

typedef int sk_cmd_fn (const struct sk_global *g, int argc, char **argv, sk_error_t *err);

sk_cmd_fn cmd_create, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete, cmd_list,
  cmd_spec, cmd_features, cmd_exec, cmd_pause, cmd_resume, cmd_update, cmd_ps, cmd_events,
  cmd_checkpoint, cmd_restore;

/* The flags `checkpoint` and `restore` share (runc's spellings).  */
#define SK_CRIU_SHARED_OPTS(c)                                                 \
  { "image-path", 0, SK_OPT_STRING, &(c).image_path, "DIR",                    \
    "CRIU image directory (default: ./checkpoint)" },                          \
  { "work-path", 0, SK_OPT_STRING, &(c).work_path, "DIR",                      \
    "CRIU work files and logs (default: the image directory)" },               \
  { "tcp-established", 0, SK_OPT_BOOL, &(c).tcp_established, NULL,             \
    "allow open TCP connections" },                                            \
  { "ext-unix-sk", 0, SK_OPT_BOOL, &(c).ext_unix_sk, NULL,                     \
    "allow external unix sockets" },                                           \
  { "shell-job", 0, SK_OPT_BOOL, &(c).shell_job, NULL, "allow shell jobs" },    \
  { "file-locks", 0, SK_OPT_BOOL, &(c).file_locks, NULL, "handle file locks" }, \
  { "lazy-pages", 0, SK_OPT_BOOL, &(c).lazy_pages, NULL,                       \
    "use userfaultfd to restore memory pages lazily" },                        \
  { "auto-dedup", 0, SK_OPT_BOOL, &(c).auto_dedup, NULL,                       \
    "deduplicate memory images" },                                             \
  { "manage-cgroups-mode", 0, SK_OPT_STRING, &(c).manage_cgroups_mode,         \
    "MODE", "CRIU's cgroup mode: soft, full, strict or ignore" }

/* The flags `create` and `run` share (runc's spellings).  */
#define SK_CREATE_OPTS(o)                                                      \
  { "bundle", 'b', SK_OPT_STRING, &(o).bundle, "DIR",                          \
    "bundle directory (default: current directory)" },                         \
  { "pid-file", 0, SK_OPT_STRING, &(o).pid_file, "FILE",                       \
    "write the container's pid to FILE" },                                     \
  { "console-socket", 0, SK_OPT_STRING, &(o).console_socket, "PATH",           \
    "unix socket that receives the pty master (process.terminal)" },           \
  { "preserve-fds", 0, SK_OPT_INT, &(o).preserve_fds, "N",                     \
    "pass fds 3..3+N-1 to the container" },                                    \
  { "no-pivot", 0, SK_OPT_BOOL, &(o).no_pivot, NULL,                           \
    "use MS_MOVE + chroot instead of pivot_root" },                            \
  { "no-new-keyring", 0, SK_OPT_BOOL, &(o).no_new_keyring, NULL,               \
    "do not create a session keyring" }

/* A command whose only argument is the container id: parse (--help), then
 * call fn (g, id, err).  */
int sk_cmd_with_id (const struct sk_global *g, const struct sk_cmd_help *h, int argc,
                    char **argv, int (*fn) (const struct sk_global *, const char *, sk_error_t *),
                    sk_error_t *err);

#endif
