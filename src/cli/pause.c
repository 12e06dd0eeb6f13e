/* skiff pause ID, skiff resume ID  */
#include <config.h>
#include "commands.h"

int
cmd_pause (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "pause", "pause ID", "Freeze every process of a running container (cgroup.freeze)."
  };
  return sk_cmd_with_id (g, &h, argc, argv, sk_container_pause, err);
}

int
cmd_resume (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = { "resume", "resume ID", "Thaw a paused container." };
  return sk_cmd_with_id (g, &h, argc, argv, sk_container_resume, err);
}
