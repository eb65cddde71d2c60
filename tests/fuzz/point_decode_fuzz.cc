// Fuzzes compressed G1/G2 decoding: no input may crash, and every input that
// decodes must re-encode to exactly the same bytes (encodings are canonical).
#include <cstdlib>
#include <cstring>

#include "crypto/bls.h"

using pkm::ByteView;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);

  auto g1 = pkm::crypto::g1_decompress(input);
  if (g1.ok()) {
    auto encoded = pkm::crypto::g1_compress(*g1);
    if (size != encoded.size() || std::memcmp(encoded.data(), data, size)) {
      std::abort();
    }
    if (!pkm::crypto::g1_in_subgroup(*g1)) std::abort();
  }

  auto g2 = pkm::crypto::g2_decompress(input);
  if (g2.ok()) {
    auto encoded = pkm::crypto::g2_compress(*g2);
    if (size != encoded.size() || std::memcmp(encoded.data(), data, size)) {
      std::abort();
    }
    if (!pkm::crypto::g2_in_subgroup(*g2)) std::abort();
  }

  auto key = pkm::crypto::PublicKey::from_bytes(input);
  if (key.ok() && key->point().is_identity()) std::abort();
  return 0;
}
