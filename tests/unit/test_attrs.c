/* Unit tests of the process/host attributes area: validation messages
 * (config.md "Process", "Hostname"; config-linux.md "Sysctl", "Memory
 * policy", "Personality", "Network Devices", "IntelRdt"), the cpu list
 * parser, sysctl writes through a fake /proc/sys, and the resctrl logic
 * against a fake resctrl tree.  No root needed.  */
#include <config.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"

/* ---- fixtures ------------------------------------------------------------- */

static struct sk_namespace nss[SK_NS__COUNT];
static struct sk_kv sysctls[8];
static struct sk_linux lx;
static struct sk_process proc;
static struct sk_spec spec;

static void
reset (void)
{
  memset (nss, 0, sizeof nss);
  memset (sysctls, 0, sizeof sysctls);
  memset (&lx, 0, sizeof lx);
  memset (&proc, 0, sizeof proc);
  memset (&spec, 0, sizeof spec);
  lx.namespaces = nss;
  lx.sysctl.v = sysctls;
  spec.linux_ = &lx;
  spec.process = &proc;
}

static void
add_ns (enum sk_ns_type t, const char *path)
{
  nss[lx.n_namespaces].type = t;
  nss[lx.n_namespaces].path = (char *) path;
  lx.n_namespaces++;
}

static void
add_sysctl (const char *k, const char *v)
{
  sysctls[lx.sysctl.n].key = (char *) k;
  sysctls[lx.sysctl.n].value = (char *) v;
  lx.sysctl.n++;
}

/* The validation message, or NULL when it passes (caller frees).  */
static char *
validate_msg (void)
{
  sk_error_t err = NULL;
  if (sk_attrs_validate (&spec, &err) == 0)
    {
      ck_assert_ptr_null (err);
      return NULL;
    }
  ck_assert_ptr_nonnull (err);
  char *m = strdup (err->msg);
  sk_error_free (&err);
  return m;
}

#define ASSERT_VALID() \
  do { char *m_ = validate_msg (); ck_assert_msg (m_ == NULL, "unexpected: %s", m_); } while (0)
#define ASSERT_INVALID(expected)                                        \
  do {                                                                  \
    char *m_ = validate_msg ();                                         \
    ck_assert_msg (m_ != NULL, "expected error `%s`", expected);        \
    ck_assert_str_eq (m_, expected);                                    \
    free (m_);                                                          \
  } while (0)

static void
setup (void)
{
  reset ();
}

/* ---- cpu lists ------------------------------------------------------------ */

static char *
parse_msg (const char *list, unsigned long *mask, size_t nbits)
{
  sk_error_t err = NULL;
  if (sk_parse_cpu_list (list, mask, nbits, &err) == 0)
    return NULL;
  char *m = strdup (err->msg);
  sk_error_free (&err);
  return m;
}

START_TEST (test_cpu_list)
{
  unsigned long mask[2];
  ck_assert_ptr_null (parse_msg ("0-3,7", mask, 128));
  ck_assert_uint_eq (mask[0], 0x8f);
  ck_assert_uint_eq (mask[1], 0);
  ck_assert_ptr_null (parse_msg ("64,127", mask, 128));
  ck_assert_uint_eq (mask[0], 0);
  ck_assert_uint_eq (mask[1], (1UL << 63) | 1UL);
  ck_assert_ptr_null (parse_msg ("5", mask, 128));
  ck_assert_uint_eq (mask[0], 1UL << 5);

  const char *bad[] = { "", "a", "1,", ",1", "1-", "-1", "1 ,2", "0-3;7", "1--2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char *m = parse_msg (bad[i], mask, 128);
      ck_assert_msg (m != NULL, "`%s` accepted", bad[i]);
      free (m);
    }
  char *m = parse_msg ("3-1", mask, 128);
  ck_assert_str_eq (m, "invalid list `3-1`: range `3-1` is reversed");
  free (m);
  m = parse_msg ("0,128", mask, 128);
  ck_assert_str_eq (m, "invalid list `0,128`: `128` is above the maximum `127`");
  free (m);
}
END_TEST

