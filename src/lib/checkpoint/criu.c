/* CRIU's RPC over `criu swrk` (see criu.h for why this and not the command
 * line or libcriu) and the `criu check` probe.  The protobuf wire format
 * needs only varints and length-delimited fields for the messages of
 * rpc.proto used here; field numbers are rpc.proto's.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checkpoint/criu.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* ------------------------------------------------------------ encoding */

struct pb
{
  uint8_t *buf;
  size_t len, cap;
  bool oom;
};

static void
pb_put (struct pb *p, const void *data, size_t n)
{
  if (p->oom)
    return;
  if (p->len + n > p->cap)
    {
      size_t cap = (p->cap + n) * 2 + 64;
      uint8_t *b = realloc (p->buf, cap);
      if (b == NULL)
        {
          p->oom = true;
          return;
        }
      p->buf = b;
      p->cap = cap;
    }
  memcpy (p->buf + p->len, data, n);
  p->len += n;
}

static void
pb_varint (struct pb *p, uint64_t v)
{
  uint8_t b[10];
  size_t n = 0;
  do
    {
      b[n] = v & 0x7f;
      v >>= 7;
      if (v)
        b[n] |= 0x80;
      n++;
    }
  while (v);
  pb_put (p, b, n);
}

/* int32 fields: a negative value is sign-extended to 64 bits (10 bytes).  */
static void
pb_int (struct pb *p, int field, int64_t v)
{
  pb_varint (p, (uint64_t) field << 3);
  pb_varint (p, (uint64_t) v);
}

static void
pb_bool (struct pb *p, int field, bool v)
{
  if (v)
    pb_int (p, field, 1);
}

static void
pb_bytes (struct pb *p, int field, const void *data, size_t n)
{
  pb_varint (p, (uint64_t) field << 3 | 2);
  pb_varint (p, n);
  pb_put (p, data, n);
}

static void
pb_str (struct pb *p, int field, const char *s)
{
  if (s)
    pb_bytes (p, field, s, strlen (s));
}

/* A repeated sub-message of two fields: (string 1, string 2) or
 * (string 1, int32 2) for inherit_fd; external is a repeated string.  */
static void
pb_list (struct pb *p, int field, const struct sk_criu_list *l, bool val_is_fd, bool key_only)
{
  for (size_t i = 0; i < l->n; i++)
    {
      if (key_only)
        {
          pb_str (p, field, l->v[i].key);
          continue;
        }
      struct pb sub = { 0 };
      pb_str (&sub, 1, l->v[i].key);
      if (val_is_fd)
        pb_int (&sub, 2, l->v[i].fd);
      else
        pb_str (&sub, 2, l->v[i].val ? l->v[i].val : "");
      pb_bytes (p, field, sub.buf, sub.len);
      p->oom |= sub.oom;
      free (sub.buf);
    }
}

static void
encode_opts (struct pb *p, const struct sk_criu_opts *o)
{
  pb_int (p, 1, o->images_dir_fd);
  if (o->pid > 0)
    pb_int (p, 2, o->pid);
  pb_bool (p, 3, o->leave_running);
  pb_bool (p, 4, o->ext_unix_sk);
  pb_bool (p, 5, o->tcp_established);
  pb_bool (p, 6, o->evasive_devices);
  pb_bool (p, 7, o->shell_job);
  pb_bool (p, 8, o->file_locks);
  if (o->log_level)
    pb_int (p, 9, o->log_level);
  pb_str (p, 10, o->log_file);
  if (o->ps_address)
    {
      struct pb sub = { 0 };
      pb_str (&sub, 1, o->ps_address);
      pb_int (&sub, 2, o->ps_port);
      pb_bytes (p, 11, sub.buf, sub.len);
      p->oom |= sub.oom;
      free (sub.buf);
    }
  pb_bool (p, 12, o->notify_scripts);
  pb_str (p, 13, o->root);
  pb_str (p, 14, o->parent_img);
  pb_bool (p, 15, o->track_mem);
  pb_bool (p, 16, o->auto_dedup);
  if (o->work_dir_fd >= 0)
    pb_int (p, 17, o->work_dir_fd);
  pb_list (p, 23, &o->ext_mnt, false, false);
  pb_bool (p, 24, o->manage_cgroups);
  pb_list (p, 25, &o->cg_root, false, false);
  pb_bool (p, 26, o->rst_sibling);
  pb_list (p, 27, &o->inherit_fd, true, false);
  if (o->manage_cgroups_mode >= 0)
    pb_int (p, 34, o->manage_cgroups_mode);
  pb_list (p, 37, &o->external, false, true);
  if (o->empty_ns)
    pb_int (p, 38, o->empty_ns);
  pb_list (p, 39, &o->join_ns, false, false);
  pb_str (p, 44, o->freeze_cgroup);
  pb_bool (p, 48, o->lazy_pages);
  pb_bool (p, 50, o->orphan_pts_master);
  pb_str (p, 51, o->config_file);
  pb_str (p, 53, o->lsm_profile);
  pb_str (p, 63, o->lsm_mount_context);
}

