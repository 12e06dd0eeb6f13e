/* skiff start ID  */
#include <config.h>
#include "commands.h"

int
cmd_start (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "start", "start ID",
    "Start the user process of a created container (runs poststart hooks)."
  };
  return sk_cmd_with_id (g, &h, argc, argv, sk_container_start, err);
}
