#include "client/key_service_client.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "client/client_log.h"
#include "client/duration.h"

namespace pkm::client {
namespace {

// Looks only at the member names of the outermost object: a reply that
// carries keys and an "error" object at once is an error reply, whatever
// the allocate decoder would make of it. Values are never copied, so key
// material in the body leaves no unwiped copy behind.
class TopLevelErrorFinder
    : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool found() const { return found_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool key(string_t& name) override {
    if (depth_ == 1 && name == "error") found_ = true;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  int depth_ = 0;
  bool found_ = false;
};

bool has_top_level_error(std::string_view body) {
  if (body.find("\"error\"") == std::string_view::npos) return false;
  TopLevelErrorFinder finder;
  nlohmann::json::sax_parse(body.begin(), body.end(), &finder,
                            nlohmann::json::input_format_t::json,
                            /*strict=*/true);
  return finder.found();
}

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kContentTypeHeader[] = "Content-Type";
constexpr char kServiceErrorCodeHeader[] = "Nats-Service-Error-Code";
constexpr char kServiceErrorHeader[] = "Nats-Service-Error";

struct ErrorCodeName {
  const char* name;
  ErrorCode code;
};

constexpr ErrorCodeName kErrorCodes[] = {
    {"invalid_argument", ErrorCode::kInvalidArgument},
    {"failed_precondition", ErrorCode::kFailedPrecondition},
    {"not_found", ErrorCode::kNotFound},
    {"unavailable", ErrorCode::kUnavailable},
    {"permission_denied", ErrorCode::kPermissionDenied},
    {"data_loss", ErrorCode::kDataLoss},
    {"internal", ErrorCode::kInternal},
};

ErrorCode error_code_from_name(std::string_view name) {
  for (const ErrorCodeName& entry : kErrorCodes) {
    if (name == entry.name) return entry.code;
  }
  return ErrorCode::kInternal;
}

// The code an error reply without a decodable body stands for, from its
// Nats-Service-Error-Code header.
const char* error_name_from_status(std::string_view status) {
  if (status == "400") return "invalid_argument";
  if (status == "403") return "permission_denied";
  if (status == "404") return "not_found";
  if (status == "503") return "unavailable";
  return "internal";
}

// pkm-server says "ask again later" with these.
bool is_retryable(std::string_view code) {
  return code == "unavailable" || code == "failed_precondition";
}

bool is_retryable(natsStatus status) {
  switch (status) {
    case NATS_NO_SERVER:
    case NATS_TIMEOUT:
    case NATS_IO_ERROR:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NOT_YET_CONNECTED:
    case NATS_NO_RESPONDERS:
    case NATS_SYS_ERROR:
      return true;
    default:
      return false;
  }
}

std::string join_servers(const std::vector<std::string>& servers) {
  std::string joined;
  for (const std::string& server : servers) {
    if (!joined.empty()) joined += ",";
    joined += server;
  }
  return joined;
}

int64_t clamp_ms(milliseconds value) {
  return std::max<int64_t>(1, value.count());
}

}  // namespace

struct KeyServiceClient::RawReply {
  natsMsg* message = nullptr;

  RawReply() = default;
  RawReply(const RawReply&) = delete;
  RawReply& operator=(const RawReply&) = delete;
  ~RawReply() {
    if (message == nullptr) return;
    // The body of an allocate reply holds private keys. NATS.c hands out
    // a read-only view of memory it allocated for this message alone.
    int size = natsMsg_GetDataLength(message);
    if (size > 0) {
      secure_wipe(const_cast<char*>(natsMsg_GetData(message)),
                  static_cast<size_t>(size));
    }
    natsMsg_Destroy(message);
  }

  std::string_view body() const {
    const char* data = natsMsg_GetData(message);
    int size = natsMsg_GetDataLength(message);
    if (data == nullptr || size <= 0) return {};
    return std::string_view(data, static_cast<size_t>(size));
  }

