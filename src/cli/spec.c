/* skiff spec [--bundle DIR] [--rootless]: write a default config.json.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "util/cleanup.h"
#include "util/fd.h"

int
cmd_spec (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "spec", "spec [options]",
    "Write a default config.json into the bundle directory (it must not exist yet)."
  };
  const char *bundle = ".";
  bool rootless = false;
  const struct sk_opt opts[] = {
    { "bundle", 'b', SK_OPT_STRING, &bundle, "DIR", "bundle directory (default: current directory)" },
    { "rootless", 0, SK_OPT_BOOL, &rootless, NULL, "a config for a user namespace" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 0, 0, err) < 0)
    return -1;
  _cleanup_free_ char *json = sk_spec_default_json (rootless, err);
  if (json == NULL)
    return -1;
  _cleanup_free_ char *path = NULL;
  if (asprintf (&path, "%s/config.json", bundle) < 0)
    return sk_error_set (err, errno, "spec");
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return sk_error_set (err, errno, "spec: create `%s`", path);
  if (sk_write_all (fd, json, strlen (json)) < 0 || sk_write_all (fd, "\n", 1) < 0)
    return sk_error_set (err, errno, "spec: write `%s`", path);
  return 0;
}
