#include "tests/server/traffic_history.h"

namespace pkm::testing {

void TrafficHistory::add(const std::vector<RequestRecord>& records) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& record : records) {
    by_pod_[record.pod_name].push_back(record);
  }
}

void TrafficHistory::add_secret(const std::string& public_key,
                                const std::string& private_key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = secrets_.emplace(public_key, private_key);
  if (!inserted && it->second != private_key) {
    conflicting_.push_back(public_key);
  }
}

std::map<std::string, std::vector<RequestRecord>> TrafficHistory::by_pod()
    const {
  std::lock_guard<std::mutex> lock(mutex_);
  return by_pod_;
}

std::map<std::string, std::string> TrafficHistory::secrets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return secrets_;
}

std::vector<std::string> TrafficHistory::conflicting_secrets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return conflicting_;
}

size_t TrafficHistory::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t count = 0;
  for (const auto& [pod, records] : by_pod_) count += records.size();
  return count;
}

size_t TrafficHistory::acknowledged(RequestKind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t count = 0;
  for (const auto& [pod, records] : by_pod_) {
    for (const auto& record : records) {
      if (record.kind == kind && record.acknowledged) ++count;
    }
  }
  return count;
}

size_t TrafficHistory::refused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t count = 0;
  for (const auto& [pod, records] : by_pod_) {
    for (const auto& record : records) {
      if (!record.error_body.empty()) ++count;
    }
  }
  return count;
}

}  // namespace pkm::testing
