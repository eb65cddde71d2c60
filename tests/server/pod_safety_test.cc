// The pod watcher and the validator monitor inside a real pkm-server.
// Kubernetes and a beacon node cannot run here: these tests use local
// stand-ins (tests/actors/fake_kube_api, fake_beacon_api) on 127.0.0.1
// that answer with the documented JSON shapes of the pods list and the
// beacon validators endpoint.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/actors/fake_beacon_api.h"
#include "tests/actors/fake_kube_api.h"
#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class PodSafety : public ServerTest {
 protected:
  void start_server(std::vector<std::string> extra,
                    std::string recycle_delay = "1s") {
    PkmServerOptions options = default_options();
    options.recycle_delay = recycle_delay;
    options.extra_args = std::move(extra);
    ASSERT_TRUE(ServerTest::start_server(options));
  }

  void start_with_kube_stand_in() {
    start_server({"--kube-watch", "--kube-api", kube_.url(),
                  "--kube-namespace", "validators", "--kube-selector",
                  "app=validator", "--kube-interval", "200ms"});
  }

  std::vector<std::string> allocate_keys(const std::string& pod, int keys) {
    return public_keys(allocate(pod, keys));
  }

  json assignments() { return assignments_over_http(); }

  bool holds_keys(const std::string& pod) {
    json listing = assignments();
    for (const auto& entry : listing.at("assignments")) {
      if (entry.at("pod_name") == pod) return true;
    }
    return false;
  }

  // The value of one un-labelled metric; -1 when absent.
  double metric(const std::string& name) {
    return metric_sample(metrics(), name).value_or(-1);
  }

  // Several watcher intervals, to give a wrong release the chance to
  // happen.
  static void let_the_watcher_look() {
    std::this_thread::sleep_for(milliseconds(1500));
  }

  FakeKubeApi kube_;
  FakeBeaconApi beacon_;
};

TEST_F(PodSafety, DeletedPodIsQuarantinedThenRecycledUsingKubeStandIn) {
  kube_.set_pods({{"validator-0", "uid-0"}, {"validator-9", "uid-9"}});
  start_with_kube_stand_in();
  auto held = allocate_keys("validator-0", 1);
  ASSERT_EQ(held.size(), 1u);

  kube_.set_pods({{"validator-9", "uid-9"}});
  ASSERT_TRUE(wait_until([&] { return !holds_keys("validator-0"); },
                         seconds(10)));
  json right_after = assignments();
  auto during_quarantine = allocate_keys("validator-1", 1);
  bool recycled = wait_until(
      [&] {
        return assignments().at("unassigned").get<int>() >= 1;
      },
      seconds(5));
  auto after_quarantine = allocate_keys("validator-2", 1);

  EXPECT_EQ(right_after.at("quarantined"), 1);
  EXPECT_NE(during_quarantine, held);
  EXPECT_TRUE(recycled);
  EXPECT_EQ(after_quarantine, held);
  EXPECT_GE(metric("pkm_pods_reported_gone_total"), 1);
}

TEST_F(PodSafety, UnknownPhaseAndTerminatingPodKeepKeysUsingKubeStandIn) {
  kube_.set_pods({{"validator-0", "uid-0"}, {"validator-1", "uid-1"}});
  start_with_kube_stand_in();
  allocate_keys("validator-0", 1);
  allocate_keys("validator-1", 1);

  kube_.set_pods({{"validator-0", "uid-0", "Unknown"},
                  {"validator-1", "uid-1", "Running", true}});
  let_the_watcher_look();

  EXPECT_TRUE(holds_keys("validator-0"));
  EXPECT_TRUE(holds_keys("validator-1"));
}

TEST_F(PodSafety,
       ReplacementStartingWhileOldPodTerminatesKeepsKeysUsingKubeStandIn) {
  kube_.set_pods({{"validator-0", "uid-old"}, {"validator-9", "uid-9"}});
  start_with_kube_stand_in();
  auto held = allocate_keys("validator-0", 2);

  kube_.set_pods({{"validator-0", "uid-old", "Running", true},
                  {"validator-9", "uid-9"}});
  let_the_watcher_look();
  kube_.set_pods({{"validator-0", "uid-new", "Pending"},
                  {"validator-9", "uid-9"}});
  auto replacement = allocate_keys("validator-0", 2);
  let_the_watcher_look();
  json listing = assignments();

  EXPECT_EQ(replacement, held);
  EXPECT_TRUE(holds_keys("validator-0"));
  EXPECT_EQ(listing.at("assignments").size(), 1u);
}

TEST_F(PodSafety, ApiErrorTimeoutAndEmptyListReleaseNothingUsingKubeStandIn) {
  kube_.set_pods({{"validator-0", "uid-0"}});
  start_with_kube_stand_in();
  allocate_keys("validator-0", 1);

  kube_.fail_with(500);
  let_the_watcher_look();
  kube_.fail_with(0);
  kube_.set_pods({});
  let_the_watcher_look();

  EXPECT_TRUE(holds_keys("validator-0"));
  EXPECT_GE(metric("pkm_pod_listings_failed_total"), 1);
  EXPECT_GE(metric("pkm_pod_listings_suspicious_total"), 1);
}

TEST_F(PodSafety, HangingKubeApiReleasesNothingUsingKubeStandIn) {
  kube_.set_pods({{"validator-0", "uid-0"}});
  start_with_kube_stand_in();
  allocate_keys("validator-0", 1);

  kube_.hang();
  std::this_thread::sleep_for(seconds(12));
  kube_.release_hung();

  EXPECT_TRUE(holds_keys("validator-0"));
  EXPECT_GE(metric("pkm_pod_listings_failed_total"), 1);
}

TEST_F(PodSafety, ExitedAndSlashedValidatorsAreRetiredUsingBeaconStandIn) {
  start_server({"--beacon-url", beacon_.url(), "--beacon-interval",
                "200ms"});
  auto held = allocate_keys("validator-0", 3);
  ASSERT_EQ(held.size(), 3u);
  auto binary = [](const std::string& hex) {
    std::string bytes;
    for (size_t i = 2; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr,
                                                  16)));
    }
    return bytes;
  };

  beacon_.set_validator(binary(held[0]), {"exited_unslashed", false, 1});
  beacon_.set_validator(binary(held[1]), {"active_slashed", true, 2});
  beacon_.set_validator(binary(held[2]), {"active_ongoing", false, 3});
  bool retired = wait_until(
      [&] { return assignments().at("retired").get<int>() == 2; },
      seconds(10));
  auto topped_up = allocate_keys("validator-0", 3);

  EXPECT_TRUE(retired);
  ASSERT_EQ(topped_up.size(), 3u);
  EXPECT_EQ(topped_up[0], held[2]);
  for (const auto& key : topped_up) {
    EXPECT_NE(key, held[0]);
    EXPECT_NE(key, held[1]);
  }
  EXPECT_EQ(metric("pkm_keys_retired_by_monitor_total"), 2);
}

TEST_F(PodSafety, BeaconApiDownRetiresNothingUsingBeaconStandIn) {
  start_server({"--beacon-url", beacon_.url(), "--beacon-interval",
                "200ms"});
  auto held = allocate_keys("validator-0", 1);

  beacon_.fail_with(503);
  let_the_watcher_look();

  EXPECT_EQ(assignments().at("retired"), 0);
  EXPECT_TRUE(holds_keys("validator-0"));
  EXPECT_GE(metric("pkm_validator_checks_failed_total"), 1);
}

}  // namespace
}  // namespace pkm::testing
