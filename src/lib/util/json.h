/* Small typed JSON helpers.  json.c is the only file that includes yajl,
 * so the JSON library could be swapped in one place.
 *
 * Reading: a parsed document is a tree of `sk_json` nodes (opaque).
 * Writing: `sk_jgen` builds a document and hands back a malloc'd string.  */
#ifndef SKIFF_UTIL_JSON_H
#define SKIFF_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/error.h>

typedef struct sk_json sk_json;   /* a node; owned by the root's document */

enum sk_json_type
{
  SK_JSON_NULL,
  SK_JSON_BOOL,
  SK_JSON_NUMBER,
  SK_JSON_STRING,
  SK_JSON_ARRAY,
  SK_JSON_OBJECT
};

/* Deeper documents are refused before parsing (json.c not_json).  */
#define SK_JSON_MAX_DEPTH 10000

/* `what` names the document in errors ("config.json"):
 *   "config.json: parse error at line 3: ..." */
sk_json *sk_json_parse (const char *text, size_t len, const char *what, sk_error_t *err);
void sk_json_free (sk_json *root);             /* only on the root */

enum sk_json_type sk_json_type_of (const sk_json *n);
const char *sk_json_type_name (enum sk_json_type t);  /* "string", "object" ... */

/* Objects.  sk_json_get returns NULL when the key is absent.  */
const sk_json *sk_json_get (const sk_json *obj, const char *key);
size_t sk_json_object_len (const sk_json *obj);
const char *sk_json_object_key (const sk_json *obj, size_t i);
const sk_json *sk_json_object_value (const sk_json *obj, size_t i);

/* Arrays.  */
size_t sk_json_array_len (const sk_json *arr);
const sk_json *sk_json_array_get (const sk_json *arr, size_t i);

/* Scalars.  The `path` argument is used verbatim as the error's prefix, so it
 * names the document too: path "config.json: process.user.uid" gives
 * "config.json: process.user.uid: expected integer in 0..4294967295".
 * Integers must be written as integers: 1.0 or 1e3 are refused.  */
int sk_json_string (const sk_json *n, const char *path, const char **out, sk_error_t *err);
int sk_json_bool (const sk_json *n, const char *path, bool *out, sk_error_t *err);
int sk_json_int64 (const sk_json *n, const char *path, int64_t *out, sk_error_t *err);
int sk_json_uint64 (const sk_json *n, const char *path, uint64_t *out, sk_error_t *err);
int sk_json_int_range (const sk_json *n, const char *path, int64_t min, int64_t max,
                       int64_t *out, sk_error_t *err);

/* Generation.  All output goes through these, never printf.  */
typedef struct sk_jgen sk_jgen;
sk_jgen *sk_jgen_new (bool pretty);
void sk_jgen_free (sk_jgen *g);
void sk_jgen_map_open (sk_jgen *g);
void sk_jgen_map_close (sk_jgen *g);
void sk_jgen_array_open (sk_jgen *g);
void sk_jgen_array_close (sk_jgen *g);
void sk_jgen_key (sk_jgen *g, const char *key);
void sk_jgen_string (sk_jgen *g, const char *s);    /* NULL -> null */
void sk_jgen_int (sk_jgen *g, int64_t v);
void sk_jgen_uint (sk_jgen *g, uint64_t v);
void sk_jgen_bool (sk_jgen *g, bool v);
void sk_jgen_null (sk_jgen *g);
/* key + value shorthands */
void sk_jgen_kv_string (sk_jgen *g, const char *key, const char *s);
void sk_jgen_kv_int (sk_jgen *g, const char *key, int64_t v);
void sk_jgen_kv_uint (sk_jgen *g, const char *key, uint64_t v);
void sk_jgen_kv_bool (sk_jgen *g, const char *key, bool v);
/* Finish: returns the malloc'd text, without a trailing newline in either
 * mode (the generator stays owned by the caller).  NULL if the calls were
 * out of order (e.g. a close without an open).  */
char *sk_jgen_finish (sk_jgen *g, size_t *len);

static inline void sk_json_freep (sk_json **j) { if (*j) sk_json_free (*j); *j = NULL; }
static inline void sk_jgen_freep (sk_jgen **g) { if (*g) sk_jgen_free (*g); *g = NULL; }
#define _cleanup_json_ __attribute__ ((cleanup (sk_json_freep)))
#define _cleanup_jgen_ __attribute__ ((cleanup (sk_jgen_freep)))

#endif
