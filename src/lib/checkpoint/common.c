/* What checkpoint and restore share: the options both send, the mounts
 * CRIU must treat as external, the image directory, CRIU's log.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "checkpoint/checkpoint_priv.h"
#include "util/cleanup.h"
#include "util/fs.h"

int
sk_checkpoint_available (char **version, sk_error_t *err)
{
  return sk_criu_usable (version, err);
}

int
sk_ckpt_cg_mode (const char *mode, int *out, sk_error_t *err)
{
  static const struct { const char *name; int mode; } modes[] = {
    { "soft", SK_CRIU_CG_SOFT }, { "full", SK_CRIU_CG_FULL },
    { "strict", SK_CRIU_CG_STRICT }, { "ignore", SK_CRIU_CG_IGNORE },
  };
  if (mode == NULL || *mode == '\0')
    {
      *out = SK_CRIU_CG_DEFAULT;
      return 0;
    }
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp (mode, modes[i].name) == 0)
      {
        *out = modes[i].mode;
        return 0;
      }
  return sk_error_set (err, 0, "--manage-cgroups-mode `%s`: expected soft, full, strict or ignore",
                       mode);
}

/* mkdir (when asked) and open a directory CRIU gets by fd.  */
int
sk_ckpt_open_dir (const char *path, bool create, const char *what, sk_error_t *err)
{
  /* runc makes the whole path (MkdirAll); the last component 0700.  */
  if (create && sk_mkdir_p (path, 0700, err) < 0)
    return sk_error_prefix (err, "%s", what);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "%s `%s`", what, path);
  return fd;
}

/* The options checkpoint and restore set alike (runc sets the same).  */
int
sk_ckpt_common_opts (struct sk_criu_opts *co, const struct sk_criu_flags *f,
                     const struct sk_spec *spec, sk_error_t *err)
{
  if (sk_ckpt_cg_mode (f->manage_cgroups_mode, &co->manage_cgroups_mode, err) < 0)
    return -1;
  co->log_level = 4;
  co->manage_cgroups = true;
  co->notify_scripts = true;
  co->orphan_pts_master = true;
  co->shell_job = f->shell_job;
  co->ext_unix_sk = f->ext_unix_sk;
  co->tcp_established = f->tcp_established;
  co->file_locks = f->file_locks;
  co->auto_dedup = f->auto_dedup;
  co->lazy_pages = f->lazy_pages;
  /* runc's convention, which podman and CRI-O document: the annotation
   * org.criu.config names a CRIU configuration file for this container
   * ("" for none), else /etc/criu/runc.conf is read if it exists.  A host
   * set up for runc's checkpoints gets the same CRIU settings here.  */
  co->config_file = "/etc/criu/runc.conf";
  for (size_t i = 0; i < spec->annotations.n; i++)
    if (strcmp (spec->annotations.v[i].key, "org.criu.config") == 0)
      co->config_file = *spec->annotations.v[i].value ? spec->annotations.v[i].value : NULL;
  return 0;
}

static bool
is_bind (const struct sk_mount *m)
{
  if (m->type && strcmp (m->type, "bind") == 0)
    return true;
  for (size_t i = 0; i < m->options.n; i++)
    if (strcmp (m->options.v[i], "bind") == 0 || strcmp (m->options.v[i], "rbind") == 0)
      return true;
  return false;
}

/* Mounts whose source lies outside the container are "external" to CRIU:
 * it records them by a key (the destination) and, on restore, mounts the
 * source given for that key.  Bind mounts, the /dev/null bind mounts
 * behind masked files, and device nodes (bind-mounted from the host when
 * a user namespace forbids mknod; a key that is no mount point is not
 * used).  Same keys as runc, so images move between the two runtimes.  */
