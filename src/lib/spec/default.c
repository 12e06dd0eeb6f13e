/* The config.json `skiff spec` writes: a locked-down container running
 * `sh`, in the shape users of other runtimes expect.  terminal is false so
 * that `skiff run` works from scripts and CI without a tty.  */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skiff/spec.h>
#include "util/cleanup.h"
#include "util/json.h"

static void
gen_strv (sk_jgen *g, const char *key, const char *const *v)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  for (; *v; v++)
    sk_jgen_string (g, *v);
  sk_jgen_array_close (g);
}

static void
gen_process (sk_jgen *g)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
  };
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                      NULL };
  sk_jgen_key (g, "process");
  sk_jgen_map_open (g);
  sk_jgen_kv_bool (g, "terminal", false);
  sk_jgen_key (g, "user");
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "uid", 0);
  sk_jgen_kv_uint (g, "gid", 0);
  sk_jgen_map_close (g);
  gen_strv (g, "args", args);
  gen_strv (g, "env", env);
  sk_jgen_kv_string (g, "cwd", "/");
  sk_jgen_key (g, "capabilities");
  sk_jgen_map_open (g);
  gen_strv (g, "bounding", caps);
  gen_strv (g, "effective", caps);
  gen_strv (g, "permitted", caps);
  sk_jgen_map_close (g);
  sk_jgen_key (g, "rlimits");
  sk_jgen_array_open (g);
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "type", "RLIMIT_NOFILE");
  sk_jgen_kv_uint (g, "hard", 1024);
  sk_jgen_kv_uint (g, "soft", 1024);
  sk_jgen_map_close (g);
  sk_jgen_array_close (g);
  sk_jgen_kv_bool (g, "noNewPrivileges", true);
  sk_jgen_map_close (g);
}

struct mount_entry
{
  const char *destination, *type, *source;
  const char *options[8];
};

static void
gen_mounts (sk_jgen *g, bool rootless)
{
  /* Rootless: sysfs cannot be mounted without owning the network
   * namespace, so /sys is a read-only bind of the host's; devpts drops
   * gid=5, which is not mapped in a single-id user namespace.  */
  static const struct mount_entry root_mounts[] = {
    { "/proc", "proc", "proc", { NULL } },
    { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
    { "/dev/pts", "devpts", "devpts",
      { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
    { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
                                    NULL } },
    { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
    { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
    { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro",
                                              NULL } },
  };
  static const struct mount_entry rootless_devpts = {
    "/dev/pts", "devpts", "devpts",
    { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL }
  };
  static const struct mount_entry rootless_sys = {
    "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
  };
  sk_jgen_key (g, "mounts");
  sk_jgen_array_open (g);
  for (size_t i = 0; i < sizeof root_mounts / sizeof *root_mounts; i++)
    {
      const struct mount_entry *m = &root_mounts[i];
      if (rootless && strcmp (m->destination, "/dev/pts") == 0)
        m = &rootless_devpts;
      else if (rootless && strcmp (m->destination, "/sys") == 0)
        m = &rootless_sys;
      sk_jgen_map_open (g);
      sk_jgen_kv_string (g, "destination", m->destination);
      sk_jgen_kv_string (g, "type", m->type);
      sk_jgen_kv_string (g, "source", m->source);
      if (m->options[0])
        gen_strv (g, "options", m->options);
      sk_jgen_map_close (g);
    }
  sk_jgen_array_close (g);
}

static void
gen_mapping (sk_jgen *g, const char *key, unsigned id)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  sk_jgen_map_open (g);
  sk_jgen_kv_uint (g, "containerID", 0);
  sk_jgen_kv_uint (g, "hostID", id);
  sk_jgen_kv_uint (g, "size", 1);
  sk_jgen_map_close (g);
  sk_jgen_array_close (g);
}

static void
gen_linux (sk_jgen *g, bool rootless)
{
  static const char *const masked[] = {
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
    "/proc/scsi", "/sys/devices/virtual/powercap", NULL
  };
  static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
  };
  /* Rootless: no network namespace (an unprivileged one has nothing but
   * a down loopback), and a user namespace mapping only the caller.  */
  static const char *const ns_root[] = { "pid", "network", "ipc", "uts", "mount", "cgroup",
                                         NULL };
  static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "cgroup", "user",
                                             NULL };
  sk_jgen_key (g, "linux");
  sk_jgen_map_open (g);
  if (rootless)
    {
      gen_mapping (g, "uidMappings", geteuid ());
      gen_mapping (g, "gidMappings", getegid ());
    }
  else
    {
      /* deny all devices but those the runtime creates */
      sk_jgen_key (g, "resources");
      sk_jgen_map_open (g);
      sk_jgen_key (g, "devices");
      sk_jgen_array_open (g);
      sk_jgen_map_open (g);
      sk_jgen_kv_bool (g, "allow", false);
      sk_jgen_kv_string (g, "access", "rwm");
      sk_jgen_map_close (g);
      sk_jgen_array_close (g);
      sk_jgen_map_close (g);
    }
  sk_jgen_key (g, "namespaces");
  sk_jgen_array_open (g);
  for (const char *const *ns = rootless ? ns_rootless : ns_root; *ns; ns++)
    {
      sk_jgen_map_open (g);
      sk_jgen_kv_string (g, "type", *ns);
      sk_jgen_map_close (g);
    }
  sk_jgen_array_close (g);
  gen_strv (g, "maskedPaths", masked);
  gen_strv (g, "readonlyPaths", readonly);
  sk_jgen_map_close (g);
}

char *
sk_spec_default_json (bool rootless, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (true);
  if (g == NULL)
    {
      sk_error_set (err, ENOMEM, "generate default config");
      return NULL;
    }
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "ociVersion", SKIFF_SPEC_VERSION);
  gen_process (g);
  sk_jgen_key (g, "root");
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "path", "rootfs");
  sk_jgen_kv_bool (g, "readonly", true);
  sk_jgen_map_close (g);
  sk_jgen_kv_string (g, "hostname", "skiff");
  gen_mounts (g, rootless);
  gen_linux (g, rootless);
  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  if (out == NULL)
    sk_error_set (err, 0, "generate default config: internal generator error");
  return out;
}
