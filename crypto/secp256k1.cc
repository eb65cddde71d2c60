#include "crypto/secp256k1.h"

#include <cstring>

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#include "crypto/keccak.h"

namespace pkm::crypto {
namespace {

using Scalar = std::array<uint8_t, 32>;

// n, the order of the secp256k1 group, big-endian.
constexpr Scalar kGroupOrder = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,  //
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,  //
    0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

// floor(n / 2): the largest s a low-s signature may have.
constexpr Scalar kHalfGroupOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d,  //
    0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

constexpr size_t kHashSize = 32;
constexpr size_t kPrivateKeyHexDigits = 2 * EcdsaPrivateKey::kSize;

struct SharedContext {
  secp256k1_context* context = nullptr;
  bool randomized = false;
};

// Built once, on first use; C++ guarantees that concurrent first callers
// wait for the one initialization. The context is randomized before any
// caller can see it and only read afterwards, which libsecp256k1 allows from
// many threads at once. It is intentionally never destroyed.
const SharedContext& shared_context() {
  static const SharedContext shared = [] {
    SharedContext result;
    result.context = secp256k1_context_create(SECP256K1_CONTEXT_NONE);

    SecretBytes seed(32);
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) == 1) {
      result.randomized =
          secp256k1_context_randomize(result.context, seed.data()) == 1;
    }
    return result;
  }();
  return shared;
}

const secp256k1_context* context() { return shared_context().context; }

// Operations on secret keys run only on a blinded context.
Status require_randomized_context() {
  if (shared_context().randomized) return Status();
  return Error{ErrorCode::kUnavailable,
               "the secp256k1 context could not be randomized because the "
               "random number generator failed at first use; secret-key "
               "operations stay disabled until the process restarts"};
}

Error internal_error(const char* message) {
  return Error{ErrorCode::kInternal, message};
}

bool is_all_zero(const uint8_t* data, size_t size) {
  // Accumulate without branching on the (possibly secret) bytes.
  uint8_t any = 0;
  for (size_t i = 0; i < size; ++i) any |= data[i];
  return any == 0;
}

// Big-endian integers of equal length compare like their bytes.
int compare_scalar(const Scalar& a, const Scalar& b) {
  return std::memcmp(a.data(), b.data(), a.size());
}

// Returns the value of hex digit `c` (0-15), or -1 when `c` is not one,
// without branches on `c`: the digits of a private key pass through here.
int hex_digit_value(char c) {
  int x = static_cast<uint8_t>(c);
  // Each mask is all ones when x lies in the range, else zero.
  int digit = ((('0' - 1) - x) & (x - ('9' + 1))) >> 8;
  int lower = ((('a' - 1) - x) & (x - ('f' + 1))) >> 8;
  int upper = ((('A' - 1) - x) & (x - ('F' + 1))) >> 8;
  int value = (digit & (x - '0')) | (lower & (x - 'a' + 10)) |
              (upper & (x - 'A' + 10));
  return value | ~(digit | lower | upper);
}

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && is_whitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_whitespace(text.back())) text.remove_suffix(1);
  return text;
}

std::array<uint8_t, EcdsaPublicKey::kUncompressedSize> serialize_uncompressed(
    const secp256k1_pubkey& point) {
  std::array<uint8_t, EcdsaPublicKey::kUncompressedSize> out{};
  size_t size = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &size, &point,
                                SECP256K1_EC_UNCOMPRESSED);
  return out;
}

Status check_hash_size(ByteView hash) {
  if (hash.size == kHashSize) return Status();
  return invalid_argument("message hash is " + std::to_string(hash.size) +
                          " bytes; allowed: exactly 32 (a Keccak-256 digest)");
}

Status check_signature_scalar(const Scalar& value, const char* name) {
  if (is_all_zero(value.data(), value.size())) {
    return invalid_argument(std::string("signature ") + name +
                            " is zero; allowed: 0 < " + name +
                            " < n, the secp256k1 group order");
  }
  if (compare_scalar(value, kGroupOrder) >= 0) {
    return invalid_argument(std::string("signature ") + name +
                            " is not below the secp256k1 group order n; "
                            "allowed: 0 < " + name + " < n");
  }
  return Status();
}

