// Loads /assignments in a real browser (headless Chromium) and checks what
// it rendered. Skipped when no `chromium` binary is on PATH.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http_gateway.h"
#include "tests/support/child_process.h"

namespace pkm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kBrowserTimeout = std::chrono::seconds(60);

std::optional<std::string> find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream directories(path != nullptr ? path : "/usr/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    std::string candidate = directory + "/chromium";
    if (!directory.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct BrowserRun {
  bool finished = false;
  int status = 0;
  std::string dom;
  std::string log;
};

// Runs `argv` in its own process group with stdout (the DOM) and stderr
// (Chromium's chatter) in separate files; kills the whole group when it
// outlives kBrowserTimeout.
BrowserRun run_browser(std::vector<std::string> argv, const std::string& dir) {
  std::string dom_path = dir + "/dom.html";
  std::string log_path = dir + "/chromium.log";
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);

  BrowserRun run;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int out = ::open(dom_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return run;
  }

  run.finished = testing::wait_until(
      [&] { return ::waitpid(pid, &run.status, WNOHANG) == pid; },
      std::chrono::duration_cast<std::chrono::milliseconds>(
          kBrowserTimeout));
  if (!run.finished) {
    // The group id is still ours: its leader is not reaped yet.
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, &run.status, 0);
  }
  run.dom = read_file(dom_path);
  run.log = read_file(log_path);
  return run;
}

actors::KeyView key_view(uint8_t fill, const std::string& pod) {
  actors::KeyView key;
  key.public_key = Bytes(48, fill);
  key.state = records::KEY_STATE_ASSIGNED;
  key.pod_name = pod;
  key.deposit_tx = Bytes(32, static_cast<uint8_t>(fill ^ 0xff));
  key.since_unix_ms = 1700000000123;
  return key;
}

actors::AssignmentsView browser_view() {
  actors::AssignmentsView view;
  for (int p = 0; p < 2; ++p) {
    actors::PodView pod;
    pod.pod_name = "validator-browser-" + std::to_string(p);
    pod.keys.push_back(key_view(static_cast<uint8_t>(0xc0 + 2 * p),
                                pod.pod_name));
    pod.keys.push_back(key_view(static_cast<uint8_t>(0xc1 + 2 * p),
                                pod.pod_name));
    view.pods.push_back(pod);
  }
  // Markup in a name must reach the browser as text, not as an element.
  actors::PodView odd;
  odd.pod_name = "<b id=\"injected\">bold</b>";
  odd.keys.push_back(key_view(0xd0, odd.pod_name));
  view.pods.push_back(odd);
  view.unassigned = 3;
  return view;
}

TEST(HttpGatewayBrowser, ChromiumRendersPodNamesAndPublicKeys) {
  auto chromium = find_chromium();
  if (!chromium) GTEST_SKIP() << "no chromium binary on PATH";
  HttpGateway::Sources sources;
  sources.assignments = [] {
    return Result<actors::AssignmentsView>(browser_view());
  };
  sources.metrics = [] { return actors::MetricsSnapshot{}; };
  sources.readiness = [] { return HttpGateway::Readiness{}; };
  HttpGateway::Options options;
  options.listen = "127.0.0.1:0";
  auto gateway = HttpGateway::start(options, std::move(sources));
  ASSERT_TRUE(gateway.ok()) << gateway.error().to_string();
  testing::TempDir dir;
  std::string url = "http://127.0.0.1:" +
                    std::to_string((*gateway)->port()) + "/assignments";

  BrowserRun run = run_browser(
      {*chromium, "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
       "--user-data-dir=" + dir.path() + "/profile", "--dump-dom", url},
      dir.path());

  ASSERT_TRUE(run.finished) << "chromium ran past 60 s; log:\n" << run.log;
  ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0)
      << "chromium failed; log:\n"
      << run.log;
  EXPECT_THAT(run.dom, HasSubstr("<title>pkm assignments</title>"));
  EXPECT_THAT(run.dom, HasSubstr("validator-browser-0"));
  EXPECT_THAT(run.dom, HasSubstr("validator-browser-1"));
  for (uint8_t fill : {0xc0, 0xc1, 0xc2, 0xc3, 0xd0}) {
    EXPECT_THAT(run.dom, HasSubstr(to_hex(Bytes(48, fill))));
  }
  EXPECT_THAT(run.dom, HasSubstr("&lt;b id=\"injected\"&gt;bold&lt;/b&gt;"));
  EXPECT_THAT(run.dom, Not(HasSubstr("<b id=\"injected\">")));
}

}  // namespace
}  // namespace pkm::gateway
