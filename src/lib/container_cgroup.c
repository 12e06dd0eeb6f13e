/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include <skiff/container.h>
int sk_container_pause (const struct sk_global *g, const char *id, sk_error_t *err) { return sk_error_set (err, 0, "pause: not implemented"); }
int sk_container_resume (const struct sk_global *g, const char *id, sk_error_t *err) { return sk_error_set (err, 0, "resume: not implemented"); }
int sk_container_update (const struct sk_global *g, const char *id, const struct sk_resources *r, sk_error_t *err) { return sk_error_set (err, 0, "update: not implemented"); }
int sk_container_pids (const struct sk_global *g, const char *id, pid_t **pids, size_t *n, sk_error_t *err) { return sk_error_set (err, 0, "ps: not implemented"); }
char *sk_container_stats (const struct sk_global *g, const char *id, sk_error_t *err) { sk_error_set (err, 0, "stats: not implemented"); return NULL; }
int sk_container_events (const struct sk_global *g, const char *id, bool stats_once, unsigned interval_ms, void (*emit) (const char *line), sk_error_t *err) { return sk_error_set (err, 0, "events: not implemented"); }
