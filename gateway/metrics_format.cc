#include "gateway/metrics_format.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <utility>

namespace pkm::gateway {
namespace {

void append_number(std::string& out, uint64_t number) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), number);
  (void)error;  // 24 characters always hold a uint64_t
  out.append(digits, end);
}

// The shortest text that reads back as `value`, in the spelling Prometheus
// expects for the special values.
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Plain decimals ("0.0005", not "5e-04") read best; a value too long
  // for that falls back to the shortest form, which may use an exponent.
  char digits[64];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value,
                                    std::chars_format::fixed);
  if (error != std::errc()) {
    auto shortest = std::to_chars(digits, digits + sizeof(digits), value);
    end = shortest.ptr;  // 64 characters hold any double in shortest form
  }
  out.append(digits, end);
}

void append_header(std::string& out, const char* name, const char* type,
                   const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `name{label="value"} number`; the label values rendered here are fixed
// words of this file, so they need no escaping.
template <class Number>
void append_sample(std::string& out, const char* name, const char* labels,
                   Number value) {
  out += name;
  if (labels != nullptr && *labels != '\0') {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  append_number(out, value);
  out += '\n';
}

bool is_decimal(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void append_keys(std::string& out, const actors::MetricsSnapshot& snapshot) {
  append_header(out, "pkm_keys", "gauge",
                "Validator keys by lifecycle state.");
  const std::pair<const char*, uint64_t> states[] = {
      {"state=\"generated\"", snapshot.keys_generated},
      {"state=\"depositing\"", snapshot.keys_depositing},
      {"state=\"assigned\"", snapshot.keys_assigned},
      {"state=\"quarantined\"", snapshot.keys_quarantined},
      {"state=\"unassigned\"", snapshot.keys_unassigned},
      {"state=\"retired\"", snapshot.keys_retired},
  };
  for (const auto& [labels, count] : states) {
    append_sample(out, "pkm_keys", labels, count);
  }
}

void append_requests(std::string& out,
                     const actors::MetricsSnapshot& snapshot) {
  append_header(out, "pkm_requests_total", "counter",
                "Requests answered over NATS, by kind and result.");
  for (size_t k = 0; k < actors::kRequestKinds; ++k) {
    const auto& figures = snapshot.requests[k];
    std::string kind = "kind=\"";
    kind += actors::request_kind_name(static_cast<actors::RequestKind>(k));
    kind += '"';
    append_sample(out, "pkm_requests_total",
                  (kind + ",result=\"ok\"").c_str(), figures.ok);
    append_sample(out, "pkm_requests_total",
                  (kind + ",result=\"error\"").c_str(), figures.failed);
  }

  append_header(out, "pkm_request_duration_seconds", "histogram",
                "Time from a request's arrival to its reply, by kind.");
  for (size_t k = 0; k < actors::kRequestKinds; ++k) {
    const auto& figures = snapshot.requests[k];
    std::string kind = "kind=\"";
    kind += actors::request_kind_name(static_cast<actors::RequestKind>(k));
    kind += '"';
    for (size_t b = 0; b < actors::kLatencyBucketsSeconds.size(); ++b) {
      std::string labels = kind + ",le=\"";
      append_number(labels, actors::kLatencyBucketsSeconds[b]);
      labels += '"';
      append_sample(out, "pkm_request_duration_seconds_bucket",
                    labels.c_str(), figures.buckets[b]);
    }
    append_sample(out, "pkm_request_duration_seconds_bucket",
                  (kind + ",le=\"+Inf\"").c_str(), figures.count);
    append_sample(out, "pkm_request_duration_seconds_sum", kind.c_str(),
                  figures.sum_seconds);
    append_sample(out, "pkm_request_duration_seconds_count", kind.c_str(),
                  figures.count);
  }
}

void append_deposits(std::string& out,
                     const actors::MetricsSnapshot& snapshot) {
  append_header(out, "pkm_deposits", "gauge",
                "Deposit transactions sent and not yet confirmed.");
  append_sample(out, "pkm_deposits", "status=\"pending\"",
                snapshot.deposits_pending);

  append_header(out, "pkm_deposits_total", "counter",
                "Deposit transactions confirmed or failed since start.");
  append_sample(out, "pkm_deposits_total", "status=\"confirmed\"",
                snapshot.deposits_confirmed);
  append_sample(out, "pkm_deposits_total", "status=\"failed\"",
                snapshot.deposits_failed);

  // The balance can exceed 2^64 wei; the decimal text is already a valid
  // sample value. Anything else would break the whole exposition.
  if (is_decimal(snapshot.funder_balance_wei)) {
    append_header(out, "pkm_funder_balance_wei", "gauge",
                  "Balance of the funder account in wei.");
    out += "pkm_funder_balance_wei ";
    out += snapshot.funder_balance_wei;
    out += '\n';
  }
}

void append_store(std::string& out, const actors::MetricsSnapshot& snapshot) {
  append_header(out, "pkm_store_transitions_total", "counter",
                "State transitions made durable by the store.");
  append_sample(out, "pkm_store_transitions_total", "",
                snapshot.store_transitions);
  append_header(out, "pkm_store_writes_total", "counter",
                "Synced RocksDB writes carrying those transitions.");
  append_sample(out, "pkm_store_writes_total", "", snapshot.store_writes);
}

void append_safety(std::string& out,
                   const actors::MetricsSnapshot& snapshot) {
  append_header(out, "pkm_pod_listings_failed_total", "counter",
                "Pod listings that failed; nothing was released.");
  append_sample(out, "pkm_pod_listings_failed_total", "",
                snapshot.pod_listings_failed);
  append_header(out, "pkm_pod_listings_suspicious_total", "counter",
                "Empty pod listings ignored while pods held keys.");
  append_sample(out, "pkm_pod_listings_suspicious_total", "",
                snapshot.pod_listings_suspicious);
  append_header(out, "pkm_pods_reported_gone_total", "counter",
                "Pods the pod watcher found gone.");
  append_sample(out, "pkm_pods_reported_gone_total", "",
                snapshot.pods_reported_gone);
  append_header(out, "pkm_validator_checks_failed_total", "counter",
                "Beacon node queries that failed; nothing was retired.");
  append_sample(out, "pkm_validator_checks_failed_total", "",
                snapshot.validator_checks_failed);
  append_header(out, "pkm_keys_retired_by_monitor_total", "counter",
                "Keys the validator monitor retired (exited or slashed).");
  append_sample(out, "pkm_keys_retired_by_monitor_total", "",
                snapshot.keys_retired_by_monitor);
}

}  // namespace

std::string render_prometheus_metrics(
    const actors::MetricsSnapshot& snapshot) {
  std::string out;
  out.reserve(8192);
  append_keys(out, snapshot);
  append_requests(out, snapshot);
  append_deposits(out, snapshot);
  append_store(out, snapshot);
  append_safety(out, snapshot);
  return out;
}

}  // namespace pkm::gateway
