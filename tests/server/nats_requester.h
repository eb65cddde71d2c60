// NATS.c clients for tests: NatsRequester sends one request and returns the
// reply body and headers, as a pod or an operator's `nats req` would;
// NatsBurst puts many requests on the wire at once and collects the replies.
#ifndef PKM_TESTS_SERVER_NATS_REQUESTER_H_
#define PKM_TESTS_SERVER_NATS_REQUESTER_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

struct __natsConnection;

namespace pkm::testing {

struct NatsReply {
  // false when no reply came (timeout, no responders); see error.
  bool ok = false;
  std::string error;
  std::string body;
  std::map<std::string, std::string> headers;

  // The Nats-Service-Error-Code header, or 0 when absent.
  int service_error_code() const;
};

class NatsRequester {
 public:
  // Connects (up to 10 s of retries). Fails the test when it cannot.
  explicit NatsRequester(const std::string& url);
  ~NatsRequester();
  NatsRequester(const NatsRequester&) = delete;
  NatsRequester& operator=(const NatsRequester&) = delete;

  // Sends `body` to `subject` with an optional Content-Type header
  // (empty: none) and waits up to `timeout` for the reply.
  NatsReply request(const std::string& subject, const std::string& body,
                    const std::string& content_type = "",
                    std::chrono::milliseconds timeout =
                        std::chrono::seconds(10));

 private:
  __natsConnection* connection_ = nullptr;
};

// One request of a burst.
struct NatsRequest {
  std::string subject;
  std::string body;
  std::string content_type;  // empty: no header
};

// Publishes a whole list of requests without waiting in between, each with
// its own reply subject, so that all of them are in flight together.
class NatsBurst {
 public:
  // Connects (up to 10 s of retries). Fails the test when it cannot.
  explicit NatsBurst(const std::string& url);
  ~NatsBurst();
  NatsBurst(const NatsBurst&) = delete;
  NatsBurst& operator=(const NatsBurst&) = delete;

  // Sends every request, then waits up to `timeout` for the replies.
  // Reply i answers request i; a reply that did not come has ok false.
  std::vector<NatsReply> send_all(const std::vector<NatsRequest>& requests,
                                  std::chrono::milliseconds timeout);

 private:
  __natsConnection* connection_ = nullptr;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_NATS_REQUESTER_H_
