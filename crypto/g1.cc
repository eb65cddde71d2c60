#include "crypto/g1.h"

#include <vector>

#include "crypto/point_encoding.h"

namespace pkm::crypto {
namespace {

// The group order r as little-endian limbs.
constexpr std::array<uint64_t, 4> kGroupOrder = FrParams::kModulus;

}  // namespace

Fp G1Curve::b() {
  static const Fp value = Fp::from_uint64(4);
  return value;
}


const G1& g1_generator() {
  static const G1 generator = G1::from_affine(
      fp_from_hex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171b"
                  "ac586c55e83ff97a1aeffb3af00adb22c6bb"),
      fp_from_hex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04"
                  "b3edd03cc744a2888ae40caa232946c5e7e1"));
  return generator;
}

G1 g1_mul_generator(const std::array<uint64_t, 4>& scalar) {
  // table[i][j] = [j 16^i] G: the scalar's i-th nibble selects a row entry,
  // and the product is the sum of one entry per row, with no doublings.
  using Row = std::array<G1, 16>;
  static const std::vector<Row> table = [] {
    std::vector<Row> rows(64);
    G1 base = g1_generator();
    for (Row& row : rows) {
      row[0] = G1::identity();
      for (size_t j = 1; j < row.size(); ++j) row[j] = row[j - 1] + base;
      base = row[15] + base;  // 16^(i+1) G
    }
    return rows;
  }();

  G1 result;
  for (size_t i = 0; i < table.size(); ++i) {
    unsigned nibble =
        static_cast<unsigned>(scalar[i / 16] >> (4 * (i % 16))) & 0xf;
    G1 selected;
    for (unsigned j = 0; j < 16; ++j) {
      selected.conditional_assign(table[i][j], j == nibble);
    }
    result += selected;
  }
  return result;
}

std::array<uint8_t, 48> g1_compress(const G1& point) {
  std::array<uint8_t, 48> out{};
  PointFlags flags;
  if (point.is_identity()) {
    flags.infinity = true;
  } else {
    Fp x, y;
    point.to_affine(&x, &y);
    x.to_big_endian(out.data());
    flags.sign = fp_is_lexicographically_largest(y);
  }
  write_point_flags(out.data(), out.size(), flags);
  return out;
}

Result<G1> g1_decompress(ByteView bytes) {
  auto flags = read_point_flags(bytes, 48, "G1 point");
  if (!flags.ok()) return flags.error();
  if (flags->infinity) return G1::identity();

  uint8_t x_bytes[48];
  copy_coordinate_without_flags(bytes.data, x_bytes);
  bool in_range = false;
  Fp x = Fp::from_big_endian(x_bytes, &in_range);
  if (!in_range) {
    return invalid_argument("G1 point x coordinate is not below the field "
                            "modulus p");
  }

  auto y = fp_sqrt_vartime(x.square() * x + G1Curve::b());
  if (!y) return invalid_argument("G1 point is not on the curve");
  if (fp_is_lexicographically_largest(*y) != flags->sign) *y = -*y;

  G1 point = G1::from_affine(x, *y);
  if (!g1_in_subgroup(point)) {
    return invalid_argument("G1 point is not in the prime-order subgroup");
  }
  return point;
}

bool g1_in_subgroup(const G1& point) {
  return point.is_on_curve() && point.mul_vartime(kGroupOrder).is_identity();
}

}  // namespace pkm::crypto
