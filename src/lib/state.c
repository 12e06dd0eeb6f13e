/* Container state: see state.h.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "state.h"
#include "util/cleanup.h"
#include "testhook.h"
#include "intent.h"
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

/* A claim in progress is a directory "#claim.<pid>.<n>" under the root
 * ('#' is never in an id, so it cannot collide with a container and
 * `list` skips it).  One whose creator died (its pid is gone and its lock
 * free) is removed by the next claim or delete.  */
#define CLAIM_PREFIX "#claim."

void
sk_state_sweep_claims (const char *root)
{
  _cleanup_closedir_ DIR *d = opendir (root);
  struct dirent *de;
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      if (strncmp (de->d_name, CLAIM_PREFIX, strlen (CLAIM_PREFIX)) != 0)
        continue;
      _cleanup_free_ char *path = NULL, *lock = NULL;
      if (asprintf (&path, "%s/%s", root, de->d_name) < 0
          || asprintf (&lock, "%s/lock", path) < 0)
        return;
      /* Stale only when its creator is gone: the lock alone is not
       * enough, a live creator has it unlocked between creating the lock
       * file and flock().  A lock still held means alive whatever the pid
       * says (another pid namespace).  */
      long pid = strtol (de->d_name + strlen (CLAIM_PREFIX), NULL, 10);
      bool stale = pid > 0 && kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
      _cleanup_close_ int fd = open (lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (stale && fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) < 0)
        stale = false;
      sk_error_t e = NULL;
      if (stale)
        sk_rm_rf (path, &e);
      sk_error_free (&e);
    }
}

/* Publish the prepared directory tmp as <root>/<id>, never replacing an
 * existing one.  RENAME_NOREPLACE is atomic (tmpfs, ext4, xfs, btrfs);
 * where the filesystem lacks it, mkdir claims the name and rename
 * replaces that empty directory (a `delete` in between sees no lock
 * holder and a state of `creating`: the one window left, and only there). */
static int
publish (const char *root, const char *tmp, const char *dir, const char *id, sk_error_t *err)
{
  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno == EEXIST)
    return sk_error_set (err, 0, "container `%s` already exists", id);
  if (errno != EINVAL && errno != ENOSYS)
    return sk_error_set (err, errno, "create state directory `%s`", dir);
  if (mkdir (dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return sk_error_set (err, 0, "container `%s` already exists", id);
      return sk_error_set (err, errno, "create state directory `%s`", dir);
    }
  if (rename (tmp, dir) < 0)
    {
      int e = errno;
      rmdir (dir);
      return sk_error_set (err, e, "create state directory `%s`", dir);
    }
  return 0;
}

/* Claim and lock are one step: the directory is built and its lock taken
 * under a private name, then renamed into place.  Nobody can see
 * <root>/<id> before its creator holds the lock, so a concurrent
 * `delete` waits for the create to finish instead of removing the
 * directory under it, and two creates of one id cannot both win.  */
