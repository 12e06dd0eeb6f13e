/* CVE-2019-5736: the container must never reach a writable host skiff
 * binary through /proc/<pid>/exe.
 *
 * skiff clones its container process instead of re-executing itself, so
 * until execve that process's /proc/self/exe IS the host binary.  Two
 * ways in:
 *  1. during setup (create, until `start`), another process in the
 *     container opens /proc/<init>/exe, keeps the fd, and once the binary
 *     is no longer running reopens it for writing through /proc/self/fd;
 *  2. the image replaces the entrypoint with `#!/proc/self/exe`: at our
 *     execve the kernel resolves the magic link in *our* process and runs
 *     the host skiff inside the container, a dumpable process the
 *     container can then open as in 1.
 * Making init non-dumpable (init.c) closes 1 only.  A sealed memfd copy
 * closes both: the running skiff re-executes itself once from an
 * anonymous memfd with F_SEAL_WRITE, so every /proc/<pid>/exe skiff ever
 * exposes is that memfd, which no one can write (EPERM), and which is
 * not the host file.  No privilege is needed, unlike PR_SET_MM_EXE_FILE
 * (CAP_SYS_RESOURCE, absent from the test host's bounding set), and no
 * mount namespace, unlike a read-only bind of the binary.
 *
 * Cost, measured on the test host (150 interleaved runs, minimum/median):
 * `create` of a missing bundle 0.72/1.01 ms without, 1.44/2.03 ms with;
 * a whole `run` 4.3/7.2 ms without, 5.1/8.2 ms with: ~0.7-1 ms per
 * create/run/exec, mostly the second execve and dynamic link (copying
 * only the loadable part of the ELF took the copy from 0.33 to ~0.08 ms).
 * Skipped when the binary sits on a read-only mount, which is as safe.
 *
 * The alternative runc 1.2 uses, a private read-only overlayfs whose
 * lower layer is the binary's directory (fsopen, fsconfig, fsmount, no
 * mount namespace needed; the exe is then a file no one can write
 * through), was measured against this copy on the test host (300
 * iterations each, 600 kB binary, load ~9): memfd + sendfile + seal
 * 0.55-1.8 ms wall and 120-230 us CPU, overlay mount + open 1.9-3.2 ms
 * wall and 105-195 us CPU (the detached mount's teardown waits for an
 * RCU grace period).  No cheaper, slower in wall time, and it needs
 * CAP_SYS_ADMIN where the copy needs nothing: the copy stays.  Both pay
 * the second execve and dynamic link, the larger part; linking
 * libseccomp, libcap and yajl statically and loading libsystemd only for
 * --systemd-cgroup (configure.ac, cgroup/sdbus_load.h) cut that part:
 * 1,134,295 -> 156,634 instructions per start (callgrind).  */
#include <config.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <skiff/container.h>
#include "linux/security.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef MFD_EXEC
# define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
# define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool
sk_exe_is_sealed (void)
{
  int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  int seals = fcntl (fd, F_GET_SEALS);
  close (fd);
  return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

/* A binary on a read-only mount (a read-only /usr, or a read-only bind of
 * the binary) needs no copy: reopening /proc/<pid>/exe for writing goes
 * through that same mount and fails with EROFS.  */
static bool
exe_on_readonly_mount (void)
{
  struct statvfs sv;
  return statvfs ("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* Bytes of the ELF file the kernel and ld.so need: up to the end of the
 * last PT_LOAD segment.  Debug info and section headers come after and
 * are not copied (with -g that is most of the file: 1.2 MB -> 0.3 MB).
 * Anything unexpected: the whole file.  */
static off_t
loadable_size (int fd, off_t size)
{
  Elf64_Ehdr eh;
  if (pread (fd, &eh, sizeof eh, 0) != sizeof eh || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0
      || eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof (Elf64_Phdr)
      || eh.e_phnum == 0 || eh.e_phnum > 128)
    return size;
  Elf64_Phdr ph[128];
  size_t len = eh.e_phnum * sizeof (Elf64_Phdr);
  if (pread (fd, ph, len, eh.e_phoff) != (ssize_t) len)
    return size;
  uint64_t end = eh.e_phoff + len;
  for (int i = 0; i < eh.e_phnum; i++)
    if (ph[i].p_offset + ph[i].p_filesz > end)
      end = ph[i].p_offset + ph[i].p_filesz;
  return end < (uint64_t) size ? (off_t) end : size;
}

static int
sealed_copy (sk_error_t *err)
{
  _cleanup_close_ int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0)
    return sk_error_set (err, errno, "open `/proc/self/exe`");
  struct stat st;
  if (fstat (src, &st) < 0)
    return sk_error_set (err, errno, "stat `/proc/self/exe`");
  /* MFD_EXEC: kernels with vm.memfd_noexec want it said explicitly.  */
  _cleanup_close_ int mfd = memfd_create ("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return sk_error_set (err, errno, "memfd_create");
  off_t left = loadable_size (src, st.st_size);
  while (left > 0)
    {
      ssize_t n = sendfile (mfd, src, NULL, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return sk_error_set (err, n < 0 ? errno : EIO, "copy `/proc/self/exe`");
      left -= n;
    }
  if (fcntl (mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
    return sk_error_set (err, errno, "seal the copy of `/proc/self/exe`");
  return steal_fd (&mfd);
}

/* argv of this process, from /proc/self/cmdline (the library does not
 * see main's argv).  */
static char **
self_argv (sk_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0, n = 0;
  if (sk_read_file ("/proc/self/cmdline", &buf, &len, err) < 0)
    return NULL;
  for (size_t i = 0; i < len; i++)
    n += buf[i] == '\0';
  char **argv = calloc (n + 1, sizeof *argv);
  if (argv == NULL)
    {
      sk_error_set (err, ENOMEM, "argv");
      return NULL;
    }
  size_t k = 0;
  for (size_t i = 0; i < len && k < n; i += strlen (buf + i) + 1)
    argv[k++] = buf + i;
  steal_ptr (&buf);   /* the strings live in buf, owned by argv[0] now */
  return argv;
}

int
sk_exe_protect (sk_error_t *err)
{
  if (sk_exe_is_sealed ())
    {
      /* fexecve named us after the memfd; ps should still say skiff.  */
      prctl (PR_SET_NAME, "skiff", 0, 0, 0);
      return 0;
    }
  if (exe_on_readonly_mount ())
    return 0;
  _cleanup_close_ int mfd = sealed_copy (err);
  if (mfd < 0)
    return sk_error_prefix (err, "protect the skiff binary (CVE-2019-5736)");
  char **argv = self_argv (err);
  if (argv == NULL)
    return -1;
  extern char **environ;
  fexecve (mfd, argv, environ);
  int e = errno;
  free (argv[0]);
  free (argv);
  return sk_error_set (err, e, "protect the skiff binary (CVE-2019-5736): re-execute "
                       "from a sealed copy");
}
