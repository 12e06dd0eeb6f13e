/* `skiff features`: the runtime-spec Features structure (features.md,
 * features-linux.md), checked against schema/features-schema.json by
 * tests/integration/features.bats.
 *
 * Advertise only what works.  The spec says features should not depend on
 * the host, but a caller reading "seccomp flag X supported" will use it, so
 * the lists that depend on the kernel and libseccomp (seccomp actions and
 * flags, archs, capabilities, LSMs, Intel RDT) are probed here.  */
#include <config.h>
#include <skiff/checkpoint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <skiff/container.h>
#include "cgroup/systemd.h"
#include "linux/linux.h"
#include "linux/security.h"
#include "linux/seccomp_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static void
strv_array (sk_jgen *g, const char *key, const char *const *v)
{
  sk_jgen_key (g, key);
  sk_jgen_array_open (g);
  for (; v && *v; v++)
    sk_jgen_string (g, *v);
  sk_jgen_array_close (g);
}

static void
kv_enabled (sk_jgen *g, const char *key, bool on)
{
  sk_jgen_key (g, key);
  sk_jgen_map_open (g);
  sk_jgen_kv_bool (g, "enabled", on);
  sk_jgen_map_close (g);
}

/* Kernel return value for an action of the table, for
 * SECCOMP_GET_ACTION_AVAIL.  */
static bool
action_available (const struct sk_seccomp_name *a)
{
  uint32_t v = a->value & SECCOMP_RET_ACTION_FULL;
  return sk_seccomp_sys (SECCOMP_GET_ACTION_AVAIL, 0, &v) == 0;
}

static void
gen_seccomp (sk_jgen *g)
{
  const struct sk_seccomp_name *t;
  sk_jgen_key (g, "seccomp");
  sk_jgen_map_open (g);
  sk_jgen_kv_bool (g, "enabled", true);
  sk_jgen_key (g, "actions");
  sk_jgen_array_open (g);
  for (t = sk_seccomp_actions; t->name; t++)
    if (action_available (t))
      sk_jgen_string (g, t->name);
  sk_jgen_array_close (g);
  sk_jgen_key (g, "operators");
  sk_jgen_array_open (g);
  for (t = sk_seccomp_operators; t->name; t++)
    sk_jgen_string (g, t->name);
  sk_jgen_array_close (g);
  sk_jgen_key (g, "archs");
  sk_jgen_array_open (g);
  for (t = sk_seccomp_archs; t->name; t++)
    if (sk_seccomp_arch_usable (t->name))
      sk_jgen_string (g, t->name);
  sk_jgen_array_close (g);
  sk_jgen_key (g, "knownFlags");
  sk_jgen_array_open (g);
  for (t = sk_seccomp_flags; t->name; t++)
    sk_jgen_string (g, t->name);
  sk_jgen_array_close (g);
  sk_jgen_key (g, "supportedFlags");
  sk_jgen_array_open (g);
  for (t = sk_seccomp_flags; t->name; t++)
    if (sk_seccomp_flag_supported (t->value))
      sk_jgen_string (g, t->name);
  sk_jgen_array_close (g);
  sk_jgen_map_close (g);
}

static bool
resctrl_available (void)
{
  _cleanup_free_ char *fs = NULL;
  size_t len = 0;
  sk_error_t e = NULL;
  if (sk_read_file ("/proc/filesystems", &fs, &len, &e) < 0)
    {
      sk_error_free (&e);
      return false;
    }
  return strstr (fs, "\tresctrl\n") != NULL;
}

static void
gen_linux (sk_jgen *g)
{
  sk_jgen_key (g, "linux");
  sk_jgen_map_open (g);

  /* All eight of config-linux.md; the parser accepts each as a type.  */
  static const char *const namespaces[] = {
    "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL
  };
  strv_array (g, "namespaces", namespaces);

  _cleanup_strv_ char **caps = sk_caps_known_names ();
  strv_array (g, "capabilities", (const char *const *) caps);

  sk_jgen_key (g, "cgroup");
  sk_jgen_map_open (g);
  sk_jgen_kv_bool (g, "v1", true);   /* the v1 manager (hybrid and legacy hosts) */
  sk_jgen_kv_bool (g, "v2", true);
  /* True only when the driver is built in and systemd answers on the bus
   * (callers such as podman pick the cgroup manager from this).  */
  sk_jgen_kv_bool (g, "systemd", sk_cgroup_systemd_available ());
  /* The rootless driver (a user's own systemd): built in, and the host on
   * pure cgroup v2, where systemd delegates to users.  */
  sk_jgen_kv_bool (g, "systemdUser", sk_cgroup_systemd_user_supported ());
  sk_jgen_kv_bool (g, "rdma", true);
  sk_jgen_map_close (g);

  gen_seccomp (g);
  kv_enabled (g, "apparmor", sk_apparmor_enabled ());
  kv_enabled (g, "selinux", sk_selinux_enabled ());
  kv_enabled (g, "intelRdt", resctrl_available ());

  sk_jgen_key (g, "mountExtensions");
  sk_jgen_map_open (g);
  kv_enabled (g, "idmap", true);
  sk_jgen_map_close (g);

  kv_enabled (g, "netDevices", true);

  static const char *const mpol_modes[] = {
    "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL
  };
  static const char *const mpol_flags[] = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES", NULL
  };
  sk_jgen_key (g, "memoryPolicy");
  sk_jgen_map_open (g);
  strv_array (g, "modes", mpol_modes);
  strv_array (g, "flags", mpol_flags);
  sk_jgen_map_close (g);

  sk_jgen_map_close (g);
}

char *
sk_features_json (sk_error_t *err)
{
  static const char *const hooks[] = {
    "prestart", "createRuntime", "createContainer", "startContainer",
    "poststart", "poststop", NULL
  };
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (true);
  if (g == NULL)
    {
      sk_error_set (err, ENOMEM, "features");
      return NULL;
    }
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "ociVersionMin", "1.0.0");
  sk_jgen_kv_string (g, "ociVersionMax", SKIFF_SPEC_VERSION);
  strv_array (g, "hooks", hooks);
  /* mounts.c's own table (linux.h): features and the parser cannot drift.  */
  strv_array (g, "mountOptions", sk_mount_option_names);
  gen_linux (g);

  const struct scmp_version *v = seccomp_version ();
  char ver[32];
  snprintf (ver, sizeof ver, "%u.%u.%u", v->major, v->minor, v->micro);
  sk_jgen_key (g, "annotations");
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "io.github.seccomp.libseccomp.version", ver);
  /* runc says whether it was built with checkpoint support
   * (org.opencontainers.runc.checkpoint.enabled); skiff always is, so it
   * says whether CRIU works here, as `checkpoint --help` does, and why not.  */
  _cleanup_free_ char *criu = NULL;
  sk_error_t ce = NULL;
  bool ok = sk_checkpoint_available (&criu, &ce) == 0;
  sk_jgen_kv_string (g, "org.skiff.checkpoint.enabled", ok ? "true" : "false");
  if (ok)
    sk_jgen_kv_string (g, "org.skiff.checkpoint.criu.version", criu);
  else
    sk_jgen_kv_string (g, "org.skiff.checkpoint.unavailable", ce->msg);
  sk_error_free (&ce);
  sk_jgen_map_close (g);

  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  if (out == NULL)
    sk_error_set (err, ENOMEM, "features");
  return out;
}
