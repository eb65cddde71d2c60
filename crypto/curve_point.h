// Points of a short Weierstrass curve y^2 = x^3 + b (a = 0) in homogeneous
// projective coordinates (x = X/Z, y = Y/Z), with the complete formulas of
// Renes, Costello and Batina (2016, algorithms 7 and 9): one code path for
// every input, the identity included, so secret scalar multiplication needs
// no branches. G1 and G2 instantiate it.
#ifndef PKM_CRYPTO_CURVE_POINT_H_
#define PKM_CRYPTO_CURVE_POINT_H_

#include <array>
#include <cstdint>

namespace pkm::crypto {

// Curve supplies: using Field; static Field b(); static Field
// mul_by_b3(const Field&) (multiplication by 3 b).
template <class Curve>
class CurvePoint {
 public:
  using Field = typename Curve::Field;

  // The identity (0 : 1 : 0).
  CurvePoint() : x_(Field::zero()), y_(Field::one()), z_(Field::zero()) {}

  static CurvePoint identity() { return CurvePoint(); }
  static CurvePoint from_affine(const Field& x, const Field& y) {
    return CurvePoint(x, y, Field::one());
  }
  static CurvePoint from_projective(const Field& x, const Field& y,
                                    const Field& z) {
    return CurvePoint(x, y, z);
  }

  const Field& x() const { return x_; }
  const Field& y() const { return y_; }
  const Field& z() const { return z_; }

  bool is_identity() const { return z_.is_zero(); }

  // Y^2 Z == X^3 + b Z^3 (the identity passes).
  bool is_on_curve() const {
    Field z2 = z_.square();
    return y_.square() * z_ == x_.square() * x_ + Curve::b() * z2 * z_;
  }

  bool operator==(const CurvePoint& o) const {
    bool both_identity = is_identity() && o.is_identity();
    bool neither_identity = !is_identity() && !o.is_identity();
    bool same = x_ * o.z_ == o.x_ * z_ && y_ * o.z_ == o.y_ * z_;
    return both_identity || (neither_identity && same);
  }
  bool operator!=(const CurvePoint& o) const { return !(*this == o); }

  CurvePoint operator-() const { return CurvePoint(x_, -y_, z_); }

  CurvePoint operator+(const CurvePoint& o) const {
    Field t0 = x_ * o.x_;
    Field t1 = y_ * o.y_;
    Field t2 = z_ * o.z_;
    Field t3 = (x_ + y_) * (o.x_ + o.y_);
    Field t4 = t0 + t1;
    t3 = t3 - t4;
    t4 = (y_ + z_) * (o.y_ + o.z_);
    Field x3 = t1 + t2;
    t4 = t4 - x3;
    x3 = (x_ + z_) * (o.x_ + o.z_);
    Field y3 = t0 + t2;
    y3 = x3 - y3;
    x3 = t0 + t0;
    t0 = x3 + t0;
    t2 = Curve::mul_by_b3(t2);
    Field z3 = t1 + t2;
    t1 = t1 - t2;
    y3 = Curve::mul_by_b3(y3);
    x3 = t4 * y3;
    t2 = t3 * t1;
    x3 = t2 - x3;
    y3 = y3 * t0;
    t1 = t1 * z3;
    y3 = t1 + y3;
    t0 = t0 * t3;
    z3 = z3 * t4;
    z3 = z3 + t0;
    return CurvePoint(x3, y3, z3);
  }
  CurvePoint operator-(const CurvePoint& o) const { return *this + (-o); }
  CurvePoint& operator+=(const CurvePoint& o) { return *this = *this + o; }

  CurvePoint doubled() const {
    Field t0 = y_.square();
    Field z3 = t0 + t0;
    z3 = z3 + z3;
    z3 = z3 + z3;
    Field t1 = y_ * z_;
    Field t2 = z_.square();
    t2 = Curve::mul_by_b3(t2);
    Field x3 = t2 * z3;
    Field y3 = t0 + t2;
    z3 = t1 * z3;
    t1 = t2 + t2;
    t2 = t1 + t2;
    t0 = t0 - t2;
    y3 = t0 * y3;
    y3 = x3 + y3;
    t1 = x_ * y_;
    x3 = t0 * t1;
    x3 = x3 + x3;
    return CurvePoint(x3, y3, z3);
  }

  void conditional_assign(const CurvePoint& o, bool condition) {
    x_.conditional_assign(o.x_, condition);
    y_.conditional_assign(o.y_, condition);
    z_.conditional_assign(o.z_, condition);
  }

  // Affine coordinates; the identity maps to (0, 0). Skips the inversion
  // when Z is already 1 (a branch on a coordinate: points are public).
  void to_affine(Field* x, Field* y) const {
    if (z_ == Field::one()) {
      *x = x_;
      *y = y_;
      return;
    }
    Field z_inverse = z_.inverse();
    *x = x_ * z_inverse;
    *y = y_ * z_inverse;
  }

  // Multiplication by a public scalar (little-endian limbs): branches on
  // its bits.
  template <size_t M>
  CurvePoint mul_vartime(const std::array<uint64_t, M>& scalar) const {
    CurvePoint result;
    bool started = false;
    for (size_t i = M; i-- > 0;) {
      for (int bit = 63; bit >= 0; --bit) {
        if (started) result = result.doubled();
        if ((scalar[i] >> bit) & 1) {
          result = started ? result + *this : *this;
          started = true;
        }
      }
    }
    return result;
  }

  // Multiplication by a public 64-bit scalar.
  CurvePoint mul_vartime(uint64_t scalar) const {
    return mul_vartime(std::array<uint64_t, 1>{scalar});
  }

  // Multiplication by a secret scalar (little-endian limbs) in constant
  // time: a fixed 4-bit window, every table entry read on every step.
  template <size_t M>
  CurvePoint mul_constant_time(const std::array<uint64_t, M>& scalar) const {
    std::array<CurvePoint, 16> table;
    table[0] = CurvePoint();
    for (size_t i = 1; i < table.size(); ++i) table[i] = table[i - 1] + *this;

    CurvePoint result;
    for (size_t i = M; i-- > 0;) {
      for (int shift = 60; shift >= 0; shift -= 4) {
        result = result.doubled().doubled().doubled().doubled();
        unsigned window = static_cast<unsigned>(scalar[i] >> shift) & 0xf;
        CurvePoint selected;
        for (unsigned j = 0; j < table.size(); ++j) {
          selected.conditional_assign(table[j], j == window);
        }
        result = result + selected;
      }
    }
    return result;
  }

 private:
  CurvePoint(const Field& x, const Field& y, const Field& z)
      : x_(x), y_(y), z_(z) {}

  Field x_;
  Field y_;
  Field z_;
};

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_CURVE_POINT_H_
