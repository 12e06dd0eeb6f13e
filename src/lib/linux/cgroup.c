/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/cgroup.h"
int sk_cgroup_validate (const struct sk_spec *spec, sk_error_t *err) { return 0; }
struct sk_cgroup *sk_cgroup_create (const struct sk_spec *spec, const char *id, bool systemd, sk_error_t *err) { return NULL; }
struct sk_cgroup *sk_cgroup_open (const char *mountpoint, const char *path, bool created, sk_error_t *err) { sk_error_set (err, 0, "cgroup: not implemented"); return NULL; }
void sk_cgroup_free (struct sk_cgroup *cg) { }
int sk_cgroup_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err) { return 0; }
int sk_cgroup_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err) { return 0; }
int sk_cgroup_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err) { return sk_error_set (err, 0, "cgroup: not implemented"); }
int sk_cgroup_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err) { *frozen = false; return 0; }
int sk_cgroup_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err) { return sk_error_set (err, 0, "cgroup: not implemented"); }
int sk_cgroup_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err) { return sk_error_set (err, 0, "cgroup: not implemented"); }
char *sk_cgroup_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err) { sk_error_set (err, 0, "cgroup: not implemented"); return NULL; }
int sk_cgroup_destroy (struct sk_cgroup *cg, sk_error_t *err) { return 0; }
