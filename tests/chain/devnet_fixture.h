// A devnet started with deploy/devnet/up (anvil + our deposit contract), as
// an operator would start it, and stopped with deploy/devnet/down.
#ifndef PKM_TESTS_CHAIN_DEVNET_FIXTURE_H_
#define PKM_TESTS_CHAIN_DEVNET_FIXTURE_H_

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "chain/deposit.h"
#include "crypto/secp256k1.h"
#include "tests/support/child_process.h"

namespace pkm::testing {

class Devnet {
 public:
  // `options` go to deploy/devnet/up, e.g. "--block-time 1".
  explicit Devnet(const std::string& options = "--block-time 1") {
    std::string command = "PKM_BUILD_DIR='" + std::string(PKM_BINARY_DIR) +
                          "' PKM_NODE_TOOLS_DIR='" +
                          std::string(PKM_NODE_TOOLS_DIR) + "' '" +
                          std::string(PKM_SOURCE_DIR) +
                          "/deploy/devnet/up' " + options + " '" +
                          dir_.path() + "' > '" + dir_.path() +
                          "/up.out' 2>&1";
    if (std::system(command.c_str()) != 0) {
      ADD_FAILURE() << "deploy/devnet/up failed: " << read(dir_.path() +
                                                           "/up.out");
      return;
    }
    std::ifstream env(dir_.path() + "/devnet.env");
    std::string line;
    while (std::getline(env, line)) {
      size_t equals = line.find('=');
      if (line.empty() || line[0] == '#' || equals == std::string::npos) {
        continue;
      }
      std::string value = line.substr(equals + 1);
      if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"')) {
        value = value.substr(1, value.size() - 2);
      }
      env_[line.substr(0, equals)] = value;
    }
    started_ = true;
  }
  ~Devnet() {
    std::string command = "'" + std::string(PKM_SOURCE_DIR) +
                          "/deploy/devnet/down' '" + dir_.path() +
                          "' > /dev/null 2>&1";
    if (started_ && std::system(command.c_str()) != 0) {
      ADD_FAILURE() << "deploy/devnet/down failed";
    }
  }

  bool started() const { return started_; }
  std::string rpc_url() const { return env("PKM_ETH_RPC"); }
  std::string contract() const { return env("PKM_DEPOSIT_CONTRACT"); }
  chain::ForkVersion fork_version() const {
    return chain::parse_fork_version(env("PKM_FORK_VERSION")).value();
  }
  crypto::EcdsaPrivateKey funder() const {
    return crypto::EcdsaPrivateKey::from_hex(
               read(env("PKM_FUNDER_KEY_FILE")))
        .value();
  }
  const std::string& dir() const { return dir_.path(); }

  std::string env(const std::string& name) const {
    auto it = env_.find(name);
    return it == env_.end() ? "" : it->second;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  TempDir dir_;
  std::map<std::string, std::string> env_;
  bool started_ = false;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_CHAIN_DEVNET_FIXTURE_H_
