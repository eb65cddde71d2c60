#include "crypto/montgomery_field.h"

#if PKM_FP_ASSEMBLY
#include <cpuid.h>
#endif

namespace pkm::crypto {

bool fp_assembly_available() {
#if PKM_FP_ASSEMBLY
  // CPUID leaf 7, sub-leaf 0: EBX bit 8 is BMI2 (mulx), bit 19 is ADX.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ebx >> 8 & 1) && (ebx >> 19 & 1);
#else
  return false;
#endif
}

}  // namespace pkm::crypto

#if !PKM_FP_ASSEMBLY
// Never called: kAssemblyMultiply is false without the assembly file.
extern "C" void pkm_fp_multiply_adx(uint64_t*, const uint64_t*,
                                    const uint64_t*) {
  __builtin_trap();
}
#endif