START_TEST (test_exec_cpu_affinity_validate)
{
  struct sk_cpu_affinity a = { .initial = (char *) "0-1", .final = (char *) "" };
  proc.exec_cpu_affinity = &a;
  ASSERT_VALID ();
  a.final = (char *) "0-x";
  ASSERT_INVALID ("config.json: process.execCPUAffinity.final: invalid list `0-x`: "
                  "expected numbers and ranges like `0-3,7`");
}
END_TEST

/* ---- hostname / domainname (config.md "Hostname") -------------------------- */

START_TEST (test_hostname_needs_uts)
{
  spec.hostname = (char *) "box";
  ASSERT_INVALID ("config.json: hostname: requires a new uts namespace");
  spec.hostname = NULL;
  spec.domainname = (char *) "example.test";
  ASSERT_INVALID ("config.json: domainname: requires a new uts namespace");
  add_ns (SK_NS_UTS, NULL);
  ASSERT_VALID ();
  /* joining the runtime's own uts namespace would rename the host */
  nss[0].path = (char *) "/proc/self/ns/uts";
  ASSERT_INVALID ("config.json: domainname: the joined uts namespace `/proc/self/ns/uts` "
                  "is the host's");
}
END_TEST

/* ---- sysctl (config-linux.md "Sysctl") ------------------------------------- */

START_TEST (test_sysctl_owner)
{
  ck_assert_int_eq (sk_sysctl_owner ("net.ipv4.ip_forward"), SK_NS_NETWORK);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.shmmax"), SK_NS_IPC);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.msgmnb"), SK_NS_IPC);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.sem"), SK_NS_IPC);
  ck_assert_int_eq (sk_sysctl_owner ("fs.mqueue.msg_max"), SK_NS_IPC);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.hostname"), SK_NS_UTS);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.domainname"), SK_NS_UTS);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.hostnamex"), -1);
  ck_assert_int_eq (sk_sysctl_owner ("kernel.panic"), -1);
  ck_assert_int_eq (sk_sysctl_owner ("vm.overcommit_memory"), -1);
  ck_assert_int_eq (sk_sysctl_owner ("fs.file-max"), -1);
}
END_TEST

START_TEST (test_sysctl_validate)
{
  add_sysctl ("net.ipv4.ip_forward", "1");
  ASSERT_INVALID ("config.json: linux.sysctl: `net.ipv4.ip_forward`: requires a new or "
                  "joined network namespace");
  add_ns (SK_NS_NETWORK, NULL);
  ASSERT_VALID ();
  nss[0].path = (char *) "/proc/self/ns/net";
  ASSERT_INVALID ("config.json: linux.sysctl: `net.ipv4.ip_forward`: the joined network "
                  "namespace `/proc/self/ns/net` is the host's");
  nss[0].path = NULL;

  add_sysctl ("kernel.shmmax", "4096");
  ASSERT_INVALID ("config.json: linux.sysctl: `kernel.shmmax`: requires a new or joined "
                  "ipc namespace");
  add_ns (SK_NS_IPC, NULL);
  ASSERT_VALID ();

  add_sysctl ("kernel.panic", "1");
  ASSERT_INVALID ("config.json: linux.sysctl: `kernel.panic`: not namespaced by the kernel "
                  "(setting it would change the host)");
}
END_TEST

START_TEST (test_sysctl_bad_names)
{
  add_ns (SK_NS_NETWORK, NULL);
  const char *bad[] = { "net/ipv4/ip_forward", "net..ipv4", ".net.ipv4", "net.ipv4.",
                        "", "net.ipv4/../../sysrq-trigger" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      lx.sysctl.n = 0;
      add_sysctl (bad[i], "1");
      char expected[256];
      snprintf (expected, sizeof expected,
                "config.json: linux.sysctl: `%s`: invalid sysctl name", bad[i]);
      ASSERT_INVALID (expected);
    }
}
END_TEST

static char tmpdir[64];

static void
make_tmp (void)
{
  strcpy (tmpdir, "/tmp/sk-attrs-XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (tmpdir));
}

static void
rm_tmp (void)
{
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  ck_assert_int_eq (system (cmd), 0);
}

static void
write_file (const char *rel, const char *data)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", tmpdir, rel);
  FILE *f = fopen (p, "w");
  ck_assert_ptr_nonnull (f);
  fputs (data, f);
  fclose (f);
}

