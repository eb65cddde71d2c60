// Concurrent allocate and release traffic for the pkm-server crash test:
// several client threads, each with its own NATS connection and its own
// pods, send requests as validator pods would and record every reply in a
// TrafficHistory. A round's traffic is cut off at once when the test kills
// the server: stop_round() closes the connections, so a request the dead
// server will never answer ends without waiting for its timeout.
#ifndef PKM_TESTS_SERVER_CRASH_TRAFFIC_H_
#define PKM_TESTS_SERVER_CRASH_TRAFFIC_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/traffic_history.h"

struct __natsConnection;

namespace pkm::testing {

struct CrashTrafficOptions {
  std::string nats_url;
  std::string subject_prefix = "pkm";
  int threads = 4;
  // Pods per thread alive at a time. A pod whose release is acknowledged
  // is often replaced by one with a new name, so new pods keep coming.
  int pods_per_thread = 4;
  // number_of_keys is drawn from 1..max_keys.
  uint32_t max_keys = 3;
  // Chance that a pod holding keys releases them instead of asking.
  double release_probability = 0.3;
  // Each round, each thread also drives one new pod that never releases:
  // held keys keep growing, so that the recycling queue never covers all
  // demand and long campaigns keep making and depositing new keys.
  bool holding_pod_per_round = true;
  // Pause between two requests of a thread: 0..max_pause.
  std::chrono::milliseconds max_pause{40};
  // A request without a reply in this time leaves its pod idle for the
  // rest of the round (the server may still be working on it).
  std::chrono::milliseconds request_timeout{20000};
  uint64_t seed = 1;
};

// Driven from one thread (the test's); the client threads are internal.
// Pods keep their names and what they hold across rounds, so later rounds
// ask again for keys acknowledged before a kill.
class CrashTraffic {
 public:
  // `history` must outlive this object.
  CrashTraffic(CrashTrafficOptions options, TrafficHistory* history);
  ~CrashTraffic();
  CrashTraffic(const CrashTraffic&) = delete;
  CrashTraffic& operator=(const CrashTraffic&) = delete;

  // Connects one NATS connection per thread, then starts the threads.
  // Fails the test when a connection cannot be made.
  void start_round(int round);
  // Stops sending new requests, waits `grace` for replies already on
  // their way, then closes the connections (pending requests end without
  // a reply) and joins the threads. Their records go to the history.
  void stop_round(std::chrono::milliseconds grace);

 private:
  struct Pod {
    std::string name;
    int generation = 0;
    // An allocation was acknowledged and no release since.
    bool holds_keys = false;
    // A request went unanswered this round; not used again until the
    // next round (the server may still hold it in its queue).
    bool idle = false;
    // Never released (see holding_pod_per_round).
    bool holding = false;
  };
  struct Client {
    int index = 0;
    std::mt19937_64 random;
    std::vector<Pod> pods;
    // This round's holding pod, when there is one; earlier rounds' keep
    // their keys and get no more requests.
    std::unique_ptr<Pod> holding_pod;
    __natsConnection* connection = nullptr;
    std::vector<RequestRecord> records;
    std::thread thread;
  };

  void run(Client& client, int round);
  void send(Client& client, Pod& pod, int round);

  CrashTrafficOptions options_;
  TrafficHistory* history_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::atomic<bool> stopping_{false};
  bool running_ = false;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_CRASH_TRAFFIC_H_
