/* process.terminal: a pty allocated inside the container (its own devpts
 * instance), the master sent to the caller over --console-socket.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "linux/linux.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* CVE-2025-52565: the image may plant /dev/console as a symlink to a host
 * path that the bind mount would then cover.  Create/open it without
 * following symlinks, check it is a regular file we can mount over, and
 * mount onto that very fd.  */
static int
bind_console (int slave, const char *slave_path, sk_error_t *err)
{
  _cleanup_close_ int fd = open ("/dev/console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                                 0600);
  if (fd < 0 && errno == ELOOP)
    {
      /* A symlink (never one we made): replace it.  */
      if (unlink ("/dev/console") < 0)
        return sk_error_set (err, errno, "remove symlink `/dev/console`");
      fd = open ("/dev/console", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0 && errno == ENXIO)
    {
      /* A device node without a driver in this namespace: replace it.  */
      unlink ("/dev/console");
      fd = open ("/dev/console", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    return sk_error_set (err, errno, "create `/dev/console`");
  struct stat st;
  if (fstat (fd, &st) < 0 || !(S_ISREG (st.st_mode) || S_ISCHR (st.st_mode)))
    return sk_error_set (err, 0, "`/dev/console` is not a file or character device");
  char target[64];
  snprintf (target, sizeof target, "/proc/self/fd/%d", fd);
  if (mount (slave_path, target, NULL, MS_BIND, NULL) < 0)
    return sk_error_set (err, errno, "bind `%s` on `/dev/console`", slave_path);
  (void) slave;
  return 0;
}

/* The pty belongs to the process's user, group unchanged (devpts gives
 * it gid 5, tty), as runc and crun do; not in the spec.  Programs that
 * reopen /dev/tty or /proc/self/fd/0, chmod their tty (mesg, script,
 * ssh-style tools) or su/login need it: with root as the owner they fail
 * with EACCES.  */
int
sk_tty_give_to_user (int slave, const struct sk_user *u, const char *name, sk_error_t *err)
{
  if (u->uid == 0)
    return 0;
  if (fchown (slave, u->uid, (gid_t) -1) < 0)
    return sk_error_set (err, errno, "give the terminal `%s` to uid %u", name, u->uid);
  return 0;
}

int
sk_tty_setup (struct sk_init_ctx *ctx, sk_error_t *err)
{
  const struct sk_process *p = ctx->spec->process;
  if (ctx->console_socket_fd < 0)
    return sk_error_set (err, 0, "process.terminal is set but no console socket was given");
  _cleanup_close_ int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return sk_error_set (err, errno, "open `/dev/ptmx`");
  if (unlockpt (master) < 0)
    return sk_error_set (err, errno, "unlockpt");
  char slave_path[128];
  if (ptsname_r (master, slave_path, sizeof slave_path) != 0)
    return sk_error_set (err, errno, "ptsname");
  _cleanup_close_ int slave = open (slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return sk_error_set (err, errno, "open `%s`", slave_path);
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      ioctl (slave, TIOCSWINSZ, &ws);
    }
  if (sk_tty_give_to_user (slave, &p->user, slave_path, err) < 0)
    return -1;
  if (bind_console (slave, slave_path, err) < 0)
    return -1;
  if (sk_send_fd (ctx->console_socket_fd, master, "/dev/ptmx", err) < 0)
    return sk_error_prefix (err, "console socket");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return sk_error_set (err, errno, "make `%s` the controlling terminal", slave_path);
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return sk_error_set (err, errno, "dup2 terminal");
  return 0;
}
