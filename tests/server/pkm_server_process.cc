#include "tests/server/pkm_server_process.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <httplib.h>

namespace pkm::testing {

std::string pkm_server_binary() { return PKM_SERVER_BINARY; }

PkmServerProcess::PkmServerProcess(PkmServerOptions options,
                                   std::string log_path)
    : options_(std::move(options)),
      log_path_(std::move(log_path)),
      http_port_(free_loopback_port()) {}

PkmServerProcess::~PkmServerProcess() {
  if (process_ && process_->running()) process_->stop(SIGTERM,
                                                      std::chrono::seconds(10));
}

std::vector<std::string> PkmServerProcess::argv() const {
  std::vector<std::string> args = {
      pkm_server_binary(),
      "--data-dir", options_.data_dir,
      "--nats-url", options_.nats_url,
      "--subject-prefix", options_.subject_prefix,
      "--http-listen", "127.0.0.1:" + std::to_string(http_port_),
      "--deposit-mode", options_.deposit_mode,
      "--recycle-delay", options_.recycle_delay,
      "--lease-ttl", options_.lease_ttl,
      "--log-level", options_.log_level,
      "--log-format", options_.log_format};
  if (options_.deposit_mode == "chain") {
    args.insert(args.end(), {"--eth-rpc", options_.eth_rpc,
                             "--deposit-contract", options_.deposit_contract,
                             "--funder-key-file", options_.funder_key_file});
  }
  args.insert(args.end(), options_.extra_args.begin(),
              options_.extra_args.end());
  return args;
}

void PkmServerProcess::launch() {
  // Each run logs to its own file; log() joins them in order.
  ++runs_;
  process_ = std::make_unique<ChildProcess>(
      argv(), log_path_ + "." + std::to_string(runs_));
}

bool PkmServerProcess::start(std::chrono::milliseconds timeout) {
  launch();
  bool ready = wait_until(
      [this] {
        if (!process_->running()) return true;
        std::string body;
        return http_get("/readyz", &body) == 200;
      },
      timeout);
  if (!ready || !process_->running()) {
    ADD_FAILURE() << "pkm-server did not become ready; log:\n" << log();
    return false;
  }
  return true;
}

int PkmServerProcess::stop() {
  if (!process_) return 0;
  return process_->stop(SIGTERM, std::chrono::seconds(15));
}

int PkmServerProcess::kill9() {
  if (!process_) return 0;
  return process_->stop(SIGKILL, std::chrono::seconds(5));
}

bool PkmServerProcess::running() { return process_ && process_->running(); }

pid_t PkmServerProcess::pid() const { return process_ ? process_->pid() : -1; }

std::string PkmServerProcess::http_url() const {
  return "http://127.0.0.1:" + std::to_string(http_port_);
}

int PkmServerProcess::http_get(const std::string& path, std::string* body,
                               const std::string& accept) const {
  httplib::Client client("127.0.0.1", http_port_);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers;
  if (!accept.empty()) headers.emplace("Accept", accept);
  auto response = client.Get(path.c_str(), headers);
  if (!response) return 0;
  if (body != nullptr) *body = response->body;
  return response->status;
}

std::string PkmServerProcess::log() const {
  std::string all;
  for (int run = 1; run <= runs_; ++run) {
    std::ifstream file(log_path_ + "." + std::to_string(run));
    std::stringstream text;
    text << file.rdbuf();
    all += text.str();
  }
  return all;
}

}  // namespace pkm::testing
