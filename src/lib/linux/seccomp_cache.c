/* A cache of compiled seccomp programs, keyed by the profile's content.
 *
 * Why: libseccomp needs ~4 ms for a Docker-sized profile on one arch and
 * ~40 ms with the usual three (x86_64, x86, x32) on the test host, while
 * a whole `skiff run` takes ~1.5 ms without seccomp.  Containers of one
 * host overwhelmingly share a handful of profiles, so the exported BPF is
 * kept in CACHE_DIR and reused (measured: a hit costs ~0.02 ms).
 *
 * Safety: the file name is a 128-bit hash of the key, but the hash is not
 * trusted: the file holds the whole key (the canonical serialization of
 * the profile plus libseccomp version, skiff commit and kernel release,
 * since flag support is probed from the kernel) and a hit requires a byte
 * for byte match, so a crafted collision is only a miss.  The directory is
 * root-only (0700) and files are written atomically (temp + rename);
 * anything unexpected (not ours, not a regular file, short) is a miss.
 * The cache lives outside the state root so that `list` and "nothing left
 * behind" checks never see it; /run is a tmpfs, emptied at boot, which
 * also drops programs built for another kernel.
 *
 * Bound: one file per distinct profile would grow forever on a host that
 * sees many profiles (and a hostile caller can mint them), so it keeps at
 * most CACHE_MAX_FILES files and CACHE_MAX_BYTES bytes: a hit refreshes
 * the file's mtime, and every store evicts the least recently used ones
 * beyond the bounds, and temp files of writers that died.  */
#include <config.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/seccomp_int.h"
#include "util/cleanup.h"
#include "util/fd.h"

#define CACHE_PARENT "/run/skiff-cache"
#define CACHE_DIR CACHE_PARENT "/seccomp"
#define MAGIC "skiff-seccomp-1\n"
#define CACHE_MAX_FILES 64
#define CACHE_MAX_BYTES (8u << 20)

struct buf
{
  char *p;
  size_t len, cap;
  bool oom;
};

static void
put (struct buf *b, const void *data, size_t len)
{
  if (b->oom)
    return;
  if (b->len + len > b->cap)
    {
      size_t cap = (b->cap ? b->cap * 2 : 4096) + len;
      char *n = realloc (b->p, cap);
      if (n == NULL)
        {
          b->oom = true;
          return;
        }
      b->p = n;
      b->cap = cap;
    }
  memcpy (b->p + b->len, data, len);
  b->len += len;
}

static void
put_u64 (struct buf *b, uint64_t v)
{
  put (b, &v, sizeof v);
}

/* Length-prefixed, so that ["ab","c"] and ["a","bc"] differ; NULL differs
 * from "".  */
static void
put_str (struct buf *b, const char *s)
{
  put_u64 (b, s ? strlen (s) + 1 : 0);
  if (s)
    put (b, s, strlen (s));
}

static void
put_strv (struct buf *b, const struct sk_strv *v)
{
  put_u64 (b, v->n);
  for (size_t i = 0; i < v->n; i++)
    put_str (b, v->v[i]);
}

/* Everything the compiled program depends on.  */
char *
sk_seccomp_cache_key (const struct sk_seccomp *s, size_t *len)
{
  struct buf b = { 0 };
  struct utsname u;
  const struct scmp_version *v = seccomp_version ();
  put_str (&b, MAGIC);
  put_str (&b, SKIFF_COMMIT);
  put_u64 (&b, ((uint64_t) v->major << 32) | (v->minor << 16) | v->micro);
  put_str (&b, uname (&u) == 0 ? u.release : "");
  /* What the program is built from beyond the profile: the layout of
   * skiff's own additions (bump on change; the commit is not enough for a
   * build from a modified tree) and the native arch, whose syscall numbers
   * the ENOSYS prologue compares against (seccomp_enosys.c).  */
  put_str (&b, "enosys-prologue-1");
  put_u64 (&b, seccomp_arch_native ());
  put_str (&b, s->default_action);
  put_u64 (&b, s->has_default_errno_ret);
  put_u64 (&b, s->default_errno_ret);
  put_strv (&b, &s->architectures);
  put_strv (&b, &s->flags);
  put_u64 (&b, s->listener_path != NULL);
  put_u64 (&b, s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct sk_syscall *sc = &s->syscalls[i];
      put_strv (&b, &sc->names);
      put_str (&b, sc->action);
      put_u64 (&b, sc->has_errno_ret);
      put_u64 (&b, sc->errno_ret);
      put_u64 (&b, sc->n_args);
      for (size_t a = 0; a < sc->n_args; a++)
        {
          put_u64 (&b, sc->args[a].index);
          put_u64 (&b, sc->args[a].value);
          put_u64 (&b, sc->args[a].value_two);
          put_u64 (&b, sc->args[a].op);
        }
    }
  if (b.oom)
    {
      free (b.p);
      return NULL;
    }
  *len = b.len;
  return b.p;
}

/* Two FNV-1a passes with different offsets: a file name, nothing more.  */
static void
key_name (const char *key, size_t len, char out[33])
{
  uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  for (size_t i = 0; i < len; i++)
    {
      h1 = (h1 ^ (unsigned char) key[i]) * 0x100000001b3ULL;
      h2 = (h2 ^ (unsigned char) key[len - 1 - i]) * 0x100000001b3ULL;
    }
  snprintf (out, 33, "%016llx%016llx", (unsigned long long) h1, (unsigned long long) h2);
}

