/* Small typed JSON helpers over yajl 2 (see json.h).  This is the only file
 * that includes yajl: parsing goes through yajl's parser (yajl_parse) into
 * a tree built here, generation through yajl_gen.  An `sk_json *` is a
 * yajl_val in disguise.  */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>
#include "util/cleanup.h"
#include "util/json.h"

#define V(n) ((yajl_val) (n))
#define J(v) ((const sk_json *) (v))

/* ---- parsing -------------------------------------------------------- */

/* yajl's verbose message spans several lines (the text and a caret); keep
 * the first line only, without yajl's own "parse error: " prefix, so the
 * CLI prints one line.  */
static const char *
one_line (char *msg)
{
  char *nl = strchr (msg, '\n');
  if (nl)
    *nl = '\0';
  if (strncmp (msg, "parse error: ", 13) == 0)
    msg += 13;
  size_t n = strlen (msg);
  while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '\t'))
    msg[--n] = '\0';
  return msg[0] ? msg : "invalid JSON";
}

/* What yajl_tree_parse accepts but JSON (RFC 8259), and so runc's Go
 * decoder, does not, found in one pass before yajl sees the text; NULL
 * when there is none:
 *  - nesting beyond SK_JSON_MAX_DEPTH: yajl builds the tree iteratively
 *    but frees it recursively, one stack frame per level (~300,000 `[`
 *    in a 600 KB file overflow the stack); Go stops at 10,000 too;
 *  - comments: yajl_tree_parse turns yajl_allow_comments on;
 *  - `\u0000` in a string: yajl decodes it to a NUL byte, which would cut
 *    the C string short (`"/tmp\u0000/x"` would become "/tmp").
 * Brackets and slashes inside strings do not count.  */
