// The optimal ate pairing e: G1 x G2 -> GT on BLS12-381. Variable time: it
// only ever sees public points.
#ifndef PKM_CRYPTO_PAIRING_H_
#define PKM_CRYPTO_PAIRING_H_

#include <utility>
#include <vector>

#include "crypto/fp12.h"
#include "crypto/g1.h"
#include "crypto/g2.h"

namespace pkm::crypto {

// The product of the Miller loops of every pair (before the final
// exponentiation). Pairs with an identity point contribute 1.
Fp12 miller_loop(const std::vector<std::pair<G1, G2>>& pairs);

// Raises a Miller loop output to 3 (p^12 - 1) / r. The factor 3 (coprime to
// r) keeps the map bilinear and non-degenerate while saving work; values
// are therefore not comparable with other libraries' GT elements, only with
// each other and with 1.
Fp12 final_exponentiation(const Fp12& f);

// e(P, Q).
Fp12 pairing(const G1& p, const G2& q);

// Whether the product of e(P_i, Q_i) is 1, sharing one final
// exponentiation.
bool pairing_product_is_one(const std::vector<std::pair<G1, G2>>& pairs);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_PAIRING_H_
