/* What `create` says with --debug, and why a container init died.
 *
 * --debug lines (level "debug", text or JSON through log.c) name the
 * config, the namespaces, the mounts, the cgroup and each step of the
 * exchange with init with the time it took; hooks.c adds one line per
 * hook.  They are written by the parent only: init's stderr is the
 * container's, and a debug line there would be read as the container's
 * output.  */
#include <config.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "container_priv.h"
#include "sync.h"
#include "util/cleanup.h"

void
sk_create_debug_config (const struct sk_create *cc)
{
  if (!sk_log_debug_enabled ())
    return;
  const struct sk_spec *spec = cc->spec;
  sk_log_debug ("create `%s`: config `%s/config.json` (%zu bytes), rootfs `%s`", cc->id,
                cc->bundle, cc->config_len, cc->rootfs);
  for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++)
    {
      const struct sk_namespace *ns = &spec->linux_->namespaces[i];
      sk_log_debug ("namespace %s: %s%s", sk_ns_type_name (ns->type),
                    ns->path ? "join " : "new", ns->path ? ns->path : "");
    }
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct sk_mount *m = &spec->mounts[i];
      sk_log_debug ("mount %zu: `%s` on `%s` type %s (%zu options)", i,
                    m->source ? m->source : "", m->destination ? m->destination : "",
                    m->type ? m->type : "none", m->options.n);
    }
}

void
sk_create_debug_step (const struct sk_create *cc, const char *what, double t0)
{
  (void) cc;
  sk_log_debug ("init: %s (%.1f ms)", what, sk_log_ms () - t0);
}

/* What init is doing after it sent each frame (sync.h).  */
static const char *
step_after (enum sk_sync_type last)
{
  switch (last)
    {
    case SK_SYNC_USERNS:
      return "USERNS: it was waiting for its id maps or entering its pid namespace";
    case SK_SYNC_PID:
      return "PID: it died during hostname, rlimits, mounts or devices, before HOOKS";
    case SK_SYNC_HOOKS:
      return "HOOKS: it died during createContainer hooks, pivot_root, sysctl, masked or "
             "read-only paths, the console or the executable lookup, before READY";
    case SK_SYNC_SECCOMP_FD:
      return "SECCOMP_FD: it died before READY";
    case SK_SYNC_READY:
      return "READY";
    default:
      return "none: it died while joining or creating its namespaces";
    }
}

/* The child was ours (cloned, or reparented to us as subreaper): reap it
 * and say how it ended.  EOF on the socket can come a moment before the
 * process is a zombie, so poll briefly.  */
static bool
describe_exit (pid_t pid, char *buf, size_t len)
{
  snprintf (buf, len, "exit status unknown: not a child of this process");
  for (int i = 0; pid > 0 && i < 200; i++)
    {
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);
      if (r == pid && WIFEXITED (status))
        snprintf (buf, len, "exit status %d", WEXITSTATUS (status));
      else if (r == pid && WIFSIGNALED (status))
        snprintf (buf, len, "killed by signal %d (%s)%s", WTERMSIG (status),
                  strsignal (WTERMSIG (status)), WCOREDUMP (status) ? ", core dumped" : "");
      if (r != 0)
        return r == pid;
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  snprintf (buf, len, "still running after closing its end of the sync socket");
  return false;
}

void
sk_create_explain_init_exit (struct sk_create *cc, sk_error_t *err)
{
  if (*err == NULL || strcmp ((*err)->msg, "container init exited unexpectedly") != 0)
    return;
  pid_t pid = cc->pid > 0 ? cc->pid : cc->child;
  char how[128];
  if (describe_exit (pid, how, sizeof how))
    {
      /* Reaped: rollback must not signal a pid that may be reused.  */
      if (pid == cc->pid)
        cc->pid = 0;
      if (pid == cc->child)
        cc->child = 0;
    }
  sk_error_t e = NULL;
  sk_error_set (&e, 0, "container init exited unexpectedly (%s; last step reported: %s)", how,
                step_after (sk_sync_last_received ()));
  sk_error_free (err);
  *err = e;
}
