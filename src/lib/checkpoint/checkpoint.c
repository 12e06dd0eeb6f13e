/* checkpoint: dump a running container with CRIU (runc's `checkpoint`).
 * Steps: check CRIU, load the state under the container's lock, build
 * CRIU's options from the container's config, run the (pre-)dump, then,
 * unless --leave-running or --pre-dump, destroy the container as runc
 * does (the image now holds it; `restore` brings it back).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "checkpoint/checkpoint_priv.h"
#include "container_priv.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct ckpt
{
  const struct sk_global *g;
  const struct sk_checkpoint_opts *o;
  struct sk_state *st;
  struct sk_spec *spec;
  struct sk_criu_opts co;
  const char *images;
  const char *log_dir;
  int images_fd;
  int work_fd;
  char *freeze;
  char *ps_address;
  ino_t ext_netns;          /* the netns joined by path, 0: none */
};

/* runc's checks of --parent-path and --page-server, before anything runs.  */
static int
check_flags (struct ckpt *c, sk_error_t *err)
{
  const struct sk_checkpoint_opts *o = c->o;
  if (o->parent_path)
    {
      if (o->parent_path[0] == '/')
        return sk_error_set (err, 0, "--parent-path `%s` must be relative to the image path",
                             o->parent_path);
      char p[4096];
      struct stat sb;
      snprintf (p, sizeof p, "%s/%s", c->images, o->parent_path);
      if (stat (p, &sb) < 0)
        return sk_error_set (err, errno, "--parent-path `%s`", p);
      if (!S_ISDIR (sb.st_mode))
        return sk_error_set (err, ENOTDIR, "--parent-path `%s`", p);
    }
  if (o->page_server)
    {
      const char *colon = strrchr (o->page_server, ':');
      char *end;
      long port = colon ? strtol (colon + 1, &end, 10) : 0;
      if (colon == NULL || colon == o->page_server || colon[1] == '\0' || *end || port <= 0
          || port > 65535)
        return sk_error_set (err, 0, "--page-server `%s`: expected ADDRESS:PORT", o->page_server);
      c->ps_address = strndup (o->page_server, colon - o->page_server);
      c->co.ps_address = c->ps_address;
      c->co.ps_port = (int) port;
    }
  if (o->empty_ns && strcmp (o->empty_ns, "network") != 0)
    return sk_error_set (err, 0, "--empty-ns `%s`: only `network` is supported", o->empty_ns);
  if (o->status_fd >= 0 && !o->c.lazy_pages)
    return sk_error_set (err, 0, "--status-fd is only used with --lazy-pages");
  if (o->status_fd >= 0)
    {
      int fl = fcntl (o->status_fd, F_GETFL);
      if (fl < 0)
        return sk_error_set (err, errno, "--status-fd %d", o->status_fd);
      if ((fl & O_ACCMODE) == O_RDONLY)
        return sk_error_set (err, 0, "--status-fd %d: not writable", o->status_fd);
    }
  return 0;
}

/* A network or pid namespace joined by path is not the container's to
 * dump: CRIU records it as external, under the key runc uses
 * (extRootNetNS, extRootPidNS), and restore hands the same path back.  */
static int
external_namespaces (struct ckpt *c, sk_error_t *err)
{
  static const struct { enum sk_ns_type t; const char *criu, *key; } ext[] = {
    { SK_NS_NETWORK, "net", "extRootNetNS" }, { SK_NS_PID, "pid", "extRootPidNS" },
  };
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    {
      const struct sk_namespace *ns = sk_spec_namespace (c->spec, ext[i].t);
      struct stat sb;
      char buf[256];
      if (ns == NULL || ns->path == NULL)
        continue;
      if (stat (ns->path, &sb) < 0)
        return sk_error_set (err, errno, "%s namespace `%s`", ext[i].criu, ns->path);
      snprintf (buf, sizeof buf, "%s[%llu]:%s", ext[i].criu, (unsigned long long) sb.st_ino,
                ext[i].key);
      if (sk_criu_list_add (&c->co.external, buf, NULL, -1, err) < 0)
        return -1;
      if (ext[i].t == SK_NS_NETWORK)
        c->ext_netns = sb.st_ino;
    }
  return 0;
}

