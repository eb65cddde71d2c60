#include "gateway/http_gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/actors/assignments_store_fixture.h"

namespace pkm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

actors::AssignmentsView one_pod_view() {
  actors::AssignmentsView view;
  actors::PodView pod;
  pod.pod_name = "validator-0";
  actors::KeyView key;
  key.public_key = Bytes(48, 0xab);
  key.state = records::KEY_STATE_ASSIGNED;
  key.pod_name = "validator-0";
  key.since_unix_ms = 1700000000000;
  pod.keys.push_back(key);
  view.pods.push_back(pod);
  view.unassigned = 2;
  return view;
}

// Fake sources whose answers a test can change while the gateway runs.
struct FakeSources {
  std::mutex mutex;
  Result<actors::AssignmentsView> assignments = one_pod_view();
  actors::MetricsSnapshot metrics;
  HttpGateway::Readiness readiness{true, true, true, ""};

  HttpGateway::Sources sources() {
    HttpGateway::Sources sources;
    sources.assignments = [this] {
      std::lock_guard<std::mutex> lock(mutex);
      return assignments;
    };
    sources.metrics = [this] {
      std::lock_guard<std::mutex> lock(mutex);
      return metrics;
    };
    sources.readiness = [this] {
      std::lock_guard<std::mutex> lock(mutex);
      return readiness;
    };
    return sources;
  }
};

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpGateway::Options options;
    options.listen = "127.0.0.1:0";
    auto started = HttpGateway::start(options, fake_.sources());
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    gateway_ = std::move(started).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1",
                                                gateway_->port());
    client_->set_read_timeout(std::chrono::seconds(10));
  }

  httplib::Result get(const std::string& path,
                      const httplib::Headers& headers = {}) {
    return client_->Get(path.c_str(), headers);
  }

  FakeSources fake_;
  std::unique_ptr<HttpGateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
};

TEST(ParseListenAddress, AcceptsHostAndPort) {
  auto address = parse_listen_address("127.0.0.1:8080");

  ASSERT_TRUE(address.ok()) << address.error().to_string();
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 8080);
}

TEST(ParseListenAddress, AcceptsBracketedIpv6AndPortZero) {
  auto address = parse_listen_address("[::1]:0");

  ASSERT_TRUE(address.ok()) << address.error().to_string();
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->port, 0);
}

TEST(ParseListenAddress, RefusesBadValuesNamingThemAndWhatIsAllowed) {
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536",
        "127.0.0.1:80a", "::1:8080", "[::1:8080", "local host:80",
        "127.0.0.1:123456", "[]:80"}) {
    auto address = parse_listen_address(bad);

    ASSERT_FALSE(address.ok()) << bad;
    EXPECT_EQ(address.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(address.error().message,
                HasSubstr("\"" + std::string(bad) + "\""));
    EXPECT_THAT(address.error().message, HasSubstr("allowed: host:port"));
  }
}

TEST(HttpGatewayStart, RefusesABadListenAddressNamingIt) {
  FakeSources fake;
  HttpGateway::Options options;
  options.listen = "localhost:99999";

  auto started = HttpGateway::start(options, fake.sources());

  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(started.error().message, HasSubstr("localhost:99999"));
}

TEST(HttpGatewayStart, RefusesAMissingSource) {
  FakeSources fake;
  HttpGateway::Sources sources = fake.sources();
  sources.readiness = nullptr;
  HttpGateway::Options options;
  options.listen = "127.0.0.1:0";

  auto started = HttpGateway::start(options, sources);

  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(started.error().message, HasSubstr("readiness"));
}

TEST(HttpGatewayStart, PortInUseIsUnavailableNamingTheAddress) {
  FakeSources fake;
  HttpGateway::Options options;
  options.listen = "127.0.0.1:0";
  auto first = HttpGateway::start(options, fake.sources());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());

  auto second = HttpGateway::start(options, fake.sources());

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(second.error().message, HasSubstr(options.listen));
}

TEST(HttpGatewayStart, StopClosesThePortAndMayBeRepeated) {
  FakeSources fake;
  HttpGateway::Options options;
  options.listen = "127.0.0.1:0";
  auto started = HttpGateway::start(options, fake.sources());
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  httplib::Client client("127.0.0.1", (*started)->port());
  ASSERT_TRUE(client.Get("/healthz"));

  (*started)->stop();
  (*started)->stop();

  EXPECT_FALSE(client.Get("/healthz"));
}

