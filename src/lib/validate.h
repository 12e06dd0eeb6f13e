/* Checks run before anything is created (no mkdir, no clone before these
 * pass): a bad config leaves nothing behind because nothing was made.  */
#ifndef SKIFF_VALIDATE_H
#define SKIFF_VALIDATE_H

#include <skiff/error.h>
#include <skiff/spec.h>

/* Run every check of the table in validate.c.  */
int sk_validate_spec (const struct sk_spec *spec, const char *rootfs, sk_error_t *err);

#endif
