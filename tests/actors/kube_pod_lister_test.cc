// KubePodLister against FakeKubeApi, a local stand-in HTTP server on
// 127.0.0.1 that answers with the PodList and Status JSON shapes the
// Kubernetes API documents; a real cluster cannot run in these tests. The
// in-cluster config tests use a temp dir and environment variables set by
// the test, and never connect anywhere.
#include "actors/kube_pod_lister.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/actors/fake_kube_api.h"
#include "tests/support/child_process.h"

namespace pkm::actors {
namespace {

using pkm::testing::FakeKubeApi;
using pkm::testing::FakePod;
using pkm::testing::TempDir;

// Sets or unsets an environment variable and restores it when destroyed.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class KubePodListerWithLocalFakeApi : public ::testing::Test {
 protected:
  KubeConfig config() const {
    KubeConfig config;
    config.api_url = fake_.url();
    config.token = "test-token-not-a-real-credential";
    config.namespace_name = "validators";
    config.label_selector = "app=validator";
    config.timeout = std::chrono::milliseconds(2000);
    return config;
  }

  std::unique_ptr<KubePodLister> lister(const KubeConfig& config) {
    auto created = KubePodLister::create(config);
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    return created.ok() ? std::move(*created) : nullptr;
  }

  std::unique_ptr<KubePodLister> lister() { return lister(config()); }

  FakeKubeApi fake_;
};

TEST_F(KubePodListerWithLocalFakeApi,
       ListingParsesNamesUidsPhasesAndTerminating) {
  fake_.set_pods({{"validator-0", "uid-0", "Running", false},
                  {"validator-1", "uid-1", "Pending", false},
                  {"validator-2", "uid-2", "Running", true},
                  {"validator-3", "uid-3", "Failed", false}},
                 "validators", "4242");

  auto listing = lister()->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  EXPECT_EQ(listing->resource_version, "4242");
  ASSERT_EQ(listing->pods.size(), 4u);
  EXPECT_EQ(listing->pods[0].name, "validator-0");
  EXPECT_EQ(listing->pods[0].uid, "uid-0");
  EXPECT_EQ(listing->pods[0].phase, "Running");
  EXPECT_FALSE(listing->pods[0].terminating);
  EXPECT_EQ(listing->pods[1].phase, "Pending");
  EXPECT_TRUE(listing->pods[2].terminating);
  EXPECT_EQ(listing->pods[3].phase, "Failed");
}

TEST_F(KubePodListerWithLocalFakeApi, SelectorAndNamespaceGoIntoTheUrl) {
  KubeConfig custom = config();
  custom.label_selector = "app=validator,tier in (a,b)";

  auto listing = lister(custom)->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].namespace_name, "validators");
  EXPECT_EQ(requests[0].label_selector, "app=validator,tier in (a,b)");
  EXPECT_EQ(requests[0].target,
            "/api/v1/namespaces/validators/pods?labelSelector="
            "app%3Dvalidator%2Ctier%20in%20%28a%2Cb%29");
  EXPECT_EQ(requests[0].authorization,
            "Bearer test-token-not-a-real-credential");
}

TEST_F(KubePodListerWithLocalFakeApi, EmptySelectorListsWithoutAQuery) {
  KubeConfig custom = config();
  custom.label_selector.clear();

  auto listing = lister(custom)->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(fake_.requests().size(), 1u);
  EXPECT_EQ(fake_.requests()[0].target, "/api/v1/namespaces/validators/pods");
}

TEST_F(KubePodListerWithLocalFakeApi,
       RefusedTokenIsPermissionDeniedAndNotInTheMessage) {
  fake_.require_token("the-token-the-fake-wants");
  KubeConfig custom = config();
  custom.token = "wrong-token-4f9c2e";

  auto listing = lister(custom)->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(contains(listing.error().message, "wrong-token-4f9c2e"))
      << listing.error().message;
  EXPECT_TRUE(contains(listing.error().message, "401"));
  EXPECT_TRUE(contains(listing.error().message, "RBAC"));
}

TEST_F(KubePodListerWithLocalFakeApi, ForbiddenSaysToCheckRbacForListPods) {
  fake_.fail_with(403);

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(contains(listing.error().message, "RBAC"));
  EXPECT_TRUE(contains(listing.error().message,
                       "list on pods in namespace validators"))
      << listing.error().message;
}

TEST_F(KubePodListerWithLocalFakeApi, ServerErrorIsUnavailable) {
  fake_.fail_with(500);

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(contains(listing.error().message, "500"));
}