TEST_F(HttpGatewayTest, AssignmentsAreHtmlByDefault) {
  auto response = get("/assignments");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("text/html"));
  EXPECT_THAT(response->body, HasSubstr("<title>pkm assignments</title>"));
  EXPECT_THAT(response->body, HasSubstr("validator-0"));
  EXPECT_THAT(response->body, HasSubstr(to_hex(Bytes(48, 0xab))));
}

TEST_F(HttpGatewayTest, AssignmentsAreJsonForAnAcceptHeaderNamingJson) {
  auto response =
      get("/assignments", {{"Accept", "text/html;q=0.5, application/json"}});

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("application/json"));
  auto json = nlohmann::json::parse(response->body);
  EXPECT_EQ(json["assignments"][0]["pod_name"], "validator-0");
  EXPECT_EQ(json["unassigned"], 2);
}

TEST_F(HttpGatewayTest, AssignmentsAreJsonForFormatJson) {
  auto response = get("/assignments?format=json");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("application/json"));
  auto json = nlohmann::json::parse(response->body);
  EXPECT_EQ(json["assignments"][0]["public_keys"][0],
            to_hex(Bytes(48, 0xab)));
}

TEST_F(HttpGatewayTest, FormatParameterWinsOverTheAcceptHeader) {
  auto response =
      get("/assignments?format=html", {{"Accept", "application/json"}});

  ASSERT_TRUE(response);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("text/html"));
}

TEST_F(HttpGatewayTest, AssignmentsAreTextLinesForFormatText) {
  auto response = get("/assignments?format=text");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("text/plain"));
  EXPECT_EQ(response->body,
            "validator-0=" + to_hex(Bytes(48, 0xab)) + "\n");
}

TEST_F(HttpGatewayTest, UnknownFormatIsRefusedNamingAllowedValues) {
  auto response = get("/assignments?format=bogus");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_THAT(response->body, HasSubstr("bogus"));
  EXPECT_THAT(response->body, HasSubstr("json, text, html"));
}

TEST_F(HttpGatewayTest, UnavailableAssignmentsAre503WithTheMessage) {
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.assignments =
        Error{ErrorCode::kUnavailable, "store is still opening"};
  }

  auto response = get("/assignments");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_THAT(response->body, HasSubstr("store is still opening"));
}

TEST_F(HttpGatewayTest, DataLossInAssignmentsIs500WithTheMessage) {
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.assignments =
        Error{ErrorCode::kDataLoss, "pod validator-3 lists key 0x01"};
  }

  auto response = get("/assignments?format=json");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_THAT(response->body, HasSubstr("data_loss"));
  EXPECT_THAT(response->body, HasSubstr("validator-3"));
}

TEST_F(HttpGatewayTest, MetricsArePrometheusText) {
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.metrics.keys_assigned = 42;
  }

  auto response = get("/metrics");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"),
              StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(response->body, HasSubstr("pkm_keys{state=\"assigned\"} 42\n"));
}

TEST_F(HttpGatewayTest, HealthzSaysOk) {
  auto response = get("/healthz");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
}

TEST_F(HttpGatewayTest, ReadyzIsReadyWhenStorageNatsAndChainAreUp) {
  auto response = get("/readyz");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ready");
}

TEST_F(HttpGatewayTest, ReadyzIs503NamingNatsWhenNatsIsDown) {
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.readiness.nats = false;
    fake_.readiness.detail = "nats: connecting to nats://127.0.0.1:4222";
  }

  auto response = get("/readyz");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_THAT(response->body, HasSubstr("not ready: nats"));
  EXPECT_THAT(response->body, Not(HasSubstr("storage")));
  EXPECT_THAT(response->body, HasSubstr("connecting to nats://"));
}

TEST_F(HttpGatewayTest, UnknownPathIs404NamingTheAllowedPaths) {
  auto response = get("/assignment");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_THAT(response->body, HasSubstr("/assignment"));
  EXPECT_THAT(response->body,
              HasSubstr("/assignments, /metrics, /healthz, /readyz"));
}

