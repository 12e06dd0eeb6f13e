/* User namespace mappings, written by the parent (it holds the privilege
 * in the parent user namespace that the child lacks).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "linux/linux.h"
#include "util/cleanup.h"
#include "util/fd.h"

static int
write_proc (pid_t pid, const char *file, const char *data, sk_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", path);
  if (sk_write_all (fd, data, strlen (data)) < 0)
    return sk_error_set (err, errno, "write `%s`", path);
  return 0;
}

static char *
format_map (const struct sk_id_mappings *m)
{
  size_t cap = m->n * 40 + 1;
  char *buf = calloc (1, cap);
  if (buf == NULL)
    return NULL;
  size_t off = 0;
  for (size_t i = 0; i < m->n; i++)
    off += snprintf (buf + off, cap - off, "%u %u %u\n", m->v[i].container_id,
                     m->v[i].host_id, m->v[i].size);
  return buf;
}

/* A single mapping of the writer's own id: the one map the kernel lets an
 * unprivileged process write itself (user_namespaces(7)).  */
static bool
own_single (const struct sk_id_mappings *m, unsigned own)
{
  return m->n == 1 && m->v[0].host_id == own && m->v[0].size == 1;
}

/* newuidmap/newgidmap PID INSIDE OUTSIDE COUNT...: setuid helpers (Debian
 * package uidmap) that check the ranges against /etc/subuid|subgid.  Their
 * stderr becomes our message.  */
static int
run_map_tool (const char *tool, pid_t pid, const struct sk_id_mappings *m, sk_error_t *err)
{
  size_t argc = 2 + 3 * m->n + 1;
  _cleanup_free_ char **argv = calloc (argc, sizeof *argv);
  _cleanup_free_ char *nums = calloc (3 * m->n + 1, 12);
  int pfd[2];
  if (argv == NULL || nums == NULL)
    return sk_error_set (err, ENOMEM, "%s", tool);
  char pidstr[16];
  snprintf (pidstr, sizeof pidstr, "%d", pid);
  argv[0] = (char *) tool;
  argv[1] = pidstr;
  for (size_t i = 0; i < m->n; i++)
    {
      const uint32_t v[3] = { m->v[i].container_id, m->v[i].host_id, m->v[i].size };
      for (int k = 0; k < 3; k++)
        {
          char *slot = nums + (3 * i + k) * 12;
          snprintf (slot, 12, "%u", v[k]);
          argv[2 + 3 * i + k] = slot;
        }
    }
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return sk_error_set (err, errno, "%s", tool);
  pid_t child = fork ();
  if (child < 0)
    {
      close (pfd[0]);
      close (pfd[1]);
      return sk_error_set (err, errno, "fork `%s`", tool);
    }
  if (child == 0)
    {
      dup2 (pfd[1], STDERR_FILENO);
      dup2 (pfd[1], STDOUT_FILENO);
      execvp (tool, argv);
      dprintf (pfd[1], "%s: %s", tool, strerror (errno));
      _exit (127);
    }
  close (pfd[1]);
  char msg[512];
  size_t len = 0;
  ssize_t r;
  while (len < sizeof msg - 1 && ((r = read (pfd[0], msg + len, sizeof msg - 1 - len)) > 0
                                  || (r < 0 && errno == EINTR)))
    len += r > 0 ? (size_t) r : 0;
  close (pfd[0]);
  msg[len] = '\0';
  msg[strcspn (msg, "\n")] = '\0';
  int status = 0;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return sk_error_set (err, 0, "%s failed%s%s", tool, msg[0] ? ": " : "", msg);
}

static int
write_map (pid_t pid, const struct sk_id_mappings *m, bool gid, sk_error_t *err)
{
  bool unprivileged = geteuid () != 0;
  unsigned own = gid ? (unsigned) getegid () : (unsigned) geteuid ();
  if (m->n == 0)
    return 0;
  if (unprivileged && !own_single (m, own))
    return run_map_tool (gid ? "newgidmap" : "newuidmap", pid, m, err);
  _cleanup_free_ char *text = format_map (m);
  if (text == NULL)
    return sk_error_set (err, errno, "user namespace mappings");
  /* The kernel accepts an unprivileged gid_map only once setgroups(2) is
   * denied in the namespace: else the user could drop a group that denies
   * it access.  Privileged, setgroups stays "allow" (additionalGids).  */
  if (gid && unprivileged && write_proc (pid, "setgroups", "deny", err) < 0)
    return -1;
  return write_proc (pid, gid ? "gid_map" : "uid_map", text, err);
}

int
sk_userns_write_maps (pid_t pid, const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  /* Unprivileged (rootless, rootless.c rule 4): our own id is written
   * directly, anything more by newuidmap/newgidmap.  */
  if (write_map (pid, &l->gid_mappings, true, err) < 0)
    return sk_error_prefix (err, "config.json: linux.gidMappings");
  if (write_map (pid, &l->uid_mappings, false, err) < 0)
    return sk_error_prefix (err, "config.json: linux.uidMappings");
  return 0;
}
