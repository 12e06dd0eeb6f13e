/* skiff: the library's public face for the CLI.  Each CLI command calls
 * exactly one of these.  */
#ifndef SKIFF_CONTAINER_H
#define SKIFF_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

#define SK_DEFAULT_ROOT "/run/skiff"

struct sk_global
{
  const char *root;          /* state root, default /run/skiff */
  bool systemd_cgroup;
  bool rootless;              /* rootless mode (see sk_rootless_resolve) */
  bool debug;
};

/* Rootless mode, as runc's --rootless: flag is "true", "false", "auto" or
 * NULL (auto: euid != 0, or root in a user namespace that maps it to a
 * host uid other than 0).  */
int sk_rootless_resolve (const char *flag, bool *rootless, sk_error_t *err);
bool sk_rootless_detect (void);
/* The default state root of an unprivileged caller: $XDG_RUNTIME_DIR/skiff,
 * with a clear error when XDG_RUNTIME_DIR is unset or not the caller's.  */
char *sk_rootless_state_root (sk_error_t *err);
/* Create the rootless state root 0700 (no other user may list or touch
 * the containers in it) and check the caller owns it.  */
int sk_rootless_prepare_root (const char *root, sk_error_t *err);

struct sk_create_opts
{
  const char *bundle;        /* default: cwd */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  /* Socket activation (the OCI runtime CLI, "create": LISTEN_FDS): fds
   * 3..3+listen_fds-1 are passed first, then the --preserve-fds ones, and
   * the process gets LISTEN_FDS and LISTEN_PID (its own pid).  */
  int listen_fds;
  bool no_pivot;
  bool no_new_keyring;
  /* run only */
  bool detach;
  bool keep;
};

int sk_container_create (const struct sk_global *g, const char *id,
                         const struct sk_create_opts *o, sk_error_t *err);
int sk_container_start (const struct sk_global *g, const char *id, sk_error_t *err);
/* run: create + start; in the foreground waits and stores the exit status
 * (128+N for a signal) in *exit_code.  */
int sk_container_run (const struct sk_global *g, const char *id,
                      const struct sk_create_opts *o, int *exit_code, sk_error_t *err);
int sk_container_kill (const struct sk_global *g, const char *id, int signo,
                       bool all, sk_error_t *err);
int sk_container_delete (const struct sk_global *g, const char *id, bool force,
                         sk_error_t *err);
/* state: the spec's state JSON (plus rootfs, created, owner).  */
char *sk_container_state (const struct sk_global *g, const char *id, sk_error_t *err);
/* list: json (array of state objects) or a table, or ids only (quiet).  */
enum sk_list_format { SK_LIST_TABLE, SK_LIST_JSON, SK_LIST_QUIET };
char *sk_container_list (const struct sk_global *g, enum sk_list_format f, sk_error_t *err);
char *sk_features_json (sk_error_t *err);

/* CVE-2019-5736: re-execute the running skiff from a sealed memfd copy, so
 * that no process skiff starts ever exposes the host binary through
 * /proc/<pid>/exe.  No-op when already sealed.  The CLI calls it first
 * thing in create, run and exec.  */
int sk_exe_protect (sk_error_t *err);

/* cgroup-backed commands */
int sk_container_pause (const struct sk_global *g, const char *id, sk_error_t *err);
int sk_container_resume (const struct sk_global *g, const char *id, sk_error_t *err);
/* resources_json: a LinuxResources object (update --resources F).  */
int sk_container_update (const struct sk_global *g, const char *id,
                         const struct sk_resources *r, sk_error_t *err);
int sk_container_pids (const struct sk_global *g, const char *id, pid_t **pids,
                       size_t *n, sk_error_t *err);
char *sk_container_stats (const struct sk_global *g, const char *id, sk_error_t *err);
/* events stream: calls emit(line) for each JSON event until the container
 * stops; interval in ms for --stats streaming.  */
int sk_container_events (const struct sk_global *g, const char *id, bool stats_once,
                         unsigned interval_ms, void (*emit) (const char *line),
                         sk_error_t *err);

/* exec */
struct sk_exec_opts
{
  struct sk_process *process;   /* built from --process or flags; owned by caller */
  const char *console_socket;
  const char *pid_file;
  struct sk_strv cgroups;       /* --cgroup: [CONTROLLER[,CONTROLLER]:]PATH, repeatable */
  int preserve_fds;
  bool detach;
  bool ignore_paused;
  /* Used when `process` is NULL (added by the hooks/exec stream).
   * process_path: a runtime-spec `process` JSON file (--process).
   * Otherwise the container's own config.json process is the base, as in
   * runc, with args and the overrides below applied.  */
  const char *process_path;
  char **args;                  /* COMMAND [ARG...], NULL-terminated */
  const char *cwd;
  struct sk_strv env;           /* appended; a later KEY= wins */
  const char *user;             /* "uid[:gid]" */
  struct sk_strv additional_gids;
  struct sk_strv caps;          /* added to bounding, effective, permitted */
  bool no_new_privs;
  bool tty;
  const char *apparmor;
  const char *process_label;
};
/* On failure *exit_code may be set to 126/127 (executable not found or
 * not executable): the foreground exec exits with it after the message.  */
int sk_container_exec (const struct sk_global *g, const char *id,
                       const struct sk_exec_opts *o, int *exit_code, sk_error_t *err);

/* id validation: not empty, no '/', not "." or "..", <= 1024 bytes,
 * characters [A-Za-z0-9_+.-] as runc allows.  */
int sk_validate_id (const char *id, sk_error_t *err);

/* Parse a signal: a number, `KILL`, `SIGKILL` (any case), `RTMIN+3`.  */
int sk_parse_signal (const char *s, int *signo, sk_error_t *err);

/* Logging: configured by the CLI from --log / --log-format / --debug.  */
enum sk_log_format { SK_LOG_TEXT, SK_LOG_JSON };
int sk_log_init (const char *path, enum sk_log_format f, bool debug, sk_error_t *err);
void sk_log_error (const char *msg);           /* the CLI's final error */
void sk_log_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void sk_log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
bool sk_log_debug_enabled (void);
/* Monotonic milliseconds, for the timings in --debug lines.  */
double sk_log_ms (void);

#endif
