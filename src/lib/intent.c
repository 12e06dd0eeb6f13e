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
  sk_state_gen_cgroup_places (g, &in->st);
  sk_jgen_kv_int (g, "pid", in->st.pid);
  sk_jgen_kv_uint (g, "pidStart", in->st.pid_start);
  sk_jgen_map_close (g);
  size_t len = 0;
  _cleanup_free_ char *json = sk_jgen_finish (g, &len);
  if (json == NULL)
    return sk_error_set (err, 0, "intent.json: cannot generate JSON");
  /* Atomic: written before the thing it describes exists, so a create
   * killed at any point leaves a record.  Not fsynced: what it describes
   * does not survive a machine crash either (util/fs.h).  */
  return sk_write_file_replace (state_dirfd, "intent.json", json, len, 0600, err);
}

static void
clear_places (struct sk_state *st)
{
  for (size_t i = 0; i < st->n_cgroup_places; i++)
    {
      free (st->cgroup_places[i].controllers);
      free (st->cgroup_places[i].mountpoint);
      free (st->cgroup_places[i].path);
    }
  free (st->cgroup_places);
  free (st->cgroup_manager);
  st->cgroup_places = NULL;
  st->cgroup_manager = NULL;
  st->n_cgroup_places = 0;
}

int
sk_intent_set_cgroup (struct sk_create_intent *in, const char *manager,
                      const struct sk_cgroup_place *places, size_t n, sk_error_t *err)
{
  struct sk_state *st = &in->st;
  clear_places (st);
  st->cgroup_manager = strdup (manager ? manager : "");
  st->cgroup_places = calloc (n ? n : 1, sizeof *st->cgroup_places);
  if (st->cgroup_manager == NULL || st->cgroup_places == NULL)
    return sk_error_set (err, ENOMEM, "intent");
  for (size_t i = 0; i < n; i++)
    {
      struct sk_cgroup_place *p = &st->cgroup_places[i];
      st->n_cgroup_places = i + 1;
      p->controllers = strdup (places[i].controllers ? places[i].controllers : "");
      p->mountpoint = strdup (places[i].mountpoint);
      p->path = strdup (places[i].path);
      p->created = places[i].created;
      p->created_depth = places[i].created_depth;
      if (p->controllers == NULL || p->mountpoint == NULL || p->path == NULL)
        return sk_error_set (err, ENOMEM, "intent");
    }
  return 0;
}

void
sk_intent_clear (struct sk_create_intent *in)
{
  clear_places (&in->st);
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
  if (sk_state_parse_cgroup_places (root, st, err) < 0)
    return -1;
  /* Only places inside the cgroup mounts: delete removes what this names
   * (sk_cgroup_open_places refuses `..` as well).  */
  for (size_t i = 0; i < st->n_cgroup_places; i++)
    {
      const struct sk_cgroup_place *p = &st->cgroup_places[i];
      if (strncmp (p->mountpoint, "/sys/fs/cgroup", 14) != 0 || p->path[0] != '/')
        return sk_error_set (err, 0, "intent.json: invalid cgroup `%s%s`", p->mountpoint,
                             p->path);
    }
  /* The first place also stands for the cgroup in state's single-path
   * fields (what delete checks first).  */
  if (st->n_cgroup_places > 0)
    {
      const struct sk_cgroup_place *p = &st->cgroup_places[0];
      if ((st->cgroup_mountpoint = strdup (p->mountpoint)) == NULL
          || (st->cgroup_path = strdup (p->path)) == NULL)
        return sk_error_set (err, ENOMEM, "intent.json");
      st->cgroup_created = p->created;
      st->cgroup_created_depth = p->created_depth;
    }
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
  /* Not fsynced: a crash may have left it empty (util/fs.h).  */
  if (sk_file_torn_by_crash (path, len))
    return 0;
  return sk_intent_parse (json, len, st, err) < 0 ? -1 : 1;
}
