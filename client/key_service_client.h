// Requests to pkm-server over NATS (DESIGN.md, "Wire API over NATS"), with
// retries: the client of a validator pod often starts before NATS or
// pkm-server is up, so it waits for them within a bounded time.
#ifndef PKM_CLIENT_KEY_SERVICE_CLIENT_H_
#define PKM_CLIENT_KEY_SERVICE_CLIENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nats/nats.h>

#include "base/result.h"
#include "client/backoff.h"
#include "messages/wire.pb.h"
#include "messages/wire_codec.h"

namespace pkm::client {

inline constexpr char kDefaultNatsUrl[] = "nats://127.0.0.1:4222";
inline constexpr char kDefaultSubjectPrefix[] = "pkm";

struct ServiceOptions {
  // NATS server URLs, tried in turn (nats://host:port).
  std::vector<std::string> servers{kDefaultNatsUrl};
  // Requests go to <prefix>.allocate, <prefix>.release, <prefix>.renew.
  std::string subject_prefix = kDefaultSubjectPrefix;
  // Encoding of requests; replies are decoded by their Content-Type.
  messages::Encoding encoding = messages::Encoding::kJson;
  // Bound on one call: every connection attempt, request and pause.
  std::chrono::milliseconds timeout{30000};
  // How long one request waits for its reply before it is sent again.
  std::chrono::milliseconds request_timeout{10000};
  // How long one attempt to connect to NATS may take.
  std::chrono::milliseconds connect_timeout{2000};
  BackoffOptions backoff;
};

// Refuses (invalid_argument) a prefix that is empty, has empty tokens, or
// holds characters other than letters, digits, '-' and '_' between dots.
[[nodiscard]] Status validate_subject_prefix(std::string_view prefix);

// Parses "nats://a:4222,nats://b:4222" into URLs; refuses
// (invalid_argument) an empty list or an empty entry.
[[nodiscard]] Result<std::vector<std::string>> parse_server_list(
    std::string_view text);

// One connection to NATS, opened on first use and kept for later calls.
//
// Each call sends the request and waits for the reply; it tries again, with
// exponential backoff, while NATS cannot be reached, nobody answers the
// subject (no responders), the reply does not come within
// request_timeout, or pkm-server answers unavailable or
// failed_precondition. When `timeout` runs out it gives up with
// unavailable, saying how long it tried and what went wrong last. An error
// reply with any other code ends the call at once with that code and the
// server's message. A reply that does not decode is internal. Messages
// never hold private keys; reply bodies are wiped once decoded.
//
// Calls may come from one thread at a time; cancel() from any thread.
class KeyServiceClient {
 public:
  explicit KeyServiceClient(ServiceOptions options);
  KeyServiceClient(const KeyServiceClient&) = delete;
  KeyServiceClient& operator=(const KeyServiceClient&) = delete;
  ~KeyServiceClient();

  // The caller owns the reply and must wipe its private keys
  // (take_validator_keys does). Asking again with the same pod name gets
  // the same keys, so an allocate that timed out is safe to send again.
  [[nodiscard]] Result<wire::AllocateReply> allocate(
      const wire::AllocateRequest& request);
  [[nodiscard]] Result<wire::ReleaseReply> release(
      const wire::ReleaseRequest& request);
  [[nodiscard]] Result<wire::RenewReply> renew(
      const wire::RenewRequest& request);

  // Makes the current and every later call return unavailable "cancelled"
  // promptly: wakes a pause and closes the connection under a request.
  // Thread-safe and async-signal-unsafe (call it from a thread that waited
  // for the signal).
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

  // Attempts the last call made (1 when the first one succeeded).
  uint32_t last_attempts() const { return last_attempts_; }

 private:
  // One received message whose body is wiped before it is freed.
  struct RawReply;
  using Decoder = std::function<Status(std::string_view, messages::Encoding)>;

  // What one attempt came to: the reply decoded (done), a transient
  // problem worth another attempt (retry), or an error that another
  // attempt cannot fix (failed).
  struct Attempt {
    enum Kind { kDone, kRetry, kFailed } kind;
    std::string problem;
    Error error;
  };
  static Attempt retry(std::string problem);
  static Attempt fail(Error error);

  // Sends `body` to <prefix>.<verb> until `decode` accepts a reply, an
  // attempt fails for good, the timeout runs out or cancel() is called.
  Status call(std::string_view verb, const std::string& body,
              const Decoder& decode);
  Attempt attempt(const std::string& subject, const std::string& body,
                  const Decoder& decode, std::chrono::milliseconds remaining);
  // Classifies a reply that arrived: decoded, error reply, or garbage.
  Attempt interpret(const std::string& subject, const RawReply& reply,
                    const Decoder& decode);
  Status connect(std::chrono::milliseconds budget);
  void drop_connection();
  // Pauses up to `delay`; false when cancelled meanwhile.
  bool pause(std::chrono::milliseconds delay);

  ServiceOptions options_;
  messages::WireCodec codec_;
  std::mutex mutex_;
  std::condition_variable wake_;
  natsConnection* connection_ = nullptr;  // guarded by mutex_
  std::atomic<bool> cancelled_{false};
  uint32_t last_attempts_ = 0;
};

}  // namespace pkm::client

#endif  // PKM_CLIENT_KEY_SERVICE_CLIENT_H_
