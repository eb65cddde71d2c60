// Invariant 5: secrets never reach the logs, /metrics or /assignments, even
// at debug level.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The forms in which `hex` ("0x" and 64 digits) could leak: without the
// prefix (which also finds it with one) in either letter case.
std::vector<std::string> leak_forms(const std::string& hex) {
  std::string digits = hex.substr(0, 2) == "0x" ? hex.substr(2) : hex;
  return {digits, upper(digits)};
}

class Secrets : public ServerTest {
 protected:
  void SetUp() override {
    PkmServerOptions options = default_options();
    options.log_level = "debug";
    ASSERT_TRUE(start_server(options));
  }
};

TEST_F(Secrets, PrivateAndMasterKeysAppearInNoLogPageOrMetric) {
  std::vector<std::string> secrets;
  for (const char* pod : {"validator-0", "validator-1", "validator-2"}) {
    auto keys = private_keys(allocate(pod, 2));
    ASSERT_EQ(keys.size(), 2u);
    secrets.insert(secrets.end(), keys.begin(), keys.end());
  }
  ASSERT_EQ(release("validator-2"), 2);
  ASSERT_EQ(private_keys(allocate("validator-3", 1)).size(), 1u);
  std::string master = read_file(default_options().data_dir + "/master.key");
  while (!master.empty() && (master.back() == '\n' || master.back() == '\r')) {
    master.pop_back();
  }
  ASSERT_EQ(master.size(), 64u) << "expected 64 hex digits";

  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* path :
       {"/metrics", "/assignments", "/assignments?format=json",
        "/assignments?format=text"}) {
    std::string body;
    ASSERT_EQ(server_->http_get(path, &body), 200) << path;
    outputs.emplace_back(path, body);
  }
  outputs.emplace_back("pkm.assignments", assignments_over_nats().dump());
  // Stopping flushes the log and adds the shutdown lines.
  server_->stop();
  std::string log = server_->log();
  outputs.emplace_back("server log", log);

  ASSERT_NE(log.find("keys assigned"), std::string::npos)
      << "the log should describe the allocations";
  ASSERT_NE(log.find("debug"), std::string::npos) << "no debug lines";
  for (const auto& [where, text] : outputs) {
    for (const std::string& secret : secrets) {
      for (const std::string& form : leak_forms(secret)) {
        EXPECT_EQ(text.find(form), std::string::npos)
            << "a private key is in " << where;
      }
    }
    for (const std::string& form : leak_forms(master)) {
      EXPECT_EQ(text.find(form), std::string::npos)
          << "the master key is in " << where;
    }
  }
}

}  // namespace
}  // namespace pkm::testing