struct header
{
  uint64_t key_len;
  uint64_t n_insns;
  uint32_t flags;
  uint32_t notify;
};

bool sk_seccomp_cache_disabled;

struct sk_seccomp_prog *
sk_seccomp_cache_load (const char *key, size_t key_len)
{
  if (sk_seccomp_cache_disabled)
    return NULL;
  char name[33], path[sizeof CACHE_DIR + 40];
  key_name (key, key_len, name);
  snprintf (path, sizeof path, CACHE_DIR "/%s", name);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ()
      || (st.st_mode & 022))
    return NULL;
  _cleanup_free_ char *data = malloc (st.st_size);
  struct header h;
  if (data == NULL || sk_read_all (fd, data, st.st_size) != st.st_size
      || (size_t) st.st_size < sizeof h)
    return NULL;
  memcpy (&h, data, sizeof h);
  size_t want = sizeof h + h.key_len + h.n_insns * sizeof (struct sock_filter);
  if (h.key_len != key_len || h.n_insns == 0 || h.n_insns > BPF_MAXINSNS
      || want != (size_t) st.st_size || memcmp (data + sizeof h, key, key_len) != 0)
    return NULL;
  struct sk_seccomp_prog *p = calloc (1, sizeof *p);
  if (p == NULL || (p->insns = malloc (h.n_insns * sizeof (struct sock_filter))) == NULL)
    {
      free (p);
      return NULL;
    }
  memcpy (p->insns, data + sizeof h + key_len, h.n_insns * sizeof (struct sock_filter));
  /* Recently used: eviction goes by mtime (atime is unreliable with
   * relatime).  */
  const struct timespec now[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };
  futimens (fd, now);
  p->n_insns = h.n_insns;
  p->flags = h.flags;
  p->notify = h.notify != 0;
  p->listener_fd = -1;
  return p;
}

struct entry
{
  char name[64];
  struct timespec mtime;
  off_t size;
};

static int
older_first (const void *a, const void *b)
{
  const struct entry *x = a, *y = b;
  if (x->mtime.tv_sec != y->mtime.tv_sec)
    return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
  if (x->mtime.tv_nsec != y->mtime.tv_nsec)
    return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
  return strcmp (x->name, y->name);
}

/* A temp file ".<hash>.<pid>" whose writer is gone.  */
static bool
stale_temp (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL || dot == name)
    return false;
  long pid = strtol (dot + 1, NULL, 10);
  return pid > 0 && kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
}

/* Keep the cache within CACHE_MAX_FILES / CACHE_MAX_BYTES, least
 * recently used out.  Races with another skiff doing the same are
 * harmless (a file unlinked twice, a miss).  */
void
sk_seccomp_cache_evict (const char *dir, size_t max_files, size_t max_bytes)
{
  _cleanup_closedir_ DIR *d = opendir (dir);
  if (d == NULL)
    return;
  size_t n = 0, cap = 0;
  uint64_t total = 0;
  _cleanup_free_ struct entry *v = NULL;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_name[0] == '.' && (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0))
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode)
          || strlen (de->d_name) >= sizeof v->name)
        continue;
      if (de->d_name[0] == '.')
        {
          if (stale_temp (de->d_name))
            unlinkat (dirfd (d), de->d_name, 0);
          continue;
        }
      if (n == cap)
        {
          struct entry *nv = realloc (v, (cap = cap ? cap * 2 : 64) * sizeof *v);
          if (nv == NULL)
            return;
          v = nv;
        }
      strcpy (v[n].name, de->d_name);
      v[n].mtime = st.st_mtim;
      v[n].size = st.st_size;
      total += (uint64_t) st.st_size;
      n++;
    }
  if (n <= max_files && total <= max_bytes)
    return;
  qsort (v, n, sizeof *v, older_first);
  for (size_t i = 0; i < n && (n - i > max_files || total > max_bytes); i++)
    {
      unlinkat (dirfd (d), v[i].name, 0);
      total -= (uint64_t) v[i].size;
    }
}

/* Best effort: a cache that cannot be written is only slower.  */
void
sk_seccomp_cache_store (const char *key, size_t key_len, const struct sk_seccomp_prog *p)
{
  char name[33], path[sizeof CACHE_DIR + 40], tmp[sizeof CACHE_DIR + 64];
  struct header h = { .key_len = key_len, .n_insns = p->n_insns, .flags = p->flags,
                      .notify = p->notify };
  if (sk_seccomp_cache_disabled)
    return;
  if ((mkdir (CACHE_PARENT, 0700) < 0 && errno != EEXIST)
      || (mkdir (CACHE_DIR, 0700) < 0 && errno != EEXIST))
    return;
  key_name (key, key_len, name);
  snprintf (path, sizeof path, CACHE_DIR "/%s", name);
  snprintf (tmp, sizeof tmp, CACHE_DIR "/.%s.%d", name, (int) getpid ());
  _cleanup_close_ int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (sk_write_all (fd, &h, sizeof h) < 0 || sk_write_all (fd, key, key_len) < 0
      || sk_write_all (fd, p->insns, p->n_insns * sizeof (struct sock_filter)) < 0
      || rename (tmp, path) < 0)
    unlink (tmp);
  sk_seccomp_cache_evict (CACHE_DIR, CACHE_MAX_FILES, CACHE_MAX_BYTES);
}
