/* User namespace mappings, written by the parent (it holds the privilege
 * in the parent user namespace that the child lacks).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linux/linux.h"
#include "util/cleanup.h"
#include "util/fd.h"

static int
write_proc (pid_t pid, const char *file, const char *data, sk_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "open `%s`", path);
  if (sk_write_all (fd, data, strlen (data)) < 0)
    return sk_error_set (err, errno, "write `%s`", path);
  return 0;
}

static char *
format_map (const struct sk_id_mappings *m)
{
  size_t cap = m->n * 40 + 1;
  char *buf = calloc (1, cap);
  if (buf == NULL)
    return NULL;
  size_t off = 0;
  for (size_t i = 0; i < m->n; i++)
    off += snprintf (buf + off, cap - off, "%u %u %u\n", m->v[i].container_id,
                     m->v[i].host_id, m->v[i].size);
  return buf;
}

int
sk_userns_write_maps (pid_t pid, const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  _cleanup_free_ char *uids = format_map (&l->uid_mappings);
  _cleanup_free_ char *gids = format_map (&l->gid_mappings);
  if (uids == NULL || gids == NULL)
    return sk_error_set (err, errno, "user namespace mappings");
  /* We are privileged in the parent namespace, so setgroups stays
   * "allow" (the container may need additionalGids); an unprivileged
   * writer would have to deny it first.  */
  if (l->gid_mappings.n && write_proc (pid, "gid_map", gids, err) < 0)
    return sk_error_prefix (err, "config.json: linux.gidMappings");
  if (l->uid_mappings.n && write_proc (pid, "uid_map", uids, err) < 0)
    return sk_error_prefix (err, "config.json: linux.uidMappings");
  return 0;
}
