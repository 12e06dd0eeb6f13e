/* restore: bring a checkpointed container back with CRIU (runc's
 * `restore`).  It is `create` (container.c: validation, the state dir
 * claimed by mkdir, the cgroup, the console socket, rollback of all of
 * it on failure) with CRIU making the processes instead of clone:
 *
 *   bind the rootfs on <state>/criu-root   CRIU needs a mount point whose
 *                                          parent is not overmounted
 *   create missing mount points            as create would have
 *   start `criu swrk`, put it in the       the restored tasks are forked
 *   container's cgroup, send RESTORE       by it, so they start there
 *     setup-namespaces -> prestart and createRuntime hooks
 *     orphan-pts-master -> the pty master to --console-socket
 *     post-restore      -> the pid
 *   write state.json (running: no exec.fifo), the pid file
 *
 * With rst_sibling the restored init is our child (CRIU's sibling), so a
 * foreground restore waits for it like run, and with --detach it goes to
 * our caller's subreaper, as a created container's init does.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "checkpoint/checkpoint_priv.h"
#include "container_priv.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/fs.h"

struct rst
{
  const struct sk_restore_opts *o;
  struct sk_create *cc;
  struct sk_criu_opts co;
  const char *images;
  const char *log_dir;
  int images_fd;
  int work_fd;
  char *root;               /* <state>/criu-root, mounted */
  int ns_fds[2];
  size_t n_ns_fds;
  bool netns_locked;        /* joining the netns the dump left locked */
};

/* Mount points the config needs that the rootfs lacks, made as create
 * makes them (a fresh copy of the rootfs on another host has none).
 * Below a tmpfs they are CRIU's to restore with the tmpfs content;
 * cgroup mount points appear with /sys.  */
static bool
under_tmpfs (const struct sk_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct sk_mount *m = &spec->mounts[i];
      size_t n = m->destination ? strlen (m->destination) : 0;
      if (m->type && strcmp (m->type, "tmpfs") == 0 && n && strncmp (dest, m->destination, n) == 0
          && dest[n] == '/')
        return true;
    }
  return false;
}

