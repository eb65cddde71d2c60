// The NATS gateway: subscribes to <prefix>.allocate, .release, .renew and
// .assignments, decodes each request with the messages/ codec (JSON by
// default, protobuf with Content-Type application/x-protobuf), checks it
// completely before anything changes, asks the allocator, and publishes
// the reply in the request's encoding. Errors go back as ErrorReply bodies
// with the Nats-Service-Error-Code and Nats-Service-Error headers.
//
// The connection sets NATS.c's send-as-soon-as-possible option (otherwise
// every reply waits about 1 ms to be coalesced), reconnects forever, and
// its subscriptions survive a NATS server restart. Reply bodies that carry
// private keys are wiped after they are handed to NATS.c; request and
// reply bodies are never logged.
#ifndef PKM_GATEWAY_NATS_GATEWAY_H_
#define PKM_GATEWAY_NATS_GATEWAY_H_

#include <functional>
#include <memory>
#include <string>

#include "actors/actor_types.h"
#include "actors/assignments_view.h"
#include "actors/service_metrics.h"
#include "base/result.h"
#include "messages/wire_codec.h"

namespace pkm::gateway {

class NatsGateway {
 public:
  struct Options {
    // One URL or several, comma-separated.
    std::string nats_url = "nats://127.0.0.1:4222";
    std::string subject_prefix = "pkm";
    // Connection name shown by the NATS server's monitoring.
    std::string connection_name = "pkm-server";
    messages::WireLimits limits;
  };

  // Where pkm.assignments reads from; called on a NATS.c thread.
  using AssignmentsSource =
      std::function<Result<actors::AssignmentsView>()>;

  // Connects and subscribes. When no server answers yet, it keeps trying
  // in the background (see connected()). Refuses (invalid_argument) an
  // empty URL or prefix, a prefix that is not a valid subject, and limits
  // the codec refuses; unavailable when NATS.c cannot set up the
  // connection. `metrics` may be null; otherwise it outlives the gateway.
  [[nodiscard]] static Result<std::unique_ptr<NatsGateway>> start(
      caf::actor_system& system, actors::allocator_actor allocator,
      AssignmentsSource assignments, actors::ServiceMetrics* metrics,
      const Options& options);

  // Unsubscribes, waits for replies in flight to be flushed, closes.
  ~NatsGateway();
  NatsGateway(const NatsGateway&) = delete;
  NatsGateway& operator=(const NatsGateway&) = delete;

  // True while the connection to a NATS server is up.
  bool connected() const;

  struct Impl;

 private:
  explicit NatsGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pkm::gateway

#endif  // PKM_GATEWAY_NATS_GATEWAY_H_
