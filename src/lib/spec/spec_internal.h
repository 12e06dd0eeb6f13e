/* Internal helpers of the config.json parser (src/lib/spec/).
 *
 * Paths: every parse function gets the full path of the object it reads,
 * document name included ("config.json: process.user"), and builds its
 * children's paths with sp_key / sp_index.  The root path ends with ": "
 * ("config.json: ") so a top-level key joins without a dot.
 *
 * Getters: sp_<type> (obj, path, key, out..., err) read obj[key].  An
 * absent key (or an explicit null, which Go-written configs sometimes
 * carry) leaves *out untouched and returns 0; a value of the wrong type or
 * range is an error naming the path.  Required keys are checked once per
 * object with sp_require, so the getters need no "required" flag.  */
#ifndef SKIFF_SPEC_INTERNAL_H
#define SKIFF_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/spec.h>
#include "util/json.h"

#define SP_PATH_LEN 512

/* out = parent + "." + key (or parent + key at the root).  */
void sp_key (char out[SP_PATH_LEN], const char *parent, const char *key);
/* out = parent + "[i]".  */
void sp_index (char out[SP_PATH_LEN], const char *parent, size_t i);

/* obj[key] if present and not null, else NULL.  */
const sk_json *sp_get (const sk_json *obj, const char *key);

/* Error unless n is an object (used for the object being parsed).  */
int sp_expect_object (const sk_json *n, const char *path, sk_error_t *err);
/* Error naming the first key of the NULL-terminated `keys` that is absent.  */
int sp_require (const sk_json *obj, const char *path, const char *const *keys, sk_error_t *err);
#define SP_REQUIRE(obj, path, err, ...) \
  sp_require ((obj), (path), (const char *const[]) { __VA_ARGS__, NULL }, (err))

/* Scalars.  `has` may be NULL; it is set to true when the key is present.  */
int sp_str (const sk_json *obj, const char *path, const char *key, char **out, sk_error_t *err);
int sp_bool (const sk_json *obj, const char *path, const char *key, bool *out, bool *has,
             sk_error_t *err);
int sp_i64 (const sk_json *obj, const char *path, const char *key, int64_t *out, bool *has,
            sk_error_t *err);
int sp_u64 (const sk_json *obj, const char *path, const char *key, uint64_t *out, bool *has,
            sk_error_t *err);
int sp_i32 (const sk_json *obj, const char *path, const char *key, int32_t *out, bool *has,
            sk_error_t *err);
int sp_u32 (const sk_json *obj, const char *path, const char *key, uint32_t *out, bool *has,
            sk_error_t *err);
int sp_u16 (const sk_json *obj, const char *path, const char *key, uint16_t *out, bool *has,
            sk_error_t *err);
/* The same with the range of the kernel type or of the field's meaning
 * (out-of-range values are errors naming the path, never truncated).  */
int sp_i32_in (const sk_json *obj, const char *path, const char *key, int64_t min, int64_t max,
               int32_t *out, bool *has, sk_error_t *err);
int sp_u32_in (const sk_json *obj, const char *path, const char *key, int64_t min, int64_t max,
               uint32_t *out, bool *has, sk_error_t *err);
int sp_u16_in (const sk_json *obj, const char *path, const char *key, int64_t min, int64_t max,
               uint16_t *out, bool *has, sk_error_t *err);
int sp_u64_max (const sk_json *obj, const char *path, const char *key, uint64_t max,
                uint64_t *out, bool *has, sk_error_t *err);
/* uid_t/gid_t: (uid_t) -1 means "leave unchanged" to setresuid and chown,
 * so 4294967295 is no id at all (it would keep the container root).  */
#define SP_ID_MAX ((int64_t) UINT32_MAX - 1)
/* The kernel's dev_t as mknod(2) takes it: 12-bit major, 20-bit minor.  */
#define SP_MAJOR_MAX 4095
#define SP_MINOR_MAX ((1 << 20) - 1)
/* An integer in min..max stored in an int64 (for narrower ranges).  */
int sp_range (const sk_json *obj, const char *path, const char *key, int64_t min, int64_t max,
              int64_t *out, bool *has, sk_error_t *err);

/* A string that must be one of `allowed` (NULL-terminated).  Returns the
 * index through *idx when idx is not NULL; `out` may be NULL when only the
 * index is wanted.  */
int sp_enum (const sk_json *obj, const char *path, const char *key, const char *const *allowed,
             char **out, int *idx, sk_error_t *err);
/* An array of strings each of which must be one of `allowed` (NULL: any).  */
int sp_strv (const sk_json *obj, const char *path, const char *key, const char *const *allowed,
             struct sk_strv *out, sk_error_t *err);
/* An object of string values.  */
int sp_kvs (const sk_json *obj, const char *path, const char *key, struct sk_kvs *out,
            sk_error_t *err);
/* An array of {containerID, hostID, size}.  */
int sp_id_mappings (const sk_json *obj, const char *path, const char *key,
                    struct sk_id_mappings *out, sk_error_t *err);

/* Error unless the string matches: "absolute path", or a character class.  */
int sp_check_absolute (const char *s, const char *path, const char *key, sk_error_t *err);
int sp_check_chars (const char *s, const char *path, const char *key, const char *allowed,
                    sk_error_t *err);

/* Collections of objects.  `fn` parses one element into `elem` (zeroed
 * memory of `size` bytes); `key` is the member name for maps, NULL for
 * arrays.  The result is stored in *out / *n before the elements are parsed,
 * so a failure midway still leaves everything reachable for the free
 * functions (zeroed elements are safe to free).  */
typedef int (*sp_item_fn) (const sk_json *v, const char *key, const char *path, void *elem,
                           sk_error_t *err);
int sp_array (const sk_json *obj, const char *path, const char *key, size_t size,
              sp_item_fn fn, void *out, size_t *n, sk_error_t *err);
int sp_map (const sk_json *obj, const char *path, const char *key, size_t size,
            sp_item_fn fn, void *out, size_t *n, sk_error_t *err);
/* An optional sub-object parsed by fn into `out` itself, for objects whose
 * fields live in the parent struct (process.user, resources.pids...).  */
int sp_inline (const sk_json *obj, const char *path, const char *key, sp_item_fn fn, void *out,
               sk_error_t *err);
/* An optional sub-object: allocates *out (size bytes) and calls fn.  */
int sp_object (const sk_json *obj, const char *path, const char *key, size_t size,
               sp_item_fn fn, void *out, sk_error_t *err);

/* Parsers shared across files.  */
int sp_process (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err);
int sp_linux (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err);
int sp_resources (const sk_json *v, const char *key, const char *path, void *out,
                  sk_error_t *err);
int sp_seccomp (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err);

/* Parse a whole document whose root is parsed by fn into a new object.  */
void *sp_parse_document (const char *json, size_t len, const char *what, size_t size,
                         sp_item_fn fn, void (*free_fn) (void *), sk_error_t *err);

/* Free helpers (spec_free.c).  */
void sp_strv_clear (struct sk_strv *v);
void sp_kvs_clear (struct sk_kvs *kv);
void sp_linux_free (struct sk_linux *l);
void sp_seccomp_free (struct sk_seccomp *s);

#endif
