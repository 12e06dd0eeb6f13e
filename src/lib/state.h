/* Container state under <root>/<id>/:
 *   lock        flock()ed for create/start/kill/delete/pause/update
 *   state.json  written atomically (temp file, rename; not fsynced: util/fs.h)
 *   exec.fifo   present while the container is `created`
 *
 * Status is computed, never trusted from disk: pid gone or its start time
 * differs from the recorded one -> stopped; exec.fifo present, or the
 * process still runs the image it had at create (it has not reached
 * execve yet: startContainer hooks) -> created; cgroup frozen -> paused;
 * else running.  */
#ifndef SKIFF_STATE_H
#define SKIFF_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>
#include "cgroup/cgroup.h"
#include "util/json.h"

enum sk_status
{
  SK_STATUS_CREATING,
  SK_STATUS_CREATED,
  SK_STATUS_RUNNING,
  SK_STATUS_PAUSED,
  SK_STATUS_STOPPED
};

struct sk_state
{
  char *oci_version;
  char *id;
  pid_t pid;                   /* 0 while creating */
  uint64_t pid_start;          /* /proc/<pid>/stat field 22 */
  uint64_t init_exe_dev;       /* stat of /proc/<pid>/exe at create (skiff's */
  uint64_t init_exe_ino;       /* sealed memfd); 0 when unknown */
  char *bundle;
  char *rootfs;
  char *created;               /* RFC 3339 */
  char *owner;                 /* "" as runc writes for root */
  struct sk_kvs annotations;
  char *cgroup_mountpoint;     /* NULL when the container has no cgroup */
  char *cgroup_path;
  bool cgroup_created;
  int cgroup_created_depth;    /* path components create made */
  bool systemd_cgroup;
  /* The cgroup manager and every hierarchy's place (v1/hybrid: one per
   * hierarchy; v2: one, the same as cgroup_mountpoint/cgroup_path above,
   * which stay for readers of older files).  Absent in state files from
   * before v1 support: then cgroup_mountpoint/cgroup_path are v2.  */
  char *cgroup_manager;
  struct sk_cgroup_place *cgroup_places;
  size_t n_cgroup_places;
  bool has_poststop;           /* config has poststop hooks: delete runs them */
  bool rdt_created;            /* intelRdt: we created the CLOS dir */
  bool no_process;             /* config without `process`: start refuses */
  bool incomplete;             /* state.json written by a create that has
                                * not finished yet (createComplete false) */
  bool from_intent;            /* no state.json: cgroup and pid come from
                                * intent.json of a create in progress or
                                * one that died (intent.h) */
  enum sk_status status;       /* computed by sk_state_refresh */
};

const char *sk_status_name (enum sk_status s);

/* "cgroupManager" and "cgroupPlaces", written and read the same way in
 * state.json and intent.json.  */
void sk_state_gen_cgroup_places (sk_jgen *g, const struct sk_state *st);
int sk_state_parse_cgroup_places (const sk_json *root, struct sk_state *st, sk_error_t *err);
/* Reopen the container's cgroup (every hierarchy) from what state.json
 * recorded; st->cgroup_path must be set.  */
struct sk_cgroup *sk_state_open_cgroup (const struct sk_state *st, sk_error_t *err);

/* <root>/<id>; the id must have been validated.  */
char *sk_state_dir (const char *root, const char *id);

/* Claim <root>/<id> and lock it in one step (see state.c); returns the
 * lock fd.  Taken -> "container `ID` already exists".  */
int sk_state_claim (const char *root, const char *id, sk_error_t *err);
/* Remove claims left by creates killed before publishing (state.c).  */
void sk_state_sweep_claims (const char *root);
/* Take the per-container lock; returns the lock fd.  */
int sk_state_lock (const char *root, const char *id, sk_error_t *err);

int sk_state_write (const char *root, const struct sk_state *st, sk_error_t *err);
/* Load and compute status.  A missing dir -> "container `ID` does not exist".  */
struct sk_state *sk_state_load (const char *root, const char *id, sk_error_t *err);
void sk_state_refresh (const char *root, struct sk_state *st);
void sk_state_free (struct sk_state *st);
int sk_state_remove (const char *root, const char *id, sk_error_t *err);

/* The spec's state JSON (ociVersion, id, status, pid, bundle, annotations)
 * plus rootfs, created, owner, as go-runc reads them.  */
char *sk_state_to_json (const struct sk_state *st, bool pretty, sk_error_t *err);
/* The private file form (state.json) and back.  */
char *sk_state_serialize (const struct sk_state *st, sk_error_t *err);
struct sk_state *sk_state_parse (const char *json, size_t len, sk_error_t *err);

/* Start time of a pid (field 22 of /proc/<pid>/stat), 0 if gone.  */
uint64_t sk_proc_start_time (pid_t pid);

static inline void sk_state_freep (struct sk_state **s) { if (*s) sk_state_free (*s); *s = NULL; }
#define _cleanup_state_ __attribute__ ((cleanup (sk_state_freep)))

#endif
