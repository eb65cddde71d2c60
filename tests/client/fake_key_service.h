// A stand-in for pkm-server in the pkm-client tests: a NATS.c responder on
// pkm.allocate, pkm.release and pkm.renew that answers with replies built by
// the real WireCodec from real BLS keys. It exists only until pkm-server
// does; then the client tests should run against the real server.
#ifndef PKM_TESTS_CLIENT_FAKE_KEY_SERVICE_H_
#define PKM_TESTS_CLIENT_FAKE_KEY_SERVICE_H_

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nats/nats.h>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/bls.h"

namespace pkm::testing {

// Serves keys from a fixed pool of kPoolSize BLS keys: an allocate for n
// keys gets pool keys first_key() .. first_key() + n - 1, for any pod. All
// settings may change while the service runs.
class FakeKeyService {
 public:
  static constexpr int kPoolSize = 8;

  // Connects to `url` and subscribes under `prefix`; fails the test when it
  // cannot.
  explicit FakeKeyService(const std::string& url,
                          const std::string& prefix = "pkm");
  FakeKeyService(const FakeKeyService&) = delete;
  FakeKeyService& operator=(const FakeKeyService&) = delete;
  ~FakeKeyService();

  // Secret key `index` of the pool as 64 lower-case hex digits (no 0x),
  // and its public key as 0x + 96 hex digits.
  std::string secret_hex(int index) const;
  std::string public_hex(int index) const;
  const crypto::SecretKey& secret_key(int index) const;

  void set_first_key(int index) { first_key_ = index; }
  int first_key() const { return first_key_; }
  // Answer every allocate and renew with this error (with the
  // Nats-Service-Error headers unless `with_headers` is false).
  void set_error_reply(Error error, bool with_headers = true);
  // Add this error as a top-level "error" object to JSON allocate replies
  // that still carry keys, without the Nats-Service-Error headers.
  void set_error_beside_keys(Error error);
  // Answer the next `count` allocates with unavailable, then serve.
  void set_unavailable_replies(int count) { unavailable_replies_ = count; }
  // Serve pool key `index` with the public key of another pool key.
  void set_mismatched_key(int index) { mismatched_key_ = index; }
  // Hand out pool key `index` with this EIP-3076 interchange JSON (one
  // document per key; call again for other keys). An empty string stops.
  void set_slashing_protection(int index, std::string interchange);
  // What release replies say was released.
  void set_released(uint32_t count) { released_ = count; }

  int allocate_requests() const { return allocate_requests_; }
  int release_requests() const { return release_requests_; }
  int renew_requests() const { return renew_requests_; }
  // Body and Content-Type header (empty when absent) of the last request
  // on each subject.
  std::string last_allocate_body() const;
  std::string last_allocate_content_type() const;
  std::string last_release_body() const;
  std::string last_release_content_type() const;

 private:
  static void on_message(natsConnection* connection, natsSubscription* sub,
                         natsMsg* message, void* closure);
  void handle(natsMsg* message);
  void answer_allocate(natsMsg* message);
  void send(natsMsg* request, const std::string& body,
            const std::string& content_type,
            const std::optional<Error>& error_headers);

  std::vector<crypto::SecretKey> pool_;
  std::string prefix_;
  natsConnection* connection_ = nullptr;
  std::vector<natsSubscription*> subscriptions_;

  std::atomic<int> first_key_{0};
  std::atomic<int> unavailable_replies_{0};
  std::atomic<int> mismatched_key_{-1};
  std::atomic<uint32_t> released_{0};
  std::atomic<int> allocate_requests_{0};
  std::atomic<int> release_requests_{0};
  std::atomic<int> renew_requests_{0};

  mutable std::mutex mutex_;
  std::optional<Error> error_reply_;
  bool error_headers_ = true;
  std::optional<Error> error_beside_keys_;
  std::map<int, std::string> slashing_protection_;
  std::string last_allocate_body_;
  std::string last_allocate_content_type_;
  std::string last_release_body_;
  std::string last_release_content_type_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_CLIENT_FAKE_KEY_SERVICE_H_
