/* One libFuzzer driver per target: compiled with -DSK_FUZZ_TARGET=name
 * (tests/layers/70-fuzz.sh).  */
#include <config.h>
#include <stddef.h>
#include <stdint.h>
#include "targets.h"

#define CAT(a, b) a##b
#define FN(t) CAT (sk_fuzz_, t)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return FN (SK_FUZZ_TARGET) (data, size);
}
