// Constants of the Frobenius map p-th power on the tower, and of the psi
// endomorphism of G2, computed once from xi = 1 + u.
#ifndef PKM_CRYPTO_FROBENIUS_CONSTANTS_H_
#define PKM_CRYPTO_FROBENIUS_CONSTANTS_H_

#include "crypto/fp2.h"

namespace pkm::crypto {

struct FrobeniusConstants {
  Fp2 fp6_c1;   // xi^((p - 1) / 3): v^p = fp6_c1 v
  Fp2 fp6_c2;   // xi^(2 (p - 1) / 3)
  Fp2 fp12_c1;  // xi^((p - 1) / 6): w^p = fp12_c1 w
  Fp2 psi_x;    // 1 / xi^((p - 1) / 3): psi scales x by this
  Fp2 psi_y;    // 1 / xi^((p - 1) / 2): psi scales y by this
};

// Computed on first use, thread-safe.
const FrobeniusConstants& frobenius_constants();

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_FROBENIUS_CONSTANTS_H_
