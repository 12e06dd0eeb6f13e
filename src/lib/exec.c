/* skiff exec, the parent side: find the container, build the process,
 * enter the container through two children (exec.h), then detach or wait.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <skiff/container.h>
#include "exec.h"
#include "linux/attrs.h"
#include "linux/linux.h"
#include "linux/security.h"
#include "container_priv.h"
#include "state.h"
#include "sync.h"
#include "util/cleanup.h"
#include "validate.h"
#include "util/fd.h"
#include "util/fs.h"

#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
# define SYS_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
# define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* exec_process.c */
int sk_exec_build_process (const struct sk_exec_opts *o, struct sk_spec *spec,
                           struct sk_process **proc_out, sk_error_t *err);

/* ---- the container ------------------------------------------------------ */

/* runc allows exec in a created or running container; a paused one would
 * freeze the new process at once.  */
static int
check_status (const struct sk_state *st, const struct sk_exec_opts *o, sk_error_t *err)
{
  switch (st->status)
    {
    case SK_STATUS_CREATED:
    case SK_STATUS_RUNNING:
      return 0;
    case SK_STATUS_PAUSED:
      if (o->ignore_paused)
        return 0;
      return sk_error_set (err, 0, "cannot exec in container `%s`: container is paused "
                           "(use --ignore-paused to exec anyway)", st->id);
    default:
      return sk_error_set (err, 0, "cannot exec in container `%s`: container not running",
                           st->id);
    }
}

/* Open the init's namespaces (those that differ from ours: re-entering
 * our own user namespace is EINVAL) and its root, through a pidfd, then
 * check the start time: had the init died and its pid been reused in
 * between, we would have opened a stranger's namespaces.  */
static int
open_container (const struct sk_state *st, struct sk_exec_ctx *ctx, sk_error_t *err)
{
  _cleanup_close_ int pidfd = (int) syscall (SYS_pidfd_open, st->pid, 0);
  if (pidfd < 0 && errno == ESRCH)
    return sk_error_set (err, 0, "cannot exec in container `%s`: container not running", st->id);
  for (int t = 0; t < SK_NS__COUNT; t++)
    {
      char theirs[64], ours[64];
      const char *name = t == SK_NS_NETWORK ? "net" : t == SK_NS_MOUNT ? "mnt"
        : sk_ns_type_name ((enum sk_ns_type) t);
      struct stat a, b;
      snprintf (theirs, sizeof theirs, "/proc/%d/ns/%s", (int) st->pid, name);
      snprintf (ours, sizeof ours, "/proc/self/ns/%s", name);
      if (stat (ours, &b) < 0)
        continue;    /* the kernel lacks this namespace type (time < 5.6) */
      if (stat (theirs, &a) < 0)
        return sk_error_set (err, errno, "cannot exec in container `%s`: open `%s`", st->id,
                             theirs);
      if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        continue;
      ctx->ns_fds[t] = open (theirs, O_RDONLY | O_CLOEXEC);
      if (ctx->ns_fds[t] < 0)
        return sk_error_set (err, errno, "open `%s`", theirs);
    }
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", (int) st->pid);
  ctx->root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->root_fd < 0)
    return sk_error_set (err, errno, "open `%s`", root);
  if (sk_proc_start_time (st->pid) != st->pid_start)
    return sk_error_set (err, 0, "cannot exec in container `%s`: container not running", st->id);
  ctx->init_pid = st->pid;
  return 0;
}

/* The container's cgroup, or --cgroup's sub-cgroups of it, in every
 * hierarchy (the manager parses runc's [CONTROLLERS:]PATH forms).  */