static char *
read_tmp (const char *rel)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", tmpdir, rel);
  FILE *f = fopen (p, "r");
  if (f == NULL)
    return NULL;
  char *buf = calloc (1, 4096);
  size_t n = fread (buf, 1, 4095, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

static void
mkdir_tmp (const char *rel)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", tmpdir, rel);
  ck_assert_int_eq (mkdir (p, 0755), 0);
}

static bool
exists_tmp (const char *rel)
{
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s/%s", tmpdir, rel);
  return lstat (p, &st) == 0;
}

static char *
sysctl_apply_msg (void)
{
  sk_error_t err = NULL;
  if (sk_sysctl_apply (&spec, &err) == 0)
    return NULL;
  char *m = strdup (err->msg);
  sk_error_free (&err);
  return m;
}

START_TEST (test_sysctl_apply_fake_tree)
{
  make_tmp ();
  mkdir_tmp ("net");
  mkdir_tmp ("net/ipv4");
  write_file ("net/ipv4/ip_forward", "0");
  write_file ("elsewhere", "untouched");
  sk_sysctl_set_root (tmpdir);

  add_sysctl ("net.ipv4.ip_forward", "1");
  char *m = sysctl_apply_msg ();
  ck_assert_msg (m == NULL, "%s", m);
  char *v = read_tmp ("net/ipv4/ip_forward");
  ck_assert_str_eq (v, "1");
  free (v);

  /* a symlink planted in the tree must not redirect the write
   * (CVE-2025-52881 class) */
  char link[512], target[512];
  snprintf (link, sizeof link, "%s/net/core", tmpdir);
  snprintf (target, sizeof target, "%s", tmpdir);
  ck_assert_int_eq (symlink (target, link), 0);
  lx.sysctl.n = 0;
  add_sysctl ("net.core.elsewhere", "pwned");
  m = sysctl_apply_msg ();
  ck_assert_ptr_nonnull (m);
  ck_assert_str_eq (m, "linux.sysctl: open `/proc/sys/net/core/elsewhere`");
  free (m);
  v = read_tmp ("elsewhere");
  ck_assert_str_eq (v, "untouched");
  free (v);

  lx.sysctl.n = 0;
  add_sysctl ("net.ipv4.nope", "1");
  m = sysctl_apply_msg ();
  ck_assert_str_eq (m, "linux.sysctl: `net.ipv4.nope`: no such kernel parameter "
                    "(/proc/sys/net/ipv4/nope)");
  free (m);
  sk_sysctl_set_root (NULL);
  rm_tmp ();
}
END_TEST

/* ---- rlimits (config.md "POSIX process") --------------------------------- */

