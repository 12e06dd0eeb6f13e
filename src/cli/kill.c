/* skiff kill [--all] [--signal SIGNAL] ID [SIGNAL]  */
#include <config.h>
#include <signal.h>
#include <string.h>
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
  const char *sig_opt = NULL;
  const struct sk_opt opts[] = {
    { "all", 'a', SK_OPT_BOOL, &all, NULL, "signal every process of the container" },
    /* The OCI runtime command line interface spells it as an option; runc
     * and its callers pass it positionally.  Both are accepted.  */
    { "signal", 's', SK_OPT_STRING, &sig_opt, "SIGNAL",
      "the signal to send (same as the SIGNAL argument)" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 2, err) < 0)
    return -1;
  const char *sig = first + 1 < argc ? argv[first + 1] : sig_opt;
  if (sig_opt && sig != sig_opt && strcmp (sig, sig_opt) != 0)
    return sk_error_set (err, 0, "kill: signal given twice: `--signal %s` and `%s`", sig_opt,
                         sig);
  int signo = SIGTERM;
  if (sig && sk_parse_signal (sig, &signo, err) < 0)
    return -1;
  return sk_container_kill (g, argv[first], signo, all, err) < 0 ? -1 : 0;
}
