/* Container state: see state.h.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "cgroup/cgroup.h"

static const char *const status_names[] = {
  [SK_STATUS_CREATING] = "creating",
  [SK_STATUS_CREATED] = "created",
  [SK_STATUS_RUNNING] = "running",
  [SK_STATUS_PAUSED] = "paused",
  [SK_STATUS_STOPPED] = "stopped",
};

const char *
sk_status_name (enum sk_status s)
{
  return status_names[s];
}

char *
sk_state_dir (const char *root, const char *id)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s", root, id) < 0)
    return NULL;
  return p;
}

int
sk_state_claim (const char *root, const char *id, sk_error_t *err)
{
  if (sk_mkdir_p (root, 0711, err) < 0)
    return sk_error_prefix (err, "state root");
  _cleanup_free_ char *dir = sk_state_dir (root, id);
  /* mkdir is the claim: two concurrent creates of one id cannot both win.  */
  if (mkdir (dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return sk_error_set (err, 0, "container `%s` already exists", id);
      return sk_error_set (err, errno, "create state directory `%s`", dir);
    }
  return 0;
}

int
sk_state_lock (const char *root, const char *id, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (root, id);
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return sk_error_set (err, 0, "container `%s` does not exist", id);
      return sk_error_set (err, errno, "open state directory `%s`", dir);
    }
  int fd = openat (dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return sk_error_set (err, errno, "open lock of `%s`", id);
  int r;
  do
    r = flock (fd, LOCK_EX);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      close (fd);
      return sk_error_set (err, errno, "lock container `%s`", id);
    }
  return fd;
}

uint64_t
sk_proc_start_time (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  _cleanup_free_ char *buf = NULL;
  sk_error_t err = NULL;
  if (sk_read_file (path, &buf, NULL, &err) < 0)
    {
      sk_error_free (&err);
      return 0;
    }
  /* comm (field 2) may hold spaces and parens: fields restart after the
   * last ')'.  Field 3 is the state, start time is field 22.  */
  char *p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p += 2;
  if (*p == 'Z' || *p == 'X')
    return 0;               /* a zombie is a stopped container */
  for (int field = 3; field < 22 && p; field++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  return p ? strtoull (p, NULL, 10) : 0;
}

static bool
fifo_exists (const char *root, const char *id)
{
  _cleanup_free_ char *dir = sk_state_dir (root, id);
  _cleanup_free_ char *fifo = NULL;
  if (asprintf (&fifo, "%s/exec.fifo", dir) < 0)
    return false;
  struct stat st;
  return lstat (fifo, &st) == 0;
}

/* `start` removes exec.fifo as soon as init passed it, then init runs the
 * startContainer hooks, drops privileges and calls execve.  runtime.md
 * "State": `running` only once the user program was executed, so in that
 * window the process is still `created`: it still runs the image it had at
 * create (skiff's own sealed memfd, exeguard.c), which no user program can
 * be.  This does not depend on `start` surviving, unlike removing the fifo
 * after execve would.  If /proc/<pid>/exe cannot be read, assume running.  */
static bool
before_execve (const struct sk_state *st)
{
  char path[64];
  struct stat sb;
  if (st->init_exe_ino == 0)
    return false;
  snprintf (path, sizeof path, "/proc/%d/exe", st->pid);
  if (stat (path, &sb) < 0)
    return false;
  return (uint64_t) sb.st_dev == st->init_exe_dev && (uint64_t) sb.st_ino == st->init_exe_ino;
}

void
sk_state_refresh (const char *root, struct sk_state *st)
{
  if (st->pid <= 0)
    {
      st->status = SK_STATUS_CREATING;
      return;
    }
  uint64_t start = sk_proc_start_time (st->pid);
  if (start == 0 || start != st->pid_start)
    {
      st->status = SK_STATUS_STOPPED;
      return;
    }
  if (fifo_exists (root, st->id) || before_execve (st))
    {
      st->status = SK_STATUS_CREATED;
      return;
    }
  st->status = SK_STATUS_RUNNING;
  if (st->cgroup_path)
    {
      sk_error_t err = NULL;
      struct sk_cgroup *cg = sk_state_open_cgroup (st, &err);
      bool frozen = false;
      if (cg && sk_cgroup_is_frozen (cg, &frozen, &err) == 0 && frozen)
        st->status = SK_STATUS_PAUSED;
      sk_cgroup_free (cg);
      sk_error_free (&err);
    }
}

static void gen_cgroup_places (sk_jgen *g, const struct sk_state *st);

/* The fields the spec's state and our state.json have in common.  */
static void
gen_bundle_fields (sk_jgen *g, const struct sk_state *st)
{
  sk_jgen_kv_string (g, "bundle", st->bundle);
  sk_jgen_kv_string (g, "rootfs", st->rootfs);
  sk_jgen_kv_string (g, "created", st->created);
  sk_jgen_kv_string (g, "owner", st->owner ? st->owner : "");
  sk_jgen_key (g, "annotations");
  sk_jgen_map_open (g);
  for (size_t i = 0; i < st->annotations.n; i++)
    sk_jgen_kv_string (g, st->annotations.v[i].key, st->annotations.v[i].value);
  sk_jgen_map_close (g);
}

static char *
gen_finish (sk_jgen *g, const struct sk_state *st, sk_error_t *err)
{
  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  if (out == NULL)
    sk_error_set (err, 0, "state of `%s`: cannot generate JSON", st->id);
  return out;
}

char *
sk_state_to_json (const struct sk_state *st, bool pretty, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (pretty);
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "ociVersion", st->oci_version ? st->oci_version : SKIFF_SPEC_VERSION);
  sk_jgen_kv_string (g, "id", st->id);
  sk_jgen_kv_string (g, "status", sk_status_name (st->status));
  /* runtime.md: pid is REQUIRED when status is created or running (and
   * paused, which is running frozen); runc prints 0 once stopped.  */
  if (st->status == SK_STATUS_STOPPED)
    sk_jgen_kv_int (g, "pid", 0);
  else
    sk_jgen_kv_int (g, "pid", st->pid);
  gen_bundle_fields (g, st);
  return gen_finish (g, st, err);
}

