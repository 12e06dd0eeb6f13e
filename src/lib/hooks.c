/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
int sk_hooks_run (const struct sk_hook_list *hooks, const char *kind, const char *state_json, sk_error_t *err) { return hooks->n ? sk_error_set (err, 0, "hooks: not implemented") : 0; }
