// The crash test of DESIGN.md's key lifecycle: pkm-server, sending real
// deposits to a devnet, is killed with SIGKILL at random moments while
// pods allocate and release keys over NATS. After every kill the six
// invariants are checked against the store, the chain, the server's log
// and the replies the pods got; at the end the server runs once more
// until every deposit it had pending is resolved.
//
// PKM_CRASH_ROUNDS sets the number of kills (default 20; the longer run is
// scripts/crash-campaign); PKM_CRASH_SEED replays the traffic and kill
// times of a printed seed (timing still varies from run to run);
// PKM_CRASH_KEEP=DIR copies the server's logs and data dir to DIR at the
// end, for a look at what it did.
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/sealer.h"
#include "tests/chain/devnet_fixture.h"
#include "tests/client/nats_server.h"
#include "tests/server/crash_traffic.h"
#include "tests/server/invariant_checker.h"
#include "tests/server/pkm_server_process.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kRecycleDelay{3000};
constexpr int kDefaultRounds = 20;

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The value of an unlabelled or labelled sample in Prometheus text; -1
// when absent.
double metric(const std::string& text, const std::string& sample) {
  size_t at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + sample.size() + 2, nullptr);
}

std::string summary(const DiskState& disk, size_t deposits) {
  return "keys generated=" +
         std::to_string(disk.count(records::KEY_STATE_GENERATED)) +
         " depositing=" +
         std::to_string(disk.count(records::KEY_STATE_DEPOSITING)) +
         " assigned=" +
         std::to_string(disk.count(records::KEY_STATE_ASSIGNED)) +
         " quarantined=" +
         std::to_string(disk.count(records::KEY_STATE_QUARANTINED)) +
         " unassigned=" +
         std::to_string(disk.count(records::KEY_STATE_UNASSIGNED)) +
         " pods=" + std::to_string(disk.pods.size()) +
         " deposits_on_chain=" + std::to_string(deposits);
}

class ServerCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_.started());
    ASSERT_TRUE(nats_.start());
    PkmServerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.nats_url = nats_.url();
    options.deposit_mode = "chain";
    options.eth_rpc = devnet_.rpc_url();
    options.deposit_contract = devnet_.contract();
    options.funder_key_file = devnet_.env("PKM_FUNDER_KEY_FILE");
    options.recycle_delay = "3s";
    // 1 ETH deposits: the funder's 10000 dev ETH last for a long campaign.
    options.extra_args = {"--deposit-amount", "1 ETH", "--fork-version",
                          devnet_.env("PKM_FORK_VERSION")};
    server_ = std::make_unique<PkmServerProcess>(options,
                                                 dir_.path() + "/server.log");
  }

  // Loads the master key the first server created; the store is checked
  // with it.
  bool make_checker() {
    if (checker_) return true;
    auto master_key = crypto::load_or_create_master_key(
        server_->options().data_dir + "/master.key");
    if (!master_key.ok()) {
      ADD_FAILURE() << master_key.error().to_string();
      return false;
    }
    auto sealer = crypto::Sealer::create(*master_key);
    if (!sealer.ok()) {
      ADD_FAILURE() << sealer.error().to_string();
      return false;
    }
    checker_ = std::make_unique<InvariantChecker>(
        std::make_shared<const crypto::Sealer>(std::move(sealer).value()),
        kRecycleDelay);
    return true;
  }

  // Runs every check on the dead server's data; fills `disk`.
  std::vector<std::string> check_all(DiskState* disk,
                                     std::vector<std::string>* deposits) {
    std::vector<std::string> violations;
    auto read = checker_->read_disk(server_->options().data_dir);
    if (!read.ok()) return {"store: " + read.error().to_string()};
    *disk = std::move(read).value();
    auto chain = InvariantChecker::read_deposits(devnet_.rpc_url(),
                                                 devnet_.contract());
    if (!chain.ok()) return {"chain: " + chain.error().to_string()};
    *deposits = std::move(chain).value();

    auto add = [&](std::vector<std::string> found) {
      violations.insert(violations.end(), found.begin(), found.end());
    };
    add(checker_->check_one_pod_per_key(*disk, history_));
    add(checker_->check_secret_stored_before_deposit(*disk, *deposits));
    add(checker_->check_deposited_once(*disk, *deposits));
    add(checker_->check_recycle_delay(*disk, history_));
    add(checker_->check_no_secret_in(server_->log(), "the server log",
                                     history_));
    std::string error_replies;
    for (const auto& [pod, records] : history_.by_pod()) {
      for (const auto& record : records) {
        error_replies += record.error_body + "\n";
      }
    }
    add(checker_->check_no_secret_in(error_replies, "an error reply",
                                     history_));
    add(checker_->check_acknowledged_survive(*disk, history_));
    return violations;
  }

  static std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    size_t shown = 0;
    for (const auto& line : lines) {
      if (++shown > 40) {
        text += "  ... and " + std::to_string(lines.size() - 40) + " more\n";
        break;
      }
      text += "  " + line + "\n";
    }
    return text;
  }

  void TearDown() override {
    const char* keep = std::getenv("PKM_CRASH_KEEP");
    if (keep == nullptr || *keep == '\0' || !server_) return;
    if (server_->running()) server_->kill9();
    std::string command = "mkdir -p '" + std::string(keep) + "' && cp -r '" +
                          dir_.path() + "/.' '" + std::string(keep) + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }

  TempDir dir_;
  Devnet devnet_{"--block-time 0.25"};
  NatsServer nats_{dir_.path() + "/nats.log"};
  std::unique_ptr<PkmServerProcess> server_;
  TrafficHistory history_;
  std::unique_ptr<InvariantChecker> checker_;
};