char *
sk_state_serialize (const struct sk_state *st, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (false);
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "ociVersion", st->oci_version);
  sk_jgen_kv_string (g, "id", st->id);
  sk_jgen_kv_int (g, "pid", st->pid);
  sk_jgen_kv_uint (g, "pidStart", st->pid_start);
  sk_jgen_kv_uint (g, "initExeDev", st->init_exe_dev);
  sk_jgen_kv_uint (g, "initExeIno", st->init_exe_ino);
  gen_bundle_fields (g, st);
  sk_jgen_kv_string (g, "cgroupMountpoint", st->cgroup_mountpoint);
  sk_jgen_kv_string (g, "cgroupPath", st->cgroup_path);
  sk_jgen_kv_bool (g, "cgroupCreated", st->cgroup_created);
  sk_jgen_kv_int (g, "cgroupCreatedDepth", st->cgroup_created_depth);
  sk_jgen_kv_bool (g, "systemdCgroup", st->systemd_cgroup);
  gen_cgroup_places (g, st);
  sk_jgen_kv_bool (g, "hasPoststop", st->has_poststop);
  sk_jgen_kv_bool (g, "rdtCreated", st->rdt_created);
  sk_jgen_kv_bool (g, "noProcess", st->no_process);
  return gen_finish (g, st, err);
}

/* "cgroupManager" and "cgroupPlaces": enough to reopen the cgroup in
 * every hierarchy (see state.h).  */
static void
gen_cgroup_places (sk_jgen *g, const struct sk_state *st)
{
  if (st->cgroup_manager == NULL)
    return;
  sk_jgen_kv_string (g, "cgroupManager", st->cgroup_manager);
  sk_jgen_key (g, "cgroupPlaces");
  sk_jgen_array_open (g);
  for (size_t i = 0; i < st->n_cgroup_places; i++)
    {
      const struct sk_cgroup_place *p = &st->cgroup_places[i];
      sk_jgen_map_open (g);
      sk_jgen_kv_string (g, "controllers", p->controllers);
      sk_jgen_kv_string (g, "mountpoint", p->mountpoint);
      sk_jgen_kv_string (g, "path", p->path);
      sk_jgen_kv_bool (g, "created", p->created);
      sk_jgen_kv_int (g, "createdDepth", p->created_depth);
      sk_jgen_map_close (g);
    }
  sk_jgen_array_close (g);
}

static int get_str (const sk_json *o, const char *key, char **out, sk_error_t *err);
static int get_bool (const sk_json *o, const char *key, bool *out, sk_error_t *err);

