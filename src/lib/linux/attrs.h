/* Internal interfaces of the process/host attributes area (attrs.c,
 * sched.c, sysctl.c, intelrdt.c, netdev.c).  linux.h has the entry points
 * init.c, validate.c and container.c call; this header has the pieces the
 * area's own files share and the unit tests call directly.  */
#ifndef SKIFF_LINUX_ATTRS_H
#define SKIFF_LINUX_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <skiff/error.h>
#include <skiff/spec.h>

/* How the config provides a namespace of a given type.  */
enum sk_ns_mode
{
  SK_NS_INHERITED,   /* not listed: the runtime's own */
  SK_NS_NEW,         /* listed without a path */
  SK_NS_JOINED,      /* listed with a path */
};
enum sk_ns_mode sk_attrs_ns_mode (const struct sk_spec *spec, enum sk_ns_type t,
                                  const char **path);

/* ---- sysctl.c -------------------------------------------------------- */
/* Which namespace owns the sysctl `name`; -1 when the kernel does not
 * namespace it (it would change the host).  */
int sk_sysctl_owner (const char *name);
int sk_sysctl_validate (const struct sk_spec *spec, sk_error_t *err);
/* The /proc/sys directory to write through; tests point it at a fake
 * tree (the procfs check is then skipped).  NULL restores /proc/sys.  */
void sk_sysctl_set_root (const char *path);

/* ---- sched.c: scheduler, ioPriority, memoryPolicy --------------------- */
int sk_sched_validate (const struct sk_scheduler *s, sk_error_t *err);
int sk_sched_apply (const struct sk_scheduler *s, sk_error_t *err);
int sk_ioprio_validate (const struct sk_io_priority *io, sk_error_t *err);
int sk_ioprio_apply (const struct sk_io_priority *io, sk_error_t *err);
int sk_mempolicy_validate (const struct sk_memory_policy *mp, sk_error_t *err);
int sk_mempolicy_apply (const struct sk_memory_policy *mp, sk_error_t *err);
/* Name -> value tables; -1 when unknown.  */
int sk_sched_policy_value (const char *name);
int sk_sched_flag_value (const char *name);
int sk_ioprio_class_value (const char *name);
int sk_mempolicy_mode_value (const char *name);
int sk_mempolicy_flag_value (const char *name);

/* ---- netdev.c -------------------------------------------------------- */
int sk_netdev_validate (const struct sk_spec *spec, sk_error_t *err);

/* ---- intelrdt.c ------------------------------------------------------ */
int sk_intelrdt_validate (const struct sk_spec *spec, sk_error_t *err);
/* The resctrl mountpoint; tests point it at a fake tree.  NULL restores
 * the lookup in /proc/self/mountinfo.  */
void sk_intelrdt_set_root (const char *path);

#endif
