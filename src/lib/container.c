/* Parent side of `create` (and the creating half of `run`): validate, claim
 * the state dir, create the cgroup, clone the container process and drive
 * the sync protocol (sync.h) until it is READY.  Any failure rolls back
 * everything made so far: nothing is left behind.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "container_priv.h"
#include "linux/security.h"
#include "linux/spawn.h"
#include "rootless.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/fs.h"
#include "testhook.h"
#include "validate.h"

static char *
rfc3339_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return strdup (buf);
}

/* A rootfs that is itself a symlink is refused, as runc refuses it: it is
 * where symlink-exchange attacks start (swap the link between check and
 * mount and the container gets another tree).  The directories above it
 * are resolved once by realpath and every later step uses that one
 * resolved path, so a later change of them cannot redirect a check.  */
static int
check_rootfs_not_symlink (const char *rootfs, sk_error_t *err)
{
  struct stat st;
  size_t n = strlen (rootfs);
  _cleanup_free_ char *trimmed = strdup (rootfs);
  if (trimmed == NULL)
    return sk_error_set (err, errno, "root.path");
  /* "rootfs/" would make lstat follow the link: look at the name itself.  */
  while (n > 1 && trimmed[n - 1] == '/')
    trimmed[--n] = '\0';
  if (lstat (trimmed, &st) < 0)
    return sk_error_set (err, errno, "config.json: root.path: `%s`", rootfs);
  if (S_ISLNK (st.st_mode))
    return sk_error_set (err, 0, "config.json: root.path: `%s` is a symbolic link: refused",
                         rootfs);
  return 0;
}

/* Load and check everything before anything is created.  */
static int
prepare (struct sk_create *cc, sk_error_t *err)
{
  if (sk_validate_id (cc->id, err) < 0
      || sk_validate_preserve_fds (cc->o->listen_fds, cc->o->preserve_fds, err) < 0)
    return -1;
  const char *b = cc->o->bundle ? cc->o->bundle : ".";
  if ((cc->bundle = realpath (b, NULL)) == NULL)
    return sk_error_set (err, errno, "bundle `%s`", b);
  _cleanup_free_ char *cfg = NULL;
  if (asprintf (&cfg, "%s/config.json", cc->bundle) < 0)
    return sk_error_set (err, errno, "bundle");
  if ((cc->spec = sk_spec_load_raw (cfg, &cc->config_raw, &cc->config_len, err)) == NULL)
    return -1;
  if (cc->spec->root == NULL || cc->spec->root->path == NULL)
    return sk_error_set (err, 0, "config.json: root.path: required");
  const char *rp = cc->spec->root->path;
  _cleanup_free_ char *joined = NULL;
  if (rp[0] != '/' && asprintf (&joined, "%s/%s", cc->bundle, rp) < 0)
    return sk_error_set (err, errno, "root.path");
  const char *rootfs = joined ? joined : rp;
  if (check_rootfs_not_symlink (rootfs, err) < 0)
    return -1;
  if ((cc->rootfs = realpath (rootfs, NULL)) == NULL)
    return sk_error_set (err, errno, "config.json: root.path: `%s`", rootfs);
  /* Rootless first: its "needs a user namespace" hint explains errors the
   * general checks would report less usefully (mappings without one).  */
  if ((cc->g->rootless && sk_rootless_validate (cc->spec, cc->rootfs, err) < 0)
      || sk_validate_spec (cc->spec, cc->rootfs, err) < 0)
    return -1;
  const struct sk_process *p = cc->spec->process;
  if (p && p->terminal && cc->o->console_socket == NULL && cc->console_fd < 0)
    return sk_error_set (err, 0, "process.terminal is true: --console-socket is required "
                         "when the container's terminal is not relayed by `run`");
  if (cc->spec->linux_ && cc->spec->linux_->seccomp
      && (cc->seccomp = sk_seccomp_compile (cc->spec->linux_->seccomp, err)) == NULL)
    return -1;
  sk_create_debug_config (cc);
  return 0;
}

