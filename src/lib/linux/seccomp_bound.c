/* An early bound on the size of a seccomp profile, before libseccomp
 * sees it.
 *
 * Why: the kernel takes at most BPF_MAXINSNS (4096) instructions per
 * filter, but libseccomp only finds out at export time, after building
 * and optimizing the whole rule tree: a profile of 20,000 argument rules
 * burned 72 s of CPU before failing with E2BIG.  Each (syscall name,
 * rule) pair needs at least one instruction on the native architecture
 * (its syscall-number jump), and each argument comparison at least one
 * more, so a profile whose count exceeds the limit can never load; it is
 * refused here in microseconds with the numbers.  (A profile that only
 * fits because it repeats the same rule verbatim is refused as well: the
 * count does not deduplicate, and no real profile needs it to.)  */
#include <config.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <skiff/spec.h>
#include "linux/seccomp_int.h"

int
sk_seccomp_check_size (const struct sk_seccomp *s, sk_error_t *err)
{
  uint64_t work = 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct sk_syscall *sc = &s->syscalls[i];
      work += (uint64_t) sc->names.n * (1 + (uint64_t) sc->n_args);
      if (work > BPF_MAXINSNS)
        return sk_error_set (err, 0, "config.json: linux.seccomp.syscalls: profile too large: "
                             "by syscalls[%zu] it needs more than the kernel's %d BPF "
                             "instructions (one per syscall name and per argument "
                             "comparison)", i, BPF_MAXINSNS);
    }
  return 0;
}
