// Starting and stopping real programs (anvil, nats-server, pkm binaries) in
// tests, on free loopback ports.
#ifndef PKM_TESTS_SUPPORT_CHILD_PROCESS_H_
#define PKM_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pkm::testing {

// A port on 127.0.0.1 that was free a moment ago (bound, then released).
int free_loopback_port();

// A child process whose output goes to a log file. Killed (SIGKILL) and
// reaped when destroyed unless stopped before.
class ChildProcess {
 public:
  // Starts argv[0] with the given arguments; stdout and stderr go to
  // `log_path`. Fails the current test when the program cannot start.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits up to `timeout` for exit; SIGKILL after that.
  // Returns the wait status.
  int stop(int signal, std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout);

// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SUPPORT_CHILD_PROCESS_H_
