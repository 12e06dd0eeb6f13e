/* The systemd cgroup driver (--systemd-cgroup), private to the cgroup
 * manager.  Three parts:
 *   systemd_path.c   cgroupsPath `slice:prefix:name` -> slice, unit, cgroup path
 *   systemd_props.c  resources and `org.systemd.property.*` annotations ->
 *                    a typed list of unit properties (no D-Bus here, so
 *                    the mapping is unit-tested without a bus)
 *   systemd.c        the sd-bus client and the manager's function table:
 *                    a transient scope (or slice) with Delegate=yes, then
 *                    the cgroupfs manager for the files systemd does not
 *                    own: v2, or on a v1/hybrid host the v1 manager over
 *                    the unit's cgroup in every hierarchy (the ones systemd
 *                    does not manage made by skiff).  Built only with
 *                    libsystemd (HAVE_SYSTEMD).  */
#ifndef SKIFF_CGROUP_SYSTEMD_H
#define SKIFF_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

struct sk_cgroup;
struct sk_cgroup_ops;
struct sk_cgroup_place;

/* ---- cgroupsPath (systemd_path.c) -------------------------------------- */

struct sk_sd_path
{
  char *slice;    /* parent slice, "system.slice"; "-.slice" is the root */
  char *unit;     /* "docker-abc.scope", or "x-y.slice" when name ends in .slice */
  char *cgroup;   /* "/system.slice/docker-abc.scope", relative to the mount */
};

/* Parse cgroupsPath as runc reads it with --systemd-cgroup:
 * `slice:prefix:name`; absent or empty means `:skiff:<id>`.  An empty slice
 * is system.slice (user.slice when rootless).  A malformed path is an error
 * that shows the expected form.  */
int sk_sd_parse_path (const char *cgroups_path, const char *id, bool rootless,
                      struct sk_sd_path *out, sk_error_t *err);
void sk_sd_path_clear (struct sk_sd_path *p);
/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", "-.slice" -> "" (as
 * systemd's unit_name_to_path places slices).  */
int sk_sd_expand_slice (const char *slice, char **out, sk_error_t *err);
/* systemd's unit name alphabet and length.  */
bool sk_sd_unit_name_valid (const char *name);

/* ---- properties (systemd_props.c) -------------------------------------- */

enum sk_sd_type
{
  SK_SD_U64,      /* t */
  SK_SD_I64,      /* x */
  SK_SD_U32,      /* u */
  SK_SD_I32,      /* i */
  SK_SD_BOOL,     /* b */
  SK_SD_STR,      /* s */
  SK_SD_BYTES,    /* ay (AllowedCPUs, AllowedMemoryNodes bit masks) */
  SK_SD_PIDS,     /* au */
  SK_SD_STRV,     /* as */
  SK_SD_PAIRS,    /* a(ss): strv holds them flat (DeviceAllow) */
};

struct sk_sd_prop
{
  char *name;
  enum sk_sd_type type;
  uint64_t u;            /* U64, U32, BOOL; I64/I32 stored as two's complement */
  char *s;               /* STR */
  uint8_t *bytes;        /* BYTES */
  size_t n_bytes;
  uint32_t *pids;        /* PIDS */
  size_t n_pids;
  char **strv;           /* STRV, NULL-terminated */
};

struct sk_sd_props
{
  struct sk_sd_prop *v;
  size_t n;
};

#define SK_SD_INFINITY UINT64_MAX

int sk_sd_props_add_u64 (struct sk_sd_props *p, const char *name, uint64_t v, sk_error_t *err);
int sk_sd_props_add_bool (struct sk_sd_props *p, const char *name, bool v, sk_error_t *err);
int sk_sd_props_add_str (struct sk_sd_props *p, const char *name, const char *v, sk_error_t *err);
int sk_sd_props_add_pid (struct sk_sd_props *p, const char *name, pid_t pid, sk_error_t *err);
void sk_sd_props_clear (struct sk_sd_props *p);
const struct sk_sd_prop *sk_sd_props_find (const struct sk_sd_props *p, const char *name);

/* The resources systemd owns, as unit properties (the mapping table is in
 * systemd_props.c).  v2 false: the legacy names a v1/hybrid systemd takes
 * (MemoryLimit, CPUShares, BlockIOWeight).  update: `skiff update`
 * semantics (only what the request sets).  */
int sk_sd_resource_props (const struct sk_resources *r, bool v2, struct sk_sd_props *out,
                          sk_error_t *err);
/* A v1/hybrid systemd re-applies a unit's device policy to the devices
 * hierarchy whenever it re-realises the unit (daemon-reload, a sibling's
 * change): with no policy it writes `a` to devices.allow, opening every
 * device.  So on v1 the device rules (config's, then the defaults) are
 * also sent as DevicePolicy=strict + DeviceAllow (as runc does), kept
 * never wider than the rules: an allow that a later deny overlaps is left
 * out (systemd has no deny entries).  */
int sk_sd_device_props (const struct sk_device_rule *rules, size_t n, struct sk_sd_props *out,
                        sk_error_t *err);
/* `org.systemd.property.NAME` annotations, values in the GVariant text
 * subset runc accepts; NAMESec becomes NAMEUSec (seconds -> microseconds).  */
int sk_sd_annotation_props (const struct sk_kvs *annotations, struct sk_sd_props *out,
                            sk_error_t *err);
/* "0-3,8" -> the little-endian bit mask systemd takes for AllowedCPUs.  */
int sk_sd_cpuset_mask (const char *list, const char *what, uint8_t **mask, size_t *n,
                       sk_error_t *err);

/* ---- the driver (systemd.c) --------------------------------------------- */

/* A cgroup to be made by systemd: nothing exists until enter (the scope
 * needs the container's pid).  mountpoint: the cgroup2 mount the files
 * live in (/sys/fs/cgroup), or /sys/fs/cgroup with v2 false on a v1 or
 * hybrid host (v1 property names, the v1 manager's files).  */
struct sk_cgroup *sk_cgroup_systemd_new (const struct sk_spec *spec, const char *id,
                                         const char *mountpoint, bool v2, sk_error_t *err);
/* Re-open from state.json's places (one on v2, one per hierarchy on a
 * v1/hybrid host): the unit is the path's last component.  */
struct sk_cgroup *sk_cgroup_systemd_open (const struct sk_cgroup_place *places, size_t n,
                                          sk_error_t *err);
/* Built in and the bus answers (features).  */
bool sk_cgroup_systemd_available (void);
/* Built in and the host on pure cgroup v2 (features' systemdUser: the
 * rootless driver's needs; the user's bus is the user's to reach).  */
bool sk_cgroup_systemd_user_supported (void);

#endif