static int
open_cgroup (const struct sk_state *st, const struct sk_strv *subs, struct sk_exec_ctx *ctx,
             sk_error_t *err)
{
  if (st->cgroup_path == NULL || st->cgroup_mountpoint == NULL)
    {
      if (subs->n)
        return sk_error_set (err, 0, "--cgroup `%s`: the container has no cgroup", subs->v[0]);
      return 0;
    }
  _cleanup_cgroup_ struct sk_cgroup *cg = sk_state_open_cgroup (st, err);
  bool clone_ok;
  if (cg == NULL || sk_cgroup_exec_dirs (cg, subs->v, subs->n, ctx->join_fds,
                                         sizeof ctx->join_fds / sizeof ctx->join_fds[0],
                                         &ctx->n_join, &clone_ok, err) < 0)
    return -1;
  if (clone_ok && ctx->n_join == 1
      && (ctx->cgroup_fd = fcntl (ctx->join_fds[0], F_DUPFD_CLOEXEC, 0)) < 0)
    return sk_error_set (err, errno, "cgroup `%s`", sk_cgroup_full_path (cg));
  return 0;
}

/* LSM options need the LSM (as for create: security.c); checked here,
 * before anything is spawned.  */
static int
check_lsm (const struct sk_process *p, const struct sk_spec *spec, sk_error_t *err)
{
  if (p->apparmor_profile && *p->apparmor_profile && !sk_apparmor_enabled ())
    return sk_error_set (err, 0, "apparmor profile `%s`: AppArmor is not enabled on this host",
                         p->apparmor_profile);
  if (p->apparmor_profile && *p->apparmor_profile
      && sk_apparmor_check_loaded (p->apparmor_profile, err) < 0)
    return -1;
  if (p->selinux_label && *p->selinux_label && !sk_selinux_enabled ())
    return sk_error_set (err, 0, "selinux label `%s`: SELinux is not enabled on this host",
                         p->selinux_label);
  sk_caps_check (p, sk_spec_namespace (spec, SK_NS_USER) != NULL);
  /* the attrs stream's checks, as validate.c runs them for create */
  if (sk_sched_validate (p->scheduler, err) < 0 || sk_ioprio_validate (p->io_priority, err) < 0)
    return -1;
  return 0;
}

/* ---- spawning ------------------------------------------------------------- */

struct clone_args_v2
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  uint64_t set_tid, set_tid_size, cgroup;
};

/* Stage 1 goes straight into the target cgroup with clone3, so no
 * process of ours ever runs in the container's namespaces outside its
 * cgroup; on older kernels (or when the kernel refuses, e.g. a v1-only
 * host) stage 1 writes itself into cgroup.procs.  */
static pid_t
spawn_stage1 (struct sk_exec_ctx *ctx, sk_error_t *err)
{
  pid_t pid = -1;
  if (ctx->cgroup_fd >= 0)
    {
      struct clone_args_v2 a = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
                                 .cgroup = (uint64_t) ctx->cgroup_fd };
      pid = (pid_t) syscall (SYS_clone3, &a, sizeof a);
      if (pid == 0)
        {
          ctx->in_cgroup = true;
          sk_exec_stage1 (ctx);
        }
    }
  if (pid < 0)
    {
      pid = fork ();
      if (pid == 0)
        sk_exec_stage1 (ctx);
    }
  if (pid < 0)
    return sk_error_set (err, errno, "fork");
  return pid;
}

/* An error from the children comes back as "container init: ...": for
 * exec, say what it is.  Errors about the executable map to the shell's
 * exit codes (127 not found, 126 not executable).  */
static int
child_error (sk_error_t *err, int *exit_code)
{
  static const char prefix[] = "container init: ";
  struct sk_error *e = *err;
  if (e == NULL)
    return -1;
  if (strcmp (e->msg, "container init exited unexpectedly") == 0)
    {
      free (e->msg);
      e->msg = strdup ("the exec process exited unexpectedly");
      return -1;
    }
  if (strncmp (e->msg, prefix, sizeof prefix - 1) == 0)
    memmove (e->msg, e->msg + sizeof prefix - 1, strlen (e->msg) - (sizeof prefix - 1) + 1);
  if (strncmp (e->msg, "exec", 4) == 0 && (e->msg[4] == ' ' || e->msg[4] == ':'))
    *exit_code = (e->errnum == ENOENT || strstr (e->msg, "executable file not found"))
      ? 127 : 126;
  return sk_error_prefix (err, "exec failed");
}

/* After READY the only legal events are EOF (execve closed the CLOEXEC
 * socket: success) and an ERROR frame (execve failed).  */
