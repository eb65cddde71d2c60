// pkm-nats-load: a closed-loop request/reply load generator for NATS.
//
// It keeps exactly --in-flight requests outstanding on --subject: each reply
// sends the next request. Replies come back on one wildcard subscription,
// `<inbox>.*`, and request i carries the reply subject `<inbox>.<i>`, so no
// per-request subscription or NATS.c request machinery sits in the measured
// path. The body of request i is --payload with every "{i}" replaced by i,
// counting warm-up requests first, so each request can name a new pod.
//
// After --warmup unmeasured requests it sends --requests measured ones and
// prints one JSON line on stdout:
//   {"subject":..,"requests":..,"in_flight":..,"seconds":..,"per_second":..,
//    "p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..,"errors":..,
//    "timeouts":..,"completed":..}
// A reply with the header Nats-Service-Error-Code (pkm's error replies) or
// a no-responders status counts as an error; the first one is described on
// stderr. A request unanswered after --timeout-ms stops the run at once.
// Exit status: 0 when every request got a non-error reply, 1 otherwise,
// 2 for bad flags or a connection failure.
#include <nats/nats.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pkm::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kServiceErrorCodeHeader[] = "Nats-Service-Error-Code";
// How often the waiting thread looks for requests past their deadline.
constexpr auto kTimeoutCheckInterval = std::chrono::milliseconds(10);

struct LoadOptions {
  std::string nats_url;
  std::string subject;
  uint32_t in_flight = 64;
  uint64_t requests = 10000;
  uint64_t warmup = 0;
  std::string payload = "{}";
  uint32_t timeout_ms = 5000;
};

// The --payload text split at each "{i}", so a body is built by joining the
// pieces with the request index.
class PayloadTemplate {
 public:
  explicit PayloadTemplate(std::string_view text) {
    constexpr std::string_view kPlaceholder = "{i}";
    size_t start = 0;
    for (;;) {
      size_t found = text.find(kPlaceholder, start);
      if (found == std::string_view::npos) break;
      pieces_.emplace_back(text.substr(start, found - start));
      start = found + kPlaceholder.size();
    }
    pieces_.emplace_back(text.substr(start));
  }

  // Writes the body of request `index` into `out`.
  void render(uint64_t index, std::string& out) const {
    out.clear();
    std::string number = std::to_string(index);
    for (size_t i = 0; i < pieces_.size(); ++i) {
      if (i > 0) out += number;
      out += pieces_[i];
    }
  }

 private:
  std::vector<std::string> pieces_;
};

// Everything the reply callback and the waiting thread share. Every member
// below `mutex` is guarded by it.
struct LoadState {
  LoadState(const LoadOptions& options, std::string reply_prefix)
      : options(options),
        payload(options.payload),
        reply_prefix(std::move(reply_prefix)),
        sent_at(options.warmup + options.requests),
        answered(options.warmup + options.requests, 0) {}

  const LoadOptions& options;
  const PayloadTemplate payload;
  // "<inbox>." — a reply subject is this plus the request index.
  const std::string reply_prefix;
  natsConnection* connection = nullptr;

  std::mutex mutex;
  std::condition_variable changed;
  // The phase being run: request indexes [phase_begin, phase_end).
  uint64_t phase_begin = 0;
  uint64_t phase_end = 0;
  uint64_t next_index = 0;
  uint64_t completed = 0;
  bool measuring = false;
  // Set to stop sending: a publish failed, a request timed out, or the
  // run is over.
  bool stopped = false;
  natsStatus publish_status = NATS_OK;

  std::vector<Clock::time_point> sent_at;
  std::vector<uint8_t> answered;
  std::vector<double> latencies_ms;
  Clock::time_point last_reply_at;
  uint64_t errors = 0;
  uint64_t timeouts = 0;
  std::string first_error;
  std::string body;  // scratch buffer for rendering requests
};

// Publishes request `index`. Called with state.mutex held.
void send_request(LoadState& state, uint64_t index) {
  state.payload.render(index, state.body);
  std::string reply = state.reply_prefix + std::to_string(index);
  state.sent_at[index] = Clock::now();
  natsStatus status = natsConnection_PublishRequest(
      state.connection, state.options.subject.c_str(), reply.c_str(),
      state.body.data(), static_cast<int>(state.body.size()));
  if (status != NATS_OK) {
    state.publish_status = status;
    state.stopped = true;
    state.changed.notify_all();
  }
}

// Describes an error reply for stderr: status code and body, cut short.
std::string describe_error_reply(natsMsg* message, const char* code) {
  std::string text = "error reply (Nats-Service-Error-Code ";
  text += code;
  text += "): ";
  int length = natsMsg_GetDataLength(message);
  text.append(natsMsg_GetData(message),
              static_cast<size_t>(std::min(length, 2000)));
  return text;
}

