/* The one parent/child protocol.
 *
 * One socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC); every message is
 * one frame: a fixed header plus an optional payload, optionally carrying
 * one fd (SCM_RIGHTS).  Each side says which frame it expects next; a frame
 * of another type is a protocol error, except ERROR, which may come at any
 * point from the child and ends the exchange.
 *
 *   child (container init)                  parent (create / run / exec)
 *   ----------------------                  ----------------------------
 *   [clone3 with CLONE_NEW* and CLONE_INTO_CGROUP, or clone + cgroup.procs]
 *   join ns by path (user first), unshare
 *   the rest
 *   USERNS (new user namespace)     -->     enter the child's mount ns, open
 *                                           every bind source (O_PATH, host
 *                                           creds), come back
 *                                   <--     MOUNT_FD (value = mount index,
 *                                           fd), one per bind mount in
 *                                           config order (mount_sources.c)
 *                                           write setgroups, uid_map, gid_map
 *                                   <--     MAPPED
 *   [pid/time ns by path or unshared: fork once more; the middle process
 *    sends PID(grandchild) and exits.  Before the fork:]
 *                                   <--     PLACED (the parent has put the
 *                                           child in its cgroups: without
 *                                           clone3 into a cgroup, or on v1,
 *                                           a fork before that would stay
 *                                           in the runtime's cgroups)
 *   PID (value = container pid)     -->     record pid (move netDevices,
 *                                           intelRdt, oomScoreAdj)
 *                                   <--     PID_ACK
 *   [new cgroup ns: unshared now, so that its root is the container's own
 *    cgroup in every hierarchy the parent joined it to]
 *   hostname, rlimits, ... mounts,
 *   devices (rootfs prepared)
 *   HOOKS                           -->     prestart + createRuntime hooks
 *                                   <--     HOOKS_DONE (payload: state JSON)
 *   createContainer hooks (container mount ns, before pivot_root)
 *   pivot_root, sysctl, cwd, masked/
 *   readonly paths, console; executable
 *   found (init.c has the exact order)
 *   [SECCOMP_FD (fd) with SCMP_ACT_NOTIFY]  -->  hand fd to listenerPath
 *                                   <--     SECCOMP_DONE
 *   READY                           -->     write pid file + state.json;
 *                                           create exits / run starts
 *   open exec.fifo for writing (blocks until `start` opens it), write one
 *   byte, run startContainer hooks, drop to the user, seccomp, mark fds
 *   CLOEXEC, execve.  exec.fifo is CLOEXEC, so `start` sees EOF once execve
 *   succeeded; if execve fails the child writes the error text into the
 *   fifo instead, which `start` reports.
 *
 *   ERROR (errnum, message)         -->     the parent wraps it once as
 *                                           "container init: ..."
 *
 * exec (exec.h) uses the same frames with two senders on the child end:
 * stage 1 (C1) joins the namespaces and clones the process (C2), then
 * sends PID and exits; C2 exists before that PID frame is written, so it
 * must not send first.  The guarantee, as create's PID_ACK gives it:
 *
 *   C1: PID (value = C2's pid)      -->     record the pid, reap C1
 *   C2: waits                       <--     PID_ACK
 *   C2: [SECCOMP_FD]                -->     listenerPath
 *                                   <--     SECCOMP_DONE
 *   C2: READY (pty master or none)  -->     then EOF = execve succeeded
 *
 * Before PID_ACK, C2 sends nothing, not even ERROR (it has done nothing
 * that can fail); if P dies or fails first, C2 reads EOF and exits, and P
 * kills C2 by the pid it received.
 */
#ifndef SKIFF_SYNC_H
#define SKIFF_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <skiff/error.h>

enum sk_sync_type
{
  SK_SYNC_ERROR = 1,
  SK_SYNC_USERNS,
  SK_SYNC_MAPPED,
  SK_SYNC_PID,
  SK_SYNC_PID_ACK,
  SK_SYNC_HOOKS,
  SK_SYNC_HOOKS_DONE,
  SK_SYNC_SECCOMP_FD,
  SK_SYNC_SECCOMP_DONE,
  SK_SYNC_READY,
  SK_SYNC_MOUNT_FD,
  SK_SYNC_PLACED,
  SK_SYNC__MAX
};

/* Largest payload of one frame (state JSON, error text).  */
#define SK_SYNC_MAX_PAYLOAD (256 * 1024)

struct sk_sync_msg
{
  enum sk_sync_type type;
  int32_t errnum;      /* ERROR */
  int64_t value;       /* PID; MOUNT_FD: index in spec->mounts */
  char *data;          /* NUL-terminated payload or NULL; caller frees */
  size_t len;
  int fd;              /* received fd or -1 */
};

const char *sk_sync_type_name (enum sk_sync_type t);

int sk_sync_pair (int fds[2], sk_error_t *err);
int sk_sync_send (int sock, enum sk_sync_type type, int64_t value,
                  const char *data, int fd, sk_error_t *err);
/* Child side: report an error; never fails (best effort).  */
void sk_sync_send_error (int sock, const sk_error_t e);
/* Receive the next frame, which must be `want`.  An ERROR frame becomes
 * *err ("container init: ...").  EOF is an error too ("container init
 * exited unexpectedly").  */
int sk_sync_expect (int sock, enum sk_sync_type want, struct sk_sync_msg *m,
                    sk_error_t *err);
void sk_sync_msg_clear (struct sk_sync_msg *m);
/* The type of the last frame received by this process, 0 if none: how far
 * a child that died got (see container.c, "exited unexpectedly").  */
enum sk_sync_type sk_sync_last_received (void);

#endif
