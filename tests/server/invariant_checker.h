// Checks the six key-lifecycle invariants of DESIGN.md against what a
// crashed pkm-server left behind: its store (read after the process is
// dead), the deposit contract's logs on the chain, its log file, and the
// replies its clients received (TrafficHistory).
//
// Each check returns the violations it found, one readable line each,
// starting with the invariant's number; an empty list means it holds.
#ifndef PKM_TESTS_SERVER_INVARIANT_CHECKER_H_
#define PKM_TESTS_SERVER_INVARIANT_CHECKER_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "crypto/sealer.h"
#include "messages/records.pb.h"
#include "storage/transition.h"
#include "tests/server/traffic_history.h"

namespace pkm::testing {

// Everything in a store, read over one open.
struct DiskState {
  // By 48-byte public key.
  std::map<std::string, records::KeyRecord> keys;
  std::map<std::string, records::PodRecord> pods;
  std::vector<storage::UnassignedEntry> unassigned;

  size_t count(records::KeyState state) const;
};

// Not thread-safe (it caches which sealed secrets it has opened).
class InvariantChecker {
 public:
  InvariantChecker(std::shared_ptr<const crypto::Sealer> sealer,
                   std::chrono::milliseconds recycle_delay);

  // Opens the store under `data_dir` (no process may hold it), reads all
  // of it and closes it again. Store errors are passed on.
  [[nodiscard]] Result<DiskState> read_disk(
      const std::string& data_dir) const;

  // The public key (48 bytes) of every DepositEvent the contract at
  // `contract` logged, in log order. RPC and decoding errors passed on.
  [[nodiscard]] static Result<std::vector<std::string>> read_deposits(
      const std::string& rpc_url, const std::string& contract);

  // 1: every pod record lists keys ASSIGNED to it and no other pod lists
  // them; no ASSIGNED key is in the recycling queue; every free key is in
  // it once; and no two pods were acknowledged the same key without a
  // release of the first in between.
  std::vector<std::string> check_one_pod_per_key(
      const DiskState& disk, const TrafficHistory& history) const;

  // 2: every stored sealed secret opens to the secret of its public key,
  // and every public key deposited on chain is stored.
  std::vector<std::string> check_secret_stored_before_deposit(
      const DiskState& disk, const std::vector<std::string>& deposits);

  // 3: no public key has two deposits on chain; keys that pkm may still
  // deposit (GENERATED) have none; keys it hands out have exactly one.
  std::vector<std::string> check_deposited_once(
      const DiskState& disk, const std::vector<std::string>& deposits) const;

  // 4: a key released at T is in no allocation acknowledged before
  // T + recycle delay (T: when the release was sent), and no queued
  // released key is ready before its release time + recycle delay.
  std::vector<std::string> check_recycle_delay(
      const DiskState& disk, const TrafficHistory& history) const;

  // 5: no private key of any reply appears in `text` (hex, with or
  // without 0x, either case). `what` names the text in messages.
  std::vector<std::string> check_no_secret_in(
      const std::string& text, const std::string& what,
      const TrafficHistory& history) const;

  // 6: each pod's acknowledged keys only grow while it sends no release;
  // its last acknowledged keys lead its pod record on disk with the same
  // secrets; a pod whose last acknowledged request was a release, with
  // no allocation sent after it, holds nothing on disk.
  std::vector<std::string> check_acknowledged_survive(
      const DiskState& disk, const TrafficHistory& history);

  // After the final restart: nothing is DEPOSITING or waiting to be sent,
  // and every key that was in `before` is now deposited (or failed).
  std::vector<std::string> check_deposits_resolved(
      const DiskState& before, const DiskState& after) const;

 private:
  // The private key (0x hex) sealed in `record`, or an error text.
  Result<std::string> open_secret(const records::KeyRecord& record);
  // Pairs of acknowledgements of one key to two holders; fills the
  // violations of invariants 1 and 4 it finds.
  void check_handovers(const TrafficHistory& history,
                       std::vector<std::string>* one_pod,
                       std::vector<std::string>* delay) const;

  std::shared_ptr<const crypto::Sealer> sealer_;
  std::chrono::milliseconds recycle_delay_;
  // Sealed secret -> private key hex, for secrets already opened and
  // checked against their public key.
  std::map<std::string, std::string> opened_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_INVARIANT_CHECKER_H_
