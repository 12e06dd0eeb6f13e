/* Test-only stop points (configure --enable-test-hooks).
 *
 * The kill-at-every-stage tests must SIGKILL `create` at a known point,
 * without timing: a build configured with --enable-test-hooks stops
 * itself with SIGSTOP at the stage named by $SKIFF_TEST_STOP_AT, and the
 * test kills it once /proc says it is stopped.  Release builds compile
 * the calls to nothing and never read the variable.  */
#ifndef SKIFF_TESTHOOK_H
#define SKIFF_TESTHOOK_H

#ifdef SK_TEST_HOOKS
void sk_test_stop (const char *stage);
#else
static inline void
sk_test_stop (const char *stage)
{
  (void) stage;
}
#endif

#endif