/* ------------------------------------------------------------ decoding */

struct pb_field
{
  int num;
  int wire;
  uint64_t v;              /* varint */
  const uint8_t *data;     /* length-delimited */
  size_t len;
};

static int
pb_read_varint (const uint8_t **p, const uint8_t *end, uint64_t *v)
{
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7)
    {
      if (*p >= end)
        return -1;
      uint8_t b = *(*p)++;
      *v |= (uint64_t) (b & 0x7f) << shift;
      if (!(b & 0x80))
        return 0;
    }
  return -1;
}

/* The next field of [*p, end): 1, 0 at the end, -1 when malformed.  */
static int
pb_next (const uint8_t **p, const uint8_t *end, struct pb_field *f)
{
  uint64_t tag;
  if (*p >= end)
    return 0;
  if (pb_read_varint (p, end, &tag) < 0)
    return -1;
  f->num = (int) (tag >> 3);
  f->wire = (int) (tag & 7);
  switch (f->wire)
    {
    case 0:
      return pb_read_varint (p, end, &f->v) < 0 ? -1 : 1;
    case 2:
      if (pb_read_varint (p, end, &f->v) < 0 || f->v > (uint64_t) (end - *p))
        return -1;
      f->data = *p;
      f->len = f->v;
      *p += f->len;
      return 1;
    case 1:
      if (end - *p < 8)
        return -1;
      *p += 8;
      return 1;
    case 5:
      if (end - *p < 4)
        return -1;
      *p += 4;
      return 1;
    default:
      return -1;
    }
}

/* criu_resp, the fields used here.  */
struct criu_resp
{
  int type;
  bool success;
  int cr_errno;
  char errmsg[512];
  char script[64];         /* notify.script */
  int notify_pid;          /* notify.pid */
  int restore_pid;         /* restore.pid */
  int version[3];          /* major, minor, sublevel */
};

static void
copy_str (char *dst, size_t cap, const struct pb_field *f)
{
  size_t n = f->len < cap - 1 ? f->len : cap - 1;
  memcpy (dst, f->data, n);
  dst[n] = '\0';
}

/* A sub-message's varint fields by number (1..3) into out[].  */
static int
decode_small (const struct pb_field *m, int *out, int n, char *str1, size_t str1_cap)
{
  const uint8_t *p = m->data, *end = m->data + m->len;
  struct pb_field f;
  int r;
  while ((r = pb_next (&p, end, &f)) > 0)
    {
      if (f.wire == 0 && f.num >= 1 && f.num <= n)
        out[f.num - 1] = (int) f.v;
      else if (f.wire == 2 && f.num == 1 && str1)
        copy_str (str1, str1_cap, &f);
    }
  return r;
}

