/* The validation table: see validate.h.  Each check is cheap (it runs on
 * every create) and names the config path it rejects.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <skiff/container.h>
#include "validate.h"
#include "linux/linux.h"
#include "cgroup/cgroup.h"
#include "linux/security.h"

#define SK_ID_MAX 1024

/* The id comes from the command line: echo it with control characters
 * and non-ASCII bytes escaped, so the error stays one printable line.  */
static int
invalid_char (const char *id, sk_error_t *err)
{
  char shown[256];
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *) id; *p && o + 5 < sizeof shown; p++)
    {
      if (*p >= 0x20 && *p < 0x7f)
        shown[o++] = (char) *p;
      else
        o += (size_t) snprintf (shown + o, sizeof shown - o, "\\x%02x", *p);
    }
  shown[o] = '\0';
  return sk_error_set (err, 0, "invalid container id `%s`: only [A-Za-z0-9_.+-] allowed", shown);
}

int
sk_validate_id (const char *id, sk_error_t *err)
{
  if (id == NULL || *id == '\0')
    return sk_error_set (err, 0, "invalid container id ``: empty");
  if (strlen (id) > SK_ID_MAX)
    return sk_error_set (err, 0, "invalid container id: longer than %d bytes", SK_ID_MAX);
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return sk_error_set (err, 0, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++)
    {
      char c = *p;
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '.' || c == '+';
      if (!ok)
        return invalid_char (id, err);
    }
  return 0;
}

static int
check_version (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  if (spec->oci_version == NULL || strncmp (spec->oci_version, "1.", 2) != 0)
    return sk_error_set (err, 0, "config.json: ociVersion: unsupported version `%s` (want 1.x)",
                         spec->oci_version ? spec->oci_version : "");
  return 0;
}

static int
check_rootfs (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  struct stat st;
  if (stat (rootfs, &st) < 0)
    return sk_error_set (err, errno, "config.json: root.path: `%s`", rootfs);
  if (!S_ISDIR (st.st_mode))
    return sk_error_set (err, ENOTDIR, "config.json: root.path: `%s`", rootfs);
  return 0;
}

static int
check_process (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  const struct sk_process *p = spec->process;
  if (p == NULL)
    return 0;
  if (p->args.n == 0 || p->args.v[0][0] == '\0')
    return sk_error_set (err, 0, "config.json: process.args: must not be empty");
  if (p->cwd == NULL || p->cwd[0] != '/')
    return sk_error_set (err, 0, "config.json: process.cwd: `%s` is not an absolute path",
                         p->cwd ? p->cwd : "");
  return 0;
}

static bool
id_mapped (const struct sk_id_mappings *m, uint32_t id)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->v[i].container_id && id - m->v[i].container_id < m->v[i].size)
      return true;
  return false;
}

/* config-linux.md "Namespaces": a namespace type that is not listed is
 * inherited from the runtime; runc and crun run such a config (the
 * runtime-tools suite's NSInheritWithoutType check).  Without a mount
 * namespace of its own the container shares the runtime's mount table, so
 * skiff makes no mount at all: the process is chrooted into root.path
 * (as --no-pivot does; exec enters the same root through /proc/PID/root),
 * and no default devices are made.
 * Everything that could only be done by mounting in the host's namespace
 * is refused here, before anything exists, naming the field.  */
static int
check_no_mount_ns (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  const char *why = NULL;
  if (spec->n_mounts)
    why = "mounts";
  else if (l->masked_paths.n)
    why = "linux.maskedPaths";
  else if (l->readonly_paths.n)
    why = "linux.readonlyPaths";
  else if (spec->root && spec->root->readonly)
    why = "root.readonly";
  else if (l->rootfs_propagation && *l->rootfs_propagation)
    why = "linux.rootfsPropagation";
  else if (l->n_devices)
    why = "linux.devices";
  else if (l->mount_label && *l->mount_label)
    why = "linux.mountLabel";
  else if (spec->process && spec->process->terminal)
    why = "process.terminal";   /* a devpts and /dev/console are mounts */
  if (why)
    return sk_error_set (err, 0, "config.json: %s: needs a mount namespace (without one, "
                         "every mount would be made in the runtime's own namespace; add "
                         "{\"type\": \"mount\"} to linux.namespaces)", why);
  return 0;
}

static int
check_namespaces (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  if (l == NULL)
    return sk_error_set (err, 0, "config.json: linux: required on Linux");
  if (sk_spec_namespace (spec, SK_NS_MOUNT) == NULL && check_no_mount_ns (spec, err) < 0)
    return -1;
  const struct sk_namespace *user = sk_spec_namespace (spec, SK_NS_USER);
  if ((l->uid_mappings.n || l->gid_mappings.n) && user == NULL)
    return sk_error_set (err, 0, "config.json: linux.uidMappings: set without a user namespace");
  if (user && user->path == NULL && (l->uid_mappings.n == 0 || l->gid_mappings.n == 0))
    return sk_error_set (err, 0, "config.json: linux.namespaces: a new user namespace needs "
                         "linux.uidMappings and linux.gidMappings");
  if (user && user->path == NULL && spec->process
      && (!id_mapped (&l->uid_mappings, spec->process->user.uid)
          || !id_mapped (&l->gid_mappings, spec->process->user.gid)))
    return sk_error_set (err, 0, "config.json: process.user: uid %u / gid %u is not in "
                         "linux.uidMappings / linux.gidMappings", spec->process->user.uid,
                         spec->process->user.gid);
  if (l->time_monotonic.set || l->time_boottime.set)
    {
      const struct sk_namespace *t = sk_spec_namespace (spec, SK_NS_TIME);
      if (t == NULL || t->path)
        return sk_error_set (err, 0, "config.json: linux.timeOffsets: needs a new time namespace");
    }
  return sk_ns_validate_paths (spec, err);
}

static int
check_attrs (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  return sk_attrs_validate (spec, err);
}

static int
check_cgroup (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  return sk_cgroup_validate (spec, err);
}

/* Capability warnings, LSM availability (security.c).  */
static int
check_security (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  return sk_security_validate (spec, err);
}

typedef int (*check_fn) (const struct sk_spec *spec, const char *rootfs, sk_error_t *err);

static const check_fn checks[] = {
  check_version,
  check_rootfs,
  check_process,
  check_namespaces,
  check_attrs,
  check_cgroup,
  check_security,
};

int
sk_validate_spec (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
    if (checks[i] (spec, rootfs, err) < 0)
      return -1;
  return 0;
}

int
sk_validate_preserve_fds (int listen_fds, int preserve_fds, sk_error_t *err)
{
  struct rlimit rl;
  if (preserve_fds < 0 || listen_fds < 0)
    return sk_error_set (err, 0, "--preserve-fds %d: must not be negative", preserve_fds);
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return sk_error_set (err, errno, "getrlimit RLIMIT_NOFILE");
  uint64_t max = rl.rlim_cur == RLIM_INFINITY ? INT_MAX : (uint64_t) rl.rlim_cur;
  if (max > INT_MAX)
    max = INT_MAX;
  if ((uint64_t) listen_fds + (uint64_t) preserve_fds + 3 > max)
    return sk_error_set (err, 0, "--preserve-fds %d: fds 3..%" PRIu64 " exceed the open file "
                         "limit (%" PRIu64 ")", preserve_fds,
                         (uint64_t) listen_fds + preserve_fds + 2, max);
  return 0;
}