/* In a new user namespace the container's root is some other host uid:
 * it must still be able to open exec.fifo (the state dir is 0711).  */
static int
chown_fifo (struct sk_create *cc, sk_error_t *err)
{
  const struct sk_linux *l = cc->spec->linux_;
  if (sk_spec_namespace (cc->spec, SK_NS_USER) == NULL)
    return 0;
  uid_t uid = 0;
  gid_t gid = 0;
  for (size_t i = 0; i < l->uid_mappings.n; i++)
    if (l->uid_mappings.v[i].container_id == 0)
      uid = l->uid_mappings.v[i].host_id;
  for (size_t i = 0; i < l->gid_mappings.n; i++)
    if (l->gid_mappings.v[i].container_id == 0)
      gid = l->gid_mappings.v[i].host_id;
  if (fchownat (cc->state_dirfd, "exec.fifo", uid, gid, 0) == 0)
    return 0;
  /* Rootless, with the container's root mapped to a subordinate id: we
   * may not give the fifo away, so its mode lets that id write it.  Only
   * the state dir's owner reaches it: the rootless state root is 0700
   * (rootless.c) and init opens it through a directory fd.  */
  if (errno == EPERM && geteuid () != 0
      && fchmodat (cc->state_dirfd, "exec.fifo", 0622, 0) == 0)
    return 0;
  return sk_error_set (err, errno, "chown `%s/exec.fifo`", cc->state_dir);
}

/* Intent first (intent.h): what is about to be created goes to the state
 * dir, fsynced, before the first mkdir, so a create killed at any point
 * after this leaves nothing that delete cannot find.  */
static int
write_cgroup_intent (void *data, const char *manager, const struct sk_cgroup_place *places,
                     size_t n, sk_error_t *err)
{
  struct sk_create *cc = data;
  if (sk_intent_set_cgroup (&cc->intent, manager, places, n, err) < 0)
    return -1;
  if (sk_intent_write (cc->state_dirfd, &cc->intent, err) < 0)
    return sk_error_prefix (err, "state directory `%s`", cc->state_dir);
  sk_test_stop ("cgroup-intent");
  return 0;
}

static int
create_cgroup (struct sk_create *cc, sk_error_t *err)
{
  /* The manager reports every hierarchy's directory before its first
   * mkdir (cgroup.h), whatever the layout.  */
  sk_cgroup_set_intent_hook (write_cgroup_intent, cc);
  /* Rootless: only where delegated (rootless.c rule 5).  */
  cc->cg = cc->g->rootless
             ? sk_rootless_cgroup_create (cc->spec, cc->id, cc->g->systemd_cgroup, err)
             : sk_cgroup_create (cc->spec, cc->id, cc->g->systemd_cgroup, err);
  sk_cgroup_set_intent_hook (NULL, NULL);
  if (cc->cg == NULL && *err)
    return -1;
  /* An existing empty cgroup at the container's path is joined (the
   * manager refuses a busy one) and, not being ours, never removed: say
   * so rather than adopt it silently (it may be a leftover).  */
  if (cc->cg && !cc->cg->created && cc->cg->unit == NULL)   /* a unit is made at enter */
    sk_log_warn ("cgroup `%s` already existed: joined; delete will leave it",
                 sk_cgroup_full_path (cc->cg));
  sk_test_stop ("cgroup");
  return 0;
}

/* The first process exists: record it before anything else can fail.  */
static int
record_pid (struct sk_create *cc, pid_t pid, sk_error_t *err)
{
  cc->intent.st.pid = pid;
  cc->intent.st.pid_start = sk_proc_start_time (pid);
  if (sk_intent_write (cc->state_dirfd, &cc->intent, err) < 0)
    return sk_error_prefix (err, "state directory `%s`", cc->state_dir);
  return 0;
}

