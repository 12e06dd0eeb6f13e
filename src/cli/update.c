/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "commands.h"
int cmd_update (const struct sk_global *g, int argc, char **argv, sk_error_t *err) { return sk_error_set (err, 0, "update: not implemented"); }
