/* linux.seccomp (config-linux.md "Seccomp"): compile with libseccomp in
 * the parent, load a plain BPF program in the child.
 *
 * Why split: libseccomp builds its filter database with many allocations;
 * doing that before clone keeps the child's work to one seccomp(2) call
 * on a ready `struct sock_fprog`, with no libseccomp state to carry across
 * clone, and a bad profile fails before anything was created.
 *
 * The child loads the filter itself with seccomp(2), so the kernel flags
 * (TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV, NEW_LISTENER) are ours to
 * pass: what libseccomp's attributes would have done at load time does
 * not apply to an exported program.  */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <skiff/container.h>
#include "linux/linux.h"
#include "linux/seccomp_int.h"
#include "util/cleanup.h"
#include "util/fd.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
# define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
# define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

const struct sk_seccomp_name sk_seccomp_actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0) },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0) },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
  { NULL, 0 }
};

/* Indexed by enum sk_seccomp_op.  */
const struct sk_seccomp_name sk_seccomp_operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  { NULL, 0 }
};

/* Every architecture of the spec (v1.3.0); `value` is unused, the name
 * after SCMP_ARCH_ in lower case is what libseccomp resolves.  */
const struct sk_seccomp_name sk_seccomp_archs[] = {
  { "SCMP_ARCH_X86", 0 }, { "SCMP_ARCH_X86_64", 0 }, { "SCMP_ARCH_X32", 0 },
  { "SCMP_ARCH_ARM", 0 }, { "SCMP_ARCH_AARCH64", 0 }, { "SCMP_ARCH_MIPS", 0 },
  { "SCMP_ARCH_MIPS64", 0 }, { "SCMP_ARCH_MIPS64N32", 0 }, { "SCMP_ARCH_MIPSEL", 0 },
  { "SCMP_ARCH_MIPSEL64", 0 }, { "SCMP_ARCH_MIPSEL64N32", 0 }, { "SCMP_ARCH_PPC", 0 },
  { "SCMP_ARCH_PPC64", 0 }, { "SCMP_ARCH_PPC64LE", 0 }, { "SCMP_ARCH_S390", 0 },
  { "SCMP_ARCH_S390X", 0 }, { "SCMP_ARCH_PARISC", 0 }, { "SCMP_ARCH_PARISC64", 0 },
  { "SCMP_ARCH_RISCV64", 0 }, { "SCMP_ARCH_LOONGARCH64", 0 }, { "SCMP_ARCH_M68K", 0 },
  { "SCMP_ARCH_SH", 0 }, { "SCMP_ARCH_SHEB", 0 },
  { NULL, 0 }
};

const struct sk_seccomp_name sk_seccomp_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
  { NULL, 0 }
};

static const struct sk_seccomp_name *
name_lookup (const struct sk_seccomp_name *t, const char *name)
{
  for (; name && t->name; t++)
    if (strcmp (t->name, name) == 0)
      return t;
  return NULL;
}

int
sk_seccomp_sys (unsigned int op, unsigned int flags, void *args)
{
  return syscall (SYS_seccomp, op, flags, args);
}

/* libseccomp's arch token, or 0 when this libseccomp does not know it.  */
uint32_t
sk_seccomp_arch_token (const char *name)
{
  char low[32];
  size_t i;
  if (name == NULL || strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof low)
    return 0;
  for (i = 0; name[10 + i]; i++)
    low[i] = name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] + 32 : name[10 + i];
  low[i] = '\0';
  return seccomp_arch_resolve_name (low);
}

/* An arch usable here: libseccomp knows it and it can join a filter
 * with the native arch (same endianness).  */
bool
sk_seccomp_arch_usable (const char *name)
{
  uint32_t tok = sk_seccomp_arch_token (name);
  if (tok == 0)
    return false;
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    return false;
  int r = seccomp_arch_add (ctx, tok);
  seccomp_release (ctx);
  return r == 0 || r == -EEXIST;
}

