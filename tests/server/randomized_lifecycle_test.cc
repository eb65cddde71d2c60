// Interleaved allocate, release, renew, pod death (in a local Kubernetes
// API stand-in, tests/actors/fake_kube_api) and server restarts, chosen at
// random: after every step no key is held by two pods, and a pod asking
// again sees the keys it held, unless it lost them in between.
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/actors/fake_kube_api.h"
#include "tests/client/nats_server.h"
#include "tests/server/nats_requester.h"
#include "tests/server/pkm_server_process.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

TEST(RandomizedLifecycleUsingKubeStandIn, NoKeyIsEverHeldByTwoPods) {
  const char* seed_text = std::getenv("PKM_LIFECYCLE_SEED");
  uint32_t seed = seed_text != nullptr
                      ? static_cast<uint32_t>(std::atoi(seed_text))
                      : std::random_device{}();
  const char* steps_text = std::getenv("PKM_LIFECYCLE_STEPS");
  int steps = steps_text != nullptr ? std::atoi(steps_text) : 150;
  SCOPED_TRACE("PKM_LIFECYCLE_SEED=" + std::to_string(seed));
  std::mt19937 random(seed);

  TempDir dir;
  NatsServer nats(dir.path() + "/nats.log");
  ASSERT_TRUE(nats.start());
  FakeKubeApi kube;
  const std::vector<std::string> names = {"validator-0", "validator-1",
                                          "validator-2", "validator-3",
                                          "validator-4", "validator-5"};
  std::set<std::string> alive(names.begin(), names.end());
  auto publish_pods = [&] {
    std::vector<FakePod> pods = {{"keeper", "uid-keeper"}};
    for (const auto& name : alive) pods.push_back({name, "uid-" + name});
    kube.set_pods(pods);
  };
  publish_pods();

  PkmServerOptions options;
  options.data_dir = dir.path() + "/data";
  options.nats_url = nats.url();
  options.recycle_delay = "300ms";
  options.lease_ttl = "2s";
  options.extra_args = {"--kube-watch",   "--kube-api",      kube.url(),
                        "--kube-namespace", "validators",    "--kube-interval",
                        "100ms"};
  PkmServerProcess server(options, dir.path() + "/server.log");
  ASSERT_TRUE(server.start());
  auto requester = std::make_unique<NatsRequester>(nats.url());

  // What each pod was last told it holds.
  std::map<std::string, std::vector<std::string>> told;

  auto check_no_key_in_two_pods = [&](const std::string& step) {
    std::string body;
    ASSERT_EQ(server.http_get("/assignments?format=json", &body), 200);
    json listing = json::parse(body);
    std::map<std::string, std::string> holder;
    for (const auto& pod : listing.at("assignments")) {
      for (const auto& key : pod.at("public_keys")) {
        auto [it, fresh] = holder.emplace(key, pod.at("pod_name"));
        ASSERT_TRUE(fresh) << step << ": key " << key.get<std::string>()
                           << " held by " << it->second << " and "
                           << pod.at("pod_name").get<std::string>();
      }
    }
  };

  for (int step = 0; step < steps; ++step) {
    const std::string& pod = names[random() % names.size()];
    int action = static_cast<int>(random() % 100);
    std::string what;
    if (action < 45) {
      int keys = 1 + static_cast<int>(random() % 3);
      what = "allocate " + pod + " " + std::to_string(keys);
      alive.insert(pod);
      publish_pods();
      auto reply = requester->request(
          "pkm.allocate",
          json{{"pod_name", pod}, {"number_of_keys", keys}}.dump());
      ASSERT_TRUE(reply.ok) << what << ": " << reply.error;
      json parsed = json::parse(reply.body);
      std::vector<std::string> got;
      for (const auto& key : parsed.at("keys")) {
        got.push_back(key.at("public_key"));
      }
      // Unless the server released the pod in between (lease, watcher),
      // the keys it held come first.
      auto before = told[pod];
      bool kept = before.size() <= got.size() &&
                  std::equal(before.begin(), before.end(), got.begin());
      if (!kept) {
        EXPECT_NE(server.log().find("keys released pod=" + pod + " "),
                  std::string::npos)
            << what << ": the pod lost keys without a release";
      }
      told[pod] = got;
    } else if (action < 60) {
      what = "release " + pod;
      auto reply = requester->request(
          "pkm.release", json{{"pod_name", pod}}.dump());
      ASSERT_TRUE(reply.ok) << what << ": " << reply.error;
      told.erase(pod);
    } else if (action < 75) {
      what = "renew " + pod;
      auto reply = requester->request("pkm.renew",
                                      json{{"pod_name", pod}}.dump());
      ASSERT_TRUE(reply.ok) << what << ": " << reply.error;
    } else if (action < 88) {
      what = "pod death " + pod;
      alive.erase(pod);
      publish_pods();
    } else if (action < 94) {
      what = "restart (SIGTERM)";
      server.stop();
      ASSERT_TRUE(server.start());
      requester = std::make_unique<NatsRequester>(nats.url());
    } else {
      what = "restart (kill -9)";
      server.kill9();
      ASSERT_TRUE(server.start());
      requester = std::make_unique<NatsRequester>(nats.url());
    }
    check_no_key_in_two_pods("step " + std::to_string(step) + " " + what);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace pkm::testing
