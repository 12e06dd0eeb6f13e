/* Private to the cgroup manager (cgroup*.c): controller table, small file
 * helpers on a cgroup directory fd, and the pieces the v2 manager's files
 * share.  Nothing outside src/lib/cgroup/ includes this.  */
#ifndef SKIFF_CGROUP_INTERNAL_H
#define SKIFF_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cgroup/cgroup.h"

/* Controllers of the unified hierarchy that resources can map to.  */
enum sk_cg_ctrl
{
  SK_CG_CPUSET,
  SK_CG_CPU,
  SK_CG_IO,
  SK_CG_MEMORY,
  SK_CG_HUGETLB,
  SK_CG_PIDS,
  SK_CG_RDMA,
  SK_CG_MISC,
  SK_CG_DMEM,
  SK_CG__COUNT
};

#define SK_CG_BIT(c) (1u << (c))

const char *sk_cg_ctrl_name (enum sk_cg_ctrl c);
/* -1 when the name (len bytes) is not a known controller.  */
int sk_cg_ctrl_from_name (const char *name, size_t len);

/* Parse a cgroup.controllers / cgroup.subtree_control line into a bit
 * mask of known controllers.  */
unsigned sk_cg_parse_controllers (const char *text);
/* Space-separated names of the controllers in mask ("" when none).  */
void sk_cg_format_controllers (unsigned mask, char *buf, size_t len);

/* ---- file helpers on an open cgroup ---------------------------------- */
/* Whole file, NUL-terminated, trailing newline kept.  */
int sk_cg_read (const struct sk_cgroup *cg, const char *name, char **out, sk_error_t *err);
/* Like sk_cg_read but a missing file is not an error: *out = NULL.  */
int sk_cg_read_opt (const struct sk_cgroup *cg, const char *name, char **out, sk_error_t *err);
int sk_cg_write (const struct sk_cgroup *cg, const char *name, const char *value,
                 sk_error_t *err);
bool sk_cg_has_file (const struct sk_cgroup *cg, const char *name);
/* `key value` lines (memory.stat, cgroup.events, cpu.stat): the value of
 * key, or false when absent.  */
bool sk_cg_kv_get (const char *text, const char *key, uint64_t *out);

/* ---- resources (cgroup_v2_resources.c) -------------------------------- */
/* The controllers a resources block needs; config errors (values no v2
 * file can take) are reported here, before anything exists.  */
int sk_cg_resources_controllers (const struct sk_resources *r, unsigned *mask,
                                 sk_error_t *err);
/* Write every resource to the cgroup's files.  update is true for `skiff
 * update` (partial cpu.max updates keep the other half, checkBeforeUpdate).  */
int sk_cg_v2_apply (struct sk_cgroup *cg, const struct sk_resources *r, bool update,
                    sk_error_t *err);

/* Conversions shared with the systemd driver, so a unit property and the
 * file written after it always agree.  */
uint64_t sk_cg_shares_to_weight (uint64_t shares);
uint64_t sk_cg_blkio_to_io_weight (uint64_t w);
/* Spec memory.swap (memory+swap) -> v2 swap alone; *skip: leave unset;
 * *out < 0: max.  */
int sk_cg_swap_to_v2 (int64_t swap, int64_t limit, bool *skip, int64_t *out, sk_error_t *err);
/* The systemd driver's cgroup exists (systemd made it): enable the
 * controllers r needs down the path and write the files.  */
int sk_cg_v2_adopt (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);

/* ---- stats (cgroup_stats.c) ------------------------------------------- */
char *sk_cg_v2_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err);

/* ---- devices (cgroup_ebpf.c) ------------------------------------------ */
/* Compile rules (spec order, then the default allowed devices) into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, load it and attach it to the
 * cgroup, replacing the program skiff attached before (BPF_F_REPLACE).  */
int sk_cg_devices_apply (struct sk_cgroup *cg, const struct sk_device_rule *rules,
                         size_t n, sk_error_t *err);
/* The devices every container may use (config.md), appended after the
 * config's rules by both the eBPF filter and the v1 allow-list.  */
const struct sk_device_rule *sk_cg_devices_defaults (size_t *n);
/* Detach the program skiff attached (when the cgroup outlives us).  */
int sk_cg_devices_detach (struct sk_cgroup *cg, sk_error_t *err);

