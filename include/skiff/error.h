/* skiff: the one error type.
 *
 * Every fallible library function takes `sk_error_t *err` as its last
 * argument, returns 0 on success and -1 (or NULL) on failure, and on failure
 * sets *err exactly once.  Library code never prints: only the CLI does.  */
#ifndef SKIFF_ERROR_H
#define SKIFF_ERROR_H

#include <stdarg.h>

struct sk_error
{
  int errnum;   /* errno, 0 when the failure is not a system call's */
  char *msg;    /* what was being done, without the strerror text */
};
typedef struct sk_error *sk_error_t;

/* Set *err (must be NULL) and return -1.  errnum may be 0.  */
int sk_error_set (sk_error_t *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
int sk_error_setv (sk_error_t *err, int errnum, const char *fmt, va_list ap);

/* Prepend "PREFIX: " to an existing error; returns -1 so it can be tail-called.  */
int sk_error_prefix (sk_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* "msg: strerror(errnum)" (or "msg" when errnum is 0), newly allocated.  */
char *sk_error_string (const sk_error_t err);

void sk_error_free (sk_error_t *err);

/* Transport of a child's error over the sync socket: the child sends
 * errnum and the formatted message; the parent rebuilds the error.  */
int sk_error_from_wire (sk_error_t *err, int errnum, const char *msg);

#define _cleanup_error_ __attribute__ ((cleanup (sk_error_free)))

#endif
