/* The cgroup manager interface.  Callers (container.c, exec, the CLI's
 * pause, update, ps, events, kill and delete via the library) use only the
 * functions below and never learn which cgroup version the host has.
 *
 * Layout detection (layout.c, once per process, from /proc/self/mountinfo
 * and statfs) picks the manager:
 *   pure v2   cgroup2 at /sys/fs/cgroup: the v2 manager (cgroup_v2*.c);
 *   hybrid    v1 controller hierarchies plus cgroup2 at
 *             /sys/fs/cgroup/unified: the v1 manager (cgroup_v1*.c), which
 *             takes the controllers from v1 as runc does and also places
 *             the container in the unified hierarchy and `name=systemd`;
 *   legacy    v1 hierarchies only: the v1 manager;
 *   a hybrid host whose v1 side has no controller hierarchy (only
 *   name=systemd) keeps the v2 manager on the unified hierarchy
 *   ("v2-hybrid").
 *
 * A manager is a table (struct sk_cgroup_ops).  A further manager (a
 * systemd driver that asks systemd for a scope and then writes the same
 * files) fills the same table: it needs create/destroy of its own and can
 * reuse the v1 or v2 functions for the rest.  */
#ifndef SKIFF_CGROUP_H
#define SKIFF_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

/* Where a container's cgroup lives in one hierarchy: what state.json
 * keeps so that any later command can reopen it.  */
struct sk_cgroup_place
{
  char *controllers;      /* v1: the hierarchy's controllers as mounted
                           * ("cpu,cpuacct", "name=systemd"); "" for the
                           * unified hierarchy */
  char *mountpoint;
  char *path;             /* relative to mountpoint, starts with '/' */
  bool created;           /* we made it: delete removes only what we made */
  int created_depth;      /* how many path components we made */
};

/* A container's cgroup.  On v2 one directory; on v1/hybrid the top object
 * holds one sub-cgroup per hierarchy (hier[]), each a struct sk_cgroup of
 * its own whose `controllers` says which hierarchy it is.  */
struct sk_cgroup
{
  const struct sk_cgroup_ops *ops;
  char *mountpoint;       /* v2: /sys/fs/cgroup or /sys/fs/cgroup/unified;
                           * v1: /sys/fs/cgroup (the hierarchies' parent) */
  char *path;             /* relative to mountpoint, starts with '/' */
  int dirfd;              /* O_DIRECTORY fd on the cgroup, -1 if not open
                           * (v1 top: a dup of one hierarchy's, to tell
                           * "gone" from "there") */
  bool created;
  int created_depth;      /* how many path components we made (leaf first):
                           * delete removes the empty parents it made too */
  char *full;             /* mountpoint + path, for messages */
  char *controllers;      /* a v1 hierarchy: its controllers; "" unified */
  struct sk_cgroup **hier;   /* v1 manager: one per hierarchy joined */
  size_t n_hier;
  struct sk_cgroup_place *places;   /* what to save (sk_cgroup_places) */
  size_t n_places;
  char *unit;             /* systemd driver: the unit owning the cgroup, else NULL */
  void *driver;           /* the manager's own state, freed with driver_free */
  void (*driver_free) (void *driver);
};

struct sk_cgroup_stats;   /* defined by the manager, serialised by it */

struct sk_cgroup_ops
{
  const char *name;       /* "v2", "v2-hybrid", "v1", "v1-hybrid": saved in
                           * state.json to reopen with the same manager */
  /* v2: make cg->path (resolved by the front) and apply r.  The v1
   * managers resolve one path per hierarchy themselves, so the front
   * calls sk_cg_v1_create for them instead (their `create` only refuses);
   * a systemd manager would be a third branch there: ask systemd for the
   * scope, then fill cg (or cg->hier[]) and reuse the v1 or v2 entries
   * below for everything else.  */
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
 * On v1 and hybrid hosts (one directory per hierarchy), as runc's fs
 * manager: absolute below each hierarchy's mount point; relative below
 * skiff's OWN cgroup of each hierarchy (v1 has no no-internal-process
 * rule; the unified hierarchy of a hybrid host is treated alike).
 * A pre-existing cgroup holding processes is joined with a warning (runc
 * does), unless v2's no-internal-processes rule forbids it.
 * A `..` component is refused (it would escape the hierarchy).
 * With systemd (--systemd-cgroup) the path is `slice:prefix:name` and the
 * cgroup is a transient unit systemd makes at enter (cgroup/systemd.h);
 * its manager name in state.json is "systemd".  */
