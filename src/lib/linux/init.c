/* The container process: the ONLY place that knows the order of the
 * steps that turn the cloned child into the container's init.
 *
 * Until READY, every error goes to the parent over the sync socket (see
 * sync.h).  After READY the parent may be gone (`create` returned), so an
 * error is written into exec.fifo, where `start` reads it.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/security.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/fs.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int
write_time_offsets (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  char buf[128];
  int n = 0;
  if (l->time_monotonic.set)
    n += snprintf (buf + n, sizeof buf - n, "monotonic %lld %u\n",
                   (long long) l->time_monotonic.secs, l->time_monotonic.nanosecs);
  if (l->time_boottime.set)
    n += snprintf (buf + n, sizeof buf - n, "boottime %lld %u\n",
                   (long long) l->time_boottime.secs, l->time_boottime.nanosecs);
  if (n == 0)
    return 0;
  /* The kernel takes one line per write.  */
  _cleanup_close_ int fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `/proc/self/timens_offsets`");
  for (char *line = buf, *nl; (nl = strchr (line, '\n')); line = nl + 1)
    if (write (fd, line, nl - line + 1) < 0)
      return sk_error_set (err, errno, "config.json: linux.timeOffsets: write `%.*s`",
                           (int) (nl - line), line);
  return 0;
}

/* Namespaces: join paths, unshare the rest, get mapped, and make sure the
 * process that goes on is inside the pid and time namespaces.  */
static int
enter_namespaces (struct sk_init_ctx *ctx, sk_error_t *err)
{
  struct sk_sync_msg m;
  if (sk_ns_join_paths (ctx->spec, err) < 0)
    return -1;
  if (ctx->new_ns_flags && unshare ((int) ctx->new_ns_flags) < 0)
    return sk_error_set (err, errno, "unshare namespaces");
  if (ctx->userns_new)
    {
      /* An unprivileged parent (rootless) can open our /proc/<pid>/
       * uid_map, gid_map and setgroups only while we are dumpable (else
       * they belong to root): dumpable just for the mapping, as runc's
       * nsexec does.  No container process exists yet.  */
      prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
      if (sk_sync_send (ctx->sync_fd, SK_SYNC_USERNS, 0, NULL, -1, err) < 0
          || (ctx->send_mount_srcs && sk_mount_sources_receive (ctx, err) < 0)
          || sk_sync_expect (ctx->sync_fd, SK_SYNC_MAPPED, &m, err) < 0)
        return -1;
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      sk_sync_msg_clear (&m);
      /* Become the namespace's root (when mapped) so that what we create
       * (device nodes, directories) is owned by it.  */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        sk_log_debug ("container init: uid 0 is not mapped, staying unmapped until exec");
    }
  if ((ctx->new_ns_flags & CLONE_NEWTIME) && write_time_offsets (ctx->spec, err) < 0)
    return -1;
  pid_t pid = 0;
  if (ctx->need_fork)
    {
      /* The forked init must inherit the container's cgroups (sync.h).  */
      if (sk_sync_expect (ctx->sync_fd, SK_SYNC_PLACED, &m, err) < 0)
        return -1;
      sk_sync_msg_clear (&m);
      pid = fork ();
      if (pid < 0)
        return sk_error_set (err, errno, "fork into the pid namespace");
      if (pid > 0)
        {
          /* The middle process: report the real init and leave.  */
          sk_error_t e = NULL;
          if (sk_sync_send (ctx->sync_fd, SK_SYNC_PID, pid, NULL, -1, &e) < 0)
            kill (pid, SIGKILL);
          _exit (e ? 1 : 0);
        }
    }
  else if (sk_sync_send (ctx->sync_fd, SK_SYNC_PID, 0, NULL, -1, err) < 0)
    return -1;
  if (sk_sync_expect (ctx->sync_fd, SK_SYNC_PID_ACK, &m, err) < 0)
    return -1;
  sk_sync_msg_clear (&m);
  /* The parent joined every cgroup hierarchy before PID_ACK: the new
   * cgroup namespace is rooted at the container's own cgroups (spawn.c).  */
  if (ctx->cgroupns_new && unshare (CLONE_NEWCGROUP) < 0)
    return sk_error_set (err, errno, "unshare the cgroup namespace");
  return 0;
}

/* The parent runs prestart and createRuntime hooks (runtime namespace);
 * then we run createContainer here, in the container's mount namespace and
 * before pivot_root (config.md "createContainer Hooks").  */
