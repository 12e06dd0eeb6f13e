/* skiff run [create's options] [--detach] [--keep] ID  */
#include <config.h>
#include "commands.h"

int
cmd_run (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "run", "run [options] ID",
    "Create and start a container.  In the foreground skiff waits for it, relays\n"
    "signals and exits with its exit code (128+N when killed by signal N)."
  };
  struct sk_create_opts o = { 0 };
  const struct sk_opt opts[] = {
    SK_CREATE_OPTS (o),
    { "detach", 'd', SK_OPT_BOOL, &o.detach, NULL, "return once the container is running" },
    { "keep", 0, SK_OPT_BOOL, &o.keep, NULL, "do not delete the container after it exits" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  if ((o.listen_fds = sk_opts_listen_fds (err)) < 0)
    return -1;
  int code = 0;
  if (sk_container_run (g, argv[first], &o, &code, err) < 0)
    return -1;
  return code;
}
