#include "gateway/nats_gateway.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <nats/nats.h>

#include "actors/component_logger.h"
#include "base/bytes.h"

namespace pkm::gateway {
namespace {

using actors::RequestKind;
using Clock = std::chrono::steady_clock;

// One request as it arrived, copied out of NATS.c's message.
struct IncomingRequest {
  RequestKind kind = RequestKind::kAllocate;
  std::string reply_subject;
  std::string payload;
  messages::Encoding encoding = messages::Encoding::kJson;
  Clock::time_point arrived;
};

}  // namespace
}  // namespace pkm::gateway

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::gateway::IncomingRequest)

namespace pkm::gateway {
namespace {

using responder_actor =
    caf::typed_actor<caf::reacts_to<IncomingRequest>>;

std::string status_text(natsStatus status) {
  return natsStatus_GetText(status);
}

}  // namespace

struct NatsGateway::Impl {
  Options options;
  messages::WireCodec codec;
  actors::ServiceMetrics* metrics = nullptr;
  AssignmentsSource assignments;
  caf::actor_system* system = nullptr;
  natsOptions* nats_options = nullptr;
  natsConnection* connection = nullptr;
  std::vector<natsSubscription*> subscriptions;
  responder_actor responder;

  struct Subscription {
    Impl* impl;
    RequestKind kind;
  };
  std::vector<std::unique_ptr<Subscription>> closures;

  ~Impl() {
    // Stop taking requests; those already delivered are answered. Without
    // a server there is nothing to drain or flush: skip the waits.
    bool up = connection != nullptr &&
              natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED;
    for (natsSubscription* subscription : subscriptions) {
      if (up) {
        natsSubscription_Drain(subscription);
      } else {
        natsSubscription_Unsubscribe(subscription);
      }
    }
    for (natsSubscription* subscription : subscriptions) {
      if (up) natsSubscription_WaitForDrainCompletion(subscription, 2000);
    }
    // Let replies already on their way out go, then stop the responder
    // before the connection it publishes on is closed.
    if (responder) {
      caf::scoped_actor self{*system};
      self->send_exit(responder, caf::exit_reason::user_shutdown);
      self->wait_for(responder);
    }
    if (up) natsConnection_FlushTimeout(connection, 1000);
    for (natsSubscription* subscription : subscriptions) {
      natsSubscription_Destroy(subscription);
    }
    if (connection != nullptr) {
      natsConnection_Close(connection);
      natsConnection_Destroy(connection);
    }
    natsOptions_Destroy(nats_options);
  }

  // Publishes `body` to `subject`; an error reply gets the service error
  // headers. The body is wiped afterwards: it may hold private keys.
  void publish(const IncomingRequest& request, std::string& body,
               const Error* error) {
    natsMsg* message = nullptr;
    natsStatus status =
        natsMsg_Create(&message, request.reply_subject.c_str(), nullptr,
                       body.data(), static_cast<int>(body.size()));
    if (status == NATS_OK) {
      std::string content_type(messages::content_type_of(request.encoding));
      natsMsgHeader_Set(message, "Content-Type", content_type.c_str());
      if (error != nullptr) {
        std::string code =
            std::to_string(messages::nats_service_error_code(error->code));
        std::string text = messages::nats_service_error_description(*error);
        natsMsgHeader_Set(message, "Nats-Service-Error-Code", code.c_str());
        natsMsgHeader_Set(message, "Nats-Service-Error", text.c_str());
      }
      status = natsConnection_PublishMsg(connection, message);
    }
    natsMsg_Destroy(message);
    secure_wipe(body.data(), body.size());
    if (status != NATS_OK) {
      actors::component_logger("nats_gateway")
          ->warn("reply not sent subject={} error={}",
                 request.reply_subject, status_text(status));
    }
    if (metrics != nullptr) {
      double seconds =
          std::chrono::duration<double>(Clock::now() - request.arrived)
              .count();
      metrics->record_request(request.kind,
                              error == nullptr && status == NATS_OK,
                              seconds);
    }
  }

  void reply_error(const IncomingRequest& request, const Error& error) {
    if (error.code == ErrorCode::kInvalidArgument) {
      actors::component_logger("nats_gateway")
          ->warn("request refused kind={} error={}",
                 actors::request_kind_name(request.kind), error.message);
    }
    std::string body = messages::encode_error_reply(error, request.encoding);
    publish(request, body, &error);
  }

