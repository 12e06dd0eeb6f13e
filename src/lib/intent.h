/* intent.json: what a `create` is about to make, written to the state dir
 * (atomically) BEFORE it makes it.
 *
 * state.json only exists once the container's init is far along; a create
 * killed before that (SIGKILL, OOM, power loss) used to leave a cgroup and
 * an init process nobody recorded.  With the intent on disk first,
 * `delete` (and `state`) of such a half-made container know what to kill
 * and remove, whatever stage died:
 *
 *   {"cgroupManager": "v1-hybrid", "cgroupPlaces": [{"controllers": C,
 *    "mountpoint": M, "path": P, "created": B, "createdDepth": N}, ...],
 *    "pid": PID, "pidStart": START}
 *
 * cgroupPlaces: one per hierarchy, as the manager reported them before its
 * first mkdir (sk_cgroup_set_intent_hook), in state.json's own format, so
 * delete reopens them the same way; createdDepth components are ours.
 * pid: the first process create cloned (0 until then).  */
#ifndef SKIFF_INTENT_H
#define SKIFF_INTENT_H

#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>
#include "cgroup/cgroup.h"
#include "state.h"

struct sk_create_intent
{
  struct sk_state st;     /* only cgroup_manager, cgroup_places, pid, pid_start */
};

int sk_intent_write (int state_dirfd, const struct sk_create_intent *in, sk_error_t *err);
/* Copy the places the manager reported into in (its hook's data).  */
int sk_intent_set_cgroup (struct sk_create_intent *in, const char *manager,
                          const struct sk_cgroup_place *places, size_t n, sk_error_t *err);
void sk_intent_clear (struct sk_create_intent *in);
/* A state dir without state.json: fill st from its intent.json (cgroup,
 * pid) if there is one.  Returns 1 when loaded, 0 when absent, -1.  */
int sk_intent_load (const char *state_dir, struct sk_state *st, sk_error_t *err);
/* Parse the text of an intent.json (exposed for the fuzzer).  */
int sk_intent_parse (const char *json, size_t len, struct sk_state *st, sk_error_t *err);

#endif