static int
parse_cgroup_places (const sk_json *root, struct sk_state *st, sk_error_t *err)
{
  const sk_json *a = sk_json_get (root, "cgroupPlaces");
  if (get_str (root, "cgroupManager", &st->cgroup_manager, err) < 0)
    return -1;
  if (a == NULL || sk_json_type_of (a) != SK_JSON_ARRAY)
    return 0;
  size_t n = sk_json_array_len (a);
  st->cgroup_places = calloc (n ? n : 1, sizeof *st->cgroup_places);
  if (st->cgroup_places == NULL)
    return sk_error_set (err, ENOMEM, "state.json");
  for (size_t i = 0; i < n; i++)
    {
      const sk_json *o = sk_json_array_get (a, i);
      struct sk_cgroup_place *p = &st->cgroup_places[i];
      int64_t depth = 0;
      const sk_json *v;
      st->n_cgroup_places = i + 1;
      if (get_str (o, "controllers", &p->controllers, err) < 0
          || get_str (o, "mountpoint", &p->mountpoint, err) < 0
          || get_str (o, "path", &p->path, err) < 0
          || get_bool (o, "created", &p->created, err) < 0)
        return -1;
      if ((v = sk_json_get (o, "createdDepth"))
          && sk_json_int_range (v, "state.json: cgroupPlaces.createdDepth", 0, 4096, &depth,
                                err) < 0)
        return -1;
      p->created_depth = (int) depth;
      if (p->mountpoint == NULL || p->path == NULL)
        return sk_error_set (err, 0, "state.json: cgroupPlaces[%zu]: no mountpoint or path", i);
    }
  return 0;
}

struct sk_cgroup *
sk_state_open_cgroup (const struct sk_state *st, sk_error_t *err)
{
  if (st->n_cgroup_places)
    return sk_cgroup_open_places (st->cgroup_manager, st->cgroup_places, st->n_cgroup_places,
                                  err);
  struct sk_cgroup_place p = { .controllers = (char *) "", .mountpoint = st->cgroup_mountpoint,
                               .path = st->cgroup_path, .created = st->cgroup_created,
                               .created_depth = st->cgroup_created_depth };
  return sk_cgroup_open_places (NULL, &p, 1, err);
}

static int
get_str (const sk_json *o, const char *key, char **out, sk_error_t *err)
{
  const sk_json *v = sk_json_get (o, key);
  const char *s;
  if (v == NULL || sk_json_type_of (v) == SK_JSON_NULL)
    return 0;
  if (sk_json_string (v, key, &s, err) < 0)
    return -1;
  *out = strdup (s);
  return *out ? 0 : sk_error_set (err, errno, "state.json");
}

static int
get_bool (const sk_json *o, const char *key, bool *out, sk_error_t *err)
{
  const sk_json *v = sk_json_get (o, key);
  return v ? sk_json_bool (v, key, out, err) : 0;
}

static int
parse_annotations (const sk_json *o, struct sk_kvs *a, sk_error_t *err)
{
  const sk_json *m = sk_json_get (o, "annotations");
  if (m == NULL || sk_json_type_of (m) != SK_JSON_OBJECT)
    return 0;
  size_t n = sk_json_object_len (m);
  a->v = calloc (n + 1, sizeof *a->v);
  if (a->v == NULL)
    return sk_error_set (err, errno, "state.json");
  for (size_t i = 0; i < n; i++)
    {
      const char *s;
      if (sk_json_string (sk_json_object_value (m, i), "annotations", &s, err) < 0)
        return -1;
      a->v[i].key = strdup (sk_json_object_key (m, i));
      a->v[i].value = strdup (s);
      a->n++;
    }
  return 0;
}

