// pkm::Error travels between actors as caf::error and comes back whole.
#include "actors/actor_types.h"

#include <gtest/gtest.h>

namespace pkm::actors {
namespace {

TEST(ActorErrors, EveryCodeSurvivesTheRoundTrip) {
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kFailedPrecondition,
        ErrorCode::kNotFound, ErrorCode::kUnavailable,
        ErrorCode::kPermissionDenied, ErrorCode::kDataLoss,
        ErrorCode::kInternal}) {
    caf::error carried = to_caf_error(Error{code, "what went wrong"});

    Error back = from_caf_error(carried);

    EXPECT_TRUE(static_cast<bool>(carried)) << error_code_name(code);
    EXPECT_EQ(back.code, code);
    EXPECT_EQ(back.message, "what went wrong");
  }
}

TEST(ActorErrors, CafOwnErrorsBecomeUnavailable) {
  Error back = from_caf_error(caf::make_error(caf::sec::request_timeout));

  EXPECT_EQ(back.code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace pkm::actors
