// `pkm-server export-deposits` writes the signed deposit data of every key
// the server made, in the staking-deposit-cli format, and refuses while a
// server holds the data dir.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "chain/deposit_data_file.h"
#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

class ExportDeposits : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(start_server());
    output_dir_ = dir_.path() + "/export";
    std::filesystem::create_directories(output_dir_);
  }

  ProgramExit run_export() {
    return run_to_exit({pkm_server_binary(), "export-deposits", "--data-dir",
                        default_options().data_dir, "--output-dir",
                        output_dir_},
                       dir_.path() + "/export.log",
                       std::chrono::seconds(30));
  }

  std::vector<std::string> exported_files() const {
    std::vector<std::string> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(output_dir_)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("deposit_data-", 0) == 0 &&
          entry.path().extension() == ".json") {
        files.push_back(entry.path().string());
      }
    }
    return files;
  }

  std::string output_dir_;
};

TEST_F(ExportDeposits, WritesOneParsableEntryPerKeyAfterTheServerStopped) {
  std::set<std::string> made;
  for (const auto& [pod, count] :
       std::vector<std::pair<std::string, int>>{{"validator-0", 2},
                                                {"validator-1", 3}}) {
    auto keys = public_keys(allocate(pod, count));
    made.insert(keys.begin(), keys.end());
  }
  ASSERT_EQ(made.size(), 5u);
  ASSERT_EQ(release("validator-1"), 3);
  server_->stop();

  ProgramExit exit = run_export();

  ASSERT_TRUE(exit.exited);
  ASSERT_EQ(exit.exit_code, 0) << exit.output;
  auto files = exported_files();
  ASSERT_EQ(files.size(), 1u);
  auto entries = chain::read_deposit_data_file(files[0]);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  std::set<std::string> exported;
  for (const auto& entry : *entries) {
    exported.insert(to_hex(ByteView(entry.deposit.pubkey.data(),
                                    entry.deposit.pubkey.size())));
    EXPECT_EQ(entry.deposit.amount_gwei, 32'000'000'000u);
  }
  EXPECT_EQ(entries->size(), made.size());
  EXPECT_EQ(exported, made);
}

TEST_F(ExportDeposits, RefusesWhileTheServerIsRunning) {
  ASSERT_EQ(public_keys(allocate("validator-0", 1)).size(), 1u);

  ProgramExit exit = run_export();

  ASSERT_TRUE(exit.exited) << "export did not finish";
  EXPECT_NE(exit.exit_code, 0) << exit.output;
  EXPECT_NE(exit.output.find("/LOCK"), std::string::npos) << exit.output;
  EXPECT_NE(exit.output.find("in use"), std::string::npos) << exit.output;
  EXPECT_TRUE(exported_files().empty());
  EXPECT_TRUE(server_->running());
}

}  // namespace
}  // namespace pkm::testing
