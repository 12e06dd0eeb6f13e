/* skiff: config.json as typed C structs (runtime-spec v1.3.0, config.md and
 * config-linux.md).
 *
 * Conventions:
 *  - A string that is absent is NULL.  An absent object is a NULL pointer.
 *  - Arrays are (pointer, n_*) pairs; string arrays are `struct sk_strv`,
 *    whose `v` is also NULL-terminated so it can be handed to execve.
 *  - Optional numbers carry `has_*` flags next to them: the spec gives
 *    absence a meaning distinct from 0 in several places (pids.limit 0 is a
 *    real limit, memory.swap absent is not "0").
 *  - Unknown properties are ignored (config.md: "MUST ignore unknown").  */
#ifndef SKIFF_SPEC_H
#define SKIFF_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/error.h>

struct sk_strv
{
  char **v;   /* NULL-terminated; NULL when n == 0 is fine too */
  size_t n;
};

struct sk_kv
{
  char *key;
  char *value;
};

struct sk_kvs
{
  struct sk_kv *v;
  size_t n;
};

struct sk_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct sk_id_mappings
{
  struct sk_id_mapping *v;
  size_t n;
};

/* ---- process -------------------------------------------------------- */

struct sk_rlimit
{
  char *type;      /* as written, e.g. "RLIMIT_NOFILE" */
  int resource;    /* RLIMIT_* value; the parser rejects unknown names */
  uint64_t soft;
  uint64_t hard;
};

struct sk_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;  /* windows-only in the spec; kept for completeness */
};

struct sk_capabilities
{
  struct sk_strv bounding;
  struct sk_strv effective;
  struct sk_strv inheritable;
  struct sk_strv permitted;
  struct sk_strv ambient;
};

struct sk_scheduler
{
  char *policy;          /* SCHED_OTHER, SCHED_FIFO, ... (validated) */
  bool has_nice;
  int32_t nice;
  bool has_priority;
  int32_t priority;
  struct sk_strv flags;  /* SCHED_FLAG_* */
  uint64_t runtime;
  uint64_t deadline;
  uint64_t period;
};

struct sk_io_priority
{
  char *class;           /* IOPRIO_CLASS_RT | _BE | _IDLE */
  int32_t priority;
};

struct sk_cpu_affinity
{
  char *initial;
  char *final;
};

struct sk_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  char *cwd;                       /* REQUIRED by the spec */
  struct sk_strv env;
  struct sk_strv args;
  char *command_line;              /* windows-only */
  struct sk_user user;
  struct sk_rlimit *rlimits;
  size_t n_rlimits;
  struct sk_capabilities *capabilities;  /* NULL: keep none beyond defaults */
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *selinux_label;
  struct sk_scheduler *scheduler;
  struct sk_io_priority *io_priority;
  struct sk_cpu_affinity *exec_cpu_affinity;
};

/* ---- root, mounts, hooks -------------------------------------------- */

struct sk_root
{
  char *path;
  bool readonly;
};

struct sk_mount
{
  char *destination;
  char *type;                      /* may be NULL (bind mounts) */
  char *source;                    /* may be NULL */
  struct sk_strv options;
  struct sk_id_mappings uid_mappings;   /* idmapped mounts */
  struct sk_id_mappings gid_mappings;
};

struct sk_hook
{
  char *path;
  struct sk_strv args;
  struct sk_strv env;
  bool has_timeout;
  int32_t timeout;                 /* seconds, > 0 */
};

struct sk_hook_list
{
  struct sk_hook *v;
  size_t n;
};

struct sk_hooks
{
  struct sk_hook_list prestart;    /* deprecated, still honoured */
  struct sk_hook_list create_runtime;
  struct sk_hook_list create_container;
  struct sk_hook_list start_container;
  struct sk_hook_list poststart;
  struct sk_hook_list poststop;
};

/* ---- linux ---------------------------------------------------------- */