START_TEST (test_rlimits_validate)
{
  struct sk_rlimit r[2] = {
    { .type = (char *) "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 2048, .hard = 1024 },
    { .type = (char *) "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 10, .hard = 10 },
  };
  proc.rlimits = r;
  proc.n_rlimits = 1;
  ASSERT_INVALID ("config.json: process.rlimits: `RLIMIT_NOFILE`: soft limit `2048` is above "
                  "the hard limit `1024`");
  r[0].soft = 1024;
  ASSERT_VALID ();
  proc.n_rlimits = 2;
  ASSERT_INVALID ("config.json: process.rlimits: `RLIMIT_NOFILE` is given twice");
}
END_TEST

/* Raising the hard limit without CAP_SYS_RESOURCE: the message names the
 * rlimit, both values and the reason.  */
START_TEST (test_rlimit_above_hard_eperm)
{
  struct rlimit cur;
  ck_assert_int_eq (getrlimit (RLIMIT_NOFILE, &cur), 0);
  if (cur.rlim_max == RLIM_INFINITY)
    return;
  struct rlimit probe = { cur.rlim_cur, cur.rlim_max + 1 };
  if (setrlimit (RLIMIT_NOFILE, &probe) == 0)
    {
      /* CAP_SYS_RESOURCE here: drop back and say nothing can be shown */
      setrlimit (RLIMIT_NOFILE, &cur);
      return;
    }
  struct sk_rlimit r = { .type = (char *) "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE,
                         .soft = cur.rlim_max + 1000, .hard = cur.rlim_max + 1000 };
  proc.rlimits = &r;
  proc.n_rlimits = 1;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_rlimits_apply (&proc, getpid (), &err), -1);
  char want[64], have[64];
  snprintf (want, sizeof want, "`%llu`", (unsigned long long) r.hard);
  snprintf (have, sizeof have, "hard limit `%llu`", (unsigned long long) cur.rlim_max);
  ck_assert_msg (strstr (err->msg, "`RLIMIT_NOFILE`") && strstr (err->msg, want)
                 && strstr (err->msg, have) && strstr (err->msg, "CAP_SYS_RESOURCE"),
                 "message: %s", err->msg);
  ck_assert_int_eq (err->errnum, EPERM);
  sk_error_free (&err);
}
END_TEST

START_TEST (test_rlimits_apply_lower)
{
  struct sk_rlimit r = { .type = (char *) "RLIMIT_CORE", .resource = RLIMIT_CORE,
                         .soft = 0, .hard = 4096 };
  proc.rlimits = &r;
  proc.n_rlimits = 1;
  sk_error_t err = NULL;
  ck_assert_msg (sk_rlimits_apply (&proc, getpid (), &err) == 0, "%s", err ? err->msg : "");
  struct rlimit got;
  ck_assert_int_eq (getrlimit (RLIMIT_CORE, &got), 0);
  ck_assert_uint_eq (got.rlim_cur, 0);
  ck_assert_uint_eq (got.rlim_max, 4096);
}
END_TEST

START_TEST (test_oom_range)
{
  proc.has_oom_score_adj = true;
  proc.oom_score_adj = 1001;
  ASSERT_INVALID ("config.json: process.oomScoreAdj: `1001` is outside -1000..1000");
  proc.oom_score_adj = -1000;
  ASSERT_VALID ();
}
END_TEST

/* ---- scheduler, ioPriority (config.md "Linux Process") ------------------- */

START_TEST (test_scheduler_validate)
{
  struct sk_scheduler s = { .policy = (char *) "SCHED_FIFO" };
  proc.scheduler = &s;
  ASSERT_INVALID ("config.json: process.scheduler.priority: `SCHED_FIFO` needs a priority "
                  "in 1..99, got `0`");
  s.has_priority = true;
  s.priority = 10;
  ASSERT_VALID ();
  s.policy = (char *) "SCHED_OTHER";
  ASSERT_INVALID ("config.json: process.scheduler.priority: only SCHED_FIFO and SCHED_RR "
                  "take a priority (policy `SCHED_OTHER`)");
  s.has_priority = false;
  s.has_nice = true;
  s.nice = 20;
  ASSERT_INVALID ("config.json: process.scheduler.nice: `20` is outside -20..19");
  s.nice = -20;
  ASSERT_VALID ();
  s.policy = (char *) "SCHED_ISO";
  ASSERT_INVALID ("config.json: process.scheduler.policy: `SCHED_ISO` is reserved and not "
                  "implemented by Linux");
  s.policy = (char *) "SCHED_FOO";
  ASSERT_INVALID ("config.json: process.scheduler.policy: unknown policy `SCHED_FOO`");
  s.policy = (char *) "SCHED_BATCH";
  s.runtime = 100;
  ASSERT_INVALID ("config.json: process.scheduler: runtime, deadline and period apply only "
                  "to SCHED_DEADLINE (policy `SCHED_BATCH`)");
  s.policy = (char *) "SCHED_DEADLINE";
  s.deadline = 50;
  ASSERT_INVALID ("config.json: process.scheduler: SCHED_DEADLINE needs 0 < runtime <= "
                  "deadline <= period (period 0 = deadline)");
  s.deadline = 200;
  s.period = 300;
  ASSERT_VALID ();
  char *flags[] = { (char *) "SCHED_FLAG_RESET_ON_FORK", (char *) "SCHED_FLAG_NOPE", NULL };
  s.flags.v = flags;
  s.flags.n = 2;
  ASSERT_INVALID ("config.json: process.scheduler.flags: unknown flag `SCHED_FLAG_NOPE`");
  s.flags.n = 1;
  ASSERT_VALID ();
}
END_TEST

START_TEST (test_ioprio_validate)
{
  struct sk_io_priority io = { .class = (char *) "IOPRIO_CLASS_BE", .priority = 8 };
  proc.io_priority = &io;
  ASSERT_INVALID ("config.json: process.ioPriority.priority: `8` is outside 0..7");
  io.priority = 7;
  ASSERT_VALID ();
  io.class = (char *) "IOPRIO_CLASS_NONE";
  ASSERT_INVALID ("config.json: process.ioPriority.class: unknown class `IOPRIO_CLASS_NONE`");
}
END_TEST

/* ---- personality, memoryPolicy (config-linux.md) -------------------------- */

START_TEST (test_personality)
{
  struct sk_personality p = { .domain = (char *) "LINUX64" };
  lx.personality = &p;
  ASSERT_INVALID ("config.json: linux.personality.domain: unknown domain `LINUX64` "
                  "(expected `LINUX` or `LINUX32`)");
  char *flags[] = { (char *) "ADDR_NO_RANDOMIZE", NULL };
  p.domain = (char *) "LINUX32";
  p.flags.v = flags;
  p.flags.n = 1;
  ASSERT_INVALID ("config.json: linux.personality.flags: `ADDR_NO_RANDOMIZE`: no "
                  "personality flags are supported");
  p.flags.n = 0;
  ASSERT_VALID ();
  /* applied in Check's forked child: personality needs no privilege */
  struct sk_init_ctx ctx = { .spec = &spec, .id = "t", .no_new_keyring = true };
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_attrs_apply (&ctx, &err), 0);
  ck_assert_int_eq (personality (0xffffffff) & PER_MASK, PER_LINUX32);
}
END_TEST