static int
decode_resp (const uint8_t *buf, size_t len, struct criu_resp *r)
{
  const uint8_t *p = buf, *end = buf + len;
  struct pb_field f;
  int rc;
  memset (r, 0, sizeof *r);
  while ((rc = pb_next (&p, end, &f)) > 0)
    {
      int tmp[2] = { 0, 0 };
      switch (f.num)
        {
        case 1: r->type = (int) f.v; break;
        case 2: r->success = f.v != 0; break;
        case 7: r->cr_errno = (int) f.v; break;
        case 9:
          if (f.wire == 2)
            {
              /* CRIU sends its last log line, newline included.  */
              copy_str (r->errmsg, sizeof r->errmsg, &f);
              r->errmsg[strcspn (r->errmsg, "\n")] = '\0';
            }
          break;
        case 4:
          if (f.wire == 2 && decode_small (&f, tmp, 1, NULL, 0) < 0)
            return -1;
          r->restore_pid = tmp[0];
          break;
        case 5:
          /* notify: script (string 1), pid (int32 2) */
          if (f.wire == 2 && decode_small (&f, tmp, 2, r->script, sizeof r->script) < 0)
            return -1;
          r->notify_pid = tmp[1];
          break;
        case 10:
          {
            /* version: major 1, minor 2, gitid 3 (a string), sublevel 4 */
            int v[4] = { 0, 0, 0, 0 };
            if (f.wire == 2 && decode_small (&f, v, 4, NULL, 0) < 0)
              return -1;
            r->version[0] = v[0];
            r->version[1] = v[1];
            r->version[2] = v[3];
          }
          break;
        default: break;
        }
    }
  return rc;
}

/* ------------------------------------------------------------ options */

void
sk_criu_opts_init (struct sk_criu_opts *o)
{
  memset (o, 0, sizeof *o);
  o->images_dir_fd = o->work_dir_fd = -1;
  o->manage_cgroups_mode = -1;
}

static void
list_clear (struct sk_criu_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      free (l->v[i].key);
      free (l->v[i].val);
    }
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

void
sk_criu_opts_clear (struct sk_criu_opts *o)
{
  list_clear (&o->ext_mnt);
  list_clear (&o->cg_root);
  list_clear (&o->join_ns);
  list_clear (&o->inherit_fd);
  list_clear (&o->external);
}

int
sk_criu_list_add (struct sk_criu_list *l, const char *key, const char *val, int fd,
                  sk_error_t *err)
{
  struct sk_criu_kv *v = realloc (l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    return sk_error_set (err, errno, "criu options");
  l->v = v;
  v[l->n] = (struct sk_criu_kv) { .key = strdup (key), .val = val ? strdup (val) : NULL,
                                  .fd = fd };
  if (v[l->n].key == NULL || (val && v[l->n].val == NULL))
    return sk_error_set (err, ENOMEM, "criu options");
  l->n++;
  return 0;
}

/* ------------------------------------------------------------ swrk */

static void
criu_child (int sock, const int *extra, size_t n_extra, bool stdio_from_us)
{
  sk_reset_signals ();
  if (!stdio_from_us)
    {
      int null = open ("/dev/null", O_RDWR);
      if (null < 0)
        _exit (127);
      for (int i = 0; i < 3; i++)
        dup2 (null, i);
    }
  /* Move everything above the target range first, so that moving one fd
   * to its place cannot clobber another still to be moved.  */
  int base = 100 + (int) n_extra;
  int s = fcntl (sock, F_DUPFD, base);
  int *moved = alloca ((n_extra + 1) * sizeof (int));
  for (size_t i = 0; i < n_extra; i++)
    moved[i] = fcntl (extra[i], F_DUPFD, base);
  if (s < 0 || dup2 (s, 3) < 0)
    _exit (127);
  for (size_t i = 0; i < n_extra; i++)
    if (moved[i] < 0 || dup2 (moved[i], 4 + (int) i) < 0)
      _exit (127);
  /* dup2 clears FD_CLOEXEC on the targets; everything else we hold
   * (the lock, the state dir, console sockets) is not CRIU's business.  */
  sk_error_t e = NULL;
  if (sk_fds_cloexec_from (4 + (int) n_extra, &e) < 0)
    _exit (127);
  execlp ("criu", "criu", "swrk", "3", (char *) NULL);
  _exit (127);
}

int
sk_criu_start (struct sk_criu *c, const int *extra_fds, size_t n_extra, bool stdio_from_us,
               sk_error_t *err)
{
  int sv[2];
  c->pid = 0;
  c->sock = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return sk_error_set (err, errno, "criu: socketpair");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return sk_error_set (err, errno, "criu: fork");
    }
  if (pid == 0)
    {
      close (sv[0]);
      criu_child (sv[1], extra_fds, n_extra, stdio_from_us);
    }
  /* Closed here so that a CRIU that dies makes our read see EOF.  */
  close (sv[1]);
  c->pid = pid;
  c->sock = sv[0];
  return 0;
}