/* A dump (not --leave-running) leaves CRIU's network lock, its iptables
 * CRIU chain that drops every packet, in the dumped tasks' network
 * namespace: with the tasks gone the namespace normally goes too, but a
 * namespace joined by path outlives them, locked until a restore unlocks
 * it.  The image says which namespace that is (restore.c: restoring into
 * it must not lock it a second time).  */
static int
note_netns_lock (struct ckpt *c, sk_error_t *err)
{
  char buf[64];
  int n = snprintf (buf, sizeof buf, "%llu\n", (unsigned long long) c->ext_netns);
  if (c->ext_netns == 0 || c->o->leave_running || c->o->pre_dump)
    {
      if (unlinkat (c->images_fd, SK_CKPT_NETNS_LOCKED, 0) < 0 && errno != ENOENT)
        return sk_error_set (err, errno, "checkpoint: remove `%s`", SK_CKPT_NETNS_LOCKED);
      return 0;
    }
  return sk_write_file_atomic (c->images_fd, SK_CKPT_NETNS_LOCKED, buf, n, 0600, err);
}

/* CRIU freezes the tasks through a cgroup freezer (runc passes its
 * freezer path too) rather than one by one with ptrace, so that none can
 * fork away meanwhile: the container's cgroup v2 directory (cgroup.freeze,
 * pure v2 or the unified hierarchy of a hybrid host), else its v1 freezer
 * directory.  NULL: none, CRIU falls back to ptrace.  */
static char *
freezer_dir (const struct sk_state *st)
{
  char *d = NULL;
  char f[4096];
  if (st->cgroup_mountpoint == NULL || st->cgroup_path == NULL)
    return NULL;
  snprintf (f, sizeof f, "%s%s/cgroup.freeze", st->cgroup_mountpoint, st->cgroup_path);
  if (access (f, F_OK) == 0 && asprintf (&d, "%s%s", st->cgroup_mountpoint, st->cgroup_path) > 0)
    return d;
  snprintf (f, sizeof f, "/sys/fs/cgroup/freezer%s/freezer.state", st->cgroup_path);
  if (access (f, F_OK) == 0 && asprintf (&d, "/sys/fs/cgroup/freezer%s", st->cgroup_path) > 0)
    return d;
  return NULL;
}

static int
build_opts (struct ckpt *c, sk_error_t *err)
{
  const struct sk_checkpoint_opts *o = c->o;
  struct sk_criu_opts *co = &c->co;
  if (sk_ckpt_common_opts (co, &o->c, c->spec, err) < 0)
    return -1;
  co->images_dir_fd = c->images_fd;
  co->work_dir_fd = c->work_fd;
  co->log_file = o->pre_dump ? "predump.log" : "dump.log";
  co->pid = c->st->pid;
  co->root = c->st->rootfs;
  co->leave_running = o->leave_running;
  /* The network namespace's configuration is never dumped, as in runc
   * (which always adds network to --empty-ns): the runtime does not own
   * network devices (a CNI plugin or the caller configured them), and a
   * namespace joined by path is external anyway.  restore makes an empty
   * one.  Images stay interchangeable with runc's.  */
  co->empty_ns = CLONE_NEWNET;
  if (o->parent_path)
    {
      co->parent_img = o->parent_path;
      co->track_mem = true;
    }
  co->freeze_cgroup = c->freeze = freezer_dir (c->st);
  if (external_namespaces (c, err) < 0)
    return -1;
  /* A pre-dump saves memory only.  */
  if (o->pre_dump)
    return 0;
  if (sk_ckpt_ext_mounts (co, c->spec, c->st->bundle, c->st->pid, false, err) < 0)
    return -1;
  if (sk_ckpt_external_stdio (co, c->images_fd, c->st->pid, err) < 0)
    return -1;
  return sk_ckpt_write_descriptors (c->images_fd, c->st->pid, err);
}

