/* The fuzz targets, shared by the libFuzzer drivers (tests/fuzz/fuzz_*.c,
 * built by tests/layers/70-fuzz.sh) and the unit test that replays every
 * kept crash (tests/unit/test_reliab.c).  Each takes arbitrary bytes and
 * must neither crash nor leak, whatever they are.  */
#ifndef SKIFF_FUZZ_TARGETS_H
#define SKIFF_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int sk_fuzz_config (const uint8_t *data, size_t size);     /* config.json */
int sk_fuzz_process (const uint8_t *data, size_t size);    /* exec --process */
int sk_fuzz_resources (const uint8_t *data, size_t size);  /* update --resources */
int sk_fuzz_state (const uint8_t *data, size_t size);      /* state.json, intent.json */
int sk_fuzz_strings (const uint8_t *data, size_t size);    /* id, signal, mount options */
int sk_fuzz_seccomp (const uint8_t *data, size_t size);    /* linux.seccomp -> BPF */

struct sk_fuzz_target
{
  const char *name;
  int (*fn) (const uint8_t *data, size_t size);
};
extern const struct sk_fuzz_target sk_fuzz_targets[];   /* NULL-terminated */

#endif
