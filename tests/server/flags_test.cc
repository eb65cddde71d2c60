// Bad flags stop pkm-server before anything starts: exit code 2 and a
// message naming the flag.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

struct BadFlag {
  std::string what;
  std::vector<std::string> args;
  std::string named;  // the flag the message must name
};

TEST(ServerFlags, BadValuesExitWithCodeTwoNamingTheFlag) {
  TempDir dir;
  int port = free_loopback_port();
  // A well-formed command line that the rows below spoil one by one.
  std::vector<std::string> base = {
      pkm_server_binary(), "--data-dir", dir.path() + "/data",
      "--nats-url", "nats://127.0.0.1:" + std::to_string(port),
      "--http-listen", "127.0.0.1:0"};
  std::vector<BadFlag> rows = {
      {"unknown deposit mode", {"--deposit-mode", "bogus"},
       "--deposit-mode"},
      {"delay with an unknown unit",
       {"--deposit-mode", "none", "--recycle-delay", "5x"},
       "--recycle-delay"},
      {"deposit below 1 ETH",
       {"--deposit-mode", "none", "--deposit-amount", "0.5 ETH"},
       "--deposit-amount"},
      {"chain mode without a contract", {"--deposit-mode", "chain"},
       "--deposit-contract"},
  };

  for (size_t i = 0; i < rows.size(); ++i) {
    const BadFlag& row = rows[i];
    SCOPED_TRACE(row.what);
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), row.args.begin(), row.args.end());

    ProgramExit exit = run_to_exit(
        argv, dir.path() + "/flags-" + std::to_string(i) + ".log",
        std::chrono::seconds(10));

    ASSERT_TRUE(exit.exited) << "pkm-server kept running";
    EXPECT_EQ(exit.exit_code, 2) << exit.output;
    EXPECT_NE(exit.output.find(row.named), std::string::npos) << exit.output;
  }
  // Refused before start-up: no data dir was made.
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/data"));
}

}  // namespace
}  // namespace pkm::testing