START_TEST (test_mempolicy_validate)
{
  struct sk_memory_policy mp = { .mode = (char *) "MPOL_DEFAULT", .nodes = (char *) "0" };
  lx.memory_policy = &mp;
  ASSERT_INVALID ("config.json: linux.memoryPolicy.nodes: `MPOL_DEFAULT` takes no nodes");
  mp.nodes = (char *) "";
  ASSERT_VALID ();
  mp.mode = (char *) "MPOL_BIND";
  ASSERT_INVALID ("config.json: linux.memoryPolicy.nodes: `MPOL_BIND` needs at least one node");
  mp.nodes = (char *) "0-1,x";
  ASSERT_INVALID ("config.json: linux.memoryPolicy.nodes: invalid list `0-1,x`: expected "
                  "numbers and ranges like `0-3,7`");
  mp.nodes = (char *) "0-1,3";
  ASSERT_VALID ();
  char *flags[] = { (char *) "MPOL_F_STATIC_NODES", (char *) "MPOL_F_RELATIVE_NODES", NULL };
  mp.flags.v = flags;
  mp.flags.n = 2;
  ASSERT_INVALID ("config.json: linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and "
                  "MPOL_F_RELATIVE_NODES exclude each other");
  flags[1] = (char *) "MPOL_F_BOGUS";
  ASSERT_INVALID ("config.json: linux.memoryPolicy.flags: unknown flag `MPOL_F_BOGUS`");
  mp.flags.n = 1;
  ASSERT_VALID ();
  mp.mode = (char *) "MPOL_NOPE";
  ASSERT_INVALID ("config.json: linux.memoryPolicy.mode: unknown mode `MPOL_NOPE`");
}
END_TEST

/* ---- netDevices (config-linux.md "Network Devices") ---------------------- */

START_TEST (test_netdev_validate)
{
  struct sk_net_device d[2] = { { .host_name = (char *) "dummy0", .name = (char *) "eth0" },
                                { .host_name = (char *) "dummy1", .name = (char *) "eth0" } };
  lx.net_devices = d;
  lx.n_net_devices = 1;
  ASSERT_INVALID ("config.json: linux.netDevices: requires a new or joined network namespace");
  add_ns (SK_NS_NETWORK, NULL);
  ASSERT_VALID ();
  lx.n_net_devices = 2;
  ASSERT_INVALID ("config.json: linux.netDevices: two devices would be named `eth0` in the "
                  "container");
  d[0].name = d[1].name = (char *) "eth%d";
  ASSERT_VALID ();
  d[1].name = (char *) "a/b";
  ASSERT_INVALID ("config.json: linux.netDevices.dummy1.name: `a/b`: invalid interface name");
  d[1].name = (char *) "eth%s";
  ASSERT_INVALID ("config.json: linux.netDevices.dummy1.name: `eth%s`: invalid interface name");
  d[1].name = NULL;
  d[1].host_name = (char *) "averyveryverylongname";
  ASSERT_INVALID ("config.json: linux.netDevices: `averyveryverylongname`: invalid interface "
                  "name");
}
END_TEST