  // The value of header `name`, or nullptr.
  const char* header(const char* name) const {
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, name, &value) != NATS_OK) return nullptr;
    return value;
  }
};

Status validate_subject_prefix(std::string_view prefix) {
  constexpr char kAllowed[] =
      "; allowed: dot-separated tokens of letters, digits, '-' and '_' "
      "(e.g. pkm or team.pkm)";
  if (prefix.empty()) {
    return invalid_argument(std::string("subject prefix is empty") + kAllowed);
  }
  size_t token_size = 0;
  for (size_t i = 0; i <= prefix.size(); ++i) {
    if (i == prefix.size() || prefix[i] == '.') {
      if (token_size == 0) {
        return invalid_argument("subject prefix \"" + std::string(prefix) +
                                "\" has an empty token" + kAllowed);
      }
      token_size = 0;
      continue;
    }
    char c = prefix[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return invalid_argument("subject prefix \"" + std::string(prefix) +
                              "\" has a character '" + std::string(1, c) +
                              "' at position " + std::to_string(i) + kAllowed);
    }
    ++token_size;
  }
  return {};
}

Result<std::vector<std::string>> parse_server_list(std::string_view text) {
  std::vector<std::string> servers;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view entry = text.substr(start, comma - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) {
      return invalid_argument(
          "NATS URL list \"" + std::string(text) +
          "\" has an empty entry; allowed: comma-separated URLs such as "
          "nats://127.0.0.1:4222");
    }
    servers.emplace_back(entry);
    start = comma + 1;
  }
  return servers;
}

KeyServiceClient::KeyServiceClient(ServiceOptions options)
    : options_(std::move(options)) {}

KeyServiceClient::~KeyServiceClient() { drop_connection(); }

void KeyServiceClient::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_.store(true);
  // Close, not destroy: the calling thread may be inside a request on it;
  // closing makes that request return at once.
  if (connection_ != nullptr) natsConnection_Close(connection_);
  wake_.notify_all();
}

void KeyServiceClient::drop_connection() {
  natsConnection* connection = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::swap(connection, connection_);
  }
  if (connection != nullptr) {
    natsConnection_Close(connection);
    natsConnection_Destroy(connection);
  }
}

bool KeyServiceClient::pause(milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return cancelled_.load(); });
}

Status KeyServiceClient::connect(milliseconds budget) {
  natsOptions* options = nullptr;
  natsStatus status = natsOptions_Create(&options);

  std::vector<const char*> urls;
  for (const std::string& server : options_.servers) {
    urls.push_back(server.c_str());
  }
  if (status == NATS_OK) {
    status = natsOptions_SetServers(options, urls.data(),
                                    static_cast<int>(urls.size()));
  }
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(
        options, clamp_ms(std::min(budget, options_.connect_timeout)));
  }
  if (status == NATS_OK) status = natsOptions_SetName(options, "pkm-client");
  // Replies are small and latency matters more than batching.
  if (status == NATS_OK) status = natsOptions_SetSendAsap(options, true);
  if (status == NATS_OK) {
    status = natsOptions_SetReconnectWait(options, 250);
  }

  natsConnection* connection = nullptr;
  if (status == NATS_OK) status = natsConnection_Connect(&connection, options);
  natsOptions_Destroy(options);

  if (status != NATS_OK) {
    std::string text = "cannot connect to NATS at " +
                       join_servers(options_.servers) + ": " +
                       natsStatus_GetText(status);
    if (is_retryable(status)) return Error{ErrorCode::kUnavailable, text};
    return invalid_argument(text +
                            "; allowed: --nats-url with URLs such "
                            "as nats://127.0.0.1:4222");
  }

  std::lock_guard<std::mutex> lock(mutex_);
  if (cancelled_.load()) {
    natsConnection_Destroy(connection);
    return Error{ErrorCode::kUnavailable, "cancelled"};
  }
  connection_ = connection;
  return {};
}

