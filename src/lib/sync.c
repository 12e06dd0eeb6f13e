/* The parent/child protocol: see sync.h for the whole exchange.  */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sync.h"

/* Wire header; the payload follows it in the same datagram.  */
struct frame
{
  uint32_t type;
  int32_t errnum;
  int64_t value;
  uint32_t len;
  uint32_t has_fd;
};

static const char *const names[SK_SYNC__MAX] = {
  [SK_SYNC_ERROR] = "ERROR",
  [SK_SYNC_USERNS] = "USERNS",
  [SK_SYNC_MAPPED] = "MAPPED",
  [SK_SYNC_MOUNT_FD] = "MOUNT_FD",
  [SK_SYNC_PID] = "PID",
  [SK_SYNC_PID_ACK] = "PID_ACK",
  [SK_SYNC_HOOKS] = "HOOKS",
  [SK_SYNC_HOOKS_DONE] = "HOOKS_DONE",
  [SK_SYNC_SECCOMP_FD] = "SECCOMP_FD",
  [SK_SYNC_SECCOMP_DONE] = "SECCOMP_DONE",
  [SK_SYNC_READY] = "READY",
  [SK_SYNC_PLACED] = "PLACED",
};

/* The type of the last frame this process received (0: none yet).  */
static enum sk_sync_type last_received;

enum sk_sync_type
sk_sync_last_received (void)
{
  return last_received;
}

const char *
sk_sync_type_name (enum sk_sync_type t)
{
  return (t > 0 && t < SK_SYNC__MAX) ? names[t] : "unknown";
}

int
sk_sync_pair (int fds[2], sk_error_t *err)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return sk_error_set (err, errno, "socketpair");
  /* A frame is one datagram: make room for the largest one.  */
  int sz = SK_SYNC_MAX_PAYLOAD + (int) sizeof (struct frame) + 1024;
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  setsockopt (fds[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  return 0;
}

int
sk_sync_send (int sock, enum sk_sync_type type, int64_t value, const char *data, int fd,
              sk_error_t *err)
{
  size_t len = data ? strlen (data) : 0;
  if (len > SK_SYNC_MAX_PAYLOAD)
    return sk_error_set (err, 0, "sync: %s frame too large (%zu bytes)",
                         sk_sync_type_name (type), len);
  struct frame h = { .type = type, .value = value, .len = len, .has_fd = fd >= 0 };
  struct iovec iov[2] = { { &h, sizeof h }, { (void *) data, len } };
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
  if (fd >= 0)
    {
      memset (cbuf, 0, sizeof cbuf);
      msg.msg_control = cbuf;
      msg.msg_controllen = sizeof cbuf;
      struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof fd);
    }
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  /* The peer is gone: the same message as EOF on receive, which the
   * parent then explains (container_debug.c).  */
  if (r < 0 && (errno == EPIPE || errno == ECONNRESET))
    return sk_error_set (err, 0, "container init exited unexpectedly");
  if (r < 0)
    return sk_error_set (err, errno, "sync: send %s", sk_sync_type_name (type));
  return 0;
}

void
sk_sync_send_error (int sock, const sk_error_t e)
{
  struct frame h = { .type = SK_SYNC_ERROR };
  const char *msg = e && e->msg ? e->msg : "unknown error";
  h.errnum = e ? e->errnum : 0;
  h.len = strlen (msg);
  if (h.len > SK_SYNC_MAX_PAYLOAD)
    h.len = SK_SYNC_MAX_PAYLOAD;
  struct iovec iov[2] = { { &h, sizeof h }, { (void *) msg, h.len } };
  struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
  (void) !sendmsg (sock, &m, MSG_NOSIGNAL);
}

static int
recv_frame (int sock, struct sk_sync_msg *m, sk_error_t *err)
{
  size_t cap = sizeof (struct frame) + SK_SYNC_MAX_PAYLOAD + 1;
  char *buf = malloc (cap);
  char cbuf[CMSG_SPACE (sizeof (int))];
  if (buf == NULL)
    return sk_error_set (err, errno, "sync: receive");
  struct iovec iov = { buf, cap };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                        .msg_controllen = sizeof cbuf };
  ssize_t r;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      free (buf);
      return sk_error_set (err, errno, "sync: receive");
    }
  if (r == 0)
    {
      free (buf);
      return sk_error_set (err, 0, "container init exited unexpectedly");
    }
  struct frame h;
  if ((size_t) r < sizeof h)
    {
      free (buf);
      return sk_error_set (err, 0, "sync: short frame (%zd bytes)", r);
    }
  memcpy (&h, buf, sizeof h);
  m->type = h.type;
  last_received = h.type;
  m->errnum = h.errnum;
  m->value = h.value;
  m->fd = -1;
  m->len = (size_t) r - sizeof h;
  memmove (buf, buf + sizeof h, m->len);
  buf[m->len] = '\0';
  m->data = buf;
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c && c->cmsg_type == SCM_RIGHTS)
    memcpy (&m->fd, CMSG_DATA (c), sizeof (int));
  return 0;
}

int
sk_sync_expect (int sock, enum sk_sync_type want, struct sk_sync_msg *m, sk_error_t *err)
{
  memset (m, 0, sizeof *m);
  m->fd = -1;
  if (recv_frame (sock, m, err) < 0)
    return -1;
  if (m->type == SK_SYNC_ERROR)
    {
      sk_error_from_wire (err, m->errnum, m->data);
      sk_error_prefix (err, "container init");
      sk_sync_msg_clear (m);
      return -1;
    }
  if (m->type != want)
    {
      sk_error_set (err, 0, "sync: protocol error: expected %s, got %s",
                    sk_sync_type_name (want), sk_sync_type_name (m->type));
      sk_sync_msg_clear (m);
      return -1;
    }
  return 0;
}

void
sk_sync_msg_clear (struct sk_sync_msg *m)
{
  free (m->data);
  m->data = NULL;
  if (m->fd >= 0)
    close (m->fd);
  m->fd = -1;
}
