// A real nats-server (Debian's) on a free loopback port, for the pkm-client
// tests.
#ifndef PKM_TESTS_CLIENT_NATS_SERVER_H_
#define PKM_TESTS_CLIENT_NATS_SERVER_H_

#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace pkm::testing {

// The nats-server binary: $PKM_NATS_SERVER, /usr/sbin/nats-server,
// /usr/bin/nats-server or the first on PATH; empty when there is none.
std::string find_nats_server();

// Owns one nats-server process listening on 127.0.0.1 only. The port is
// chosen at construction, so a test can hand the URL to a client before the
// server starts.
class NatsServer {
 public:
  // Picks a free port; does not start the server. Logs go to `log_path`.
  explicit NatsServer(std::string log_path);
  ~NatsServer();

  // Starts the server and waits (up to 10 s) until it accepts connections.
  // Returns false (and fails the test) when it does not come up.
  bool start();
  // Stops it with SIGTERM. start() may follow: the port stays the same.
  void stop();

  int port() const { return port_; }
  std::string url() const;

 private:
  std::string log_path_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_CLIENT_NATS_SERVER_H_