// The wildcard inbox subscription's callback, on NATS.c's delivery thread.
void on_reply(natsConnection*, natsSubscription*, natsMsg* message,
              void* closure) {
  auto& state = *static_cast<LoadState*>(closure);
  Clock::time_point now = Clock::now();

  // The request index is the last token of the reply subject.
  std::string_view subject = natsMsg_GetSubject(message);
  uint64_t index = UINT64_MAX;
  if (subject.size() > state.reply_prefix.size()) {
    std::string digits(subject.substr(state.reply_prefix.size()));
    char* end = nullptr;
    index = std::strtoull(digits.c_str(), &end, 10);
    if (end == digits.c_str() || *end != '\0') index = UINT64_MAX;
  }

  std::lock_guard<std::mutex> lock(state.mutex);
  bool current = index >= state.phase_begin && index < state.next_index &&
                 state.answered[index] == 0;
  if (!current) {
    // Late (after a timeout stopped the run) or not ours.
    natsMsg_Destroy(message);
    return;
  }
  state.answered[index] = 1;
  ++state.completed;
  state.last_reply_at = now;
  if (state.measuring) {
    std::chrono::duration<double, std::milli> latency =
        now - state.sent_at[index];
    state.latencies_ms.push_back(latency.count());
  }

  const char* code = nullptr;
  if (natsMsg_IsNoResponders(message)) {
    ++state.errors;
    if (state.first_error.empty()) {
      state.first_error = "no responders on " + state.options.subject;
    }
  } else if (natsMsgHeader_Get(message, kServiceErrorCodeHeader, &code) ==
             NATS_OK) {
    ++state.errors;
    if (state.first_error.empty()) {
      state.first_error = describe_error_reply(message, code);
    }
  }
  natsMsg_Destroy(message);

  if (!state.stopped && state.next_index < state.phase_end) {
    send_request(state, state.next_index++);
  }
  if (state.completed == state.phase_end - state.phase_begin) {
    state.changed.notify_all();
  }
}

// Runs requests [begin, end) with the window full; returns when all are
// answered or the run was stopped (timeout or publish failure).
void run_phase(LoadState& state, uint64_t begin, uint64_t end,
               bool measuring) {
  std::unique_lock<std::mutex> lock(state.mutex);
  state.phase_begin = begin;
  state.phase_end = end;
  state.next_index = begin;
  state.completed = 0;
  state.measuring = measuring;

  while (!state.stopped && state.next_index < end &&
         state.next_index - begin < state.options.in_flight) {
    send_request(state, state.next_index++);
  }

  // The oldest unanswered request is the first to pass its deadline.
  const auto timeout = std::chrono::milliseconds(state.options.timeout_ms);
  uint64_t oldest = begin;
  while (!state.stopped && state.completed < end - begin) {
    state.changed.wait_for(lock, kTimeoutCheckInterval);
    while (oldest < state.next_index && state.answered[oldest] != 0) {
      ++oldest;
    }
    Clock::time_point now = Clock::now();
    if (oldest >= state.next_index || now - state.sent_at[oldest] < timeout) {
      continue;
    }
    for (uint64_t i = oldest; i < state.next_index; ++i) {
      if (state.answered[i] == 0 && now - state.sent_at[i] >= timeout) {
        ++state.timeouts;
      }
    }
    state.stopped = true;
  }
}

// Nearest-rank percentile of sorted values; 0 for none.
double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0.0;
  double rank = std::ceil(fraction * static_cast<double>(sorted.size()));
  size_t position = rank < 1.0 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(position, sorted.size() - 1)];
}

// Connects with SendAsap set, so requests leave at once instead of waiting
// for NATS.c's write coalescing.
natsStatus connect(const LoadOptions& options, natsConnection** connection) {
  natsOptions* nats_options = nullptr;
  natsStatus status = natsOptions_Create(&nats_options);
  if (status == NATS_OK) {
    status = natsOptions_SetURL(nats_options, options.nats_url.c_str());
  }
  if (status == NATS_OK) {
    status = natsOptions_SetName(nats_options, "pkm-nats-load");
  }
  if (status == NATS_OK) status = natsOptions_SetSendAsap(nats_options, true);
  if (status == NATS_OK) {
    status = natsOptions_SetAllowReconnect(nats_options, false);
  }
  if (status == NATS_OK) {
    status = natsConnection_Connect(connection, nats_options);
  }
  natsOptions_Destroy(nats_options);
  return status;
}

void print_report(const LoadState& state, double seconds) {
  std::vector<double> sorted = state.latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  double per_second =
      seconds > 0.0 ? static_cast<double>(sorted.size()) / seconds : 0.0;

  // Written by hand for fixed decimals; only the subject needs escaping.
  std::string subject = nlohmann::json(state.options.subject).dump();
  std::printf(
      "{\"subject\":%s,\"requests\":%llu,\"in_flight\":%u,"
      "\"seconds\":%.3f,\"per_second\":%.0f,\"p50_ms\":%.3f,"
      "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%llu,"
      "\"timeouts\":%llu,\"completed\":%zu}\n",
      subject.c_str(), static_cast<unsigned long long>(state.options.requests),
      state.options.in_flight, seconds, per_second, percentile(sorted, 0.50),
      percentile(sorted, 0.90), percentile(sorted, 0.99),
      sorted.empty() ? 0.0 : sorted.back(),
      static_cast<unsigned long long>(state.errors),
      static_cast<unsigned long long>(state.timeouts), sorted.size());
  std::fflush(stdout);
}

