// The data dir across processes: one server at a time (its LOCK), and
// allocations that outlive the process (invariant 6, clean stop).
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

class DataDir : public ServerTest {
 protected:
  void SetUp() override { ASSERT_TRUE(start_server()); }
};

TEST_F(DataDir, SecondServerOnTheSameDataDirExitsAtOnceNamingTheLock) {
  auto keys = public_keys(allocate("validator-0", 1));
  PkmServerProcess second(default_options(), dir_.path() + "/second.log");

  second.launch();
  bool exited = wait_until([&] { return !second.running(); },
                           std::chrono::seconds(5));

  ASSERT_TRUE(exited) << "the second server is still running";
  int status = second.stop();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(second.log().find("/LOCK"), std::string::npos) << second.log();
  EXPECT_TRUE(server_->running());
  EXPECT_EQ(public_keys(allocate("validator-0", 1)), keys);
  std::string ready;
  EXPECT_EQ(server_->http_get("/readyz", &ready), 200) << ready;
}

TEST_F(DataDir, RestartedServerGivesThePodTheSameKeys) {
  json before = allocate("validator-0", 3);
  ASSERT_EQ(public_keys(before).size(), 3u);

  int status = server_->stop();
  ASSERT_TRUE(WIFEXITED(status)) << server_->log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server_->log();
  ASSERT_TRUE(server_->start());
  json after = allocate("validator-0", 3);

  EXPECT_EQ(public_keys(after), public_keys(before));
  EXPECT_EQ(private_keys(after), private_keys(before));
}

}  // namespace
}  // namespace pkm::testing