static int
wait_execve (int sock, sk_error_t *err)
{
  char c;
  ssize_t n;
  do
    n = recv (sock, &c, 1, MSG_PEEK);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    return 0;
  struct sk_sync_msg m;
  if (sk_sync_expect (sock, SK_SYNC_ERROR, &m, err) == 0)
    sk_sync_msg_clear (&m);
  return -1;
}

/* Drive the exchange of exec.h from P's side; *pid is C2 once known.  */
static int
talk_to_children (struct sk_exec_ctx *ctx, int sock, pid_t c1, const struct sk_state *st,
                  const struct sk_spec *spec, pid_t *pid, int *master, sk_error_t *err)
{
  struct sk_sync_msg m;
  int status;
  int r = sk_sync_expect (sock, SK_SYNC_PID, &m, err);
  while (waitpid (c1, &status, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -1;
  *pid = (pid_t) m.value;
  sk_sync_msg_clear (&m);
  /* C2 waits for this before it sends anything (exec.h).  */
  if (sk_sync_send (sock, SK_SYNC_PID_ACK, 0, NULL, -1, err) < 0)
    return -1;
  if (ctx->seccomp && sk_seccomp_uses_notify (ctx->seccomp))
    {
      if (sk_sync_expect (sock, SK_SYNC_SECCOMP_FD, &m, err) < 0)
        return -1;
      _cleanup_free_ char *state_json = sk_state_to_json (st, false, err);
      int ok = state_json
        && sk_seccomp_send_listener (spec->linux_->seccomp, m.fd, state_json, err) == 0;
      sk_sync_msg_clear (&m);
      if (!ok || sk_sync_send (sock, SK_SYNC_SECCOMP_DONE, 0, NULL, -1, err) < 0)
        return -1;
    }
  if (sk_sync_expect (sock, SK_SYNC_READY, &m, err) < 0)
    return -1;
  *master = m.fd;
  m.fd = -1;
  sk_sync_msg_clear (&m);
  return wait_execve (sock, err);
}

static int
write_pid_file (const char *path, pid_t pid, sk_error_t *err)
{
  _cleanup_free_ char *d = strdup (path), *b = strdup (path);
  if (d == NULL || b == NULL)
    return sk_error_set (err, ENOMEM, "pid file");
  _cleanup_close_ int dirfd = open (dirname (d), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return sk_error_set (err, errno, "pid file `%s`", path);
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  if (sk_write_file_replace (dirfd, basename (b), buf, n, 0644, err) < 0)
    return sk_error_prefix (err, "pid file `%s`", path);
  return 0;
}

/* The fds only the children need; P drops them once stage 1 runs.  */
static void
ctx_close_fds (struct sk_exec_ctx *ctx)
{
  for (int t = 0; t < SK_NS__COUNT; t++)
    sk_closep (&ctx->ns_fds[t]);
  sk_closep (&ctx->root_fd);
  sk_closep (&ctx->cgroup_fd);
  for (size_t i = 0; i < ctx->n_join; i++)
    sk_closep (&ctx->join_fds[i]);
  ctx->n_join = 0;
  sk_closep (&ctx->console_fd);
  sk_closep (&ctx->sync_fd);
}

static int
check_io_opts (const struct sk_exec_opts *o, const struct sk_process *p, sk_error_t *err)
{
  if (p->terminal && o->detach && o->console_socket == NULL)
    return sk_error_set (err, 0, "cannot allocate a tty for a detached exec without "
                         "--console-socket");
  if (!p->terminal && o->console_socket)
    return sk_error_set (err, 0, "--console-socket needs a terminal (--tty or process.terminal)");
  if (p->args.n == 0 || p->args.v[0] == NULL || *p->args.v[0] == '\0')
    return sk_error_set (err, 0, "exec: no command: give COMMAND or --process FILE with args");
  return 0;
}

/* Everything before the clone; fills ctx.  */
static int
prepare (const struct sk_global *g, const char *id, const struct sk_exec_opts *o,
         struct sk_exec_ctx *ctx, struct sk_state **st_out, struct sk_spec **spec_out,
         struct sk_process **proc_out, sk_error_t *err)
{
  if (sk_validate_id (id, err) < 0 || sk_validate_preserve_fds (0, o->preserve_fds, err) < 0)
    return -1;
  struct sk_state *st = *st_out = sk_state_load (g->root, id, err);
  if (st == NULL || check_status (st, o, err) < 0)
    return -1;
  /* The config as the container was created with it (create keeps a
   * copy in the state dir): edits to the bundle after create must not
   * change the container (runtime.md lifecycle step 2).  */
  struct sk_spec *spec = *spec_out = sk_container_load_spec (g, st, err);
  if (spec == NULL || sk_exec_build_process (o, spec, proc_out, err) < 0)
    return -1;
  const struct sk_process *p = ctx->process = *proc_out ? *proc_out : o->process;
  if (check_io_opts (o, p, err) < 0 || check_lsm (p, spec, err) < 0)
    return -1;
  ctx->preserve_fds = o->preserve_fds;
  ctx->tty_to_parent = p->terminal && o->console_socket == NULL;
  if (spec->linux_ && spec->linux_->seccomp
      && (ctx->seccomp = sk_seccomp_compile (spec->linux_->seccomp, err)) == NULL)
    return -1;
  if (o->console_socket && (ctx->console_fd = sk_unix_connect (o->console_socket, "console socket", err)) < 0)
    return -1;
  if (open_cgroup (st, &o->cgroups, ctx, err) < 0)
    return -1;
  return open_container (st, ctx, err);
}

int
sk_container_exec (const struct sk_global *g, const char *id, const struct sk_exec_opts *o,
                   int *exit_code, sk_error_t *err)
{
  struct sk_exec_ctx ctx = { .root_fd = -1, .cgroup_fd = -1, .sync_fd = -1, .console_fd = -1,
                             .parent_sock = -1 };
  for (int t = 0; t < SK_NS__COUNT; t++)
    ctx.ns_fds[t] = -1;
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_spec_ struct sk_spec *spec = NULL;
  struct sk_process *built = NULL;
  _cleanup_close_ int sock = -1, pidfd = -1, master = -1;
  pid_t pid = -1;
  int ret = -1, fds[2];
  sigset_t fwd;

  *exit_code = 0;
  sigprocmask (SIG_SETMASK, NULL, &ctx.saved_mask);
  if (prepare (g, id, o, &ctx, &st, &spec, &built, err) < 0 || sk_sync_pair (fds, err) < 0)
    goto out;
  sock = ctx.parent_sock = fds[0], ctx.sync_fd = fds[1];
  /* Block what the foreground forwards before the clone, so nothing sent
   * to us in between is lost (the children restore a clean mask).  */
  sk_exec_forward_set (&fwd);
  sigaddset (&fwd, SIGWINCH);
  sigprocmask (SIG_BLOCK, &fwd, &ctx.saved_mask);
  double t0 = sk_log_ms ();
  sk_log_debug ("exec in `%s` (init pid %d): `%s`, %zu args, terminal %s", id, (int) st->pid,
                built->args.n ? built->args.v[0] : "", built->args.n,
                built->terminal ? "yes" : "no");
  pid_t c1 = spawn_stage1 (&ctx, err);
  if (c1 < 0)
    goto out;
  ctx_close_fds (&ctx);
  if (talk_to_children (&ctx, sock, c1, st, spec, &pid, &master, err) < 0)
    {
      child_error (err, exit_code);
      goto out;
    }
  sk_log_debug ("exec: process %d started in the container (%.1f ms)", (int) pid,
                sk_log_ms () - t0);
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      sk_error_set (err, errno, "pidfd_open of the exec process");
      goto out;
    }
  if (o->pid_file && write_pid_file (o->pid_file, pid, err) < 0)
    goto out;
  if (o->detach)
    ret = 0;
  else
    {
      ret = sk_exec_wait (pid, pidfd, master, exit_code, err);
      pid = -1;   /* reaped (or to be left alone) */
    }
out:
  if (ret < 0 && pid > 0)
    {
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  ctx_close_fds (&ctx);
  if (ctx.seccomp)
    sk_seccomp_prog_free (ctx.seccomp);
  sigprocmask (SIG_SETMASK, &ctx.saved_mask, NULL);
  if (built)
    sk_process_free (built);
  return ret;
}