/* Claim the id and make the parent-side resources, in rollback order.  */
static int
claim (struct sk_create *cc, sk_error_t *err)
{
  const char *root = cc->g->root;
  if ((cc->lock_fd = sk_state_claim (root, cc->id, err)) < 0)
    return -1;
  cc->claimed = true;
  sk_test_stop ("published");
  cc->state_dir = sk_state_dir (root, cc->id);
  cc->state_dirfd = open (cc->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cc->state_dirfd < 0)
    return sk_error_set (err, errno, "open `%s`", cc->state_dir);
  if (mkfifoat (cc->state_dirfd, "exec.fifo", 0600) < 0)
    return sk_error_set (err, errno, "create `%s/exec.fifo`", cc->state_dir);
  if (chown_fifo (cc, err) < 0)
    return -1;
  /* runtime.md lifecycle step 2: "any updates to config.json after this
   * step MUST NOT affect the container": start and delete read this copy
   * of the bytes validated above, never the bundle's file again.  0600: the
   * config may carry secrets in process.env.  */
  if (sk_write_file_replace (cc->state_dirfd, "config.json", cc->config_raw, cc->config_len,
                            0600, err) < 0)
    return sk_error_prefix (err, "state directory `%s`", cc->state_dir);
  sk_test_stop ("config");
  if (create_cgroup (cc, err) < 0)
    return -1;
  if (cc->o->console_socket)
    {
      cc->console_fd = sk_unix_connect (cc->o->console_socket, "console socket", err);
      if (cc->console_fd < 0)
        return -1;
    }
  return 0;
}

void
sk_create_fill_state (struct sk_create *cc)
{
  struct sk_state *st = &cc->st;
  st->oci_version = cc->spec->oci_version;
  st->id = (char *) cc->id;
  st->pid = cc->pid;
  st->pid_start = sk_proc_start_time (cc->pid);
  /* What init runs until its execve (state.c before_execve): only when
   * that is our sealed memfd (exeguard.c), which no user program can be.
   * A skiff on a read-only mount runs unsealed, and a container might
   * exec that very file through a bind mount: then state could not tell
   * before from after execve, so it is not recorded.  */
  char exe[64];
  struct stat sb;
  snprintf (exe, sizeof exe, "/proc/%d/exe", cc->pid);
  if (sk_exe_is_sealed () && stat (exe, &sb) == 0)
    {
      st->init_exe_dev = sb.st_dev;
      st->init_exe_ino = sb.st_ino;
    }
  st->bundle = cc->bundle;
  st->rootfs = cc->rootfs;
  if (st->created == NULL)
    st->created = rfc3339_now ();
  /* runc's list shows the user that owns the container (its state dir);
   * "" reads as root.  */
  static char owner[64];
  struct passwd *pw = geteuid () != 0 ? getpwuid (geteuid ()) : NULL;
  if (geteuid () != 0)
    snprintf (owner, sizeof owner, "%s", pw ? pw->pw_name : "");
  if (geteuid () != 0 && owner[0] == '\0')
    snprintf (owner, sizeof owner, "%u", (unsigned) geteuid ());
  st->owner = owner;
  st->annotations = cc->spec->annotations;
  st->cgroup_mountpoint = cc->cg ? cc->cg->mountpoint : NULL;
  st->cgroup_path = cc->cg ? cc->cg->path : NULL;
  st->cgroup_created = cc->cg ? cc->cg->created : false;
  st->cgroup_created_depth = cc->cg ? cc->cg->created_depth : 0;
  st->systemd_cgroup = cc->g->systemd_cgroup;
  st->cgroup_manager = cc->cg ? (char *) sk_cgroup_manager_name (cc->cg) : NULL;
  st->cgroup_places = cc->cg ? (struct sk_cgroup_place *) sk_cgroup_places (cc->cg,
                                                                           &st->n_cgroup_places)
                             : NULL;
  st->has_poststop = cc->spec->hooks.poststop.n > 0;
  st->no_process = cc->spec->process == NULL;
  st->status = SK_STATUS_CREATED;
  /* Until READY and the rlimits: a create killed before then leaves a
   * state.json that says so (state.c sk_state_refresh).  */
  st->incomplete = true;
}

