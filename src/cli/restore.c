/* skiff restore [options] ID: runc's flags, through CRIU.  */
#include <config.h>
#include <skiff/checkpoint.h>
#include "commands.h"

int
cmd_restore (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "restore", "restore [options] ID",
    "Restore a container from a checkpoint (--image-path, default ./checkpoint)\n"
    "as ID, from the bundle's config.json.  In the foreground skiff waits for it\n"
    "and exits with its exit code, as run does."
  };
  struct sk_restore_opts o = { 0 };
  const struct sk_opt opts[] = {
    SK_CRIU_SHARED_OPTS (o.c),
    { "bundle", 'b', SK_OPT_STRING, &o.bundle, "DIR",
      "bundle directory (default: current directory)" },
    { "console-socket", 0, SK_OPT_STRING, &o.console_socket, "PATH",
      "unix socket that receives the restored terminal's pty master" },
    { "detach", 'd', SK_OPT_BOOL, &o.detach, NULL, "return once the container is restored" },
    { "pid-file", 0, SK_OPT_STRING, &o.pid_file, "FILE", "write the restored init's pid to FILE" },
    { "no-subreaper", 0, SK_OPT_BOOL, &o.no_subreaper, NULL,
      "do not become the subreaper of the restored processes (foreground)" },
    { "no-pivot", 0, SK_OPT_BOOL, &o.no_pivot, NULL,
      "accepted for runc compatibility (CRIU restores the mount namespace)" },
    { "lsm-profile", 0, SK_OPT_STRING, &o.lsm_profile, "TYPE:NAME",
      "LSM profile of the restored processes (apparmor:NAME, selinux:LABEL)" },
    { "lsm-mount-context", 0, SK_OPT_STRING, &o.lsm_mount_context, "CONTEXT",
      "SELinux mount context of the restored mounts" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, 1, err) < 0)
    return -1;
  int code = 0;
  if (sk_container_restore (g, argv[first], &o, &code, err) < 0)
    return -1;
  return code;
}
