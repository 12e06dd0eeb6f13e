/* The systemd cgroup driver: the container's cgroup is a transient unit
 * that systemd owns (a scope with Delegate=yes, or a slice), started over
 * D-Bus with sd-bus (libsystemd, as crun does); the cgroupfs v2 manager then
 * writes what systemd has no property for.  Kubernetes nodes (kubelet +
 * containerd `SystemdCgroup = true`, CRI-O `cgroup_manager = "systemd"`)
 * and podman on systemd hosts call runtimes this way.
 *
 * Order (runc's): nothing exists at create; once the container's first
 * process exists (enter), StartTransientUnit with PIDs=[pid] and the
 * resource properties, wait for the job's JobRemoved signal, then open the
 * cgroup systemd made and write the files.  delete stops the unit and
 * resets a failed one, so nothing is left in `systemctl list-units --all`
 * (runc#3888 left failed units behind).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "cgroup/systemd.h"
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

#ifdef HAVE_SYSTEMD
#  include <systemd/sd-bus.h>
#  include "cgroup/sdbus_load.h"

#  define SD_DEST "org.freedesktop.systemd1"
#  define SD_PATH "/org/freedesktop/systemd1"
#  define SD_IFACE "org.freedesktop.systemd1.Manager"
#  define CALL_TIMEOUT_US (30ULL * 1000000)
#  define JOB_TIMEOUT_US (30ULL * 1000000)

struct sd_driver
{
  char *slice;
  char *id;
  bool is_slice;
  bool v2;
  struct sk_sd_props props;   /* resources + annotations, for the start */
  const struct sk_resources *r;  /* the spec's, applied as files at enter */
};

static void
driver_free (void *p)
{
  struct sd_driver *d = p;
  if (d == NULL)
    return;
  free (d->slice);
  free (d->id);
  sk_sd_props_clear (&d->props);
  free (d);
}

static void
bus_unrefp (sd_bus **b)
{
  if (*b)
    sd_bus_flush_close_unref (*b);
}
static void
msg_unrefp (sd_bus_message **m)
{
  if (*m)
    sd_bus_message_unref (*m);
}
#  define _cleanup_bus_ __attribute__ ((cleanup (bus_unrefp)))
#  define _cleanup_msg_ __attribute__ ((cleanup (msg_unrefp)))
#  define _cleanup_bus_error_ __attribute__ ((cleanup (sd_bus_error_free)))

/* The address sd-bus tries, for messages (its own rules: the
 * environment, else the well-known socket).  */
static void
bus_address (char *buf, size_t len)
{
  const char *a = getenv (geteuid () == 0 ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS");
  const char *rt = getenv ("XDG_RUNTIME_DIR");
  if (a && *a)
    snprintf (buf, len, "%s", a);
  else if (geteuid () == 0)
    snprintf (buf, len, "unix:path=/run/dbus/system_bus_socket");
  else if (rt && *rt)
    snprintf (buf, len, "unix:path=%s/bus", rt);
  else
    snprintf (buf, len, "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set");
}

static int
bus_open (sd_bus **bus, sk_error_t *err)
{
  char addr[512];
  if (sk_sdbus_load (err) < 0)
    return -1;
  /* Rootless: the user's own systemd (`systemd --user`, user@UID.service),
   * on the user's bus, as runc and crun do: that manager delegates its
   * cgroup to the user, the system one would refuse an unprivileged
   * caller.  */
  int r = geteuid () == 0 ? sd_bus_open_system (bus) : sd_bus_open_user (bus);
  if (r < 0)
    {
      bus_address (addr, sizeof addr);
      return sk_error_set (err, -r, "--systemd-cgroup: cannot connect to %s over D-Bus "
                           "(`%s`; is %s running with dbus?)",
                           geteuid () == 0 ? "systemd" : "the user's systemd instance", addr,
                           geteuid () == 0 ? "systemd" : "user@UID.service (loginctl enable-linger)");
    }
  return 0;
}

/* systemd's error text usually names the property it refused; when it
 * does not (a type mismatch says only "Invalid argument"), list what was
 * sent so the user can find it.  */
static int
bus_error (sk_error_t *err, int r, const sd_bus_error *e, const struct sk_sd_props *sent,
           const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
static int
bus_error (sk_error_t *err, int r, const sd_bus_error *e, const struct sk_sd_props *sent,
           const char *fmt, ...)
{
  _cleanup_free_ char *what = NULL, *list = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&what, fmt, ap) < 0)
    what = NULL;
  va_end (ap);
  bool named = false;
  size_t len = 0;
  for (size_t i = 0; sent && e && e->message && i < sent->n; i++)
    named |= strstr (e->message, sent->v[i].name) != NULL;
  for (size_t i = 0; sent && !named && i < sent->n; i++)
    len += strlen (sent->v[i].name) + 2;
  if (len && (list = calloc (1, len + 1)))
    for (size_t i = 0; i < sent->n; i++)
      {
        if (i)
          strcat (list, ", ");
        strcat (list, sent->v[i].name);
      }
  if (e && e->name)
    return sk_error_set (err, 0, "%s: %s%s%s%s", what ? what : "systemd", e->message ? e->message : e->name,
                         list ? " (properties sent: " : "", list ? list : "", list ? ")" : "");
  return sk_error_set (err, -r, "%s%s%s%s", what ? what : "systemd",
                       list ? " (properties sent: " : "", list ? list : "", list ? ")" : "");
}