KeyServiceClient::Attempt KeyServiceClient::retry(std::string problem) {
  return Attempt{Attempt::kRetry, std::move(problem), {}};
}

KeyServiceClient::Attempt KeyServiceClient::fail(Error error) {
  return Attempt{Attempt::kFailed, "", std::move(error)};
}

KeyServiceClient::Attempt KeyServiceClient::attempt(const std::string& subject,
                                                    const std::string& body,
                                                    const Decoder& decode,
                                                    milliseconds remaining) {
  // Reconnect when the old connection was closed for good.
  natsConnection* connection = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connection = connection_;
  }
  if (connection != nullptr &&
      natsConnection_Status(connection) == NATS_CONN_STATUS_CLOSED) {
    drop_connection();
    connection = nullptr;
  }
  if (connection == nullptr) {
    Status connected = connect(remaining);
    if (!connected.ok()) {
      if (connected.error().code == ErrorCode::kUnavailable) {
        return retry(connected.error().message);
      }
      return fail(connected.error());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    connection = connection_;
  }

  natsMsg* request = nullptr;
  natsStatus status =
      natsMsg_Create(&request, subject.c_str(), nullptr, body.data(),
                     static_cast<int>(body.size()));
  if (status == NATS_OK && options_.encoding == messages::Encoding::kProtobuf) {
    status =
        natsMsgHeader_Set(request, kContentTypeHeader,
                          std::string(messages::kProtobufContentType).c_str());
  }
  RawReply reply;
  milliseconds wait = std::min(remaining, options_.request_timeout);
  if (status == NATS_OK) {
    status = natsConnection_RequestMsg(&reply.message, connection, request,
                                       clamp_ms(wait));
  }
  natsMsg_Destroy(request);

  if (status == NATS_NO_RESPONDERS) {
    return retry("no responders on " + subject +
                 ": no pkm-server is listening there (is it running, and "
                 "with --subject-prefix " +
                 options_.subject_prefix + "?)");
  }
  if (status == NATS_TIMEOUT) {
    return retry("no reply on " + subject + " within " + format_duration(wait));
  }
  if (status != NATS_OK) {
    std::string problem =
        "request on " + subject + " failed: " + natsStatus_GetText(status);
    if (is_retryable(status)) return retry(std::move(problem));
    return fail(Error{ErrorCode::kInternal, std::move(problem)});
  }
  return interpret(subject, reply, decode);
}

KeyServiceClient::Attempt KeyServiceClient::interpret(
    const std::string& subject, const RawReply& reply, const Decoder& decode) {
  messages::Encoding encoding = options_.encoding;
  if (const char* type = reply.header(kContentTypeHeader)) {
    auto parsed = messages::encoding_from_content_type(type);
    if (parsed.ok()) encoding = *parsed;
  }

  // Error replies carry Nats-Service-Error-Code; a JSON one without it is
  // still recognised by its body, once the expected reply did not decode.
  const char* service_code = reply.header(kServiceErrorCodeHeader);
  Status decoded = invalid_argument("the reply has a top-level error object");
  if (service_code == nullptr &&
      !(encoding == messages::Encoding::kJson &&
        has_top_level_error(reply.body()))) {
    decoded = decode(reply.body(), encoding);
    if (decoded.ok()) return Attempt{Attempt::kDone, "", {}};
  }
  // Parse as an error reply only what can be one: a malformed allocate
  // reply may hold private keys, which the error decoder would not wipe.
  bool maybe_error = service_code != nullptr ||
                     reply.body().find("\"error\"") != std::string_view::npos;
  Result<wire::ErrorReply> error_reply = invalid_argument("not an error reply");
  if (maybe_error) {
    error_reply = codec_.decode_error_reply(reply.body(), encoding);
  }
  if (service_code == nullptr && !error_reply.ok()) {
    return fail(Error{ErrorCode::kInternal,
                      "pkm-server sent a reply on " + subject +
                          " that does not decode: " + decoded.error().message});
  }

  std::string code;
  std::string message;
  if (error_reply.ok()) {
    code = error_reply->error().code();
    message = error_reply->error().message();
  } else {
    code = error_name_from_status(service_code);
    const char* text = reply.header(kServiceErrorHeader);
    message = text != nullptr ? text : "(no message)";
  }
  std::string described =
      "pkm-server answered " + subject + " with error " + code + ": " + message;
  if (is_retryable(code)) return retry(std::move(described));
  return fail(Error{error_code_from_name(code), std::move(described)});
}

