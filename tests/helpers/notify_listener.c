/* A minimal seccomp agent for tests (config-linux.md "Seccomp",
 * listenerPath, "The Container Process State").
 *
 *   notify_listener SOCKET STATEFILE ERRNO
 *
 * Listens on the unix stream SOCKET, accepts ONE connection, reads the
 * container process state (JSON) and the seccomp fd (SCM_RIGHTS) named in
 * its `fds`, writes the JSON to STATEFILE, then answers every notification:
 * ERRNO > 0 fails the syscall with that errno, ERRNO 0 lets it continue
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Exits when no process uses the
 * filter any more.  Prints "ready" on stdout once listening.  */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
# define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

static int
die (const char *what)
{
  fprintf (stderr, "notify_listener: %s: %s\n", what, strerror (errno));
  return 1;
}

/* Read the whole state (the fd comes with the first message).  */
static int
receive_state (int conn, char *buf, size_t size, int *fd)
{
  size_t len = 0;
  *fd = -1;
  for (;;)
    {
      char cbuf[CMSG_SPACE (sizeof (int) * 4)];
      struct iovec iov = { .iov_base = buf + len, .iov_len = size - 1 - len };
      struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                           .msg_control = cbuf, .msg_controllen = sizeof cbuf };
      ssize_t n = recvmsg (conn, &mh, MSG_CMSG_CLOEXEC);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && *fd < 0)
          memcpy (fd, CMSG_DATA (c), sizeof (int));
      if (n == 0 || len + n >= size - 1)
        break;
      len += n;
    }
  buf[len] = '\0';
  return (int) len;
}

static int
serve (int fd, int err_reply)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return die ("poll");
        }
      if (p.revents & POLLHUP)
        return 0;   /* every filtered process is gone */
      memset (&req, 0, sizeof req);
      if (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        {
          if (errno == EINTR || errno == ENOENT)
            continue;
          return die ("SECCOMP_IOCTL_NOTIF_RECV");
        }
      memset (&resp, 0, sizeof resp);
      resp.id = req.id;
      if (err_reply > 0)
        resp.error = -err_reply;
      else
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      if (ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
        return die ("SECCOMP_IOCTL_NOTIF_SEND");
    }
}

int
main (int argc, char **argv)
{
  if (argc != 4)
    {
      fprintf (stderr, "usage: notify_listener SOCKET STATEFILE ERRNO\n");
      return 2;
    }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (argv[1]) >= sizeof addr.sun_path)
    return die ("socket path too long");
  strcpy (addr.sun_path, argv[1]);
  int ls = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink (argv[1]);
  if (ls < 0 || bind (ls, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (ls, 1) < 0)
    return die ("listen");
  printf ("ready\n");
  fflush (stdout);
  int conn = accept4 (ls, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return die ("accept");
  static char buf[1 << 20];
  int fd;
  if (receive_state (conn, buf, sizeof buf, &fd) < 0)
    return die ("receive state");
  close (conn);
  close (ls);
  FILE *f = fopen (argv[2], "w");
  if (f == NULL)
    return die ("write state file");
  fprintf (f, "%s\n", buf);
  fclose (f);
  if (fd < 0)
    {
      fprintf (stderr, "notify_listener: no fd received\n");
      return 1;
    }
  return serve (fd, atoi (argv[3]));
}