/* ---- marshalling ------------------------------------------------------ */

static int
append_prop (sd_bus_message *m, const struct sk_sd_prop *p)
{
  int r;
  switch (p->type)
    {
    case SK_SD_U64:
      return sd_bus_message_append (m, "(sv)", p->name, "t", p->u);
    case SK_SD_I64:
      return sd_bus_message_append (m, "(sv)", p->name, "x", (int64_t) p->u);
    case SK_SD_U32:
      return sd_bus_message_append (m, "(sv)", p->name, "u", (uint32_t) p->u);
    case SK_SD_I32:
      return sd_bus_message_append (m, "(sv)", p->name, "i", (int32_t) p->u);
    case SK_SD_BOOL:
      return sd_bus_message_append (m, "(sv)", p->name, "b", (int) p->u);
    case SK_SD_STR:
      return sd_bus_message_append (m, "(sv)", p->name, "s", p->s);
    case SK_SD_PIDS:
      return sd_bus_message_append (m, "(sv)", p->name, "au", 1, p->pids[0]);
    case SK_SD_BYTES:
    case SK_SD_STRV:
      if ((r = sd_bus_message_open_container (m, 'r', "sv")) < 0
          || (r = sd_bus_message_append (m, "s", p->name)) < 0
          || (r = sd_bus_message_open_container (m, 'v', p->type == SK_SD_BYTES ? "ay" : "as")) < 0)
        return r;
      r = p->type == SK_SD_BYTES ? sd_bus_message_append_array (m, 'y', p->bytes, p->n_bytes)
                                 : sd_bus_message_append_strv (m, p->strv);
      if (r < 0 || (r = sd_bus_message_close_container (m)) < 0)
        return r;
      return sd_bus_message_close_container (m);
    case SK_SD_PAIRS:
      if ((r = sd_bus_message_open_container (m, 'r', "sv")) < 0
          || (r = sd_bus_message_append (m, "s", p->name)) < 0
          || (r = sd_bus_message_open_container (m, 'v', "a(ss)")) < 0
          || (r = sd_bus_message_open_container (m, 'a', "(ss)")) < 0)
        return r;
      for (size_t i = 0; p->strv && p->strv[i] && p->strv[i + 1]; i += 2)
        if ((r = sd_bus_message_append (m, "(ss)", p->strv[i], p->strv[i + 1])) < 0)
          return r;
      if ((r = sd_bus_message_close_container (m)) < 0
          || (r = sd_bus_message_close_container (m)) < 0)
        return r;
      return sd_bus_message_close_container (m);
    }
  return -EINVAL;
}

