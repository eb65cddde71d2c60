#include "messages/pod_name.h"

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pkm::messages {
namespace {

using ::testing::HasSubstr;

// Labels of `sizes` characters ("aaa.bbb...") joined by dots.
std::string labels(std::initializer_list<size_t> sizes) {
  std::string name;
  char letter = 'a';
  for (size_t size : sizes) {
    if (!name.empty()) name += '.';
    name += std::string(size, letter++);
  }
  return name;
}

class PodNameAccepted : public ::testing::TestWithParam<std::string> {};

TEST_P(PodNameAccepted, IsAValidDns1123Subdomain) {
  Status status = validate_pod_name(GetParam());

  EXPECT_TRUE(status.ok()) << GetParam() << ": "
                           << status.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    EdgeCases, PodNameAccepted,
    ::testing::Values("a", "0", "validator-0", "a-b", "1-2", "a--b",
                      "0validator", "validator.pkm.svc",
                      "prysm-7d9f8c6b5-xk2lp", std::string(63, 'x'),
                      labels({63, 63, 63, 61}), labels({1, 1, 1})));

struct RefusedName {
  std::string name;
  std::string fragment;
};

void PrintTo(const RefusedName& refused, std::ostream* out) {
  *out << ::testing::PrintToString(refused.name);
}

class PodNameRefused : public ::testing::TestWithParam<RefusedName> {};

TEST_P(PodNameRefused, IsRefusedNamingTheProblem) {
  Status status = validate_pod_name(GetParam().name);

  ASSERT_FALSE(status.ok()) << GetParam().name;
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.error().message, HasSubstr(GetParam().fragment));
  EXPECT_THAT(status.error().message, HasSubstr("allowed: a DNS-1123"));
}

INSTANTIATE_TEST_SUITE_P(
    EdgeCases, PodNameRefused,
    ::testing::Values(
        RefusedName{"", "is empty"},
        RefusedName{labels({63, 63, 63, 62}), "longer than 253 characters"},
        RefusedName{std::string(64, 'x'), "label of 64 characters"},
        RefusedName{"a." + std::string(64, 'x'), "at position 2"},
        RefusedName{"Validator-0", "'V' at position 0 (upper case)"},
        RefusedName{"validator_0", "'_' at position 9"},
        RefusedName{"validator 0", "\\x20 at position 9"},
        RefusedName{std::string("a\0b", 3), "\\x00 at position 1"},
        RefusedName{"caf\xc3\xa9", "\\xc3 at position 3"},
        RefusedName{"-validator", "starting with '-' at position 0"},
        RefusedName{"validator-", "ending with '-' at position 9"},
        RefusedName{"a.-b", "starting with '-' at position 2"},
        RefusedName{"a-.b", "ending with '-' at position 1"},
        RefusedName{".a", "empty label at position 0"},
        RefusedName{"a.", "empty label at position 2"},
        RefusedName{"a..b", "empty label at position 2"},
        RefusedName{".", "empty label at position 0"},
        RefusedName{"a/b", "'/' at position 1"}));

}  // namespace
}  // namespace pkm::messages
