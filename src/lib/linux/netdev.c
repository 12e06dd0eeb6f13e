/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
int sk_netdev_move (const struct sk_spec *spec, pid_t pid, sk_error_t *err) { return 0; }
