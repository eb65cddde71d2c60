#include "actors/depositor_actor.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/component_logger.h"
#include "actors/keygen_actor.h"
#include "chain/deposit_sender.h"
#include "chain/json_rpc_client.h"

namespace pkm::actors {
namespace {

using worker_actor =
    caf::typed_actor<caf::reacts_to<submit_atom, KeyBatch>>;
using waiter_actor =
    caf::typed_actor<caf::reacts_to<receipts_atom, KeyBatch>>;

std::string key_of(const std::string& public_key) { return public_key; }

// A connection to the node and a sender for the funder, made on first use
// so that a node that is down at start-up only delays deposits.
struct ChainLink {
  std::unique_ptr<chain::JsonRpcClient> client;
  std::unique_ptr<chain::DepositSender> sender;

  Status connect(const DepositorOptions& options) {
    if (sender) return Status();
    auto made = chain::JsonRpcClient::create(options.eth_rpc_url);
    if (!made.ok()) return made.error();
    chain::DepositSender::Options sender_options;
    sender_options.contract_address = options.contract_address;
    sender_options.fork_version = options.fork_version;
    sender_options.batch_size = 100;
    // Keygen verified every deposit signature when it made the key.
    sender_options.verify_signatures = false;
    auto created = chain::DepositSender::create(**made, *options.funder,
                                                sender_options);
    if (!created.ok()) return created.error();
    client = std::move(made).value();
    sender = std::move(created).value();
    return Status();
  }
};

chain::DepositData deposit_data_of(const records::KeyRecord& record) {
  chain::DepositData data;
  const std::string& pubkey = record.public_key();
  std::copy(pubkey.begin(), pubkey.end(), data.pubkey.begin());
  const std::string& credentials = record.withdrawal_credentials();
  std::copy(credentials.begin(), credentials.end(),
            data.withdrawal_credentials.begin());
  data.amount_gwei = record.deposit().amount_gwei();
  const std::string& signature = record.deposit().signature();
  std::copy(signature.begin(), signature.end(), data.signature.begin());
  return data;
}

chain::DepositSubmission submission_of(const records::KeyRecord& record) {
  chain::DepositSubmission submission;
  const std::string& pubkey = record.public_key();
  std::copy(pubkey.begin(), pubkey.end(), submission.pubkey.begin());
  submission.nonce = record.deposit().nonce();
  submission.tx_hash.assign(record.deposit().tx_hash().begin(),
                            record.deposit().tx_hash().end());
  submission.raw.assign(record.deposit().raw_transaction().begin(),
                        record.deposit().raw_transaction().end());
  return submission;
}

// Writes `transition` through the store actor and waits until it is
// synced. Called from the worker's own thread.
Status apply_and_wait(caf::actor_system& system, const store_actor& store,
                      TransitionPtr transition) {
  caf::scoped_actor self{system};
  Status result;
  self->request(store, caf::infinite, apply_atom::value,
                std::move(transition))
      .receive([](bool) {},
               [&](caf::error& error) { result = from_caf_error(error); });
  return result;
}

// Asks the node about the transactions of resumed deposits in three
// round trips, however many there are (a crash-looping server must get
// through them before its next crash). Mined and pending ones stay in
// `open`; a lost one (unknown, its nonce still open) is re-sent byte for
// byte and stays; replaced ones (unknown, nonce used by another
// transaction: never mined) are moved out and returned, to be sent anew.
// Whatever the node cannot answer stays in `open`.
std::vector<records::KeyRecord> take_replaced(
    ChainLink& link, std::vector<records::KeyRecord>& open) {
  std::vector<records::KeyRecord> replaced;
  std::vector<chain::RpcRequest> receipts;
  std::vector<chain::RpcRequest> lookups;
  for (const auto& record : open) {
    std::string hash = to_hex(ByteView(
        reinterpret_cast<const uint8_t*>(record.deposit().tx_hash().data()),
        record.deposit().tx_hash().size()));
    receipts.push_back({"eth_getTransactionReceipt", {hash}});
    lookups.push_back({"eth_getTransactionByHash", {hash}});
  }
  auto mined = link.client->batch(receipts);
  if (!mined.ok() || mined->size() != open.size()) return replaced;
  auto known = link.client->batch(lookups);
  if (!known.ok() || known->size() != open.size()) return replaced;
  auto confirmed = link.client->transaction_count(
      link.sender->funder_address(), "latest");
  if (!confirmed.ok()) return replaced;

  std::vector<records::KeyRecord> kept;
  for (size_t i = 0; i < open.size(); ++i) {
    const auto& receipt = (*mined)[i];
    const auto& lookup = (*known)[i];
    bool unknown = receipt.ok() && receipt->is_null() && lookup.ok() &&
                   lookup->is_null();
    bool is_replaced = unknown && *confirmed > open[i].deposit().nonce();
    if (unknown && !is_replaced) {
      auto state = link.sender->resend(submission_of(open[i]));
      is_replaced =
          state.ok() && *state == chain::SubmissionState::kReplaced;
    }
    if (is_replaced) {
      replaced.push_back(std::move(open[i]));
    } else {
      kept.push_back(std::move(open[i]));
    }
  }
  open = std::move(kept);
  return replaced;
}

DepositOutcome failed(records::KeyRecord record, std::string why) {
  record.mutable_deposit()->set_status(records::DEPOSIT_STATUS_FAILED);
  record.mutable_deposit()->set_error(why);
  DepositOutcome outcome;
  outcome.kind = DepositOutcome::Kind::kFailed;
  outcome.record = std::move(record);
  outcome.error = std::move(why);
  return outcome;
}

worker_actor::behavior_type worker_behavior(
    worker_actor::stateful_pointer<ChainLink> self, DepositorOptions options,
    depositor_actor depositor) {
  return {
      [self, options, depositor](submit_atom, KeyBatch& batch) {
        auto log = component_logger("depositor");
        DepositOutcomes refused;
        KeyBatch sent;
        Status connected = self->state.connect(options);
        if (!connected.ok()) {
          log->warn("cannot reach the execution node error={}",
                    connected.error().message);
          for (auto& record : batch.records) {
            refused.outcomes.push_back(failed(
                std::move(record),
                "deposit not sent: " + connected.error().message));
          }
          self->send(depositor, submitted_atom::value, std::move(refused),
                     std::move(sent));
          return;
        }

        std::vector<chain::DepositData> deposits;
        std::unordered_map<std::string, size_t> index_of;
        for (size_t i = 0; i < batch.records.size(); ++i) {
          deposits.push_back(deposit_data_of(batch.records[i]));
          index_of[key_of(batch.records[i].public_key())] = i;
        }

        // Invariant 2 holds already (the records were stored before they
        // came here); the journal adds each transaction before it is sent.
        std::vector<bool> journaled(batch.records.size(), false);
        uint64_t now = unix_now_ms();
        auto journal = [&](const std::vector<chain::DepositSubmission>&
                               submissions) -> Status {
          auto transition = std::make_shared<storage::Transition>();
          std::vector<records::KeyRecord> updated;
          for (const auto& submission : submissions) {
            std::string pubkey(submission.pubkey.begin(),
                               submission.pubkey.end());
            size_t index = index_of.at(pubkey);
            records::KeyRecord record = batch.records[index];
            record.set_state(records::KEY_STATE_DEPOSITING);
            record.set_updated_unix_ms(now);
            records::Deposit* deposit = record.mutable_deposit();
            deposit->set_status(records::DEPOSIT_STATUS_SUBMITTED);
            deposit->set_tx_hash(submission.tx_hash.data(),
                                 submission.tx_hash.size());
            deposit->set_nonce(submission.nonce);
            deposit->set_raw_transaction(submission.raw.data(),
                                         submission.raw.size());
            deposit->set_attempts(deposit->attempts() + 1);
            deposit->clear_error();
            transition->put_key(record);
            updated.push_back(std::move(record));
          }
          Status kept = apply_and_wait(self->system(), options.store,
                                       std::move(transition));
          if (!kept.ok()) return kept;
          for (auto& record : updated) {
            size_t index = index_of.at(key_of(record.public_key()));
            batch.records[index] = std::move(record);
            journaled[index] = true;
          }
          return Status();
        };

        auto results = self->state.sender->submit(deposits, nullptr, journal);
        if (!results.ok()) {
          log->warn("deposit batch refused count={} error={}",
                    batch.records.size(), results.error().message);
          for (auto& record : batch.records) {
            refused.outcomes.push_back(
                failed(std::move(record), results.error().message));
          }
        } else {
          for (size_t i = 0; i < results->size(); ++i) {
            const auto& result = (*results)[i];
            // Journaled and maybe sent: the waiter finds out which.
            if (result.ok() || (journaled[i] && result.error().code ==
                                                    ErrorCode::kUnavailable)) {
              sent.records.push_back(std::move(batch.records[i]));
              continue;
            }
            records::KeyRecord record = std::move(batch.records[i]);
            record.set_state(records::KEY_STATE_GENERATED);
            refused.outcomes.push_back(
                failed(std::move(record), result.error().message));
          }
          log->info("deposits sent count={} refused={}", sent.records.size(),
                    refused.outcomes.size());
        }

        if (options.metrics != nullptr) {
          auto balance = self->state.client->balance(
              self->state.sender->funder_address());
          if (balance.ok()) options.metrics->set_funder_balance_wei(*balance);
        }
        self->send(depositor, submitted_atom::value, std::move(refused),
                   std::move(sent));
      },
  };
}

waiter_actor::behavior_type waiter_behavior(
    waiter_actor::stateful_pointer<ChainLink> self, DepositorOptions options,
    depositor_actor depositor) {
  return {
      [self, options, depositor](receipts_atom, KeyBatch& batch) {
        auto log = component_logger("depositor");
        DepositOutcomes outcomes;
        std::vector<records::KeyRecord> open = std::move(batch.records);
        auto deadline =
            std::chrono::steady_clock::now() + options.receipt_timeout;

        // Deposits journaled by an earlier process may never have been
        // sent, and a newer transaction may have taken their nonce. Sort
        // them out at once instead of after the receipt wait's first look
        // for lost transactions, seconds later.
        if (batch.resumed && self->state.connect(options).ok()) {
          for (auto& record : take_replaced(self->state, open)) {
            DepositOutcome outcome;
            outcome.kind = DepositOutcome::Kind::kRetry;
            outcome.record = std::move(record);
            outcomes.outcomes.push_back(std::move(outcome));
          }
        }

        while (!open.empty()) {
          Status connected = self->state.connect(options);
          std::vector<chain::DepositSubmission> submissions;
          for (const auto& record : open) {
            submissions.push_back(submission_of(record));
          }
          auto remaining = std::chrono::duration_cast<
              std::chrono::milliseconds>(deadline -
                                         std::chrono::steady_clock::now());
          if (remaining.count() <= 0) break;
          Result<std::vector<chain::TransactionReceipt>> receipts =
              connected.ok()
                  ? self->state.sender->wait_for_receipts(
                        submissions, options.confirmations, remaining)
                  : Result<std::vector<chain::TransactionReceipt>>(
                        connected.error());
          if (receipts.ok()) {
            for (size_t i = 0; i < open.size(); ++i) {
              records::KeyRecord record = std::move(open[i]);
              const auto& receipt = (*receipts)[i];
              record.mutable_deposit()->set_block_number(
                  receipt.block_number);
              if (receipt.succeeded) {
                record.mutable_deposit()->set_status(
                    records::DEPOSIT_STATUS_CONFIRMED);
                DepositOutcome outcome;
                outcome.kind = DepositOutcome::Kind::kConfirmed;
                outcome.record = std::move(record);
                outcomes.outcomes.push_back(std::move(outcome));
              } else {
                record.set_state(records::KEY_STATE_GENERATED);
                outcomes.outcomes.push_back(failed(
                    std::move(record), "the deposit transaction reverted"));
              }
            }
            open.clear();
            break;
          }

          // Some transaction could not be followed. Ask about each one:
          // a replaced one was never mined and goes back to be sent anew.
          log->warn("waiting for deposit receipts failed open={} error={}",
                    open.size(), receipts.error().message);
          std::vector<records::KeyRecord> still_open;
          for (auto& record : open) {
            auto state = connected.ok()
                             ? self->state.sender->state_of(
                                   submission_of(record))
                             : Result<chain::SubmissionState>(
                                   connected.error());
            if (state.ok() && *state == chain::SubmissionState::kReplaced) {
              DepositOutcome outcome;
              outcome.kind = DepositOutcome::Kind::kRetry;
              outcome.record = std::move(record);
              outcomes.outcomes.push_back(std::move(outcome));
            } else {
              still_open.push_back(std::move(record));
            }
          }
          open = std::move(still_open);
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }

        for (auto& record : open) {
          DepositOutcome outcome;
          outcome.kind = DepositOutcome::Kind::kUnresolved;
          outcome.error = "no receipt before the deadline";
          outcome.record = std::move(record);
          outcomes.outcomes.push_back(std::move(outcome));
        }
        self->send(depositor, receipts_atom::value, std::move(outcomes));
      },
  };
}

struct DepositorState {
  allocator_actor requester;
  worker_actor worker;
  waiter_actor waiter;
  // Follows deposits resumed at start-up, so that a slow one never holds
  // up the receipts of new deposits.
  waiter_actor resume_waiter;
  std::deque<records::KeyRecord> queue;
  bool worker_busy = false;
  uint64_t in_flight = 0;
  static inline const char* name = "depositor";
};

depositor_actor::behavior_type depositor_behavior(
    depositor_actor::stateful_pointer<DepositorState> self,
    DepositorOptions options) {
  auto dispatch = [self, options] {
    auto& state = self->state;
    if (state.worker_busy || state.queue.empty()) return;
    KeyBatch batch;
    while (!state.queue.empty() && batch.records.size() < options.max_batch) {
      batch.records.push_back(std::move(state.queue.front()));
      state.queue.pop_front();
    }
    state.worker_busy = true;
    self->send(state.worker, submit_atom::value, std::move(batch));
  };
  auto report = [self, options](DepositOutcomes outcomes) {
    auto& state = self->state;
    uint64_t confirmed = 0;
    uint64_t failures = 0;
    for (const auto& outcome : outcomes.outcomes) {
      if (outcome.kind == DepositOutcome::Kind::kConfirmed) ++confirmed;
      if (outcome.kind == DepositOutcome::Kind::kFailed) ++failures;
    }
    state.in_flight -= std::min<uint64_t>(state.in_flight,
                                          outcomes.outcomes.size());
    if (options.metrics != nullptr) {
      options.metrics->add_deposits_confirmed(confirmed);
      options.metrics->add_deposits_failed(failures);
      options.metrics->set_deposits_pending(state.in_flight);
    }
    if (!outcomes.outcomes.empty() && state.requester) {
      self->send(state.requester, deposited_atom::value, std::move(outcomes));
    }
  };

  // Linked: they stop with the depositor.
  self->state.worker = self->spawn<caf::detached + caf::linked>(
      worker_behavior, options, depositor_actor(self));
  self->state.waiter = self->spawn<caf::detached + caf::linked>(
      waiter_behavior, options, depositor_actor(self));
  self->state.resume_waiter = self->spawn<caf::detached + caf::linked>(
      waiter_behavior, options, depositor_actor(self));
  self->set_down_handler([](caf::down_msg&) {});

  return {
      [self, dispatch, options](deposit_atom, KeyBatch& batch) {
        auto& state = self->state;
        state.requester =
            caf::actor_cast<allocator_actor>(self->current_sender());
        KeyBatch resumed;
        resumed.resumed = true;
        for (auto& record : batch.records) {
          ++state.in_flight;
          if (record.state() == records::KEY_STATE_DEPOSITING &&
              !record.deposit().tx_hash().empty()) {
            resumed.records.push_back(std::move(record));
          } else {
            state.queue.push_back(std::move(record));
          }
        }
        if (options.metrics != nullptr) {
          options.metrics->set_deposits_pending(state.in_flight);
        }
        if (!resumed.records.empty()) {
          component_logger("depositor")
              ->info("resuming journaled deposits count={}",
                     resumed.records.size());
          self->send(state.resume_waiter, receipts_atom::value,
                     std::move(resumed));
        }
        dispatch();
      },
      [self, dispatch, report](submitted_atom, DepositOutcomes& refused,
                               KeyBatch& sent) {
        self->state.worker_busy = false;
        if (!sent.records.empty()) {
          self->send(self->state.waiter, receipts_atom::value,
                     std::move(sent));
        }
        report(std::move(refused));
        dispatch();
      },
      [self, dispatch, report](receipts_atom, DepositOutcomes& outcomes) {
        DepositOutcomes final_outcomes;
        for (auto& outcome : outcomes.outcomes) {
          if (outcome.kind != DepositOutcome::Kind::kRetry) {
            final_outcomes.outcomes.push_back(std::move(outcome));
            continue;
          }
          // Its nonce went to another transaction: never mined, send anew.
          records::KeyRecord record = std::move(outcome.record);
          component_logger("depositor")
              ->warn("deposit transaction replaced, sending again "
                     "pubkey={} tx={}",
                     to_hex(ByteView(reinterpret_cast<const uint8_t*>(
                                         record.public_key().data()),
                                     record.public_key().size())),
                     to_hex(ByteView(reinterpret_cast<const uint8_t*>(
                                         record.deposit().tx_hash().data()),
                                     record.deposit().tx_hash().size())));
          record.set_state(records::KEY_STATE_GENERATED);
          record.mutable_deposit()->set_status(
              records::DEPOSIT_STATUS_PENDING);
          self->state.queue.push_back(std::move(record));
        }
        report(std::move(final_outcomes));
        dispatch();
      },
  };
}

}  // namespace

depositor_actor spawn_depositor(caf::actor_system& system,
                                DepositorOptions options) {
  component_logger("depositor");
  return system.spawn(depositor_behavior, std::move(options));
}

}  // namespace pkm::actors