static int
send_pb (int sock, const struct pb *p, sk_error_t *err)
{
  if (p->oom)
    return sk_error_set (err, ENOMEM, "criu: request");
  if (send (sock, p->buf, p->len, MSG_NOSIGNAL) != (ssize_t) p->len)
    return sk_error_set (err, errno ? errno : EIO, "criu: send request");
  return 0;
}

/* One message and, with it, at most one descriptor.  */
static ssize_t
recv_msg (int sock, uint8_t *buf, size_t cap, int *fd)
{
  union
  {
    struct cmsghdr h;
    char b[CMSG_SPACE (4 * sizeof (int))];
  } cm;
  struct iovec iov = { .iov_base = buf, .iov_len = cap };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
                       .msg_controllen = sizeof cm.b };
  *fd = -1;
  ssize_t n;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  for (struct cmsghdr *h = CMSG_FIRSTHDR (&mh); n >= 0 && h; h = CMSG_NXTHDR (&mh, h))
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
      {
        size_t nfd = (h->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        int fds[4];
        memcpy (fds, CMSG_DATA (h), nfd * sizeof (int));
        for (size_t i = 0; i < nfd; i++)
          if (*fd < 0)
            *fd = fds[i];
          else
            close (fds[i]);
      }
  return n;
}

static const char *
req_name (int t)
{
  switch (t)
    {
    case SK_CRIU_DUMP: return "dump";
    case SK_CRIU_RESTORE: return "restore";
    case SK_CRIU_PRE_DUMP: return "pre-dump";
    case SK_CRIU_VERSION: return "version";
    default: return "request";
    }
}

/* Answer a notification: notify_success tells CRIU whether to go on.  */
static int
ack_notify (int sock, bool ok, sk_error_t *err)
{
  struct pb p = { 0 };
  pb_int (&p, 1, SK_CRIU_NOTIFY);
  pb_int (&p, 3, ok);
  int r = send_pb (sock, &p, err);
  free (p.buf);
  return r;
}

static int
resp_error (const struct criu_resp *r, sk_error_t *err)
{
  if (r->errmsg[0])
    return sk_error_set (err, r->cr_errno, "criu %s failed: %s", req_name (r->type), r->errmsg);
  return sk_error_set (err, r->cr_errno, "criu %s failed", req_name (r->type));
}

int
sk_criu_call (struct sk_criu *c, enum sk_criu_req type, const struct sk_criu_opts *o,
              sk_criu_notify_fn *notify, void *data, pid_t *restored_pid, sk_error_t *err)
{
  struct pb req = { 0 }, sub = { 0 };
  pb_int (&req, 1, type);
  if (o)
    {
      encode_opts (&sub, o);
      pb_bytes (&req, 2, sub.buf, sub.len);
      req.oom |= sub.oom;
    }
  free (sub.buf);
  int r = send_pb (c->sock, &req, err);
  free (req.buf);
  if (r < 0)
    return -1;
  /* rpc.proto answers fit in a page; 64 KiB leaves room for an errmsg.  */
  _cleanup_free_ uint8_t *buf = malloc (65536);
  if (buf == NULL)
    return sk_error_set (err, errno, "criu");
  for (;;)
    {
      int fd;
      ssize_t n = recv_msg (c->sock, buf, 65536, &fd);
      if (n < 0)
        return sk_error_set (err, errno, "criu %s: read answer", req_name (type));
      if (n == 0)
        return sk_error_set (err, 0, "criu %s: criu exited without an answer", req_name (type));
      struct criu_resp resp;
      if (decode_resp (buf, n, &resp) < 0)
        {
          sk_closep (&fd);
          return sk_error_set (err, 0, "criu %s: malformed answer", req_name (type));
        }
      if (!resp.success)
        {
          sk_closep (&fd);
          resp.type = type;
          return resp_error (&resp, err);
        }
      if (resp.type != SK_CRIU_NOTIFY)
        {
          sk_closep (&fd);
          if (resp.type != (int) type)
            return sk_error_set (err, 0, "criu %s: answer of type %d", req_name (type), resp.type);
          if (restored_pid)
            *restored_pid = resp.restore_pid;
          return 0;
        }
      int ok = notify ? notify (data, resp.script, resp.notify_pid, fd, err) : (sk_closep (&fd), 0);
      if (ack_notify (c->sock, ok == 0, ok == 0 ? err : NULL) < 0 && ok == 0)
        return -1;
      if (ok < 0)
        return -1;
    }
}

