#include "client/validator_key.h"

#include <set>

namespace pkm::client {
namespace {

std::string describe_key(int index, const std::string& public_key) {
  return "key " + std::to_string(index) + " (public key " +
         to_hex(ByteView(public_key)) + ")";
}

Error refuse(ErrorCode code, std::string message) {
  return Error{code, "refusing the allocate reply: " + std::move(message)};
}

}  // namespace

std::string ValidatorKey::public_key_hex() const {
  return to_hex(ByteView(public_key.data(), public_key.size()));
}

void wipe_private_keys(wire::AllocateReply& reply) {
  for (auto& key : *reply.mutable_keys()) {
    std::string* secret = key.mutable_private_key();
    secure_wipe(secret->data(), secret->size());
    secret->clear();
  }
}

Result<std::vector<ValidatorKey>> take_validator_keys(
    wire::AllocateReply& reply, std::string_view pod_name,
    uint32_t number_of_keys) {
  struct WipeOnExit {
    wire::AllocateReply& reply;
    ~WipeOnExit() { wipe_private_keys(reply); }
  } wipe_on_exit{reply};

  if (reply.pod_name() != pod_name) {
    return refuse(ErrorCode::kInternal,
                  "it is for pod \"" + reply.pod_name() +
                      "\", but the request was for pod \"" +
                      std::string(pod_name) + "\"");
  }
  if (static_cast<uint64_t>(reply.keys_size()) < number_of_keys) {
    return refuse(ErrorCode::kInternal,
                  "it holds " + std::to_string(reply.keys_size()) +
                      " keys, but " + std::to_string(number_of_keys) +
                      " were requested");
  }

  std::vector<ValidatorKey> keys;
  keys.reserve(reply.keys_size());
  std::set<std::string> seen;
  for (int i = 0; i < reply.keys_size(); ++i) {
    const wire::AllocatedKey& served = reply.keys(i);
    if (!seen.insert(served.public_key()).second) {
      return refuse(ErrorCode::kInternal, describe_key(i, served.public_key()) +
                                              " appears more than once");
    }
    if (served.public_key().size() != crypto::PublicKey::kSize) {
      return refuse(ErrorCode::kInternal,
                    "key " + std::to_string(i) + " has a public key of " +
                        std::to_string(served.public_key().size()) +
                        " bytes; allowed: 48");
    }

    auto secret_key =
        crypto::SecretKey::from_bytes(ByteView(served.private_key()));
    if (!secret_key.ok()) {
      return refuse(ErrorCode::kDataLoss,
                    describe_key(i, served.public_key()) +
                        " has a private key that is not a BLS12-381 secret "
                        "key (32 bytes, 0 < key < r)");
    }

    // SkToPk(private_key) must be the public key the server says it is: a
    // validator signing with one key under the other's name is useless at
    // best, and the deposit was made for the public key.
    std::array<uint8_t, crypto::PublicKey::kSize> derived =
        secret_key->public_key().to_bytes();
    if (!constant_time_equal(ByteView(derived.data(), derived.size()),
                             ByteView(served.public_key()))) {
      return refuse(ErrorCode::kDataLoss,
                    describe_key(i, served.public_key()) +
                        " does not belong to its private key: SkToPk gives "
                        "a different public key");
    }

    ValidatorKey key{
        derived, std::move(*secret_key),
        Bytes(served.withdrawal_credentials().begin(),
              served.withdrawal_credentials().end()),
        Bytes(served.deposit_tx().begin(), served.deposit_tx().end()),
        std::nullopt};
    if (served.has_slashing_protection()) {
      key.slashing_protection = served.slashing_protection();
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace pkm::client