  template <class Message>
  void reply(const IncomingRequest& request, const Message& message) {
    auto body = messages::encode(message, request.encoding);
    if (!body.ok()) {
      reply_error(request, body.error());
      return;
    }
    publish(request, *body, nullptr);
  }
};

namespace {

wire::AssignmentsReply to_wire(const actors::AssignmentsView& view) {
  wire::AssignmentsReply reply;
  for (const auto& pod : view.pods) {
    wire::PodAssignment* assignment = reply.add_assignments();
    assignment->set_pod_name(pod.pod_name);
    for (const auto& key : pod.keys) {
      assignment->add_public_keys(
          std::string(key.public_key.begin(), key.public_key.end()));
    }
  }
  reply.set_unassigned(view.unassigned);
  reply.set_quarantined(view.quarantined);
  reply.set_depositing(view.depositing);
  reply.set_retired(view.retired);
  return reply;
}

responder_actor::behavior_type responder_behavior(
    responder_actor::pointer self, NatsGateway::Impl* impl,
    actors::allocator_actor allocator) {
  return {
      [self, impl, allocator](IncomingRequest& request) {
        const auto& codec = impl->codec;
        auto shared = std::make_shared<IncomingRequest>(std::move(request));
        auto on_error = [impl, shared](caf::error& error) {
          impl->reply_error(*shared, actors::from_caf_error(error));
        };
        switch (shared->kind) {
          case RequestKind::kAllocate: {
            auto decoded = codec.decode_allocate_request(shared->payload,
                                                         shared->encoding);
            if (!decoded.ok()) return impl->reply_error(*shared,
                                                        decoded.error());
            self->request(allocator, caf::infinite,
                          actors::allocate_atom::value, *decoded)
                .then(
                    [impl, shared](wire::AllocateReply& reply) {
                      impl->reply(*shared, reply);
                      // The reply held private keys.
                      for (auto& key : *reply.mutable_keys()) {
                        std::string* secret = key.mutable_private_key();
                        secure_wipe(secret->data(), secret->size());
                      }
                    },
                    on_error);
            return;
          }
          case RequestKind::kRelease: {
            auto decoded = codec.decode_release_request(shared->payload,
                                                        shared->encoding);
            if (!decoded.ok()) return impl->reply_error(*shared,
                                                        decoded.error());
            self->request(allocator, caf::infinite,
                          actors::release_atom::value, *decoded)
                .then([impl, shared](wire::ReleaseReply& reply) {
                        impl->reply(*shared, reply);
                      },
                      on_error);
            return;
          }
          case RequestKind::kRenew: {
            auto decoded = codec.decode_renew_request(shared->payload,
                                                      shared->encoding);
            if (!decoded.ok()) return impl->reply_error(*shared,
                                                        decoded.error());
            self->request(allocator, caf::infinite,
                          actors::renew_atom::value, *decoded)
                .then([impl, shared](wire::RenewReply& reply) {
                        impl->reply(*shared, reply);
                      },
                      on_error);
            return;
          }
          case RequestKind::kAssignments:
            // Served on the NATS.c thread; never reaches the responder.
            return;
        }
      },
  };
}

void on_message(natsConnection*, natsSubscription*, natsMsg* message,
                void* closure) {
  auto* subscription = static_cast<NatsGateway::Impl::Subscription*>(closure);
  NatsGateway::Impl* impl = subscription->impl;
  IncomingRequest request;
  request.kind = subscription->kind;
  request.arrived = Clock::now();
  const char* reply_subject = natsMsg_GetReply(message);
  if (reply_subject == nullptr || *reply_subject == '\0') {
    actors::component_logger("nats_gateway")
        ->warn("request without a reply subject ignored subject={}",
               natsMsg_GetSubject(message));
    natsMsg_Destroy(message);
    return;
  }
  request.reply_subject = reply_subject;
  const char* data = natsMsg_GetData(message);
  int length = natsMsg_GetDataLength(message);
  if (data != nullptr && length > 0) {
    request.payload.assign(data, static_cast<size_t>(length));
  }
  // The header value lives in the message: copy it before the message
  // goes.
  const char* header_value = nullptr;
  std::string content_type;
  if (natsMsgHeader_Get(message, "Content-Type", &header_value) == NATS_OK &&
      header_value != nullptr) {
    content_type = header_value;
  }
  natsMsg_Destroy(message);

  auto encoding = messages::encoding_from_content_type(content_type);
  if (!encoding.ok()) {
    request.encoding = messages::Encoding::kJson;
    impl->reply_error(request, encoding.error());
    return;
  }
  request.encoding = *encoding;

  if (request.kind == RequestKind::kAssignments) {
    auto decoded = impl->codec.decode_assignments_request(request.payload,
                                                          request.encoding);
    if (!decoded.ok()) return impl->reply_error(request, decoded.error());
    auto view = impl->assignments();
    if (!view.ok()) return impl->reply_error(request, view.error());
    impl->reply(request, to_wire(*view));
    return;
  }
  caf::anon_send(impl->responder, std::move(request));
}

void on_disconnected(natsConnection*, void*) {
  actors::component_logger("nats_gateway")
      ->warn("disconnected from NATS; reconnecting");
}

void on_reconnected(natsConnection* connection, void*) {
  char url[256] = {0};
  natsConnection_GetConnectedUrl(connection, url, sizeof(url));
  actors::component_logger("nats_gateway")->info("reconnected url={}", url);
}

void on_connected(natsConnection* connection, void*) {
  char url[256] = {0};
  natsConnection_GetConnectedUrl(connection, url, sizeof(url));
  actors::component_logger("nats_gateway")->info("connected url={}", url);
}

bool valid_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.front() == '.' || prefix.back() == '.') {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = prefix[i];
    if (c <= ' ' || c == '*' || c == '>' || c == 0x7f) return false;
    if (c == '.' && i + 1 < prefix.size() && prefix[i + 1] == '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

NatsGateway::NatsGateway(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

Result<std::unique_ptr<NatsGateway>> NatsGateway::start(
    caf::actor_system& system, actors::allocator_actor allocator,
    AssignmentsSource assignments, actors::ServiceMetrics* metrics,
    const Options& options) {
  if (options.nats_url.empty()) {
    return invalid_argument("--nats-url is empty; give nats://host:port");
  }
  if (!valid_prefix(options.subject_prefix)) {
    return invalid_argument(
        "subject prefix \"" + options.subject_prefix +
        "\" is not a NATS subject; allowed: tokens without spaces, '*' or "
        "'>' joined by single dots");
  }
  auto codec = messages::WireCodec::create(options.limits);
  if (!codec.ok()) return codec.error();

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->codec = *codec;
  impl->metrics = metrics;
  impl->assignments = std::move(assignments);
  impl->system = &system;
  impl->responder = system.spawn(responder_behavior, impl.get(), allocator);
  actors::component_logger("nats_gateway");

  auto fail = [&](const std::string& what, natsStatus status) -> Error {
    return Error{ErrorCode::kUnavailable,
                 what + ": " + status_text(status)};
  };
  natsStatus status = natsOptions_Create(&impl->nats_options);
  if (status != NATS_OK) return fail("cannot create NATS options", status);
  natsOptions* nats_options = impl->nats_options;
  status = natsOptions_SetURL(nats_options, options.nats_url.c_str());
  if (status != NATS_OK) {
    return invalid_argument("--nats-url \"" + options.nats_url +
                            "\" is not usable (" + status_text(status) +
                            "); allowed: nats://host:port, comma-separated");
  }
  natsOptions_SetName(nats_options, options.connection_name.c_str());
  natsOptions_SetSendAsap(nats_options, true);
  natsOptions_SetMaxReconnect(nats_options, -1);
  natsOptions_SetReconnectWait(nats_options, 250);
  natsOptions_SetReconnectJitter(nats_options, 100, 1000);
  natsOptions_SetDisconnectedCB(nats_options, on_disconnected, nullptr);
  natsOptions_SetReconnectedCB(nats_options, on_reconnected, nullptr);
  natsOptions_SetRetryOnFailedConnect(nats_options, true, on_connected,
                                      nullptr);

  status = natsConnection_Connect(&impl->connection, nats_options);
  if (status != NATS_OK && status != NATS_NOT_YET_CONNECTED) {
    return fail("cannot connect to NATS at " + options.nats_url, status);
  }
  if (status == NATS_NOT_YET_CONNECTED) {
    actors::component_logger("nats_gateway")
        ->warn("NATS not reachable yet; retrying url={}", options.nats_url);
  }

  const std::pair<const char*, RequestKind> subjects[] = {
      {"allocate", RequestKind::kAllocate},
      {"release", RequestKind::kRelease},
      {"renew", RequestKind::kRenew},
      {"assignments", RequestKind::kAssignments}};
  for (const auto& [suffix, kind] : subjects) {
    std::string subject = options.subject_prefix + "." + suffix;
    impl->closures.push_back(
        std::make_unique<Impl::Subscription>(Impl::Subscription{impl.get(),
                                                                kind}));
    natsSubscription* subscription = nullptr;
    status = natsConnection_Subscribe(&subscription, impl->connection,
                                      subject.c_str(), on_message,
                                      impl->closures.back().get());
    if (status != NATS_OK) {
      return fail("cannot subscribe to " + subject, status);
    }
    natsSubscription_SetPendingLimits(subscription, 1 << 20, 256 << 20);
    impl->subscriptions.push_back(subscription);
  }
  actors::component_logger("nats_gateway")
      ->info("serving prefix={} url={}", options.subject_prefix,
             options.nats_url);
  return std::unique_ptr<NatsGateway>(new NatsGateway(std::move(impl)));
}

NatsGateway::~NatsGateway() = default;

bool NatsGateway::connected() const {
  return impl_->connection != nullptr &&
         natsConnection_Status(impl_->connection) == NATS_CONN_STATUS_CONNECTED;
}

}  // namespace pkm::gateway