TEST_F(ServerCrash, SixInvariantsHoldAfterEveryKillDuringDepositsInFlight) {
  const uint64_t seed = env_number("PKM_CRASH_SEED", std::random_device{}());
  const int rounds =
      static_cast<int>(env_number("PKM_CRASH_ROUNDS", kDefaultRounds));
  std::cout << "crash test: seed=" << seed << " rounds=" << rounds
            << " (replay with PKM_CRASH_SEED=" << seed << ")" << std::endl;
  SCOPED_TRACE("PKM_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(100, 2500);
  CrashTrafficOptions traffic_options;
  traffic_options.nats_url = nats_.url();
  traffic_options.seed = seed;
  CrashTraffic traffic(traffic_options, &history_);
  auto started = std::chrono::steady_clock::now();
  DiskState disk;
  std::vector<std::string> deposits;

  for (int round = 1; round <= rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_TRUE(server_->start());
    int kill_after = kill_after_ms(random);

    traffic.start_round(round);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after));
    int status = server_->kill9();
    traffic.stop_round(std::chrono::milliseconds(200));

    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "pkm-server ended by itself (status " << status << ") before "
        << "the kill; log:\n" << server_->log();
    ASSERT_TRUE(make_checker());
    std::vector<std::string> violations = check_all(&disk, &deposits);
    std::cout << "round " << round << ": killed after " << kill_after
              << " ms; acknowledged allocations="
              << history_.acknowledged(RequestKind::kAllocate)
              << " releases=" << history_.acknowledged(RequestKind::kRelease)
              << " requests=" << history_.size() << " refused="
              << history_.refused() << "; "
              << summary(disk, deposits.size()) << std::endl;
    ASSERT_TRUE(violations.empty())
        << violations.size() << " violations after the kill of round "
        << round << " (seed " << seed << "):\n" << joined(violations);
  }
  auto crashed = std::chrono::steady_clock::now();

  // One more start: deposits pending at the last kill resume and resolve.
  DiskState before = disk;
  size_t scans_before = count_of(server_->log(), "recovery scan done");
  ASSERT_TRUE(server_->start());
  int polls_clear = 0;
  bool resolved = wait_until(
      [&] {
        std::string assignments;
        std::string metrics;
        if (server_->http_get("/assignments?format=json", &assignments) !=
                200 ||
            server_->http_get("/metrics", &metrics) != 200) {
          return false;
        }
        json view = json::parse(assignments, nullptr, false);
        bool clear =
            count_of(server_->log(), "recovery scan done") > scans_before &&
            !view.is_discarded() && view.value("depositing", -1) == 0 &&
            metric(metrics, "pkm_deposits{status=\"pending\"}") == 0;
        polls_clear = clear ? polls_clear + 1 : 0;
        // Clear for 20 polls in a row (about half a second), so that
        // nothing was between the depositor's queue and the store.
        return polls_clear > 20;
      },
      std::chrono::seconds(90));
  std::vector<std::string> pages;
  for (const char* path :
       {"/assignments?format=json", "/assignments?format=text",
        "/assignments", "/metrics"}) {
    std::string body;
    server_->http_get(path, &body);
    for (auto& line : checker_->check_no_secret_in(body, path, history_)) {
      pages.push_back(line);
    }
  }
  server_->stop();

  ASSERT_TRUE(resolved) << "deposits still pending 90 s after the last "
                        << "start; log:\n" << server_->log();
  std::vector<std::string> violations = check_all(&disk, &deposits);
  for (auto& line : checker_->check_deposits_resolved(before, disk)) {
    violations.push_back(line);
  }
  violations.insert(violations.end(), pages.begin(), pages.end());
  EXPECT_TRUE(violations.empty())
      << violations.size() << " violations after the final start (seed "
      << seed << "):\n" << joined(violations);
  auto seconds = [](auto elapsed) {
    return std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  };
  std::cout << "crash test: " << rounds << " kills in "
            << seconds(crashed - started) << " s, final resolution in "
            << seconds(std::chrono::steady_clock::now() - crashed)
            << " s; pending before the final start: depositing="
            << before.count(records::KEY_STATE_DEPOSITING)
            << "; after: " << summary(disk, deposits.size()) << std::endl;
  // Error replies are allowed (a deposit can fail), but say which.
  std::map<std::string, int> errors;
  for (const auto& [pod, records] : history_.by_pod()) {
    for (const auto& record : records) {
      if (!record.error_body.empty()) {
        errors[record.error_body.substr(0, 300)] += 1;
      }
    }
  }
  for (const auto& [error, count] : errors) {
    std::cout << "crash test: " << count << " error replies: " << error
              << std::endl;
  }
}

}  // namespace
}  // namespace pkm::testing
