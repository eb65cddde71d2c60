// Counters and gauges of the running service, shared by the actors that
// update them and the HTTP gateway that renders them for Prometheus. Every
// member is thread-safe (atomics and one mutex for the histogram); none
// ever holds a secret.
#ifndef PKM_ACTORS_SERVICE_METRICS_H_
#define PKM_ACTORS_SERVICE_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace pkm::actors {

// The request kinds the NATS gateway counts.
enum class RequestKind { kAllocate, kRelease, kRenew, kAssignments };
inline constexpr size_t kRequestKinds = 4;
const char* request_kind_name(RequestKind kind);

// Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
inline constexpr std::array<double, 12> kLatencyBucketsSeconds = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025,
    0.05,   0.1,   0.25,  1.0,   5.0,  30.0};

// A copy of every figure at one moment, for rendering.
struct MetricsSnapshot {
  struct RequestFigures {
    uint64_t ok = 0;
    uint64_t failed = 0;
    // Cumulative per bucket, like Prometheus: bucket i counts requests
    // that took at most kLatencyBucketsSeconds[i].
    std::array<uint64_t, kLatencyBucketsSeconds.size()> buckets{};
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  std::array<RequestFigures, kRequestKinds> requests;

  // Keys by records::KeyState (the allocator's view).
  uint64_t keys_generated = 0;
  uint64_t keys_depositing = 0;
  uint64_t keys_assigned = 0;
  uint64_t keys_quarantined = 0;
  uint64_t keys_unassigned = 0;
  uint64_t keys_retired = 0;

  // Deposit transactions: sent and not yet confirmed, confirmed, failed
  // (reverted or refused) since start.
  uint64_t deposits_pending = 0;
  uint64_t deposits_confirmed = 0;
  uint64_t deposits_failed = 0;
  // Funder balance in wei as decimal text; empty when unknown (deposit
  // mode none, or not read yet).
  std::string funder_balance_wei;

  // Store group commit figures.
  uint64_t store_transitions = 0;
  uint64_t store_writes = 0;

  // Pod watcher: listings that failed (API error, timeout), empty
  // listings ignored while pods held keys, and pods reported gone.
  uint64_t pod_listings_failed = 0;
  uint64_t pod_listings_suspicious = 0;
  uint64_t pods_reported_gone = 0;
  // Validator monitor: beacon queries that failed, and keys it retired.
  uint64_t validator_checks_failed = 0;
  uint64_t keys_retired_by_monitor = 0;
};

class ServiceMetrics {
 public:
  // Counts one answered request and how long it took, from arrival at the
  // gateway to the reply being handed to NATS.
  void record_request(RequestKind kind, bool ok, double seconds);

  // Set by the allocator whenever its counts change.
  void set_key_counts(uint64_t generated, uint64_t depositing,
                      uint64_t assigned, uint64_t quarantined,
                      uint64_t unassigned, uint64_t retired);

  void set_deposits_pending(uint64_t pending);
  void add_deposits_confirmed(uint64_t count);
  void add_deposits_failed(uint64_t count);
  void set_funder_balance_wei(std::string decimal);

  void set_store_counters(uint64_t transitions, uint64_t writes);

  void add_pod_listing_failed();
  void add_pod_listing_suspicious();
  void add_pods_reported_gone(uint64_t count);
  void add_validator_check_failed();
  void add_keys_retired_by_monitor(uint64_t count);

  MetricsSnapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  MetricsSnapshot figures_;
};

}  // namespace pkm::actors

#endif  // PKM_ACTORS_SERVICE_METRICS_H_
