/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include <skiff/container.h>
char *sk_features_json (sk_error_t *err) { sk_error_set (err, 0, "features: not implemented"); return NULL; }
