/* skiff start ID */
#include <config.h>
#include "commands.h"

int
cmd_start (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = { "start", "start ID", "Start the user process of a created container (runs poststart hooks)." };
  int first;
  int r = sk_opts_parse (&h, NULL, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  return sk_container_start (g, argv[first], err) < 0 ? -1 : 0;
}