int
sk_criu_finish (struct sk_criu *c, bool tolerate_exit, sk_error_t *err)
{
  int status = 0;
  sk_closep (&c->sock);
  if (c->pid <= 0)
    return 0;
  while (waitpid (c->pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        c->pid = 0;
        return sk_error_set (err, errno, "criu: wait");
      }
  c->pid = 0;
  if (tolerate_exit || (WIFEXITED (status) && WEXITSTATUS (status) == 0))
    return 0;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return sk_error_set (err, 0, "criu: cannot execute `criu`");
  return sk_error_set (err, 0, "criu exited with status %d",
                       WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

/* ------------------------------------------------------------ probes */

int
sk_criu_version (int *version, sk_error_t *err)
{
  struct sk_criu c;
  if (sk_criu_start (&c, NULL, 0, false, err) < 0)
    return -1;
  struct pb req = { 0 };
  pb_int (&req, 1, SK_CRIU_VERSION);
  int r = send_pb (c.sock, &req, err);
  free (req.buf);
  struct criu_resp resp = { 0 };
  if (r == 0)
    {
      uint8_t buf[4096];
      int fd;
      ssize_t n = recv_msg (c.sock, buf, sizeof buf, &fd);
      sk_closep (&fd);
      if (n <= 0 || decode_resp (buf, n, &resp) < 0 || !resp.success)
        r = sk_error_set (err, n < 0 ? errno : 0, "criu: no answer to the version request");
    }
  sk_error_t e = NULL;
  if (sk_criu_finish (&c, false, r < 0 ? &e : err) < 0 && r == 0)
    r = -1;
  if (r < 0 && e)
    {
      /* CRIU that could not even be executed says more than "no answer".  */
      sk_error_free (err);
      *err = e;
    }
  if (r == 0)
    *version = resp.version[0] * 10000 + resp.version[1] * 100 + resp.version[2];
  return r;
}

/* The first executable NAME in $PATH, into OUT; false when none.  */
static bool
in_path (const char *name, char *out, size_t size)
{
  const char *path = getenv ("PATH");
  if (path == NULL)
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  _cleanup_free_ char *copy = strdup (path);
  for (char *save = NULL, *d = copy ? strtok_r (copy, ":", &save) : NULL; d;
       d = strtok_r (NULL, ":", &save))
    {
      snprintf (out, size, "%s/%s", *d ? d : ".", name);
      if (access (out, X_OK) == 0)
        return true;
    }
  return false;
}

/* Run `criu check`; on failure the first line of its output that says
 * Error (or the last line) becomes the message.  */
static int
criu_check (sk_error_t *err)
{
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return sk_error_set (err, errno, "criu check: pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (pfd[0]);
      close (pfd[1]);
      return sk_error_set (err, errno, "criu check: fork");
    }
  if (pid == 0)
    {
      sk_reset_signals ();
      int null = open ("/dev/null", O_RDONLY);
      dup2 (null, 0);
      dup2 (pfd[1], 1);
      dup2 (pfd[1], 2);
      execlp ("criu", "criu", "check", (char *) NULL);
      _exit (127);
    }
  close (pfd[1]);
  char out[8192];
  size_t len = 0;
  ssize_t n;
  while ((n = read (pfd[0], out + len, sizeof out - 1 - len)) > 0
         || (n < 0 && errno == EINTR))
    if (n > 0)
      len += n;
  close (pfd[0]);
  out[len] = '\0';
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  char *line = strstr (out, "Error");
  if (line == NULL)
    {
      while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
      line = strrchr (out, '\n') ? strrchr (out, '\n') + 1 : out;
    }
  line[strcspn (line, "\n")] = '\0';
  return sk_error_set (err, 0, "`criu check` failed: %s", *line ? line : "no output");
}

/* `criu check` and the version request cost two CRIU processes (0.1 s on
 * a quiet machine, most of a second on a busy one), and `features` and
 * `checkpoint --help` are probes that containerd's shim and CRI-O run on
 * every start.  Their outcome is kept in /run/skiff-cache/criu, keyed by
 * the criu binary (path, inode, size, mtime) and the kernel's boot id: a
 * new CRIU or a reboot (a new kernel) asks again.  The cache is used only
 * when it belongs to us and no one else can write it; any failure to read
 * or write it just means asking CRIU.  */
#define CRIU_CACHE_DIR "/run/skiff-cache"
#define CRIU_CACHE CRIU_CACHE_DIR "/criu"

static bool
criu_cache_key (const char *criu, char *key, size_t size)
{
  struct stat st;
  char boot[64] = "";
  int fd = open ("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || stat (criu, &st) < 0)
    {
      if (fd >= 0)
        close (fd);
      return false;
    }
  ssize_t n = read (fd, boot, sizeof boot - 1);
  close (fd);
  if (n <= 0)
    return false;
  boot[strcspn (boot, "\n")] = '\0';
  snprintf (key, size, "skiff-criu-1 %s %llu %lld %lld.%09ld %s", criu,
            (unsigned long long) st.st_ino, (long long) st.st_size,
            (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec, boot);
  return true;
}

/* 1 and *v set (or the error) when the cache answers for KEY, else 0.  */
static int
criu_cache_get (const char *key, int *v, sk_error_t *err)
{
  int fd = open (CRIU_CACHE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  char buf[2048];
  if (fd < 0)
    return 0;
  ssize_t n = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == geteuid ()
              && !(st.st_mode & 022) ? read (fd, buf, sizeof buf - 1) : -1;
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  size_t klen = strlen (key);
  if (strncmp (buf, key, klen) != 0 || buf[klen] != '\n')
    return 0;
  char *res = buf + klen + 1;
  res[strcspn (res, "\n")] = '\0';
  if (strncmp (res, "ok ", 3) == 0)
    {
      *v = atoi (res + 3);
      return *v > 0;
    }
  if (strncmp (res, "err ", 4) == 0)
    {
      sk_error_set (err, 0, "%s", res + 4);
      return 1;
    }
  return 0;
}

static void
criu_cache_put (const char *key, int v, const sk_error_t e)
{
  if (mkdir (CRIU_CACHE_DIR, 0700) < 0 && errno != EEXIST)
    return;
  char tmp[] = CRIU_CACHE_DIR "/.criu.XXXXXX";
  int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return;
  char *msg = e ? sk_error_string (e) : NULL;
  if (msg)
    msg[strcspn (msg, "\n")] = '\0';
  int ok = msg ? dprintf (fd, "%s\nerr %s\n", key, msg) : dprintf (fd, "%s\nok %d\n", key, v);
  free (msg);
  close (fd);
  if (ok < 0 || rename (tmp, CRIU_CACHE) < 0)
    unlink (tmp);
}

int
sk_criu_usable (char **version, sk_error_t *err)
{
  char criu[4096], key[4600];
  if (!in_path ("criu", criu, sizeof criu))
    return sk_error_set (err, 0, "criu is not installed: `criu` not found in $PATH "
                         "(checkpoint and restore need CRIU, e.g. apt-get install criu)");
  int v = 0;
  bool keyed = criu_cache_key (criu, key, sizeof key);
  int hit = keyed ? criu_cache_get (key, &v, err) : 0;
  if (hit && *err)
    return -1;
  if (!hit)
    {
      sk_error_t e = NULL;
      if (criu_check (&e) == 0)
        (void) sk_criu_version (&v, &e);
      if (keyed)
        criu_cache_put (key, v, e);
      if (e)
        {
          *err = e;
          return -1;
        }
    }
  /* The VERSION request exists since CRIU 3.0; runc asks for 3.0 too.  */
  if (asprintf (version, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100) < 0)
    return sk_error_set (err, errno, "criu version");
  return 0;
}
