/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
int sk_intelrdt_apply (const struct sk_spec *spec, const char *id, pid_t pid, sk_error_t *err) { return 0; }
int sk_intelrdt_destroy (const struct sk_spec *spec, const char *id, sk_error_t *err) { return 0; }
