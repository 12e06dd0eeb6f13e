/* The cgroup manager interface.  Callers (container.c, the CLI's pause,
 * update, ps, events commands via the library) use only these functions;
 * a manager (cgroup_v2.c today, a v1 manager later) fills the table.
 *
 * Layout detection picks the manager: pure cgroup v2 at /sys/fs/cgroup, or
 * the unified hierarchy of a hybrid host (/sys/fs/cgroup/unified), where
 * only the controllers it offers can be used and any other requested
 * resource is an error naming the controller.  */
#ifndef SKIFF_CGROUP_H
#define SKIFF_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

struct sk_cgroup
{
  const struct sk_cgroup_ops *ops;
  char *mountpoint;       /* /sys/fs/cgroup or /sys/fs/cgroup/unified */
  char *path;             /* relative to mountpoint, starts with '/' */
  int dirfd;              /* O_DIRECTORY fd on the cgroup, -1 if not open */
  bool created;
  int created_depth;      /* how many path components we made (leaf first):
                           * delete removes the empty parents it made too */           /* we made it (delete removes only what we made) */
  char *full;             /* mountpoint + path, for messages */
};

struct sk_cgroup_stats;   /* defined by the manager, serialised by it */

struct sk_cgroup_ops
{
  const char *name;       /* "v2", "v2-hybrid" */
  int (*create) (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
  int (*apply) (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
  /* Like apply, for `skiff update`: partial values keep what is set.  */
  int (*update) (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
  int (*enter) (struct sk_cgroup *cg, pid_t pid, sk_error_t *err);
  int (*freeze) (struct sk_cgroup *cg, bool frozen, sk_error_t *err);
  int (*is_frozen) (struct sk_cgroup *cg, bool *frozen, sk_error_t *err);
  int (*kill_all) (struct sk_cgroup *cg, int signo, sk_error_t *err);
  int (*pids) (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err);
  char *(*stats_json) (struct sk_cgroup *cg, const char *id, sk_error_t *err);
  /* memory.events `oom_kill` counter (0 without the memory controller).  */
  int (*oom_kills) (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err);
  int (*destroy) (struct sk_cgroup *cg, sk_error_t *err);
};

/* Validate the resources against the host before anything is created
 * (controllers available, values in range).  */
int sk_cgroup_validate (const struct sk_spec *spec, sk_error_t *err);

/* Resolve cgroupsPath, create it with its parents, enable controllers
 * down the path and apply resources (and the device filter).  The
 * returned dirfd is what clone3 CLONE_INTO_CGROUP takes.  On failure
 * nothing this call created is left.
 *
 * Paths (as runc resolves them, so both runtimes put a container in the
 * same place):
 *   "/a/b"  absolute: relative to the cgroup2 mount point;
 *   "a/b"   relative: below the PARENT of skiff's own cgroup (its own
 *           cgroup holds processes, and cgroup v2's no-internal-process
 *           rule forbids enabling controllers for children there);
 *   absent  the relative path "<id>".
 * A `..` component is refused (it would escape the hierarchy);
 * --systemd-cgroup is an error (no systemd driver).  */
struct sk_cgroup *sk_cgroup_create (const struct sk_spec *spec, const char *id,
                                    bool systemd, sk_error_t *err);
/* Re-open a container's cgroup from the path recorded in state.json.  */
struct sk_cgroup *sk_cgroup_open (const char *mountpoint, const char *path,
                                  bool created, sk_error_t *err);
void sk_cgroup_free (struct sk_cgroup *cg);

int sk_cgroup_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err);
int sk_cgroup_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
/* `skiff update`: validate r against the host, then apply it.  */
int sk_cgroup_update (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
int sk_cgroup_oom_kills (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err);
/* "<mountpoint><path>", for messages.  */
const char *sk_cgroup_full_path (struct sk_cgroup *cg);
/* Path resolution on its own (unit tests): own is skiff's cgroup as
 * /proc/self/cgroup's `0::` line gives it.  */
int sk_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own,
                            char **out, sk_error_t *err);
int sk_cgroup_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err);
int sk_cgroup_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err);
int sk_cgroup_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err);
int sk_cgroup_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err);
char *sk_cgroup_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err);
int sk_cgroup_destroy (struct sk_cgroup *cg, sk_error_t *err);

static inline void sk_cgroup_freep (struct sk_cgroup **c) { if (*c) sk_cgroup_free (*c); *c = NULL; }
#define _cleanup_cgroup_ __attribute__ ((cleanup (sk_cgroup_freep)))

#endif
