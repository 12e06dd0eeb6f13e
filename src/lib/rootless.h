/* Rootless mode: skiff run by an ordinary user (podman rootless, rootless
 * containerd/nerdctl, CI).  The rules, and how each compares with runc's,
 * are listed at the top of rootless.c.  */
#ifndef SKIFF_ROOTLESS_H
#define SKIFF_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

struct sk_cgroup;

/* Our effective uid as the parent user namespace sees it (the host uid
 * when that is the initial namespace).  */
uid_t sk_rootless_host_euid (void);

/* Checks of a config for a runtime without privilege, before anything is
 * created.  Only when geteuid() != 0 (runc's RootlessEUID): root inside a
 * user namespace (`unshare -r`) holds every capability over the
 * namespaces it creates.  */
int sk_rootless_validate (const struct sk_spec *spec, const char *rootfs, sk_error_t *err);

/* The container's cgroup in rootless mode: made where it is delegated,
 * otherwise NULL with no error (one warning) when the config sets no
 * limit, and an error naming the limit when it does.  */
struct sk_cgroup *sk_rootless_cgroup_create (const struct sk_spec *spec, const char *id,
                                             bool systemd, sk_error_t *err);

/* The ranges /etc/subuid (subgid) delegates to the user `name` or its uid:
 * does [start, start+count) fall inside them?  `file` is the path (unit
 * tests pass their own).  */
int sk_subid_covers (const char *file, const char *name, uid_t uid, unsigned start,
                     unsigned count, bool *covered, sk_error_t *err);

#endif
