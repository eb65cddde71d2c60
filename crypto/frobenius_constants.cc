#include "crypto/frobenius_constants.h"

namespace pkm::crypto {
namespace {

// (p - 1) / 6 as little-endian limbs; the other exponents are multiples.
constexpr Fp::Limbs kPMinusOneOver6 = {
    0x49aa7ffffffff1c7, 0x051caaaa72e35555, 0xe688231ad3c82906,
    0xe613e1eb7deb831f, 0x0c849bf3b5e1f223, 0x045582fc5eeaa66f};

FrobeniusConstants compute() {
  Fp2 xi{Fp::one(), Fp::one()};
  Fp2 sixth = xi.pow_vartime(kPMinusOneOver6);  // xi^((p-1)/6)
  Fp2 third = sixth.square();                   // xi^((p-1)/3)
  Fp2 half = third * sixth;                     // xi^((p-1)/2)

  FrobeniusConstants k;
  k.fp12_c1 = sixth;
  k.fp6_c1 = third;
  k.fp6_c2 = third.square();
  k.psi_x = third.inverse();
  k.psi_y = half.inverse();
  return k;
}

}  // namespace

const FrobeniusConstants& frobenius_constants() {
  static const FrobeniusConstants constants = compute();
  return constants;
}

}  // namespace pkm::crypto
