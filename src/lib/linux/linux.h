/* Internal interfaces of the kernel-facing modules (src/lib/linux/).
 *
 * init.c is the ONLY place that knows the order in which the container
 * process calls these; container.c is the only parent-side caller.
 * Every function here follows the error convention of skiff/error.h.  */
#ifndef SKIFF_LINUX_H
#define SKIFF_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

/* Everything the container process needs to know.  Filled by the parent
 * before clone; the child sees its own copy (clone, not exec).  */
struct sk_init_ctx
{
  const struct sk_spec *spec;
  const char *id;
  const char *bundle;         /* absolute, canonical */
  const char *rootfs;         /* absolute, canonical path of root.path */
  const char *state_dir;      /* <root>/<id> */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;           /* fds 3 .. 3+preserve_fds-1 are passed on */
  int listen_fds;             /* the first listen_fds of those: LISTEN_FDS env */
  int console_socket_fd;      /* -1 when none */
  int sync_fd;                /* child end of the SOCK_SEQPACKET pair */
  /* The parent's fds that the child inherits through clone and must close
   * first thing: the state lock (an flock is held by the open file, so a
   * child keeping it would block every later start/delete) and the
   * parent's end of the sync socket (EOF on it is how the child learns
   * that the parent died).  */
  int parent_fds[4];
  int fifo_dirfd;             /* O_PATH fd on the state dir (exec.fifo lives there), -1 for run without fifo */
  int cgroup_fd;              /* O_DIRECTORY fd of the container cgroup, -1 if none */
  bool detached_stdio;        /* run -d / create: stdio is not a terminal we relay */
  struct sk_seccomp_prog *seccomp;   /* compiled in the parent, NULL if none */
  unsigned long new_ns_flags; /* CLONE_NEW* that init still has to unshare */
  bool userns_new;            /* a new user namespace whose maps the parent writes */
  bool send_mount_srcs;       /* with userns_new: the parent sends bind sources as fds
                               * (mount_sources.c); not when rootless */
  bool cgroupns_new;          /* a new cgroup namespace, unshared after PID_ACK */
  bool need_fork;             /* pid/time namespace entered after clone */
  /* filled in by init itself */
  char *state_json;           /* from HOOKS_DONE, for createContainer/startContainer */
  char *exec_path;            /* process.args[0] resolved in the container */
  int fifo_fd;                /* exec.fifo, open for writing once `start` came */
  int *mount_src_fds;         /* per spec->mounts: bind source from the parent, or -1; NULL if none */
  bool dev_readonly;          /* /dev asked `ro`: mounted rw, made ro by sk_rootfs_dev_readonly */
};

/* ---- init.c: the container process ---------------------------------- */
/* Entry point of the cloned child; never returns.  */
void sk_init_child (void *ctx);

/* ---- ns.c: joining and creating namespaces -------------------------- */
int sk_ns_flag (enum sk_ns_type t);                    /* CLONE_NEWPID, ... */
/* Validate every `path` (exists, is an nsfs file of the right type).  */
int sk_ns_validate_paths (const struct sk_spec *spec, sk_error_t *err);
/* Join every namespace that has a path, the user namespace first.  */
int sk_ns_join_paths (const struct sk_spec *spec, sk_error_t *err);

/* ---- userns.c -------------------------------------------------------- */
/* Parent side: write setgroups, uid_map, gid_map for pid.  */
int sk_userns_write_maps (pid_t pid, const struct sk_spec *spec, sk_error_t *err);

/* ---- rootfs.c / mounts.c / devices.c (child, in its mount ns) ------- */
/* Make the mount tree private (or rootfsPropagation), bind the rootfs onto
 * itself, perform config `mounts` in order, create default devices,
 * linux.devices, /dev symlinks, /dev/pts, /dev/ptmx.  Runs before the
 * createContainer hooks.  */
int sk_rootfs_prepare (struct sk_init_ctx *ctx, sk_error_t *err);
/* pivot_root into the rootfs and detach the old root (--no-pivot:
 * MS_MOVE + chroot).  Afterwards cwd is "/".  */
int sk_rootfs_pivot (struct sk_init_ctx *ctx, sk_error_t *err);
int sk_rootfs_chroot (struct sk_init_ctx *ctx, sk_error_t *err);
/* After pivot: maskedPaths, readonlyPaths, root.readonly, final
 * rootfsPropagation.  */
int sk_rootfs_finalize (struct sk_init_ctx *ctx, sk_error_t *err);
/* A /dev mount with `ro` was mounted writable (devices, devpts, ptmx,
 * /dev/console go into it); make it read-only now, after the console.  */
int sk_rootfs_dev_readonly (struct sk_init_ctx *ctx, sk_error_t *err);
/* Idmapped bind mounts (`idmap`/`ridmap`) need CAP_SYS_ADMIN over the
 * source filesystem's user namespace, i.e. the host's: once init is inside
 * a new user namespace it is too late.  Call this in the host user and
 * mount namespace (parent before clone, or init before it unshares): it
 * builds the detached idmapped trees, which sk_rootfs_prepare then attaches
 * (the fds are inherited by the clone).  Without it, sk_rootfs_prepare
 * builds them itself, which works when the container has no user
 * namespace.  sk_mounts_close_idmapped releases them (parent, after clone).  */
int sk_mounts_prepare_idmapped (const struct sk_spec *spec, const char *bundle, sk_error_t *err);
void sk_mounts_close_idmapped (void);
/* mount_sources.c: with a new user namespace, the parent opens the bind
 * sources for init (which may not reach them once mapped) and sends them
 * as MOUNT_FD frames; init receives them into ctx->mount_src_fds.  */
