#include "gateway/assignments_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace pkm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Bytes filled(size_t size, uint8_t fill) { return Bytes(size, fill); }

actors::KeyView key_view(uint8_t fill, const std::string& pod,
                         bool with_tx = true) {
  actors::KeyView key;
  key.public_key = filled(48, fill);
  key.state = records::KEY_STATE_ASSIGNED;
  key.pod_name = pod;
  if (with_tx) key.deposit_tx = filled(32, static_cast<uint8_t>(fill + 1));
  key.since_unix_ms = 1700000000123;
  return key;
}

// Two pods, three keys, and every count different so a swap shows.
actors::AssignmentsView sample_view() {
  actors::AssignmentsView view;
  actors::PodView first;
  first.pod_name = "validator-0";
  first.keys.push_back(key_view(0xa1, "validator-0"));
  first.keys.push_back(key_view(0xa2, "validator-0", /*with_tx=*/false));
  first.lease_expires_unix_ms = 1700000600000;
  actors::PodView second;
  second.pod_name = "validator-1";
  second.keys.push_back(key_view(0xb1, "validator-1"));
  view.pods = {first, second};
  view.unassigned = 5;
  view.quarantined = 4;
  view.depositing = 6;
  view.retired = 2;
  view.generated = 1;
  view.read_at_unix_ms = 1700000500000;
  return view;
}

std::string hex_of(size_t size, uint8_t fill) {
  return to_hex(filled(size, fill));
}

TEST(AssignmentsJson, HasTheFieldsOfTheNatsReplyAndTheAdditions) {
  std::string text = render_assignments_json(sample_view());

  auto json = nlohmann::json::parse(text);

  ASSERT_EQ(json["assignments"].size(), 2u);
  const auto& pod = json["assignments"][0];
  EXPECT_EQ(pod["pod_name"], "validator-0");
  EXPECT_EQ(pod["public_keys"],
            nlohmann::json::array({hex_of(48, 0xa1), hex_of(48, 0xa2)}));
  EXPECT_EQ(pod["lease_expires_unix_ms"], 1700000600000u);
  ASSERT_EQ(pod["keys"].size(), 2u);
  EXPECT_EQ(pod["keys"][0]["public_key"], hex_of(48, 0xa1));
  EXPECT_EQ(pod["keys"][0]["state"], "assigned");
  EXPECT_EQ(pod["keys"][0]["deposit_tx"], hex_of(32, 0xa2));
  EXPECT_EQ(pod["keys"][0]["since_unix_ms"], 1700000000123u);
  EXPECT_EQ(json["assignments"][1]["pod_name"], "validator-1");
  EXPECT_EQ(json["unassigned"], 5);
  EXPECT_EQ(json["quarantined"], 4);
  EXPECT_EQ(json["depositing"], 6);
  EXPECT_EQ(json["retired"], 2);
  EXPECT_EQ(json["generated"], 1);
}

TEST(AssignmentsJson, EmptyDepositTxIsTheBareHexPrefix) {
  auto json = nlohmann::json::parse(render_assignments_json(sample_view()));

  EXPECT_EQ(json["assignments"][0]["keys"][1]["deposit_tx"], "0x");
}

TEST(AssignmentsJson, EmptyViewIsAnEmptyListWithZeroCounts) {
  auto json =
      nlohmann::json::parse(render_assignments_json(actors::AssignmentsView{}));

  EXPECT_TRUE(json["assignments"].is_array());
  EXPECT_TRUE(json["assignments"].empty());
  EXPECT_EQ(json["unassigned"], 0);
  EXPECT_EQ(json["generated"], 0);
}

TEST(AssignmentsJson, QuotesAndControlCharactersInAPodNameStayValidJson) {
  actors::AssignmentsView view = sample_view();
  view.pods[0].pod_name = "odd\"name\\with\nbreak\x01";

  auto json = nlohmann::json::parse(render_assignments_json(view));

  EXPECT_EQ(json["assignments"][0]["pod_name"], "odd\"name\\with\nbreak\x01");
}

TEST(AssignmentsText, OneLinePerKeyPodsByName) {
  std::string text = render_assignments_text(sample_view());

  EXPECT_EQ(text, "validator-0=" + hex_of(48, 0xa1) + "\n" +
                      "validator-0=" + hex_of(48, 0xa2) + "\n" +
                      "validator-1=" + hex_of(48, 0xb1) + "\n");
}