/* ---- intelRdt against a fake resctrl tree --------------------------------- */

static char *
rdt_apply_msg (const char *id, pid_t pid)
{
  sk_error_t err = NULL;
  if (sk_intelrdt_apply (&spec, id, pid, &err) == 0)
    return NULL;
  char *m = strdup (err->msg);
  sk_error_free (&err);
  return m;
}

static void
rdt_destroy (const char *id)
{
  sk_error_t err = NULL;
  ck_assert_msg (sk_intelrdt_destroy (&spec, id, &err) == 0, "%s", err ? err->msg : "");
}

START_TEST (test_intelrdt_no_resctrl)
{
  struct sk_intel_rdt r = { .clos_id = (char *) "g" };
  lx.intel_rdt = &r;
  FILE *f = fopen ("/proc/self/mountinfo", "r");
  char line[4096];
  bool mounted = false;
  while (f && fgets (line, sizeof line, f))
    mounted |= strstr (line, " - resctrl ") != NULL;
  if (f)
    fclose (f);
  if (mounted)
    return;   /* this host has resctrl: nothing to show */
  ASSERT_INVALID ("linux.intelRdt: no resctrl filesystem is mounted");
}
END_TEST

START_TEST (test_intelrdt_own_group)
{
  make_tmp ();
  sk_intelrdt_set_root (tmpdir);
  char *sch[] = { (char *) "L2:0=f", NULL };
  struct sk_intel_rdt r = { .l3_cache_schema = (char *) "L3:0=7f0;1=1f",
                            .mem_bw_schema = (char *) "MB:0=20;1=70",
                            .schemata = { sch, 1 }, .enable_monitoring = true };
  lx.intel_rdt = &r;
  ASSERT_VALID ();
  char *m = rdt_apply_msg ("ctr1", 4242);
  ck_assert_msg (m == NULL, "%s", m);
  /* config-linux.md: l3CacheSchema first, memBwSchema next, schemata last */
  char *v = read_tmp ("ctr1/schemata");
  ck_assert_str_eq (v, "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=f\n");
  free (v);
  v = read_tmp ("ctr1/tasks");
  ck_assert_str_eq (v, "4242\n");
  free (v);
  v = read_tmp ("ctr1/mon_groups/ctr1/tasks");
  ck_assert_str_eq (v, "4242\n");
  free (v);
  rdt_destroy ("ctr1");
  ck_assert (!exists_tmp ("ctr1"));
  sk_intelrdt_set_root (NULL);
  rm_tmp ();
}
END_TEST

static void
fake_group (const char *name, const char *schemata)
{
  char p[256];
  mkdir_tmp (name);
  snprintf (p, sizeof p, "%s/schemata", name);
  write_file (p, schemata);
  snprintf (p, sizeof p, "%s/tasks", name);
  write_file (p, "");
  snprintf (p, sizeof p, "%s/mon_groups", name);
  mkdir_tmp (p);
}

START_TEST (test_intelrdt_shared_group)
{
  make_tmp ();
  sk_intelrdt_set_root (tmpdir);
  struct sk_intel_rdt r = { .clos_id = (char *) "guaranteed" };
  lx.intel_rdt = &r;
  /* a pre-configured group must exist */
  char *m = rdt_apply_msg ("ctr1", 1);
  char expected[256];
  snprintf (expected, sizeof expected, "linux.intelRdt.closID: `guaranteed`: no such "
            "pre-configured group in `%s`", tmpdir);
  ck_assert_str_eq (m, expected);
  free (m);
  ck_assert (!exists_tmp ("guaranteed"));
  /* once it exists, the container joins it and leaves it in place */
  fake_group ("guaranteed", "");
  m = rdt_apply_msg ("ctr1", 5);
  ck_assert_msg (m == NULL, "%s", m);
  char *v = read_tmp ("guaranteed/tasks");
  ck_assert_str_eq (v, "5\n");
  free (v);
  rdt_destroy ("ctr1");
  ck_assert (exists_tmp ("guaranteed"));
  sk_intelrdt_set_root (NULL);
  rm_tmp ();
}
END_TEST

