/* Checks run before anything is created (no mkdir, no clone before these
 * pass): a bad config leaves nothing behind because nothing was made.  */
#ifndef SKIFF_VALIDATE_H
#define SKIFF_VALIDATE_H

#include <skiff/error.h>
#include <skiff/spec.h>

/* Run every check of the table in validate.c.  */
int sk_validate_spec (const struct sk_spec *spec, const char *rootfs, sk_error_t *err);

/* --preserve-fds N (plus LISTEN_FDS): fds 3..3+N-1 are passed on, so N
 * is bounded by the open-file limit (no such fd can exist beyond it, and
 * 3+N must not overflow an int).  */
int sk_validate_preserve_fds (int listen_fds, int preserve_fds, sk_error_t *err);

#endif