int run(const LoadOptions& options) {
  natsConnection* connection = nullptr;
  natsStatus status = connect(options, &connection);
  if (status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-load: cannot connect to %s: %s\n",
                 options.nats_url.c_str(), natsStatus_GetText(status));
    return 2;
  }

  natsInbox* inbox = nullptr;
  status = natsInbox_Create(&inbox);
  if (status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-load: cannot create an inbox: %s\n",
                 natsStatus_GetText(status));
    natsConnection_Destroy(connection);
    return 2;
  }
  LoadState state(options, std::string(inbox) + ".");
  state.connection = connection;
  std::string wildcard = state.reply_prefix + "*";
  natsInbox_Destroy(inbox);

  natsSubscription* subscription = nullptr;
  status = natsConnection_Subscribe(&subscription, connection,
                                    wildcard.c_str(), on_reply, &state);
  // Default pending limits would drop replies only far beyond any sane
  // --in-flight; lift them anyway so a slow consumer never skews a run.
  if (status == NATS_OK) {
    status = natsSubscription_SetPendingLimits(subscription, -1, -1);
  }
  // Make sure the server has the subscription before the first request.
  if (status == NATS_OK) status = natsConnection_FlushTimeout(connection, 5000);
  if (status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-load: cannot subscribe to %s: %s\n",
                 wildcard.c_str(), natsStatus_GetText(status));
    natsSubscription_Destroy(subscription);
    natsConnection_Destroy(connection);
    return 2;
  }

  if (options.warmup > 0) run_phase(state, 0, options.warmup, false);
  Clock::time_point started = Clock::now();
  run_phase(state, options.warmup, options.warmup + options.requests, true);

  double seconds = 0.0;
  natsStatus publish_status = NATS_OK;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    state.stopped = true;
    if (!state.latencies_ms.empty()) {
      seconds = std::chrono::duration<double>(state.last_reply_at - started)
                    .count();
    }
    publish_status = state.publish_status;
  }

  // Stop deliveries before `state` goes away: nats_CloseAndWait returns
  // once NATS.c's threads, the callback's among them, have ended.
  natsSubscription_Unsubscribe(subscription);
  natsSubscription_Destroy(subscription);
  natsConnection_Close(connection);
  natsConnection_Destroy(connection);
  nats_CloseAndWait(5000);

  print_report(state, seconds);
  if (publish_status != NATS_OK) {
    std::fprintf(stderr, "pkm-nats-load: publish to %s failed: %s\n",
                 options.subject.c_str(), natsStatus_GetText(publish_status));
  }
  if (state.timeouts > 0) {
    std::fprintf(stderr,
                 "pkm-nats-load: %llu request(s) unanswered after %u ms on "
                 "%s; run stopped\n",
                 static_cast<unsigned long long>(state.timeouts),
                 options.timeout_ms, options.subject.c_str());
  }
  if (!state.first_error.empty()) {
    std::fprintf(stderr, "pkm-nats-load: %llu error(s); first: %s\n",
                 static_cast<unsigned long long>(state.errors),
                 state.first_error.c_str());
  }
  bool all_good = publish_status == NATS_OK && state.timeouts == 0 &&
                  state.errors == 0 &&
                  state.latencies_ms.size() == options.requests;
  return all_good ? 0 : 1;
}

}  // namespace
}  // namespace pkm::bench

int main(int argc, char** argv) {
  pkm::bench::LoadOptions options;
  CLI::App app{
      "Closed-loop NATS request/reply load: keeps --in-flight requests "
      "outstanding and prints rate and latency percentiles as JSON."};
  app.add_option("--nats-url", options.nats_url,
                 "NATS server, e.g. nats://127.0.0.1:4222")
      ->required();
  app.add_option("--subject", options.subject, "subject to send requests to")
      ->required();
  app.add_option("--in-flight", options.in_flight,
                 "requests kept outstanding")
      ->check(CLI::Range(uint32_t{1}, uint32_t{100000}))
      ->capture_default_str();
  app.add_option("--requests", options.requests, "measured requests")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}))
      ->capture_default_str();
  app.add_option("--warmup", options.warmup,
                 "unmeasured requests sent first")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100000000}))
      ->capture_default_str();
  app.add_option("--payload", options.payload,
                 "request body; every {i} becomes the request index")
      ->capture_default_str();
  app.add_option("--timeout-ms", options.timeout_ms,
                 "a request unanswered this long stops the run")
      ->check(CLI::Range(uint32_t{1}, uint32_t{3600000}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return pkm::bench::run(options);
}