START_TEST (test_intelrdt_existing_group)
{
  make_tmp ();
  sk_intelrdt_set_root (tmpdir);
  /* how the kernel prints it: padded names, hex masks without zeros */
  fake_group ("g", "    L3:0=7f0;1=01f\n    MB:0=20;1=70\n");
  struct sk_intel_rdt r = { .clos_id = (char *) "g", .l3_cache_schema = (char *) "L3:1=1f;0=7f0",
                            .mem_bw_schema = (char *) "MB:0=20" };
  lx.intel_rdt = &r;
  char *m = rdt_apply_msg ("ctr1", 77);
  ck_assert_msg (m == NULL, "%s", m);
  char *v = read_tmp ("g/tasks");
  ck_assert_str_eq (v, "77\n");
  free (v);
  /* not rewritten */
  v = read_tmp ("g/schemata");
  ck_assert_str_eq (v, "    L3:0=7f0;1=01f\n    MB:0=20;1=70\n");
  free (v);
  r.mem_bw_schema = (char *) "MB:1=50";
  m = rdt_apply_msg ("ctr1", 77);
  ck_assert_str_eq (m, "linux.intelRdt: the existing CLOS group `g` has a different schema "
                    "than `MB:1=50`");
  free (m);
  /* closID set: the group is never removed */
  rdt_destroy ("ctr1");
  ck_assert (exists_tmp ("g"));
  /* the default group `/` */
  r.clos_id = (char *) "/";
  r.l3_cache_schema = r.mem_bw_schema = NULL;
  write_file ("tasks", "");
  m = rdt_apply_msg ("ctr2", 88);
  ck_assert_msg (m == NULL, "%s", m);
  v = read_tmp ("tasks");
  ck_assert_str_eq (v, "88\n");
  free (v);
  sk_intelrdt_set_root (NULL);
  rm_tmp ();
}
END_TEST

START_TEST (test_intelrdt_validate_fields)
{
  make_tmp ();
  sk_intelrdt_set_root (tmpdir);
  struct sk_intel_rdt r = { .clos_id = (char *) "../x" };
  lx.intel_rdt = &r;
  ASSERT_INVALID ("config.json: linux.intelRdt.closID: `../x`: invalid group name");
  r.clos_id = NULL;
  r.mem_bw_schema = (char *) "L3:0=1";
  ASSERT_INVALID ("config.json: linux.intelRdt.memBwSchema: `L3:0=1`: must start with `MB:`");
  r.mem_bw_schema = (char *) "MB:0=1\nL3:0=1";
  ASSERT_INVALID ("config.json: linux.intelRdt.memBwSchema: must not contain a newline");
  sk_intelrdt_set_root (NULL);
  rm_tmp ();
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("attrs");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_add_test (tc, test_cpu_list);
  tcase_add_test (tc, test_exec_cpu_affinity_validate);
  tcase_add_test (tc, test_hostname_needs_uts);
  tcase_add_test (tc, test_sysctl_owner);
  tcase_add_test (tc, test_sysctl_validate);
  tcase_add_test (tc, test_sysctl_bad_names);
  tcase_add_test (tc, test_sysctl_apply_fake_tree);
  tcase_add_test (tc, test_rlimits_validate);
  tcase_add_test (tc, test_rlimit_above_hard_eperm);
  tcase_add_test (tc, test_rlimits_apply_lower);
  tcase_add_test (tc, test_oom_range);
  tcase_add_test (tc, test_scheduler_validate);
  tcase_add_test (tc, test_ioprio_validate);
  tcase_add_test (tc, test_personality);
  tcase_add_test (tc, test_mempolicy_validate);
  tcase_add_test (tc, test_netdev_validate);
  tcase_add_test (tc, test_intelrdt_no_resctrl);
  tcase_add_test (tc, test_intelrdt_own_group);
  tcase_add_test (tc, test_intelrdt_shared_group);
  tcase_add_test (tc, test_intelrdt_existing_group);
  tcase_add_test (tc, test_intelrdt_validate_fields);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
