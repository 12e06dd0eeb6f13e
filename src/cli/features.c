/* skiff features: runtime-spec features.json.  */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include "commands.h"

int
cmd_features (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "features", "features",
    "Print the features this runtime implements, as the runtime-spec's features.json."
  };
  int first;
  int r = sk_opts_parse (&h, NULL, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 0, 0, err) < 0)
    return -1;
  char *json = sk_features_json (err);
  if (json == NULL)
    return -1;
  printf ("%s\n", json);
  free (json);
  return 0;
}
