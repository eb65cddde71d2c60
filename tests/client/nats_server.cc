#include "tests/client/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

namespace pkm::testing {
namespace {

bool is_executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address),
                             sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

std::string find_nats_server() {
  if (const char* configured = std::getenv("PKM_NATS_SERVER")) {
    if (is_executable(configured)) return configured;
  }
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (is_executable(path)) return path;
  }
  const char* path_variable = std::getenv("PATH");
  std::stringstream directories(path_variable ? path_variable : "");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    std::string candidate = directory + "/nats-server";
    if (is_executable(candidate)) return candidate;
  }
  return "";
}

NatsServer::NatsServer(std::string log_path)
    : log_path_(std::move(log_path)), port_(free_loopback_port()) {}

NatsServer::~NatsServer() { stop(); }

bool NatsServer::start() {
  std::string binary = find_nats_server();
  if (binary.empty()) {
    ADD_FAILURE() << "nats-server not found; install Debian's nats-server "
                     "or set PKM_NATS_SERVER";
    return false;
  }
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary, "-a", "127.0.0.1", "-p",
                               std::to_string(port_)},
      log_path_);
  bool up = wait_until([this] { return accepts_connections(port_); },
                       std::chrono::seconds(10));
  if (!up) {
    ADD_FAILURE() << "nats-server did not listen on 127.0.0.1:" << port_
                  << "; its log:\n"
                  << process_->log();
  }
  return up;
}

void NatsServer::stop() {
  if (process_) {
    process_->stop(SIGTERM, std::chrono::seconds(5));
    process_.reset();
  }
}

std::string NatsServer::url() const {
  return "nats://127.0.0.1:" + std::to_string(port_);
}

}  // namespace pkm::testing
