/* skiff exec, the child side: stage 1 enters the container, the process
 * itself (stage 2) prepares and execs.  See exec.h for the exchange.
 * Until execve every error goes to the parent as an ERROR frame; messages
 * about the executable itself start with "exec", which the parent turns
 * into exit status 127 (not found) or 126 (not executable).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <skiff/container.h>
#include "exec.h"
#include "linux/attrs.h"
#include "linux/linux.h"
#include "linux/security.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fd.h"

#ifndef TIOCGPTPEER
# define TIOCGPTPEER _IO ('T', 0x41)
#endif
#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void __attribute__ ((noreturn))
fail (struct sk_exec_ctx *ctx, sk_error_t *err, int code)
{
  sk_sync_send_error (ctx->sync_fd, *err);
  _exit (code);
}

/* ---- stage 1 ------------------------------------------------------------ */

/* Fallback when clone3 could not place us, and always on cgroup v1 (one
 * cgroup per hierarchy): move ourselves ("0" is the writer) into the
 * container's cgroups before anything else happens.  */
static int
enter_cgroup (struct sk_exec_ctx *ctx, sk_error_t *err)
{
  if (ctx->in_cgroup)
    return 0;
  for (size_t i = 0; i < ctx->n_join; i++)
    {
      _cleanup_close_ int fd = openat (ctx->join_fds[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, "0", 1) != 1)
        return sk_error_set (err, errno, "join the container's cgroup");
    }
  return 0;
}

/* The user namespace first: it owns the others, and joining them needs
 * CAP_SYS_ADMIN there.  pid and time only apply to our children (the
 * clone below).  Mount last, then the init's root: with --no-pivot the
 * init chrooted, so the namespace's root is not the container's.  */
