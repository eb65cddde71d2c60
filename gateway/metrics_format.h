// The Prometheus text exposition (format 0.0.4) of GET /metrics. Part of
// gateway/; a pure function of an actors::MetricsSnapshot, which holds no
// secrets.
#ifndef PKM_GATEWAY_METRICS_FORMAT_H_
#define PKM_GATEWAY_METRICS_FORMAT_H_

#include <string>
#include <string_view>

#include "actors/service_metrics.h"

namespace pkm::gateway {

// The Content-Type of the exposition.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Renders `snapshot` with a HELP and a TYPE line per family:
//   pkm_keys{state}                          gauge
//   pkm_requests_total{kind,result="ok|error"}  counter
//   pkm_request_duration_seconds{kind}       histogram (_bucket with le,
//                                            "+Inf" last, _sum, _count)
//   pkm_deposits{status="pending"}           gauge
//   pkm_deposits_total{status="confirmed|failed"}  counter
//   pkm_funder_balance_wei                   gauge; left out when the
//                                            balance is unknown (empty) or
//                                            not a decimal number
//   pkm_store_transitions_total, pkm_store_writes_total  counters
// Kinds and states are the lower-case names of request_kind_name() and of
// the key lifecycle. Ends with a newline, as the format requires.
std::string render_prometheus_metrics(const actors::MetricsSnapshot& snapshot);

}  // namespace pkm::gateway

#endif  // PKM_GATEWAY_METRICS_FORMAT_H_
