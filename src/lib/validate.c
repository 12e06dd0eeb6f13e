/* The validation table: see validate.h.  Each check is cheap (it runs on
 * every create) and names the config path it rejects.  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <skiff/container.h>
#include "validate.h"
#include "linux/linux.h"
#include "cgroup/cgroup.h"
#include "linux/security.h"

#define SK_ID_MAX 1024

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
        return sk_error_set (err, 0, "invalid container id `%s`: only [A-Za-z0-9_.+-] allowed",
                             id);
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

static int
check_namespaces (const struct sk_spec *spec, const char *rootfs, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  if (l == NULL)
    return sk_error_set (err, 0, "config.json: linux: required on Linux");
  if (sk_spec_namespace (spec, SK_NS_MOUNT) == NULL)
    return sk_error_set (err, 0, "config.json: linux.namespaces: a mount namespace is required");
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
