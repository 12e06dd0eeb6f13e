/* skiff: global flags, the command table, the single final error.  */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>
#include "commands.h"

static const struct
{
  const char *name;
  sk_cmd_fn *fn;
  const char *summary;
} commands[] = {
  { "create", cmd_create, "create a container from a bundle" },
  { "start", cmd_start, "start the user process of a created container" },
  { "run", cmd_run, "create and start a container" },
  { "state", cmd_state, "print the state of a container" },
  { "kill", cmd_kill, "send a signal to the container's init (or all its processes)" },
  { "delete", cmd_delete, "delete a container and everything it holds" },
  { "list", cmd_list, "list containers" },
  { "spec", cmd_spec, "write a default config.json" },
  { "features", cmd_features, "print the features this runtime supports (JSON)" },
  { "exec", cmd_exec, "run a new process inside a running container" },
  { "pause", cmd_pause, "freeze every process of a container" },
  { "resume", cmd_resume, "thaw a paused container" },
  { "update", cmd_update, "update a container's resource limits" },
  { "ps", cmd_ps, "list the processes of a container" },
  { "events", cmd_events, "print container events and statistics" },
  { "checkpoint", cmd_checkpoint, "checkpoint a running container with CRIU" },
  { "restore", cmd_restore, "restore a container from a CRIU checkpoint" },
};

static void
print_version (void)
{
  printf ("skiff version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION, SKIFF_COMMIT,
          SKIFF_SPEC_VERSION);
}

