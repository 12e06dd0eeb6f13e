/* skiff list [--format table|json] [-q]  */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"

int
cmd_list (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "list", "list [options]", "List the containers under the state root."
  };
  const char *format = "table";
  bool quiet = false;
  const struct sk_opt opts[] = {
    { "format", 'f', SK_OPT_STRING, &format, "FORMAT", "table or json" },
    { "quiet", 'q', SK_OPT_BOOL, &quiet, NULL, "print only the ids" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 0, 0, err) < 0)
    return -1;
  enum sk_list_format f;
  if (quiet)
    f = SK_LIST_QUIET;
  else if (strcmp (format, "json") == 0)
    f = SK_LIST_JSON;
  else if (strcmp (format, "table") == 0)
    f = SK_LIST_TABLE;
  else
    return sk_error_set (err, 0, "list: invalid format `%s`: expected table or json", format);
  char *out = sk_container_list (g, f, err);
  if (out == NULL)
    return -1;
  fputs (out, stdout);
  free (out);
  return 0;
}
