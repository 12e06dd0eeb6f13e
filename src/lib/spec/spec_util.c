/* Typed getters for the config.json parser: every field of spec.h is read
 * through one of these, so type, range and path reporting live in one
 * place (see spec_internal.h).  */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "spec/spec_internal.h"
#include "util/cleanup.h"

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size);
  if (p == NULL)
    abort ();   /* as error.c does: nothing sensible to report without memory */
  return p;
}

static char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (r == NULL)
    abort ();
  return r;
}

/* A path longer than the buffer (a huge annotation key...) is cut and
 * marked, not refused: it only serves to name things in errors.  */
static void
mark_truncated (char out[SP_PATH_LEN], int r)
{
  if (r >= SP_PATH_LEN)
    memcpy (out + SP_PATH_LEN - 4, "...", 4);
}

void
sp_key (char out[SP_PATH_LEN], const char *parent, const char *key)
{
  size_t n = strlen (parent), k = strlen (key);
  bool root = n > 0 && parent[n - 1] == ' ';
  /* Formatted for every field looked up: copies, not snprintf (which
   * was a tenth of parsing a config with a seccomp profile).  */
  if (n + !root + k < SP_PATH_LEN)
    {
      memcpy (out, parent, n);
      if (!root)
        out[n] = '.';
      memcpy (out + n + !root, key, k + 1);
      return;
    }
  mark_truncated (out, snprintf (out, SP_PATH_LEN, "%s%s%s", parent, root ? "" : ".", key));
}

void
sp_index (char out[SP_PATH_LEN], const char *parent, size_t i)
{
  mark_truncated (out, snprintf (out, SP_PATH_LEN, "%s[%zu]", parent, i));
}

const sk_json *
sp_get (const sk_json *obj, const char *key)
{
  const sk_json *v = sk_json_get (obj, key);
  if (v == NULL || sk_json_type_of (v) == SK_JSON_NULL)
    return NULL;
  return v;
}

static int
expect_type (const sk_json *n, enum sk_json_type t, const char *path, sk_error_t *err)
{
  if (sk_json_type_of (n) != t)
    return sk_error_set (err, 0, "%s: expected %s", path, sk_json_type_name (t));
  return 0;
}

int
sp_expect_object (const sk_json *n, const char *path, sk_error_t *err)
{
  return expect_type (n, SK_JSON_OBJECT, path, err);
}

int
sp_require (const sk_json *obj, const char *path, const char *const *keys, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  for (; *keys; keys++)
    if (sp_get (obj, *keys) == NULL)
      {
        sp_key (p, path, *keys);
        return sk_error_set (err, 0, "%s: missing required property", p);
      }
  return 0;
}

/* Common prologue of the getters: the value (NULL when absent) and its
 * path.  */
static const sk_json *
lookup (const sk_json *obj, const char *path, const char *key, char p[SP_PATH_LEN])
{
  sp_key (p, path, key);
  return sp_get (obj, key);
}

int
sp_str (const sk_json *obj, const char *path, const char *key, char **out, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const char *s = NULL;
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (sk_json_string (v, p, &s, err) < 0)
    return -1;
  free (*out);
  *out = xstrdup (s);
  return 0;
}

int
sp_bool (const sk_json *obj, const char *path, const char *key, bool *out, bool *has,
         sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (sk_json_bool (v, p, out, err) < 0)
    return -1;
  if (has)
    *has = true;
  return 0;
}

int
sp_range (const sk_json *obj, const char *path, const char *key, int64_t min, int64_t max,
          int64_t *out, bool *has, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (sk_json_int_range (v, p, min, max, out, err) < 0)
    return -1;
  if (has)
    *has = true;
  return 0;
}

int
sp_i64 (const sk_json *obj, const char *path, const char *key, int64_t *out, bool *has,
        sk_error_t *err)
{
  return sp_range (obj, path, key, INT64_MIN, INT64_MAX, out, has, err);
}

int
sp_u64 (const sk_json *obj, const char *path, const char *key, uint64_t *out, bool *has,
        sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (sk_json_uint64 (v, p, out, err) < 0)
    return -1;
  if (has)
    *has = true;
  return 0;
}

/* The narrower integer types go through sp_range and a cast.  */
#define NARROW(name, type, min, max)                                          \
  int name (const sk_json *obj, const char *path, const char *key, type *out, \
            bool *has, sk_error_t *err)                                       \
  {                                                                           \
    int64_t x = 0;                                                            \
    bool got = false;                                                         \
    if (sp_range (obj, path, key, (min), (max), &x, &got, err) < 0)           \
      return -1;                                                              \
    if (got)                                                                  \
      {                                                                       \
        *out = (type) x;                                                      \
        if (has)                                                              \
          *has = true;                                                        \
      }                                                                       \
    return 0;                                                                 \
  }
NARROW (sp_i32, int32_t, INT32_MIN, INT32_MAX)

