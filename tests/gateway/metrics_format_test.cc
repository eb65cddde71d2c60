#include "gateway/metrics_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace pkm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

actors::MetricsSnapshot sample_snapshot() {
  actors::ServiceMetrics metrics;
  // Powers of two, so the sum is exact.
  metrics.record_request(actors::RequestKind::kAllocate, true, 0.000244140625);
  metrics.record_request(actors::RequestKind::kAllocate, true, 0.00390625);
  metrics.record_request(actors::RequestKind::kAllocate, false, 2.0);
  metrics.record_request(actors::RequestKind::kRelease, true, 0.02);
  metrics.set_key_counts(1, 2, 3, 4, 5, 6);
  metrics.set_deposits_pending(7);
  metrics.add_deposits_confirmed(8);
  metrics.add_deposits_failed(9);
  metrics.set_store_counters(10, 11);
  return metrics.snapshot();
}

TEST(PrometheusMetrics, EveryFamilyHasHelpAndTypeLines) {
  actors::MetricsSnapshot snapshot = sample_snapshot();
  snapshot.funder_balance_wei = "1";

  std::string text = render_prometheus_metrics(snapshot);

  for (const char* family :
       {"pkm_keys gauge", "pkm_requests_total counter",
        "pkm_request_duration_seconds histogram", "pkm_deposits gauge",
        "pkm_deposits_total counter", "pkm_funder_balance_wei gauge",
        "pkm_store_transitions_total counter",
        "pkm_store_writes_total counter"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family + "\n"));
    std::string name(family, std::string(family).find(' '));
    EXPECT_THAT(text, HasSubstr("# HELP " + name + " "));
  }
}

TEST(PrometheusMetrics, EveryLineIsACommentOrAWellFormedSample) {
  std::string text = render_prometheus_metrics(sample_snapshot());
  std::regex sample(
      R"([a-z_]+(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})? )"
      R"(([0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?|\+Inf|-Inf|NaN))");

  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  for (const std::string& line : lines_of(text)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
}

TEST(PrometheusMetrics, KeysAreGaugesByLowerCaseState) {
  std::string text = render_prometheus_metrics(sample_snapshot());

  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"generated\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"depositing\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"assigned\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"quarantined\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"unassigned\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("pkm_keys{state=\"retired\"} 6\n"));
}

TEST(PrometheusMetrics, RequestsAreCountedByKindAndResult) {
  std::string text = render_prometheus_metrics(sample_snapshot());

  EXPECT_THAT(text, HasSubstr("pkm_requests_total{kind=\"allocate\","
                              "result=\"ok\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pkm_requests_total{kind=\"allocate\","
                              "result=\"error\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pkm_requests_total{kind=\"release\","
                              "result=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pkm_requests_total{kind=\"assignments\","
                              "result=\"error\"} 0\n"));
}

TEST(PrometheusMetrics, HistogramBucketsAreCumulativeAndEndWithInf) {
  std::string text = render_prometheus_metrics(sample_snapshot());
  const std::string bucket =
      "pkm_request_duration_seconds_bucket{kind=\"allocate\",le=";

  EXPECT_THAT(text, HasSubstr(bucket + "\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.002\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"5\"} 3\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"30\"} 3\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("pkm_request_duration_seconds_count"
                              "{kind=\"allocate\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("pkm_request_duration_seconds_sum"
                              "{kind=\"allocate\"} 2.004150390625\n"));
  // +Inf comes right after the largest finite bucket.
  EXPECT_THAT(text, HasSubstr(bucket + "\"30\"} 3\n" + bucket +
                              "\"+Inf\"} 3\n"));
}

TEST(PrometheusMetrics, DepositsArePendingGaugeAndOutcomeCounters) {
  std::string text = render_prometheus_metrics(sample_snapshot());

  EXPECT_THAT(text, HasSubstr("pkm_deposits{status=\"pending\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("pkm_deposits_total{status=\"confirmed\"} 8\n"));
  EXPECT_THAT(text, HasSubstr("pkm_deposits_total{status=\"failed\"} 9\n"));
  EXPECT_THAT(text, HasSubstr("pkm_store_transitions_total 10\n"));
  EXPECT_THAT(text, HasSubstr("pkm_store_writes_total 11\n"));
}

TEST(PrometheusMetrics, FunderBalanceIsLeftOutWhenUnknown) {
  std::string text = render_prometheus_metrics(sample_snapshot());

  EXPECT_THAT(text, Not(HasSubstr("pkm_funder_balance_wei")));
}

TEST(PrometheusMetrics, FunderBalanceBeyond64BitsIsWrittenWhole) {
  actors::MetricsSnapshot snapshot = sample_snapshot();
  snapshot.funder_balance_wei = "123456789012345678901234567890";

  std::string text = render_prometheus_metrics(snapshot);

  EXPECT_THAT(text, HasSubstr("\npkm_funder_balance_wei "
                              "123456789012345678901234567890\n"));
}

TEST(PrometheusMetrics, FunderBalanceThatIsNotADecimalIsLeftOut) {
  actors::MetricsSnapshot snapshot = sample_snapshot();
  snapshot.funder_balance_wei = "12\nfake_metric 1";

  std::string text = render_prometheus_metrics(snapshot);

  EXPECT_THAT(text, Not(HasSubstr("fake_metric")));
  EXPECT_THAT(text, Not(HasSubstr("pkm_funder_balance_wei")));
}

}  // namespace
}  // namespace pkm::gateway