static int
spawn_child (struct sk_create *cc, sk_error_t *err)
{
  struct sk_spawn_plan plan;
  sk_spawn_plan (cc->spec, &plan);
  int sv[2];
  if (sk_sync_pair (sv, err) < 0)
    return -1;
  cc->sync_fd = sv[0];
  struct sk_init_ctx *ic = &cc->init;
  *ic = (struct sk_init_ctx) {
    .spec = cc->spec, .id = cc->id, .bundle = cc->bundle, .rootfs = cc->rootfs,
    .state_dir = cc->state_dir, .no_pivot = cc->o->no_pivot,
    .no_new_keyring = cc->o->no_new_keyring,
    .preserve_fds = cc->o->listen_fds + cc->o->preserve_fds, .listen_fds = cc->o->listen_fds,
    .console_socket_fd = cc->console_fd, .sync_fd = sv[1], .fifo_dirfd = cc->state_dirfd,
    .cgroup_fd = cc->cg ? sk_cgroup_clone_fd (cc->cg) : -1, .seccomp = cc->seccomp,
    .new_ns_flags = plan.unshare_flags, .userns_new = plan.userns_new,
    /* Rootless, the runtime cannot enter the container's mount namespace
     * (setns needs CAP_SYS_CHROOT in its own user namespace) and can reach
     * no more than the container's mapped root can: init opens the bind
     * sources by path, as before.  */
    .send_mount_srcs = plan.userns_new && !cc->g->rootless,
    .cgroupns_new = plan.cgroupns_new,
    .need_fork = plan.need_fork, .fifo_fd = -1,
    .parent_fds = { cc->lock_fd, sv[0], -1, -1 },
  };
  bool in_cgroup = false;
  /* Idmapped mounts must be built in the host user namespace (rootfs).  */
  if (sk_mounts_prepare_idmapped (cc->spec, cc->bundle, err) < 0)
    {
      sk_mounts_close_idmapped ();
      close (sv[1]);
      return -1;
    }
  cc->child = sk_spawn (plan.clone_flags, ic->cgroup_fd, sk_init_child, ic, &in_cgroup, err);
  sk_mounts_close_idmapped ();
  close (sv[1]);
  if (cc->child < 0)
    {
      cc->child = 0;
      return -1;
    }
  if (record_pid (cc, cc->child, err) < 0)
    return -1;
  sk_test_stop ("spawned");
  if (cc->cg && !in_cgroup && sk_cgroup_enter (cc->cg, cc->child, err) < 0)
    return -1;
  sk_log_debug ("init cloned: pid %d, flags %#lx, cgroup `%s` (%s)", (int) cc->child,
                plan.clone_flags, cc->cg && cc->cg->path ? cc->cg->path : "none",
                in_cgroup ? "CLONE_INTO_CGROUP" : "joined after clone");
  return 0;
}

