// The arrangement most pkm-server integration tests share: a temp dir, a
// real nats-server on a free loopback port, one pkm-server process and a
// NATS requester, with helpers that send the wire API's requests and read
// its replies. Also free helpers: running a program to its exit, reading
// error replies and Prometheus samples.
#ifndef PKM_TESTS_SERVER_SERVER_FIXTURE_H_
#define PKM_TESTS_SERVER_SERVER_FIXTURE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/client/nats_server.h"
#include "tests/server/nats_requester.h"
#include "tests/server/pkm_server_process.h"
#include "tests/support/child_process.h"

namespace pkm::testing {

// The "0x.." public keys of an allocate reply, in reply order.
std::vector<std::string> public_keys(const nlohmann::json& reply);
// The "0x.." private keys of an allocate reply, in reply order.
std::vector<std::string> private_keys(const nlohmann::json& reply);

// `body` parsed as JSON; a discarded value (and a test failure naming the
// body's start) when it is not JSON.
nlohmann::json parse_json(const std::string& body);

// An error reply as the server sent it, in either encoding.
struct ErrorReplyFields {
  // True when the body is exactly {"error":{"code":..,"message":..}} (or,
  // in protobuf, an ErrorReply with both fields set).
  bool well_formed = false;
  std::string code;
  std::string message;
};
// Reads `reply` as an error reply in the encoding its Content-Type header
// names.
ErrorReplyFields read_error_reply(const NatsReply& reply);

// How a program that was run to its end finished.
struct ProgramExit {
  bool exited = false;  // false: still running at the deadline (killed)
  int exit_code = -1;   // when exited normally; -1 after a signal
  std::string output;   // stdout and stderr together
};
// Runs `argv` with output to `log_path` and waits up to `timeout` for it
// to exit.
ProgramExit run_to_exit(const std::vector<std::string>& argv,
                        const std::string& log_path,
                        std::chrono::milliseconds timeout);

// The value of the Prometheus sample whose name and labels are exactly
// `series` (`pkm_keys{state="assigned"}`), or nothing when absent.
std::optional<double> metric_sample(const std::string& metrics,
                                    const std::string& series);

// Lines of `metrics` whose names start with `prefix` and are not
// comments, joined; for comparing a family of samples at two moments.
std::string metric_family(const std::string& metrics,
                          const std::string& prefix);

class ServerTest : public ::testing::Test {
 protected:
  // Options for a deposit-mode-none server on this test's nats-server and
  // data dir.
  PkmServerOptions default_options() const;

  // Starts nats-server (once) and a pkm-server with `options`, then
  // connects the requester. False (with a test failure) when any of them
  // does not come up.
  bool start_server(const PkmServerOptions& options);
  bool start_server() { return start_server(default_options()); }

  // Sends an allocate request and returns the reply; the test fails when
  // no reply came or the reply is an error.
  nlohmann::json allocate(const std::string& pod, int keys,
                          std::chrono::milliseconds timeout =
                              std::chrono::seconds(30));
  // pkm.release for `pod`; returns the number of keys released, or -1
  // (and a test failure) when the request failed.
  int release(const std::string& pod);
  // The pkm.assignments reply.
  nlohmann::json assignments_over_nats();
  // GET /assignments?format=json.
  nlohmann::json assignments_over_http();
  // GET /metrics.
  std::string metrics();

  TempDir dir_;
  NatsServer nats_{dir_.path() + "/nats.log"};
  std::unique_ptr<PkmServerProcess> server_;
  std::unique_ptr<NatsRequester> requester_;

 private:
  bool nats_started_ = false;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_SERVER_FIXTURE_H_