/* --lazy-pages --status-fd: "status-ready" means the page server listens.  */
static int
on_notify (void *data, const char *script, pid_t pid, int fd, sk_error_t *err)
{
  struct ckpt *c = data;
  (void) pid;
  (void) err;
  sk_closep (&fd);
  if (strcmp (script, "status-ready") == 0 && c->o->status_fd >= 0)
    {
      if (write (c->o->status_fd, "", 1) != 1)
        sk_log_warn ("--status-fd %d: %s", c->o->status_fd, strerror (errno));
    }
  return 0;
}

static int
dump (struct ckpt *c, sk_error_t *err)
{
  struct sk_criu criu;
  if (sk_criu_start (&criu, NULL, 0, false, err) < 0)
    return -1;
  enum sk_criu_req type = c->o->pre_dump ? SK_CRIU_PRE_DUMP : SK_CRIU_DUMP;
  int r = sk_criu_call (&criu, type, &c->co, on_notify, c, NULL, err);
  /* After a PRE_DUMP answer CRIU waits for more and exits non-zero when
   * the socket closes (runc notes the same): its status means nothing.  */
  sk_error_t e = NULL;
  if (sk_criu_finish (&criu, r < 0 || c->o->pre_dump, &e) < 0 && r == 0)
    {
      *err = e;
      e = NULL;
      r = -1;
    }
  sk_error_free (&e);
  if (r < 0)
    sk_ckpt_log_reason (c->log_dir, c->co.log_file, err);
  return r;
}

static int
checkpoint_locked (struct ckpt *c, sk_error_t *err)
{
  const struct sk_checkpoint_opts *o = c->o;
  if (c->st->status == SK_STATUS_CREATED || c->st->status == SK_STATUS_STOPPED
      || c->st->status == SK_STATUS_CREATING)
    return sk_error_set (err, 0, "container `%s` cannot be checkpointed in %s state", c->st->id,
                         sk_status_name (c->st->status));
  if ((c->spec = sk_container_load_spec (c->g, c->st, err)) == NULL)
    return -1;
  /* The image dir first, as runc: --parent-path is relative to it.  */
  if ((c->images_fd = sk_ckpt_open_dir (c->images, true, "image path", err)) < 0)
    return -1;
  if (check_flags (c, err) < 0)
    return -1;
  if (o->c.work_path
      && (c->work_fd = sk_ckpt_open_dir (o->c.work_path, true, "work path", err)) < 0)
    return -1;
  if (build_opts (c, err) < 0 || dump (c, err) < 0 || note_netns_lock (c, err) < 0)
    return -1;
  if (o->leave_running || o->pre_dump)
    return 0;
  /* The container lives on in the image: destroy it, as runc does (its
   * processes were killed by CRIU; the cgroup and state go).  */
  sk_error_t e = NULL;
  c->st->status = SK_STATUS_STOPPED;
  sk_state_refresh (c->g->root, c->st);
  if (sk_delete_locked (c->g, c->st, true, &e) < 0)
    sk_log_warn ("checkpoint `%s`: %s", c->st->id, e->msg);
  sk_error_free (&e);
  return 0;
}

int
sk_container_checkpoint (const struct sk_global *g, const char *id,
                         const struct sk_checkpoint_opts *o, sk_error_t *err)
{
  _cleanup_free_ char *version = NULL;
  if (sk_criu_usable (&version, err) < 0)
    return sk_error_prefix (err, "checkpoint");
  struct ckpt c = { .g = g, .o = o, .images_fd = -1, .work_fd = -1 };
  sk_criu_opts_init (&c.co);
  c.images = o->c.image_path ? o->c.image_path : SK_CKPT_DEFAULT_IMAGES;
  c.log_dir = o->c.work_path ? o->c.work_path : c.images;
  int lock = -1;
  c.st = sk_container_load_locked (g, id, &lock, err);
  int r = c.st ? checkpoint_locked (&c, err) : -1;
  sk_closep (&lock);
  sk_closep (&c.images_fd);
  sk_closep (&c.work_fd);
  sk_criu_opts_clear (&c.co);
  if (c.st)
    sk_state_free (c.st);
  if (c.spec)
    sk_spec_free (c.spec);
  free (c.freeze);
  free (c.ps_address);
  return r;
}