/* The compiler on its own (unit tests): instructions in *insns (malloc'd),
 * count in *n.  */
struct bpf_insn;
int sk_cg_devices_compile (const struct sk_device_rule *rules, size_t n,
                           struct bpf_insn **insns, size_t *n_insns, sk_error_t *err);
/* Load a compiled program; returns its fd.  */
int sk_cg_devices_load (const struct bpf_insn *insns, size_t n, sk_error_t *err);

/* ---- layout (layout.c) ------------------------------------------------ */
enum sk_cg_layout_kind
{
  SK_CG_LAYOUT_UNIFIED,   /* cgroup2 holds the controllers */
  SK_CG_LAYOUT_HYBRID,    /* v1 controllers + cgroup2 (systemd's "hybrid") */
  SK_CG_LAYOUT_LEGACY,    /* v1 only */
};

struct sk_cg_mount
{
  char *controllers;      /* "cpu,cpuacct", "name=systemd" */
  char *mountpoint;
  char *root;             /* the mount's root within the hierarchy */
};

struct sk_cg_layout
{
  enum sk_cg_layout_kind kind;
  char *unified;          /* cgroup2 mount point, NULL when none */
  struct sk_cg_mount *v1; /* v1 hierarchies in mountinfo order */
  size_t n_v1;
};

/* The host's layout, detected once per process.  */
const struct sk_cg_layout *sk_cg_layout (sk_error_t *err);
/* The parser on its own (unit tests).  */
int sk_cg_layout_parse (const char *mountinfo, bool root_is_cgroup2, struct sk_cg_layout *l,
                        sk_error_t *err);
/* skiff's own cgroup in the hierarchy with these controllers ("" for
 * the unified one), from /proc/self/cgroup.  */
int sk_cg_own_path (const char *controllers, char **out, sk_error_t *err);
/* Comma-separated controller lists.  */
bool sk_cg_controllers_equal (const char *a, const char *b);
bool sk_cg_controllers_has (const char *list, const char *name, size_t len);
/* A recorded cgroup path that stays inside its hierarchy (no `..`).  */
bool sk_cg_path_ok (const char *path);

/* ---- shared by the managers ------------------------------------------- */
/* Hand the resolved places to create's intent hook (cgroup.h), before the
 * first mkdir.  */
int sk_cg_report_intent (const struct sk_cgroup_ops *ops, struct sk_cgroup *const *cgs, size_t n,
                         sk_error_t *err);
struct sk_cgroup *sk_cg_new (const struct sk_cgroup_ops *ops, const char *mountpoint,
                             const char *path);
/* Open one directory of a recorded cgroup (dirfd -1 when it is gone).  */
struct sk_cgroup *sk_cg_open_one (const struct sk_cgroup_ops *ops, const char *mountpoint,
                                  const char *path, bool created, sk_error_t *err);
/* Fill cg->places from cg (v2) or its hierarchies (v1).  */
int sk_cg_set_places (struct sk_cgroup *cg, sk_error_t *err);
/* Every pid of the cgroup and its sub-cgroups (cgroup.procs, v1 or v2).  */
int sk_cg_collect_pids (int dirfd, const char *full, pid_t **pids, size_t *n, size_t *cap,
                        sk_error_t *err);
int sk_cg_v2_freeze (struct sk_cgroup *cg, bool frozen, sk_error_t *err);
int sk_cg_v2_is_frozen (struct sk_cgroup *cg, bool *frozen, sk_error_t *err);
/* v2's answer to joining a pre-existing cgroup that holds processes:
 * a warning, or an error when the no-internal-processes rule forbids it.  */
int sk_cg_v2_pids (struct sk_cgroup *cg, pid_t **pids, size_t *n, sk_error_t *err);
int sk_cg_v2_enable_path (struct sk_cgroup *cg, unsigned need, sk_error_t *err);
int sk_cg_v2_check_join (struct sk_cgroup *cg, sk_error_t *err);

/* ---- v1 (cgroup_v1*.c) ------------------------------------------------ */
/* The v1 controllers (and hybrid unified controllers) a resources block
 * needs, as a comma list in *need (malloc'd); config errors here.  */