static const char *
not_json (const char *text, size_t len, char *buf, size_t buflen)
{
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_string)
        {
          if (c == '"')
            in_string = false;
          else if (c == '\\' && i + 1 < len)
            {
              if (text[i + 1] == 'u' && i + 5 < len && strncmp (text + i + 2, "0000", 4) == 0)
                return "a string holds \\u0000 (a NUL character)";
              i++;
            }
          continue;
        }
      if (c == '"')
        in_string = true;
      else if (c == '/')
        return "comments are not JSON";
      else if (c == '[' || c == '{')
        {
          if (++depth > SK_JSON_MAX_DEPTH)
            {
              snprintf (buf, buflen, "nested deeper than %d levels", SK_JSON_MAX_DEPTH);
              return buf;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return NULL;
}

/* ---- the tree ---------------------------------------------------------
 *
 * The nodes are yajl_tree's (struct yajl_val_s, so the accessors below read
 * them as yajl_tree_parse would have built them), but they, their strings
 * and their key and value arrays live in one arena per document, freed at
 * once by sk_json_free.  yajl_tree_parse allocates every node, key and
 * string on its own and grows each object's arrays one element at a time:
 * for a state.json that was three quarters of `list`'s instructions per
 * container, and it is most of parsing any config.json.
 *
 * Children of the open arrays and objects wait on one stack (pending) and
 * are copied into exactly sized arrays when their container closes.  */

static const char *integer_text (yajl_val v);

struct chunk
{
  struct chunk *next;
  size_t used, size;
  max_align_t data[];
};

/* What sk_json_parse returns points at `root` in here.  */
struct doc
{
  struct chunk *chunks;
  struct yajl_val_s root;
};

struct pending
{
  const char *key;            /* NULL in an array */
  yajl_val value;
};

struct frame
{
  yajl_val node;              /* the open array or object */
  size_t start;               /* its first child in pending[] */
  const char *key;            /* an object's key waiting for its value */
};

struct builder
{
  struct chunk *chunks;
  size_t next_size;
  struct pending *pending;
  size_t n_pending, cap_pending;
  struct frame *frames;
  size_t n_frames, cap_frames;
  yajl_val root;
  bool oom;
  bool too_deep;
};

static void
free_chunks (struct chunk *c)
{
  while (c)
    {
      struct chunk *next = c->next;
      free (c);
      c = next;
    }
}

static void *
arena_alloc (struct builder *b, size_t n)
{
  const size_t align = _Alignof (max_align_t);
  n = (n + align - 1) & ~(align - 1);
  struct chunk *c = b->chunks;
  if (c == NULL || c->size - c->used < n)
    {
      size_t size = b->next_size > n ? b->next_size : n;
      c = malloc (sizeof *c + size);
      if (c == NULL)
        {
          b->oom = true;
          return NULL;
        }
      c->next = b->chunks;
      c->used = 0;
      c->size = size;
      b->chunks = c;
      b->next_size = size * 2;
    }
  void *p = (char *) c->data + c->used;
  c->used += n;
  return p;
}

static char *
arena_str (struct builder *b, const unsigned char *s, size_t len)
{
  char *p = arena_alloc (b, len + 1);
  if (p)
    {
      memcpy (p, s, len);
      p[len] = '\0';
    }
  return p;
}

static yajl_val
new_node (struct builder *b, yajl_type type)
{
  yajl_val v = arena_alloc (b, sizeof *v);
  if (v)
    {
      memset (v, 0, sizeof *v);
      v->type = type;
    }
  return v;
}

static bool
grow (void **v, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *nv = realloc (*v, n * elem);
  if (nv == NULL)
    return false;
  *v = nv;
  *cap = n;
  return true;
}

/* A finished value: the root, or the next child of the open container.  */
static int
add_value (struct builder *b, yajl_val v)
{
  if (v == NULL)
    return 0;
  if (b->n_frames == 0)
    {
      b->root = v;
      return 1;
    }
  struct frame *f = &b->frames[b->n_frames - 1];
  if (!grow ((void **) &b->pending, &b->cap_pending, b->n_pending + 1, sizeof *b->pending))
    {
      b->oom = true;
      return 0;
    }
  b->pending[b->n_pending++] = (struct pending) { f->key, v };
  f->key = NULL;
  return 1;
}

static int
cb_null (void *ctx)
{
  return add_value (ctx, new_node (ctx, yajl_t_null));
}

static int
cb_bool (void *ctx, int value)
{
  return add_value (ctx, new_node (ctx, value ? yajl_t_true : yajl_t_false));
}

/* The text is kept (integer_text reads it); `i` is set, and flagged valid,
 * only for an integer in range, which is all parse_integer needs (it
 * redoes the rest from the text).  No double: nothing here reads one.  */
static int
cb_number (void *ctx, const char *s, size_t len)
{
  struct builder *b = ctx;
  yajl_val v = new_node (b, yajl_t_number);
  if (v == NULL || (v->u.number.r = arena_str (b, (const unsigned char *) s, len)) == NULL)
    return 0;
  if (integer_text (v))
    {
      char *end = NULL;
      errno = 0;
      long long i = strtoll (v->u.number.r, &end, 10);
      if (errno == 0 && end && *end == '\0')
        {
          v->u.number.i = i;
          v->u.number.flags = YAJL_NUMBER_INT_VALID;
        }
    }
  return add_value (b, v);
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  yajl_val v = new_node (b, yajl_t_string);
  if (v == NULL || (v->u.string = arena_str (b, s, len)) == NULL)
    return 0;
  return add_value (b, v);
}

static int
cb_key (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  const char *k = arena_str (b, s, len);
  if (k == NULL)
    return 0;
  b->frames[b->n_frames - 1].key = k;
  return 1;
}

static int
open_container (struct builder *b, yajl_type type)
{
  /* Deeper documents are refused (Go's encoding/json, which runc uses,
   * stops at 10,000 too): the tree is bounded for whatever walks it.  */
  if (b->n_frames >= SK_JSON_MAX_DEPTH)
    {
      b->too_deep = true;
      return 0;
    }
  yajl_val v = new_node (b, type);
  if (v == NULL)
    return 0;
  if (!grow ((void **) &b->frames, &b->cap_frames, b->n_frames + 1, sizeof *b->frames))
    {
      b->oom = true;
      return 0;
    }
  b->frames[b->n_frames++] = (struct frame) { v, b->n_pending, NULL };
  return 1;
}

static int
close_container (struct builder *b)
{
  struct frame f = b->frames[--b->n_frames];
  size_t n = b->n_pending - f.start;
  /* pending is NULL until the first child anywhere: no arithmetic on it
   * for an empty container.  */
  struct pending *kids = n ? b->pending + f.start : NULL;
  yajl_val *values = n ? arena_alloc (b, n * sizeof *values) : NULL;
  if (n && values == NULL)
    return 0;
  for (size_t i = 0; i < n; i++)
    values[i] = kids[i].value;
  if (f.node->type == yajl_t_object)
    {
      const char **keys = n ? arena_alloc (b, n * sizeof *keys) : NULL;
      if (n && keys == NULL)
        return 0;
      for (size_t i = 0; i < n; i++)
        keys[i] = kids[i].key;
      f.node->u.object.keys = keys;
      f.node->u.object.values = values;
      f.node->u.object.len = n;
    }
  else
    {
      f.node->u.array.values = values;
      f.node->u.array.len = n;
    }
  b->n_pending = f.start;
  return add_value (b, f.node);
}

static int
cb_start_map (void *ctx)
{
  return open_container (ctx, yajl_t_object);
}

static int
cb_start_array (void *ctx)
{
  return open_container (ctx, yajl_t_array);
}

static int
cb_end (void *ctx)
{
  return close_container (ctx);
}

static const yajl_callbacks tree_callbacks = {
  .yajl_null = cb_null, .yajl_boolean = cb_bool, .yajl_number = cb_number,
  .yajl_string = cb_string, .yajl_start_map = cb_start_map, .yajl_map_key = cb_key,
  .yajl_end_map = cb_end, .yajl_start_array = cb_start_array, .yajl_end_array = cb_end,
};

/* Parse text into b; on failure *err is set.  yajl's defaults: strings
 * validated as UTF-8, nothing after the document but white space.  */
static int
build (struct builder *b, const char *text, size_t len, const char *what, sk_error_t *err)
{
  yajl_handle h = yajl_alloc (&tree_callbacks, NULL, b);
  if (h == NULL)
    return sk_error_set (err, ENOMEM, "%s: parse", what);
  /* Comments never get here (not_json refuses them): yajl's default.  */
  yajl_status st = yajl_parse (h, (const unsigned char *) text, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (st != yajl_status_ok || b->root == NULL)
    {
      if (b->too_deep)
        sk_error_set (err, 0, "%s: parse error: nested deeper than %d levels", what,
                      SK_JSON_MAX_DEPTH);
      else if (b->oom)
        sk_error_set (err, ENOMEM, "%s: parse", what);
      else
        {
          unsigned char *msg = yajl_get_error (h, 1, (const unsigned char *) text, len);
          sk_error_set (err, 0, "%s: parse error: %s", what,
                        msg ? one_line ((char *) msg) : "invalid JSON");
          yajl_free_error (h, msg);
        }
      yajl_free (h);
      return -1;
    }
  yajl_free (h);
  return 0;
}

sk_json *
sk_json_parse (const char *text, size_t len, const char *what, sk_error_t *err)
{
  if (text == NULL || len == 0)
    {
      sk_error_set (err, 0, "%s: parse error: empty document", what);
      return NULL;
    }
  /* yajl_tree_parse, which this replaced, read a NUL-terminated string:
   * an embedded NUL would have silently truncated the document, and it is
   * still refused.  */
  if (memchr (text, '\0', len) != NULL)
    {
      sk_error_set (err, 0, "%s: parse error: NUL byte in document", what);
      return NULL;
    }
  char errbuf[64];
  const char *bad = not_json (text, len, errbuf, sizeof errbuf);
  if (bad)
    {
      sk_error_set (err, 0, "%s: parse error: %s", what, bad);
      return NULL;
    }
  /* The first chunk holds the document header and, for the small files
   * skiff reads, the whole tree.  */
  struct builder b = { .next_size = len * 4 + 1024 };
  struct doc *d = arena_alloc (&b, sizeof *d);
  int r = d ? build (&b, text, len, what, err) : sk_error_set (err, ENOMEM, "%s: parse", what);
  free (b.pending);
  free (b.frames);
  if (r < 0)
    {
      free_chunks (b.chunks);
      return NULL;
    }
  d->chunks = b.chunks;
  d->root = *b.root;
  return (sk_json *) &d->root;
}

void
sk_json_free (sk_json *root)
{
  if (root == NULL)
    return;
  struct doc *d = (struct doc *) ((char *) root - offsetof (struct doc, root));
  free_chunks (d->chunks);
}

enum sk_json_type
sk_json_type_of (const sk_json *n)
{
  yajl_val v = V (n);
  if (v == NULL)
    return SK_JSON_NULL;
  switch (v->type)
    {
    case yajl_t_string:
      return SK_JSON_STRING;
    case yajl_t_number:
      return SK_JSON_NUMBER;
    case yajl_t_object:
      return SK_JSON_OBJECT;
    case yajl_t_array:
      return SK_JSON_ARRAY;
    case yajl_t_true:
    case yajl_t_false:
      return SK_JSON_BOOL;
    default:
      return SK_JSON_NULL;
    }
}

const char *
sk_json_type_name (enum sk_json_type t)
{
  switch (t)
    {
    case SK_JSON_NULL:
      return "null";
    case SK_JSON_BOOL:
      return "boolean";
    case SK_JSON_NUMBER:
      return "number";
    case SK_JSON_STRING:
      return "string";
    case SK_JSON_ARRAY:
      return "array";
    case SK_JSON_OBJECT:
      return "object";
    }
  return "?";
}

const sk_json *
sk_json_get (const sk_json *obj, const char *key)
{
  yajl_val v = V (obj);
  if (!YAJL_IS_OBJECT (v))
    return NULL;
  /* A duplicated key: the last one wins, as with encoding/json, so skiff
   * reads a document the way the Go tools that wrote it do.  */
  for (size_t i = v->u.object.len; i > 0; i--)
    if (v->u.object.keys[i - 1][0] == key[0] && strcmp (v->u.object.keys[i - 1], key) == 0)
      return J (v->u.object.values[i - 1]);
  return NULL;
}

size_t
sk_json_object_len (const sk_json *obj)
{
  yajl_val v = V (obj);
  return YAJL_IS_OBJECT (v) ? v->u.object.len : 0;
}

const char *
sk_json_object_key (const sk_json *obj, size_t i)
{
  yajl_val v = V (obj);
  return YAJL_IS_OBJECT (v) && i < v->u.object.len ? v->u.object.keys[i] : NULL;
}

const sk_json *
sk_json_object_value (const sk_json *obj, size_t i)
{
  yajl_val v = V (obj);
  return YAJL_IS_OBJECT (v) && i < v->u.object.len ? J (v->u.object.values[i]) : NULL;
}

size_t
sk_json_array_len (const sk_json *arr)
{
  yajl_val v = V (arr);
  return YAJL_IS_ARRAY (v) ? v->u.array.len : 0;
}

const sk_json *
sk_json_array_get (const sk_json *arr, size_t i)
{
  yajl_val v = V (arr);
  return YAJL_IS_ARRAY (v) && i < v->u.array.len ? J (v->u.array.values[i]) : NULL;
}

/* ---- scalars -------------------------------------------------------- */

int
sk_json_string (const sk_json *n, const char *path, const char **out, sk_error_t *err)
{
  yajl_val v = V (n);
  if (!YAJL_IS_STRING (v))
    return sk_error_set (err, 0, "%s: expected string", path);
  *out = v->u.string;
  return 0;
}

int
sk_json_bool (const sk_json *n, const char *path, bool *out, sk_error_t *err)
{
  yajl_val v = V (n);
  if (v == NULL || (v->type != yajl_t_true && v->type != yajl_t_false))
    return sk_error_set (err, 0, "%s: expected boolean", path);
  *out = v->type == yajl_t_true;
  return 0;
}

/* The number's text when it is written as an integer (-?[0-9]+), else NULL.
 * yajl's own integer flag cannot be trusted for this: it parses "1.5" or
 * "1e3" digit by digit and still marks the result valid.  */
static const char *
integer_text (yajl_val v)
{
  if (!YAJL_IS_NUMBER (v) || v->u.number.r == NULL)
    return NULL;
  const char *s = v->u.number.r;
  const char *p = s + (*s == '-');
  if (*p == '\0')
    return NULL;
  for (; *p; p++)
    if (*p < '0' || *p > '9')
      return NULL;
  return s;
}

/* Parse an integer-looking number into either an int64 (neg or small) or a
 * uint64 (beyond INT64_MAX).  Returns 0, or -1 when it fits neither.  */
static int
parse_integer (yajl_val v, bool *is_signed, int64_t *s, uint64_t *u)
{
  const char *text = integer_text (v);
  if (text == NULL)
    return -1;
  if (YAJL_IS_INTEGER (v))
    {
      *is_signed = true;
      *s = v->u.number.i;
      return 0;
    }
  /* yajl gave up (ERANGE, and also for INT64_MIN itself, which its
   * positive accumulator cannot hold): redo it with ERANGE checks; beyond
   * INT64_MAX it may still fit in 64 unsigned bits.  */
  errno = 0;
  char *end = NULL;
  if (text[0] == '-')
    {
      long long y = strtoll (text, &end, 10);
      if (errno == ERANGE || end == text || *end != '\0')
        return -1;
      *is_signed = true;
      *s = y;
      return 0;
    }
  unsigned long long x = strtoull (text, &end, 10);
  if (errno == ERANGE || end == text || *end != '\0')
    return -1;
  *is_signed = false;
  *u = x;
  return 0;
}

int
sk_json_int_range (const sk_json *n, const char *path, int64_t min, int64_t max,
                   int64_t *out, sk_error_t *err)
{
  bool is_signed = false;
  int64_t s = 0;
  uint64_t u = 0;
  if (parse_integer (V (n), &is_signed, &s, &u) < 0 || !is_signed || s < min || s > max)
    {
      if (min == INT64_MIN && max == INT64_MAX && integer_text (V (n)) == NULL)
        return sk_error_set (err, 0, "%s: expected integer", path);
      return sk_error_set (err, 0, "%s: expected integer in %" PRId64 "..%" PRId64,
                           path, min, max);
    }
  *out = s;
  return 0;
}

int
sk_json_int64 (const sk_json *n, const char *path, int64_t *out, sk_error_t *err)
{
  return sk_json_int_range (n, path, INT64_MIN, INT64_MAX, out, err);
}

int
sk_json_uint64 (const sk_json *n, const char *path, uint64_t *out, sk_error_t *err)
{
  bool is_signed = false;
  int64_t s = 0;
  uint64_t u = 0;
  if (parse_integer (V (n), &is_signed, &s, &u) < 0 || (is_signed && s < 0))
    return sk_error_set (err, 0, "%s: expected integer in 0..%" PRIu64, path, UINT64_MAX);
  *out = is_signed ? (uint64_t) s : u;
  return 0;
}

/* ---- generation ----------------------------------------------------- */

struct sk_jgen
{
  yajl_gen g;
  bool failed;      /* a call was out of order: finish returns NULL */
};

sk_jgen *
sk_jgen_new (bool pretty)
{
  sk_jgen *g = calloc (1, sizeof *g);
  if (g == NULL)
    return NULL;
  g->g = yajl_gen_alloc (NULL);
  if (g->g == NULL)
    {
      free (g);
      return NULL;
    }
  if (pretty)
    {
      yajl_gen_config (g->g, yajl_gen_beautify, 1);
      yajl_gen_config (g->g, yajl_gen_indent_string, "\t");
    }
  return g;
}

void
sk_jgen_free (sk_jgen *g)
{
  if (g == NULL)
    return;
  yajl_gen_free (g->g);
  free (g);
}

/* Every void helper funnels through here: a NULL generator (allocation
 * failed) or a misuse is remembered and reported by sk_jgen_finish.  */
static void
check (sk_jgen *g, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok)
    g->failed = true;
}

#define GEN(g, call)                                                     \
  do                                                                     \
    {                                                                    \
      if ((g) != NULL)                                                   \
        check ((g), call);                                               \
    }                                                                    \
  while (0)

void sk_jgen_map_open (sk_jgen *g) { GEN (g, yajl_gen_map_open (g->g)); }
void sk_jgen_map_close (sk_jgen *g) { GEN (g, yajl_gen_map_close (g->g)); }
void sk_jgen_array_open (sk_jgen *g) { GEN (g, yajl_gen_array_open (g->g)); }
void sk_jgen_array_close (sk_jgen *g) { GEN (g, yajl_gen_array_close (g->g)); }
void sk_jgen_int (sk_jgen *g, int64_t v) { GEN (g, yajl_gen_integer (g->g, v)); }
void sk_jgen_bool (sk_jgen *g, bool v) { GEN (g, yajl_gen_bool (g->g, v)); }
void sk_jgen_null (sk_jgen *g) { GEN (g, yajl_gen_null (g->g)); }

void
sk_jgen_uint (sk_jgen *g, uint64_t v)
{
  /* yajl_gen_integer takes a long long; print big values as raw number
   * text instead of letting them wrap negative.  */
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  GEN (g, yajl_gen_number (g->g, buf, (size_t) n));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid.  */
static size_t
utf8_seq (const unsigned char *s, size_t left)
{
  size_t n;
  uint32_t cp;
  if (s[0] < 0x80)
    return 1;
  else if ((s[0] & 0xe0) == 0xc0)
    n = 2, cp = s[0] & 0x1f;
  else if ((s[0] & 0xf0) == 0xe0)
    n = 3, cp = s[0] & 0x0f;
  else if ((s[0] & 0xf8) == 0xf0)
    n = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (n > left)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
  static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/* Strings come from the outside world (argv, file names, process output):
 * replace invalid UTF-8 with U+FFFD so the output is always valid JSON.  */
static void
gen_text (sk_jgen *g, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t len = strlen (s), i = 0;
  bool valid = true;
  while (i < len)
    {
      size_t n = utf8_seq (p + i, len - i);
      if (n == 0)
        {
          valid = false;
          break;
        }
      i += n;
    }
  if (valid)
    {
      GEN (g, yajl_gen_string (g->g, p, len));
      return;
    }
  _cleanup_free_ unsigned char *fixed = malloc (len * 3 + 1);
  if (fixed == NULL)
    {
      g->failed = true;
      return;
    }
  size_t o = 0;
  for (i = 0; i < len;)
    {
      size_t n = utf8_seq (p + i, len - i);
      if (n == 0)
        {
          memcpy (fixed + o, "\xef\xbf\xbd", 3);
          o += 3;
          i++;
          continue;
        }
      memcpy (fixed + o, p + i, n);
      o += n;
      i += n;
    }
  GEN (g, yajl_gen_string (g->g, fixed, o));
}

void
sk_jgen_string (sk_jgen *g, const char *s)
{
  if (g == NULL)
    return;
  if (s == NULL)
    sk_jgen_null (g);
  else
    gen_text (g, s);
}

void
sk_jgen_key (sk_jgen *g, const char *key)
{
  if (g != NULL)
    gen_text (g, key ? key : "");
}

void
sk_jgen_kv_string (sk_jgen *g, const char *key, const char *s)
{
  sk_jgen_key (g, key);
  sk_jgen_string (g, s);
}

void
sk_jgen_kv_int (sk_jgen *g, const char *key, int64_t v)
{
  sk_jgen_key (g, key);
  sk_jgen_int (g, v);
}

void
sk_jgen_kv_uint (sk_jgen *g, const char *key, uint64_t v)
{
  sk_jgen_key (g, key);
  sk_jgen_uint (g, v);
}

void
sk_jgen_kv_bool (sk_jgen *g, const char *key, bool v)
{
  sk_jgen_key (g, key);
  sk_jgen_bool (g, v);
}

char *
sk_jgen_finish (sk_jgen *g, size_t *len)
{
  const unsigned char *buf = NULL;
  size_t n = 0;
  if (g == NULL || g->failed)
    return NULL;
  if (yajl_gen_get_buf (g->g, &buf, &n) != yajl_gen_status_ok)
    return NULL;
  /* yajl's beautify mode ends the document with a newline, the compact
   * mode does not: drop it so callers see one shape and add their own.  */
  if (n > 0 && buf[n - 1] == '\n')
    n--;
  char *out = malloc (n + 1);
  if (out == NULL)
    return NULL;
  memcpy (out, buf, n);
  out[n] = '\0';
  if (len)
    *len = n;
  return out;
}
