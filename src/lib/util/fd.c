/* fd helpers: see fd.h.  */
#include <config.h>
#include <errno.h>
#include <unistd.h>
#include "util/fd.h"

ssize_t
sk_read_all (int fd, void *buf, size_t len)
{
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, (char *) buf + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

int
sk_write_all (int fd, const void *buf, size_t len)
{
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write (fd, (const char *) buf + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      done += r;
    }
  return 0;
}

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/close_range.h>

int
sk_send_fd (int sock, int fd, const char *name, sk_error_t *err)
{
  char buf[CMSG_SPACE (sizeof (int))];
  memset (buf, 0, sizeof buf);
  const char *payload = name ? name : "";
  struct iovec iov = { .iov_base = (void *) payload, .iov_len = strlen (payload) + 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
                        .msg_controllen = sizeof buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return sk_error_set (err, errno, "send fd");
  return 0;
}

int
sk_recv_fd (int sock, sk_error_t *err)
{
  char buf[CMSG_SPACE (sizeof (int))];
  char data[256];
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
                        .msg_controllen = sizeof buf };
  ssize_t r;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return sk_error_set (err, errno, "receive fd");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    return sk_error_set (err, 0, "receive fd: no fd in message");
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
sk_fds_cloexec_from (int first, sk_error_t *err)
{
  if (syscall (SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  /* Older kernels: walk /proc/self/fd.  */
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return sk_error_set (err, errno, "open `/proc/self/fd`");
  int self = dirfd (d);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      int fd = atoi (de->d_name);
      if (de->d_name[0] == '.' || fd < first || fd == self)
        continue;
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0)
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
  closedir (d);
  return 0;
}

#include <signal.h>
#include <sys/un.h>

int
sk_unix_connect (const char *path, const char *what, sk_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return sk_error_set (err, ENAMETOOLONG, "%s `%s`", what, path);
  strcpy (addr.sun_path, path);
  /* Non-blocking connect: a listener that never accepts (its backlog
   * full) fails with EAGAIN instead of hanging create; the socket is made
   * blocking again for the one message that follows.  */
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return sk_error_set (err, errno, "%s", what);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      if (errno == EAGAIN)
        sk_error_set (err, 0, "connect to %s `%s`: not accepting connections", what, path);
      else
        sk_error_set (err, errno, "connect to %s `%s`", what, path);
      close (fd);
      return -1;
    }
  int fl = fcntl (fd, F_GETFL);
  if (fl < 0 || fcntl (fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
    {
      sk_error_set (err, errno, "%s `%s`", what, path);
      close (fd);
      return -1;
    }
  return fd;
}

void
sk_reset_signals (void)
{
  struct sigaction sa = { .sa_handler = SIG_DFL };
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction (s, &sa, NULL);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}
