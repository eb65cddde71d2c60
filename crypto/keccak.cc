#include "crypto/keccak.h"

#include <cryptopp/keccak.h>

namespace pkm::crypto {

static_assert(CryptoPP::Keccak_256::DIGESTSIZE == sizeof(Keccak256Digest),
              "Crypto++ Keccak_256 must produce 32-byte digests");

struct Keccak256Hasher::State {
  CryptoPP::Keccak_256 hash;
};

Keccak256Digest keccak256(ByteView data) {
  CryptoPP::Keccak_256 hash;
  hash.Update(data.data, data.size);

  Keccak256Digest digest;
  hash.Final(digest.data());
  return digest;
}

Keccak256Hasher::Keccak256Hasher() : state_(std::make_unique<State>()) {}

Keccak256Hasher::Keccak256Hasher(const Keccak256Hasher& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_)
                          : std::make_unique<State>()) {}

Keccak256Hasher& Keccak256Hasher::operator=(const Keccak256Hasher& other) {
  if (this != &other) *this = Keccak256Hasher(other);
  return *this;
}

Keccak256Hasher::Keccak256Hasher(Keccak256Hasher&& other) noexcept = default;

Keccak256Hasher& Keccak256Hasher::operator=(Keccak256Hasher&& other) noexcept =
    default;

Keccak256Hasher::~Keccak256Hasher() = default;

Keccak256Hasher::State& Keccak256Hasher::state() {
  if (!state_) state_ = std::make_unique<State>();
  return *state_;
}

Keccak256Hasher& Keccak256Hasher::update(ByteView data) {
  state().hash.Update(data.data, data.size);
  return *this;
}

Keccak256Digest Keccak256Hasher::finish() {
  Keccak256Digest digest;
  // Crypto++'s Final() writes the digest and restarts the hash.
  state().hash.Final(digest.data());
  return digest;
}

}  // namespace pkm::crypto
