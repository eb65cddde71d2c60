// The pod watcher's judgement: keys are released only on positive evidence
// that a pod is gone.
#include "actors/pod_gone_tracker.h"

#include <gtest/gtest.h>

namespace pkm::actors {
namespace {

PodListing listing(std::vector<PodInfo> pods) {
  PodListing result;
  result.pods = std::move(pods);
  result.resource_version = "1";
  return result;
}

PodInfo pod(std::string name, std::string phase, std::string uid = "u1",
            bool terminating = false) {
  return PodInfo{std::move(name), std::move(uid), std::move(phase),
                 terminating};
}

const std::vector<std::string> kHolders = {"validator-0", "validator-1"};

TEST(PodGoneTracker, PodAbsentFromTwoConsecutiveListingsIsGone) {
  PodGoneTracker tracker;
  auto only_one = listing({pod("validator-1", "Running")});

  auto first = tracker.observe(only_one, kHolders);
  auto second = tracker.observe(only_one, kHolders);

  EXPECT_TRUE(first.gone.empty());
  ASSERT_EQ(second.gone.size(), 1u);
  EXPECT_EQ(second.gone[0].pod_name, "validator-0");
}

TEST(PodGoneTracker, PendingRunningUnknownAndTerminatingPodsAreAlive) {
  PodGoneTracker tracker;
  auto alive = listing({pod("validator-0", "Unknown"),
                        pod("validator-1", "Running", "u1", true)});

  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(tracker.observe(alive, kHolders).gone.empty());
  }
  auto pending = listing({pod("validator-0", "Pending"),
                          pod("validator-1", "")});
  EXPECT_TRUE(tracker.observe(pending, kHolders).gone.empty());
}

TEST(PodGoneTracker, EmptyListingWhilePodsHoldKeysReleasesNothing) {
  PodGoneTracker tracker;

  auto first = tracker.observe(listing({}), kHolders);
  auto second = tracker.observe(listing({}), kHolders);
  auto third = tracker.observe(listing({}), kHolders);

  EXPECT_TRUE(first.suspicious_empty);
  EXPECT_TRUE(second.gone.empty());
  EXPECT_TRUE(third.gone.empty());
}

TEST(PodGoneTracker, FailedListingBreaksTheConsecutiveEvidence) {
  PodGoneTracker tracker;
  auto only_one = listing({pod("validator-1", "Running")});

  tracker.observe(only_one, kHolders);
  tracker.listing_failed();
  auto after_error = tracker.observe(only_one, kHolders);
  auto next = tracker.observe(only_one, kHolders);

  EXPECT_TRUE(after_error.gone.empty());
  EXPECT_EQ(next.gone.size(), 1u);
}

TEST(PodGoneTracker, FinishedPodIsGoneAfterTwoListings) {
  PodGoneTracker tracker;
  auto finished = listing({pod("validator-0", "Succeeded"),
                           pod("validator-1", "Failed")});

  tracker.observe(finished, kHolders);
  auto second = tracker.observe(finished, kHolders);

  EXPECT_EQ(second.gone.size(), 2u);
}

TEST(PodGoneTracker, ReplacementUnderTheSameNameKeepsTheKeys) {
  PodGoneTracker tracker;
  tracker.observe(listing({pod("validator-0", "Running", "old"),
                           pod("validator-1", "Running")}),
                  kHolders);

  auto replaced = tracker.observe(
      listing({pod("validator-0", "Running", "new"),
               pod("validator-1", "Running")}),
      kHolders);
  auto again = tracker.observe(
      listing({pod("validator-0", "Pending", "new"),
               pod("validator-1", "Running")}),
      kHolders);

  EXPECT_EQ(replaced.replaced, std::vector<std::string>{"validator-0"});
  EXPECT_TRUE(replaced.gone.empty());
  EXPECT_TRUE(again.gone.empty());
}

TEST(PodGoneTracker, GonePodIsReportedOnce) {
  PodGoneTracker tracker;
  auto only_one = listing({pod("validator-1", "Running")});

  tracker.observe(only_one, kHolders);
  auto second = tracker.observe(only_one, kHolders);
  auto third = tracker.observe(only_one, kHolders);

  EXPECT_EQ(second.gone.size(), 1u);
  EXPECT_TRUE(third.gone.empty());
}

}  // namespace
}  // namespace pkm::actors
