/* SCMP_ACT_NOTIFY: getting the listener fd to linux.seccomp.listenerPath
 * (config-linux.md "Seccomp", "The Container Process State").
 *
 * The user process only runs after `start`, but by then the `create`
 * process, which holds the sync socket, is gone.  So a filter that uses
 * SCMP_ACT_NOTIFY is installed by init before READY (the peers do the same):
 *
 *   child                                      parent (create / run)
 *   load filter (NEW_LISTENER) -> fd
 *   SECCOMP_FD (fd, SCM_RIGHTS)      -->       connect listenerPath, send the
 *                                              container process state + fd
 *                                    <--       SECCOMP_DONE
 *   close fd; READY ...
 *
 * The price: init's own remaining syscalls (exec.fifo, startContainer
 * hooks, setuid, capset, execve) run under the filter, and a syscall the
 * profile sends to the agent is answered by the agent.  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/security.h"
#include "linux/seccomp_int.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/json.h"

int
sk_seccomp_notify_handoff (struct sk_init_ctx *ctx, sk_error_t *err)
{
  struct sk_sync_msg m;
  if (ctx->seccomp == NULL || !sk_seccomp_uses_notify (ctx->seccomp))
    return 0;
  _cleanup_close_ int fd = sk_seccomp_load (ctx->seccomp, err);
  if (fd == -1)
    return -1;
  if (fd < 0)
    return sk_error_set (err, EINVAL, "seccomp: no listener fd");
  if (sk_sync_send (ctx->sync_fd, SK_SYNC_SECCOMP_FD, 0, NULL, fd, err) < 0
      || sk_sync_expect (ctx->sync_fd, SK_SYNC_SECCOMP_DONE, &m, err) < 0)
    return -1;
  sk_sync_msg_clear (&m);
  return 0;
}

/* Copy a parsed JSON value into a generator (the state object is nested
 * as is into the container process state).  */
static void
json_copy (sk_jgen *g, const sk_json *n)
{
  sk_error_t e = NULL;
  switch (sk_json_type_of (n))
    {
    case SK_JSON_NULL:
      sk_jgen_null (g);
      break;
    case SK_JSON_BOOL:
      {
        bool b = false;
        sk_json_bool (n, "", &b, &e);
        sk_jgen_bool (g, b);
        break;
      }
    case SK_JSON_NUMBER:
      {
        int64_t i = 0;
        uint64_t u = 0;
        if (sk_json_int64 (n, "", &i, &e) == 0)
          sk_jgen_int (g, i);
        else if ((sk_error_free (&e), sk_json_uint64 (n, "", &u, &e)) == 0)
          sk_jgen_uint (g, u);
        else
          sk_jgen_null (g);
        break;
      }
    case SK_JSON_STRING:
      {
        const char *s = NULL;
        sk_json_string (n, "", &s, &e);
        sk_jgen_string (g, s);
        break;
      }
    case SK_JSON_ARRAY:
      sk_jgen_array_open (g);
      for (size_t i = 0; i < sk_json_array_len (n); i++)
        json_copy (g, sk_json_array_get (n, i));
      sk_jgen_array_close (g);
      break;
    case SK_JSON_OBJECT:
      sk_jgen_map_open (g);
      for (size_t i = 0; i < sk_json_object_len (n); i++)
        {
          sk_jgen_key (g, sk_json_object_key (n, i));
          json_copy (g, sk_json_object_value (n, i));
        }
      sk_jgen_map_close (g);
      break;
    }
  sk_error_free (&e);
}

/* The container process state: ociVersion, fds, pid, metadata, state.  */
char *
sk_seccomp_process_state (const struct sk_seccomp *s, const char *state_json,
                          sk_error_t *err)
{
  _cleanup_json_ sk_json *st = sk_json_parse (state_json, strlen (state_json),
                                              "state", err);
  if (st == NULL)
    return NULL;
  int64_t pid = 0;
  const sk_json *jp = sk_json_get (st, "pid");
  if (jp == NULL || sk_json_int64 (jp, "state.pid", &pid, err) < 0)
    {
      if (jp == NULL)
        sk_error_set (err, 0, "seccomp listener: state has no pid");
      return NULL;
    }
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (false);
  if (g == NULL)
    {
      sk_error_set (err, ENOMEM, "seccomp listener: state");
      return NULL;
    }
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "ociVersion", SKIFF_SPEC_VERSION);
  sk_jgen_key (g, "fds");
  sk_jgen_array_open (g);
  sk_jgen_string (g, "seccompFd");
  sk_jgen_array_close (g);
  sk_jgen_kv_int (g, "pid", pid);
  if (s->listener_metadata)
    sk_jgen_kv_string (g, "metadata", s->listener_metadata);
  sk_jgen_key (g, "state");
  json_copy (g, st);
  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  if (out == NULL)
    sk_error_set (err, ENOMEM, "seccomp listener: state");
  return out;
}

/* One connection, one message (the fd travels with the first sendmsg, as
 * the spec requires), then close.  */
int
sk_seccomp_send_listener (const struct sk_seccomp *s, int notify_fd,
                          const char *state_json, sk_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *path = s ? s->listener_path : NULL;
  if (path == NULL)
    return sk_error_set (err, 0, "config.json: linux.seccomp.listenerPath: required when "
                         "SCMP_ACT_NOTIFY is used");
  if (strlen (path) >= sizeof addr.sun_path)
    return sk_error_set (err, ENAMETOOLONG, "seccomp listener `%s`", path);
  strcpy (addr.sun_path, path);
  _cleanup_free_ char *msg = sk_seccomp_process_state (s, state_json, err);
  if (msg == NULL)
    return -1;
  _cleanup_close_ int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return sk_error_set (err, errno, "seccomp listener: socket");
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return sk_error_set (err, errno, "connect to seccomp listener `%s`", path);
  size_t len = strlen (msg);
  char cbuf[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = msg, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &notify_fd, sizeof (int));
  ssize_t r;
  do
    r = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return sk_error_set (err, errno, "send to seccomp listener `%s`", path);
  /* A stream socket may take part of a long state: the rest goes without
   * fds, as the spec allows.  MSG_NOSIGNAL: an agent that hangs up must
   * give an error (and a clean rollback), not a SIGPIPE.  */
  for (size_t done = r; done < len; done += r)
    {
      r = send (sock, msg + done, len - done, MSG_NOSIGNAL);
      if (r < 0 && errno == EINTR)
        r = 0;
      else if (r < 0)
        return sk_error_set (err, errno, "send to seccomp listener `%s`", path);
    }
  return 0;
}
