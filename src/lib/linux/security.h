/* Security helpers beyond the linux.h contract (security work stream):
 * the child's last steps before execve, LSM labels, verified procfs
 * writes, and the protection of the skiff binary (CVE-2019-5736).  */
#ifndef SKIFF_LINUX_SECURITY_H
#define SKIFF_LINUX_SECURITY_H

#include <stdbool.h>
#include <skiff/error.h>
#include <skiff/spec.h>
#include "linux/linux.h"

/* ---- parent side (before clone) -------------------------------------- */
/* Checks without side effects but warnings: capability names that cannot
 * be mapped or granted are warned about (config.md: MUST warn, SHOULD NOT
 * fail); an AppArmor profile or SELinux label on a host without that LSM
 * is an error.  */
int sk_security_validate (const struct sk_spec *spec, sk_error_t *err);
/* userns: the process will be in a user namespace (new or joined), where
 * it holds every capability whatever this runtime holds.  */
void sk_caps_check (const struct sk_process *p, bool userns);

/* sk_exe_protect (CVE-2019-5736) is in skiff/container.h.  */
/* True when /proc/self/exe is a sealed memfd.  */
bool sk_exe_is_sealed (void);

/* ---- child side ------------------------------------------------------ */
/* Before READY: when the filter uses SCMP_ACT_NOTIFY, load it now and send
 * the listener fd to the parent (SK_SYNC_SECCOMP_FD / SECCOMP_DONE).  */
int sk_seccomp_notify_handoff (struct sk_init_ctx *ctx, sk_error_t *err);
/* After the startContainer hooks, right before execve: LSM exec labels,
 * capabilities and user, seccomp (before the capability drop when it
 * could not be loaded after it), every fd above the preserved ones
 * CLOEXEC.  */
int sk_security_finalize (struct sk_init_ctx *ctx, sk_error_t *err);

/* ---- LSM ------------------------------------------------------------- */
bool sk_apparmor_enabled (void);
bool sk_selinux_enabled (void);
/* An error naming PROFILE when AppArmor's profile list does not have it
 * (0 when it does, or when the list cannot be read).  */
int sk_apparmor_check_loaded (const char *profile, sk_error_t *err);
/* Child: write the exec labels of process.apparmorProfile and
 * process.selinuxLabel (no-op when unset).  */
int sk_lsm_apply (const struct sk_process *p, sk_error_t *err);
/* linux.mountLabel as a mount option: `context="LABEL"` (malloc'd), NULL
 * when no label (validation has refused a label without SELinux).  */
char *sk_selinux_mount_option (const char *mount_label);

/* Open a procfs file (REL relative to the procfs root, "self/..." is
 * rewritten to this pid; e.g. "self/attr/exec", "sys/kernel/hostname") for
 * writing in a way a container cannot redirect (CVE-2025-52881): from a
 * /proc checked to be the root of a procfs, with openat2 refusing to
 * cross any mount (an overmount such as core_pattern bound on attr/exec)
 * or follow any symlink, and the result checked to be on procfs.  */
int sk_procfs_open (const char *rel, int flags, sk_error_t *err);

/* ---- caps.c helpers ---------------------------------------------------- */
int sk_caps_last_cap (void);
/* Whether the resolved effective set of p holds cap.  */
bool sk_caps_keeps (const struct sk_process *p, int cap);
/* Capability names libcap knows up to the kernel's last (NULL-terminated,
 * free with sk_strv_freep).  */
char **sk_caps_known_names (void);

/* ---- seccomp ----------------------------------------------------------- */
char *sk_seccomp_process_state (const struct sk_seccomp *s, const char *state_json,
                                sk_error_t *err);

#endif
