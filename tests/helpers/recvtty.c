/* recvtty SOCKET LOG: a --console-socket receiver for the VM tests (the
 * guest has no python).  Listens on SOCKET; for every connection takes the
 * one pty master passed with SCM_RIGHTS and appends what it reads from it
 * to LOG (a restored container connects again with its new master).
 * Runs until killed; its children end when their pty closes.  */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>

static int
recv_fd (int c)
{
  char b[1];
  union { struct cmsghdr h; char buf[CMSG_SPACE (sizeof (int))]; } cm;
  struct iovec iov = { b, 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                      .msg_controllen = sizeof cm.buf };
  if (recvmsg (c, &m, 0) < 0)
    return -1;
  struct cmsghdr *h = CMSG_FIRSTHDR (&m);
  if (h == NULL || h->cmsg_type != SCM_RIGHTS)
    return -1;
  int fd;
  memcpy (&fd, CMSG_DATA (h), sizeof fd);
  return fd;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: recvtty SOCKET LOG\n");
      return 2;
    }
  signal (SIGCHLD, SIG_IGN);
  int s = socket (AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  strncpy (a.sun_path, argv[1], sizeof a.sun_path - 1);
  unlink (argv[1]);
  if (bind (s, (struct sockaddr *) &a, sizeof a) < 0 || listen (s, 4) < 0)
    {
      perror ("recvtty: bind");
      return 1;
    }
  for (;;)
    {
      int c = accept (s, NULL, NULL);
      if (c < 0)
        continue;
      int master = recv_fd (c);
      close (c);
      if (master < 0)
        continue;
      if (fork () == 0)
        {
          int log = open (argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
          char buf[4096];
          ssize_t n;
          while ((n = read (master, buf, sizeof buf)) > 0)
            if (write (log, buf, n) < 0)
              break;
          _exit (0);
        }
      close (master);
    }
}