TEST_F(KubePodListerWithLocalFakeApi, OtherClientErrorIsInvalidArgument) {
  fake_.fail_with(404);

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(KubePodListerWithLocalFakeApi, HungServerIsUnavailableWithinTimeout) {
  fake_.hang();
  KubeConfig custom = config();
  custom.timeout = std::chrono::milliseconds(300);
  auto client = lister(custom);

  auto start = std::chrono::steady_clock::now();
  auto listing = client->list();
  auto elapsed = std::chrono::steady_clock::now() - start;
  fake_.release_hung();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(contains(listing.error().message, "300 ms"))
      << listing.error().message;
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
}

TEST_F(KubePodListerWithLocalFakeApi, UnreachableApiIsUnavailable) {
  std::string url;
  {
    FakeKubeApi gone;
    url = gone.url();
  }
  KubeConfig custom = config();
  custom.api_url = url;

  auto listing = lister(custom)->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kUnavailable);
}

TEST_F(KubePodListerWithLocalFakeApi, PodListWithoutItemsIsAnErrorNotEmpty) {
  fake_.set_body(
      R"({"kind":"PodList","apiVersion":"v1",)"
      R"("metadata":{"resourceVersion":"7"}})");

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kDataLoss);
  EXPECT_TRUE(contains(listing.error().message, "items"))
      << listing.error().message;
}

TEST_F(KubePodListerWithLocalFakeApi, BodyThatIsNotAPodListIsAnError) {
  fake_.set_body("<html>login required</html>");

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kDataLoss);
  EXPECT_TRUE(contains(listing.error().message, "not JSON"));
}

TEST_F(KubePodListerWithLocalFakeApi, EmptyItemsIsAValidEmptyListing) {
  fake_.set_pods({}, "validators", "9");

  auto listing = lister()->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  EXPECT_TRUE(listing->pods.empty());
  EXPECT_EQ(listing->resource_version, "9");
}

TEST_F(KubePodListerWithLocalFakeApi, PodOfAnotherNamespaceIsRefused) {
  fake_.set_pods({{"validator-0", "uid-0", "Running", false}}, "other");

  auto listing = lister()->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kDataLoss);
  EXPECT_TRUE(contains(listing.error().message, "namespace other"));
}

TEST_F(KubePodListerWithLocalFakeApi, ContinueTokensAreFollowedToTheEnd) {
  fake_.set_body(
      R"({"kind":"PodList","metadata":{"resourceVersion":"50",)"
      R"("continue":"page two"},"items":[{"metadata":)"
      R"({"name":"validator-0","uid":"u0"},"status":{"phase":"Running"}}]})");
  fake_.set_page(
      "page two",
      R"({"kind":"PodList","metadata":{"resourceVersion":"50"},)"
      R"("items":[{"metadata":{"name":"validator-1","uid":"u1"},)"
      R"("status":{"phase":"Pending"}}]})");

  auto listing = lister()->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(listing->pods.size(), 2u);
  EXPECT_EQ(listing->pods[1].name, "validator-1");
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].continue_token, "page two");
  EXPECT_EQ(requests[1].label_selector, "app=validator");
}

TEST_F(KubePodListerWithLocalFakeApi, TokenFileIsReadAgainBeforeEachList) {
  TempDir dir;
  std::string token_file = dir.path() + "/token";
  write_file(token_file, "first-token\n");
  KubeConfig custom = config();
  custom.token_file = token_file;
  auto client = lister(custom);

  ASSERT_TRUE(client->list().ok());
  write_file(token_file, "second-token\n");
  ASSERT_TRUE(client->list().ok());

  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].authorization, "Bearer first-token");
  EXPECT_EQ(requests[1].authorization, "Bearer second-token");
}

TEST(KubePodLister, CreateRefusesANamespaceThatIsNotADnsLabel) {
  KubeConfig config;
  config.api_url = "http://127.0.0.1:1";
  config.namespace_name = "Validators_NS";

  auto created = KubePodLister::create(config);

  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(created.error().message, "Validators_NS"));
}

TEST(KubePodLister, CreateRefusesAUrlWithoutScheme) {
  KubeConfig config;
  config.api_url = "127.0.0.1:6443";
  config.namespace_name = "validators";

  auto created = KubePodLister::create(config);

  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
}

TEST(KubePodLister, StrictParsingNamesWhatIsWrong) {
  struct Case {
    const char* body;
    const char* named;
  };
  const Case cases[] = {
      {R"([1,2])", "not a JSON object"},
      {R"({"items":[],"metadata":{"resourceVersion":"1"}})", "no kind"},
      {R"({"kind":"Status","message":"boom"})", "kind is Status (boom)"},
      {R"({"kind":"PodList","items":{},"metadata":{"resourceVersion":"1"}})",
       "items"},
      {R"({"kind":"PodList","items":[]})", "metadata"},
      {R"({"kind":"PodList","items":[],"metadata":{}})", "resourceVersion"},
      {R"({"kind":"PodList","metadata":{"resourceVersion":"1"},)"
       R"("items":[{"metadata":{"uid":"u"}}]})",
       "items[0].metadata.name"},
      {R"({"kind":"PodList","metadata":{"resourceVersion":"1"},)"
       R"("items":[{"metadata":{"name":"p"}}]})",
       "items[0].metadata.uid"},
      {R"({"kind":"PodList","metadata":{"resourceVersion":"1"},)"
       R"("items":[{"metadata":{"name":"p","uid":"u"},)"
       R"("status":{"phase":3}}]})",
       "items[0].status.phase"},
  };

  for (const Case& c : cases) {
    std::string next;
    auto listing = parse_pod_list(c.body, "validators", &next);

    ASSERT_FALSE(listing.ok()) << c.body;
    EXPECT_EQ(listing.error().code, ErrorCode::kDataLoss) << c.body;
    EXPECT_TRUE(contains(listing.error().message, c.named))
        << c.body << " -> " << listing.error().message;
  }
}