/* The parent's half of sync.h, from clone to READY.  */
static int
drive_init (struct sk_create *cc, sk_error_t *err)
{
  struct sk_sync_msg m;
  int fd = cc->sync_fd;
  double t0 = sk_log_ms ();
  if (cc->init.userns_new)
    {
      if (sk_sync_expect (fd, SK_SYNC_USERNS, &m, err) < 0)
        return -1;
      sk_sync_msg_clear (&m);
      sk_create_debug_step (cc, "USERNS: user namespace created", t0);
      if ((cc->init.send_mount_srcs
           && sk_mount_sources_send (cc->spec, cc->bundle, cc->child, fd, err) < 0)
          || sk_userns_write_maps (cc->child, cc->spec, err) < 0
          || sk_sync_send (fd, SK_SYNC_MAPPED, 0, NULL, -1, err) < 0)
        return -1;
      sk_create_debug_step (cc, "MAPPED: bind sources sent, id maps written", t0);
    }
  /* spawn_child placed the child in its cgroups: it may fork now.  */
  if (cc->init.need_fork && sk_sync_send (fd, SK_SYNC_PLACED, 0, NULL, -1, err) < 0)
    return -1;
  if (sk_sync_expect (fd, SK_SYNC_PID, &m, err) < 0)
    return -1;
  sk_create_debug_step (cc, "PID: namespaces entered", t0);
  cc->pid = m.value ? (pid_t) m.value : cc->child;
  sk_sync_msg_clear (&m);
  if (cc->pid != cc->child)
    {
      if (record_pid (cc, cc->pid, err) < 0)
        return -1;
      /* The middle process exits right after reporting: reap it.  */
      waitpid (cc->child, NULL, 0);
      cc->child = 0;
    }
  sk_test_stop ("pid");
  if (sk_netdev_move (cc->spec, cc->pid, err) < 0
      || sk_intelrdt_apply (cc->spec, cc->id, cc->pid, err) < 0
      || sk_sync_send (fd, SK_SYNC_PID_ACK, 0, NULL, -1, err) < 0)
    return -1;
  if (sk_sync_expect (fd, SK_SYNC_HOOKS, &m, err) < 0)
    return -1;
  sk_sync_msg_clear (&m);
  sk_create_debug_step (cc, "HOOKS: mounts and devices done", t0);
  sk_create_fill_state (cc);
  if (sk_state_write (cc->g->root, &cc->st, err) < 0)
    return -1;
  sk_test_stop ("state");
  _cleanup_free_ char *state_json = sk_state_to_json (&cc->st, false, err);
  if (state_json == NULL)
    return -1;
  /* runtime.md lifecycle step 6: prestart (deprecated) then createRuntime,
   * in the runtime namespace, after the namespaces exist.  */
  if (sk_hooks_run (&cc->spec->hooks.prestart, "prestart", state_json, err) < 0
      || sk_hooks_run (&cc->spec->hooks.create_runtime, "createRuntime", state_json, err) < 0
      || sk_sync_send (fd, SK_SYNC_HOOKS_DONE, 0, state_json, -1, err) < 0)
    return -1;
  sk_test_stop ("hooks");
  if (cc->seccomp && sk_seccomp_uses_notify (cc->seccomp))
    {
      if (sk_sync_expect (fd, SK_SYNC_SECCOMP_FD, &m, err) < 0)
        return -1;
      int r = sk_seccomp_send_listener (cc->spec->linux_->seccomp, m.fd, state_json, err);
      sk_sync_msg_clear (&m);
      if (r < 0 || sk_sync_send (fd, SK_SYNC_SECCOMP_DONE, 0, NULL, -1, err) < 0)
        return -1;
    }
  if (sk_sync_expect (fd, SK_SYNC_READY, &m, err) < 0)
    return -1;
  sk_sync_msg_clear (&m);
  sk_create_debug_step (cc, "READY: pivot_root, paths, console done", t0);
  /* After the child's whole setup, so a small RLIMIT_NOFILE cannot break
   * it (see attrs.c).  */
  if (sk_rlimits_apply (cc->spec->process, cc->pid, err) < 0)
    return -1;
  cc->st.incomplete = false;
  if (sk_state_write (cc->g->root, &cc->st, err) < 0)
    return -1;
  sk_test_stop ("ready");
  return 0;
}

