/* skiff create [--bundle DIR] [--pid-file F] [--console-socket S]
 *              [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID  */
#include <config.h>
#include "commands.h"

int
cmd_create (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "create", "create [options] ID",
    "Create a container from the bundle: set up its namespaces, root filesystem and\n"
    "cgroup, and leave its process waiting until `skiff start ID`."
  };
  struct sk_create_opts o = { 0 };
  const struct sk_opt opts[] = {
    SK_CREATE_OPTS (o),
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
  if (sk_container_create (g, argv[first], &o, err) < 0)
    return -1;
  return 0;
}
