// The keys of an allocate reply, checked before anything is written.
#ifndef PKM_CLIENT_VALIDATOR_KEY_H_
#define PKM_CLIENT_VALIDATOR_KEY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/bls.h"
#include "messages/wire.pb.h"

namespace pkm::client {

// One validator key as served to this pod. The secret key wipes itself.
struct ValidatorKey {
  std::array<uint8_t, crypto::PublicKey::kSize> public_key;
  crypto::SecretKey secret_key;
  Bytes withdrawal_credentials;
  // Empty when the server runs with --deposit-mode none.
  Bytes deposit_tx;
  // EIP-3076 interchange JSON left by an earlier holder of the key.
  std::optional<std::string> slashing_protection;

  // "0x" + 96 lower-case hex digits.
  std::string public_key_hex() const;
};

// Takes the keys out of `reply` and checks them. Refuses the whole reply
// when any check fails: the reply names another pod than `pod_name`, holds
// fewer than `number_of_keys` keys, holds a public key twice, holds a
// private key that is not a BLS secret key, or a public key that is not
// SkToPk of its private key (data_loss: a corrupted or mixed-up key must
// never reach a validator). Other refusals are internal (a server bug).
// Messages name the key by index and public key, never the private key.
// Every private key in `reply` is wiped before this returns, on success and
// on failure.
[[nodiscard]] Result<std::vector<ValidatorKey>> take_validator_keys(
    wire::AllocateReply& reply, std::string_view pod_name,
    uint32_t number_of_keys);

// Overwrites the private keys held in `reply` with zeros.
void wipe_private_keys(wire::AllocateReply& reply);

}  // namespace pkm::client

#endif  // PKM_CLIENT_VALIDATOR_KEY_H_
