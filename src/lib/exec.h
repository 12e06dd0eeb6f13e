/* skiff exec: run one more process in a live container.
 *
 * Three processes take part (the double fork is what lets the new process
 * enter the container's pid namespace and still be our child):
 *
 *   skiff exec (P)                 stage 1 (C1)               process (C2)
 *   --------------                 ------------               ------------
 *   opens /proc/<init>/ns/..., its
 *   root, the cgroup dir; compiles
 *   seccomp; clone3 INTO_CGROUP -> reset signals, non-dumpable,
 *                                  (cgroup.procs fallback),
 *                                  setns user first .. mnt last,
 *                                  chroot to init's root,
 *                                  clone (CLONE_PARENT)  ->   waits for PID_ACK
 *           <-- PID (C2's pid) --  exit
 *   records C2, reaps C1
 *           -- PID_ACK ------------------------------------>  setsid, pty, rlimits,
 *                                                             labels, cwd, executable
 *                                                             found, user + caps,
 *                                                             seccomp
 *   [listenerPath]   <-- SECCOMP_FD --                        (filter uses notify)
 *                    -- SECCOMP_DONE -->
 *                    <-- READY (pty master when P relays) --
 *   EOF on the sync socket: execve                            fds CLOEXEC, execve
 *   succeeded (the socket is CLOEXEC); an ERROR frame instead carries the
 *   failure.  Then: pid file; --detach returns, the foreground relays
 *   signals (and the pty) and returns the exit status.
 *
 * C1 and C2 share the child end of the socket, and C2 exists before C1
 * sends PID: without the PID_ACK wait, C2's first frame (READY, SECCOMP_FD
 * or ERROR) could reach P before PID, and P would fail the exec while C2
 * runs on, unknown to the caller.  The frames are sync.h's; ERROR may come
 * at any point (C2 sends none before PID_ACK, so PID always comes first).  */
#ifndef SKIFF_EXEC_H
#define SKIFF_EXEC_H

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>
#include <skiff/error.h>
#include <skiff/spec.h>

struct sk_seccomp_prog;

struct sk_exec_ctx
{
  const struct sk_process *process;  /* the final process */
  pid_t init_pid;
  int ns_fds[SK_NS__COUNT];   /* the init's namespaces that differ from ours, else -1 */
  int root_fd;                /* O_PATH /proc/<init>/root */
  int cgroup_fd;              /* target cgroup directory, -1 for none */
  bool in_cgroup;             /* clone3 CLONE_INTO_CGROUP already placed C1 */
  int join_fds[16];           /* cgroups stage 1 joins itself (one per v1
                               * hierarchy; v2: cgroup_fd's dup) unless
                               * in_cgroup; -1 unused */
  size_t n_join;
  int sync_fd;                /* child end of the sync pair */
  int parent_sock;            /* P's end: stage 1 closes its copy */
  int console_fd;             /* connected --console-socket, -1 */
  bool tty_to_parent;         /* terminal without console socket: P relays */
  int preserve_fds;
  struct sk_seccomp_prog *seccomp;
  sigset_t saved_mask;        /* P's mask before it blocked the forwarded signals */
};

/* exec_child.c: stage 1, entered in C1 right after the clone; never returns.  */
void sk_exec_stage1 (struct sk_exec_ctx *ctx) __attribute__ ((noreturn));

/* exec_io.c: the signals the foreground exec forwards (blocked in P from
 * before the clone, so none is lost).  */
void sk_exec_forward_set (sigset_t *set);
/* Wait for the process (pidfd), forwarding signals; with a pty master,
 * relay it with our stdio in raw mode.  *exit_code: status or 128+N.  */
int sk_exec_wait (pid_t pid, int pidfd, int master_fd, int *exit_code, sk_error_t *err);

#endif