static int
make_mount_points (struct rst *r, sk_error_t *err)
{
  const struct sk_spec *spec = r->cc->spec;
  _cleanup_close_ int rootfd = open (r->cc->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return sk_error_set (err, errno, "rootfs `%s`", r->cc->rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct sk_mount *m = &spec->mounts[i];
      if (m->destination == NULL || (m->type && strcmp (m->type, "cgroup") == 0)
          || under_tmpfs (spec, m->destination))
        continue;
      struct stat sb;
      _cleanup_free_ char *src = NULL;
      if (m->source && m->source[0] != '/')
        asprintf (&src, "%s/%s", r->cc->bundle, m->source);
      const char *s = src ? src : m->source;
      bool file = s && stat (s, &sb) == 0 && !S_ISDIR (sb.st_mode);
      if (file)
        {
          int fd = sk_open_in_root (rootfd, m->destination, O_CREAT | O_RDONLY | O_CLOEXEC, 0644, err);
          if (fd < 0)
            return sk_error_prefix (err, "restore: mount point");
          close (fd);
        }
      else if (sk_mkdir_p_in_root (rootfd, m->destination, 0755, err) < 0)
        return sk_error_prefix (err, "restore: mount point");
    }
  return 0;
}

static int
mount_root (struct rst *r, sk_error_t *err)
{
  if (asprintf (&r->root, "%s/criu-root", r->cc->state_dir) < 0)
    {
      r->root = NULL;
      return sk_error_set (err, errno, "restore");
    }
  if (mkdir (r->root, 0755) < 0)
    return sk_error_set (err, errno, "restore: mkdir `%s`", r->root);
  if (mount (r->cc->rootfs, r->root, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      rmdir (r->root);
      return sk_error_set (err, errno, "restore: bind `%s` on `%s`", r->cc->rootfs, r->root);
    }
  return 0;
}

static void
unmount_root (struct rst *r)
{
  if (r->root == NULL)
    return;
  if (umount2 (r->root, MNT_DETACH) < 0 && errno != EINVAL)
    sk_log_warn ("restore: umount `%s`: %s", r->root, strerror (errno));
  rmdir (r->root);
  free (r->root);
  r->root = NULL;
}

/* Is FD the network namespace the dump left locked (checkpoint.c's
 * SK_CKPT_NETNS_LOCKED, same inode)?  */
static bool
netns_left_locked (struct rst *r, int fd)
{
  _cleanup_free_ char *data = NULL;
  size_t len;
  struct stat sb;
  sk_error_t e = NULL;
  if (sk_read_file_at (r->images_fd, SK_CKPT_NETNS_LOCKED, &data, &len, &e) < 0)
    {
      sk_error_free (&e);
      return false;
    }
  return fstat (fd, &sb) == 0 && strtoull (data, NULL, 10) == (unsigned long long) sb.st_ino;
}

/* Namespaces joined by path: net and pid are external to the image
 * (checkpoint.c) and handed to CRIU as inherited fds under their keys;
 * the others CRIU joins itself (join_ns).  CRIU cannot join a cgroup
 * namespace: refused, as runc does.  */
static int
namespaces (struct rst *r, sk_error_t *err)
{
  const struct sk_spec *spec = r->cc->spec;
  const struct sk_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->n_namespaces; i++)
    {
      const struct sk_namespace *ns = &l->namespaces[i];
      if (ns->path == NULL)
        continue;
      if (ns->type == SK_NS_NETWORK || ns->type == SK_NS_PID)
        {
          int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            return sk_error_set (err, errno, "restore: %s namespace `%s`",
                                 sk_ns_type_name (ns->type), ns->path);
          if (ns->type == SK_NS_NETWORK)
            r->netns_locked = netns_left_locked (r, fd);
          r->ns_fds[r->n_ns_fds] = fd;
          const char *key = ns->type == SK_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
          if (sk_criu_list_add (&r->co.inherit_fd, key, NULL, 4 + (int) r->n_ns_fds++, err) < 0)
            return -1;
          continue;
        }
      if (ns->type == SK_NS_CGROUP)
        return sk_error_set (err, 0, "restore: joining a cgroup namespace by path "
                             "(`%s`) is not supported by CRIU", ns->path);
      static const char *criu_names[SK_NS__COUNT] = {
        [SK_NS_MOUNT] = "mnt", [SK_NS_IPC] = "ipc", [SK_NS_UTS] = "uts",
        [SK_NS_USER] = "user", [SK_NS_TIME] = "time",
      };
      if (criu_names[ns->type]
          && sk_criu_list_add (&r->co.join_ns, criu_names[ns->type], ns->path, -1, err) < 0)
        return -1;
    }
  return 0;
}

static int
build_opts (struct rst *r, sk_error_t *err)
{
  struct sk_criu_opts *co = &r->co;
  const struct sk_spec *spec = r->cc->spec;
  if (sk_ckpt_common_opts (co, &r->o->c, spec, err) < 0)
    return -1;
  co->images_dir_fd = r->images_fd;
  co->work_dir_fd = r->work_fd;
  co->log_file = "restore.log";
  co->root = r->root;
  co->rst_sibling = true;
  /* Device files are matched by major:minor, not by inode: the host's
   * /dev/null is another inode after a reboot or on another machine.  */
  co->evasive_devices = true;
  co->lsm_profile = r->o->lsm_profile;
  co->lsm_mount_context = r->o->lsm_mount_context;
  if (namespaces (r, err) < 0
      || sk_ckpt_ext_mounts (co, spec, r->cc->bundle, 0, true, err) < 0)
    return -1;
  /* checkpoint never dumps the network namespace (as runc): CRIU makes
   * an empty one (runc sends the same).  With "empty" CRIU also locks the
   * namespace's network while it restores (iptables: a CRIU chain that
   * drops all, jumped to from INPUT and OUTPUT) and unlocks it at the
   * end.  Not when this is the namespace joined by path that the dump
   * left locked: a second lock doubles the jumps, and CRIU 3.17's one
   * unlock (delete one jump each, then the chain, in one iptables-restore
   * transaction) then fails as a whole, leaving the namespace's network
   * dead after a successful restore (CRIU fixed its unlock in 3.19).
   * Without "empty" CRIU restores nothing of an external namespace either,
   * keeps the dump's lock through the restore and removes it at the end.  */
  co->empty_ns = r->netns_locked ? 0 : CLONE_NEWNET;
  return sk_ckpt_inherit_stdio (co, r->images_fd, err);
}

/* Where CRIU stands in every hierarchy is where the restored tree goes:
 * each line of /proc/<criu>/cgroup becomes a cgroup root, one per
 * controller as runc sends them ("" for the cgroup2 line).  */
static int
cgroup_roots (struct rst *r, pid_t criu, sk_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", criu);
  _cleanup_free_ char *data = NULL;
  size_t len;
  if (sk_read_file (path, &data, &len, err) < 0)
    return -1;
  for (char *save = NULL, *line = strtok_r (data, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      char *ctrls = c1 + 1, *cg = c2 + 1;
      if (*ctrls == '\0' && sk_criu_list_add (&r->co.cg_root, "", cg, -1, err) < 0)
        return -1;
      for (char *s2 = NULL, *c = strtok_r (ctrls, ",", &s2); c; c = strtok_r (NULL, ",", &s2))
        if (sk_criu_list_add (&r->co.cg_root, c, cg, -1, err) < 0)
          return -1;
    }
  return 0;
}

static int
on_notify (void *data, const char *script, pid_t pid, int fd, sk_error_t *err)
{
  struct rst *r = data;
  struct sk_create *cc = r->cc;
  if (strcmp (script, "orphan-pts-master") == 0)
    {
      /* The terminal's master end, as create sends it.  */
      int rc = cc->console_fd >= 0 ? sk_send_fd (cc->console_fd, fd, "console", err) : 0;
      sk_closep (&fd);
      return rc;
    }
  sk_closep (&fd);
  if (strcmp (script, "setup-namespaces") == 0)
    {
      /* runtime.md lifecycle step 6, as in create: the namespaces exist,
       * the user program does not run yet.  */
      const struct sk_hooks *h = &cc->spec->hooks;
      if (h->prestart.n == 0 && h->create_runtime.n == 0)
        return 0;
      cc->pid = pid;
      sk_create_fill_state (cc);
      _cleanup_free_ char *json = sk_state_to_json (&cc->st, false, err);
      if (json == NULL || sk_hooks_run (&h->prestart, "prestart", json, err) < 0
          || sk_hooks_run (&h->create_runtime, "createRuntime", json, err) < 0)
        return -1;
      return 0;
    }
  if (strcmp (script, "post-restore") == 0)
    cc->pid = pid;
  return 0;
}

static int
run_criu (struct rst *r, sk_error_t *err)
{
  struct sk_criu criu;
  struct sk_create *cc = r->cc;
  if (sk_criu_start (&criu, r->ns_fds, r->n_ns_fds, true, err) < 0)
    return -1;
  int rc = 0;
  if (cc->cg && (sk_cgroup_enter (cc->cg, criu.pid, err) < 0 || cgroup_roots (r, criu.pid, err) < 0))
    rc = -1;
  pid_t pid = 0;
  if (rc == 0)
    rc = sk_criu_call (&criu, SK_CRIU_RESTORE, &r->co, on_notify, r, &pid, err);
  if (rc < 0)
    kill (criu.pid, SIGKILL);
  sk_error_t e = NULL;
  if (sk_criu_finish (&criu, rc < 0, &e) < 0 && rc == 0)
    {
      *err = e;
      e = NULL;
      rc = -1;
    }
  sk_error_free (&e);
  if (rc == 0 && pid > 0)
    cc->pid = pid;
  if (rc == 0 && cc->pid <= 0)
    rc = sk_error_set (err, 0, "restore: criu did not report the restored pid");
  if (rc < 0 && *err && strncmp ((*err)->msg, "criu ", 5) == 0)
    sk_ckpt_log_reason (r->log_dir, "restore.log", err);
  return rc;
}

/* The state of a running container: no exec.fifo, and no recorded init
 * image (that marks a created container that has not reached execve).  */
static int
write_state (struct rst *r, sk_error_t *err)
{
  struct sk_create *cc = r->cc;
  sk_create_fill_state (cc);
  cc->st.init_exe_dev = cc->st.init_exe_ino = 0;
  cc->st.status = SK_STATUS_RUNNING;
  /* CRIU has finished the processes: the state is complete (a state.json
   * left incomplete reads as `stopped` once its writer is gone).  */
  cc->st.incomplete = false;
  if (unlinkat (cc->state_dirfd, "exec.fifo", 0) < 0 && errno != ENOENT)
    return sk_error_set (err, errno, "restore: remove `%s/exec.fifo`", cc->state_dir);
  return sk_state_write (cc->g->root, &cc->st, err);
}

static int
restore_spawn (struct sk_create *cc, sk_error_t *err)
{
  struct rst *r = cc->spawn_data;
  r->cc = cc;
  int rc = make_mount_points (r, err) < 0 || mount_root (r, err) < 0 || build_opts (r, err) < 0
               || run_criu (r, err) < 0 ? -1 : 0;
  unmount_root (r);
  if (rc == 0)
    rc = write_state (r, err);
  return rc;
}

static int
open_dirs (struct rst *r, sk_error_t *err)
{
  r->images = r->o->c.image_path ? r->o->c.image_path : SK_CKPT_DEFAULT_IMAGES;
  r->log_dir = r->o->c.work_path ? r->o->c.work_path : r->images;
  if ((r->images_fd = sk_ckpt_open_dir (r->images, false, "restore: image path", err)) < 0)
    return -1;
  if (r->o->c.work_path
      && (r->work_fd = sk_ckpt_open_dir (r->o->c.work_path, true, "restore: work path", err)) < 0)
    return -1;
  int mode;
  return sk_ckpt_cg_mode (r->o->c.manage_cgroups_mode, &mode, err);
}

int
sk_container_restore (const struct sk_global *g, const char *id,
                      const struct sk_restore_opts *o, int *code, sk_error_t *err)
{
  struct rst r = { .o = o, .images_fd = -1, .work_fd = -1 };
  struct sk_create_opts co = { .bundle = o->bundle, .pid_file = o->pid_file,
                               .console_socket = o->console_socket, .no_pivot = o->no_pivot,
                               .detach = o->detach };
  struct sk_create cc;
  sigset_t set, old;
  int rc = -1;
  _cleanup_free_ char *version = NULL;

  sk_criu_opts_init (&r.co);
  if (sk_validate_id (id, err) < 0 || open_dirs (&r, err) < 0)
    goto out_dirs;
  if (sk_criu_usable (&version, err) < 0)
    {
      sk_error_prefix (err, "restore");
      goto out_dirs;
    }
  sk_create_init (&cc, g, id, &co);
  cc.spawn = restore_spawn;
  cc.spawn_data = &r;
  if (!o->detach)
    {
      /* As run: reap what is reparented to us, and lose no signal.  */
      if (!o->no_subreaper)
        prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
      sk_run_relay_sigset (&set);
      sigprocmask (SIG_BLOCK, &set, &old);
    }
  rc = sk_create_run (&cc, err);
  if (rc == 0 && !o->detach)
    {
      sk_closep (&cc.lock_fd);
      rc = sk_run_foreground (g, &cc, -1, code, err);
      if (rc == 0 && sk_container_delete (g, id, false, err) < 0)
        rc = -1;
    }
  if (!o->detach)
    sigprocmask (SIG_SETMASK, &old, NULL);
  sk_create_clear (&cc);
out_dirs:
  for (size_t i = 0; i < r.n_ns_fds; i++)
    close (r.ns_fds[i]);
  sk_closep (&r.images_fd);
  sk_closep (&r.work_fd);
  sk_criu_opts_clear (&r.co);
  return rc;
}
