/* Private to the cgroup manager (cgroup*.c): controller table, small file
 * helpers on a cgroup directory fd, and the pieces the v2 manager's files
 * share.  Nothing outside src/lib/cgroup/ includes this.  */
#ifndef SKIFF_CGROUP_INTERNAL_H
#define SKIFF_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* ---- stats (cgroup_stats.c) ------------------------------------------- */
char *sk_cg_v2_stats_json (struct sk_cgroup *cg, const char *id, sk_error_t *err);

/* ---- devices (cgroup_ebpf.c) ------------------------------------------ */
/* Compile rules (spec order, then the default allowed devices) into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, load it and attach it to the
 * cgroup, replacing the program skiff attached before (BPF_F_REPLACE).  */
int sk_cg_devices_apply (struct sk_cgroup *cg, const struct sk_device_rule *rules,
                         size_t n, sk_error_t *err);
/* Detach the program skiff attached (when the cgroup outlives us).  */
int sk_cg_devices_detach (struct sk_cgroup *cg, sk_error_t *err);

/* The compiler on its own (unit tests): instructions in *insns (malloc'd),
 * count in *n.  */
struct bpf_insn;
int sk_cg_devices_compile (const struct sk_device_rule *rules, size_t n,
                           struct bpf_insn **insns, size_t *n_insns, sk_error_t *err);
/* Load a compiled program; returns its fd.  */
int sk_cg_devices_load (const struct bpf_insn *insns, size_t n, sk_error_t *err);

/* The managers.  */
extern const struct sk_cgroup_ops sk_cgroup_v2_ops;
extern const struct sk_cgroup_ops sk_cgroup_v2_hybrid_ops;

#endif
