/* fd helpers that know nothing of containers.  */
#ifndef SKIFF_UTIL_FD_H
#define SKIFF_UTIL_FD_H

#include <stddef.h>
#include <sys/types.h>
#include <skiff/error.h>

/* Loop over short reads/writes and EINTR.  read_all stops at EOF and
 * returns the byte count.  */
ssize_t sk_read_all (int fd, void *buf, size_t len);
int sk_write_all (int fd, const void *buf, size_t len);

/* One SCM_RIGHTS message carrying one fd (and a short name as payload, as
 * the console-socket protocol of runc does).  */
int sk_send_fd (int sock, int fd, const char *name, sk_error_t *err);
int sk_recv_fd (int sock, sk_error_t *err);

/* Mark every fd >= first close-on-exec (close_range(CLOSE_RANGE_CLOEXEC)
 * when the kernel has it, else walk /proc/self/fd).  Used right before
 * execve so no host fd leaks into the container (CVE-2024-21626).  */
int sk_fds_cloexec_from (int first, sk_error_t *err);

/* Connect to a unix stream socket (a --console-socket); `what` names it in
 * errors.  */
int sk_unix_connect (const char *path, const char *what, sk_error_t *err);

/* Every signal back to its default disposition and an empty mask: a new
 * container process must not inherit what skiff blocks or ignores.  */
void sk_reset_signals (void);

#endif