/* Fields whose kernel type or meaning is narrower than their JSON type:
 * the value is refused, never truncated or masked.  */
#define NARROW_IN(name, type)                                                   \
  int name (const sk_json *obj, const char *path, const char *key, int64_t min, \
            int64_t max, type *out, bool *has, sk_error_t *err)                 \
  {                                                                             \
    int64_t x = 0;                                                              \
    bool got = false;                                                           \
    if (sp_range (obj, path, key, min, max, &x, &got, err) < 0)                 \
      return -1;                                                                \
    if (got)                                                                    \
      {                                                                         \
        *out = (type) x;                                                        \
        if (has)                                                                \
          *has = true;                                                          \
      }                                                                         \
    return 0;                                                                   \
  }
NARROW_IN (sp_i32_in, int32_t)
NARROW_IN (sp_u32_in, uint32_t)
NARROW_IN (sp_u16_in, uint16_t)

int
sp_u64_max (const sk_json *obj, const char *path, const char *key, uint64_t max,
            uint64_t *out, bool *has, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  uint64_t x = 0;
  if (v == NULL)
    return 0;
  if (sk_json_uint64 (v, p, &x, err) < 0)
    return -1;
  if (x > max)
    return sk_error_set (err, 0, "%s: expected integer in 0..%" PRIu64, p, max);
  *out = x;
  if (has)
    *has = true;
  return 0;
}
NARROW (sp_u32, uint32_t, 0, UINT32_MAX)
NARROW (sp_u16, uint16_t, 0, UINT16_MAX)

static int
find (const char *const *allowed, const char *s)
{
  for (int i = 0; allowed[i]; i++)
    if (strcmp (allowed[i], s) == 0)
      return i;
  return -1;
}

/* "unknown value `X`" for a string that is not in the allowed list.  */
static int
check_enum (const sk_json *v, const char *p, const char *const *allowed, const char **s,
            int *idx, sk_error_t *err)
{
  if (sk_json_string (v, p, s, err) < 0)
    return -1;
  int i = allowed ? find (allowed, *s) : 0;
  if (i < 0)
    return sk_error_set (err, 0, "%s: unknown value `%s`", p, *s);
  if (idx)
    *idx = i;
  return 0;
}

int
sp_enum (const sk_json *obj, const char *path, const char *key, const char *const *allowed,
         char **out, int *idx, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const char *s = NULL;
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (check_enum (v, p, allowed, &s, idx, err) < 0)
    return -1;
  if (out)
    {
      free (*out);
      *out = xstrdup (s);
    }
  return 0;
}