/* A flag works when the kernel accepts it: seccomp(2) with a NULL program
 * fails with EFAULT once the flags passed validation, EINVAL otherwise
 * (the probe libseccomp itself uses).  WAIT_KILLABLE_RECV is only valid
 * together with NEW_LISTENER.  */
bool
sk_seccomp_flag_supported (unsigned long flag)
{
  unsigned long f = flag;
  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return sk_seccomp_sys (SECCOMP_SET_MODE_FILTER, f, NULL) < 0 && errno == EFAULT;
}

/* The action value for a config action plus its errnoRet.  errnoRet is
 * only meaningful for ERRNO and TRACE; config-linux.md: "When the action
 * doesn't support an errno, the runtime MUST print and error and fail".  */
static int
action_value (const char *action, bool has_errno, uint32_t errno_ret,
              const char *path, uint32_t *out, sk_error_t *err)
{
  const struct sk_seccomp_name *a = name_lookup (sk_seccomp_actions, action);
  if (a == NULL)
    return sk_error_set (err, 0, "config.json: %s: unknown seccomp action `%s`",
                         path, action ? action : "");
  uint32_t ret = has_errno ? errno_ret : EPERM;
  if (a->value == SCMP_ACT_ERRNO (0))
    *out = SCMP_ACT_ERRNO (ret);
  else if (a->value == SCMP_ACT_TRACE (0))
    *out = SCMP_ACT_TRACE (ret);
  else if (has_errno)
    return sk_error_set (err, 0, "config.json: %s: errnoRet is not supported with "
                         "action `%s`", path, action);
  else
    *out = a->value;
  return 0;
}

static int
add_archs (scmp_filter_ctx ctx, const struct sk_seccomp *s, sk_error_t *err)
{
  for (size_t i = 0; i < s->architectures.n; i++)
    {
      const char *name = s->architectures.v[i];
      uint32_t tok = sk_seccomp_arch_token (name);
      if (tok == 0)
        return sk_error_set (err, 0, "config.json: linux.seccomp.architectures[%zu]: "
                             "architecture `%s` is not supported by libseccomp %u.%u",
                             i, name, seccomp_version ()->major, seccomp_version ()->minor);
      int r = seccomp_arch_add (ctx, tok);
      /* EDOM: an arch of the other endianness cannot share a filter with
       * the native one; no process here can make its syscalls, so it is
       * skipped (profiles often list every arch).  */
      if (r == -EDOM)
        {
          sk_log_debug ("seccomp: architecture `%s` cannot be mixed with the native one: "
                        "skipped", name);
          continue;
        }
      if (r < 0 && r != -EEXIST)
        return sk_error_set (err, -r, "seccomp: add architecture `%s`", name);
    }
  return 0;
}

/* libseccomp refuses two comparisons of the same argument in one rule;
 * the peers' reading of such a rule (runc, crun) is "any of them", so
 * each comparison becomes its own rule then.  */
static bool
args_repeat_index (const struct sk_syscall *sc)
{
  for (size_t i = 0; i < sc->n_args; i++)
    for (size_t j = i + 1; j < sc->n_args; j++)
      if (sc->args[i].index == sc->args[j].index)
        return true;
  return false;
}

static struct scmp_arg_cmp
arg_cmp (const struct sk_seccomp_arg *a)
{
  struct scmp_arg_cmp c = {
    .arg = a->index,
    .op = sk_seccomp_operators[a->op].value,
    .datum_a = a->value,
    .datum_b = a->value_two,
  };
  return c;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct sk_syscall *sc,
          const char *name, sk_error_t *err)
{
  struct scmp_arg_cmp cmps[6];
  int r = 0;
  if (sc->n_args == 0)
    r = seccomp_rule_add_array (ctx, action, nr, 0, NULL);
  else if (args_repeat_index (sc))
    for (size_t i = 0; r == 0 && i < sc->n_args; i++)
      {
        cmps[0] = arg_cmp (&sc->args[i]);
        r = seccomp_rule_add_array (ctx, action, nr, 1, cmps);
      }
  else
    {
      for (size_t i = 0; i < sc->n_args; i++)
        cmps[i] = arg_cmp (&sc->args[i]);
      r = seccomp_rule_add_array (ctx, action, nr, sc->n_args, cmps);
    }
  if (r < 0)
    return sk_error_set (err, -r, "seccomp: add rule for syscall `%s`", name);
  return 0;
}