static int
append_props (sd_bus_message *m, const struct sk_sd_props *props, const char *unit,
              sk_error_t *err)
{
  int r = sd_bus_message_open_container (m, 'a', "(sv)");
  for (size_t i = 0; r >= 0 && i < props->n; i++)
    if ((r = append_prop (m, &props->v[i])) < 0)
      return sk_error_set (err, -r, "unit `%s`: property `%s`: D-Bus message", unit,
                           props->v[i].name);
  if (r < 0 || (r = sd_bus_message_close_container (m)) < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message", unit);
  return 0;
}

/* ---- jobs ------------------------------------------------------------- */

struct job_wait
{
  const char *job;     /* object path to wait for, NULL until known */
  char *seen[16];      /* JobRemoved paths seen before the reply */
  char *result_of[16];
  size_t n_seen;
  char *result;        /* the job's result once removed */
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *path, *unit, *result;
  uint32_t id;
  (void) ret_error;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job && strcmp (w->job, path) == 0)
    w->result = strdup (result);
  else if (w->job == NULL && w->n_seen < 16)
    {
      w->seen[w->n_seen] = strdup (path);
      w->result_of[w->n_seen++] = strdup (result);
    }
  return 0;
}

static void
job_wait_clear (struct job_wait *w)
{
  for (size_t i = 0; i < w->n_seen; i++)
    {
      free (w->seen[i]);
      free (w->result_of[i]);
    }
  free (w->result);
}

static uint64_t
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Wait for JobRemoved of job (the match was added before the call, so a
 * signal that raced the reply is in w->seen).  */
static int
wait_job (sd_bus *bus, struct job_wait *w, const char *job, const char *op, const char *unit,
          sk_error_t *err)
{
  w->job = job;
  for (size_t i = 0; i < w->n_seen && w->result == NULL; i++)
    if (w->seen[i] && strcmp (w->seen[i], job) == 0)
      w->result = strdup (w->result_of[i]);
  uint64_t deadline = now_us () + JOB_TIMEOUT_US;
  while (w->result == NULL)
    {
      int r = sd_bus_process (bus, NULL);
      if (r < 0)
        return sk_error_set (err, -r, "%s unit `%s`: D-Bus", op, unit);
      if (r > 0)
        continue;
      uint64_t now = now_us ();
      if (now >= deadline)
        return sk_error_set (err, ETIMEDOUT, "%s unit `%s`: systemd job `%s` did not finish "
                             "within %llu s", op, unit, job, JOB_TIMEOUT_US / 1000000);
      r = sd_bus_wait (bus, deadline - now);
      if (r < 0)
        return sk_error_set (err, -r, "%s unit `%s`: D-Bus", op, unit);
    }
  if (strcmp (w->result, "done") != 0)
    return sk_error_set (err, 0, "%s unit `%s`: systemd job finished with result `%s`", op, unit,
                         w->result);
  return 0;
}

/* Call a Manager method whose reply is a job path, and wait for the job.
 * props: what was sent, for errors.  */