static int
write_pid_file (const char *path, pid_t pid, sk_error_t *err)
{
  _cleanup_free_ char *copy = strdup (path);
  _cleanup_free_ char *copy2 = strdup (path);
  if (copy == NULL || copy2 == NULL)
    return sk_error_set (err, errno, "pid file");
  char *slash = strrchr (copy, '/');
  const char *dir = slash ? (slash == copy ? "/" : (*slash = '\0', copy)) : ".";
  const char *name = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return sk_error_set (err, errno, "pid file `%s`", path);
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  if (sk_write_file_replace (dfd, name, buf, n, 0644, err) < 0)
    return sk_error_prefix (err, "pid file `%s`", path);
  return 0;
}

void
sk_create_rollback (struct sk_create *cc)
{
  sk_error_t e = NULL;
  if (cc->pid > 0)
    sk_kill_and_wait (cc->pid, cc->pid == cc->child);
  if (cc->child > 0 && cc->child != cc->pid)
    sk_kill_and_wait (cc->child, true);
  if (cc->cg)
    {
      if (sk_cgroup_destroy (cc->cg, &e) < 0)
        sk_log_warn ("rollback: %s", e->msg);
      sk_error_free (&e);
    }
  if (cc->pid > 0 && cc->spec)
    sk_intelrdt_destroy (cc->spec, cc->id, &e);
  sk_error_free (&e);
  if (cc->claimed && sk_state_remove (cc->g->root, cc->id, &e) < 0)
    sk_log_warn ("rollback: %s", e->msg);
  sk_error_free (&e);
  if (cc->o->pid_file && cc->pid_file_written)
    unlink (cc->o->pid_file);
}

void
sk_create_clear (struct sk_create *cc)
{
  if (cc->sync_fd >= 0)
    close (cc->sync_fd);
  if (cc->console_fd >= 0)
    close (cc->console_fd);
  if (cc->state_dirfd >= 0)
    close (cc->state_dirfd);
  if (cc->lock_fd >= 0)
    close (cc->lock_fd);
  sk_cgroup_free (cc->cg);
  sk_intent_clear (&cc->intent);
  if (cc->seccomp)
    sk_seccomp_prog_free (cc->seccomp);
  free (cc->init.state_json);
  free (cc->config_raw);
  free (cc->st.created);
  free (cc->state_dir);
  free (cc->rootfs);
  free (cc->bundle);
  if (cc->spec)
    sk_spec_free (cc->spec);
  memset (cc, 0, sizeof *cc);
  cc->sync_fd = cc->console_fd = cc->state_dirfd = cc->lock_fd = -1;
}

void
sk_create_init (struct sk_create *cc, const struct sk_global *g, const char *id,
                const struct sk_create_opts *o)
{
  memset (cc, 0, sizeof *cc);
  cc->g = g;
  cc->id = id;
  cc->o = o;
  cc->sync_fd = cc->console_fd = cc->state_dirfd = cc->lock_fd = -1;
}

int
sk_create_run (struct sk_create *cc, sk_error_t *err)
{
  if (prepare (cc, err) < 0)
    return -1;
  if (claim (cc, err) < 0)
    goto fail;
  /* restore (checkpoint/restore.c) has CRIU make the processes instead.  */
  if (cc->spawn)
    {
      if (cc->spawn (cc, err) < 0)
        goto fail;
    }
  else if (spawn_child (cc, err) < 0)
    goto fail;
  else if (drive_init (cc, err) < 0)
    {
      sk_create_explain_init_exit (cc, err);
      goto fail;
    }
  if (cc->o->pid_file)
    {
      if (write_pid_file (cc->o->pid_file, cc->pid, err) < 0)
        goto fail;
      cc->pid_file_written = true;
    }
  return 0;
fail:
  sk_create_rollback (cc);
  return -1;
}

int
sk_container_create (const struct sk_global *g, const char *id,
                     const struct sk_create_opts *o, sk_error_t *err)
{
  struct sk_create cc;
  sk_create_init (&cc, g, id, o);
  int r = sk_create_run (&cc, err);
  sk_create_clear (&cc);
  return r;
}
