/* Internals shared by seccomp.c, seccomp_notify.c and features.c.  */
#ifndef SKIFF_LINUX_SECCOMP_INT_H
#define SKIFF_LINUX_SECCOMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/error.h>

struct sock_filter;
struct sk_seccomp;

struct sk_seccomp_prog
{
  struct sock_filter *insns;   /* exported BPF */
  size_t n_insns;
  unsigned int flags;          /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
  bool notify;                 /* uses SCMP_ACT_NOTIFY: NEW_LISTENER */
  bool loaded;                 /* child: already installed */
  int listener_fd;             /* unused by the parent, -1 */
};

struct sk_seccomp_name
{
  const char *name;
  uint32_t value;
};

/* NULL-terminated tables of the names skiff recognizes.  */
extern const struct sk_seccomp_name sk_seccomp_actions[];
extern const struct sk_seccomp_name sk_seccomp_operators[];
extern const struct sk_seccomp_name sk_seccomp_archs[];
extern const struct sk_seccomp_name sk_seccomp_flags[];

int sk_seccomp_sys (unsigned int op, unsigned int flags, void *args);
uint32_t sk_seccomp_arch_token (const char *name);   /* 0: unknown to libseccomp */
bool sk_seccomp_arch_usable (const char *name);
bool sk_seccomp_flag_supported (unsigned long flag);

/* seccomp_bound.c: refuse a profile that can never fit the kernel's
 * instruction limit before libseccomp spends minutes on it.  */
int sk_seccomp_check_size (const struct sk_seccomp *s, sk_error_t *err);

/* seccomp_cache.c */
char *sk_seccomp_cache_key (const struct sk_seccomp *s, size_t *len);
/* seccomp_enosys.c: put the "newer than the profile -> ENOSYS" prologue in
 * front of p's program (def: the default action).  */
bool sk_seccomp_wants_enosys (uint32_t default_action);
int sk_seccomp_add_enosys (void *ctx, const struct sk_seccomp *s, uint32_t def,
                           struct sk_seccomp_prog *p, sk_error_t *err);
struct sk_seccomp_prog *sk_seccomp_cache_load (const char *key, size_t key_len);
/* Set by the fuzzer and unit tests: neither read nor write the cache.  */
extern bool sk_seccomp_cache_disabled;
/* Exposed for the unit tests: LRU eviction down to the bounds.  */
void sk_seccomp_cache_evict (const char *dir, size_t max_files, size_t max_bytes);
void sk_seccomp_cache_store (const char *key, size_t key_len,
                             const struct sk_seccomp_prog *p);

#endif
