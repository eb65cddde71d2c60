// Shared by the GoogleTest programs that check pkm against a cases file an
// outside implementation (noble, ethers) wrote: loading the file, reading
// its sections and hex fields, and collecting disagreements.
#ifndef PKM_TESTS_INTEROP_ORACLE_CASES_H_
#define PKM_TESTS_INTEROP_ORACLE_CASES_H_

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/bytes.h"

namespace pkm::testing {

// Parses GoogleTest's flags, loads the cases file named by the first other
// argument (or by the environment variable `env_var`) into *cases, and runs
// every test. Returns 2 with a usage line naming `generator` when the file
// is missing or not a JSON object.
int run_with_cases_file(int argc, char** argv, const char* env_var,
                        const char* oracle, const char* generator,
                        nlohmann::json* cases);

// The array `name` of `cases`; throws when it is not a list.
const nlohmann::json& cases_section(const nlohmann::json& cases,
                                    const char* name);

// Hex text of a cases field as bytes; throws on bad hex.
Bytes cases_hex(const nlohmann::json& field);

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), N));
}

// Disagreements with the oracle, by case; keeps the first few for the
// failure message.
class Disagreements {
 public:
  explicit Disagreements(std::string oracle) : oracle_(std::move(oracle)) {}

  void add(const std::string& where, const std::string& what);
  // Records a disagreement unless `ours` equals the string `theirs`; long
  // values are reported by where they start to differ.
  void compare(const std::string& where, const char* what,
               const std::string& ours, const nlohmann::json& theirs);
  size_t count() const { return count_; }
  std::string summary() const;

 private:
  static constexpr size_t kShown = 10;
  static constexpr size_t kWholeValueLimit = 140;
  std::string oracle_;
  std::vector<std::string> shown_;
  size_t count_ = 0;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_INTEROP_ORACLE_CASES_H_
