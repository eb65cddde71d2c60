#include "tests/client/fake_key_service.h"

#include <chrono>

#include <gtest/gtest.h>

#include "messages/wire_codec.h"

namespace pkm::testing {
namespace {

using messages::Encoding;

constexpr char kContentType[] = "Content-Type";

// Pool key `index`: a fixed scalar well below the group order r.
crypto::SecretKey make_pool_key(int index) {
  Bytes bytes(32);
  bytes[0] = 0x1c;
  for (size_t i = 1; i < bytes.size(); ++i) {
    bytes[i] = static_cast<uint8_t>(0x35 + 7 * index + 13 * i);
  }
  auto key = crypto::SecretKey::from_bytes(bytes);
  EXPECT_TRUE(key.ok());
  return std::move(*key);
}

std::string header_of(natsMsg* message, const char* name) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(message, name, &value) != NATS_OK) return "";
  return value;
}

std::string body_of(natsMsg* message) {
  const char* data = natsMsg_GetData(message);
  int size = natsMsg_GetDataLength(message);
  return data != nullptr && size > 0 ? std::string(data, size) : "";
}

}  // namespace

FakeKeyService::FakeKeyService(const std::string& url,
                               const std::string& prefix)
    : prefix_(prefix) {
  for (int i = 0; i < kPoolSize; ++i) pool_.push_back(make_pool_key(i));

  natsOptions* options = nullptr;
  natsStatus status = natsOptions_Create(&options);
  if (status == NATS_OK) status = natsOptions_SetURL(options, url.c_str());
  if (status == NATS_OK) status = natsOptions_SetSendAsap(options, true);
  if (status == NATS_OK) status = natsConnection_Connect(&connection_, options);
  natsOptions_Destroy(options);
  if (status != NATS_OK) {
    ADD_FAILURE() << "fake key service cannot connect to " << url << ": "
                  << natsStatus_GetText(status);
    return;
  }

  for (const char* verb : {"allocate", "release", "renew"}) {
    natsSubscription* subscription = nullptr;
    std::string subject = prefix_ + "." + verb;
    status = natsConnection_Subscribe(&subscription, connection_,
                                      subject.c_str(), on_message, this);
    if (status != NATS_OK) {
      ADD_FAILURE() << "cannot subscribe to " << subject << ": "
                    << natsStatus_GetText(status);
      return;
    }
    subscriptions_.push_back(subscription);
  }
  // The subscriptions must be known to the server before a test asks.
  status = natsConnection_FlushTimeout(connection_, 5000);
  if (status != NATS_OK) {
    ADD_FAILURE() << "flush failed: " << natsStatus_GetText(status);
  }
}

FakeKeyService::~FakeKeyService() {
  for (natsSubscription* subscription : subscriptions_) {
    natsSubscription_Unsubscribe(subscription);
    natsSubscription_Destroy(subscription);
  }
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

std::string FakeKeyService::secret_hex(int index) const {
  SecretBytes bytes = pool_.at(index).to_bytes();
  return to_hex(bytes.view(), /*prefix=*/false);
}

std::string FakeKeyService::public_hex(int index) const {
  auto bytes = pool_.at(index).public_key().to_bytes();
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

const crypto::SecretKey& FakeKeyService::secret_key(int index) const {
  return pool_.at(index);
}

void FakeKeyService::set_error_reply(Error error, bool with_headers) {
  std::lock_guard<std::mutex> lock(mutex_);
  error_reply_ = std::move(error);
  error_headers_ = with_headers;
}

void FakeKeyService::set_error_beside_keys(Error error) {
  std::lock_guard<std::mutex> lock(mutex_);
  error_beside_keys_ = std::move(error);
}

void FakeKeyService::set_slashing_protection(int index,
                                             std::string interchange) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (interchange.empty()) {
    slashing_protection_.erase(index);
  } else {
    slashing_protection_[index] = std::move(interchange);
  }
}

std::string FakeKeyService::last_allocate_body() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_allocate_body_;
}

std::string FakeKeyService::last_allocate_content_type() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_allocate_content_type_;
}

std::string FakeKeyService::last_release_body() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_release_body_;
}

std::string FakeKeyService::last_release_content_type() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_release_content_type_;
}

void FakeKeyService::on_message(natsConnection*, natsSubscription*,
                                natsMsg* message, void* closure) {
  static_cast<FakeKeyService*>(closure)->handle(message);
  natsMsg_Destroy(message);
}

void FakeKeyService::send(natsMsg* request, const std::string& body,
                          const std::string& content_type,
                          const std::optional<Error>& error_headers) {
  natsMsg* reply = nullptr;
  natsStatus status =
      natsMsg_Create(&reply, natsMsg_GetReply(request), nullptr, body.data(),
                     static_cast<int>(body.size()));
  if (status == NATS_OK && !content_type.empty()) {
    status = natsMsgHeader_Set(reply, kContentType, content_type.c_str());
  }
  if (status == NATS_OK && error_headers) {
    std::string code =
        std::to_string(messages::nats_service_error_code(error_headers->code));
    std::string text = messages::nats_service_error_description(*error_headers);
    natsMsgHeader_Set(reply, "Nats-Service-Error-Code", code.c_str());
    natsMsgHeader_Set(reply, "Nats-Service-Error", text.c_str());
  }
  if (status == NATS_OK) status = natsConnection_PublishMsg(connection_, reply);
  if (status != NATS_OK) {
    ADD_FAILURE() << "fake key service cannot reply: "
                  << natsStatus_GetText(status);
  }
  natsMsg_Destroy(reply);
}

