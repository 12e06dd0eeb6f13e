/* linux.seccomp (config-linux.md "Seccomp").  Names are checked
 * syntactically against the lists of the spec's schema; whether libseccomp
 * and the kernel support them is the seccomp module's business.  */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "spec/spec_internal.h"

static const char *const actions[] = {
  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
  NULL
};

static const char *const arches[] = {
  "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL
};

static const char *const filter_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL
};

/* Same order as enum sk_seccomp_op.  */
static const char *const operators[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ", NULL
};

/* "When the action doesn't support an errno, the runtime MUST print an
 * error and fail": only ERRNO and TRACE carry one.  */
static int
check_errno_ret (const char *action, bool has_errno, const char *path, const char *key,
                 sk_error_t *err)
{
  char p[SP_PATH_LEN];
  if (!has_errno || action == NULL || strcmp (action, "SCMP_ACT_ERRNO") == 0
      || strcmp (action, "SCMP_ACT_TRACE") == 0)
    return 0;
  sp_key (p, path, key);
  return sk_error_set (err, 0, "%s: action `%s` does not take an errno", p, action);
}

static int
parse_arg (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_seccomp_arg *a = out;
  int64_t index = 0;
  int op = 0;
  /* A syscall has six arguments: an index beyond would be refused by
   * libseccomp without saying which rule was wrong.  */
  if (SP_REQUIRE (v, path, err, "index", "value", "op") < 0
      || sp_range (v, path, "index", 0, 5, &index, NULL, err) < 0
      || sp_u64 (v, path, "value", &a->value, NULL, err) < 0
      || sp_u64 (v, path, "valueTwo", &a->value_two, NULL, err) < 0
      || sp_enum (v, path, "op", operators, NULL, &op, err) < 0)
    return -1;
  a->index = (uint32_t) index;
  a->op = (enum sk_seccomp_op) op;
  return 0;
}

static int
parse_syscall (const sk_json *v, const char *key, const char *path, void *out,
               sk_error_t *err)
{
  struct sk_syscall *s = out;
  char p[SP_PATH_LEN];
  if (SP_REQUIRE (v, path, err, "names", "action") < 0
      || sp_strv (v, path, "names", NULL, &s->names, err) < 0
      || sp_enum (v, path, "action", actions, &s->action, NULL, err) < 0
      /* libseccomp keeps 16 bits of it and refuses 4095 and up (the
       * kernel's MAX_ERRNO): say so here, naming the field.  */
      || sp_u32_in (v, path, "errnoRet", 0, 4094, &s->errno_ret, &s->has_errno_ret, err) < 0
      || check_errno_ret (s->action, s->has_errno_ret, path, "errnoRet", err) < 0
      || sp_array (v, path, "args", sizeof *s->args, parse_arg, &s->args, &s->n_args, err) < 0)
    return -1;
  if (s->names.n == 0)
    {
      sp_key (p, path, "names");
      return sk_error_set (err, 0, "%s: must contain at least one entry", p);
    }
  return 0;
}

int
sp_seccomp (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_seccomp *s = out;
  char p[SP_PATH_LEN];
  if (SP_REQUIRE (v, path, err, "defaultAction") < 0
      || sp_enum (v, path, "defaultAction", actions, &s->default_action, NULL, err) < 0
      || sp_u32_in (v, path, "defaultErrnoRet", 0, 4094, &s->default_errno_ret,
                    &s->has_default_errno_ret, err) < 0
      || check_errno_ret (s->default_action, s->has_default_errno_ret, path, "defaultErrnoRet",
                          err) < 0
      || sp_strv (v, path, "architectures", arches, &s->architectures, err) < 0
      || sp_strv (v, path, "flags", filter_flags, &s->flags, err) < 0
      || sp_str (v, path, "listenerPath", &s->listener_path, err) < 0
      || sp_str (v, path, "listenerMetadata", &s->listener_metadata, err) < 0
      || sp_array (v, path, "syscalls", sizeof *s->syscalls, parse_syscall, &s->syscalls,
                   &s->n_syscalls, err) < 0)
    return -1;
  /* "listenerMetadata MUST NOT be set if listenerPath is not set."  */
  if (s->listener_metadata && s->listener_path == NULL)
    {
      sp_key (p, path, "listenerMetadata");
      return sk_error_set (err, 0, "%s: set without `listenerPath`", p);
    }
  return 0;
}
