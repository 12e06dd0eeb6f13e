/* intent.json: see intent.h.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "intent.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int
sk_intent_write (int state_dirfd, const struct sk_create_intent *in, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (false);
  sk_jgen_map_open (g);
  sk_jgen_key (g, "cgroups");
  sk_jgen_array_open (g);
  for (size_t i = 0; i < in->cg.n; i++)
    {
      sk_jgen_map_open (g);
      sk_jgen_kv_string (g, "mountpoint", in->cg.v[i].mountpoint);
      sk_jgen_kv_string (g, "path", in->cg.v[i].path);
      sk_jgen_kv_int (g, "createdDepth", in->cg.v[i].created_depth);
      sk_jgen_map_close (g);
    }
  sk_jgen_array_close (g);
  sk_jgen_kv_int (g, "pid", in->pid);
  sk_jgen_kv_uint (g, "pidStart", in->pid_start);
  sk_jgen_map_close (g);
  size_t len = 0;
  _cleanup_free_ char *json = sk_jgen_finish (g, &len);
  if (json == NULL)
    return sk_error_set (err, 0, "intent.json: cannot generate JSON");
  /* Atomic and fsynced (file and directory): the point is that it is on
   * disk before the thing it describes exists.  */
  return sk_write_file_atomic (state_dirfd, "intent.json", json, len, 0600, err);
}

static int
get_cgroup (const sk_json *c, struct sk_state *st, sk_error_t *err)
{
  const sk_json *m = sk_json_get (c, "mountpoint"), *p = sk_json_get (c, "path");
  const sk_json *d = sk_json_get (c, "createdDepth");
  const char *ms, *ps;
  int64_t depth = 0;
  if (m == NULL || p == NULL || sk_json_string (m, "intent.json: mountpoint", &ms, err) < 0
      || sk_json_string (p, "intent.json: path", &ps, err) < 0
      || (d && sk_json_int_range (d, "intent.json: createdDepth", 0, 4096, &depth, err) < 0))
    return *err ? -1 : sk_error_set (err, 0, "intent.json: cgroups[0]: incomplete");
  /* Only absolute paths inside a /sys/fs/cgroup mount: delete removes
   * what this names (sk_cgroup_open refuses `..` too).  */
  if (strncmp (ms, "/sys/fs/cgroup", 14) != 0 || ps[0] != '/')
    return sk_error_set (err, 0, "intent.json: invalid cgroup `%s%s`", ms, ps);
  if ((st->cgroup_mountpoint = strdup (ms)) == NULL || (st->cgroup_path = strdup (ps)) == NULL)
    return sk_error_set (err, ENOMEM, "intent.json");
  st->cgroup_created = depth > 0;
  st->cgroup_created_depth = (int) depth;
  return 0;
}

int
sk_intent_parse (const char *json, size_t len, struct sk_state *st, sk_error_t *err)
{
  _cleanup_json_ sk_json *root = sk_json_parse (json, len, "intent.json", err);
  if (root == NULL)
    return -1;
  const sk_json *v;
  int64_t pid = 0;
  uint64_t start = 0;
  if ((v = sk_json_get (root, "pid")) && sk_json_int_range (v, "intent.json: pid", 0, INT_MAX,
                                                            &pid, err) < 0)
    return -1;
  if ((v = sk_json_get (root, "pidStart")) && sk_json_uint64 (v, "intent.json: pidStart", &start,
                                                              err) < 0)
    return -1;
  /* One hierarchy is what state.json records today; a v1 manager's other
   * hierarchies follow the same entries (see intent.h).  */
  const sk_json *cgs = sk_json_get (root, "cgroups");
  if (sk_json_array_len (cgs) > 0 && get_cgroup (sk_json_array_get (cgs, 0), st, err) < 0)
    return -1;
  st->pid = (pid_t) pid;
  st->pid_start = start;
  st->from_intent = true;
  return 0;
}

int
sk_intent_load (const char *state_dir, struct sk_state *st, sk_error_t *err)
{
  _cleanup_free_ char *path = NULL, *json = NULL;
  size_t len = 0;
  if (asprintf (&path, "%s/intent.json", state_dir) < 0)
    return sk_error_set (err, ENOMEM, "intent.json");
  sk_error_t e = NULL;
  if (sk_read_regular_file (path, SK_INPUT_FILE_MAX, &json, &len, &e) < 0)
    {
      if (e->errnum == ENOENT)
        {
          sk_error_free (&e);
          return 0;
        }
      *err = e;
      return -1;
    }
  return sk_intent_parse (json, len, st, err) < 0 ? -1 : 1;
}