TEST_F(HttpGatewayTest, PostIsRefusedWith405AndAnAllowHeader) {
  auto response = client_->Post("/assignments", std::string("{}"),
                                 "application/json");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->get_header_value("Allow"), "GET, HEAD");
  EXPECT_THAT(response->body, HasSubstr("POST"));
}

TEST_F(HttpGatewayTest, ConnectionStaysUsableAfterARefusedPostWithABody) {
  client_->set_keep_alive(true);
  auto refused = client_->Post("/metrics", std::string(5000, 'x'),
                               "text/plain");

  auto next = get("/healthz");

  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "ok");
}

TEST_F(HttpGatewayTest, HeadIsAnsweredLikeGetWithoutABody) {
  auto full = get("/assignments?format=text");

  auto response = client_->Head("/assignments?format=text");

  ASSERT_TRUE(full);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_EQ(response->get_header_value("Content-Length"),
            std::to_string(full->body.size()));
}

TEST_F(HttpGatewayTest, HtmlPageForbidsScriptsAndOutsideResources) {
  auto response = get("/assignments");

  ASSERT_TRUE(response);
  EXPECT_THAT(response->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'none'"));
}

TEST_F(HttpGatewayTest, LargePageGoesOutUncompressedWhateverTheClientAccepts) {
  actors::AssignmentsView view = one_pod_view();
  for (int i = 0; i < 5000; ++i) {
    view.pods[0].keys.push_back(view.pods[0].keys[0]);
  }
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.assignments = view;
  }

  auto response = get("/assignments", {{"Accept-Encoding", "br, gzip"}});

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->has_header("Content-Encoding"));
  EXPECT_GT(response->body.size(), 5000u * 96);
  EXPECT_EQ(response->get_header_value("Content-Length"),
            std::to_string(response->body.size()));
  EXPECT_THAT(response->body, HasSubstr("</html>"));
}

// The gateway fed from a real store, as pkm-server wires it.
class HttpGatewayWithStoreTest : public testing::AssignmentsStoreTest {
 protected:
  void start_gateway() {
    HttpGateway::Sources sources;
    sources.assignments = [this] {
      return actors::read_assignments(*store_, 1700000500000);
    };
    sources.metrics = [] { return actors::MetricsSnapshot{}; };
    sources.readiness = [] {
      return HttpGateway::Readiness{true, false, true, "nats: down"};
    };
    HttpGateway::Options options;
    options.listen = "127.0.0.1:0";
    auto started = HttpGateway::start(options, std::move(sources));
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    gateway_ = std::move(started).value();
  }

  std::unique_ptr<HttpGateway> gateway_;
};

TEST_F(HttpGatewayWithStoreTest, NoSealedSecretAppearsInAnyResponse) {
  assign("validator-0", {1, 2});
  assign("validator-1", {3});
  quarantine(4, 1700000900000);
  put_key(testing::test_key_record(5, records::KEY_STATE_DEPOSITING));
  start_gateway();
  httplib::Client client("127.0.0.1", gateway_->port());
  std::vector<std::string> bodies;
  for (const char* path :
       {"/assignments", "/assignments?format=json",
        "/assignments?format=text", "/metrics", "/healthz", "/readyz",
        "/nothing-here"}) {
    auto response = client.Get(path);
    ASSERT_TRUE(response) << path;
    bodies.push_back(response->body);
  }

  for (uint64_t id = 1; id <= 5; ++id) {
    std::string sealed = testing::test_sealed_secret(id);
    std::string sealed_hex = to_hex(ByteView(sealed), false);
    // Any 12-byte stretch of the secret, in hex or raw, would be a leak.
    for (const std::string& body : bodies) {
      for (size_t at = 0; at + 12 <= sealed.size(); at += 12) {
        EXPECT_THAT(body, Not(HasSubstr(sealed_hex.substr(2 * at, 24))));
        EXPECT_THAT(body, Not(HasSubstr(sealed.substr(at, 12))));
      }
    }
  }
  EXPECT_THAT(bodies[1], HasSubstr(to_hex(testing::test_public_key(3))));
  EXPECT_THAT(bodies[0], HasSubstr("validator-1"));
}

}  // namespace
}  // namespace pkm::gateway