static int
add_syscalls (scmp_filter_ctx ctx, const struct sk_seccomp *s, uint32_t def,
              bool *notify, sk_error_t *err)
{
  char path[80];
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct sk_syscall *sc = &s->syscalls[i];
      uint32_t action;
      snprintf (path, sizeof path, "linux.seccomp.syscalls[%zu]", i);
      if (action_value (sc->action, sc->has_errno_ret, sc->errno_ret, path, &action, err) < 0)
        return -1;
      if (sc->n_args > 6)
        return sk_error_set (err, 0, "config.json: %s.args: at most 6 arguments", path);
      for (size_t a = 0; a < sc->n_args; a++)
        if (sc->args[a].index > 5 || (unsigned) sc->args[a].op > SK_SECCOMP_OP_MASKED_EQ)
          return sk_error_set (err, 0, "config.json: %s.args[%zu]: bad index or op", path, a);
      /* libseccomp rejects a rule whose action is the default one; it
       * would not change the filter, so it is simply left out.  */
      if (action == def)
        continue;
      if (action == SCMP_ACT_NOTIFY)
        *notify = true;
      for (size_t n = 0; n < sc->names.n; n++)
        {
          const char *name = sc->names.v[n];
          int nr = seccomp_syscall_resolve_name (name);
          /* A name this libseccomp/arch does not know is skipped, not
           * fatal: profiles list syscalls of newer kernels or other
           * arches (runc and crun do the same).  */
          if (nr == __NR_SCMP_ERROR)
            {
              sk_log_debug ("seccomp: unknown syscall `%s`: skipped", name);
              continue;
            }
          if (add_rule (ctx, action, nr, sc, name, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
compile_flags (const struct sk_seccomp *s, bool notify, unsigned int *out, sk_error_t *err)
{
  unsigned int f = 0;
  for (size_t i = 0; i < s->flags.n; i++)
    {
      const struct sk_seccomp_name *n = name_lookup (sk_seccomp_flags, s->flags.v[i]);
      if (n == NULL)
        return sk_error_set (err, 0, "config.json: linux.seccomp.flags[%zu]: unknown "
                             "seccomp flag `%s`", i, s->flags.v[i]);
      if (!sk_seccomp_flag_supported (n->value))
        return sk_error_set (err, EINVAL, "config.json: linux.seccomp.flags[%zu]: seccomp "
                             "flag `%s` is not supported by this kernel", i, n->name);
      f |= n->value;
    }
  /* WAIT_KILLABLE_RECV only qualifies a listener; without SCMP_ACT_NOTIFY
   * the kernel would reject it, and it means nothing, so drop it.  */
  if (!notify)
    f &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  /* TSYNC and NEW_LISTENER together need TSYNC_ESRCH (init is single
   * threaded, so TSYNC never has a thread to report anyway).  */
  if (notify && (f & SECCOMP_FILTER_FLAG_TSYNC))
    f |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  if (notify)
    f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  *out = f;
  return 0;
}

/* seccomp_export_bpf writes to an fd: a memfd keeps it in memory.  */
static int
export_bpf (scmp_filter_ctx ctx, struct sk_seccomp_prog *p, sk_error_t *err)
{
  _cleanup_close_ int fd = memfd_create ("skiff-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return sk_error_set (err, errno, "seccomp: memfd_create");
  int r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return sk_error_set (err, -r, "seccomp: export filter");
  off_t size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0
      || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return sk_error_set (err, E2BIG, "seccomp: filter of %lld bytes", (long long) size);
  p->insns = malloc (size);
  if (p->insns == NULL)
    return sk_error_set (err, ENOMEM, "seccomp: filter");
  if (pread (fd, p->insns, size, 0) != size)
    return sk_error_set (err, errno, "seccomp: read exported filter");
  p->n_insns = size / sizeof (struct sock_filter);
  return 0;
}

static struct sk_seccomp_prog *
compile_uncached (const struct sk_seccomp *s, sk_error_t *err)
{
  uint32_t def;
  bool notify = false;
  if (s->default_action == NULL)
    {
      sk_error_set (err, 0, "config.json: linux.seccomp.defaultAction: required");
      return NULL;
    }
  if (action_value (s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                    "linux.seccomp.defaultAction", &def, err) < 0)
    return NULL;
  struct sk_seccomp_prog *p = calloc (1, sizeof *p);
  scmp_filter_ctx ctx = seccomp_init (def);
  if (p == NULL || ctx == NULL)
    {
      sk_error_set (err, ENOMEM, "seccomp: init filter");
      goto fail;
    }
  p->listener_fd = -1;
  /* A binary tree of syscall numbers: long profiles (Docker's default has
   * ~350 names) cost O(log n) per syscall instead of a linear scan.  */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (add_archs (ctx, s, err) < 0 || add_syscalls (ctx, s, def, &notify, err) < 0)
    goto fail;
  if (def == SCMP_ACT_NOTIFY)
    notify = true;
  if (notify && s->listener_path == NULL)
    {
      sk_error_set (err, 0, "config.json: linux.seccomp.listenerPath: required when "
                    "SCMP_ACT_NOTIFY is used");
      goto fail;
    }
  if (compile_flags (s, notify, &p->flags, err) < 0 || export_bpf (ctx, p, err) < 0
      || sk_seccomp_add_enosys (ctx, s, def, p, err) < 0)
    goto fail;
  p->notify = notify;
  seccomp_release (ctx);
  return p;
fail:
  if (ctx)
    seccomp_release (ctx);
  sk_seccomp_prog_free (p);
  return NULL;
}

/* A profile already compiled on this host with this libseccomp, skiff and
 * kernel comes from the cache (seccomp_cache.c); its errors cannot differ,
 * since only successful compilations are stored.  */
struct sk_seccomp_prog *
sk_seccomp_compile (const struct sk_seccomp *s, sk_error_t *err)
{
  if (s == NULL || sk_seccomp_check_size (s, err) < 0)
    return NULL;
  size_t key_len = 0;
  _cleanup_free_ char *key = sk_seccomp_cache_key (s, &key_len);
  struct sk_seccomp_prog *p = key ? sk_seccomp_cache_load (key, key_len) : NULL;
  if (p != NULL)
    return p;
  p = compile_uncached (s, err);
  if (p != NULL && key != NULL)
    sk_seccomp_cache_store (key, key_len, p);
  return p;
}

void
sk_seccomp_prog_free (struct sk_seccomp_prog *p)
{
  if (p == NULL)
    return;
  free (p->insns);
  if (p->listener_fd >= 0)
    close (p->listener_fd);
  free (p);
}

bool
sk_seccomp_uses_notify (const struct sk_seccomp_prog *p)
{
  return p != NULL && p->notify;
}

/* Child.  Loading needs no_new_privs or CAP_SYS_ADMIN in the current user
 * namespace (kernel rule, so an unprivileged filter cannot confuse a
 * setuid binary); sk_security_finalize orders the call accordingly.
 * Loading twice is a no-op: a filter with SCMP_ACT_NOTIFY is loaded early
 * (before READY) so its listener can leave through the sync socket.  */
int
sk_seccomp_load (struct sk_seccomp_prog *p, sk_error_t *err)
{
  if (p == NULL || p->loaded)
    return -2;
  struct sock_fprog prog = { .len = (unsigned short) p->n_insns, .filter = p->insns };
  int r = sk_seccomp_sys (SECCOMP_SET_MODE_FILTER, p->flags, &prog);
  if (r < 0)
    {
      int e = errno;
      if (e == EACCES)
        return sk_error_set (err, e, "load seccomp filter (needs noNewPrivileges or "
                             "CAP_SYS_ADMIN)");
      return sk_error_set (err, e, "load seccomp filter");
    }
  p->loaded = true;
  if (!p->notify)
    return -2;
  return r;   /* the listener fd (NEW_LISTENER) */
}
