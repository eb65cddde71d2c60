#include "tests/server/nats_requester.h"

#include <cstdlib>

#include <gtest/gtest.h>
#include <nats/nats.h>

namespace pkm::testing {

int NatsReply::service_error_code() const {
  auto it = headers.find("Nats-Service-Error-Code");
  return it == headers.end() ? 0 : std::atoi(it->second.c_str());
}

namespace {

// Connects to `url`, retrying for up to 10 s; null (and a test failure)
// when it cannot.
natsConnection* connect_with_retries(const std::string& url) {
  natsConnection* connection = nullptr;
  natsOptions* options = nullptr;
  natsOptions_Create(&options);
  natsOptions_SetURL(options, url.c_str());
  natsOptions_SetSendAsap(options, true);
  natsOptions_SetMaxReconnect(options, -1);
  natsOptions_SetReconnectWait(options, 100);
  natsStatus status = NATS_ERR;
  for (int attempt = 0; attempt < 100 && status != NATS_OK; ++attempt) {
    status = natsConnection_Connect(&connection, options);
    if (status != NATS_OK) nats_Sleep(100);
  }
  natsOptions_Destroy(options);
  if (status != NATS_OK) {
    ADD_FAILURE() << "cannot connect to " << url << ": "
                  << natsStatus_GetText(status);
    return nullptr;
  }
  return connection;
}

// Copies the body and headers of `response` into a NatsReply.
NatsReply read_reply(natsMsg* response) {
  NatsReply reply;
  reply.ok = true;
  const char* data = natsMsg_GetData(response);
  int length = natsMsg_GetDataLength(response);
  if (data != nullptr && length > 0) reply.body.assign(data, length);
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(response, &keys, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(response, keys[i], &value) == NATS_OK &&
          value != nullptr) {
        reply.headers[keys[i]] = value;
      }
    }
    std::free(keys);
  }
  return reply;
}

}  // namespace

NatsRequester::NatsRequester(const std::string& url)
    : connection_(connect_with_retries(url)) {}

NatsRequester::~NatsRequester() {
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
}

NatsReply NatsRequester::request(const std::string& subject,
                                 const std::string& body,
                                 const std::string& content_type,
                                 std::chrono::milliseconds timeout) {
  NatsReply reply;
  if (connection_ == nullptr) {
    reply.error = "not connected";
    return reply;
  }
  natsMsg* message = nullptr;
  natsMsg_Create(&message, subject.c_str(), nullptr, body.data(),
                 static_cast<int>(body.size()));
  if (!content_type.empty()) {
    natsMsgHeader_Set(message, "Content-Type", content_type.c_str());
  }
  natsMsg* response = nullptr;
  natsStatus status = natsConnection_RequestMsg(
      &response, connection_, message, static_cast<int64_t>(timeout.count()));
  natsMsg_Destroy(message);
  if (status != NATS_OK) {
    reply.error = natsStatus_GetText(status);
    return reply;
  }
  reply = read_reply(response);
  natsMsg_Destroy(response);
  return reply;
}

NatsBurst::NatsBurst(const std::string& url)
    : connection_(connect_with_retries(url)) {}

NatsBurst::~NatsBurst() {
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
}

std::vector<NatsReply> NatsBurst::send_all(
    const std::vector<NatsRequest>& requests,
    std::chrono::milliseconds timeout) {
  std::vector<NatsReply> replies(requests.size());
  for (NatsReply& reply : replies) reply.error = "no reply";
  if (connection_ == nullptr) return replies;

  // One inbox for the burst; request i is answered on <inbox>.<i>.
  natsInbox* inbox = nullptr;
  natsInbox_Create(&inbox);
  std::string prefix = std::string(inbox) + ".";
  natsInbox_Destroy(inbox);
  natsSubscription* subscription = nullptr;
  natsStatus status = natsConnection_SubscribeSync(
      &subscription, connection_, (prefix + "*").c_str());
  if (status != NATS_OK) {
    ADD_FAILURE() << "cannot subscribe: " << natsStatus_GetText(status);
    return replies;
  }
  natsSubscription_SetPendingLimits(subscription, -1, -1);
  natsConnection_Flush(connection_);

  for (size_t i = 0; i < requests.size(); ++i) {
    const NatsRequest& request = requests[i];
    std::string reply_subject = prefix + std::to_string(i);
    natsMsg* message = nullptr;
    natsMsg_Create(&message, request.subject.c_str(), reply_subject.c_str(),
                   request.body.data(),
                   static_cast<int>(request.body.size()));
    if (!request.content_type.empty()) {
      natsMsgHeader_Set(message, "Content-Type",
                        request.content_type.c_str());
    }
    status = natsConnection_PublishMsg(connection_, message);
    natsMsg_Destroy(message);
    if (status != NATS_OK) replies[i].error = natsStatus_GetText(status);
  }
  natsConnection_Flush(connection_);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t received = 0;
  while (received < requests.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    natsMsg* response = nullptr;
    status = natsSubscription_NextMsg(&response, subscription,
                                      static_cast<int64_t>(left.count()));
    if (status != NATS_OK) break;
    std::string subject = natsMsg_GetSubject(response);
    size_t index = std::strtoull(subject.c_str() + prefix.size(), nullptr,
                                 10);
    if (index < replies.size() && !replies[index].ok) {
      replies[index] = read_reply(response);
      ++received;
    }
    natsMsg_Destroy(response);
  }
  natsSubscription_Destroy(subscription);
  return replies;
}

}  // namespace pkm::testing