static int
hooks_barrier (struct sk_init_ctx *ctx, sk_error_t *err)
{
  struct sk_sync_msg m;
  if (sk_sync_send (ctx->sync_fd, SK_SYNC_HOOKS, 0, NULL, -1, err) < 0
      || sk_sync_expect (ctx->sync_fd, SK_SYNC_HOOKS_DONE, &m, err) < 0)
    return -1;
  ctx->state_json = m.data;
  m.data = NULL;
  sk_sync_msg_clear (&m);
  return sk_hooks_run (&ctx->spec->hooks.create_container, "createContainer",
                       ctx->state_json, err);
}

static const char *
env_path (const struct sk_process *p)
{
  for (size_t i = 0; i < p->env.n; i++)
    if (strncmp (p->env.v[i], "PATH=", 5) == 0)
      return p->env.v[i] + 5;
  return DEFAULT_PATH;
}

static bool
is_executable (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

/* Resolve args[0] now, so that a missing binary fails `create` rather than
 * `start` (as runc does).  Runs after pivot_root: this is the container's
 * PATH in the container's filesystem.  */
static int
resolve_executable (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const char *name = ctx->spec->process->args.v[0];
  if (strchr (name, '/'))
    {
      if (!is_executable (name))
        return sk_error_set (err, errno ? errno : EACCES, "exec `%s`", name);
      ctx->exec_path = strdup (name);
      return 0;
    }
  _cleanup_free_ char *path = strdup (env_path (ctx->spec->process));
  char *save = NULL;
  for (char *dir = strtok_r (path, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char cand[PATH_MAX];
      snprintf (cand, sizeof cand, "%s/%s", *dir ? dir : ".", name);
      if (is_executable (cand))
        {
          ctx->exec_path = strdup (cand);
          return 0;
        }
    }
  return sk_error_set (err, 0, "exec: `%s`: executable file not found in $PATH", name);
}

/* process.cwd, created if missing.  getcwd() then proves the cwd is inside
 * the root: a cwd reached through a leaked host fd (CVE-2024-21626) shows
 * up as "(unreachable)" or ENOENT.  */
static int
enter_cwd (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const char *cwd = ctx->spec->process->cwd;
  if (chdir (cwd) < 0)
    {
      if (errno != ENOENT || sk_mkdir_p (cwd, 0755, err) < 0 || chdir (cwd) < 0)
        return sk_error_set (err, errno, "config.json: process.cwd: chdir `%s`", cwd);
    }
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL || buf[0] != '/')
    return sk_error_set (err, errno ? errno : EPERM,
                         "config.json: process.cwd: `%s` is outside the container", cwd);
  return 0;
}

static int
before_ready (struct sk_init_ctx *ctx, sk_error_t *err)
{
  if (enter_namespaces (ctx, err) < 0)
    return -1;
  if (sk_netdev_loopback_up (ctx->spec, err) < 0)
    return -1;
  if (setsid () < 0)
    return sk_error_set (err, errno, "setsid");
  if (sk_attrs_apply (ctx, err) < 0)
    return -1;
  /* No mount namespace of our own (validate.c): no mount at all, a
   * chroot into the rootfs after the hooks instead of pivot_root.  */
  bool own_mnt = sk_spec_namespace (ctx->spec, SK_NS_MOUNT) != NULL;
  if (own_mnt && sk_rootfs_prepare (ctx, err) < 0)
    return -1;
  if (hooks_barrier (ctx, err) < 0)
    return -1;
  if (own_mnt ? sk_rootfs_pivot (ctx, err) < 0 : sk_rootfs_chroot (ctx, err) < 0)
    return -1;
  /* sysctl before finalize: readonlyPaths usually makes /proc/sys
   * read-only (as runc orders it).  */
  if (sk_sysctl_apply (ctx->spec, err) < 0)
    return -1;
  /* A config without `process` can be created, never started
   * (runtime.md): nothing more to prepare.  */
  const struct sk_process *p = ctx->spec->process;
  /* cwd before finalize: a missing cwd is created, which root.readonly
   * would forbid afterwards (runc creates it before the remount too).  */
  if (p && enter_cwd (ctx, err) < 0)
    return -1;
  if (own_mnt && sk_rootfs_finalize (ctx, err) < 0)
    return -1;
  if (p && p->terminal && sk_tty_setup (ctx, err) < 0)
    return -1;
  if (own_mnt && sk_rootfs_dev_readonly (ctx, err) < 0)
    return -1;
  if (ctx->console_socket_fd >= 0)
    close (ctx->console_socket_fd);
  ctx->console_socket_fd = -1;
  if (p && resolve_executable (ctx, err) < 0)
    return -1;
  /* SCMP_ACT_NOTIFY: the listener fd must leave through the sync socket,
   * which is gone after READY, so such a filter is loaded here (see
   * seccomp_notify.c).  */
  if (p && sk_seccomp_notify_handoff (ctx, err) < 0)
    return -1;
  return sk_sync_send (ctx->sync_fd, SK_SYNC_READY, 0, NULL, -1, err);
}

/* Block until `start` opens exec.fifo for reading; the byte we write is
 * its signal that we passed this point.  The fifo fd is CLOEXEC, so
 * `start` sees EOF exactly when execve succeeded.  */
static int
wait_for_start (struct sk_init_ctx *ctx, sk_error_t *err)
{
  int fd = openat (ctx->fifo_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open exec.fifo");
  close (ctx->fifo_dirfd);
  ctx->fifo_dirfd = -1;
  ctx->fifo_fd = fd;
  if (write (fd, "0", 1) != 1)
    return sk_error_set (err, errno, "write exec.fifo");
  return 0;
}

/* Socket activation (OCI runtime CLI, "create": LISTEN_FDS): the process
 * learns how many fds it got and that they are its own.  LISTEN_PID is
 * our pid as the process sees it (1 in a new pid namespace), computed here
 * because the parent cannot know it without one; execve keeps the pid.
 * Entries of the same name in process.env are replaced.  */
static char **
listen_env (const struct sk_init_ctx *ctx, sk_error_t *err)
{
  char *const *env = ctx->spec->process->env.v;
  size_t n = 0;
  while (env && env[n])
    n++;
  char **out = calloc (n + 3, sizeof *out);
  size_t k = 0;
  if (out == NULL)
    {
      sk_error_set (err, errno, "LISTEN_FDS environment");
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    if (strncmp (env[i], "LISTEN_FDS=", 11) != 0 && strncmp (env[i], "LISTEN_PID=", 11) != 0)
      out[k++] = env[i];
  if (asprintf (&out[k++], "LISTEN_FDS=%d", ctx->listen_fds) < 0
      || asprintf (&out[k++], "LISTEN_PID=%d", (int) getpid ()) < 0)
    {
      sk_error_set (err, errno, "LISTEN_FDS environment");
      return NULL;              /* the child execs or exits: no free */
    }
  return out;
}

static int
after_ready (struct sk_init_ctx *ctx, sk_error_t *err)
{
  if (ctx->spec->process == NULL)
    for (;;)
      pause ();      /* `start` refuses; `kill`/`delete --force` end us */
  if (wait_for_start (ctx, err) < 0)
    return -1;
  if (sk_hooks_run (&ctx->spec->hooks.start_container, "startContainer", ctx->state_json,
                    err) < 0)
    return -1;
  /* Built before seccomp is loaded: a filter may refuse the allocation.  */
  char **env = ctx->spec->process->env.v;
  if (ctx->listen_fds > 0 && (env = listen_env (ctx, err)) == NULL)
    return -1;
  if ((env = sk_env_with_home (env, ctx->spec->process->user.uid, err)) == NULL)
    return -1;
  /* LSM labels, caps/user, seccomp: security.c orders them (seccomp
   * before the capability drop only when it could not load after it).  */
  if (sk_security_finalize (ctx, err) < 0)
    return -1;
  /* CVE-2024-21626: no host fd may survive execve.  */
  if (sk_fds_cloexec_from (3 + ctx->preserve_fds, err) < 0)
    return -1;
  execve (ctx->exec_path, ctx->spec->process->args.v, env);
  return sk_error_set (err, errno, "exec `%s`", ctx->exec_path);
}

void
sk_init_child (void *arg)
{
  struct sk_init_ctx *ctx = arg;
  sk_error_t err = NULL;

  for (size_t i = 0; i < sizeof ctx->parent_fds / sizeof ctx->parent_fds[0]; i++)
    if (ctx->parent_fds[i] >= 0)
      close (ctx->parent_fds[i]);
  sk_reset_signals ();
  /* CVE-2019-5736: until execve, /proc/<pid>/exe is the host's skiff
   * binary; a non-dumpable process cannot be opened through it by a
   * process in the container (ptrace access mode check).  execve of the
   * user's binary resets dumpability.  */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (before_ready (ctx, &err) < 0)
    {
      sk_sync_send_error (ctx->sync_fd, err);
      _exit (1);
    }
  close (ctx->sync_fd);
  ctx->sync_fd = -1;
  if (after_ready (ctx, &err) < 0)
    {
      char *msg = sk_error_string (err);
      int fd = ctx->fifo_fd >= 0 ? ctx->fifo_fd : 2;
      (void) !write (fd, msg, strlen (msg));
      _exit (127);
    }
  _exit (127);
}