enum sk_ns_type
{
  SK_NS_PID,
  SK_NS_NETWORK,
  SK_NS_MOUNT,
  SK_NS_IPC,
  SK_NS_UTS,
  SK_NS_USER,
  SK_NS_CGROUP,
  SK_NS_TIME,
  SK_NS__COUNT
};

struct sk_namespace
{
  enum sk_ns_type type;
  char *path;                      /* NULL: create a new one */
};

struct sk_time_offset
{
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct sk_device
{
  char *path;
  char type;                       /* 'c', 'b', 'u' or 'p' */
  int64_t major;                   /* unused for 'p' */
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct sk_device_rule
{
  bool allow;
  char type;                       /* 'a' (default when absent), 'c', 'b' */
  bool has_major;                  /* absent = wildcard */
  int64_t major;
  bool has_minor;
  int64_t minor;
  char *access;                    /* subset of "rwm"; NULL = "rwm" */
};

struct sk_throttle_device
{
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct sk_weight_device
{
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct sk_memory
{
  bool has_limit;        int64_t limit;
  bool has_reservation;  int64_t reservation;
  bool has_swap;         int64_t swap;
  bool has_kernel;       int64_t kernel;
  bool has_kernel_tcp;   int64_t kernel_tcp;
  bool has_swappiness;   uint64_t swappiness;
  bool has_disable_oom_killer;  bool disable_oom_killer;
  bool has_use_hierarchy;       bool use_hierarchy;
  bool has_check_before_update; bool check_before_update;
};

struct sk_cpu
{
  bool has_shares;            uint64_t shares;
  bool has_quota;             int64_t quota;
  bool has_burst;             uint64_t burst;
  bool has_period;            uint64_t period;
  bool has_realtime_runtime;  int64_t realtime_runtime;
  bool has_realtime_period;   uint64_t realtime_period;
  char *cpus;
  char *mems;
  bool has_idle;              int64_t idle;
};

struct sk_block_io
{
  bool has_weight;       uint16_t weight;
  bool has_leaf_weight;  uint16_t leaf_weight;
  struct sk_weight_device *weight_device;            size_t n_weight_device;
  struct sk_throttle_device *throttle_read_bps;      size_t n_throttle_read_bps;
  struct sk_throttle_device *throttle_write_bps;     size_t n_throttle_write_bps;
  struct sk_throttle_device *throttle_read_iops;     size_t n_throttle_read_iops;
  struct sk_throttle_device *throttle_write_iops;    size_t n_throttle_write_iops;
};

struct sk_hugepage_limit
{
  char *page_size;       /* "2MB", "1GB", ... */
  uint64_t limit;
};

struct sk_net_priority
{
  char *name;
  uint32_t priority;
};

struct sk_rdma_limit
{
  char *device;
  bool has_hca_handles;  uint32_t hca_handles;
  bool has_hca_objects;  uint32_t hca_objects;
};

struct sk_resources
{
  struct sk_device_rule *devices;  size_t n_devices;
  struct sk_memory *memory;
  struct sk_cpu *cpu;
  bool has_pids_limit;   int64_t pids_limit;   /* 0 is a valid limit, <0 = max */
  struct sk_block_io *block_io;
  struct sk_hugepage_limit *hugepage_limits;  size_t n_hugepage_limits;
  bool has_net_class_id; uint32_t net_class_id;
  struct sk_net_priority *net_priorities;     size_t n_net_priorities;
  struct sk_rdma_limit *rdma;                 size_t n_rdma;
  struct sk_kvs unified;
};

enum sk_seccomp_op
{
  SK_SECCOMP_OP_NE,
  SK_SECCOMP_OP_LT,
  SK_SECCOMP_OP_LE,
  SK_SECCOMP_OP_EQ,
  SK_SECCOMP_OP_GE,
  SK_SECCOMP_OP_GT,
  SK_SECCOMP_OP_MASKED_EQ
};

struct sk_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  uint64_t value_two;
  enum sk_seccomp_op op;
};

struct sk_syscall
{
  struct sk_strv names;
  char *action;                    /* "SCMP_ACT_*" as written (validated) */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct sk_seccomp_arg *args;
  size_t n_args;
};

struct sk_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  struct sk_strv architectures;    /* "SCMP_ARCH_*" */
  struct sk_strv flags;            /* "SECCOMP_FILTER_FLAG_*" */
  char *listener_path;
  char *listener_metadata;
  struct sk_syscall *syscalls;
  size_t n_syscalls;
};

struct sk_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  struct sk_strv schemata;
  bool enable_monitoring;
};

struct sk_memory_policy
{
  char *mode;                      /* MPOL_* */
  char *nodes;
  struct sk_strv flags;
};

struct sk_personality
{
  char *domain;                    /* LINUX | LINUX32 */
  struct sk_strv flags;
};

struct sk_net_device
{
  char *host_name;                 /* the key */
  char *name;                      /* name inside; NULL = same */
};

struct sk_linux
{
  struct sk_namespace *namespaces;  size_t n_namespaces;
  struct sk_id_mappings uid_mappings;
  struct sk_id_mappings gid_mappings;
  struct sk_time_offset time_monotonic;
  struct sk_time_offset time_boottime;
  struct sk_device *devices;        size_t n_devices;
  struct sk_net_device *net_devices; size_t n_net_devices;
  char *cgroups_path;
  struct sk_resources *resources;
  char *rootfs_propagation;
  struct sk_seccomp *seccomp;
  struct sk_kvs sysctl;
  struct sk_strv masked_paths;
  struct sk_strv readonly_paths;
  char *mount_label;
  struct sk_intel_rdt *intel_rdt;
  struct sk_memory_policy *memory_policy;
  struct sk_personality *personality;
};

/* ---- the whole config ----------------------------------------------- */

struct sk_spec
{
  char *oci_version;
  struct sk_process *process;      /* NULL: create only, start errors */
  struct sk_root *root;
  char *hostname;
  char *domainname;
  struct sk_mount *mounts;         size_t n_mounts;
  struct sk_hooks hooks;
  struct sk_kvs annotations;
  struct sk_linux *linux_;         /* `linux` is a predefined macro in GNU C */
};

/* Parse config.json text.  Errors carry the JSON path:
 *   "config.json: linux.resources.memory.limit: expected integer".  */
struct sk_spec *sk_spec_parse (const char *json, size_t len, sk_error_t *err);
struct sk_spec *sk_spec_load (const char *path, sk_error_t *err);
/* As sk_spec_load, and hand back the exact bytes parsed (malloc'd,
 * NUL-terminated): create keeps them so later edits of the bundle's
 * config.json cannot affect the container (runtime.md lifecycle step 2).  */
struct sk_spec *sk_spec_load_raw (const char *path, char **raw, size_t *raw_len,
                                  sk_error_t *err);
void sk_spec_free (struct sk_spec *spec);

/* Parse a runtime-spec `process` object on its own (exec --process F).  */
struct sk_process *sk_process_parse (const char *json, size_t len, sk_error_t *err);
void sk_process_free (struct sk_process *p);

/* Parse a LinuxResources object on its own (update --resources F).  */
struct sk_resources *sk_resources_parse (const char *json, size_t len, sk_error_t *err);
void sk_resources_free (struct sk_resources *r);

/* The namespace of a given type in spec->linux_, or NULL.  */
const struct sk_namespace *sk_spec_namespace (const struct sk_spec *spec, enum sk_ns_type t);
const char *sk_ns_type_name (enum sk_ns_type t);   /* "pid", "network", ... */

/* The config `skiff spec` writes (rootless: user namespace + mappings).  */
char *sk_spec_default_json (bool rootless, sk_error_t *err);

static inline void
sk_spec_freep (struct sk_spec **s)
{
  if (*s)
    sk_spec_free (*s);
  *s = NULL;
}
#define _cleanup_spec_ __attribute__ ((cleanup (sk_spec_freep)))

#endif
