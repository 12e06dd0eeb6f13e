/* Capabilities, user identity and no_new_privs of the container process
 * (config.md "Linux Process", "User").
 *
 * Split in two halves so that warnings reach the user:
 *  - sk_caps_check (parent, before clone): names libcap does not know,
 *    names beyond the kernel's last capability, and capabilities this
 *    runtime does not hold itself cannot be granted.  The spec (config.md,
 *    "capabilities") says such values MUST be logged as a warning and
 *    SHOULD NOT make the runtime fail, so we warn here, where the log still
 *    reaches the caller.
 *  - sk_caps_apply_user (child, just before exec): the same resolution,
 *    silently skipping what the parent already warned about, then the
 *    kernel calls in the only order that works (see the function).  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "util/cleanup.h"

#ifndef PR_CAP_AMBIENT
# define PR_CAP_AMBIENT 47
# define PR_CAP_AMBIENT_RAISE 2
# define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The name of a capability for a message (libcap's strings must be freed
 * with cap_free, so copy into the caller's buffer).  */
static const char *
cap_name (int cap, char *buf, size_t len)
{
  char *n = cap_to_name (cap);
  snprintf (buf, len, "%s", n ? n : "?");
  for (char *q = buf; *q; q++)
    if (*q >= 'a' && *q <= 'z')
      *q -= 'a' - 'A';
  if (n)
    cap_free (n);
  return buf;
}

/* One bit per capability; the kernel has fewer than 64 today.  */
typedef uint64_t sk_capset_t;
#define CAPBIT(c) ((sk_capset_t) 1 << (c))

enum { SET_BOUNDING, SET_EFFECTIVE, SET_PERMITTED, SET_INHERITABLE, SET_AMBIENT, SET__N };
static const char *const set_names[SET__N] = {
  "bounding", "effective", "permitted", "inheritable", "ambient"
};

struct caps_plan
{
  sk_capset_t set[SET__N];
};

int
sk_caps_last_cap (void)
{
  static int last = -1;
  if (last >= 0)
    return last;
  char buf[16] = "";
  int fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      ssize_t n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n > 0)
        last = atoi (buf);
    }
  if (last <= 0)
    last = (int) cap_max_bits () - 1;   /* libcap's own probe */
  if (last > 63)
    last = 63;
  return last;
}

/* A name the kernel can act on, or -1.  cap_from_name also accepts
 * numbers and lowercase; the spec's names are "CAP_*" in capitals, which
 * is what runc and crun accept too.  */
static int
cap_lookup (const char *name)
{
  cap_value_t v;
  if (name == NULL || strncmp (name, "CAP_", 4) != 0)
    return -1;
  if (cap_from_name (name, &v) < 0)
    return -1;
  if (v < 0 || v > sk_caps_last_cap ())
    return -1;
  return v;
}

static const struct sk_strv *
caps_strv (const struct sk_capabilities *c, int set)
{
  switch (set)
    {
    case SET_BOUNDING: return &c->bounding;
    case SET_EFFECTIVE: return &c->effective;
    case SET_PERMITTED: return &c->permitted;
    case SET_INHERITABLE: return &c->inheritable;
    default: return &c->ambient;
    }
}

/* What this process holds: a capability outside our own bounding set or
 * permitted set cannot be granted (here CAP_SYS_RESOURCE, on a host whose
 * bounding set lacks it).  */
