/* delete: runtime.md "Delete" and lifecycle steps 11-12.  */
#include <config.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "container_priv.h"
#include "util/cleanup.h"

/* Poststop hooks after the container's resources are gone (runtime.md
 * step 12); a failing one is a warning and the lifecycle goes on.  */
static void
run_poststop (struct sk_state *st, struct sk_spec *spec)
{
  if (spec == NULL || spec->hooks.poststop.n == 0)
    return;
  sk_error_t e = NULL;
  st->status = SK_STATUS_STOPPED;
  _cleanup_free_ char *json = sk_state_to_json (st, false, &e);
  /* hooks stream: every poststop hook runs even after one failed.  */
  if (json == NULL)
    sk_log_warn ("poststop hooks: %s", e ? e->msg : "state");
  else
    sk_hooks_run_warn (&spec->hooks.poststop, "poststop", json);
  sk_error_free (&e);
}

int
sk_delete_locked (const struct sk_global *g, struct sk_state *st, bool force, sk_error_t *err)
{
  if (st->status != SK_STATUS_STOPPED && st->status != SK_STATUS_CREATING && !force)
    return sk_error_set (err, 0, "cannot delete container `%s` that is not stopped: %s "
                         "(use --force)", st->id, sk_status_name (st->status));
  _cleanup_cgroup_ struct sk_cgroup *cg = NULL;
  if (st->cgroup_path)
    {
      sk_error_t e = NULL;
      cg = sk_state_open_cgroup (st, &e);
      sk_error_free (&e);
    }
  /* A create that died before finishing (no state.json: from_intent, or
   * an incomplete one) may have left its init running: kill it too,
   * whatever its computed status.  */
  if ((st->status != SK_STATUS_STOPPED || st->from_intent || st->incomplete) && st->pid > 0)
    {
      /* --force: a paused cgroup must be thawed for SIGKILL to land.  */
      if (cg)
        {
          sk_error_t e = NULL;
          sk_cgroup_kill_all (cg, SIGKILL, &e);
          sk_cgroup_freeze (cg, false, &e);
          sk_error_free (&e);
        }
      if (sk_proc_start_time (st->pid) == st->pid_start)
        sk_kill_and_wait (st->pid, false);
    }
  /* destroy removes only what skiff created, and detaches our device
   * filter from a pre-existing cgroup.  */
  if (cg && sk_cgroup_destroy (cg, err) < 0)
    return sk_error_prefix (err, "delete container `%s`", st->id);
  sk_error_t e = NULL;
  _cleanup_spec_ struct sk_spec *spec = NULL;
  if (st->bundle && (st->has_poststop || st->rdt_created))
    {
      spec = sk_container_load_spec (g, st, &e);
      if (spec == NULL)
        sk_log_warn ("delete `%s`: %s: poststop hooks not run", st->id, e->msg);
      sk_error_free (&e);
    }
  if (spec && sk_intelrdt_destroy (spec, st->id, &e) < 0)
    sk_log_warn ("delete `%s`: %s", st->id, e->msg);
  sk_error_free (&e);
  if (sk_state_remove (g->root, st->id, err) < 0)
    return sk_error_prefix (err, "delete container `%s`", st->id);
  run_poststop (st, spec);
  return 0;
}

/* No state directory under the root for this (valid) id.  */
static bool
state_absent (const struct sk_global *g, const char *id)
{
  _cleanup_free_ char *dir = sk_state_dir (g->root, id);
  struct stat sb;
  return dir && lstat (dir, &sb) < 0 && errno == ENOENT;
}

int
sk_container_delete (const struct sk_global *g, const char *id, bool force, sk_error_t *err)
{
  int lock = -1;
  /* A create killed before its directory was published left only a
   * private claim: delete is where a user cleans up, so sweep them.  */
  sk_state_sweep_claims (g->root);
  _cleanup_state_ struct sk_state *st = sk_container_load_locked (g, id, &lock, err);
  /* Not in the spec (runtime.md: deleting an unknown container "MUST
   * generate an error"), but `delete --force` of an unknown id succeeds
   * silently in runc, and callers rely on it: containerd's runc shim runs
   * it after every delete, podman after a failed create.  Plain delete
   * keeps the error, and so does an invalid id.  */
  if (st == NULL && force && sk_validate_id (id, NULL) == 0 && state_absent (g, id))
    {
      sk_error_free (err);
      return 0;
    }
  if (st == NULL)
    return -1;
  int r = sk_delete_locked (g, st, force, err);
  close (lock);
  return r;
}
