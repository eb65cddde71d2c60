// The pkm side of the EIP-2335 keystore interop tests with
// @chainsafe/bls-keystore (see keystore.cmake):
//
//   pkm_keystore_interop write DIR   writes keystores with pkm and, in
//                                    DIR/expected.json, what each must
//                                    decrypt to (checked by keystore_check.mjs)
//   pkm_keystore_interop check DIR   decrypts the keystores listed in
//                                    DIR/expected.json (written by
//                                    keystore_make.mjs) and compares
//
// expected.json: {"keystores": [{"file", "password", "secret", "pubkey"}]},
// secret and pubkey as 0x-prefixed hex. Exits non-zero, naming the keystore,
// on any mismatch. Test keys only: printing them is fine here.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/bls.h"
#include "crypto/eip2333.h"
#include "crypto/keystore.h"

namespace {

namespace fs = std::filesystem;
namespace keystore = pkm::crypto::keystore;
using nlohmann::json;

struct Case {
  std::string password;
  keystore::Options options;
};

keystore::Options pbkdf2(uint64_t c) {
  keystore::Options options;
  options.kdf = keystore::Kdf::kPbkdf2;
  options.pbkdf2.c = c;
  return options;
}

keystore::Options scrypt(uint64_t n, uint64_t r, uint64_t p) {
  keystore::Options options;
  options.kdf = keystore::Kdf::kScrypt;
  options.scrypt = {n, r, p};
  return options;
}

// Low-cost parameters, odd r and p, Unicode and control characters in
// passwords, an empty password, and one keystore with the default (deposit
// CLI) scrypt cost.
std::vector<Case> cases() {
  return {
      {"interop password 0", pbkdf2(1024)},
      // The EIP-2335 password: mathematical letters that NFKD folds.
      {"\xf0\x9d\x94\xb1\xf0\x9d\x94\xa2\xf0\x9d\x94\xb0\xf0\x9d\x94\xb1"
       "\xf0\x9f\x94\x91",
       scrypt(1024, 8, 1)},
      // "Ünïcödé", a tab, U+FB01 and DEL: NFKD plus control stripping.
      {"\xc3\x9cn\xc3\xaf"
       "c\xc3\xb6"
       "d\xc3\xa9\tpa\xef\xac\x81ss\x7f",
       scrypt(4096, 4, 2)},
      {"", pbkdf2(1)},
      {"composed \xc3\x85 and \xe2\x85\xab", scrypt(2048, 1, 3)},
      {"default scrypt cost", keystore::Options()},
  };
}

std::string secret_hex(const pkm::crypto::SecretKey& key) {
  return pkm::to_hex(key.to_bytes().view());
}

std::string pubkey_hex(const pkm::crypto::SecretKey& key) {
  auto bytes = key.public_key().to_bytes();
  return pkm::to_hex(pkm::ByteView(bytes.data(), bytes.size()));
}

bool write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

int write_keystores(const fs::path& directory) {
  std::error_code error;
  fs::remove_all(directory, error);
  fs::create_directories(directory, error);
  if (error) {
    std::cerr << "cannot create " << directory << ": " << error.message()
              << "\n";
    return 1;
  }

  // Keys from a fixed seed, so that a failure is reproducible.
  pkm::Bytes seed(32);
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);

  json expected = {{"keystores", json::array()}};
  std::vector<Case> all = cases();
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (size_t i = 0; i < all.size(); ++i) {
    Case& test = all[i];
    std::string path = pkm::crypto::signing_key_path(static_cast<uint32_t>(i));
    auto key = pkm::crypto::derive_path(seed, path);
    if (!key.ok()) {
      std::cerr << "derive " << path << ": " << key.error().to_string() << "\n";
      return 1;
    }
    test.options.path = path;
    test.options.description = "pkm interop keystore " + std::to_string(i);

    auto text = keystore::encrypt(*key, test.password, test.options);
    auto name = keystore::file_name(path, now);
    if (!text.ok() || !name.ok()) {
      std::cerr << "encrypt " << path << ": "
                << (text.ok() ? name.error() : text.error()).to_string()
                << "\n";
      return 1;
    }
    if (!write_text(directory / *name, *text)) return 1;
    expected["keystores"].push_back({{"file", *name},
                                     {"password", test.password},
                                     {"secret", secret_hex(*key)},
                                     {"pubkey", pubkey_hex(*key)}});
    std::cout << "wrote " << *name << "\n";
  }
  return write_text(directory / "expected.json", expected.dump(2)) ? 0 : 1;
}

std::string read_text(const fs::path& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  ok = static_cast<bool>(in);
  return buffer.str();
}

int check_keystores(const fs::path& directory) {
  bool ok = false;
  std::string expected_text = read_text(directory / "expected.json", ok);
  json expected = json::parse(expected_text, nullptr, false);
  if (!ok || expected.is_discarded() || !expected.contains("keystores") ||
      expected["keystores"].empty()) {
    std::cerr << "FAIL: no usable " << (directory / "expected.json") << "\n";
    return 1;
  }

  int failures = 0;
  for (const auto& entry : expected["keystores"]) {
    std::string file = entry.value("file", "");
    std::string text = read_text(directory / file, ok);
    if (!ok) {
      std::cerr << "FAIL " << file << ": cannot read\n";
      ++failures;
      continue;
    }

    auto key = keystore::decrypt(text, entry.value("password", ""));
    if (!key.ok()) {
      std::cerr << "FAIL " << file << ": " << key.error().to_string() << "\n";
      ++failures;
      continue;
    }
    std::string secret = secret_hex(*key);
    std::string pubkey = pubkey_hex(*key);
    if (secret != entry.value("secret", "") ||
        pubkey != entry.value("pubkey", "")) {
      std::cerr << "FAIL " << file << ": decrypted " << secret << " (pubkey "
                << pubkey << "), expected " << entry.value("secret", "")
                << " (pubkey " << entry.value("pubkey", "") << ")\n";
      ++failures;
      continue;
    }

    auto wrong = keystore::decrypt(text, entry.value("password", "") + "x");
    if (wrong.ok() || wrong.error().code != pkm::ErrorCode::kPermissionDenied) {
      std::cerr << "FAIL " << file << ": a wrong password was not refused "
                << "with permission_denied\n";
      ++failures;
      continue;
    }
    std::cout << "ok " << file << "\n";
  }

  size_t total = expected["keystores"].size();
  std::cout << (total - failures) << "/" << total << " keystores match\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (mode == "write") return write_keystores(argv[2]);
  if (mode == "check") return check_keystores(argv[2]);
  std::cerr << "usage: " << argv[0] << " write|check DIRECTORY\n";
  return 2;
}