static void
held_caps (sk_capset_t *bound, sk_capset_t *perm)
{
  *bound = *perm = 0;
  cap_t cur = cap_get_proc ();
  for (int c = 0; c <= sk_caps_last_cap (); c++)
    {
      cap_flag_value_t v = CAP_CLEAR;
      if (cap_get_bound (c) > 0)
        *bound |= CAPBIT (c);
      if (cur && cap_get_flag (cur, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        *perm |= CAPBIT (c);
    }
  if (cur)
    cap_free (cur);
}

/* Resolve the config into bit sets, dropping (and, when `warn`, reporting)
 * what cannot be mapped or granted.  The kernel's own invariants are
 * enforced here rather than by a failing capset(): effective and
 * inheritable within permitted-or-bounding, ambient within permitted AND
 * inheritable.  */
static void
caps_resolve (const struct sk_capabilities *c, bool warn, bool userns, struct caps_plan *plan)
{
  sk_capset_t bound, perm;
  memset (plan, 0, sizeof *plan);
  if (c == NULL)
    return;   /* no capabilities object: the process keeps none */
  held_caps (&bound, &perm);
  /* Creating or joining a user namespace gives the full set in it
   * (user_namespaces(7)), even to an unprivileged runtime (rootless).  */
  if (userns)
    for (int cap = 0; cap <= sk_caps_last_cap (); cap++)
      bound |= CAPBIT (cap), perm |= CAPBIT (cap);
  for (int s = 0; s < SET__N; s++)
    {
      const struct sk_strv *v = caps_strv (c, s);
      for (size_t i = 0; i < v->n; i++)
        {
          int cap = cap_lookup (v->v[i]);
          if (cap < 0)
            {
              if (warn)
                sk_log_warn ("capability `%s` is unknown to this kernel: skipped",
                             v->v[i]);
              continue;
            }
          plan->set[s] |= CAPBIT (cap);
        }
    }
  static const int limited[] = { SET_BOUNDING, SET_PERMITTED, SET_EFFECTIVE,
                                 SET_INHERITABLE, SET_AMBIENT };
  for (size_t k = 0; k < sizeof limited / sizeof *limited; k++)
    {
      int s = limited[k];
      sk_capset_t allowed;
      if (s == SET_BOUNDING)
        allowed = bound;
      else if (s == SET_INHERITABLE)
        /* capset(2) refuses an inheritable cap outside the bounding set,
         * which by then is the configured one.  */
        allowed = plan->set[SET_BOUNDING];
      else if (s == SET_PERMITTED)
        allowed = perm & bound;
      else if (s == SET_EFFECTIVE)
        allowed = plan->set[SET_PERMITTED];
      else
        allowed = plan->set[SET_PERMITTED] & plan->set[SET_INHERITABLE];
      sk_capset_t lost = plan->set[s] & ~allowed;
      for (int cap = 0; warn && lost && cap < 64; cap++)
        if (lost & CAPBIT (cap))
          {
            char n[64];
            const char *why = s == SET_EFFECTIVE ? "it is not in the permitted set"
                            : s == SET_AMBIENT ? "it is not both permitted and inheritable"
                            : s == SET_INHERITABLE ? "it is not in the bounding set"
                            : "this runtime does not hold it";
            sk_log_warn ("capability `%s` cannot be granted in the %s set (%s): skipped",
                         cap_name (cap, n, sizeof n), set_names[s], why);
          }
      plan->set[s] &= allowed;
    }
}

void
sk_caps_check (const struct sk_process *p, bool userns)
{
  struct caps_plan plan;
  if (p != NULL)
    caps_resolve (p->capabilities, true, userns, &plan);
}

/* Drop from the bounding set everything not asked for.  Needs
 * CAP_SETPCAP, so it runs while we are still root with full caps.  */
static int
drop_bounding (sk_capset_t keep, sk_error_t *err)
{
  for (int c = 0; c <= sk_caps_last_cap (); c++)
    {
      if (keep & CAPBIT (c))
        continue;
      if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        {
          char n[64];
          return sk_error_set (err, errno, "drop capability `%s` from the bounding set",
                               cap_name (c, n, sizeof n));
        }
    }
  return 0;
}

/* A user namespace whose setgroups file says "deny" (rootless, or a
 * single mapping written without CAP_SETGID) refuses setgroups(2) for
 * good; skipping it there is what the kernel forces on every runtime.  */
static bool
setgroups_denied (void)
{
  char buf[16] = "";
  int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  return n > 0 && strncmp (buf, "deny", 4) == 0;
}

static int
set_identity (const struct sk_user *u, sk_error_t *err)
{
  if (!setgroups_denied ())
    {
      gid_t *gids = NULL;
      if (u->n_additional_gids > 0)
        {
          gids = calloc (u->n_additional_gids, sizeof *gids);
          if (gids == NULL)
            return sk_error_set (err, ENOMEM, "setgroups");
          for (size_t i = 0; i < u->n_additional_gids; i++)
            gids[i] = u->additional_gids[i];
        }
      /* Always called, also with no additional gids: the host's
       * supplementary groups of the caller must not leak in.  */
      int r = setgroups (u->n_additional_gids, gids);
      int saved = errno;
      free (gids);
      if (r < 0)
        return sk_error_set (err, saved, "setgroups for user `%u`", u->uid);
    }
  /* else: the kernel forbids any group change here; fewer groups only
   * ever means less access, and runc skips it the same way.  */
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return sk_error_set (err, errno, "setgid `%u`", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return sk_error_set (err, errno, "setuid `%u`", u->uid);
  return 0;
}

static int
set_cap_sets (const struct caps_plan *plan, sk_error_t *err)
{
  cap_t c = cap_init ();   /* all clear: nothing kept that was not asked */
  if (c == NULL)
    return sk_error_set (err, errno, "cap_init");
  static const struct { int set; cap_flag_t flag; } map[] = {
    { SET_EFFECTIVE, CAP_EFFECTIVE },
    { SET_PERMITTED, CAP_PERMITTED },
    { SET_INHERITABLE, CAP_INHERITABLE },
  };
  for (size_t k = 0; k < sizeof map / sizeof *map; k++)
    for (cap_value_t v = 0; v <= sk_caps_last_cap (); v++)
      if (plan->set[map[k].set] & CAPBIT (v))
        cap_set_flag (c, map[k].flag, 1, &v, CAP_SET);
  int r = cap_set_proc (c);
  int saved = errno;
  cap_free (c);
  if (r < 0)
    return sk_error_set (err, saved, "set capabilities");
  return 0;
}

static int
set_ambient (sk_capset_t ambient, sk_error_t *err)
{
  /* Kernels before 4.3 lack ambient caps: EINVAL there with nothing asked
   * is fine.  */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0
      && !(errno == EINVAL && ambient == 0))
    return sk_error_set (err, errno, "clear ambient capabilities");
  for (int c = 0; c <= sk_caps_last_cap (); c++)
    if ((ambient & CAPBIT (c))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      {
        char n[64];
        return sk_error_set (err, errno, "raise ambient capability `%s`",
                             cap_name (c, n, sizeof n));
      }
  return 0;
}

/* Order matters:
 *  1. PR_SET_KEEPCAPS, so the permitted set survives setuid to non-root;
 *  2. bounding set drop (needs CAP_SETPCAP, still held);
 *  3. setgroups, setresgid, setresuid (need CAP_SETGID/CAP_SETUID);
 *  4. effective/permitted/inheritable set exactly from the config: starting
 *     from an empty cap_t means no inheritable capability survives that was
 *     not asked for (CVE-2022-29162: runc kept a full inheritable set, which
 *     made file capabilities of any binary effective in the container);
 *  5. ambient (needs the cap in permitted and inheritable, set in 4);
 *  6. no_new_privs last: it does not stop any of the above.  */
int
sk_caps_apply_user (const struct sk_process *p, sk_error_t *err)
{
  struct caps_plan plan;
  caps_resolve (p->capabilities, false, false, &plan);
  if (p->user.has_umask)
    umask (p->user.umask & 0777);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return sk_error_set (err, errno, "prctl PR_SET_KEEPCAPS");
  if (drop_bounding (plan.set[SET_BOUNDING], err) < 0)
    return -1;
  if (set_identity (&p->user, err) < 0)
    return -1;
  if (set_cap_sets (&plan, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return sk_error_set (err, errno, "prctl PR_SET_KEEPCAPS");
  if (set_ambient (plan.set[SET_AMBIENT], err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sk_error_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  return 0;
}

bool
sk_caps_keeps (const struct sk_process *p, int cap)
{
  struct caps_plan plan;
  caps_resolve (p->capabilities, false, false, &plan);
  return (plan.set[SET_EFFECTIVE] & CAPBIT (cap)) != 0;
}

/* Every capability name this build of libcap knows up to the kernel's
 * last one, for `skiff features`.  Returns a NULL-terminated vector.  */
char **
sk_caps_known_names (void)
{
  int last = sk_caps_last_cap ();
  char **v = calloc (last + 2, sizeof *v);
  size_t n = 0;
  if (v == NULL)
    return NULL;
  for (int c = 0; c <= last; c++)
    {
      char buf[64];
      /* libcap spells capabilities it has no name for as digits.  */
      if (strncmp (cap_name (c, buf, sizeof buf), "CAP_", 4) != 0)
        continue;
      if ((v[n] = strdup (buf)) == NULL)
        {
          char **p = v;
          sk_strv_freep (&p);
          return NULL;
        }
      n++;
    }
  return v;
}
