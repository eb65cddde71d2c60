// A real anvil (npm @foundry-rs/anvil-linux-amd64) on a free loopback port
// for chain tests.
#ifndef PKM_TESTS_CHAIN_ANVIL_FIXTURE_H_
#define PKM_TESTS_CHAIN_ANVIL_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chain/json_rpc_client.h"
#include "tests/support/child_process.h"

namespace pkm::testing {

// anvil's first default dev account (funded with 10000 ETH), a well-known
// public test key.
inline constexpr char kAnvilAccount0[] =
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

class Anvil {
 public:
  // Starts anvil; `extra` adds flags such as {"--block-time", "1"}.
  explicit Anvil(std::vector<std::string> extra = {}) {
    port_ = free_loopback_port();
    std::vector<std::string> argv = {
        std::string(PKM_NODE_TOOLS_DIR) +
            "/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
        "--host", "127.0.0.1", "--port", std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv, dir_.path() + "/anvil.log");
    url_ = "http://127.0.0.1:" + std::to_string(port_);

    auto client = chain::JsonRpcClient::create(url_).value();
    bool ready = wait_until(
        [&] { return client->chain_id().ok(); }, std::chrono::seconds(30));
    if (!ready) ADD_FAILURE() << "anvil did not start: " << process_->log();
  }

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::string url_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_CHAIN_ANVIL_FIXTURE_H_
