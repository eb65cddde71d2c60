// Leases (--lease-ttl): a pod that stops renewing is released; renewals
// keep its keys; leases survive a restart. Real nats-server, deposit mode
// none.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class Leases : public ServerTest {
 protected:
  void SetUp() override {
    PkmServerOptions options = default_options();
    options.lease_ttl = "3s";
    ASSERT_TRUE(start_server(options));
  }

  json call(const std::string& subject, const json& body) {
    auto reply = requester_->request(subject, body.dump());
    EXPECT_TRUE(reply.ok) << reply.error;
    return reply.ok ? json::parse(reply.body) : json();
  }

  // The pods /assignments lists.
  std::vector<std::string> pods_listed() {
    json listing = assignments_over_http();
    std::vector<std::string> pods;
    for (const auto& pod : listing.at("assignments")) {
      pods.push_back(pod.at("pod_name"));
    }
    return pods;
  }
};

TEST_F(Leases, RenewReplyCarriesTheNewExpiry) {
  call("pkm.allocate", {{"pod_name", "validator-0"}, {"number_of_keys", 1}});
  auto before = std::chrono::system_clock::now();

  json renewed = call("pkm.renew", {{"pod_name", "validator-0"}});

  uint64_t expires = renewed.at("lease_expires_unix_ms");
  uint64_t now_ms = std::chrono::duration_cast<milliseconds>(
                        before.time_since_epoch())
                        .count();
  EXPECT_GE(expires, now_ms + 2900);
  EXPECT_LE(expires, now_ms + 3000 + 2000);
}

TEST_F(Leases, RenewingAPodThatHoldsNoKeysIsNotFound) {
  auto reply = requester_->request("pkm.renew",
                                   R"({"pod_name":"validator-9"})");

  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.service_error_code(), 404);
  EXPECT_EQ(json::parse(reply.body).at("error").at("code"), "not_found");
}

TEST_F(Leases, ExpiredLeaseReleasesThePodsKeys) {
  json held =
      call("pkm.allocate",
           {{"pod_name", "validator-0"}, {"number_of_keys", 2}});
  ASSERT_EQ(held.at("keys").size(), 2u);

  bool released = wait_until([&] { return pods_listed().empty(); },
                             seconds(10));

  EXPECT_TRUE(released);
  json other =
      call("pkm.allocate",
           {{"pod_name", "validator-1"}, {"number_of_keys", 2}});
  EXPECT_EQ(other.at("keys")[0].at("public_key"),
            held.at("keys")[0].at("public_key"));
  EXPECT_NE(server_->log().find("reason=\"lease expired\""),
            std::string::npos);
}

TEST_F(Leases, RenewalsKeepThePodsKeys) {
  call("pkm.allocate", {{"pod_name", "validator-0"}, {"number_of_keys", 1}});
  auto until = std::chrono::steady_clock::now() + seconds(6);

  bool kept = true;
  while (std::chrono::steady_clock::now() < until) {
    call("pkm.renew", {{"pod_name", "validator-0"}});
    kept = kept && pods_listed() == std::vector<std::string>{"validator-0"};
    std::this_thread::sleep_for(milliseconds(500));
  }

  EXPECT_TRUE(kept);
}

TEST_F(Leases, LeaseSurvivesARestartAndStillExpires) {
  json renewed;
  call("pkm.allocate", {{"pod_name", "validator-0"}, {"number_of_keys", 1}});
  renewed = call("pkm.renew", {{"pod_name", "validator-0"}});
  ASSERT_EQ(server_->stop(), 0);

  ASSERT_TRUE(server_->start());
  std::string body;
  server_->http_get("/assignments?format=json", &body);
  json after = json::parse(body);
  bool released = wait_until([&] { return pods_listed().empty(); },
                             seconds(10));

  ASSERT_EQ(after.at("assignments").size(), 1u);
  EXPECT_EQ(after.at("assignments")[0].at("lease_expires_unix_ms"),
            renewed.at("lease_expires_unix_ms"));
  EXPECT_TRUE(released);
}

}  // namespace
}  // namespace pkm::testing