int
sp_strv (const sk_json *obj, const char *path, const char *key, const char *const *allowed,
         struct sk_strv *out, sk_error_t *err)
{
  char p[SP_PATH_LEN], ip[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (expect_type (v, SK_JSON_ARRAY, p, err) < 0)
    return -1;
  size_t n = sk_json_array_len (v);
  sp_strv_clear (out);
  out->v = xcalloc (n + 1, sizeof *out->v);
  for (size_t i = 0; i < n; i++)
    {
      const char *s = NULL;
      const sk_json *e = sk_json_array_get (v, i);
      sk_error_t ignored = NULL;
      /* The element's path is only formatted for an error: a seccomp
       * profile has hundreds of names, and a snprintf each was a fifth
       * of parsing podman's default profile.  */
      if (check_enum (e, p, allowed, &s, NULL, &ignored) < 0)
        {
          sk_error_free (&ignored);
          sp_index (ip, p, i);
          if (check_enum (e, ip, allowed, &s, NULL, err) < 0)
            return -1;
        }
      out->v[i] = xstrdup (s);
      out->n = i + 1;
    }
  return 0;
}

int
sp_kvs (const sk_json *obj, const char *path, const char *key, struct sk_kvs *out,
        sk_error_t *err)
{
  char p[SP_PATH_LEN], ip[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (expect_type (v, SK_JSON_OBJECT, p, err) < 0)
    return -1;
  size_t n = sk_json_object_len (v);
  sp_kvs_clear (out);
  out->v = xcalloc (n, sizeof *out->v);
  for (size_t i = 0; i < n; i++)
    {
      const char *k = sk_json_object_key (v, i), *s = NULL;
      sp_key (ip, p, k);
      if (sk_json_string (sk_json_object_value (v, i), ip, &s, err) < 0)
        return -1;
      out->v[i].key = xstrdup (k);
      out->v[i].value = xstrdup (s);
      out->n = i + 1;
    }
  return 0;
}

static int
id_mapping (const sk_json *v, const char *key, const char *path, void *elem, sk_error_t *err)
{
  struct sk_id_mapping *m = elem;
  if (SP_REQUIRE (v, path, err, "containerID", "hostID", "size") < 0
      || sp_u32_in (v, path, "containerID", 0, SP_ID_MAX, &m->container_id, NULL, err) < 0
      || sp_u32_in (v, path, "hostID", 0, SP_ID_MAX, &m->host_id, NULL, err) < 0
      || sp_u32_in (v, path, "size", 1, UINT32_MAX, &m->size, NULL, err) < 0)
    return -1;
  /* The kernel refuses a range that wraps past 2^32 (map_write): say so
   * here, naming the mapping, instead of at clone time.  */
  if ((uint64_t) m->container_id + m->size > (uint64_t) UINT32_MAX + 1
      || (uint64_t) m->host_id + m->size > (uint64_t) UINT32_MAX + 1)
    return sk_error_set (err, 0, "%s: range %" PRIu32 "+%" PRIu32 " / %" PRIu32 "+%" PRIu32
                         " passes 4294967295", path, m->container_id, m->size, m->host_id,
                         m->size);
  return 0;
}

int
sp_id_mappings (const sk_json *obj, const char *path, const char *key,
                struct sk_id_mappings *out, sk_error_t *err)
{
  return sp_array (obj, path, key, sizeof *out->v, id_mapping, &out->v, &out->n, err);
}

int
sp_check_absolute (const char *s, const char *path, const char *key, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  if (s == NULL || s[0] == '/')
    return 0;
  sp_key (p, path, key);
  return sk_error_set (err, 0, "%s: `%s` is not an absolute path", p, s);
}

int
sp_check_chars (const char *s, const char *path, const char *key, const char *allowed,
                sk_error_t *err)
{
  char p[SP_PATH_LEN];
  if (s == NULL || s[strspn (s, allowed)] == '\0')
    return 0;
  sp_key (p, path, key);
  return sk_error_set (err, 0, "%s: invalid character `%c` in `%s`", p, s[strspn (s, allowed)],
                       s);
}

/* One loop for arrays and maps of objects.  */
static int
collection (const sk_json *obj, const char *path, const char *key, enum sk_json_type t,
            size_t size, sp_item_fn fn, void *out, size_t *n, sk_error_t *err)
{
  char p[SP_PATH_LEN], ip[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (expect_type (v, t, p, err) < 0)
    return -1;
  bool is_map = t == SK_JSON_OBJECT;
  size_t len = is_map ? sk_json_object_len (v) : sk_json_array_len (v);
  char *arr = xcalloc (len, size);
  *(void **) out = arr;
  *n = len;
  for (size_t i = 0; i < len; i++)
    {
      const char *k = is_map ? sk_json_object_key (v, i) : NULL;
      const sk_json *item = is_map ? sk_json_object_value (v, i) : sk_json_array_get (v, i);
      if (is_map)
        sp_key (ip, p, k);
      else
        sp_index (ip, p, i);
      if (expect_type (item, SK_JSON_OBJECT, ip, err) < 0
          || fn (item, k, ip, arr + i * size, err) < 0)
        return -1;
    }
  return 0;
}

int
sp_array (const sk_json *obj, const char *path, const char *key, size_t size, sp_item_fn fn,
          void *out, size_t *n, sk_error_t *err)
{
  return collection (obj, path, key, SK_JSON_ARRAY, size, fn, out, n, err);
}

int
sp_map (const sk_json *obj, const char *path, const char *key, size_t size, sp_item_fn fn,
        void *out, size_t *n, sk_error_t *err)
{
  return collection (obj, path, key, SK_JSON_OBJECT, size, fn, out, n, err);
}

int
sp_inline (const sk_json *obj, const char *path, const char *key, sp_item_fn fn, void *out,
           sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const sk_json *v = lookup (obj, path, key, p);
  if (v == NULL)
    return 0;
  if (expect_type (v, SK_JSON_OBJECT, p, err) < 0)
    return -1;
  return fn (v, key, p, out, err);
}

int
sp_object (const sk_json *obj, const char *path, const char *key, size_t size, sp_item_fn fn,
           void *out, sk_error_t *err)
{
  if (sp_get (obj, key) == NULL)
    return 0;
  void *o = xcalloc (1, size);
  *(void **) out = o;
  return sp_inline (obj, path, key, fn, o, err);
}

void *
sp_parse_document (const char *json, size_t len, const char *what, size_t size, sp_item_fn fn,
                   void (*free_fn) (void *), sk_error_t *err)
{
  char root[SP_PATH_LEN];
  _cleanup_json_ sk_json *doc = sk_json_parse (json, len, what, err);
  if (doc == NULL)
    return NULL;
  snprintf (root, sizeof root, "%s: ", what);
  if (sk_json_type_of (doc) != SK_JSON_OBJECT)
    {
      sk_error_set (err, 0, "%s: expected an object at the top level", what);
      return NULL;
    }
  void *o = xcalloc (1, size);
  if (fn (doc, NULL, root, o, err) < 0)
    {
      free_fn (o);
      return NULL;
    }
  return o;
}
