/* PLACEHOLDER: replaced by the owning work stream. */
#include <config.h>
#include <skiff/spec.h>
struct sk_spec *sk_spec_parse (const char *json, size_t len, sk_error_t *err) { sk_error_set (err, 0, "spec: not implemented"); return NULL; }
struct sk_spec *sk_spec_load (const char *path, sk_error_t *err) { sk_error_set (err, 0, "spec: not implemented"); return NULL; }
void sk_spec_free (struct sk_spec *spec) { }
struct sk_process *sk_process_parse (const char *json, size_t len, sk_error_t *err) { sk_error_set (err, 0, "spec: not implemented"); return NULL; }
void sk_process_free (struct sk_process *p) { }
struct sk_resources *sk_resources_parse (const char *json, size_t len, sk_error_t *err) { sk_error_set (err, 0, "spec: not implemented"); return NULL; }
void sk_resources_free (struct sk_resources *r) { }
const struct sk_namespace *sk_spec_namespace (const struct sk_spec *spec, enum sk_ns_type t) { return NULL; }
const char *sk_ns_type_name (enum sk_ns_type t) { return "?"; }
char *sk_spec_default_json (bool rootless, sk_error_t *err) { sk_error_set (err, 0, "spec: not implemented"); return NULL; }
