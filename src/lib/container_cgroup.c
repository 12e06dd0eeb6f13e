/* The cgroup-backed commands: pause, resume, update, ps, events.  Each
 * loads the container's state (status computed, never trusted), re-opens
 * the cgroup recorded in state.json and calls the cgroup manager.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup.h"
#include "state.h"
#include "util/cleanup.h"
#include "util/json.h"

#define EVENTS_TICK_MS 200

static struct sk_cgroup *
open_cgroup (const struct sk_state *st, sk_error_t *err)
{
  if (st->cgroup_mountpoint == NULL || st->cgroup_path == NULL)
    {
      /* Rootless without a delegated cgroup (rootless.c rule 5).  */
      sk_error_set (err, 0, "container `%s` has no cgroup%s", st->id,
                    geteuid () != 0 ? " (rootless, and no cgroup was delegated to this user)"
                                    : "");
      return NULL;
    }
  return sk_state_open_cgroup (st, err);
}

/* Lock, load, check the status is one of `allowed` (a bit mask of
 * 1 << SK_STATUS_*), open the cgroup.  */
static int
load (const struct sk_global *g, const char *id, unsigned allowed, const char *refusal,
      int *lock, struct sk_state **st, struct sk_cgroup **cg, sk_error_t *err)
{
  if (sk_validate_id (id, err) < 0)
    return -1;
  *lock = sk_state_lock (g->root, id, err);
  if (*lock < 0)
    return -1;
  *st = sk_state_load (g->root, id, err);
  if (*st == NULL)
    return -1;
  if (!(allowed & (1u << (*st)->status)))
    return sk_error_set (err, 0, "%s", refusal);
  *cg = open_cgroup (*st, err);
  return *cg ? 0 : -1;
}

#define ALLOW(s) (1u << (s))

int
sk_container_pause (const struct sk_global *g, const char *id, sk_error_t *err)
{
  _cleanup_close_ int lock = -1;
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  if (load (g, id, ALLOW (SK_STATUS_RUNNING) | ALLOW (SK_STATUS_CREATED), "container not running",
            &lock, &st, &cg, err) < 0)
    return -1;
  return sk_cgroup_freeze (cg, true, err);
}

int
sk_container_resume (const struct sk_global *g, const char *id, sk_error_t *err)
{
  _cleanup_close_ int lock = -1;
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  bool frozen = false;
  /* A frozen container that never started still shows `created` (the
   * exec.fifo wins in the status order), yet it can be resumed.  */
  if (load (g, id, ALLOW (SK_STATUS_PAUSED) | ALLOW (SK_STATUS_CREATED), "container not paused",
            &lock, &st, &cg, err) < 0)
    return -1;
  if (st->status == SK_STATUS_CREATED
      && (sk_cgroup_is_frozen (cg, &frozen, err) < 0 || !frozen))
    return (err && *err) ? -1 : sk_error_set (err, 0, "container not paused");
  return sk_cgroup_freeze (cg, false, err);
}

int
sk_container_update (const struct sk_global *g, const char *id, const struct sk_resources *r,
                     sk_error_t *err)
{
  _cleanup_close_ int lock = -1;
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  unsigned live = ALLOW (SK_STATUS_CREATED) | ALLOW (SK_STATUS_RUNNING) | ALLOW (SK_STATUS_PAUSED);
  if (load (g, id, live, "container not running", &lock, &st, &cg, err) < 0)
    return -1;
  if (sk_cgroup_update (cg, r, err) < 0)
    return sk_error_prefix (err, "update `%s`", id);
  return 0;
}

int
sk_container_pids (const struct sk_global *g, const char *id, pid_t **pids, size_t *n,
                   sk_error_t *err)
{
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  *pids = NULL;
  *n = 0;
  if (sk_validate_id (id, err) < 0)
    return -1;
  st = sk_state_load (g->root, id, err);
  if (st == NULL)
    return -1;
  cg = open_cgroup (st, err);
  if (cg == NULL)
    return -1;
  return sk_cgroup_pids (cg, pids, n, err);
}

static char *
stats_of (const struct sk_global *g, const char *id, sk_error_t *err)
{
  _cleanup_state_ struct sk_state *st = NULL;
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  if (sk_validate_id (id, err) < 0)
    return NULL;
  st = sk_state_load (g->root, id, err);
  if (st == NULL)
    return NULL;
  if (st->status == SK_STATUS_STOPPED)
    {
      sk_error_set (err, 0, "container not running");
      return NULL;
    }
  cg = open_cgroup (st, err);
  return cg ? sk_cgroup_stats_json (cg, id, err) : NULL;
}

char *
sk_container_stats (const struct sk_global *g, const char *id, sk_error_t *err)
{
  return stats_of (g, id, err);
}

static char *
oom_event (const char *id)
{
  _cleanup_jgen_ sk_jgen *j = sk_jgen_new (false);
  if (j == NULL)
    return NULL;
  sk_jgen_map_open (j);
  sk_jgen_kv_string (j, "type", "oom");
  sk_jgen_kv_string (j, "id", id);
  sk_jgen_map_close (j);
  return sk_jgen_finish (j, NULL);
}

static int64_t
mono_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One pass of the stream: still running?  new OOM kills?  */
static int
events_tick (const struct sk_global *g, const char *id, uint64_t *ooms, bool *stopped,
             void (*emit) (const char *line), sk_error_t *err)
{
  sk_error_t gone = NULL;
  _cleanup_state_ struct sk_state *st = sk_state_load (g->root, id, &gone);
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  uint64_t now = 0;
  if (st == NULL)
    {
      /* Deleted while we listened: the stream simply ends.  */
      sk_error_free (&gone);
      *stopped = true;
      return 0;
    }
  *stopped = st->status == SK_STATUS_STOPPED;
  cg = open_cgroup (st, err);
  if (cg == NULL || sk_cgroup_oom_kills (cg, &now, err) < 0)
    return -1;
  /* memory.events counts since the cgroup was made; report increases.  */
  for (; *ooms < now; (*ooms)++)
    {
      _cleanup_free_ char *line = oom_event (id);
      if (line)
        emit (line);
    }
  return 0;
}

int
sk_container_events (const struct sk_global *g, const char *id, bool stats_once,
                     unsigned interval_ms, void (*emit) (const char *line), sk_error_t *err)
{
  if (stats_once)
    {
      _cleanup_free_ char *s = stats_of (g, id, err);
      if (s == NULL)
        return -1;
      emit (s);
      return 0;
    }
  _cleanup_free_ char *first = stats_of (g, id, err);
  if (first == NULL)
    return -1;
  uint64_t ooms = 0;
  bool stopped = false;
  /* Only OOM kills after we start listening are events.  */
  {
    _cleanup_state_ struct sk_state *st = sk_state_load (g->root, id, err);
    _cleanup_cgroup_ struct sk_cgroup *cg = st ? open_cgroup (st, err) : NULL;
    if (cg == NULL || sk_cgroup_oom_kills (cg, &ooms, err) < 0)
      return -1;
  }
  emit (first);
  int64_t next_stats = mono_ms () + interval_ms;
  while (!stopped)
    {
      struct timespec ts = { 0, EVENTS_TICK_MS * 1000000L };
      nanosleep (&ts, NULL);
      if (events_tick (g, id, &ooms, &stopped, emit, err) < 0)
        return -1;
      if (!stopped && interval_ms && mono_ms () >= next_stats)
        {
          sk_error_t e = NULL;
          _cleanup_free_ char *s = stats_of (g, id, &e);
          if (s)
            emit (s);
          sk_error_free (&e);
          next_stats += interval_ms;
        }
    }
  return 0;
}
