// pkm-server rides out a NATS server restart: /readyz says NATS is missing
// while it is down, and requests are served again once it is back.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

class NatsRestart : public ServerTest {
 protected:
  void SetUp() override { ASSERT_TRUE(start_server()); }

  // The status and body of GET /readyz.
  int readiness(std::string* body) {
    return server_->http_get("/readyz", body);
  }
};

TEST_F(NatsRestart, ServerIsNotReadyWhileNatsIsDownAndServesAfterwards) {
  auto keys = public_keys(allocate("validator-0", 2));
  ASSERT_EQ(keys.size(), 2u);

  nats_.stop();
  std::string down_body;
  bool reported_down = wait_until(
      [&] { return readiness(&down_body) == 503; }, std::chrono::seconds(10));
  ASSERT_TRUE(nats_.start());
  NatsReply reply;
  bool served = wait_until(
      [&] {
        reply = requester_->request(
            "pkm.allocate", R"({"pod_name":"validator-0","number_of_keys":2})",
            "", std::chrono::milliseconds(500));
        return reply.ok;
      },
      std::chrono::seconds(20));

  EXPECT_TRUE(reported_down) << "last /readyz body: " << down_body;
  EXPECT_NE(down_body.find("nats"), std::string::npos) << down_body;
  EXPECT_EQ(down_body.find("storage"), std::string::npos) << down_body;
  ASSERT_TRUE(served) << reply.error << "\n" << server_->log();
  EXPECT_EQ(public_keys(parse_json(reply.body)), keys);
  std::string up_body;
  EXPECT_TRUE(wait_until([&] { return readiness(&up_body) == 200; },
                         std::chrono::seconds(10)))
      << up_body;
}

}  // namespace
}  // namespace pkm::testing
