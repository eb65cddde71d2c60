#include "tests/support/test_support.h"

#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace pkm::testing {

std::string vector_path(const std::string& relative) {
  return std::string(PKM_VECTORS_DIR) + "/" + relative;
}

nlohmann::json load_vectors(const std::string& relative) {
  std::string path = vector_path(relative);
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open vector file " << path;
    throw std::runtime_error("missing vector file " + path);
  }
  nlohmann::json parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "vector file is not JSON: " << path;
    throw std::runtime_error("bad vector file " + path);
  }
  return parsed;
}

Bytes hex(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    ADD_FAILURE() << "bad hex in test data: " << bytes.error().message;
    throw std::runtime_error("bad hex");
  }
  return std::move(bytes).value();
}

}  // namespace pkm::testing
