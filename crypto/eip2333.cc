#include "crypto/eip2333.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace pkm::crypto {
namespace {

constexpr std::string_view kKeygenSalt = "BLS-SIG-KEYGEN-SALT-";
// HKDF_mod_r's L: ceil(3 * ceil(log2(r)) / 16).
constexpr size_t kHkdfModROutputSize = 48;
// HKDF_mod_r ends when the reduced value is non-zero, which fails with
// probability about 2^-255 per round. A zero result this many times in a row
// means reduce_wide is broken, and looping forever would hide that.
constexpr int kMaxHkdfModRRounds = 256;
constexpr size_t kMaxPathTextSize = 512;

using Sha256Digest = std::array<uint8_t, SHA256_DIGEST_LENGTH>;

Sha256Digest sha256(ByteView data) {
  Sha256Digest digest;
  SHA256(data.data, data.size, digest.data());
  return digest;
}

Error openssl_failure(std::string_view step) {
  return Error{ErrorCode::kInternal,
               "OpenSSL " + std::string(step) + " failed"};
}

// The HKDF implementation, fetched once; OpenSSL keeps it for the process
// lifetime.
EVP_KDF* hkdf_method() {
  static EVP_KDF* const method = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return method;
}

// RFC 5869 HKDF-SHA256 (extract, then expand) of `out_size` bytes into `out`.
// OpenSSL refuses a null parameter pointer even for zero length, hence the
// placeholder for an empty salt or key.
Status hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, uint8_t* out,
                   size_t out_size) {
  static const uint8_t kEmpty[1] = {0};
  EVP_KDF* method = hkdf_method();
  if (method == nullptr) return openssl_failure("HKDF lookup");
  EVP_KDF_CTX* context = EVP_KDF_CTX_new(method);
  if (context == nullptr) return openssl_failure("HKDF context allocation");

  char digest_name[] = "SHA256";
  OSSL_PARAM params[5];
  size_t count = 0;
  params[count++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[count++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm.empty() ? kEmpty : ikm.data),
      ikm.size);
  params[count++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_SALT,
      const_cast<uint8_t*>(salt.empty() ? kEmpty : salt.data), salt.size);
  if (!info.empty()) {
    params[count++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data), info.size);
  }
  params[count] = OSSL_PARAM_construct_end();

  // The context copies the key and cleanses it when freed.
  int ok = EVP_KDF_derive(context, out, out_size, params);
  EVP_KDF_CTX_free(context);
  if (ok != 1) return openssl_failure("HKDF-SHA256");
  return Status();
}