// Lower-case hex of `address` with EIP-55 capitalization: a letter is upper
// case when the matching nibble of Keccak-256(lower-case hex) is 8 or more.
std::string checksum_hex_digits(const EthereumAddress& address) {
  std::string digits = to_hex(ByteView(address.data(), address.size()),
                              /*prefix=*/false);
  Keccak256Digest hash = keccak256(std::string_view(digits));

  for (size_t i = 0; i < digits.size(); ++i) {
    uint8_t nibble = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
    if (nibble >= 8 && digits[i] >= 'a' && digits[i] <= 'f') {
      digits[i] = static_cast<char>(digits[i] - 'a' + 'A');
    }
  }
  return digits;
}

}  // namespace

std::string to_checksum_address(const EthereumAddress& address) {
  return "0x" + checksum_hex_digits(address);
}

Result<EthereumAddress> parse_address(std::string_view text) {
  constexpr size_t kDigits = 2 * sizeof(EthereumAddress);
  constexpr char kAllowed[] =
      "allowed: 0x followed by 40 hex digits, EIP-55 checksummed or in a "
      "single letter case";
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x') {
    return invalid_argument(std::string("address does not start with 0x; ") +
                            kAllowed);
  }
  std::string_view digits = text.substr(2);
  if (digits.size() != kDigits) {
    return invalid_argument("address has " + std::to_string(digits.size()) +
                            " characters after 0x; " + kAllowed);
  }

  EthereumAddress address{};
  bool has_lower = false;
  bool has_upper = false;
  for (size_t i = 0; i < digits.size(); ++i) {
    int value = hex_digit_value(digits[i]);
    if (value < 0) {
      return invalid_argument("address has a non-hex character at position " +
                              std::to_string(i + 2) + "; " + kAllowed);
    }
    has_lower |= digits[i] >= 'a' && digits[i] <= 'f';
    has_upper |= digits[i] >= 'A' && digits[i] <= 'F';
    address[i / 2] = static_cast<uint8_t>(address[i / 2] << 4 | value);
  }

  // Mixed case claims to carry a checksum, so it has to be right.
  if (has_lower && has_upper && checksum_hex_digits(address) != digits) {
    return invalid_argument(
        "address has mixed letter case but its EIP-55 checksum is wrong "
        "(a mistyped address?); allowed: the EIP-55 checksummed form, or all "
        "lower-case or all upper-case hex digits");
  }
  return address;
}

Result<EcdsaPublicKey> EcdsaPublicKey::from_bytes(ByteView bytes) {
  if (bytes.size == kUncompressedSize) {
    // libsecp256k1 also parses the "hybrid" 0x06/0x07 form; we do not.
    if (bytes[0] != 0x04) {
      return invalid_argument(
          "65-byte public key does not start with 0x04; allowed: 0x04 || x "
          "|| y (uncompressed) or 0x02/0x03 || x (compressed, 33 bytes)");
    }
  } else if (bytes.size == kCompressedSize) {
    if (bytes[0] != 0x02 && bytes[0] != 0x03) {
      return invalid_argument(
          "33-byte public key does not start with 0x02 or 0x03; allowed: "
          "0x02/0x03 || x (compressed) or 0x04 || x || y (uncompressed, 65 "
          "bytes)");
    }
  } else {
    return invalid_argument(
        "public key is " + std::to_string(bytes.size) +
        " bytes; allowed: 65 (uncompressed, 0x04 prefix) or 33 (compressed, "
        "0x02/0x03 prefix)");
  }

  secp256k1_pubkey point;
  if (secp256k1_ec_pubkey_parse(context(), &point, bytes.data, bytes.size) !=
      1) {
    return invalid_argument(
        "public key is not a point on secp256k1; allowed: a valid SEC1 "
        "encoding of a curve point");
  }
  return EcdsaPublicKey(serialize_uncompressed(point));
}

