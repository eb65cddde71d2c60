#include "tests/server/crash_traffic.h"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <nlohmann/json.hpp>

namespace pkm::testing {
namespace {

using nlohmann::json;

uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string pod_name_of(int client, int slot, int generation) {
  return "crash-t" + std::to_string(client) + "-p" + std::to_string(slot) +
         "-g" + std::to_string(generation);
}

// Fills `record` from a reply body; false when it is not a success reply.
bool read_reply(const std::string& body, RequestRecord& record,
                TrafficHistory* history) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() ||
      parsed.contains("error")) {
    record.error_body = body;
    return false;
  }
  if (record.kind == RequestKind::kRelease) return true;
  if (!parsed.contains("keys") || !parsed["keys"].is_array()) {
    record.error_body = "allocate reply without keys";
    return false;
  }
  for (const auto& key : parsed["keys"]) {
    std::string public_key = key.value("public_key", "");
    std::string private_key = key.value("private_key", "");
    record.public_keys.push_back(public_key);
    history->add_secret(public_key, private_key);
  }
  return true;
}

}  // namespace

CrashTraffic::CrashTraffic(CrashTrafficOptions options,
                           TrafficHistory* history)
    : options_(std::move(options)), history_(history) {
  for (int i = 0; i < options_.threads; ++i) {
    auto client = std::make_unique<Client>();
    client->index = i;
    client->random.seed(options_.seed * 7919 + static_cast<uint64_t>(i));
    for (int slot = 0; slot < options_.pods_per_thread; ++slot) {
      client->pods.push_back(Pod{pod_name_of(i, slot, 0)});
    }
    clients_.push_back(std::move(client));
  }
}

CrashTraffic::~CrashTraffic() {
  if (running_) stop_round(std::chrono::milliseconds(0));
}

void CrashTraffic::start_round(int round) {
  stopping_ = false;
  for (auto& client : clients_) {
    natsOptions* nats_options = nullptr;
    natsOptions_Create(&nats_options);
    natsOptions_SetURL(nats_options, options_.nats_url.c_str());
    natsOptions_SetSendAsap(nats_options, true);
    natsStatus status = NATS_ERR;
    for (int attempt = 0; attempt < 50 && status != NATS_OK; ++attempt) {
      status = natsConnection_Connect(&client->connection, nats_options);
      if (status != NATS_OK) nats_Sleep(100);
    }
    natsOptions_Destroy(nats_options);
    if (status != NATS_OK) {
      ADD_FAILURE() << "cannot connect to " << options_.nats_url << ": "
                    << natsStatus_GetText(status);
      client->connection = nullptr;
    }
    for (auto& pod : client->pods) pod.idle = false;
    client->holding_pod.reset();
    if (options_.holding_pod_per_round) {
      client->holding_pod = std::make_unique<Pod>();
      client->holding_pod->name = "crash-t" + std::to_string(client->index) +
                                  "-hold-r" + std::to_string(round);
      client->holding_pod->holding = true;
    }
  }
  for (auto& client : clients_) {
    if (client->connection == nullptr) continue;
    Client* raw = client.get();
    client->thread = std::thread([this, raw, round] { run(*raw, round); });
  }
  running_ = true;
}

void CrashTraffic::stop_round(std::chrono::milliseconds grace) {
  stopping_ = true;
  std::this_thread::sleep_for(grace);
  // Closing wakes every request still waiting: the server that had it is
  // dead, so no reply can come any more.
  for (auto& client : clients_) {
    if (client->connection != nullptr) {
      natsConnection_Close(client->connection);
    }
  }
  for (auto& client : clients_) {
    if (client->thread.joinable()) client->thread.join();
    if (client->connection != nullptr) {
      natsConnection_Destroy(client->connection);
      client->connection = nullptr;
    }
    history_->add(client->records);
    client->records.clear();
  }
  running_ = false;
}

void CrashTraffic::run(Client& client, int round) {
  std::uniform_int_distribution<int> pause_ms(
      0, static_cast<int>(options_.max_pause.count()));
  while (!stopping_) {
    std::vector<Pod*> ready;
    for (auto& pod : client.pods) {
      if (!pod.idle) ready.push_back(&pod);
    }
    if (client.holding_pod && !client.holding_pod->idle) {
      ready.push_back(client.holding_pod.get());
    }
    if (ready.empty()) break;
    std::uniform_int_distribution<size_t> pick(0, ready.size() - 1);
    send(client, *ready[pick(client.random)], round);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(pause_ms(client.random)));
  }
}

void CrashTraffic::send(Client& client, Pod& pod, int round) {
  std::uniform_real_distribution<double> chance(0.0, 1.0);
  std::uniform_int_distribution<uint32_t> keys(1, options_.max_keys);
  RequestRecord record;
  record.pod_name = pod.name;
  record.round = round;
  std::string subject;
  json body{{"pod_name", pod.name}};
  if (pod.holds_keys && !pod.holding &&
      chance(client.random) < options_.release_probability) {
    record.kind = RequestKind::kRelease;
    subject = options_.subject_prefix + ".release";
  } else {
    record.kind = RequestKind::kAllocate;
    record.keys_asked = keys(client.random);
    body["number_of_keys"] = record.keys_asked;
    subject = options_.subject_prefix + ".allocate";
  }
  std::string text = body.dump();

  natsMsg* reply = nullptr;
  record.sent_unix_ms = unix_now_ms();
  natsStatus status = natsConnection_Request(
      &reply, client.connection, subject.c_str(), text.data(),
      static_cast<int>(text.size()),
      static_cast<int64_t>(options_.request_timeout.count()));
  if (status == NATS_OK) {
    record.received_unix_ms = unix_now_ms();
    const char* data = natsMsg_GetData(reply);
    int length = natsMsg_GetDataLength(reply);
    std::string reply_body = data == nullptr || length <= 0
                                 ? std::string()
                                 : std::string(data, length);
    natsMsg_Destroy(reply);
    record.acknowledged = read_reply(reply_body, record, history_);
  } else {
    pod.idle = true;
  }

  if (record.acknowledged && record.kind == RequestKind::kAllocate) {
    pod.holds_keys = !record.public_keys.empty();
  } else if (record.acknowledged) {
    pod.holds_keys = false;
  }
  client.records.push_back(std::move(record));

  // Half of the released pods come back under a new name (a new pod).
  const RequestRecord& last = client.records.back();
  if (last.acknowledged && last.kind == RequestKind::kRelease &&
      chance(client.random) < 0.5) {
    size_t slot = static_cast<size_t>(&pod - client.pods.data());
    pod.generation += 1;
    pod.name = pod_name_of(client.index, static_cast<int>(slot),
                           pod.generation);
  }
}

}  // namespace pkm::testing
