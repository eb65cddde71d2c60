#include "actors/service_metrics.h"

#include <utility>

namespace pkm::actors {

const char* request_kind_name(RequestKind kind) {
  switch (kind) {
    case RequestKind::kAllocate:
      return "allocate";
    case RequestKind::kRelease:
      return "release";
    case RequestKind::kRenew:
      return "renew";
    case RequestKind::kAssignments:
      return "assignments";
  }
  return "unknown";
}

void ServiceMetrics::record_request(RequestKind kind, bool ok,
                                    double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& figures = figures_.requests[static_cast<size_t>(kind)];
  (ok ? figures.ok : figures.failed) += 1;
  for (size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
    if (seconds <= kLatencyBucketsSeconds[i]) figures.buckets[i] += 1;
  }
  figures.count += 1;
  figures.sum_seconds += seconds;
}

void ServiceMetrics::set_key_counts(uint64_t generated, uint64_t depositing,
                                    uint64_t assigned, uint64_t quarantined,
                                    uint64_t unassigned, uint64_t retired) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.keys_generated = generated;
  figures_.keys_depositing = depositing;
  figures_.keys_assigned = assigned;
  figures_.keys_quarantined = quarantined;
  figures_.keys_unassigned = unassigned;
  figures_.keys_retired = retired;
}

void ServiceMetrics::set_deposits_pending(uint64_t pending) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.deposits_pending = pending;
}

void ServiceMetrics::add_deposits_confirmed(uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.deposits_confirmed += count;
}

void ServiceMetrics::add_deposits_failed(uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.deposits_failed += count;
}

void ServiceMetrics::set_funder_balance_wei(std::string decimal) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.funder_balance_wei = std::move(decimal);
}

void ServiceMetrics::set_store_counters(uint64_t transitions,
                                        uint64_t writes) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.store_transitions = transitions;
  figures_.store_writes = writes;
}

void ServiceMetrics::add_pod_listing_failed() {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.pod_listings_failed += 1;
}

void ServiceMetrics::add_pod_listing_suspicious() {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.pod_listings_suspicious += 1;
}

void ServiceMetrics::add_pods_reported_gone(uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.pods_reported_gone += count;
}

void ServiceMetrics::add_validator_check_failed() {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.validator_checks_failed += 1;
}

void ServiceMetrics::add_keys_retired_by_monitor(uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  figures_.keys_retired_by_monitor += count;
}

MetricsSnapshot ServiceMetrics::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return figures_;
}

}  // namespace pkm::actors