Status KeyServiceClient::call(std::string_view verb, const std::string& body,
                              const Decoder& decode) {
  const std::string subject = options_.subject_prefix + "." + std::string(verb);
  const Clock::time_point deadline = Clock::now() + options_.timeout;
  Backoff backoff(options_.backoff);
  std::string problem;
  last_attempts_ = 0;

  while (!cancelled_.load()) {
    ++last_attempts_;
    auto remaining =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    Attempt result = attempt(subject, body, decode, remaining);
    if (result.kind == Attempt::kDone) return {};
    if (result.kind == Attempt::kFailed) return result.error;
    problem = std::move(result.problem);

    // Pause, if after it there is still time for an attempt to get an
    // answer; otherwise a last attempt with no time left would only replace
    // the real problem with a timeout.
    constexpr milliseconds kShortestAttempt(100);
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= kShortestAttempt) break;
    milliseconds delay = std::min(backoff.next_delay(),
                                  left - kShortestAttempt);
    client_log().warn(
        "retrying subject={} attempt={} next_in_ms={} problem=\"{}\"", subject,
        last_attempts_, delay.count(), problem);
    if (!pause(delay) || Clock::now() >= deadline) break;
  }

  if (cancelled_.load()) return Error{ErrorCode::kUnavailable, "cancelled"};
  return Error{ErrorCode::kUnavailable,
               "gave up on " + subject + " after " +
                   format_duration(options_.timeout) + " and " +
                   std::to_string(last_attempts_) +
                   " attempts; last problem: " + problem};
}

Result<wire::AllocateReply> KeyServiceClient::allocate(
    const wire::AllocateRequest& request) {
  auto body = messages::encode(request, options_.encoding);
  if (!body.ok()) return body.error();
  wire::AllocateReply reply;
  Status status = call(
      "allocate", *body,
      [&](std::string_view payload, messages::Encoding encoding) -> Status {
        auto decoded = codec_.decode_allocate_reply(payload, encoding);
        if (!decoded.ok()) return decoded.error();
        reply = std::move(*decoded);
        return {};
      });
  if (!status.ok()) return status.error();
  return reply;
}

Result<wire::ReleaseReply> KeyServiceClient::release(
    const wire::ReleaseRequest& request) {
  auto body = messages::encode(request, options_.encoding);
  if (!body.ok()) return body.error();
  wire::ReleaseReply reply;
  Status status = call(
      "release", *body,
      [&](std::string_view payload, messages::Encoding encoding) -> Status {
        auto decoded = codec_.decode_release_reply(payload, encoding);
        if (!decoded.ok()) return decoded.error();
        reply = std::move(*decoded);
        return {};
      });
  if (!status.ok()) return status.error();
  return reply;
}

Result<wire::RenewReply> KeyServiceClient::renew(
    const wire::RenewRequest& request) {
  auto body = messages::encode(request, options_.encoding);
  if (!body.ok()) return body.error();
  wire::RenewReply reply;
  Status status = call(
      "renew", *body,
      [&](std::string_view payload, messages::Encoding encoding) -> Status {
        auto decoded = codec_.decode_renew_reply(payload, encoding);
        if (!decoded.ok()) return decoded.error();
        reply = std::move(*decoded);
        return {};
      });
  if (!status.ok()) return status.error();
  return reply;
}

}  // namespace pkm::client