static void
print_help (void)
{
  printf ("Usage: skiff [global options] COMMAND [options] [ARGS]\n\n"
          "skiff is an OCI container runtime (runtime-spec %s), runc-compatible.\n\n"
          "Commands:\n", SKIFF_SPEC_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf ("  %-10s %s\n", commands[i].name, commands[i].summary);
  printf ("\nGlobal options:\n"
          "  --root DIR             state directory (default %s;\n"
          "                         $XDG_RUNTIME_DIR/skiff for an unprivileged user)\n"
          "  --log FILE             log file (default: stderr)\n"
          "  --log-format FORMAT    text or json\n"
          "  --debug                debug logging\n"
          "  --systemd-cgroup       use systemd to manage cgroups\n"
          "  --rootless VALUE       true, false or auto\n"
          "  -v, --version          print the version\n"
          "  -h, --help             print this help\n"
          "\nRun `skiff COMMAND --help` for a command's options.\n", SK_DEFAULT_ROOT);
}

struct global_flags
{
  const char *root, *log, *log_format, *rootless, *criu;
  bool debug, systemd_cgroup, version, help;
};

/* True for `--root` / `-root` (a string flag written without `=VALUE`):
 * the next argument is its value.  */
static bool
global_flag_takes_value (const struct sk_opt *opts, const char *arg)
{
  const char *name = arg + 1 + (arg[1] == '-');
  if (strchr (name, '='))
    return false;
  for (const struct sk_opt *o = opts; o->name; o++)
    if (strcmp (o->name, name) == 0)
      return o->kind != SK_OPT_BOOL;
  return false;
}

/* Global flags come before the command (runc's layout).  */
static int
parse_global (int argc, char **argv, struct global_flags *f, int *cmd_index, sk_error_t *err)
{
  struct sk_opt opts[] = {
    { "root", 0, SK_OPT_STRING, &f->root, "DIR", "state directory" },
    { "log", 0, SK_OPT_STRING, &f->log, "FILE", "log file" },
    { "log-format", 0, SK_OPT_STRING, &f->log_format, "FORMAT", "text or json" },
    { "debug", 0, SK_OPT_BOOL, &f->debug, NULL, "debug logging" },
    { "systemd-cgroup", 0, SK_OPT_BOOL, &f->systemd_cgroup, NULL, "systemd cgroups" },
    { "rootless", 0, SK_OPT_STRING, &f->rootless, "VALUE", "true, false or auto" },
    { "version", 'v', SK_OPT_BOOL, &f->version, NULL, "print the version" },
    { "criu", 0, SK_OPT_STRING, &f->criu, "PATH", "ignored (no checkpoint support)" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  static const struct sk_cmd_help h = { "skiff", "[global options] COMMAND", "" };
  /* --rootless is a bool flag in some callers' mouths (`--rootless`), a
   * value in others' (`--rootless=false`): accept both.  */
  for (int i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (strcmp (argv[i], "--rootless") == 0 || strcmp (argv[i], "-rootless") == 0)
        if (i + 1 >= argc || (strcmp (argv[i + 1], "true") && strcmp (argv[i + 1], "false")
                              && strcmp (argv[i + 1], "auto")))
          argv[i] = (char *) "--rootless=true";
      if (global_flag_takes_value (opts, argv[i]))
        i++;
    }
  /* --help at the global level prints the command list, not the table,
   * also after other global flags (`skiff --root DIR --help`, exit 0, as
   * runc does: runc's own integration suite, run against skiff, calls
   * every command through a wrapper that puts `--root DIR` first).  The
   * scan skips the value of a flag that takes one, so `--root -h` is not
   * read as help, and stops at the command.  */
  for (int i = 1; i < argc && argv[i][0] == '-' && strcmp (argv[i], "--"); i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0
          || strcmp (argv[i], "-help") == 0)
        {
          f->help = true;
          return 0;
        }
      if (global_flag_takes_value (opts, argv[i]))
        i++;
    }
  return sk_opts_parse (&h, opts, argc, argv, cmd_index, err);
}

static int
setup_global (const struct global_flags *f, struct sk_global *g, bool uses_state,
              char **xdg_root, sk_error_t *err)
{
  enum sk_log_format lf = SK_LOG_TEXT;
  if (f->log_format && strcmp (f->log_format, "json") == 0)
    lf = SK_LOG_JSON;
  else if (f->log_format && strcmp (f->log_format, "text") != 0)
    return sk_error_set (err, 0, "invalid --log-format `%s`: expected text or json",
                         f->log_format);
  if (sk_log_init (f->log, lf, f->debug, err) < 0)
    return -1;
  if (sk_rootless_resolve (f->rootless, &g->rootless, err) < 0)
    return -1;
  g->debug = f->debug;
  g->systemd_cgroup = f->systemd_cgroup;
  if (!uses_state)
    return 0;
  /* runc's default root for an unprivileged caller (rootless_linux.go
   * shouldHonorXDGRuntimeDir) is $XDG_RUNTIME_DIR/runc, whatever
   * --rootless says; ours is $XDG_RUNTIME_DIR/skiff.  */
  bool unprivileged = sk_rootless_detect ();
  if (f->root)
    g->root = f->root;
  else if (unprivileged)
    {
      if ((*xdg_root = sk_rootless_state_root (err)) == NULL)
        return -1;
      g->root = *xdg_root;
    }
  else
    g->root = SK_DEFAULT_ROOT;
  if (unprivileged && sk_rootless_prepare_root (g->root, err) < 0)
    return -1;
  return 0;
}

static int
finish (sk_error_t *err)
{
  char *msg = sk_error_string (*err);
  sk_log_error (msg);
  free (msg);
  sk_error_free (err);
  return 1;
}

int
main (int argc, char **argv)
{
  sk_error_t err = NULL;
  struct global_flags f = { 0 };
  struct sk_global g = { 0 };
  int ci = 1;

  int r = parse_global (argc, argv, &f, &ci, &err);
  if (r < 0)
    return finish (&err);
  if (f.help)
    {
      print_help ();
      return 0;
    }
  if (f.version)
    {
      print_version ();
      return 0;
    }
  if (ci >= argc)
    {
      print_help ();
      return 1;
    }
  const char *name = argv[ci];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, name) == 0)
      {
        /* CVE-2019-5736: commands that start container processes run
         * from a sealed memfd copy of skiff (linux/exeguard.c).  */
        if ((strcmp (name, "create") == 0 || strcmp (name, "run") == 0
             || strcmp (name, "exec") == 0) && sk_exe_protect (&err) < 0)
          return finish (&err);
        /* spec and features touch no state: no root to resolve.  */
        bool uses_state = strcmp (name, "spec") != 0 && strcmp (name, "features") != 0;
        char *xdg_root = NULL;
        if (setup_global (&f, &g, uses_state, &xdg_root, &err) < 0)
          {
            free (xdg_root);
            return finish (&err);
          }
        r = commands[i].fn (&g, argc - ci, argv + ci, &err);
        free (xdg_root);
        if (r < 0)
          return finish (&err);
        return r;
      }
  if (strcmp (name, "help") == 0)
    {
      print_help ();
      return 0;
    }
  sk_error_set (&err, 0, "unknown command `%s` (see `skiff --help`)", name);
  return finish (&err);
}