std::array<uint8_t, EcdsaPublicKey::kCompressedSize>
EcdsaPublicKey::compressed() const {
  std::array<uint8_t, kCompressedSize> out{};
  out[0] = static_cast<uint8_t>(0x02 | (uncompressed_[64] & 1));
  std::memcpy(out.data() + 1, uncompressed_.data() + 1, 32);
  return out;
}

EthereumAddress EcdsaPublicKey::address() const {
  Keccak256Digest hash =
      keccak256(ByteView(uncompressed_.data() + 1, uncompressed_.size() - 1));

  EthereumAddress address;
  std::memcpy(address.data(), hash.data() + hash.size() - address.size(),
              address.size());
  return address;
}

Result<EcdsaPrivateKey> EcdsaPrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size != kSize) {
    return invalid_argument("private key is " + std::to_string(bytes.size) +
                            " bytes; allowed: exactly 32 (a big-endian "
                            "scalar 0 < key < n)");
  }
  if (is_all_zero(bytes.data, bytes.size)) {
    return invalid_argument(
        "private key is zero; allowed: 0 < key < n, the secp256k1 group "
        "order");
  }
  if (secp256k1_ec_seckey_verify(context(), bytes.data) != 1) {
    return invalid_argument(
        "private key is not below the secp256k1 group order n; allowed: "
        "0 < key < n (larger values are not reduced)");
  }
  if (Status status = require_randomized_context(); !status.ok()) {
    return status.error();
  }

  secp256k1_pubkey point;
  if (secp256k1_ec_pubkey_create(context(), &point, bytes.data) != 1) {
    return internal_error("libsecp256k1 refused a verified private key");
  }
  return EcdsaPrivateKey(SecretBytes(bytes),
                         EcdsaPublicKey(serialize_uncompressed(point)));
}