int sk_mount_sources_send (const struct sk_spec *spec, const char *bundle, pid_t pid, int sock,
                           sk_error_t *err);
int sk_mount_sources_receive (struct sk_init_ctx *ctx, sk_error_t *err);
/* Every mount option name skiff understands, NULL-terminated (features).  */
extern const char *const sk_mount_option_names[];

/* ---- tty.c ----------------------------------------------------------- */
/* With process.terminal: allocate a pty in the container's devpts, send the
 * master over the console socket (one SCM_RIGHTS message), bind the slave
 * on /dev/console, make it the controlling tty and stdio.  */
int sk_tty_setup (struct sk_init_ctx *ctx, sk_error_t *err);
/* ---- home.c ---------------------------------------------------------- */
/* env (NULL-terminated) plus HOME from the container's /etc/passwd for uid
 * ("/" if not listed) when env has no HOME.  The strings are shared with
 * env (plus one new), the vector is new; for execve only.  */
char **sk_env_with_home (char *const *env, uid_t uid, sk_error_t *err);

/* chown the pty slave to the process's uid (run, create, exec -t).  */
int sk_tty_give_to_user (int slave, const struct sk_user *u, const char *name, sk_error_t *err);

/* ---- attrs.c: process and host attributes (child side) --------------- */
/* hostname, domainname (need a new uts ns), session keyring, oomScoreAdj,
 * personality, scheduler, ioPriority, memoryPolicy.  Before pivot.
 * (rlimits: sk_rlimits_apply, parent side, at READY.)  */
int sk_attrs_apply (struct sk_init_ctx *ctx, sk_error_t *err);
/* linux.sysctl, through the container's /proc/sys (after pivot).  */
int sk_sysctl_apply (const struct sk_spec *spec, sk_error_t *err);
/* Validation (no side effects), called by validate.c before anything is
 * created: sysctl namespaces, uts for hostname, rlimit names, ...  */
int sk_attrs_validate (const struct sk_spec *spec, sk_error_t *err);
/* "0-3,7" -> bitmap of nbits bits (zeroed first); an empty list is an
 * error (callers decide what empty means).  Format of cpuset.cpus,
 * execCPUAffinity and memoryPolicy.nodes.  */
int sk_parse_cpu_list (const char *list, unsigned long *mask, size_t nbits, sk_error_t *err);
/* process.execCPUAffinity.initial/final for the calling process (exec
 * calls it before and after joining the cgroup).  NULL or "" = leave the
 * affinity alone, as config.md says.  */
int sk_cpu_affinity_apply (const char *cpus, sk_error_t *err);
/* process.rlimits on the container process, from the parent once the
 * child reported READY (its setup is done; prlimit uses the runtime's
 * CAP_SYS_RESOURCE, which a child in a new user namespace lacks).  */
int sk_rlimits_apply (const struct sk_process *p, pid_t pid, sk_error_t *err);

/* ---- netdev.c / intelrdt.c (parent side) ----------------------------- */
int sk_netdev_move (const struct sk_spec *spec, pid_t pid, sk_error_t *err);
/* Child side, inside a network namespace it created: `lo` up.  */
int sk_netdev_loopback_up (const struct sk_spec *spec, sk_error_t *err);
int sk_intelrdt_apply (const struct sk_spec *spec, const char *id, pid_t pid, sk_error_t *err);
int sk_intelrdt_destroy (const struct sk_spec *spec, const char *id, sk_error_t *err);

/* ---- caps.c (child, just before exec) -------------------------------- */
/* setgroups/setgid/setuid with keep-caps, then bounding, effective,
 * permitted, inheritable, ambient; no_new_privileges.  Unknown capability
 * names are warned about through `warn` and skipped (config.md).  */
int sk_caps_apply_user (const struct sk_process *p, sk_error_t *err);

/* ---- seccomp.c ------------------------------------------------------- */
struct sk_seccomp_prog;
/* Parent, before clone: compile linux.seccomp to BPF.  */
struct sk_seccomp_prog *sk_seccomp_compile (const struct sk_seccomp *s, sk_error_t *err);
void sk_seccomp_prog_free (struct sk_seccomp_prog *p);
/* Child: load the filter.  Returns the notify listener fd (>= 0) when the
 * filter uses SCMP_ACT_NOTIFY, else -2; -1 on error.  */
int sk_seccomp_load (struct sk_seccomp_prog *p, sk_error_t *err);
bool sk_seccomp_uses_notify (const struct sk_seccomp_prog *p);
/* Parent: hand the notify fd and the state JSON to listenerPath.  */
int sk_seccomp_send_listener (const struct sk_seccomp *s, int notify_fd,
                              const char *state_json, sk_error_t *err);

/* ---- hooks.c --------------------------------------------------------- */
/* Run hooks in order; each gets state_json on stdin, its env and args,
 * and is killed when its timeout expires.  */
int sk_hooks_run (const struct sk_hook_list *hooks, const char *kind,
                  const char *state_json, sk_error_t *err);
/* Run every hook even when some fail, each failure a warning through
 * sk_log_warn (poststop: runtime.md lifecycle step 13).  */
void sk_hooks_run_warn (const struct sk_hook_list *hooks, const char *kind,
                        const char *state_json);

/* Warnings that do not stop the operation (unknown capability, failed
 * poststop hook) go through sk_log_warn() from skiff/container.h.  */

#endif