struct sk_cgroup *sk_cgroup_create (const struct sk_spec *spec, const char *id,
                                    bool systemd, sk_error_t *err);
/* Create's intent (intent.h): when set, the manager calls fn once every
 * hierarchy's path is resolved and BEFORE its first mkdir, with the places
 * it is about to use (created_depth: the path components that do not
 * exist yet, leaf first; 0: an existing cgroup is joined).  create writes
 * them to the state dir, fsynced, so that delete --force can remove them
 * whatever stage died.  A failing fn aborts the create.  */
typedef int (*sk_cgroup_intent_fn) (void *data, const char *manager,
                                    const struct sk_cgroup_place *places, size_t n,
                                    sk_error_t *err);
void sk_cgroup_set_intent_hook (sk_cgroup_intent_fn fn, void *data);
/* Re-open a v2 cgroup from its mount point and path.  */
struct sk_cgroup *sk_cgroup_open (const char *mountpoint, const char *path,
                                  bool created, sk_error_t *err);
/* Re-open a container's cgroup from what state.json recorded: manager is
 * the table's name (NULL in state files written before v1 support: then
 * the single place is a v2 cgroup), places one per hierarchy.  */
struct sk_cgroup *sk_cgroup_open_places (const char *manager,
                                         const struct sk_cgroup_place *places, size_t n,
                                         sk_error_t *err);
/* What to record in state.json (owned by cg).  */
const struct sk_cgroup_place *sk_cgroup_places (const struct sk_cgroup *cg, size_t *n);
const char *sk_cgroup_manager_name (const struct sk_cgroup *cg);
/* The fd clone3 CLONE_INTO_CGROUP can take, or -1 when the process must
 * be moved with sk_cgroup_enter instead (v1: one write per hierarchy).  */
int sk_cgroup_clone_fd (const struct sk_cgroup *cg);
/* `exec --cgroup`: the directories a new process joins, as runc takes
 * them: NULL/none = the container's cgroup; "PATH" = that sub-cgroup in
 * every hierarchy; "CTRL[,CTRL]:PATH" (repeatable) = that sub-cgroup in
 * the hierarchy holding those controllers, the container's cgroup in the
 * others.  Fills fds (at most max) with O_DIRECTORY fds; *clone_ok says
 * whether fds[0] alone can go to CLONE_INTO_CGROUP (v2).  */
int sk_cgroup_exec_dirs (struct sk_cgroup *cg, char *const *subs, size_t n_subs, int *fds,
                         size_t max, size_t *n, bool *clone_ok, sk_error_t *err);
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
/* The same on a v1 hierarchy, as runc's fs manager resolves it: a
 * relative path goes below skiff's OWN cgroup of that hierarchy (v1 has
 * no no-internal-processes rule), an absolute one below the mount.  */
int sk_cgroup_resolve_path_v1 (const char *cgroups_path, const char *id, const char *own,
                               char **out, sk_error_t *err);
int sk_cgroup_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err);
int sk_cgroup_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err);
/* The same answer from what state.json recorded (manager and places),
 * reading one file by path instead of opening the cgroup: for `state` and
 * `list`, which ask it of every running container.  A cgroup that is
 * gone or cannot be read is not frozen.  */
bool sk_cgroup_places_frozen (const char *manager, const struct sk_cgroup_place *places,
                              size_t n);
int sk_cgroup_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err);
int sk_cgroup_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err);
char *sk_cgroup_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err);
int sk_cgroup_destroy (struct sk_cgroup *cg, sk_error_t *err);

static inline void sk_cgroup_freep (struct sk_cgroup **c) { if (*c) sk_cgroup_free (*c); *c = NULL; }
#define _cleanup_cgroup_ __attribute__ ((cleanup (sk_cgroup_freep)))

#endif
