#include "tests/interop/oracle_cases.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace pkm::testing {

int run_with_cases_file(int argc, char** argv, const char* env_var,
                        const char* oracle, const char* generator,
                        nlohmann::json* cases) {
  ::testing::InitGoogleTest(&argc, argv);

  // GoogleTest has removed its own flags; what is left is the cases file.
  const char* from_env = std::getenv(env_var);
  std::string path = argc > 1 ? argv[1] : (from_env ? from_env : "");
  if (path.empty()) {
    std::cerr << "usage: " << argv[0] << " [gtest flags] CASES.json (or $"
              << env_var << "); write the file with " << generator << "\n";
    return 2;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open the " << oracle << " cases file " << path
              << "\n";
    return 2;
  }
  *cases = nlohmann::json::parse(in, nullptr, false);
  if (cases->is_discarded() || !cases->is_object()) {
    std::cerr << "the " << oracle << " cases file " << path
              << " is not a JSON object\n";
    return 2;
  }
  return RUN_ALL_TESTS();
}

const nlohmann::json& cases_section(const nlohmann::json& cases,
                                    const char* name) {
  const nlohmann::json& value = cases.at(name);
  if (!value.is_array()) {
    throw std::runtime_error(std::string("section ") + name +
                             " is not a list");
  }
  return value;
}

Bytes cases_hex(const nlohmann::json& field) {
  auto bytes = from_hex(field.get<std::string>());
  if (!bytes.ok()) {
    throw std::runtime_error("bad hex in the cases file: " +
                             bytes.error().message);
  }
  return std::move(bytes).value();
}

void Disagreements::add(const std::string& where, const std::string& what) {
  if (shown_.size() < kShown) shown_.push_back(where + ": " + what);
  ++count_;
}

void Disagreements::compare(const std::string& where, const char* what,
                            const std::string& ours,
                            const nlohmann::json& theirs) {
  std::string expected = theirs.get<std::string>();
  if (ours == expected) return;
  if (ours.size() <= kWholeValueLimit && expected.size() <= kWholeValueLimit) {
    add(where, std::string(what) + ": ours " + ours + ", " + oracle_ + " " +
                   expected);
    return;
  }
  size_t first = 0;
  while (first < ours.size() && first < expected.size() &&
         ours[first] == expected[first]) {
    ++first;
  }
  add(where, std::string(what) + " differs from character " +
                 std::to_string(first) + " (ours " +
                 std::to_string(ours.size()) + " characters, " + oracle_ +
                 " " + std::to_string(expected.size()) + ")");
}

std::string Disagreements::summary() const {
  std::string text =
      std::to_string(count_) + " disagreement(s) with " + oracle_;
  for (const std::string& line : shown_) text += "\n  " + line;
  return text;
}

}  // namespace pkm::testing