int
sk_state_claim (const char *root, const char *id, sk_error_t *err)
{
  if (sk_mkdir_p (root, 0711, err) < 0)
    return sk_error_prefix (err, "state root");
  sk_state_sweep_claims (root);
  _cleanup_free_ char *dir = sk_state_dir (root, id), *tmp = NULL, *lock = NULL;
  static unsigned seq;
  if (dir == NULL || asprintf (&tmp, "%s/" CLAIM_PREFIX "%d.%u", root, (int) getpid (), seq++) < 0
      || asprintf (&lock, "%s/lock", tmp) < 0)
    return sk_error_set (err, ENOMEM, "state directory");
  if (mkdir (tmp, 0711) < 0)
    return sk_error_set (err, errno, "create state directory `%s`", tmp);
  int fd = open (lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      sk_error_set (err, errno, "lock `%s`", lock);
      goto fail;
    }
  sk_test_stop ("claim");
  if (publish (root, tmp, dir, id, err) < 0)
    goto fail;
  return fd;
fail:
  if (fd >= 0)
    close (fd);
  sk_error_t e = NULL;
  sk_rm_rf (tmp, &e);
  sk_error_free (&e);
  return -1;
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
  /* /proc/<pid>/stat is one line of at most ~1 KB (comm is 16 bytes, the
   * rest 50 numbers), produced whole by one read: no allocation and no
   * second read to see EOF (`list` does this for every container).  */
  char buf[4096];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n;
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
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
  char fifo[PATH_MAX];
  struct stat st;
  if (snprintf (fifo, sizeof fifo, "%s/%s/exec.fifo", root, id) >= (int) sizeof fifo)
    return false;
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

/* Whether someone holds the container's lock (a create in progress, or
 * another command).  LOCK_SH|LOCK_NB on our own open file description
 * conflicts with any LOCK_EX, ours included.  */
static bool
lock_held (const char *dir)
{
  _cleanup_free_ char *lock = NULL;
  if (asprintf (&lock, "%s/lock", dir) < 0)
    return true;
  _cleanup_close_ int fd = open (lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (flock (fd, LOCK_SH | LOCK_NB) == 0)
    return false;
  return errno == EWOULDBLOCK;
}

/* Paused: the freezer file read by its recorded path (one open, not one
 * per hierarchy: `list` asks this of every running container).  State
 * written before cgroupPlaces existed names one v2 cgroup.  */
static bool
state_frozen (const struct sk_state *st)
{
  if (st->n_cgroup_places)
    return sk_cgroup_places_frozen (st->cgroup_manager, st->cgroup_places, st->n_cgroup_places);
  struct sk_cgroup_place p = { .controllers = (char *) "", .mountpoint = st->cgroup_mountpoint,
                               .path = st->cgroup_path };
  return p.mountpoint && sk_cgroup_places_frozen (NULL, &p, 1);
}

void
sk_state_refresh (const char *root, struct sk_state *st)
{
  /* state.json of a create that has not finished (its init not READY, or
   * rlimits not yet applied): `creating` while the creator lives, else
   * `stopped`, as it will never be created (delete kills what is left).  */
  if (st->incomplete)
    {
      _cleanup_free_ char *dir = sk_state_dir (root, st->id);
      st->status = dir && lock_held (dir) ? SK_STATUS_CREATING : SK_STATUS_STOPPED;
      return;
    }
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
  if (st->cgroup_path && state_frozen (st))
    st->status = SK_STATUS_PAUSED;
}


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
  sk_state_gen_cgroup_places (g, st);
  sk_jgen_kv_bool (g, "hasPoststop", st->has_poststop);
  sk_jgen_kv_bool (g, "rdtCreated", st->rdt_created);
  sk_jgen_kv_bool (g, "noProcess", st->no_process);
  sk_jgen_kv_bool (g, "createComplete", !st->incomplete);
  return gen_finish (g, st, err);
}

/* "cgroupManager" and "cgroupPlaces": enough to reopen the cgroup in
 * every hierarchy (see state.h).  */
void
sk_state_gen_cgroup_places (sk_jgen *g, const struct sk_state *st)
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

int
sk_state_parse_cgroup_places (const sk_json *root, struct sk_state *st, sk_error_t *err)
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
  /* Absent in state.json written before the field existed: complete.  */
  bool complete = true;
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
      || get_bool (root, "createComplete", &complete, err) < 0
      || parse_annotations (root, &st->annotations, err) < 0
      || sk_state_parse_cgroup_places (root, st, err) < 0)
    return NULL;
  if (st->id == NULL)
    {
      sk_error_set (err, 0, "state.json: missing `id`");
      return NULL;
    }
  st->incomplete = !complete;
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
  return sk_write_file_replace (dfd, "state.json", json, strlen (json), 0600, err);
}

/* A dir without state.json: a create still in progress (its creator
 * holds the lock: `creating`), or one that died before writing it
 * (`stopped`: it will never be created).  What it had made so far comes
 * from intent.json, so that delete can remove it.  */
static struct sk_state *
load_unfinished (const char *dir, const char *id, sk_error_t *err)
{
  _cleanup_state_ struct sk_state *st = calloc (1, sizeof *st);
  if (st == NULL || (st->id = strdup (id)) == NULL)
    {
      sk_error_set (err, ENOMEM, "state of `%s`", id);
      return NULL;
    }
  if (sk_intent_load (dir, st, err) < 0)
    {
      sk_error_prefix (err, "container `%s`", id);
      return NULL;
    }
  st->status = lock_held (dir) ? SK_STATUS_CREATING : SK_STATUS_STOPPED;
  return steal_ptr (&st);
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
  /* state.json first: the directory is looked at only when that is
   * missing (one syscall less for every container `list` shows).  */
  sk_error_t e = NULL;
  if (sk_read_regular_file (path, SK_INPUT_FILE_MAX, &json, &len, &e) < 0)
    {
      struct stat sb;
      if (e->errnum != ENOENT)
        {
          *err = steal_ptr (&e);
          return NULL;
        }
      sk_error_free (&e);
      if (stat (dir, &sb) < 0 && errno == ENOENT)
        {
          sk_error_set (err, 0, "container `%s` does not exist", id);
          return NULL;
        }
      return load_unfinished (dir, id, err);
    }
  /* Not fsynced (util/fs.h): a crash may have left it empty.  */
  if (sk_file_torn_by_crash (path, len))
    return load_unfinished (dir, id, err);
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
