/* skiff checkpoint [options] ID: runc's flags, through CRIU.  */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/checkpoint.h>
#include "commands.h"

/* CRI-O offers checkpointing only when `checkpoint --help` exits 0: it
 * must fail where CRIU cannot work (not installed, `criu check` fails).  */
static bool
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      return true;
  return false;
}

int
cmd_checkpoint (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "checkpoint", "checkpoint [options] ID",
    "Checkpoint a running container with CRIU into --image-path (default\n"
    "./checkpoint).  Unless --leave-running or --pre-dump, the container is\n"
    "destroyed afterwards; `restore` brings it back."
  };
  struct sk_checkpoint_opts o = { .status_fd = -1 };
  struct sk_strv empty_ns = { 0 };
  const struct sk_opt opts[] = {
    SK_CRIU_SHARED_OPTS (o.c),
    { "parent-path", 0, SK_OPT_STRING, &o.parent_path, "DIR",
      "previous (pre-)dump, relative to the image path" },
    { "leave-running", 0, SK_OPT_BOOL, &o.leave_running, NULL,
      "leave the container running after the checkpoint" },
    { "pre-dump", 0, SK_OPT_BOOL, &o.pre_dump, NULL,
      "dump the memory only and leave the container running" },
    { "page-server", 0, SK_OPT_STRING, &o.page_server, "ADDRESS:PORT",
      "send the memory pages to a CRIU page server" },
    { "status-fd", 0, SK_OPT_INT, &o.status_fd, "FD",
      "with --lazy-pages: CRIU's readiness is written here as one \\0 byte" },
    { "empty-ns", 0, SK_OPT_LIST, &empty_ns, "network",
      "create the namespace on restore, but do not dump its properties" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  bool help = wants_help (argc, argv);
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r < 0)
    return -1;
  char *version = NULL;
  if (r == 1 || help)
    {
      sk_opts_free_list (&empty_ns);
      if (sk_checkpoint_available (&version, err) < 0)
        return sk_error_prefix (err, "checkpoint");
      free (version);
      return 0;
    }
  /* The library refuses anything but `network`, naming it: pass the
   * first such entry if there is one.  */
  for (size_t i = 0; i < empty_ns.n; i++)
    if (o.empty_ns == NULL || strcmp (empty_ns.v[i], "network") != 0)
      o.empty_ns = empty_ns.v[i];
  r = sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0
          ? -1 : sk_container_checkpoint (g, argv[first], &o, err);
  sk_opts_free_list (&empty_ns);
  return r < 0 ? -1 : 0;
}