int
sk_ckpt_ext_mounts (struct sk_criu_opts *co, const struct sk_spec *spec, const char *bundle,
                    pid_t pid, bool restore, sk_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct sk_mount *m = &spec->mounts[i];
      if (!is_bind (m) || m->destination == NULL)
        continue;
      _cleanup_free_ char *src = NULL;
      if (restore && m->source && m->source[0] != '/' && asprintf (&src, "%s/%s", bundle, m->source) < 0)
        return sk_error_set (err, errno, "mount source");
      const char *val = restore ? (src ? src : m->source) : m->destination;
      if (sk_criu_list_add (&co->ext_mnt, m->destination, val ? val : "", -1, err) < 0)
        return -1;
    }
  const struct sk_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  bool masked_file = false;
  for (size_t i = 0; i < l->masked_paths.n; i++)
    {
      const char *p = l->masked_paths.v[i];
      struct stat sb;
      char path[4096];
      /* Only files are /dev/null bind mounts; directories get a tmpfs,
       * which CRIU dumps with its content.  */
      if (restore)
        {
          masked_file = true;
          continue;
        }
      snprintf (path, sizeof path, "/proc/%d/root%s", pid, p);
      if (stat (path, &sb) < 0 || S_ISDIR (sb.st_mode))
        continue;
      if (sk_criu_list_add (&co->ext_mnt, p, "/dev/null", -1, err) < 0)
        return -1;
    }
  if (masked_file && sk_criu_list_add (&co->ext_mnt, "/dev/null", "/dev/null", -1, err) < 0)
    return -1;
  for (size_t i = 0; i < l->n_devices; i++)
    if (l->devices[i].path
        && sk_criu_list_add (&co->ext_mnt, l->devices[i].path, l->devices[i].path, -1, err) < 0)
      return -1;
  return 0;
}

/* CRIU's answer over the socket rarely says why; its log does.  The
 * reason is the first "Error (file:line): ..." line that is not about a
 * helper's exit status (those follow the real cause, and the helper's own
 * output, an iptables "Error occurred at line: 5", says less than CRIU's
 * line about it): "criu dump failed: Locking network failed: ... (log
 * `DIR/dump.log`)".  runc prints these lines as warnings.  */
void
sk_ckpt_log_reason (const char *dir, const char *file, sk_error_t *err)
{
  char path[4096], line[1024], reason[1024] = "";
  snprintf (path, sizeof path, "%s/%s", dir, file);
  if (err == NULL || *err == NULL)
    return;
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  while (f && fgets (line, sizeof line, f))
    {
      char *e = strstr (line, "Error (");
      if (e == NULL)
        continue;
      line[strcspn (line, "\n")] = '\0';
      /* "Error (criu/net.c:3071): Locking network failed": from past "): ".  */
      char *what = strstr (e, "): ");
      what = what ? what + 3 : e;
      /* Not the cause: a helper's exit status (CRIU's next line says what
       * failed), and a pre-dump parent without this task's pages (a task
       * forked since: CRIU goes on without it).  */
      bool helper = strstr (what, "exited, status=") != NULL
                    || strstr (what, "No parent image found") != NULL;
      if (reason[0] == '\0' || !helper)
        snprintf (reason, sizeof reason, "%s", what);
      if (!helper)
        break;
    }
  char *msg = NULL;
  /* CRIU 3.17 answers with its first error line (cr_errmsg): then only
   * the log's name is added.  */
  if (reason[0] && strstr ((*err)->msg, reason) == NULL)
    asprintf (&msg, "%s: %s (log `%s`)", (*err)->msg, reason, path);
  else
    asprintf (&msg, "%s (log `%s`)", (*err)->msg, path);
  if (msg)
    {
      free ((*err)->msg);
      (*err)->msg = msg;
    }
}

/* stdin, stdout, stderr of init as /proc/PID/fd links: restore hands
 * pipes back to CRIU by these names (runc's descriptors.json, same form).  */
int
sk_ckpt_write_descriptors (int images_fd, pid_t pid, sk_error_t *err)
{
  char json[3 * 4200 + 16];
  size_t n = 0;
  n += snprintf (json + n, sizeof json - n, "[");
  for (int i = 0; i < 3; i++)
    {
      char link[64], target[4096];
      snprintf (link, sizeof link, "/proc/%d/fd/%d", pid, i);
      ssize_t len = readlink (link, target, sizeof target - 1);
      target[len > 0 ? len : 0] = '\0';
      n += snprintf (json + n, sizeof json - n, "%s\"", i ? "," : "");
      for (ssize_t j = 0; j < len && n < sizeof json - 8; j++)
        {
          if (target[j] == '"' || target[j] == '\\')
            json[n++] = '\\';
          json[n++] = target[j];
        }
      n += snprintf (json + n, sizeof json - n, "\"");
    }
  n += snprintf (json + n, sizeof json - n, "]");
  return sk_write_file_atomic (images_fd, "descriptors.json", json, n, 0600, err);
}

