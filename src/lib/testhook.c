/* See testhook.h: only built into --enable-test-hooks builds.  */
#include <config.h>
#ifdef SK_TEST_HOOKS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testhook.h"

void
sk_test_stop (const char *stage)
{
  const char *want = getenv ("SKIFF_TEST_STOP_AT");
  if (want == NULL || strcmp (want, stage) != 0)
    return;
  char line[128];
  int n = snprintf (line, sizeof line, "skiff-test: stopped at %s\n", stage);
  if (n > 0)
    {
      ssize_t r = write (STDERR_FILENO, line, (size_t) n);
      (void) r;
    }
  raise (SIGSTOP);
}
#endif
