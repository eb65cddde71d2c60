// Helpers shared by pkm's tests: locating and reading published vectors.
#ifndef PKM_TESTS_SUPPORT_TEST_SUPPORT_H_
#define PKM_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "base/bytes.h"

namespace pkm::testing {

// Absolute path of a file under ../shared/vectors, e.g. "bls/sign.json".
std::string vector_path(const std::string& relative);

// Parses a vector file; fails the current test (and throws) when the file is
// missing or not JSON, so a missing vector can never pass silently.
nlohmann::json load_vectors(const std::string& relative);

// Hex to bytes for test data; fails the test on bad hex.
Bytes hex(const std::string& text);

}  // namespace pkm::testing

#endif  // PKM_TESTS_SUPPORT_TEST_SUPPORT_H_
