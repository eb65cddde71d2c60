// A real pkm-server process for integration tests: started from the build
// tree on a free loopback HTTP port against a test's nats-server (and
// devnet, for deposit mode chain), with helpers to wait for readiness,
// read its HTTP endpoints, stop it cleanly or kill -9 it.
#ifndef PKM_TESTS_SERVER_PKM_SERVER_PROCESS_H_
#define PKM_TESTS_SERVER_PKM_SERVER_PROCESS_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace pkm::testing {

// The pkm-server binary of this build.
std::string pkm_server_binary();

struct PkmServerOptions {
  std::string data_dir;
  std::string nats_url;
  std::string subject_prefix = "pkm";
  // "none" or "chain"; chain needs the devnet fields below.
  std::string deposit_mode = "none";
  std::string eth_rpc;
  std::string deposit_contract;
  std::string funder_key_file;
  std::string recycle_delay = "0s";
  std::string lease_ttl = "0";
  std::string log_level = "info";
  std::string log_format = "text";
  // Appended as given.
  std::vector<std::string> extra_args;
};

class PkmServerProcess {
 public:
  // Picks a free HTTP port; does not start. The log goes to `log_path`
  // (appended across restarts, so one file holds a test's whole run).
  PkmServerProcess(PkmServerOptions options, std::string log_path);
  ~PkmServerProcess();

  // Starts the server and waits until GET /readyz answers 200. False (and
  // a test failure naming the log) when it does not within `timeout`.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Starts without waiting (for tests of start-up refusals).
  void launch();
  // SIGTERM and wait; returns the wait status.
  int stop();
  // SIGKILL at once; returns the wait status.
  int kill9();
  bool running();
  pid_t pid() const;

  int http_port() const { return http_port_; }
  std::string http_url() const;
  // GET `path` with optional Accept header. Returns the status (0 when
  // the connection failed) and fills `body`.
  int http_get(const std::string& path, std::string* body,
               const std::string& accept = "") const;

  // Every log line written by all runs so far.
  std::string log() const;
  const std::string& log_path() const { return log_path_; }
  const PkmServerOptions& options() const { return options_; }

 private:
  std::vector<std::string> argv() const;

  PkmServerOptions options_;
  std::string log_path_;
  int http_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  int runs_ = 0;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_PKM_SERVER_PROCESS_H_