struct sk_state *
sk_state_parse (const char *json, size_t len, sk_error_t *err)
{
  _cleanup_json_ sk_json *root = sk_json_parse (json, len, "state.json", err);
  if (root == NULL)
    return NULL;
  _cleanup_state_ struct sk_state *st = calloc (1, sizeof *st);
  if (st == NULL)
    {
      sk_error_set (err, errno, "state.json");
      return NULL;
    }
  int64_t pid = 0;
  uint64_t start = 0;
  const sk_json *v;
  if ((v = sk_json_get (root, "pid")) && sk_json_int_range (v, "pid", 0, INT_MAX, &pid, err) < 0)
    return NULL;
  if ((v = sk_json_get (root, "pidStart")) && sk_json_uint64 (v, "pidStart", &start, err) < 0)
    return NULL;
  if ((v = sk_json_get (root, "initExeDev"))
      && sk_json_uint64 (v, "initExeDev", &st->init_exe_dev, err) < 0)
    return NULL;
  if ((v = sk_json_get (root, "initExeIno"))
      && sk_json_uint64 (v, "initExeIno", &st->init_exe_ino, err) < 0)
    return NULL;
  int64_t depth = 0;
  if ((v = sk_json_get (root, "cgroupCreatedDepth"))
      && sk_json_int_range (v, "state.json: cgroupCreatedDepth", 0, 4096, &depth, err) < 0)
    return NULL;
  st->cgroup_created_depth = (int) depth;
  st->pid = (pid_t) pid;
  st->pid_start = start;
  if (get_str (root, "ociVersion", &st->oci_version, err) < 0
      || get_str (root, "id", &st->id, err) < 0
      || get_str (root, "bundle", &st->bundle, err) < 0
      || get_str (root, "rootfs", &st->rootfs, err) < 0
      || get_str (root, "created", &st->created, err) < 0
      || get_str (root, "owner", &st->owner, err) < 0
      || get_str (root, "cgroupMountpoint", &st->cgroup_mountpoint, err) < 0
      || get_str (root, "cgroupPath", &st->cgroup_path, err) < 0
      || get_bool (root, "cgroupCreated", &st->cgroup_created, err) < 0
      || get_bool (root, "systemdCgroup", &st->systemd_cgroup, err) < 0
      || get_bool (root, "hasPoststop", &st->has_poststop, err) < 0
      || get_bool (root, "rdtCreated", &st->rdt_created, err) < 0
      || get_bool (root, "noProcess", &st->no_process, err) < 0
      || parse_annotations (root, &st->annotations, err) < 0
      || parse_cgroup_places (root, st, err) < 0)
    return NULL;
  if (st->id == NULL)
    {
      sk_error_set (err, 0, "state.json: missing `id`");
      return NULL;
    }
  return steal_ptr (&st);
}

int
sk_state_write (const char *root, const struct sk_state *st, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (root, st->id);
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return sk_error_set (err, errno, "open state directory `%s`", dir);
  _cleanup_free_ char *json = sk_state_serialize (st, err);
  if (json == NULL)
    return -1;
  return sk_write_file_atomic (dfd, "state.json", json, strlen (json), 0600, err);
}

struct sk_state *
sk_state_load (const char *root, const char *id, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (root, id);
  _cleanup_free_ char *path = NULL;
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  if (asprintf (&path, "%s/state.json", dir) < 0)
    {
      sk_error_set (err, errno, "state");
      return NULL;
    }
  struct stat sb;
  if (stat (dir, &sb) < 0 && errno == ENOENT)
    {
      sk_error_set (err, 0, "container `%s` does not exist", id);
      return NULL;
    }
  sk_error_t e = NULL;
  if (sk_read_file (path, &json, &len, &e) < 0)
    {
      bool missing = e->errnum == ENOENT;
      sk_error_free (&e);
      /* A dir without state.json is a create still in progress (or one
       * that died before writing it): report it as creating.  */
      struct sk_state *st = calloc (1, sizeof *st);
      if (st == NULL || !missing)
        {
          free (st);
          sk_error_set (err, errno, "read `%s`", path);
          return NULL;
        }
      st->id = strdup (id);
      st->status = SK_STATUS_CREATING;
      return st;
    }
  struct sk_state *st = sk_state_parse (json, len, err);
  if (st == NULL)
    {
      sk_error_prefix (err, "container `%s`", id);
      return NULL;
    }
  sk_state_refresh (root, st);
  return st;
}

void
sk_state_free (struct sk_state *st)
{
  if (st == NULL)
    return;
  free (st->oci_version);
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  for (size_t i = 0; i < st->annotations.n; i++)
    {
      free (st->annotations.v[i].key);
      free (st->annotations.v[i].value);
    }
  free (st->annotations.v);
  free (st->cgroup_mountpoint);
  free (st->cgroup_path);
  free (st->cgroup_manager);
  for (size_t i = 0; i < st->n_cgroup_places; i++)
    {
      free (st->cgroup_places[i].controllers);
      free (st->cgroup_places[i].mountpoint);
      free (st->cgroup_places[i].path);
    }
  free (st->cgroup_places);
  free (st);
}

int
sk_state_remove (const char *root, const char *id, sk_error_t *err)
{
  _cleanup_free_ char *dir = sk_state_dir (root, id);
  return sk_rm_rf (dir, err);
}