TEST(KubePodLister, PodWithoutStatusHasAnEmptyPhase) {
  std::string next = "stale";

  auto listing = parse_pod_list(
      R"({"kind":"PodList","metadata":{"resourceVersion":"1"},)"
      R"("items":[{"metadata":{"name":"p","uid":"u"}}]})",
      "validators", &next);

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(listing->pods.size(), 1u);
  EXPECT_EQ(listing->pods[0].phase, "");
  EXPECT_EQ(next, "");
}

TEST(KubeWatchEvents, EachLineBecomesOneEvent) {
  std::string stream =
      R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a",)"
      R"("uid":"ua","resourceVersion":"11"},"status":{"phase":"Pending"}}})"
      "\n"
      R"({"type":"MODIFIED","object":{"metadata":{"name":"a","uid":"ua",)"
      R"("resourceVersion":"12","deletionTimestamp":"2024-05-01T00:00:00Z"},)"
      R"("status":{"phase":"Running"}}})"
      "\n\n"
      R"({"type":"DELETED","object":{"metadata":{"name":"a","uid":"ua",)"
      R"("resourceVersion":"13"}}})"
      "\n"
      R"({"type":"BOOKMARK","object":{"kind":"Pod",)"
      R"("metadata":{"resourceVersion":"14"}}})"
      "\n"
      R"({"type":"ERROR","object":{"kind":"Status","code":410,)"
      R"("message":"too old resource version"}})"
      "\n";

  auto events = parse_watch_events(stream);

  ASSERT_TRUE(events.ok()) << events.error().to_string();
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0].type, WatchEventType::kAdded);
  EXPECT_EQ((*events)[0].pod.name, "a");
  EXPECT_EQ((*events)[0].pod.phase, "Pending");
  EXPECT_EQ((*events)[0].resource_version, "11");
  EXPECT_EQ((*events)[1].type, WatchEventType::kModified);
  EXPECT_TRUE((*events)[1].pod.terminating);
  EXPECT_EQ((*events)[2].type, WatchEventType::kDeleted);
  EXPECT_EQ((*events)[2].pod.uid, "ua");
  EXPECT_EQ((*events)[3].type, WatchEventType::kBookmark);
  EXPECT_EQ((*events)[3].resource_version, "14");
  EXPECT_EQ((*events)[4].type, WatchEventType::kError);
  EXPECT_EQ((*events)[4].error_code, 410);
  EXPECT_EQ((*events)[4].error_message, "too old resource version");
}

TEST(KubeWatchEvents, LineThatIsNotAnEventIsRefusedByNumber) {
  std::string stream =
      R"({"type":"ADDED","object":{"metadata":{"name":"a","uid":"u"}}})"
      "\n"
      R"({"type":"RENAMED","object":{}})"
      "\n";

  auto events = parse_watch_events(stream);

  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.error().code, ErrorCode::kDataLoss);
  EXPECT_TRUE(contains(events.error().message, "watch line 2"));
  EXPECT_TRUE(contains(events.error().message, "RENAMED"));
}

// In-cluster configuration: files in a temp dir, variables set here and
// restored after. Nothing is contacted.
class KubeConfigInCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_.path() + "/token", "in-cluster-token-abc123\n");
    write_file(dir_.path() + "/ca.crt",
               "-----BEGIN CERTIFICATE-----\nMIIB\n"
               "-----END CERTIFICATE-----\n");
    write_file(dir_.path() + "/namespace", "validators\n");
  }

  TempDir dir_;
  ScopedEnv host_{"KUBERNETES_SERVICE_HOST", "127.0.0.1"};
  ScopedEnv port_{"KUBERNETES_SERVICE_PORT", "6443"};
};

TEST_F(KubeConfigInCluster, ReadsTheServiceEnvAndAccountFiles) {
  auto config = kube_config_in_cluster(dir_.path());

  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->api_url, "https://127.0.0.1:6443");
  EXPECT_EQ(config->token, "in-cluster-token-abc123");
  EXPECT_EQ(config->token_file, dir_.path() + "/token");
  EXPECT_EQ(config->ca_file, dir_.path() + "/ca.crt");
  EXPECT_EQ(config->namespace_name, "validators");
  EXPECT_TRUE(config->label_selector.empty());
}

