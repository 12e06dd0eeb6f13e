/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include "linux/linux.h"
struct sk_seccomp_prog *sk_seccomp_compile (const struct sk_seccomp *s, sk_error_t *err) { sk_error_set (err, 0, "seccomp: not implemented"); return NULL; }
void sk_seccomp_prog_free (struct sk_seccomp_prog *p) { }
int sk_seccomp_load (struct sk_seccomp_prog *p, sk_error_t *err) { return -2; }
bool sk_seccomp_uses_notify (const struct sk_seccomp_prog *p) { return false; }
int sk_seccomp_send_listener (const struct sk_seccomp *s, int notify_fd, const char *state_json, sk_error_t *err) { return 0; }
