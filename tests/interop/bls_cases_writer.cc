// Writes random BLS12-381 keys, messages, public keys and signatures made by
// pkm, for bls_noble_check.mjs to verify with @noble/curves (see bls.cmake).
//
// Usage: pkm_bls_cases_writer OUT.json [COUNT=1000] [SEED]
//
// OUT.json: {"generator", "dst", "seed", "cases": [{"secret_key", "message",
// "public_key", "signature"}]}, hex 0x-prefixed. The secret keys are 1 and
// r - 1 first, then uniform in [1, r - 1]; message lengths 0 and 200 first,
// then uniform in 0..200. The seed is printed so that a failing run can be
// repeated. Test keys only: writing them out is the point.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/bls.h"

namespace {

using pkm::Bytes;
using pkm::ByteView;
using pkm::crypto::SecretKey;

constexpr size_t kMaxMessageLength = 200;

// r - 1, big-endian.
constexpr char kOrderMinusOne[] =
    "0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000";

Bytes random_bytes(std::mt19937_64& random, size_t size) {
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes bytes(size);
  for (uint8_t& value : bytes) value = static_cast<uint8_t>(byte(random));
  return bytes;
}

SecretKey secret_key_for(size_t index, std::mt19937_64& random) {
  if (index == 0) {
    Bytes one(SecretKey::kSize, 0);
    one.back() = 1;
    return SecretKey::from_bytes(one).value();
  }
  if (index == 1) {
    return SecretKey::from_bytes(pkm::from_hex(kOrderMinusOne).value())
        .value();
  }
  // Rejection sampling: from_bytes refuses 0 and values >= r.
  for (;;) {
    auto key = SecretKey::from_bytes(random_bytes(random, SecretKey::kSize));
    if (key.ok()) return *key;
  }
}

Bytes message_for(size_t index, std::mt19937_64& random) {
  if (index == 0) return Bytes();
  if (index == 1) return random_bytes(random, kMaxMessageLength);
  std::uniform_int_distribution<size_t> length(0, kMaxMessageLength);
  return random_bytes(random, length(random));
}

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return pkm::to_hex(ByteView(bytes.data(), N));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: " << argv[0] << " OUT.json [COUNT=1000] [SEED]\n";
    return 2;
  }
  const std::string path = argv[1];
  const long count = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1000;
  if (count < 2) {
    std::cerr << "COUNT must be a number >= 2, got " << argv[2] << "\n";
    return 2;
  }
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10)
                                 : (uint64_t{std::random_device{}()} << 32) |
                                       std::random_device{}();
  std::mt19937_64 random(seed);

  nlohmann::json cases = nlohmann::json::array();
  for (long index = 0; index < count; ++index) {
    SecretKey secret = secret_key_for(index, random);
    Bytes message = message_for(index, random);
    cases.push_back({
        {"secret_key", pkm::to_hex(secret.to_bytes().view())},
        {"message", pkm::to_hex(message)},
        {"public_key", hex_of(secret.public_key().to_bytes())},
        {"signature", hex_of(secret.sign(message).to_bytes())},
    });
  }
  nlohmann::json output = {
      {"generator", "tests/interop/bls_cases_writer.cc"},
      {"dst", pkm::crypto::kBlsDst},
      {"seed", std::to_string(seed)},
      {"cases", cases},
  };

  // Write beside the target, then rename, so that a reader never sees half
  // a file.
  std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::filesystem::create_directories(target.parent_path());
  }
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial);
    out << output.dump(1) << "\n";
    if (!out) {
      std::cerr << "cannot write " << partial << "\n";
      return 1;
    }
  }
  std::filesystem::rename(partial, target);
  std::cout << "bls_cases_writer: wrote " << count << " cases to " << path
            << " (seed " << seed << ")\n";
  return 0;
}
