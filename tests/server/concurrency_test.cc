// Invariant 1 under load: many pods asking at once, some of them several
// times with different numbers of keys, never share a key, and a pod's
// keys only ever grow.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

constexpr int kPods = 100;
constexpr int kSenders = 4;

// How many times pod `index` asks: 10 pods once, 20 twice, 30 three times
// and 40 four times, 300 requests in all.
int asks_of(int index) {
  if (index < 10) return 1;
  if (index < 30) return 2;
  if (index < 60) return 3;
  return 4;
}

std::string pod_name(int index) {
  return "validator-" + std::to_string(index);
}

struct SentRequest {
  int pod = 0;
  int keys = 0;
};

// Is `shorter` the start of `longer`?
bool is_prefix(const std::vector<std::string>& shorter,
               const std::vector<std::string>& longer) {
  return shorter.size() <= longer.size() &&
         std::equal(shorter.begin(), shorter.end(), longer.begin());
}

class ConcurrentAllocation : public ServerTest {
 protected:
  void SetUp() override { ASSERT_TRUE(start_server()); }

  // Every pod's requests, shuffled, split among kSenders connections that
  // each publish their share at once. Replies come back in `replies`.
  void send_all_at_once() {
    for (int pod = 0; pod < kPods; ++pod) {
      for (int ask = 0; ask < asks_of(pod); ++ask) {
        // 1 to 4 keys, a different number on each ask of a pod.
        sent_.push_back({pod, (pod + ask) % 4 + 1});
      }
    }
    std::mt19937 random(20240601);
    std::shuffle(sent_.begin(), sent_.end(), random);

    std::vector<std::vector<NatsRequest>> shares(kSenders);
    for (size_t i = 0; i < sent_.size(); ++i) {
      json body = {{"pod_name", pod_name(sent_[i].pod)},
                   {"number_of_keys", sent_[i].keys}};
      shares[i % kSenders].push_back({"pkm.allocate", body.dump(), ""});
    }
    std::vector<std::vector<NatsReply>> answers(kSenders);
    std::vector<std::unique_ptr<NatsBurst>> bursts;
    for (int s = 0; s < kSenders; ++s) {
      bursts.push_back(std::make_unique<NatsBurst>(nats_.url()));
    }
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] {
        answers[s] = bursts[s]->send_all(shares[s], std::chrono::seconds(60));
      });
    }
    for (auto& sender : senders) sender.join();

    replies_.resize(sent_.size());
    for (size_t i = 0; i < sent_.size(); ++i) {
      replies_[i] = answers[i % kSenders][i / kSenders];
    }
  }

  std::vector<SentRequest> sent_;
  std::vector<NatsReply> replies_;
};

TEST_F(ConcurrentAllocation, ThreeHundredRequestsOfAHundredPodsShareNoKey) {
  send_all_at_once();

  ASSERT_EQ(sent_.size(), 300u);
  // Every reply per pod, and which pod each public key went to.
  std::map<int, std::vector<std::vector<std::string>>> seen;
  std::map<std::string, std::set<int>> holders;
  for (size_t i = 0; i < sent_.size(); ++i) {
    ASSERT_TRUE(replies_[i].ok) << "request " << i << ": "
                                << replies_[i].error;
    ASSERT_EQ(replies_[i].service_error_code(), 0) << replies_[i].body;
    json body = parse_json(replies_[i].body);
    ASSERT_EQ(body.at("pod_name"), pod_name(sent_[i].pod));
    auto keys = public_keys(body);
    EXPECT_GE(keys.size(), static_cast<size_t>(sent_[i].keys))
        << pod_name(sent_[i].pod);
    seen[sent_[i].pod].push_back(keys);
    for (const auto& key : keys) holders[key].insert(sent_[i].pod);
  }
  for (const auto& [key, pods] : holders) {
    EXPECT_EQ(pods.size(), 1u) << key << " went to " << pods.size()
                               << " pods";
  }

  // The replies of one pod form a chain: each earlier (shorter) reply is
  // the start of every later one, so a pod never loses or swaps a key.
  std::map<std::string, std::vector<std::string>> final_keys;
  for (auto& [pod, replies] : seen) {
    std::sort(replies.begin(), replies.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (size_t i = 1; i < replies.size(); ++i) {
      EXPECT_TRUE(is_prefix(replies[i - 1], replies[i])) << pod_name(pod);
    }
    final_keys[pod_name(pod)] = replies.back();
  }
  EXPECT_EQ(final_keys.size(), static_cast<size_t>(kPods));

  // The HTTP page and pkm.assignments tell the same story.
  for (const json& view : {assignments_over_http(), assignments_over_nats()}) {
    ASSERT_TRUE(view.contains("assignments")) << view.dump();
    std::map<std::string, std::vector<std::string>> listed;
    std::set<std::string> distinct;
    size_t total = 0;
    for (const auto& pod : view.at("assignments")) {
      auto keys = pod.at("public_keys").get<std::vector<std::string>>();
      listed[pod.at("pod_name").get<std::string>()] = keys;
      distinct.insert(keys.begin(), keys.end());
      total += keys.size();
    }
    EXPECT_EQ(distinct.size(), total) << "a key is listed twice";
    EXPECT_EQ(listed, final_keys);
  }

  // Asked once more, for one key, every pod sees the same keys again.
  std::vector<NatsRequest> again;
  for (int pod = 0; pod < kPods; ++pod) {
    json body = {{"pod_name", pod_name(pod)}, {"number_of_keys", 1}};
    again.push_back({"pkm.allocate", body.dump(), ""});
  }
  auto answers =
      NatsBurst(nats_.url()).send_all(again, std::chrono::seconds(60));
  for (int pod = 0; pod < kPods; ++pod) {
    ASSERT_TRUE(answers[pod].ok) << answers[pod].error;
    EXPECT_EQ(public_keys(parse_json(answers[pod].body)),
              final_keys[pod_name(pod)]);
  }
}

}  // namespace
}  // namespace pkm::testing