void FakeKeyService::handle(natsMsg* message) {
  std::string subject = natsMsg_GetSubject(message);
  std::string content_type = header_of(message, kContentType);
  Encoding encoding = content_type == messages::kProtobufContentType
                          ? Encoding::kProtobuf
                          : Encoding::kJson;
  std::string reply_type(messages::content_type_of(encoding));
  messages::WireCodec codec;

  if (subject == prefix_ + ".allocate") {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_allocate_body_ = body_of(message);
      last_allocate_content_type_ = content_type;
    }
    answer_allocate(message);
  } else if (subject == prefix_ + ".release") {
    ++release_requests_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_release_body_ = body_of(message);
      last_release_content_type_ = content_type;
    }
    auto request = codec.decode_release_request(body_of(message), encoding);
    if (!request.ok()) {
      send(message, messages::encode_error_reply(request.error(), encoding),
           reply_type, request.error());
      return;
    }
    wire::ReleaseReply reply;
    reply.set_pod_name(request->pod_name());
    reply.set_released(released_);
    send(message, *messages::encode(reply, encoding), reply_type, std::nullopt);
  } else if (subject == prefix_ + ".renew") {
    ++renew_requests_;
    auto request = codec.decode_renew_request(body_of(message), encoding);
    std::optional<Error> error;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error = error_reply_;
    }
    if (!error && !request.ok()) error = request.error();
    if (error) {
      send(message, messages::encode_error_reply(*error, encoding), reply_type,
           error);
      return;
    }
    wire::RenewReply reply;
    reply.set_pod_name(request->pod_name());
    auto now = std::chrono::system_clock::now().time_since_epoch();
    reply.set_lease_expires_unix_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(now).count() +
        60000);
    send(message, *messages::encode(reply, encoding), reply_type, std::nullopt);
  }
}

void FakeKeyService::answer_allocate(natsMsg* message) {
  ++allocate_requests_;
  std::string content_type = header_of(message, kContentType);
  Encoding encoding = content_type == messages::kProtobufContentType
                          ? Encoding::kProtobuf
                          : Encoding::kJson;
  std::string reply_type(messages::content_type_of(encoding));

  std::optional<Error> error;
  bool with_headers = true;
  std::map<int, std::string> protection;
  std::optional<Error> error_beside_keys;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    error = error_reply_;
    with_headers = error_headers_;
    protection = slashing_protection_;
    error_beside_keys = error_beside_keys_;
  }
  if (!error && unavailable_replies_.load() > 0) {
    --unavailable_replies_;
    error = Error{ErrorCode::kUnavailable,
                  "not enough deposited keys yet; 2 deposits pending"};
  }
  messages::WireCodec codec;
  auto request = codec.decode_allocate_request(body_of(message), encoding);
  if (!error && !request.ok()) error = request.error();
  if (error) {
    send(message, messages::encode_error_reply(*error, encoding),
         with_headers ? reply_type : "", with_headers ? error : std::nullopt);
    return;
  }

  wire::AllocateReply reply;
  reply.set_pod_name(request->pod_name());
  for (uint32_t i = 0; i < request->number_of_keys(); ++i) {
    int index = (first_key_ + static_cast<int>(i)) % kPoolSize;
    const crypto::SecretKey& secret = pool_[index];
    int public_index =
        index == mismatched_key_ ? (index + 1) % kPoolSize : index;
    auto public_key = pool_[public_index].public_key().to_bytes();
    SecretBytes secret_bytes = secret.to_bytes();

    wire::AllocatedKey* key = reply.add_keys();
    key->set_public_key(public_key.data(), public_key.size());
    key->set_private_key(secret_bytes.data(), secret_bytes.size());
    key->set_withdrawal_credentials(std::string(32, '\0'));
    key->set_deposit_tx(std::string(32, static_cast<char>(0xd0 + index)));
    auto record = protection.find(index);
    if (record != protection.end()) {
      key->set_slashing_protection(record->second);
    }
  }
  auto body = messages::encode(reply, encoding);
  if (!body.ok()) {
    ADD_FAILURE() << "cannot encode the allocate reply";
    return;
  }
  if (error_beside_keys && encoding == Encoding::kJson) {
    // {"error":{...}} spliced in as the first member of the reply object.
    std::string error_body =
        messages::encode_error_reply(*error_beside_keys, encoding);
    body->insert(1, error_body.substr(1, error_body.size() - 2) + ",");
  }
  send(message, *body, reply_type, std::nullopt);
  secure_wipe(body->data(), body->size());
}

}  // namespace pkm::testing
