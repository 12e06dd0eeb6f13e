/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
int sk_rootfs_prepare (struct sk_init_ctx *ctx, sk_error_t *err) { return sk_error_set (err, 0, "rootfs: not implemented"); }
int sk_rootfs_pivot (struct sk_init_ctx *ctx, sk_error_t *err) { return sk_error_set (err, 0, "pivot: not implemented"); }
int sk_rootfs_finalize (struct sk_init_ctx *ctx, sk_error_t *err) { return 0; }
