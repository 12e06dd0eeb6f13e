/* linux.resources.devices on cgroup v2: the device allow-list compiled into
 * a BPF_PROG_TYPE_CGROUP_DEVICE program, loaded and attached with raw
 * bpf(2) calls (no libbpf: the program is a few dozen instructions and we
 * emit them ourselves).
 *
 * Semantics (config-linux.md "Allowed Device list": "MUST apply entries in
 * the listed order"): the program starts with no access granted, then walks
 * the rules in order; every rule whose type/major/minor match the device
 * grants (allow) or revokes (deny) its access letters.  The request passes
 * when every access bit it asks for is granted at the end.  This is the
 * cgroup v1 devices.allow/devices.deny sequence ("a *:* rwm" deny resets,
 * later allows add back) expressed per device.  The default allowed
 * devices (below) are appended after the config's rules, as runc does, so a
 * leading deny-all in the config cannot take /dev/null away.
 *
 * Attachment uses BPF_F_ALLOW_MULTI (the parent's programs keep running: a
 * container can only be restricted further) and `update` swaps the program
 * in one step with BPF_F_REPLACE, so there is no window in which the
 * cgroup has no device filter.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <skiff/container.h>
#include "cgroup/cgroup_internal.h"
#include "util/cleanup.h"

#define PROG_NAME "skiff_devices"

/* The default allowed devices: mknod of any node (the rootfs step creates
 * /dev entries from inside the container's cgroup), and the devices
 * config.md requires every container to have (/dev/null, zero, full,
 * random, urandom, tty, console, ptmx) plus the devpts slaves.  */
static const struct sk_device_rule default_rules[] = {
  { true, 'c', false, 0, false, 0, (char *) "m" },
  { true, 'b', false, 0, false, 0, (char *) "m" },
  { true, 'c', true, 1, true, 3, (char *) "rwm" },    /* /dev/null */
  { true, 'c', true, 1, true, 5, (char *) "rwm" },    /* /dev/zero */
  { true, 'c', true, 1, true, 7, (char *) "rwm" },    /* /dev/full */
  { true, 'c', true, 1, true, 8, (char *) "rwm" },    /* /dev/random */
  { true, 'c', true, 1, true, 9, (char *) "rwm" },    /* /dev/urandom */
  { true, 'c', true, 5, true, 0, (char *) "rwm" },    /* /dev/tty */
  { true, 'c', true, 5, true, 1, (char *) "rwm" },    /* /dev/console */
  { true, 'c', true, 5, true, 2, (char *) "rwm" },    /* /dev/ptmx */
  { true, 'c', true, 136, false, 0, (char *) "rwm" }, /* /dev/pts/N */
};

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}

/* Registers: r1 ctx; w2 requested access bits; w3 device type; w4 major;
 * w5 minor; w0 access granted so far.  */
enum { R0, R1, R2, R3, R4, R5 };

struct prog
{
  struct bpf_insn *v;
  size_t n, cap;
};

static int
emit (struct prog *p, struct bpf_insn i)
{
  if (p->n == p->cap)
    {
      size_t cap = p->cap ? p->cap * 2 : 64;
      struct bpf_insn *v = realloc (p->v, cap * sizeof *v);
      if (v == NULL)
        return -1;
      p->v = v;
      p->cap = cap;
    }
  p->v[p->n++] = i;
  return 0;
}

static int
access_bits (const char *access, const char *where, uint32_t *out, sk_error_t *err)
{
  *out = 0;
  if (access == NULL)
    access = "rwm";
  for (const char *c = access; *c; c++)
    switch (*c)
      {
      case 'r': *out |= BPF_DEVCG_ACC_READ; break;
      case 'w': *out |= BPF_DEVCG_ACC_WRITE; break;
      case 'm': *out |= BPF_DEVCG_ACC_MKNOD; break;
      default:
        return sk_error_set (err, 0, "%s.access: invalid access `%s`: expected letters of `rwm`",
                             where, access);
      }
  return 0;
}

/* One rule: up to three guards that skip to the next rule, then the
 * grant or revoke.  Jump offsets count instructions after the jump.  */
