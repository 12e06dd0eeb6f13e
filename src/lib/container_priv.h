/* Shared between the container_*.c files of the library (not public).  */
#ifndef SKIFF_CONTAINER_PRIV_H
#define SKIFF_CONTAINER_PRIV_H

#include <signal.h>
#include <skiff/container.h>
#include "cgroup/cgroup.h"
#include "linux/linux.h"
#include "state.h"
#include "intent.h"

/* One `create` in progress.  */
struct sk_create
{
  const struct sk_global *g;
  const char *id;
  const struct sk_create_opts *o;
  struct sk_spec *spec;
  char *config_raw;           /* the config.json bytes spec was parsed from */
  size_t config_len;
  char *bundle;
  char *rootfs;
  char *state_dir;
  struct sk_cgroup *cg;
  struct sk_seccomp_prog *seccomp;
  struct sk_init_ctx init;
  struct sk_state st;         /* borrows from the fields above */
  struct sk_create_intent intent;   /* intent.json, written before acting */
  int sync_fd;
  int console_fd;             /* --console-socket, or run's own relay socket */
  int state_dirfd;
  int lock_fd;
  pid_t child;                /* what clone returned */
  pid_t pid;                  /* the container's init */
  bool claimed;
  bool pid_file_written;
  /* Set by restore: called after the state dir, cgroup and console
   * socket exist, instead of cloning init; it sets pid and writes the
   * state.  */
  int (*spawn) (struct sk_create *cc, sk_error_t *err);
  void *spawn_data;
};

void sk_create_init (struct sk_create *cc, const struct sk_global *g, const char *id,
                     const struct sk_create_opts *o);
/* Everything up to READY; rolls back on failure.  */
int sk_create_run (struct sk_create *cc, sk_error_t *err);
void sk_create_rollback (struct sk_create *cc);
/* cc->st from the fields of cc, status created.  */
void sk_create_fill_state (struct sk_create *cc);
/* run's foreground half: relay signals (and the terminal when
 * console_peer >= 0) until cc->pid exits; *code is its exit code.  */
int sk_run_foreground (const struct sk_global *g, struct sk_create *cc, int console_peer,
                       int *code, sk_error_t *err);
/* The signals run relays (blocked before the container exists).  */
void sk_run_relay_sigset (sigset_t *set);
/* container_debug.c */
void sk_create_debug_config (const struct sk_create *cc);
void sk_create_debug_step (const struct sk_create *cc, const char *what, double t0);
/* Turn "container init exited unexpectedly" into how it ended (reaping it
 * when it is our child) and the last step it reported.  */
void sk_create_explain_init_exit (struct sk_create *cc, sk_error_t *err);
void sk_create_clear (struct sk_create *cc);

/* SIGKILL pid and wait until it is gone (reap it when it is our child).  */
void sk_kill_and_wait (pid_t pid, bool is_child);

/* Load a container's state under its lock; *lock_fd receives the lock.  */
struct sk_state *sk_container_load_locked (const struct sk_global *g, const char *id,
                                           int *lock_fd, sk_error_t *err);

/* start's work once the state is loaded and locked (run uses it too).
 * known: the config already parsed (run), or NULL to load the state
 * directory's copy.  */
int sk_start_locked (const struct sk_global *g, struct sk_state *st, const struct sk_spec *known,
                     sk_error_t *err);
/* delete's work once the state is loaded and locked.  */
int sk_delete_locked (const struct sk_global *g, struct sk_state *st, bool force,
                      sk_error_t *err);

/* The config the container was created with (the copy create keeps in
 * the state dir; the bundle's for a state dir written before that copy
 * existed): start's poststart hooks, delete's poststop hooks, exec.  */
struct sk_spec *sk_container_load_spec (const struct sk_global *g, const struct sk_state *st,
                                        sk_error_t *err);

#endif
