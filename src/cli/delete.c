/* skiff delete [--force] ID  */
#include <config.h>
#include "commands.h"

int
cmd_delete (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "delete", "delete [options] ID",
    "Delete a stopped container: its state, cgroup and anything else it holds.\n"
    "A created or running container needs --force (it is killed first)."
  };
  bool force = false;
  const struct sk_opt opts[] = {
    { "force", 'f', SK_OPT_BOOL, &force, NULL, "kill the container first if it is not stopped" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  return sk_container_delete (g, argv[first], force, err) < 0 ? -1 : 0;
}
