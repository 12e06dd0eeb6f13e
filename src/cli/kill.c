/* skiff kill [--all] ID [SIGNAL]  */
#include <config.h>
#include <signal.h>
#include "commands.h"

int
cmd_kill (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "kill", "kill [options] ID [SIGNAL]",
    "Send SIGNAL (a number, KILL or SIGKILL; default TERM) to the container's init\n"
    "process, or with --all to every process in its cgroup."
  };
  bool all = false;
  const struct sk_opt opts[] = {
    { "all", 'a', SK_OPT_BOOL, &all, NULL, "signal every process of the container" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 2, err) < 0)
    return -1;
  int signo = SIGTERM;
  if (first + 1 < argc && sk_parse_signal (argv[first + 1], &signo, err) < 0)
    return -1;
  return sk_container_kill (g, argv[first], signo, all, err) < 0 ? -1 : 0;
}
