/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include <skiff/container.h>
int sk_container_exec (const struct sk_global *g, const char *id, const struct sk_exec_opts *o, int *exit_code, sk_error_t *err) { return sk_error_set (err, 0, "exec: not implemented"); }