Result<EcdsaPrivateKey> EcdsaPrivateKey::from_hex(std::string_view text) {
  constexpr char kAllowed[] =
      "allowed: 64 hex digits, optionally prefixed by 0x and surrounded by "
      "whitespace";
  std::string_view digits = trim_whitespace(text);
  if (digits.size() >= 2 && digits[0] == '0' &&
      (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (digits.empty()) {
    return invalid_argument(std::string("private key text has no hex "
                                        "digits; ") +
                            kAllowed);
  }
  if (digits.size() != kPrivateKeyHexDigits) {
    return invalid_argument("private key text has " +
                            std::to_string(digits.size()) +
                            " characters where 64 hex digits belong; " +
                            kAllowed);
  }

  // Decode every digit before looking at validity, so the time taken does
  // not depend on the key.
  SecretBytes secret(kSize);
  int invalid = 0;
  for (size_t i = 0; i < kSize; ++i) {
    int high = hex_digit_value(digits[2 * i]);
    int low = hex_digit_value(digits[2 * i + 1]);
    invalid |= high | low;
    secret[i] = static_cast<uint8_t>(((high & 0x0f) << 4) | (low & 0x0f));
  }
  if (invalid < 0) {
    size_t position = 0;
    while (hex_digit_value(digits[position]) >= 0) ++position;
    return invalid_argument("private key text has a non-hex character at "
                            "digit " +
                            std::to_string(position + 1) + " of 64; " +
                            kAllowed);
  }
  return from_bytes(secret.view());
}

Result<EcdsaPrivateKey> EcdsaPrivateKey::generate() {
  // A uniform 256-bit value is >= n with probability below 2^-127, so the
  // loop runs out only when the generator is broken.
  constexpr int kMaxAttempts = 16;
  SecretBytes candidate(kSize);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (RAND_bytes(candidate.data(), static_cast<int>(candidate.size())) !=
        1) {
      return Error{ErrorCode::kUnavailable,
                   "OpenSSL's random number generator failed while "
                   "generating a secp256k1 key; retry later"};
    }
    if (secp256k1_ec_seckey_verify(context(), candidate.data()) == 1) {
      return from_bytes(candidate.view());
    }
  }
  return internal_error(
      "the random number generator produced 16 invalid secp256k1 keys in a "
      "row; it is broken");
}

Result<RecoverableSignature> EcdsaPrivateKey::sign_recoverable(
    ByteView hash) const {
  if (Status status = check_hash_size(hash); !status.ok()) {
    return status.error();
  }
  if (Status status = require_randomized_context(); !status.ok()) {
    return status.error();
  }

  // libsecp256k1 always emits low-s signatures.
  secp256k1_ecdsa_recoverable_signature signature;
  if (secp256k1_ecdsa_sign_recoverable(context(), &signature, hash.data,
                                       secret_.data(),
                                       secp256k1_nonce_function_rfc6979,
                                       nullptr) != 1) {
    return internal_error("libsecp256k1 failed to sign with a valid key");
  }
  uint8_t compact[64];
  int recovery_id = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(
      context(), compact, &recovery_id, &signature);

  // Ids 2 and 3 mean R.x >= n (odds about 2^-127); Ethereum cannot express
  // them, and the deterministic nonce would give the same R again.
  if (recovery_id != 0 && recovery_id != 1) {
    return internal_error(
        "signature has recovery id 2 or 3, which Ethereum cannot encode");
  }
  RecoverableSignature result;
  std::memcpy(result.r.data(), compact, 32);
  std::memcpy(result.s.data(), compact + 32, 32);
  result.recovery_id = static_cast<uint8_t>(recovery_id);
  return result;
}

Result<SecretBytes> EcdsaPrivateKey::derive_shared_secret(
    const EcdsaPublicKey& peer) const {
  secp256k1_pubkey point;
  const auto& encoded = peer.uncompressed();
  if (secp256k1_ec_pubkey_parse(context(), &point, encoded.data(),
                                encoded.size()) != 1) {
    return internal_error("a validated public key failed to parse");
  }

  // A null hash function selects SHA-256 of the compressed shared point.
  SecretBytes shared(32);
  if (secp256k1_ecdh(context(), shared.data(), &point, secret_.data(),
                     nullptr, nullptr) != 1) {
    return internal_error("libsecp256k1 ECDH failed with valid inputs");
  }
  return shared;
}

Result<EcdsaPublicKey> recover_public_key(
    ByteView hash, const RecoverableSignature& signature) {
  if (Status status = check_hash_size(hash); !status.ok()) {
    return status.error();
  }
  if (signature.recovery_id > 1) {
    return invalid_argument(
        "signature recovery id is " + std::to_string(signature.recovery_id) +
        "; allowed: 0 or 1 (the y parity of R)");
  }
  if (Status status = check_signature_scalar(signature.r, "r");
      !status.ok()) {
    return status.error();
  }
  if (Status status = check_signature_scalar(signature.s, "s");
      !status.ok()) {
    return status.error();
  }
  if (compare_scalar(signature.s, kHalfGroupOrder) > 0) {
    return invalid_argument(
        "signature s is above n/2; allowed: low-s signatures, s <= n/2, as "
        "EIP-2 requires of Ethereum transactions");
  }

  uint8_t compact[64];
  std::memcpy(compact, signature.r.data(), 32);
  std::memcpy(compact + 32, signature.s.data(), 32);
  secp256k1_ecdsa_recoverable_signature parsed;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(
          context(), &parsed, compact, signature.recovery_id) != 1) {
    return internal_error("libsecp256k1 refused a range-checked signature");
  }

  secp256k1_pubkey point;
  if (secp256k1_ecdsa_recover(context(), &point, &parsed, hash.data) != 1) {
    return invalid_argument(
        "no public key can be recovered from this signature and hash (r is "
        "not the x coordinate of a curve point, or the result is the point "
        "at infinity); allowed: a valid secp256k1 signature");
  }
  return EcdsaPublicKey(serialize_uncompressed(point));
}

Result<EthereumAddress> recover_address(ByteView hash,
                                        const RecoverableSignature& signature) {
  Result<EcdsaPublicKey> key = recover_public_key(hash, signature);
  if (!key.ok()) return key.error();
  return key->address();
}

}  // namespace pkm::crypto
