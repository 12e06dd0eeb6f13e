/* start, kill, state, list: operations on an existing container.  */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "container_priv.h"
#include "util/cleanup.h"
#include "util/json.h"

static int
pidfd_open_checked (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

void
sk_kill_and_wait (pid_t pid, bool is_child)
{
  int pfd = pidfd_open_checked (pid);
  kill (pid, SIGKILL);
  if (is_child)
    {
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  else if (pfd >= 0)
    {
      struct pollfd p = { .fd = pfd, .events = POLLIN };
      while (poll (&p, 1, -1) < 0 && errno == EINTR)
        ;
    }
  if (pfd >= 0)
    close (pfd);
}

struct sk_state *
sk_container_load_locked (const struct sk_global *g, const char *id, int *lock_fd,
                          sk_error_t *err)
{
  if (sk_validate_id (id, err) < 0)
    return NULL;
  int fd = sk_state_lock (g->root, id, err);
  if (fd < 0)
    return NULL;
  struct sk_state *st = sk_state_load (g->root, id, err);
  if (st == NULL)
    {
      close (fd);
      return NULL;
    }
  *lock_fd = fd;
  return st;
}

struct sk_spec *
sk_container_load_spec (const struct sk_global *g, const struct sk_state *st, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (g->root, st->id);
  _cleanup_free_ char *cfg = NULL;
  if (asprintf (&cfg, "%s/config.json", dir) < 0)
    {
      sk_error_set (err, errno, "config");
      return NULL;
    }
  /* A state dir from before create kept its copy has none: the bundle's
   * is the best there is.  */
  if (access (cfg, F_OK) < 0 && errno == ENOENT)
    {
      free (cfg);
      if (asprintf (&cfg, "%s/config.json", st->bundle) < 0)
        {
          cfg = NULL;
          sk_error_set (err, errno, "config");
          return NULL;
        }
    }
  return sk_spec_load (cfg, err);
}

/* Wait for the container to pass exec.fifo: one byte means it reached the
 * fifo; then EOF means execve succeeded (the fd is CLOEXEC), text means it
 * failed (init writes its error there).  */
static int
open_exec_fifo (const struct sk_global *g, struct sk_state *st, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (g->root, st->id);
  _cleanup_free_ char *path = NULL;
  if (asprintf (&path, "%s/exec.fifo", dir) < 0)
    return sk_error_set (err, errno, "start");
  _cleanup_close_ int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", path);
  _cleanup_close_ int pfd = pidfd_open_checked (st->pid);
  struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pfd, .events = POLLIN } };
  for (;;)
    {
      int r = poll (p, pfd >= 0 ? 2 : 1, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sk_error_set (err, errno, "start: poll");
      if (p[0].revents & (POLLIN | POLLHUP))
        break;
      if (p[1].revents)
        return sk_error_set (err, 0, "container `%s` exited before it was started", st->id);
    }
  char c;
  if (read (fd, &c, 1) != 1)
    return sk_error_set (err, errno, "container `%s` exited before it was started", st->id);
  /* Status is computed from the fifo's presence: it is running now.  */
  unlink (path);
  int flags = fcntl (fd, F_GETFL);
  fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return steal_fd (&fd);
}

static int
wait_exec (int fd, const char *id, sk_error_t *err)
{
  char buf[4096];
  ssize_t n = 0, r;
  while ((r = read (fd, buf + n, sizeof buf - 1 - n)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sk_error_set (err, errno, "start: read exec.fifo");
      n += r;
      if ((size_t) n >= sizeof buf - 1)
        break;
    }
  if (n == 0)
    return 0;
  buf[n] = '\0';
  return sk_error_set (err, 0, "container init: %s", buf);
}

/* hooks stream: stop and destroy the container after a failed
 * startContainer/poststart hook (runtime.md lifecycle steps 7, 9 -> 12);
 * delete's errors are only warnings here, the hook's error is reported.  */
static void
destroy_after_hook (const struct sk_global *g, struct sk_state *st)
{
  sk_error_t e = NULL;
  sk_state_refresh (g->root, st);
  if (sk_delete_locked (g, st, true, &e) < 0)
    sk_log_warn ("%s", e->msg);
  sk_error_free (&e);
}

int
sk_start_locked (const struct sk_global *g, struct sk_state *st, const struct sk_spec *known,
                 sk_error_t *err)
{
  if (st->status != SK_STATUS_CREATED)
    return sk_error_set (err, 0, "cannot start container `%s`: it is %s, not created", st->id,
                         sk_status_name (st->status));
  if (st->no_process)
    return sk_error_set (err, 0, "cannot start container `%s`: config.json has no `process`",
                         st->id);
  /* Load the config (for poststart) before the process is let go: failing
   * after that would report an error for a container that runs anyway.  */
  _cleanup_spec_ struct sk_spec *loaded = known ? NULL : sk_container_load_spec (g, st, err);
  const struct sk_spec *spec = known ? known : loaded;
  if (spec == NULL)
    return -1;
  double t0 = sk_log_ms ();
  _cleanup_close_ int fd = open_exec_fifo (g, st, err);
  if (fd < 0)
    return -1;
  sk_log_debug ("start `%s`: exec.fifo opened, init pid %d released", st->id, (int) st->pid);
  int r = wait_exec (fd, st->id, err);
  sk_log_debug ("start `%s`: startContainer hooks and execve %s (%.1f ms)", st->id,
                r < 0 ? "failed" : "done", sk_log_ms () - t0);
  if (r < 0)
    {
      /* hooks stream: runtime.md lifecycle step 7: a failing
       * startContainer hook is an error, the container is stopped and
       * destroyed (step 12).  Other exec failures leave it stopped for
       * `delete`, as runc does.  */
      if (*err && strstr ((*err)->msg, "hook `startContainer["))
        destroy_after_hook (g, st);
      return -1;
    }
  /* runtime.md start step 3: poststart hooks after the user process
   * started, before `start` returns.  */
  st->status = SK_STATUS_RUNNING;
  if (spec->hooks.poststart.n)
    {
      _cleanup_free_ char *json = sk_state_to_json (st, false, err);
      /* hooks stream: runtime.md lifecycle step 9: a failing poststart
       * hook is an error; the container is stopped and destroyed.  */
      if (json == NULL || sk_hooks_run (&spec->hooks.poststart, "poststart", json, err) < 0)
        {
          destroy_after_hook (g, st);
          return -1;
        }
    }
  return 0;
}

int
sk_container_start (const struct sk_global *g, const char *id, sk_error_t *err)
{
  int lock = -1;
  _cleanup_state_ struct sk_state *st = sk_container_load_locked (g, id, &lock, err);
  if (st == NULL)
    return -1;
  int r = sk_start_locked (g, st, NULL, err);
  close (lock);
  return r;
}

static int
signal_pid (const struct sk_state *st, int signo, sk_error_t *err)
{
  /* A pidfd pins the process: check the start time through it being the
   * same process, so a recycled pid never gets the signal.  */
  _cleanup_close_ int pfd = pidfd_open_checked (st->pid);
  if (pfd < 0 || sk_proc_start_time (st->pid) != st->pid_start)
    return sk_error_set (err, 0, "cannot kill container `%s`: no such process", st->id);
  if (syscall (SYS_pidfd_send_signal, pfd, signo, NULL, 0) < 0)
    {
      if (errno == ESRCH)
        return sk_error_set (err, 0, "cannot kill container `%s`: no such process", st->id);
      return sk_error_set (err, errno, "kill container `%s`", st->id);
    }
  return 0;
}

int
sk_container_kill (const struct sk_global *g, const char *id, int signo, bool all,
                   sk_error_t *err)
{
  if (sk_validate_id (id, err) < 0)
    return -1;
  _cleanup_state_ struct sk_state *st = sk_state_load (g->root, id, err);
  if (st == NULL)
    return -1;
  /* runtime.md kill: only created or running (paused is running).  */
  if (st->status != SK_STATUS_CREATED && st->status != SK_STATUS_RUNNING
      && st->status != SK_STATUS_PAUSED)
    return sk_error_set (err, 0, "cannot kill container `%s`: container not running (%s)", id,
                         sk_status_name (st->status));
  if (all && st->cgroup_path)
    {
      _cleanup_cgroup_ struct sk_cgroup *cg
        = sk_state_open_cgroup (st, err);
      if (cg == NULL)
        return -1;
      return sk_cgroup_kill_all (cg, signo, err);
    }
  return signal_pid (st, signo, err);
}

char *
sk_container_state (const struct sk_global *g, const char *id, sk_error_t *err)
{
  if (sk_validate_id (id, err) < 0)
    return NULL;
  _cleanup_state_ struct sk_state *st = sk_state_load (g->root, id, err);
  if (st == NULL)
    return NULL;
  return sk_state_to_json (st, true, err);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Container ids under the root, sorted.  */
static char **
list_ids (const char *root, size_t *n, sk_error_t *err)
{
  *n = 0;
  _cleanup_closedir_ DIR *d = opendir (root);
  char **ids = calloc (1, sizeof *ids);
  if (d == NULL)
    {
      if (errno == ENOENT)
        return ids;
      free (ids);
      sk_error_set (err, errno, "open state root `%s`", root);
      return NULL;
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      /* '#': a claim in progress (state.c), never an id.  */
      if (de->d_name[0] == '.' || de->d_name[0] == '#' || de->d_type != DT_DIR)
        continue;
      char **nv = realloc (ids, (*n + 2) * sizeof *ids);
      if (nv == NULL)
        break;
      ids = nv;
      ids[(*n)++] = strdup (de->d_name);
      ids[*n] = NULL;
    }
  qsort (ids, *n, sizeof *ids, cmp_str);
  return ids;
}

static void
append (char **out, size_t *len, const char *s)
{
  size_t l = strlen (s);
  char *n = realloc (*out, *len + l + 1);
  if (n == NULL)
    return;
  memcpy (n + *len, s, l + 1);
  *out = n;
  *len += l;
}

char *
sk_container_list (const struct sk_global *g, enum sk_list_format f, sk_error_t *err)
{
  size_t n;
  _cleanup_strv_ char **ids = list_ids (g->root, &n, err);
  if (ids == NULL)
    return NULL;
  char *out = strdup ("");
  size_t len = 0;
  _cleanup_jgen_ sk_jgen *gen = f == SK_LIST_JSON ? sk_jgen_new (false) : NULL;
  if (gen)
    sk_jgen_array_open (gen);
  else if (f == SK_LIST_TABLE)
    append (&out, &len, "ID          PID         STATUS      BUNDLE                 CREATED                          OWNER\n");
  for (size_t i = 0; i < n; i++)
    {
      sk_error_t e = NULL;
      _cleanup_state_ struct sk_state *st = sk_state_load (g->root, ids[i], &e);
      sk_error_free (&e);
      if (st == NULL)
        continue;
      char line[8192];
      pid_t pid = st->status == SK_STATUS_STOPPED ? 0 : st->pid;
      if (f == SK_LIST_QUIET)
        snprintf (line, sizeof line, "%s\n", st->id);
      else if (f == SK_LIST_TABLE)
        snprintf (line, sizeof line, "%-11s %-11d %-11s %-22s %-32s %s\n", st->id, pid,
                  sk_status_name (st->status), st->bundle ? st->bundle : "",
                  st->created ? st->created : "", st->owner && *st->owner ? st->owner : "root");
      else
        {
          /* list --format json: the state objects as one array.  */
          sk_jgen_map_open (gen);
          sk_jgen_kv_string (gen, "ociVersion", st->oci_version);
          sk_jgen_kv_string (gen, "id", st->id);
          sk_jgen_kv_int (gen, "pid", pid);
          sk_jgen_kv_string (gen, "status", sk_status_name (st->status));
          sk_jgen_kv_string (gen, "bundle", st->bundle);
          sk_jgen_kv_string (gen, "rootfs", st->rootfs);
          sk_jgen_kv_string (gen, "created", st->created);
          sk_jgen_kv_string (gen, "owner", st->owner && *st->owner ? st->owner : "root");
          sk_jgen_map_close (gen);
          continue;
        }
      append (&out, &len, line);
    }
  if (gen)
    {
      sk_jgen_array_close (gen);
      free (out);
      char *j = sk_jgen_finish (gen, NULL);
      if (asprintf (&out, "%s\n", j ? j : "[]") < 0)
        out = NULL;
      free (j);
    }
  return out;
}