TEST_F(KubeConfigInCluster, Ipv6ServiceHostIsBracketed) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");

  auto config = kube_config_in_cluster(dir_.path());

  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->api_url, "https://[fd00::1]:6443");
}

TEST_F(KubeConfigInCluster, MissingFileIsNamedAndTheTokenIsNot) {
  for (const char* file : {"token", "ca.crt", "namespace"}) {
    TempDir partial;
    for (const char* other : {"token", "ca.crt", "namespace"}) {
      if (std::string(other) == file) continue;
      write_file(partial.path() + "/" + other,
                 std::string(other) == "namespace"
                     ? "validators"
                     : "in-cluster-token-abc123");
    }

    auto config = kube_config_in_cluster(partial.path());

    ASSERT_FALSE(config.ok()) << file;
    EXPECT_EQ(config.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_TRUE(contains(config.error().message,
                         partial.path() + "/" + file))
        << config.error().message;
    EXPECT_FALSE(contains(config.error().message, "abc123"));
  }
}

TEST_F(KubeConfigInCluster, MissingServiceHostIsNamed) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);

  auto config = kube_config_in_cluster(dir_.path());

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.error().message, "KUBERNETES_SERVICE_HOST"));
}

TEST_F(KubeConfigInCluster, MissingServicePortIsNamed) {
  ScopedEnv port("KUBERNETES_SERVICE_PORT", nullptr);

  auto config = kube_config_in_cluster(dir_.path());

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.error().message, "KUBERNETES_SERVICE_PORT"));
}

TEST_F(KubeConfigInCluster, EnvironmentIsRestoredAfterTheTest) {
  {
    ScopedEnv inner("KUBERNETES_SERVICE_HOST", "127.0.0.2");
    EXPECT_STREQ(std::getenv("KUBERNETES_SERVICE_HOST"), "127.0.0.2");
  }

  EXPECT_STREQ(std::getenv("KUBERNETES_SERVICE_HOST"), "127.0.0.1");
}

// TLS: FakeKubeApi serves https on 127.0.0.1 with a throw-away self-signed
// certificate made by the openssl command for this test.
class KubePodListerOverLocalTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("openssl version > /dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command is not installed";
    }
    make_certificate("server");
    make_certificate("stranger");
  }

  // Writes <name>.pem and <name>.key, valid for IP 127.0.0.1.
  void make_certificate(const std::string& name) {
    std::string base = dir_.path() + "/" + name;
    std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 1 -subj /CN=pkm-test-" + name +
        " -addext subjectAltName=IP:127.0.0.1 -keyout " + base +
        ".key -out " + base + ".pem > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  KubeConfig config(const FakeKubeApi& fake, const std::string& ca) {
    KubeConfig config;
    config.api_url = fake.url();
    config.token = "tls-test-token";
    config.ca_file = dir_.path() + "/" + ca + ".pem";
    config.namespace_name = "validators";
    config.timeout = std::chrono::milliseconds(2000);
    return config;
  }

  TempDir dir_;
};

TEST_F(KubePodListerOverLocalTls, ServerIsVerifiedAgainstTheCaFile) {
  FakeKubeApi fake(dir_.path() + "/server.pem", dir_.path() + "/server.key");
  fake.set_pods({{"validator-0", "uid-0", "Running", false}});
  auto lister = KubePodLister::create(config(fake, "server"));
  ASSERT_TRUE(lister.ok()) << lister.error().to_string();

  auto listing = (*lister)->list();

  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(listing->pods.size(), 1u);
  EXPECT_EQ(fake.requests().at(0).authorization, "Bearer tls-test-token");
}

TEST_F(KubePodListerOverLocalTls, ServerNotSignedByTheCaIsRefused) {
  FakeKubeApi fake(dir_.path() + "/server.pem", dir_.path() + "/server.key");
  auto lister = KubePodLister::create(config(fake, "stranger"));
  ASSERT_TRUE(lister.ok()) << lister.error().to_string();

  auto listing = (*lister)->list();

  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(contains(listing.error().message, "certificate"))
      << listing.error().message;
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(KubePodListerOverLocalTls, UnreadableCaFileIsRefusedAtCreate) {
  KubeConfig config;
  config.api_url = "https://127.0.0.1:1";
  config.ca_file = dir_.path() + "/absent.pem";
  config.namespace_name = "validators";

  auto lister = KubePodLister::create(config);

  ASSERT_FALSE(lister.ok());
  EXPECT_EQ(lister.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(lister.error().message, "absent.pem"));
}

}  // namespace
}  // namespace pkm::actors
