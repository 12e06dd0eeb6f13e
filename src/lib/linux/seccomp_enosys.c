/* ENOSYS for syscalls newer than the profile.
 *
 * A profile lists the syscalls its author knew of; one the kernel added
 * later (clone3 under a profile from 2019) would get the default action,
 * usually EPERM, and EPERM tells glibc and Go "forbidden", not "try the
 * older call": posix_spawn, fork via clone3, openat2, faccessat2 then fail
 * outright.  ENOSYS is what a kernel without the syscall answers, and
 * every libc falls back on it.  runc (patchbpf) and crun do the same; not
 * in the spec.
 *
 * The rule: per architecture in the filter, a syscall number above the
 * highest number any name in the profile resolves to gets ENOSYS.  Numbers
 * at or below it keep the profile's answer (a known syscall the profile
 * chose not to allow is still refused its way).  Only when the default
 * action would refuse: with SCMP_ACT_ALLOW/LOG a new syscall is allowed
 * anyway.
 *
 * It is a prologue put in front of libseccomp's program: it clobbers only
 * the accumulator, which libseccomp's program reloads first thing, and
 * jumps in BPF are relative, so the program itself is untouched.  */
#include <config.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <skiff/spec.h>
#include "linux/linux.h"
#include "linux/seccomp_int.h"

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_ARCHS 32

struct arch_max
{
  uint32_t token;
  int max;
};

static int
profile_max (const struct sk_seccomp *s, uint32_t token)
{
  int max = -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    for (size_t n = 0; n < s->syscalls[i].names.n; n++)
      {
        int nr = seccomp_syscall_resolve_name_arch (token, s->syscalls[i].names.v[n]);
        if (nr > max)
          max = nr;     /* negative: unknown or a multiplexed pseudo-number */
      }
  return max;
}

/* The architectures the filter covers (native first) with their maximum;
 * x32 shares x86_64's audit arch and is left to libseccomp's program.  */
static size_t
collect (scmp_filter_ctx ctx, const struct sk_seccomp *s, struct arch_max *out)
{
  size_t n = 0;
  uint32_t native = seccomp_arch_native ();
  out[n++] = (struct arch_max) { native, profile_max (s, native) };
  for (size_t i = 0; i < s->architectures.n && n < MAX_ARCHS; i++)
    {
      uint32_t tok = sk_seccomp_arch_token (s->architectures.v[i]);
      bool seen = false;
      for (size_t k = 0; k < n; k++)
        seen |= out[k].token == tok;
      if (tok == 0 || seen || tok == SCMP_ARCH_X32 || seccomp_arch_exist (ctx, tok) != 0)
        continue;
      out[n++] = (struct arch_max) { tok, profile_max (s, tok) };
    }
  return n;
}

bool
sk_seccomp_wants_enosys (uint32_t default_action)
{
  return default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG;
}

int
sk_seccomp_add_enosys (void *ctx, const struct sk_seccomp *s, uint32_t def,
                       struct sk_seccomp_prog *p, sk_error_t *err)
{
  if (!sk_seccomp_wants_enosys (def))
    return 0;
  struct arch_max a[MAX_ARCHS];
  size_t na = collect (ctx, s, a);
  /* 1 load, per arch at most 5, a jump over the return, the return.  */
  struct sock_filter pro[1 + 5 * MAX_ARCHS + 2];
  size_t k = 0, ret_jumps[MAX_ARCHS], start_jumps[MAX_ARCHS + 1], nr = 0, ns = 0;
  pro[k++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                            offsetof (struct seccomp_data, arch));
  for (size_t i = 0; i < na; i++)
    {
      if (a[i].max < 0)
        continue;       /* the profile names nothing of this arch: no rule */
      bool x86_64 = a[i].token == SCMP_ARCH_X86_64;
      uint8_t len = x86_64 ? 4 : 3;   /* instructions after the jeq */
      pro[k++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, a[i].token, 0, len);
      pro[k++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                                offsetof (struct seccomp_data, nr));
      if (x86_64)
        pro[k++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT,
                                                  1, 0);
      ret_jumps[nr++] = k;
      pro[k++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, (uint32_t) a[i].max,
                                                0 /* fixed below */, 0);
      start_jumps[ns++] = k;
      pro[k++] = (struct sock_filter) BPF_STMT (BPF_JMP | BPF_JA, 0);
    }
  if (nr == 0)
    return 0;
  start_jumps[ns++] = k;
  pro[k++] = (struct sock_filter) BPF_STMT (BPF_JMP | BPF_JA, 0);
  size_t ret = k;
  pro[k++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  for (size_t i = 0; i < nr; i++)
    pro[ret_jumps[i]].jt = (uint8_t) (ret - ret_jumps[i] - 1);
  for (size_t i = 0; i < ns; i++)
    pro[start_jumps[i]].k = (uint32_t) (k - start_jumps[i] - 1);
  if (p->n_insns + k > BPF_MAXINSNS)
    return sk_error_set (err, E2BIG, "seccomp: filter of %zu instructions", p->n_insns + k);
  struct sock_filter *all = malloc ((p->n_insns + k) * sizeof *all);
  if (all == NULL)
    return sk_error_set (err, ENOMEM, "seccomp: filter");
  memcpy (all, pro, k * sizeof *all);
  memcpy (all + k, p->insns, p->n_insns * sizeof *all);
  free (p->insns);
  p->insns = all;
  p->n_insns += k;
  return 0;
}
