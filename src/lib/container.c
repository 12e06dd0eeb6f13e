/* PLACEHOLDER: the lifecycle lands here next. */
#include <config.h>
#include <skiff/container.h>
int sk_container_create (const struct sk_global *g, const char *id, const struct sk_create_opts *o, sk_error_t *err) { return sk_error_set (err, 0, "create: not implemented"); }
int sk_container_start (const struct sk_global *g, const char *id, sk_error_t *err) { return sk_error_set (err, 0, "start: not implemented"); }
int sk_container_run (const struct sk_global *g, const char *id, const struct sk_create_opts *o, int *exit_code, sk_error_t *err) { return sk_error_set (err, 0, "run: not implemented"); }
int sk_container_kill (const struct sk_global *g, const char *id, int signo, bool all, sk_error_t *err) { return sk_error_set (err, 0, "kill: not implemented"); }
int sk_container_delete (const struct sk_global *g, const char *id, bool force, sk_error_t *err) { return sk_error_set (err, 0, "delete: not implemented"); }
char *sk_container_state (const struct sk_global *g, const char *id, sk_error_t *err) { sk_error_set (err, 0, "state: not implemented"); return NULL; }
char *sk_container_list (const struct sk_global *g, enum sk_list_format f, sk_error_t *err) { sk_error_set (err, 0, "list: not implemented"); return NULL; }
