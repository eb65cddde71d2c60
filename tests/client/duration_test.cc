#include "client/duration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pkm::client {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(*parse_duration("250ms", "--timeout"), milliseconds(250));
  EXPECT_EQ(*parse_duration("30s", "--timeout"), milliseconds(30000));
  EXPECT_EQ(*parse_duration("2m", "--timeout"), milliseconds(120000));
  EXPECT_EQ(*parse_duration("1h", "--timeout"), milliseconds(3600000));
}

TEST(Duration, RefusesTextWithoutAUsableUnitOrValue) {
  for (const char* text : {"", "30", "s", "-1s", "1.5s", "0s", "3d", "31m0s",
                           "999999999999999h"}) {
    auto parsed = parse_duration(text, "--interval");

    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_THAT(parsed.error().message, HasSubstr("--interval")) << text;
      EXPECT_THAT(parsed.error().message, HasSubstr("allowed")) << text;
    }
  }
}

TEST(Duration, FormatsForMessages) {
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(2000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
}

}  // namespace
}  // namespace pkm::client