static int
join_namespaces (struct sk_exec_ctx *ctx, sk_error_t *err)
{
  static const enum sk_ns_type order[] = {
    SK_NS_USER, SK_NS_PID, SK_NS_TIME, SK_NS_NETWORK, SK_NS_IPC, SK_NS_UTS, SK_NS_CGROUP,
    SK_NS_MOUNT,
  };
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    {
      enum sk_ns_type t = order[k];
      if (ctx->ns_fds[t] < 0)
        continue;
      if (setns (ctx->ns_fds[t], sk_ns_flag (t)) < 0)
        return sk_error_set (err, errno, "join the container's %s namespace", sk_ns_type_name (t));
      sk_closep (&ctx->ns_fds[t]);
    }
  if (fchdir (ctx->root_fd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return sk_error_set (err, errno, "enter the container's root");
  sk_closep (&ctx->root_fd);
  return 0;
}

static void __attribute__ ((noreturn)) stage2 (struct sk_exec_ctx *ctx);

void
sk_exec_stage1 (struct sk_exec_ctx *ctx)
{
  sk_error_t err = NULL;

  sk_reset_signals ();
  sk_closep (&ctx->parent_sock);
  /* CVE-2019-5736: until execve our /proc/<pid>/exe is the host's skiff
   * binary.  A non-dumpable process cannot be opened through /proc by the
   * container's processes (ptrace access check); C2 inherits this, and the
   * user's execve resets it.  */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* config.md execCPUAffinity: `initial` before the cgroup (whose cpuset
   * may be narrower), `final` right before execve.  */
  const struct sk_cpu_affinity *aff = ctx->process->exec_cpu_affinity;
  if (aff && sk_cpu_affinity_apply (aff->initial, &err) < 0)
    fail (ctx, &err, 1);
  if (enter_cgroup (ctx, &err) < 0)
    fail (ctx, &err, 1);
  sk_closep (&ctx->cgroup_fd);
  for (size_t i = 0; i < ctx->n_join; i++)
    sk_closep (&ctx->join_fds[i]);
  if (join_namespaces (ctx, &err) < 0)
    fail (ctx, &err, 1);

  /* CLONE_PARENT: the process becomes P's child, so P can wait for it,
   * while being created inside the pid (and time) namespace we joined.
   * A raw clone (no CLONE_VM, so fork-like); the child only makes system
   * calls and simple libc calls before execve.  C2 sends nothing before
   * P's PID_ACK (sync.h), so its frames cannot overtake our PID frame.  */
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    {
      sk_error_set (&err, errno, "clone the exec process");
      fail (ctx, &err, 1);
    }
  if (pid == 0)
    stage2 (ctx);
  if (sk_sync_send (ctx->sync_fd, SK_SYNC_PID, pid, NULL, -1, &err) < 0)
    {
      kill (pid, SIGKILL);
      _exit (1);
    }
  _exit (0);
}

/* ---- stage 2: the process ------------------------------------------------ */

/* A pty from the container's devpts (we are in its mount namespace and
 * root); the slave becomes our controlling terminal and stdio.  The
 * master goes to --console-socket, or to P in the READY frame.  */
static int
setup_tty (struct sk_exec_ctx *ctx, int *master_out, sk_error_t *err)
{
  _cleanup_close_ int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return sk_error_set (err, errno, "open `/dev/ptmx` in the container");
  if (unlockpt (master) < 0)
    return sk_error_set (err, errno, "unlockpt");
  char name[64] = "/dev/ptmx";
  (void) ptsname_r (master, name, sizeof name);
  /* TIOCGPTPEER opens the slave without a path lookup (no symlink games
   * in a hostile /dev/pts).  */
  _cleanup_close_ int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return sk_error_set (err, errno, "open the pty slave `%s`", name);
  const struct sk_process *p = ctx->process;
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      ioctl (slave, TIOCSWINSZ, &ws);
    }
  if (sk_tty_give_to_user (slave, &p->user, name, err) < 0)
    return -1;
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return sk_error_set (err, errno, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return sk_error_set (err, errno, "dup2 the pty onto fd %d", fd);
  if (ctx->console_fd >= 0)
    {
      if (sk_send_fd (ctx->console_fd, master, name, err) < 0)
        return sk_error_prefix (err, "console socket");
      sk_closep (&ctx->console_fd);
      return 0;
    }
  *master_out = steal_fd (&master);
  return 0;
}

static int
write_proc_self (const char *file, const char *value, sk_error_t *err)
{
  _cleanup_close_ int fd = open (file, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, value, strlen (value)) < 0)
    return sk_error_set (err, errno, "write `%s` to `%s`", value, file);
  return 0;
}

/* rlimits, oomScoreAdj, scheduler, ioPriority, then the AppArmor profile
 * and SELinux label, while we still have every capability (the parent
 * checked that the LSMs are enabled).  */
static int
apply_attrs (const struct sk_process *p, sk_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
      if (setrlimit (p->rlimits[i].resource, &rl) < 0)
        return sk_error_set (err, errno, "process.rlimits[%zu]: setrlimit `%s`", i,
                             p->rlimits[i].type);
    }
  if (p->has_oom_score_adj)
    {
      char buf[16];
      snprintf (buf, sizeof buf, "%d", (int) p->oom_score_adj);
      if (write_proc_self ("/proc/self/oom_score_adj", buf, err) < 0)
        return -1;
    }
  if (sk_sched_apply (p->scheduler, err) < 0 || sk_ioprio_apply (p->io_priority, err) < 0)
    return -1;
  /* Through the security stream's verified procfs writes (an overmounted
   * attr/exec in the container must not redirect them).  */
  return sk_lsm_apply (p, err);
}

/* process.cwd must exist (runc does not create it for exec).  getcwd()
 * proves it is inside the root (CVE-2024-21626: a cwd reached through a
 * leaked host fd shows as "(unreachable)").  */
static int
enter_cwd (const struct sk_process *p, sk_error_t *err)
{
  const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";
  if (chdir (cwd) < 0)
    return sk_error_set (err, errno, "process.cwd: chdir `%s`", cwd);
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL || buf[0] != '/')
    return sk_error_set (err, errno ? errno : EPERM, "process.cwd: `%s` is outside the container",
                         cwd);
  return 0;
}

static const char *
env_get (char *const *env, const char *key)
{
  size_t n = strlen (key);
  for (; env && *env; env++)
    if (strncmp (*env, key, n) == 0 && (*env)[n] == '=')
      return *env + n + 1;
  return NULL;
}

