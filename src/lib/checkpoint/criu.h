/* Talking to CRIU: its RPC ("criu swrk" over a socketpair, protobuf
 * messages, rpc.proto of criu 3.x) and its availability check.
 *
 * Why the RPC and not the command line: checkpoint/restore of a container
 * needs three things only the RPC offers: the pty master of a restored
 * terminal handed back over the socket ("orphan-pts-master"), the
 * restored tasks placed as our siblings so that `restore` can report the
 * pid and the caller's subreaper adopts them (rst_sibling), and the
 * notifications in the middle of a restore ("setup-namespaces" for the
 * prestart/createRuntime hooks, "post-restore" with the pid, "status-ready"
 * for --lazy-pages --status-fd).  That is also what runc speaks, so a
 * CRIU configured for runc (/etc/criu/runc.conf) behaves the same here.
 *
 * Why not libcriu (Debian's criu package ships criu.h and libcriu.so.2):
 * linking it would make every skiff command fail to start without CRIU
 * installed, and `checkpoint` must instead report CRIU missing as an
 * error.  The few messages used here are small enough to encode by hand
 * (criu.c: a dozen lines of varint/length-delimited writing), so skiff
 * needs neither libcriu nor libprotobuf-c at run time or build time.  */
#ifndef SKIFF_CHECKPOINT_CRIU_H
#define SKIFF_CHECKPOINT_CRIU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <skiff/error.h>

/* criu_req_type */
enum sk_criu_req
{
  SK_CRIU_DUMP = 1,
  SK_CRIU_RESTORE = 2,
  SK_CRIU_PRE_DUMP = 4,
  SK_CRIU_NOTIFY = 6,
  SK_CRIU_FEATURE_CHECK = 9,
  SK_CRIU_VERSION = 10,
};

/* criu_cg_mode */
enum sk_criu_cg_mode
{
  SK_CRIU_CG_IGNORE = 0,
  SK_CRIU_CG_SOFT = 3,
  SK_CRIU_CG_FULL = 4,
  SK_CRIU_CG_STRICT = 5,
  SK_CRIU_CG_DEFAULT = 6,
};

/* One repeated entry: ext_mnt (key, val), cg_root (key = controller,
 * val = path), join_ns (key = ns, val = file), inherit_fd (key, fd),
 * external (key only).  */
struct sk_criu_kv
{
  char *key;
  char *val;
  int fd;
};

struct sk_criu_list
{
  struct sk_criu_kv *v;
  size_t n;
};

/* The criu_opts fields skiff sets.  Zero / NULL / -1 (fds) = not sent.  */
struct sk_criu_opts
{
  int images_dir_fd;
  int work_dir_fd;
  pid_t pid;
  int log_level;
  const char *log_file;
  const char *root;
  const char *parent_img;
  const char *freeze_cgroup;
  const char *config_file;
  const char *lsm_profile;
  const char *lsm_mount_context;
  const char *ps_address;
  int ps_port;
  int manage_cgroups_mode;      /* enum sk_criu_cg_mode, -1: not sent */
  uint32_t empty_ns;
  bool leave_running, ext_unix_sk, tcp_established, evasive_devices, shell_job,
    file_locks, notify_scripts, track_mem, auto_dedup, rst_sibling, lazy_pages,
    orphan_pts_master, manage_cgroups;
  struct sk_criu_list ext_mnt, cg_root, join_ns, inherit_fd, external;
};

void sk_criu_opts_init (struct sk_criu_opts *o);
void sk_criu_opts_clear (struct sk_criu_opts *o);
int sk_criu_list_add (struct sk_criu_list *l, const char *key, const char *val, int fd,
                      sk_error_t *err);

/* A notification from CRIU during a request: script is its name
 * ("post-dump", "setup-namespaces", "post-restore", "orphan-pts-master",
 * "status-ready", ...), pid its pid field, fd a descriptor that came with
 * it (orphan-pts-master) or -1; the callback owns fd.  Returning -1 makes
 * the request fail (CRIU is told the notification failed).  */
typedef int sk_criu_notify_fn (void *data, const char *script, pid_t pid, int fd,
                               sk_error_t *err);

/* A running `criu swrk`.  */
struct sk_criu
{
  pid_t pid;
  int sock;
};

/* Start `criu swrk 3`: the socket is its fd 3, extra_fds[i] its fd 4+i
 * (inherit_fd numbers refer to those); stdio_from_us: CRIU (and so the
 * restored tasks' stdio that are not in the images) gets our fds 0-2,
 * otherwise /dev/null.  */
int sk_criu_start (struct sk_criu *c, const int *extra_fds, size_t n_extra, bool stdio_from_us,
                   sk_error_t *err);
/* Send one request and serve its notifications until the answer.
 * *restored_pid: the pid of a RESTORE answer.  */
int sk_criu_call (struct sk_criu *c, enum sk_criu_req type, const struct sk_criu_opts *o,
                  sk_criu_notify_fn *notify, void *data, pid_t *restored_pid, sk_error_t *err);
/* Close the socket and reap CRIU; kill_it for an aborted request.
 * pre_dump: CRIU exits non-zero after a successful PRE_DUMP, as runc notes.  */
int sk_criu_finish (struct sk_criu *c, bool ok_already, sk_error_t *err);

/* CRIU's version as MAJOR*10000 + MINOR*100 + SUBLEVEL (31701), through
 * the VERSION request.  */
int sk_criu_version (int *version, sk_error_t *err);

/* Is CRIU usable here?  0 with *version set when `criu` is in $PATH and
 * `criu check` passes; -1 with an error naming what is missing: criu not
 * installed, or the first error line `criu check` printed.  */
int sk_criu_usable (char **version, sk_error_t *err);

#endif
