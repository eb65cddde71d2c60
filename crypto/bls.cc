#include "crypto/bls.h"

#include <cstring>

#include "crypto/hash_to_curve.h"
#include "crypto/pairing.h"

namespace pkm::crypto {
namespace {

ByteView dst_view() {
  return ByteView(reinterpret_cast<const uint8_t*>(kBlsDst),
                  sizeof(kBlsDst) - 1);
}

G2 hash_message(ByteView message) {
  // The DST is a fixed non-empty constant, so hashing cannot fail.
  return hash_to_g2(message, dst_view()).value();
}

// Scalar limbs that wipe themselves.
struct ScalarLimbs {
  explicit ScalarLimbs(const Fr& scalar) : limbs(scalar.to_integer()) {}
  ~ScalarLimbs() { secure_wipe(limbs.data(), sizeof(limbs)); }
  Fr::Limbs limbs;
};

}  // namespace

Result<SecretKey> SecretKey::from_bytes(ByteView bytes) {
  if (bytes.size != kSize) {
    return invalid_argument("secret key is " + std::to_string(bytes.size) +
                            " bytes; expected 32");
  }
  Fr::Limbs integer = Fr::limbs_from_big_endian(bytes.data);
  bool in_range = Fr::less_than_modulus(integer);
  Fr scalar = Fr::from_integer(integer);
  secure_wipe(integer.data(), sizeof(integer));
  if (!in_range || scalar.is_zero()) {
    return invalid_argument("secret key is out of range; allowed: "
                            "0 < key < r (the BLS12-381 group order)");
  }
  return SecretKey(scalar);
}

SecretKey SecretKey::reduce_wide(ByteView big_endian) {
  if (big_endian.size > 64) std::abort();
  uint8_t padded[64] = {};
  std::memcpy(padded + 64 - big_endian.size, big_endian.data,
              big_endian.size);
  Fr::Limbs high = Fr::limbs_from_big_endian(padded);
  Fr::Limbs low = Fr::limbs_from_big_endian(padded + 32);

  // 2^256 mod r in Montgomery form is R^2 mod r read as Montgomery limbs.
  Fr two_to_256 = Fr::from_montgomery(FrParams::kR2);
  SecretKey out(Fr::from_integer(high) * two_to_256 + Fr::from_integer(low));

  secure_wipe(padded, sizeof(padded));
  secure_wipe(high.data(), sizeof(high));
  secure_wipe(low.data(), sizeof(low));
  return out;
}

SecretKey::~SecretKey() { scalar_.wipe(); }

bool SecretKey::is_zero() const { return scalar_.is_zero(); }

SecretBytes SecretKey::to_bytes() const {
  SecretBytes out(kSize);
  scalar_.to_big_endian(out.data());
  return out;
}

PublicKey SecretKey::public_key() const {
  ScalarLimbs scalar(scalar_);
  return PublicKey(g1_mul_generator(scalar.limbs));
}

Signature SecretKey::sign(ByteView message) const {
  ScalarLimbs scalar(scalar_);
  return Signature(g2_mul_in_subgroup(hash_message(message), scalar.limbs));
}

Result<PublicKey> PublicKey::from_bytes(ByteView bytes) {
  auto point = g1_decompress(bytes);
  if (!point.ok()) {
    return invalid_argument("public key: " + point.error().message);
  }
  if (point->is_identity()) {
    return invalid_argument("public key is the point at infinity, which is "
                            "never a usable key");
  }
  return PublicKey(*point);
}

std::array<uint8_t, PublicKey::kSize> PublicKey::to_bytes() const {
  return g1_compress(point_);
}

bool PublicKey::operator==(const PublicKey& other) const {
  return point_ == other.point_;
}

Result<Signature> Signature::from_bytes(ByteView bytes) {
  auto point = g2_decompress(bytes);
  if (!point.ok()) {
    return invalid_argument("signature: " + point.error().message);
  }
  return Signature(*point);
}

std::array<uint8_t, Signature::kSize> Signature::to_bytes() const {
  return g2_compress(point_);
}

bool Signature::operator==(const Signature& other) const {
  return point_ == other.point_;
}

bool verify(const PublicKey& public_key, ByteView message,
            const Signature& signature) {
  // e(pk, H(m)) == e(g1, sig)  <=>  e(-g1, sig) e(pk, H(m)) == 1.
  return pairing_product_is_one({{-g1_generator(), signature.point()},
                                 {public_key.point(), hash_message(message)}});
}

Result<Signature> aggregate(const std::vector<Signature>& signatures) {
  if (signatures.empty()) {
    return invalid_argument("cannot aggregate an empty list of signatures");
  }
  G2 sum = signatures.front().point();
  for (size_t i = 1; i < signatures.size(); ++i) {
    sum += signatures[i].point();
  }
  return Signature(sum);
}

bool fast_aggregate_verify(const std::vector<PublicKey>& public_keys,
                           ByteView message, const Signature& signature) {
  if (public_keys.empty()) return false;
  G1 sum = public_keys.front().point();
  for (size_t i = 1; i < public_keys.size(); ++i) {
    sum += public_keys[i].point();
  }
  return pairing_product_is_one(
      {{-g1_generator(), signature.point()}, {sum, hash_message(message)}});
}

bool aggregate_verify(const std::vector<PublicKey>& public_keys,
                      const std::vector<Bytes>& messages,
                      const Signature& signature) {
  if (public_keys.empty() || public_keys.size() != messages.size()) {
    return false;
  }
  std::vector<std::pair<G1, G2>> pairs;
  pairs.reserve(public_keys.size() + 1);
  pairs.emplace_back(-g1_generator(), signature.point());
  for (size_t i = 0; i < public_keys.size(); ++i) {
    pairs.emplace_back(public_keys[i].point(), hash_message(messages[i]));
  }
  return pairing_product_is_one(pairs);
}

}  // namespace pkm::crypto