static int
call_job (sd_bus *bus, sd_bus_message *m, const char *op, const char *unit,
          const struct sk_sd_props *props, bool *no_unit, sk_error_t *err)
{
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_msg_ sd_bus_message *reply = NULL;
  struct job_wait w = { 0 };
  sd_bus_slot *slot = NULL;
  const char *job;
  int ret = -1;
  int r = sd_bus_match_signal (bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
                               on_job_removed, &w);
  if (r < 0)
    return sk_error_set (err, -r, "%s unit `%s`: subscribe to JobRemoved", op, unit);
  r = sd_bus_call (bus, m, CALL_TIMEOUT_US, &e, &reply);
  if (r < 0)
    {
      if (no_unit && (sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit")))
        {
          *no_unit = true;
          ret = 0;
        }
      else
        bus_error (err, r, &e, props, "%s unit `%s`", op, unit);
      goto out;
    }
  if ((r = sd_bus_message_read (reply, "o", &job)) < 0)
    {
      sk_error_set (err, -r, "%s unit `%s`: reply", op, unit);
      goto out;
    }
  ret = wait_job (bus, &w, job, op, unit, err);
out:
  sd_bus_slot_unref (slot);
  job_wait_clear (&w);
  return ret;
}

static int
new_call (sd_bus *bus, sd_bus_message **m, const char *method, const char *unit, sk_error_t *err)
{
  int r = sd_bus_message_new_method_call (bus, m, SD_DEST, SD_PATH, SD_IFACE, method);
  if (r < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message %s", unit, method);
  return 0;
}

static int
start_unit (sd_bus *bus, const char *unit, const struct sk_sd_props *props, sk_error_t *err)
{
  _cleanup_msg_ sd_bus_message *m = NULL;
  int r;
  if (new_call (bus, &m, "StartTransientUnit", unit, err) < 0)
    return -1;
  /* "fail": an existing unit of that name is an error, not replaced.  */
  if ((r = sd_bus_message_append (m, "ss", unit, "fail")) < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message", unit);
  if (append_props (m, props, unit, err) < 0)
    return -1;
  if ((r = sd_bus_message_append (m, "a(sa(sv))", 0)) < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message", unit);
  return call_job (bus, m, "start", unit, props, NULL, err);
}

static int
stop_unit (sd_bus *bus, const char *unit, sk_error_t *err)
{
  _cleanup_msg_ sd_bus_message *m = NULL;
  bool gone = false;
  int r;
  if (new_call (bus, &m, "StopUnit", unit, err) < 0)
    return -1;
  if ((r = sd_bus_message_append (m, "ss", unit, "replace")) < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message", unit);
  return call_job (bus, m, "stop", unit, NULL, &gone, err);
}

/* A unit whose start or processes failed stays `failed` (and keeps its
 * name taken) until reset: runc#3888.  */
static int
reset_failed (sd_bus *bus, const char *unit, sk_error_t *err)
{
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_IFACE, "ResetFailedUnit", &e, NULL,
                              "s", unit);
  if (r < 0 && !sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    return bus_error (err, r, &e, NULL, "reset failed unit `%s`", unit);
  return 0;
}

static int
set_props (sd_bus *bus, const char *unit, const struct sk_sd_props *props, sk_error_t *err)
{
  _cleanup_msg_ sd_bus_message *m = NULL, *reply = NULL;
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;
  if (props->n == 0)
    return 0;
  if (new_call (bus, &m, "SetUnitProperties", unit, err) < 0)
    return -1;
  /* runtime=true: /run, gone at reboot like the container.  */
  if ((r = sd_bus_message_append (m, "sb", unit, 1)) < 0)
    return sk_error_set (err, -r, "unit `%s`: D-Bus message", unit);
  if (append_props (m, props, unit, err) < 0)
    return -1;
  r = sd_bus_call (bus, m, CALL_TIMEOUT_US, &e, &reply);
  if (r < 0)
    return bus_error (err, r, &e, props, "set properties of unit `%s`", unit);
  return 0;
}

/* ---- the manager ------------------------------------------------------ */

/* The cgroupfs manager under the unit: v2, or on a v1/hybrid host the
 * v1 manager over the unit's cgroup in every hierarchy (cg->hier).  */
static const struct sk_cgroup_ops *
fs (const struct sk_cgroup *cg)
{
  return cg->n_hier ? &sk_cgroup_v1_ops : &sk_cgroup_v2_ops;
}

static int
start_props (const struct sk_cgroup *cg, const struct sd_driver *d, pid_t pid,
             struct sk_sd_props *p, sk_error_t *err)
{
  char desc[256];
  snprintf (desc, sizeof desc, "skiff container %s", d->id);
  if (sk_sd_props_add_str (p, "Description", desc, err) < 0)
    return -1;
  if (d->is_slice)
    {
      /* A slice's place is its name; its parent is only a dependency.  */
      struct sk_sd_prop *w;
      if (sk_sd_props_add_str (p, "Wants", d->slice, err) < 0)
        return -1;
      w = (struct sk_sd_prop *) sk_sd_props_find (p, "Wants");
      w->type = SK_SD_STRV;
      w->strv = calloc (2, sizeof (char *));
      if (w->strv == NULL || (w->strv[0] = steal_ptr (&w->s)) == NULL)
        return sk_error_set (err, ENOMEM, "unit `%s`", cg->unit);
    }
  else if (sk_sd_props_add_str (p, "Slice", d->slice, err) < 0
           || sk_sd_props_add_pid (p, "PIDs", pid, err) < 0
           /* The container makes its own sub-cgroups (cgroupns, nested
            * runtimes): systemd must leave what is below the scope alone.  */
           || sk_sd_props_add_bool (p, "Delegate", true, err) < 0)
    return -1;
  /* No implicit ordering against shutdown.target etc.: the container's
   * lifetime is its caller's business.  Accounting on for every
   * controller, whatever the limits (runc sets the same four).  */
  if (sk_sd_props_add_bool (p, "DefaultDependencies", false, err) < 0
      || sk_sd_props_add_bool (p, "MemoryAccounting", true, err) < 0
      || sk_sd_props_add_bool (p, "CPUAccounting", true, err) < 0
      || sk_sd_props_add_bool (p, d->v2 ? "IOAccounting" : "BlockIOAccounting", true, err) < 0
      || sk_sd_props_add_bool (p, "TasksAccounting", true, err) < 0)
    return -1;
  /* Resources, then annotations, which override (runc's order).  */
  for (size_t i = 0; i < d->props.n; i++)
    {
      const struct sk_sd_prop *s = &d->props.v[i];
      struct sk_sd_prop *t;
      if (sk_sd_props_add_u64 (p, s->name, 0, err) < 0)
        return -1;
      t = (struct sk_sd_prop *) sk_sd_props_find (p, s->name);
      t->type = s->type;
      t->u = s->u;
      if ((s->s && !(t->s = strdup (s->s)))
          || (s->bytes && !(t->bytes = malloc (s->n_bytes)))
          || (s->strv && !(t->strv = calloc (1, sizeof (char *)))))
        return sk_error_set (err, ENOMEM, "unit `%s`", cg->unit);
      if (s->bytes)
        memcpy (t->bytes, s->bytes, t->n_bytes = s->n_bytes);
      if (s->strv)
        {
          size_t n = 0;
          while (s->strv[n])
            n++;
          char **sv = realloc (t->strv, (n + 1) * sizeof *sv);
          if (sv == NULL)
            return sk_error_set (err, ENOMEM, "unit `%s`", cg->unit);
          t->strv = sv;
          for (size_t k = 0; k <= n; k++)
            sv[k] = s->strv[k] ? strdup (s->strv[k]) : NULL;
        }
    }
  return 0;
}

/* A user manager's units live below its own cgroup
 * (/user.slice/user-UID.slice/user@UID.service/...): prefix the path
 * with the manager's ControlGroup (runc asks the same property).  */
static int
place_in_manager (sd_bus *bus, struct sk_cgroup *cg, sk_error_t *err)
{
  _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_free_ char *root = NULL, *path = NULL, *full = NULL;
  int r = sd_bus_get_property_string (bus, SD_DEST, SD_PATH, SD_IFACE, "ControlGroup", &e,
                                      &root);
  if (r < 0)
    return bus_error (err, r, &e, NULL, "unit `%s`: read the manager's ControlGroup", cg->unit);
  if (root[0] == '\0' || strcmp (root, "/") == 0)
    return 0;
  if (root[0] != '/' || strstr (root, "/.."))
    return sk_error_set (err, 0, "unit `%s`: the manager's ControlGroup `%s` is not a cgroup "
                         "path", cg->unit, root);
  if (asprintf (&path, "%s%s", root, cg->path) < 0)
    path = NULL;
  if (path == NULL || asprintf (&full, "%s%s", cg->mountpoint, path) < 0)
    return sk_error_set (err, ENOMEM, "unit `%s`", cg->unit);
  free (cg->path);
  free (cg->full);
  cg->path = steal_ptr (&path);
  cg->full = steal_ptr (&full);
  return 0;
}

static int
sd_create (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  /* Nothing to make yet: a scope needs a pid (enter starts it).  */
  (void) cg;
  (void) r;
  (void) err;
  return 0;
}

static int
sd_enter (struct sk_cgroup *cg, pid_t pid, sk_error_t *err)
{
  struct sd_driver *d = cg->driver;
  _cleanup_bus_ sd_bus *bus = NULL;
  struct sk_sd_props p = { 0 };
  int ret = -1;
  if (cg->dirfd >= 0)
    return fs (cg)->enter (cg, pid, err);   /* exec into a running container */
  if (bus_open (&bus, err) < 0)
    return -1;
  if (start_props (cg, d, pid, &p, err) < 0)
    goto out;
  if (start_unit (bus, cg->unit, &p, err) < 0)
    {
      /* A job that ran and failed leaves a failed unit behind.  */
      sk_error_t e = NULL;
      if (reset_failed (bus, cg->unit, &e) < 0)
        sk_error_free (&e);
      goto out;
    }
  cg->created = true;
  cg->created_depth = 1;
  if (geteuid () != 0 && place_in_manager (bus, cg, err) < 0)
    goto out;
  if (!d->v2)
    {
      /* v1/hybrid: the unit's cgroup in every hierarchy, places and all.  */
      ret = sk_cg_v1_adopt (cg, cg->path, pid, d->r, err);
      goto out;
    }
  /* Rootless: no device rules (rootless.c rule 5; the eBPF filter needs
   * privilege).  */
  struct sk_resources rr;
  const struct sk_resources *res = d->r;
  if (res && geteuid () != 0)
    {
      rr = *res;
      rr.devices = NULL;
      rr.n_devices = 0;
      res = &rr;
    }
  /* What state.json records (manager "systemd": reopened by unit).  */
  if (sk_cg_set_places (cg, err) < 0 || sk_cg_v2_adopt (cg, res, err) < 0
      || (d->is_slice && fs (cg)->enter (cg, pid, err) < 0))
    goto out;
  ret = 0;
out:
  sk_sd_props_clear (&p);
  return ret;
}

static int
sd_apply (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  return fs (cg)->apply (cg, r, err);
}

static int
sd_update (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  struct sk_sd_props p = { 0 };
  int ret = -1;
  if (sk_sd_resource_props (r, cg->n_hier == 0, &p, err) < 0
      || (cg->n_hier && r && r->n_devices && sk_sd_device_props (r->devices, r->n_devices, &p, err) < 0))
    goto out;
  if (p.n && (bus_open (&bus, err) < 0 || set_props (bus, cg->unit, &p, err) < 0))
    goto out;
  ret = fs (cg)->update (cg, r, err);
out:
  sk_sd_props_clear (&p);
  return ret;
}

static int
sd_destroy (struct sk_cgroup *cg, sk_error_t *err)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  /* Never started (create's rollback after a refused start, which reset
   * the unit itself): nothing of ours exists.  */
  if (!cg->created)
    return 0;
  if (cg->dirfd >= 0)
    {
      /* Kill through the cgroup first: a stop job would otherwise wait
       * for TimeoutStopSec on a process that ignores SIGTERM.  */
      sk_error_t e = NULL;
      if (fs (cg)->kill_all (cg, SIGKILL, &e) < 0)
        sk_error_free (&e);
    }
  if (bus_open (&bus, err) < 0)
    return -1;
  if (stop_unit (bus, cg->unit, err) < 0 || reset_failed (bus, cg->unit, err) < 0)
    return -1;
  /* v1: systemd removed the unit's cgroup in the hierarchies it manages;
   * the v1 manager removes those skiff made (created in the places).  */
  if (cg->n_hier)
    return fs (cg)->destroy (cg, err);
  /* systemd removes the scope's cgroup (and what the container made
   * below it); remove what is left if it did not (a slice we put a pid
   * into ourselves).  */
  if (cg->dirfd >= 0 && access (cg->full, F_OK) == 0)
    {
      cg->created = true;
      cg->created_depth = 1;
      return fs (cg)->destroy (cg, err);
    }
  return 0;
}

static int
sd_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err)
{
  return fs (cg)->freeze (cg, frozen, err);
}

static int
sd_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err)
{
  return fs (cg)->is_frozen (cg, frozen, err);
}

static int
sd_kill_all (struct sk_cgroup *cg, int signo, sk_error_t *err)
{
  return fs (cg)->kill_all (cg, signo, err);
}

static int
sd_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err)
{
  return fs (cg)->pids (cg, pids, n, err);
}

static char *
sd_stats (struct sk_cgroup *cg, const char *id, sk_error_t *err)
{
  return fs (cg)->stats_json (cg, id, err);
}

static int
sd_oom_kills (struct sk_cgroup *cg, uint64_t *count, sk_error_t *err)
{
  return fs (cg)->oom_kills (cg, count, err);
}

static const struct sk_cgroup_ops sd_ops = {
  .name = "systemd", .create = sd_create, .apply = sd_apply, .update = sd_update,
  .enter = sd_enter, .freeze = sd_freeze, .is_frozen = sd_is_frozen, .kill_all = sd_kill_all,
  .pids = sd_pids, .stats_json = sd_stats, .oom_kills = sd_oom_kills, .destroy = sd_destroy,
};

static struct sk_cgroup *
new_cg (const char *mountpoint, const char *path, const char *unit, sk_error_t *err)
{
  struct sk_cgroup *cg = calloc (1, sizeof *cg);
  if (cg == NULL)
    goto nomem;
  cg->ops = &sd_ops;
  cg->dirfd = -1;
  cg->mountpoint = strdup (mountpoint);
  cg->path = strdup (path);
  cg->unit = strdup (unit);
  if (cg->mountpoint == NULL || cg->path == NULL || cg->unit == NULL
      || asprintf (&cg->full, "%s%s", mountpoint, path) < 0)
    {
      cg->full = NULL;
      sk_cgroup_free (cg);
      goto nomem;
    }
  return cg;
nomem:
  sk_error_set (err, ENOMEM, "unit `%s`", unit);
  return NULL;
}

struct sk_cgroup *
sk_cgroup_systemd_new (const struct sk_spec *spec, const char *id, const char *mountpoint,
                       bool v2, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  struct sk_sd_path sp;
  if (sk_sd_parse_path (l ? l->cgroups_path : NULL, id, geteuid () != 0, &sp, err) < 0)
    {
      sk_error_prefix (err, "config.json");
      return NULL;
    }
  /* sd_booted()'s test, as runc's: without it nothing answers on the
   * bus, and the error is clearer before anything exists.  */
  if (geteuid () == 0 && access ("/run/systemd/system", F_OK) < 0)
    {
      sk_error_set (err, 0, "--systemd-cgroup: systemd is not running on this host (no "
                    "`/run/systemd/system`): drop the flag and use a plain cgroupsPath");
      sk_sd_path_clear (&sp);
      return NULL;
    }
  struct sk_cgroup *cg = new_cg (mountpoint, sp.cgroup, sp.unit, err);
  struct sd_driver *d = cg ? calloc (1, sizeof *d) : NULL;
  if (cg && d == NULL)
    sk_error_set (err, ENOMEM, "unit `%s`", sp.unit);
  if (d)
    {
      cg->driver = d;
      cg->driver_free = driver_free;
      d->slice = steal_ptr (&sp.slice);
      d->id = strdup (id);
      d->is_slice = strstr (sp.unit, ".slice") != NULL;
      d->v2 = v2;
      d->r = l ? l->resources : NULL;
      if (d->id == NULL)
        sk_error_set (err, ENOMEM, "unit `%s`", sp.unit);
      else if (sk_sd_resource_props (d->r, v2, &d->props, err) == 0
               && (v2 || sk_sd_device_props (d->r ? d->r->devices : NULL,
                                             d->r ? d->r->n_devices : 0, &d->props, err) == 0)
               && sk_sd_annotation_props (&spec->annotations, &d->props, err) == 0)
        {
          sk_sd_path_clear (&sp);
          return cg;
        }
    }
  sk_sd_path_clear (&sp);
  sk_cgroup_free (cg);
  return NULL;
}

static struct sk_cgroup *
open_v1 (const struct sk_cgroup_place *places, size_t n, const char *unit, sk_error_t *err)
{
  struct sk_cgroup *cg = sk_cg_v1_open (&sk_cgroup_v1_ops, places, n, err);
  if (cg == NULL)
    return NULL;
  cg->ops = &sd_ops;
  cg->created = true;
  if ((cg->unit = strdup (unit)) == NULL)
    {
      sk_error_set (err, ENOMEM, "unit `%s`", unit);
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

struct sk_cgroup *
sk_cgroup_systemd_open (const struct sk_cgroup_place *places, size_t n, sk_error_t *err)
{
  const char *mountpoint = places[0].mountpoint, *path = places[0].path;
  const char *unit = strrchr (path, '/');
  if (unit == NULL || !sk_sd_unit_name_valid (unit + 1))
    {
      sk_error_set (err, 0, "state: `%s` does not end in a systemd unit name", path);
      return NULL;
    }
  /* One place per hierarchy: the unit on a v1/hybrid host.  */
  if (n > 1 || (places[0].controllers && places[0].controllers[0]))
    return open_v1 (places, n, unit + 1, err);
  struct sk_cgroup *cg = new_cg (mountpoint, path, unit + 1, err);
  if (cg == NULL)
    return NULL;
  cg->created = true;
  cg->created_depth = 1;
  if (sk_cg_set_places (cg, err) < 0)
    {
      sk_cgroup_free (cg);
      return NULL;
    }
  cg->dirfd = open (cg->full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->dirfd < 0 && errno != ENOENT)
    {
      sk_error_set (err, errno, "open cgroup `%s`", cg->full);
      sk_cgroup_free (cg);
      return NULL;
    }
  return cg;
}

bool
sk_cgroup_systemd_available (void)
{
  _cleanup_bus_ sd_bus *bus = NULL;
  sk_error_t e = NULL;
  struct statfs sfs;
  /* Rootless, the driver needs pure cgroup v2 (sk_cgroup_create).  */
  if (geteuid () != 0 && (statfs ("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC))
    return false;
  if (geteuid () == 0 && access ("/run/systemd/system", F_OK) < 0)
    return false;
  if (bus_open (&bus, &e) < 0)
    {
      sk_error_free (&e);
      return false;
    }
  return sd_bus_call_method (bus, SD_DEST, SD_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL,
                             NULL, "") >= 0;
}

bool
sk_cgroup_systemd_user_supported (void)
{
  struct statfs sfs;
  return statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

#else /* !HAVE_SYSTEMD */

static int
not_built (sk_error_t *err)
{
  return sk_error_set (err, 0, "--systemd-cgroup: skiff was built without systemd support "
                       "(configure found no libsystemd: install libsystemd-dev and rebuild)");
}

struct sk_cgroup *
sk_cgroup_systemd_new (const struct sk_spec *spec, const char *id, const char *mountpoint,
                       bool v2, sk_error_t *err)
{
  (void) spec, (void) id, (void) mountpoint, (void) v2;
  not_built (err);
  return NULL;
}

struct sk_cgroup *
sk_cgroup_systemd_open (const struct sk_cgroup_place *places, size_t n, sk_error_t *err)
{
  (void) places, (void) n;
  not_built (err);
  return NULL;
}

bool
sk_cgroup_systemd_available (void)
{
  return false;
}

bool
sk_cgroup_systemd_user_supported (void)
{
  return false;
}

#endif
