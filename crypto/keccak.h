// Keccak-256 as Ethereum uses it: the original Keccak submission with
// padding byte 0x01 and a 136-byte rate. It is NOT FIPS-202 SHA3-256 (which
// pads with 0x06 and gives different digests); the two must never be mixed.
// Backed by Crypto++'s Keccak_256; no Crypto++ type appears in this header.
#ifndef PKM_CRYPTO_KECCAK_H_
#define PKM_CRYPTO_KECCAK_H_

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.h"

namespace pkm::crypto {

// A 32-byte Keccak-256 digest.
using Keccak256Digest = std::array<uint8_t, 32>;

// Returns Keccak-256 of `data`. Thread-safe; never fails.
Keccak256Digest keccak256(ByteView data);

// Hashes a message given in pieces: feeding the pieces to update() in order
// and calling finish() gives the same digest as keccak256() of their
// concatenation. One instance must not be used by two threads at once;
// separate instances are independent. Copying snapshots the state, so a
// common prefix can be hashed once and continued several ways.
class Keccak256Hasher {
 public:
  Keccak256Hasher();
  Keccak256Hasher(const Keccak256Hasher& other);
  Keccak256Hasher& operator=(const Keccak256Hasher& other);
  Keccak256Hasher(Keccak256Hasher&& other) noexcept;
  Keccak256Hasher& operator=(Keccak256Hasher&& other) noexcept;
  ~Keccak256Hasher();

  // Appends `data` to the message. Returns *this so calls can be chained.
  Keccak256Hasher& update(ByteView data);

  // Returns the digest of everything appended since construction or the last
  // finish(), and resets the hasher to the empty message.
  Keccak256Digest finish();

 private:
  struct State;
  State& state();

  // Null only after a move; state() then starts a fresh empty message, so a
  // moved-from hasher behaves like a new one.
  std::unique_ptr<State> state_;
};

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_KECCAK_H_