TEST(HtmlEscape, ReplacesEveryMarkupCharacter) {
  std::string out = "kept ";

  append_html_escaped(out, "<script>alert('x') & \"y\"</script>");

  EXPECT_EQ(out,
            "kept &lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;"
            "&lt;/script&gt;");
}

TEST(AssignmentsHtml, HostilePodNameIsEscaped) {
  actors::AssignmentsView view = sample_view();
  view.pods[1].pod_name = "<img src=x onerror=\"alert(1)\">";

  std::string html = render_assignments_html(view);

  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=&quot;alert(1)&quot;"
                              "&gt;"));
}

TEST(AssignmentsHtml, PageIsTitledAndListsEveryKeyWithItsDetails) {
  std::string html = render_assignments_html(sample_view());

  EXPECT_THAT(html, HasSubstr("<title>pkm assignments</title>"));
  EXPECT_THAT(html, HasSubstr("validator-0"));
  EXPECT_THAT(html, HasSubstr(hex_of(48, 0xa1)));
  EXPECT_THAT(html, HasSubstr(hex_of(48, 0xa2)));
  EXPECT_THAT(html, HasSubstr(hex_of(48, 0xb1)));
  EXPECT_THAT(html, HasSubstr(hex_of(32, 0xa2)));
  EXPECT_THAT(html, HasSubstr(">assigned<"));
  EXPECT_THAT(html, HasSubstr("2023-11-14T22:13:20.123Z"));
  EXPECT_THAT(html, Not(HasSubstr("ASSIGNED")));
}

TEST(AssignmentsHtml, SummaryShowsEveryCount) {
  std::string html = render_assignments_html(sample_view());

  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">assigned</th><td>3</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">unassigned</th><td>5</td>"));
  EXPECT_THAT(html,
              HasSubstr("<th scope=\"row\">quarantined</th><td>4</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">depositing</th><td>6</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">generated</th><td>1</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">retired</th><td>2</td>"));
}

TEST(AssignmentsHtml, PageIsSelfContained) {
  std::string html = render_assignments_html(sample_view());

  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, HasSubstr("<style>"));
}

TEST(AssignmentsHtml, EmptyViewSaysNoPodHoldsKeys) {
  std::string html = render_assignments_html(actors::AssignmentsView{});

  EXPECT_THAT(html, HasSubstr("No pod holds keys."));
  EXPECT_THAT(html, HasSubstr("</html>"));
}

TEST(KeyStateName, StatesAreLowerCaseWords) {
  EXPECT_STREQ(key_state_name(records::KEY_STATE_GENERATED), "generated");
  EXPECT_STREQ(key_state_name(records::KEY_STATE_DEPOSITING), "depositing");
  EXPECT_STREQ(key_state_name(records::KEY_STATE_ASSIGNED), "assigned");
  EXPECT_STREQ(key_state_name(records::KEY_STATE_QUARANTINED),
               "quarantined");
  EXPECT_STREQ(key_state_name(records::KEY_STATE_UNASSIGNED), "unassigned");
  EXPECT_STREQ(key_state_name(records::KEY_STATE_RETIRED), "retired");
}

TEST(FormatUtcIso8601, WritesMillisecondsInUtc) {
  EXPECT_EQ(format_utc_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_iso8601(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_utc_iso8601(UINT64_MAX), "18446744073709551615 ms");
}

TEST(AssignmentsJson, HundredThousandKeysRenderInOnePass) {
  actors::AssignmentsView view;
  for (int p = 0; p < 1000; ++p) {
    actors::PodView pod;
    pod.pod_name = "validator-" + std::to_string(p);
    for (int k = 0; k < 100; ++k) {
      pod.keys.push_back(key_view(static_cast<uint8_t>(k), pod.pod_name));
    }
    view.pods.push_back(std::move(pod));
  }

  auto started = std::chrono::steady_clock::now();
  std::string text = render_assignments_json(view);
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - started)
                       .count();

  auto json = nlohmann::json::parse(text);
  size_t keys = 0;
  for (const auto& pod : json["assignments"]) keys += pod["keys"].size();
  EXPECT_EQ(keys, 100000u);
  // Timing is reported, not asserted: the machine is shared.
  RecordProperty("render_seconds", std::to_string(seconds));
  std::cout << "render_assignments_json of 100000 keys took " << seconds
            << " s, " << text.size() << " bytes\n";
}

}  // namespace
}  // namespace pkm::gateway