std::array<uint8_t, 4> i2osp4(uint32_t value) {
  return {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
          static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

// Shows a path component in an error message: short, printable ASCII only.
std::string quote_component(std::string_view component) {
  constexpr size_t kMaxShown = 24;
  std::string shown = "\"";
  for (size_t i = 0; i < component.size() && i < kMaxShown; ++i) {
    char c = component[i];
    shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (component.size() > kMaxShown) shown += "...";
  shown += "\"";
  return shown;
}

// Parses one level of a path; `level` counts from 1 for messages.
Result<uint32_t> parse_level(std::string_view component, size_t level) {
  std::string where = "key path level " + std::to_string(level);
  if (component.empty()) {
    return invalid_argument(where +
                            " is empty; allowed: a decimal index "
                            "from 0 to 4294967295");
  }
  if (component.back() == '\'' || component.back() == 'h' ||
      component.back() == 'H') {
    return invalid_argument(where + " " + quote_component(component) +
                            " carries a hardened marker; EIP-2333 has no "
                            "hardened keys, allowed: a plain decimal index");
  }
  for (char c : component) {
    if (c < '0' || c > '9') {
      return invalid_argument(where + " " + quote_component(component) +
                              " is not a decimal index; allowed: digits "
                              "0-9 only (no sign or spaces)");
    }
  }
  if (component.size() > 1 && component[0] == '0') {
    return invalid_argument(where + " " + quote_component(component) +
                            " has a leading zero; allowed: the index "
                            "written without leading zeros");
  }

  uint64_t value = 0;
  for (char c : component) {
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > UINT32_MAX) {
      return invalid_argument(where + " " + quote_component(component) +
                              " is too large; allowed: 0 to 4294967295");
    }
  }
  return static_cast<uint32_t>(value);
}

}  // namespace

namespace detail {

Result<SecretBytes> ikm_to_lamport_sk(ByteView ikm, uint32_t index) {
  std::array<uint8_t, 4> salt = i2osp4(index);
  SecretBytes lamport(kLamportChunks * kLamportChunkSize);
  Status derived = hkdf_sha256(ByteView(salt.data(), salt.size()), ikm,
                               ByteView(), lamport.data(), lamport.size());
  if (!derived.ok()) return derived.error();
  return lamport;
}

Result<SecretBytes> parent_sk_to_lamport_pk(const SecretKey& parent,
                                            uint32_t index) {
  SecretBytes ikm = parent.to_bytes();
  SecretBytes not_ikm(ikm.size());
  for (size_t i = 0; i < ikm.size(); ++i) {
    not_ikm[i] = static_cast<uint8_t>(~ikm[i]);
  }

  auto lamport_0 = ikm_to_lamport_sk(ikm.view(), index);
  if (!lamport_0.ok()) return lamport_0.error();
  auto lamport_1 = ikm_to_lamport_sk(not_ikm.view(), index);
  if (!lamport_1.ok()) return lamport_1.error();

  // lamport_PK: SHA-256 of every chunk of lamport_0, then of lamport_1.
  SecretBytes lamport_pk(2 * kLamportChunks * SHA256_DIGEST_LENGTH);
  uint8_t* out = lamport_pk.data();
  for (const SecretBytes* half : {&*lamport_0, &*lamport_1}) {
    for (size_t i = 0; i < kLamportChunks; ++i) {
      SHA256(half->data() + i * kLamportChunkSize, kLamportChunkSize, out);
      out += SHA256_DIGEST_LENGTH;
    }
  }

  SecretBytes compressed(SHA256_DIGEST_LENGTH);
  SHA256(lamport_pk.data(), lamport_pk.size(), compressed.data());
  return compressed;
}

Result<SecretKey> hkdf_mod_r(ByteView ikm, ByteView key_info) {
  // IKM || I2OSP(0, 1)
  SecretBytes padded_ikm(ikm.size + 1);
  std::copy(ikm.begin(), ikm.end(), padded_ikm.data());

  // key_info || I2OSP(L, 2)
  Bytes info(key_info.begin(), key_info.end());
  info.push_back(static_cast<uint8_t>(kHkdfModROutputSize >> 8));
  info.push_back(static_cast<uint8_t>(kHkdfModROutputSize & 0xff));

  Sha256Digest salt = sha256(kKeygenSalt);
  SecretBytes okm(kHkdfModROutputSize);
  for (int round = 0; round < kMaxHkdfModRRounds; ++round) {
    if (round > 0) salt = sha256(ByteView(salt.data(), salt.size()));
    Status derived =
        hkdf_sha256(ByteView(salt.data(), salt.size()), padded_ikm.view(), info,
                    okm.data(), okm.size());
    if (!derived.ok()) return derived.error();

    SecretKey key = SecretKey::reduce_wide(okm.view());
    if (!key.is_zero()) return key;
  }
  return Error{ErrorCode::kInternal,
               "HKDF_mod_r reduced to zero " +
                   std::to_string(kMaxHkdfModRRounds) +
                   " times in a row; SecretKey::reduce_wide is broken"};
}

}  // namespace detail

Result<SecretKey> derive_master_sk(ByteView seed) {
  if (seed.size < kMinSeedSize) {
    return invalid_argument("seed is " + std::to_string(seed.size) +
                            " bytes; allowed: at least " +
                            std::to_string(kMinSeedSize) + " bytes");
  }
  return detail::hkdf_mod_r(seed);
}

Result<SecretKey> derive_child_sk(const SecretKey& parent, uint32_t index) {
  auto lamport_pk = detail::parent_sk_to_lamport_pk(parent, index);
  if (!lamport_pk.ok()) return lamport_pk.error();
  return detail::hkdf_mod_r(lamport_pk->view());
}

Result<std::vector<uint32_t>> parse_path(std::string_view path) {
  if (path.empty()) {
    return invalid_argument(
        "key path is empty; allowed: \"m\" followed by \"/<index>\" levels, "
        "e.g. m/12381/3600/0/0/0");
  }
  if (path.size() > kMaxPathTextSize) {
    return invalid_argument("key path is " + std::to_string(path.size()) +
                            " characters long; allowed: at most " +
                            std::to_string(kMaxPathTextSize));
  }
  if (path[0] != 'm' || (path.size() > 1 && path[1] != '/')) {
    return invalid_argument(
        "key path must start with \"m/\" (or be just \"m\"), e.g. "
        "m/12381/3600/0/0/0");
  }

  std::vector<uint32_t> indices;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    size_t slash = rest.find('/');
    std::string_view component = rest.substr(0, slash);
    if (indices.size() == kMaxPathLevels) {
      return invalid_argument(
          "key path has more than " + std::to_string(kMaxPathLevels) +
          " levels; allowed: at most " + std::to_string(kMaxPathLevels));
    }
    auto index = parse_level(component, indices.size() + 1);
    if (!index.ok()) return index.error();
    indices.push_back(*index);
    rest = slash == std::string_view::npos ? std::string_view()
                                           : rest.substr(slash);
  }
  return indices;
}

Result<SecretKey> derive_path(ByteView seed, std::string_view path) {
  auto indices = parse_path(path);
  if (!indices.ok()) return indices.error();

  auto key = derive_master_sk(seed);
  if (!key.ok()) return key.error();
  for (uint32_t index : *indices) {
    auto child = derive_child_sk(*key, index);
    if (!child.ok()) return child.error();
    key = std::move(child);
  }
  return key;
}

std::string signing_key_path(uint32_t validator_index) {
  return "m/12381/3600/" + std::to_string(validator_index) + "/0/0";
}

std::string withdrawal_key_path(uint32_t validator_index) {
  return "m/12381/3600/" + std::to_string(validator_index) + "/0";
}

}  // namespace pkm::crypto