static int
emit_rule (struct prog *p, const struct sk_device_rule *r, const char *where, sk_error_t *err)
{
  struct bpf_insn guards[3];
  size_t ng = 0;
  uint32_t acc;

  if (access_bits (r->access, where, &acc, err) < 0)
    return -1;
  if (r->type == 'c' || r->type == 'b')
    guards[ng++] = insn (BPF_JMP32 | BPF_JNE | BPF_K, R3, 0, 0,
                         r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  else if (r->type != 'a' && r->type != 0)
    return sk_error_set (err, 0, "%s.type: invalid device type `%c`: expected a, b or c",
                         where, r->type);
  /* The kernel hands major/minor as u32; JMP32 compares all 32 bits, so
   * a major above INT32_MAX still matches exactly.  */
  if (r->has_major && r->major >= 0)
    {
      if (r->major > UINT32_MAX)
        return sk_error_set (err, 0, "%s.major: `%lld` is out of range", where, (long long) r->major);
      guards[ng++] = insn (BPF_JMP32 | BPF_JNE | BPF_K, R4, 0, 0, (int32_t) (uint32_t) r->major);
    }
  if (r->has_minor && r->minor >= 0)
    {
      if (r->minor > UINT32_MAX)
        return sk_error_set (err, 0, "%s.minor: `%lld` is out of range", where, (long long) r->minor);
      guards[ng++] = insn (BPF_JMP32 | BPF_JNE | BPF_K, R5, 0, 0, (int32_t) (uint32_t) r->minor);
    }
  for (size_t i = 0; i < ng; i++)
    {
      guards[i].off = (int16_t) (ng - i);   /* past the later guards and the action */
      if (emit (p, guards[i]) < 0)
        return sk_error_set (err, ENOMEM, "compile device rules");
    }
  struct bpf_insn action = r->allow ? insn (BPF_ALU | BPF_OR | BPF_K, R0, 0, 0, acc)
                                    : insn (BPF_ALU | BPF_AND | BPF_K, R0, 0, 0, ~acc);
  if (emit (p, action) < 0)
    return sk_error_set (err, ENOMEM, "compile device rules");
  return 0;
}

int
sk_cg_devices_compile (const struct sk_device_rule *rules, size_t n,
                       struct bpf_insn **insns, size_t *n_insns, sk_error_t *err)
{
  struct prog p = { 0 };
  const struct bpf_insn prologue[] = {
    insn (BPF_LDX | BPF_W | BPF_MEM, R2, R1, offsetof (struct bpf_cgroup_dev_ctx, access_type), 0),
    insn (BPF_ALU64 | BPF_MOV | BPF_X, R3, R2, 0, 0),
    insn (BPF_ALU | BPF_AND | BPF_K, R3, 0, 0, 0xffff),
    insn (BPF_ALU | BPF_RSH | BPF_K, R2, 0, 0, 16),
    insn (BPF_LDX | BPF_W | BPF_MEM, R4, R1, offsetof (struct bpf_cgroup_dev_ctx, major), 0),
    insn (BPF_LDX | BPF_W | BPF_MEM, R5, R1, offsetof (struct bpf_cgroup_dev_ctx, minor), 0),
    insn (BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0),
  };
  /* Pass iff (requested & ~granted) == 0.  */
  const struct bpf_insn epilogue[] = {
    insn (BPF_ALU | BPF_XOR | BPF_K, R0, 0, 0, -1),
    insn (BPF_ALU | BPF_AND | BPF_X, R0, R2, 0, 0),
    insn (BPF_JMP32 | BPF_JEQ | BPF_K, R0, 0, 2, 0),
    insn (BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0),
    insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    insn (BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1),
    insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };

  for (size_t i = 0; i < sizeof prologue / sizeof prologue[0]; i++)
    if (emit (&p, prologue[i]) < 0)
      goto nomem;
  for (size_t i = 0; i < n; i++)
    {
      char where[64];
      snprintf (where, sizeof where, "linux.resources.devices[%zu]", i);
      if (emit_rule (&p, &rules[i], where, err) < 0)
        {
          free (p.v);
          return -1;
        }
    }
  for (size_t i = 0; i < sizeof default_rules / sizeof default_rules[0]; i++)
    if (emit_rule (&p, &default_rules[i], "default device rule", err) < 0)
      {
        free (p.v);
        return -1;
      }
  for (size_t i = 0; i < sizeof epilogue / sizeof epilogue[0]; i++)
    if (emit (&p, epilogue[i]) < 0)
      goto nomem;
  *insns = p.v;
  *n_insns = p.n;
  return 0;
nomem:
  free (p.v);
  return sk_error_set (err, ENOMEM, "compile device rules");
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

int
sk_cg_devices_load (const struct bpf_insn *insns, size_t n, sk_error_t *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  memcpy (attr.prog_name, PROG_NAME, sizeof PROG_NAME);
  int fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  int saved = errno;
  if (saved == ENOSYS)
    return sk_error_set (err, saved, "linux.resources.devices: load the device filter: "
                         "the kernel has no bpf(2), which cgroup v2 needs for device rules");
  /* Run it again with the verifier log: the reason is in there.  */
  char *log = calloc (1, 65536);
  if (log)
    {
      attr.log_level = 1;
      attr.log_size = 65536;
      attr.log_buf = (uint64_t) (uintptr_t) log;
      fd = sys_bpf (BPF_PROG_LOAD, &attr);
      if (fd >= 0)
        return fd;
      char *nl = log[0] ? strrchr (log, '\n') : NULL;
      while (nl && nl > log && nl[1] == '\0')
        {
          *nl = '\0';
          nl = strrchr (log, '\n');
        }
      sk_error_set (err, saved, "load the device filter (%zu instructions)%s%s", n,
                    log[0] ? ": verifier: " : "", nl ? nl + 1 : log);
      free (log);
      return -1;
    }
  return sk_error_set (err, saved, "load the device filter (%zu instructions)", n);
}

/* The fd of the program skiff attached to this cgroup (found by name among
 * the programs attached directly to it), -1 when there is none.  */
static int
find_ours (int cgfd, sk_error_t *err)
{
  uint32_t ids[64];
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = sizeof ids / sizeof ids[0];
  if (sys_bpf (BPF_PROG_QUERY, &attr) < 0)
    return sk_error_set (err, errno, "query the device filters of the cgroup");
  for (uint32_t i = 0; i < attr.query.prog_cnt; i++)
    {
      union bpf_attr a;
      memset (&a, 0, sizeof a);
      a.prog_id = ids[i];
      _cleanup_close_ int fd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
      if (fd < 0)
        continue;   /* detached meanwhile */
      struct bpf_prog_info info;
      memset (&info, 0, sizeof info);
      memset (&a, 0, sizeof a);
      a.info.bpf_fd = fd;
      a.info.info_len = sizeof info;
      a.info.info = (uint64_t) (uintptr_t) &info;
      if (sys_bpf (BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
        continue;
      if (strncmp (info.name, PROG_NAME, sizeof info.name) == 0)
        return steal_fd (&fd);
    }
  errno = 0;
  return -1;
}

static int
attach (int cgfd, int prog, int replace, sk_error_t *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (replace >= 0)
    {
      attr.attach_flags |= BPF_F_REPLACE;
      attr.replace_bpf_fd = replace;
    }
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return sk_error_set (err, errno, "attach the device filter to the cgroup");
  return 0;
}

static int
detach (int cgfd, int prog, sk_error_t *err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &attr) < 0)
    return sk_error_set (err, errno, "detach the old device filter");
  return 0;
}

int
sk_cg_devices_apply (struct sk_cgroup *cg, const struct sk_device_rule *rules, size_t n,
                     sk_error_t *err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  size_t n_insns;
  if (sk_cg_devices_compile (rules, n, &insns, &n_insns, err) < 0)
    return -1;
  sk_error_t qerr = NULL;
  _cleanup_close_ int prog = sk_cg_devices_load (insns, n_insns, &qerr);
  if (prog < 0 && qerr->errnum == EPERM && sk_rootless_detect ())
    {
      /* Rootless (rootless.c rule 5, runc's rule too): loading a device
       * program needs CAP_BPF or CAP_SYS_ADMIN in the initial namespace,
       * never ours; the container reaches only host nodes bind-mounted
       * with this user's own access, so there is nothing to filter.  */
      sk_error_free (&qerr);
      return 0;
    }
  if (prog < 0)
    {
      *err = qerr;
      return -1;
    }
  _cleanup_close_ int old = find_ours (cg->dirfd, &qerr);
  if (old < 0 && qerr != NULL)
    {
      *err = qerr;
      return -1;
    }
  if (old < 0)
    return attach (cg->dirfd, prog, -1, err);
  if (attach (cg->dirfd, prog, old, &qerr) == 0)
    return 0;
  /* Kernels before 5.6 lack BPF_F_REPLACE: attach the new filter first and
   * only then detach the old one.  Both run in between and a device must
   * pass both, so the container never gets more than either allows.  */
  if (qerr->errnum != EINVAL)
    {
      *err = qerr;
      return -1;
    }
  sk_error_free (&qerr);
  if (attach (cg->dirfd, prog, -1, err) < 0)
    return -1;
  return detach (cg->dirfd, old, err);
}

int
sk_cg_devices_detach (struct sk_cgroup *cg, sk_error_t *err)
{
  _cleanup_close_ int old = find_ours (cg->dirfd, err);
  if (old < 0)
    return (err && *err) ? -1 : 0;
  return detach (cg->dirfd, old, err);
}

const struct sk_device_rule *
sk_cg_devices_defaults (size_t *n)
{
  *n = sizeof default_rules / sizeof default_rules[0];
  return default_rules;
}