/* The mount id of a process's fd (fdinfo's mnt_id), -1 if unknown.  */
static int
fd_mnt_id (pid_t pid, int fd)
{
  char path[64], line[256];
  snprintf (path, sizeof path, "/proc/%d/fdinfo/%d", pid, fd);
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "mnt_id:", 7) == 0)
      return atoi (line + 7);
  return -1;
}

/* Is mount MNT_ID in PID's mount namespace?  */
static bool
mount_visible (pid_t pid, int mnt_id)
{
  char path[64], line[4096];
  snprintf (path, sizeof path, "/proc/%d/mountinfo", pid);
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  while (f && fgets (line, sizeof line, f))
    if (atoi (line) == mnt_id)
      return true;
  return false;
}

/* stdin, stdout or stderr opened on a device of the host, not of the
 * container (`run -d </dev/null`, containerd's null IO: the host's
 * /dev/null): CRIU cannot look its mount up and refuses the dump ("Can't
 * lookup mount=N for fd=0 path=/dev/null"; runc fails there).  It is
 * dumped as external, file[MNT_ID:INODE], and restore hands CRIU its own
 * fd of the same number under that key, as it does for pipes; CRIU checks
 * that fd's mode, so restore's stdio must be such a device too.  Regular
 * files are left alone: CRIU would also compare their size, which a log
 * file changes.  The keys go to skiff-stdio (runc's descriptors.json
 * keeps its form).  */
int
sk_ckpt_external_stdio (struct sk_criu_opts *co, int images_fd, pid_t pid, sk_error_t *err)
{
  char out[512];
  size_t n = 0;
  for (int i = 0; i < 3; i++)
    {
      char link[64], target[16];
      struct stat sb;
      snprintf (link, sizeof link, "/proc/%d/fd/%d", pid, i);
      ssize_t len = readlink (link, target, sizeof target - 1);
      int mnt = fd_mnt_id (pid, i);
      if (len <= 0 || target[0] != '/' || mnt < 0 || mount_visible (pid, mnt)
          || stat (link, &sb) < 0 || !S_ISCHR (sb.st_mode))
        continue;
      char key[96];
      snprintf (key, sizeof key, "file[%x:%llx]", (unsigned) mnt, (unsigned long long) sb.st_ino);
      if (sk_criu_list_add (&co->external, key, NULL, -1, err) < 0)
        return -1;
      n += snprintf (out + n, sizeof out - n, "%d %s\n", i, key);
    }
  return sk_write_file_atomic (images_fd, "skiff-stdio", out, n, 0600, err);
}

/* restore: pipes among the saved descriptors become inherit_fd entries
 * for our own fds 0-2 (CRIU gets our stdio).  A missing file (an image
 * not made by runc or skiff) means no pipes.  */
int
sk_ckpt_inherit_stdio (struct sk_criu_opts *co, int images_fd, sk_error_t *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len;
  sk_error_t e = NULL;
  if (sk_read_file_at (images_fd, "descriptors.json", &data, &len, &e) < 0)
    {
      sk_error_free (&e);
      return 0;
    }
  char *p = data;
  for (int i = 0; i < 3 && (p = strchr (p, '"')); i++)
    {
      char *end = strchr (p + 1, '"');
      if (end == NULL)
        break;
      *end = '\0';
      if (strncmp (p + 1, "pipe:", 5) == 0 && sk_criu_list_add (&co->inherit_fd, p + 1, NULL, i, err) < 0)
        return -1;
      p = end + 1;
    }
  /* Host files as stdio (sk_ckpt_external_stdio): "FD KEY" lines.  */
  _cleanup_free_ char *ext = NULL;
  if (sk_read_file_at (images_fd, "skiff-stdio", &ext, &len, &e) < 0)
    {
      sk_error_free (&e);
      return 0;
    }
  for (char *save = NULL, *line = strtok_r (ext, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      int fd = atoi (line);
      if (sp && fd >= 0 && fd <= 2 && sk_criu_list_add (&co->inherit_fd, sp + 1, NULL, fd, err) < 0)
        return -1;
    }
  return 0;
}