int sk_cg_v1_resources_check (const struct sk_resources *r, char **need, sk_error_t *err);
/* Config errors, then every controller the resources need must be
 * mounted: else an error naming it and what the host has.  */
int sk_cg_v1_check_host (const struct sk_resources *r, sk_error_t *err);
struct sk_cgroup *sk_cg_v1_create (const struct sk_cgroup_ops *ops, const struct sk_spec *spec,
                                   const char *id, sk_error_t *err);
/* The systemd driver's unit exists at path: fill top->hier with it in
 * every hierarchy (made where systemd did not), move pid in, apply r.  */
int sk_cg_v1_adopt (struct sk_cgroup *top, const char *path, pid_t pid,
                    const struct sk_resources *r, sk_error_t *err);
struct sk_cgroup *sk_cg_v1_open (const struct sk_cgroup_ops *ops,
                                 const struct sk_cgroup_place *places, size_t n,
                                 sk_error_t *err);
int sk_cg_v1_apply (struct sk_cgroup *cg, const struct sk_resources *r, bool update,
                    sk_error_t *err);
/* The sub-cgroup of the hierarchy with controller name, NULL if none.  */
struct sk_cgroup *sk_cg_v1_hier (struct sk_cgroup *cg, const char *name);
/* Controllers of need that a hybrid host offers only in its unified
 * hierarchy (malloc'd comma list, maybe empty).  */
char *sk_cg_v1_unified_need (const char *need);
/* The per-controller writers (cgroup_v1_apply.c).  */
int sk_cg_v1_apply_cpuset (struct sk_cgroup *cg, const struct sk_cpu *c, sk_error_t *err);
int sk_cg_v1_apply_cpu (struct sk_cgroup *cg, const struct sk_cpu *c, sk_error_t *err);
/* cgroup_v1_devices.c: the allow-list; on update only the difference
 * from devices.list is written (never `deny a` under running processes). */
int sk_cg_v1_apply_devices (struct sk_cgroup *cg, const struct sk_device_rule *rules, size_t n,
                            bool update, sk_error_t *err);
struct sk_cg_devex { char type; int64_t major, minor; unsigned access; };  /* -1 = `*` */
struct sk_cg_devlist { bool allow_all; struct sk_cg_devex *ex; size_t n; };
struct sk_cg_devwrite { bool allow; char line[64]; };
/* The list the kernel holds after `deny a`, rules, then the defaults.  */
int sk_cg_devlist_emulate (const struct sk_device_rule *rules, size_t n,
                           struct sk_cg_devlist *out, sk_error_t *err);
/* devices.list's text; -1 when it cannot be read as such.  */
int sk_cg_devlist_parse (const char *text, struct sk_cg_devlist *out);
bool sk_cg_devlist_equal (const struct sk_cg_devlist *a, const struct sk_cg_devlist *b);
/* Writes taking cur to target, additions first; (size_t) -1 when only a
 * rebuild can (a default-allow list) or more than max are needed.  */
size_t sk_cg_devlist_plan (const struct sk_cg_devlist *cur, const struct sk_cg_devlist *target,
                           struct sk_cg_devwrite *w, size_t max);
void sk_cg_devlist_free (struct sk_cg_devlist *l);
int sk_cg_v1_apply_memory (struct sk_cgroup *cg, const struct sk_memory *m, sk_error_t *err);
int sk_cg_v1_apply_blkio (struct sk_cgroup *cg, const struct sk_block_io *b, sk_error_t *err);
int sk_cg_v1_apply_pids (struct sk_cgroup *cg, int64_t limit, sk_error_t *err);
int sk_cg_v1_apply_misc (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);
char *sk_cg_v1_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err);

/* The managers.  */
extern const struct sk_cgroup_ops sk_cgroup_v2_ops;
extern const struct sk_cgroup_ops sk_cgroup_v2_hybrid_ops;
extern const struct sk_cgroup_ops sk_cgroup_v1_ops;
extern const struct sk_cgroup_ops sk_cgroup_v1_hybrid_ops;

/* rdma.max from r->rdma (v1 and v2 share the format).  */
int sk_cg_write_rdma (struct sk_cgroup *cg, const struct sk_resources *r, sk_error_t *err);

#endif