static bool
is_executable (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

/* args[0] through the process's own PATH (not ours), in the container.  */
static char *
resolve_executable (const struct sk_process *p, sk_error_t *err)
{
  const char *name = p->args.v[0];
  if (strchr (name, '/'))
    {
      errno = 0;
      if (!is_executable (name))
        {
          sk_error_set (err, errno ? errno : EACCES, "exec `%s`", name);
          return NULL;
        }
      return strdup (name);
    }
  const char *path = env_get (p->env.v, "PATH");
  _cleanup_free_ char *dirs = strdup (path ? path : DEFAULT_PATH);
  char *save = NULL;
  for (char *dir = strtok_r (dirs, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char cand[PATH_MAX];
      snprintf (cand, sizeof cand, "%s/%s", *dir ? dir : ".", name);
      if (is_executable (cand))
        return strdup (cand);
    }
  sk_error_set (err, 0, "exec: `%s`: executable file not found in $PATH", name);
  return NULL;
}


/* Seccomp last (it may forbid what the steps before need); with a notify
 * action the listener fd goes to P for listenerPath.  */
static int
load_seccomp (struct sk_exec_ctx *ctx, sk_error_t *err)
{
  if (ctx->seccomp == NULL)
    return 0;
  int fd = sk_seccomp_load (ctx->seccomp, err);
  if (fd == -1)
    return -1;
  if (fd < 0)
    return 0;
  struct sk_sync_msg m;
  int r = sk_sync_send (ctx->sync_fd, SK_SYNC_SECCOMP_FD, 0, NULL, fd, err);
  close (fd);
  if (r < 0 || sk_sync_expect (ctx->sync_fd, SK_SYNC_SECCOMP_DONE, &m, err) < 0)
    return -1;
  sk_sync_msg_clear (&m);
  return 0;
}

static bool
keeps_cap (const struct sk_process *p, const char *name)
{
  if (p->capabilities == NULL)
    return false;
  for (size_t i = 0; i < p->capabilities->effective.n; i++)
    if (strcasecmp (p->capabilities->effective.v[i], name) == 0)
      return true;
  return false;
}

/* fds 3..3+N-1 are the caller's (--preserve-fds); everything above must
 * not survive execve (CVE-2024-21626).  */
static int
prepare_fds (struct sk_exec_ctx *ctx, sk_error_t *err)
{
  for (int fd = 3; fd < 3 + ctx->preserve_fds; fd++)
    if (fd != ctx->sync_fd)
      {
        int fl = fcntl (fd, F_GETFD);
        if (fl >= 0)
          fcntl (fd, F_SETFD, fl & ~FD_CLOEXEC);
      }
  return sk_fds_cloexec_from (3 + ctx->preserve_fds, err);
}

static void
stage2 (struct sk_exec_ctx *ctx)
{
  sk_error_t err = NULL;
  const struct sk_process *p = ctx->process;
  _cleanup_close_ int master = -1;
  struct sk_sync_msg m;

  /* Stage 1 sends PID on the socket we share after the clone returned;
   * nothing we send may overtake it (P expects PID first, and a process
   * P does not know of would be lost).  P answers PID with PID_ACK once
   * it recorded our pid: wait for it before any frame of ours.  */
  if (sk_sync_expect (ctx->sync_fd, SK_SYNC_PID_ACK, &m, &err) < 0)
    _exit (1);
  sk_sync_msg_clear (&m);
  if (setsid () < 0)
    {
      sk_error_set (&err, errno, "setsid");
      fail (ctx, &err, 1);
    }
  if (p->terminal && setup_tty (ctx, &master, &err) < 0)
    fail (ctx, &err, 1);
  sk_closep (&ctx->console_fd);
  if (apply_attrs (p, &err) < 0 || enter_cwd (p, &err) < 0)
    fail (ctx, &err, 1);
  _cleanup_free_ char *exe = resolve_executable (p, &err);
  if (exe == NULL)
    fail (ctx, &err, 127);
  char **env = sk_env_with_home (p->env.v, p->user.uid, &err);
  if (env == NULL)
    fail (ctx, &err, 1);
  /* config.md process.user.umask: "If unspecified, the umask should not be
   * changed from the calling process' umask" (as for the init).  */
  if (p->user.has_umask)
    umask (p->user.umask);
  /* Loading a filter needs no_new_privs or CAP_SYS_ADMIN: when the
   * process keeps neither, load it while we still have the capability
   * (the same rule as the container's init).  */
  bool late = p->no_new_privileges || keeps_cap (p, "CAP_SYS_ADMIN");
  if (!late && load_seccomp (ctx, &err) < 0)
    fail (ctx, &err, 1);
  if (sk_caps_apply_user (p, &err) < 0)
    fail (ctx, &err, 1);
  if ((late && load_seccomp (ctx, &err) < 0) || prepare_fds (ctx, &err) < 0)
    fail (ctx, &err, 1);
  if (p->exec_cpu_affinity && sk_cpu_affinity_apply (p->exec_cpu_affinity->final, &err) < 0)
    fail (ctx, &err, 1);
  if (sk_sync_send (ctx->sync_fd, SK_SYNC_READY, 0, NULL, master, &err) < 0)
    _exit (1);
  sk_closep (&master);
  execve (exe, p->args.v, env);
  sk_error_set (&err, errno, "exec `%s`", exe);
  fail (ctx, &err, errno == ENOENT ? 127 : 126);
}
