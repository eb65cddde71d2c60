// Byte strings, hex conversion (Ethereum convention: 0x-prefixed lower-case)
// and buffers for secrets that are wiped when freed.
#ifndef PKM_BASE_BYTES_H_
#define PKM_BASE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pkm {

using Bytes = std::vector<uint8_t>;

// A read-only view of bytes (C++17 has no std::span).
struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  ByteView(const Bytes& b) : data(b.data()), size(b.size()) {}  // NOLINT
  ByteView(std::string_view s)                                  // NOLINT
      : data(reinterpret_cast<const uint8_t*>(s.data())), size(s.size()) {}
  template <size_t N>
  ByteView(const uint8_t (&a)[N]) : data(a), size(N) {}  // NOLINT

  const uint8_t* begin() const { return data; }
  const uint8_t* end() const { return data + size; }
  uint8_t operator[](size_t i) const { return data[i]; }
  bool empty() const { return size == 0; }
  Bytes to_bytes() const { return Bytes(begin(), end()); }
};

// Lower-case hex of `bytes`, with "0x" in front when `prefix`.
std::string to_hex(ByteView bytes, bool prefix = true);

// Parses hex with or without a "0x"/"0X" prefix, either letter case. Refuses
// odd length and non-hex characters, naming the first bad position.
[[nodiscard]] Result<Bytes> from_hex(std::string_view text);

// Like from_hex, but also refuses a result that is not exactly `size` bytes;
// `what` names the field in the error ("public key").
[[nodiscard]] Result<Bytes> from_hex_exact(std::string_view text, size_t size,
                                           std::string_view what);

// Overwrites `size` bytes at `data` with zeros in a way the compiler may not
// remove.
void secure_wipe(void* data, size_t size);

// Constant-time comparison of two equally long byte strings; false when the
// lengths differ (the length is not secret).
bool constant_time_equal(ByteView a, ByteView b);

// An owned byte buffer for secret material: wiped when destroyed or
// reassigned, movable, never printed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size, 0) {}
  explicit SecretBytes(ByteView view) : bytes_(view.begin(), view.end()) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
    other.bytes_.clear();
  }
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  ByteView view() const { return ByteView(bytes_.data(), bytes_.size()); }
  uint8_t& operator[](size_t i) { return bytes_[i]; }
  uint8_t operator[](size_t i) const { return bytes_[i]; }

  // Resizes; bytes dropped by shrinking are wiped first.
  void resize(size_t size);

 private:
  void wipe() { secure_wipe(bytes_.data(), bytes_.size()); }

  std::vector<uint8_t> bytes_;
};

}  // namespace pkm

#endif  // PKM_BASE_BYTES_H_
