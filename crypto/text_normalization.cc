#include "crypto/text_normalization.h"

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pkm::crypto {
namespace {

// NFKD maps one UTF-16 code unit to at most 18 (U+FDFA); a buffer this much
// larger than the input never overflows, so ICU never has to build the result
// in a scratch buffer of its own that we could not wipe.
constexpr size_t kMaxNfkdExpansion = 18;

// A UTF-16 buffer that is wiped when it goes out of scope.
class WipedUtf16 {
 public:
  explicit WipedUtf16(size_t size) : units_(size == 0 ? 1 : size) {}
  WipedUtf16(const WipedUtf16&) = delete;
  WipedUtf16& operator=(const WipedUtf16&) = delete;
  ~WipedUtf16() { secure_wipe(units_.data(), units_.size() * sizeof(UChar)); }

  UChar* data() { return units_.data(); }
  const UChar* data() const { return units_.data(); }
  int32_t capacity() const { return static_cast<int32_t>(units_.size()); }

  // Grows to `size` units, wiping the old buffer.
  void reset(size_t size) {
    secure_wipe(units_.data(), units_.size() * sizeof(UChar));
    std::vector<UChar> fresh(size == 0 ? 1 : size);
    units_.swap(fresh);
  }

 private:
  std::vector<UChar> units_;
};

Error icu_failure(std::string_view step, UErrorCode status) {
  return Error{ErrorCode::kInternal,
               "ICU " + std::string(step) + " failed: " + u_errorName(status)};
}

// Decodes UTF-8 `text` into `out`; returns the number of UTF-16 units.
Result<int32_t> utf8_to_utf16(std::string_view text, WipedUtf16& out) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(out.data(), out.capacity(), &length, text.data(),
                static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) return icu_failure("UTF-8 decoding", status);
  return length;
}

// NFKD of `source` (`length` units) into `out`; returns the output length.
Result<int32_t> nfkd_utf16(const WipedUtf16& source, int32_t length,
                           WipedUtf16& out) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfkd = unorm2_getNFKDInstance(&status);
  if (U_FAILURE(status)) return icu_failure("NFKD data loading", status);

  int32_t result = unorm2_normalize(nfkd, source.data(), length, out.data(),
                                    out.capacity(), &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    // Unreachable with kMaxNfkdExpansion unless Unicode adds a longer
    // decomposition; retry with the exact size.
    out.reset(static_cast<size_t>(result));
    status = U_ZERO_ERROR;
    result = unorm2_normalize(nfkd, source.data(), length, out.data(),
                              out.capacity(), &status);
  }
  if (U_FAILURE(status)) return icu_failure("NFKD normalization", status);
  return result;
}

// Encodes `length` units of `source` as UTF-8 into a wiped buffer.
Result<SecretBytes> utf16_to_utf8(const WipedUtf16& source, int32_t length) {
  // Each UTF-16 unit needs at most 3 UTF-8 bytes (a surrogate pair, two
  // units, needs 4).
  SecretBytes out(static_cast<size_t>(length) * 3 + 1);
  UErrorCode status = U_ZERO_ERROR;
  int32_t written = 0;
  u_strToUTF8(reinterpret_cast<char*>(out.data()),
              static_cast<int32_t>(out.size()), &written, source.data(), length,
              &status);
  if (U_FAILURE(status)) return icu_failure("UTF-8 encoding", status);
  out.resize(static_cast<size_t>(written));
  return out;
}

// Both public functions share the checks and the NFKD step; `strip_controls`
// selects the EIP-2335 control-character removal.
Result<SecretBytes> normalize(std::string_view text, std::string_view what,
                              bool strip_controls) {
  Status valid = validate_utf8(text, what);
  if (!valid.ok()) return valid.error();

  // UTF-16 never needs more units than UTF-8 has bytes.
  WipedUtf16 decoded(text.size());
  auto decoded_length = utf8_to_utf16(text, decoded);
  if (!decoded_length.ok()) return decoded_length.error();

  WipedUtf16 normalized(static_cast<size_t>(*decoded_length) *
                        kMaxNfkdExpansion);
  auto normalized_length = nfkd_utf16(decoded, *decoded_length, normalized);
  if (!normalized_length.ok()) return normalized_length.error();

  int32_t kept = *normalized_length;
  if (strip_controls) {
    // Every control character to strip is a single BMP code unit, never part
    // of a surrogate pair, so filtering code units is filtering code points.
    UChar* units = normalized.data();
    kept = 0;
    for (int32_t i = 0; i < *normalized_length; ++i) {
      UChar unit = units[i];
      bool control = unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);
      if (!control) units[kept++] = unit;
    }
  }
  return utf16_to_utf8(normalized, kept);
}

}  // namespace

Status validate_utf8(std::string_view text, std::string_view what) {
  if (text.size() > kMaxNormalizedInputSize) {
    return invalid_argument(std::string(what) + " is " +
                            std::to_string(text.size()) +
                            " bytes long; allowed: at most " +
                            std::to_string(kMaxNormalizedInputSize));
  }

  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  int32_t offset = 0;
  while (offset < length) {
    UChar32 code_point = 0;
    U8_NEXT(bytes, offset, length, code_point);
    if (code_point < 0) {
      // No byte position: it would tell how long the valid, secret prefix is.
      return invalid_argument(std::string(what) +
                              " is not valid UTF-8; allowed: UTF-8 text "
                              "without overlong forms or surrogates");
    }
  }
  return Status();
}

Result<SecretBytes> normalize_nfkd(std::string_view text,
                                   std::string_view what) {
  return normalize(text, what, /*strip_controls=*/false);
}

Result<SecretBytes> process_password(std::string_view password) {
  return normalize(password, "password", /*strip_controls=*/true);
}

}  // namespace pkm::crypto
