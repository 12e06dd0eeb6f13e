/* Whether a container's cgroup is frozen, from what state.json recorded,
 * without opening the cgroup (see cgroup.h sk_cgroup_places_frozen).
 *
 * `state` and `list` ask this for every running container: opening the
 * cgroup (one directory fd per v1 hierarchy, ten on this kind of host)
 * to read one file made `list` cost a dozen syscalls per container more
 * than it needs.  Here it is one open, one read and one close of the
 * file that says, chosen as the manager's is_frozen chooses it:
 *   v1 managers  freezer.state of the hierarchy that has `freezer`; when
 *                that cgroup is gone or none was recorded, cgroup.events
 *                of the unified one (a hybrid host without a v1 freezer);
 *   v2, systemd  cgroup.events of the one cgroup (systemd on a v1 or
 *                hybrid host: as v1).
 * A cgroup that is gone, or a file that cannot be read, is not frozen:
 * status then follows the pid, as it did when the open failed.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "cgroup_internal.h"

enum read_result { READ_OK, READ_GONE, READ_FAILED };

/* Read the small file <mountpoint><path>/<name> into buf.  READ_GONE when
 * the cgroup directory (or the file) does not exist.  */
static enum read_result
read_small (const struct sk_cgroup_place *p, const char *name, char *buf, size_t size)
{
  char full[PATH_MAX];
  if (!sk_cg_path_ok (p->path)
      || snprintf (full, sizeof full, "%s%s/%s", p->mountpoint, p->path, name) >= (int) sizeof full)
    return READ_FAILED;
  int fd = open (full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? READ_GONE : READ_FAILED;
  ssize_t n;
  do
    n = read (fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  int e = errno;
  close (fd);
  if (n < 0)
    return e == ENODEV ? READ_GONE : READ_FAILED;   /* removed under us */
  buf[n] = '\0';
  return READ_OK;
}

static bool
events_frozen (const struct sk_cgroup_place *p)
{
  char buf[256];
  uint64_t v = 0;
  return read_small (p, "cgroup.events", buf, sizeof buf) == READ_OK
         && sk_cg_kv_get (buf, "frozen", &v) && v == 1;
}

static bool
v1_frozen (const struct sk_cgroup_place *places, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct sk_cgroup_place *p = &places[i];
      if (p->controllers == NULL || !sk_cg_controllers_has (p->controllers, "freezer", 7))
        continue;
      char buf[64];
      enum read_result r = read_small (p, "freezer.state", buf, sizeof buf);
      if (r == READ_GONE)
        continue;       /* as a hierarchy whose cgroup is gone: the next */
      /* FREEZING is not paused: pause either reached FROZEN or thawed.  */
      return r == READ_OK && strncmp (buf, "FROZEN", 6) == 0
             && (buf[6] == '\n' || buf[6] == '\0');
    }
  for (size_t i = 0; i < n; i++)
    if (places[i].controllers == NULL || places[i].controllers[0] == '\0')
      {
        char buf[256];
        uint64_t v = 0;
        enum read_result r = read_small (&places[i], "cgroup.events", buf, sizeof buf);
        if (r == READ_GONE)
          continue;
        return r == READ_OK && sk_cg_kv_get (buf, "frozen", &v) && v == 1;
      }
  return false;
}

bool
sk_cgroup_places_frozen (const char *manager, const struct sk_cgroup_place *places, size_t n)
{
  if (n == 0)
    return false;
  if (manager && (strcmp (manager, "v1") == 0 || strcmp (manager, "v1-hybrid") == 0))
    return v1_frozen (places, n);
  /* The systemd driver on a v1 or hybrid host records every hierarchy and
   * answers as the v1 manager does (systemd.c sk_cgroup_systemd_open).  */
  if (manager && strcmp (manager, "systemd") == 0
      && (n > 1 || (places[0].controllers && places[0].controllers[0])))
    return v1_frozen (places, n);
  if (manager && strcmp (manager, "v2") != 0 && strcmp (manager, "v2-hybrid") != 0
      && strcmp (manager, "systemd") != 0)
    return false;       /* unknown to this skiff: it could not open it either */
  return events_frozen (&places[0]);
}
