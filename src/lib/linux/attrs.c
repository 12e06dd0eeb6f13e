/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
int sk_attrs_apply (struct sk_init_ctx *ctx, sk_error_t *err) { return 0; }
int sk_sysctl_apply (const struct sk_spec *spec, sk_error_t *err) { return 0; }
int sk_attrs_validate (const struct sk_spec *spec, sk_error_t *err) { return 0; }
