// messages/: the protobuf schema of the wire API (wire.proto) and of the
// storage records (records.proto), and the codec between the wire bytes and
// those messages. A pure library: it depends on base/, protobuf and
// nlohmann-json only, and knows nothing of actors, NATS, HTTP or RocksDB.
//
// The codec speaks both encodings of DESIGN.md, "Wire API over NATS": JSON
// with the field names of wire.proto and byte strings as 0x-prefixed
// lower-case hex (the default), and binary protobuf (Content-Type
// application/x-protobuf). Decoders of requests validate everything before
// the caller acts on a request: a request that decodes is well-formed,
// names a valid pod and asks for an allowed number of keys. Nothing here
// throws; every error is a pkm::Error whose message names the bad field and
// what is allowed, and never carries a private key. Every function may be
// called from any thread.
#ifndef PKM_MESSAGES_WIRE_CODEC_H_
#define PKM_MESSAGES_WIRE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "messages/wire.pb.h"

namespace pkm::messages {

enum class Encoding { kJson, kProtobuf };

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProtobufContentType =
    "application/x-protobuf";

inline constexpr size_t kDefaultMaxRequestBytes = 64 * 1024;
inline constexpr size_t kDefaultMaxReplyBytes = 64 * 1024 * 1024;
inline constexpr uint32_t kDefaultMaxKeysPerRequest = 256;
// No limit may allow more keys than this (2^31 - 1).
inline constexpr uint32_t kMaxKeysPerRequestCeiling = 0x7fffffff;
// Smallest deposit the deposit contract accepts: 1 ETH.
inline constexpr uint64_t kMinDepositGwei = 1'000'000'000;

// Picks the encoding from the value of a Content-Type header: empty (no
// header) or application/json is JSON, application/x-protobuf is protobuf;
// letter case, surrounding spaces and parameters (";charset=utf-8") are
// ignored. Anything else is invalid_argument; answer such a request in JSON.
[[nodiscard]] Result<Encoding> encoding_from_content_type(
    std::string_view content_type);

// The Content-Type header value of a reply in `encoding`.
std::string_view content_type_of(Encoding encoding);

// The Nats-Service-Error-Code header for an error reply: 400 for
// invalid_argument, 403 for permission_denied, 404 for not_found, 503 for
// unavailable and failed_precondition (both mean "ask again later"), 500 for
// data_loss and internal.
int nats_service_error_code(ErrorCode code);

// The Nats-Service-Error header for an error reply: the message as one line
// of printable text (control characters become spaces, invalid UTF-8
// becomes '?'), cut to at most 1024 bytes.
std::string nats_service_error_description(const Error& error);

// Limits the codec enforces. Set from --max-keys-per-request and the NATS
// maximum payload.
struct WireLimits {
  // Larger request bodies are refused before they are parsed.
  size_t max_request_bytes = kDefaultMaxRequestBytes;
  // Larger reply bodies are refused by the reply decoders (client side).
  size_t max_reply_bytes = kDefaultMaxReplyBytes;
  // Allocate requests for more keys are refused, not truncated.
  uint32_t max_keys_per_request = kDefaultMaxKeysPerRequest;
};

// Decodes requests (server side), replies (client side) and deposit queue
// messages, enforcing WireLimits. Immutable: one instance may be shared by
// any number of threads and actors.
//
// Every request decoder refuses, with invalid_argument: a body over
// max_request_bytes; for JSON, malformed JSON, a value other than an
// object, a field given twice, an unknown field (named in the message) and
// a field of the wrong type; for protobuf, bytes that do not parse as the
// message and unknown field numbers; and a pod_name that validate_pod_name
// refuses. Reply decoders are lenient about unknown fields, which newer
// servers may add, and strict about everything else.
class WireCodec {
 public:
  // A codec with the default limits.
  WireCodec() = default;

  // Refuses (invalid_argument) a limit of zero, byte limits above 2^31 - 1
  // (protobuf's own ceiling) and max_keys_per_request above
  // kMaxKeysPerRequestCeiling.
  [[nodiscard]] static Result<WireCodec> create(const WireLimits& limits);

  const WireLimits& limits() const { return limits_; }

  // {"pod_name":"validator-0","number_of_keys":2}. number_of_keys must be a
  // whole number from 0 to max_keys_per_request; it may be left out. The
  // result has number_of_keys >= 1 (0 and absent mean 1).
  [[nodiscard]] Result<wire::AllocateRequest> decode_allocate_request(
      std::string_view payload, Encoding encoding) const;

  // {"pod_name":"validator-0"} with an optional "slashing_protection": an
  // EIP-3076 interchange object (protobuf: its JSON text) with a "metadata"
  // object of interchange_format_version "5" and a "data" array. The result
  // holds the interchange as compact JSON text.
  [[nodiscard]] Result<wire::ReleaseRequest> decode_release_request(
      std::string_view payload, Encoding encoding) const;

  // {"pod_name":"validator-0"}.
  [[nodiscard]] Result<wire::RenewRequest> decode_renew_request(
      std::string_view payload, Encoding encoding) const;

  // {} or, in JSON, an empty body (what a bare `nats req` sends).
  [[nodiscard]] Result<wire::AssignmentsRequest> decode_assignments_request(
      std::string_view payload, Encoding encoding) const;

  // Client side. Byte fields are checked for length: public keys 48 bytes,
  // private keys and withdrawal credentials 32, deposit_tx empty or 32.
  // invalid_argument for a reply that does not decode; the message never
  // includes private-key bytes. Where it can, the JSON decoder wipes its
  // own copies of private keys; the caller owns (and should wipe) `payload`.
  [[nodiscard]] Result<wire::AllocateReply> decode_allocate_reply(
      std::string_view payload, Encoding encoding) const;
  [[nodiscard]] Result<wire::ReleaseReply> decode_release_reply(
      std::string_view payload, Encoding encoding) const;
  [[nodiscard]] Result<wire::RenewReply> decode_renew_reply(
      std::string_view payload, Encoding encoding) const;
  [[nodiscard]] Result<wire::AssignmentsReply> decode_assignments_reply(
      std::string_view payload, Encoding encoding) const;
  [[nodiscard]] Result<wire::ErrorReply> decode_error_reply(
      std::string_view payload, Encoding encoding) const;

  // Deposit queue messages travel between pkm processes in protobuf only.
  // A job needs a job_id of 1 to 128 printable ASCII characters, a 48-byte
  // pubkey, 32-byte withdrawal credentials, amount_gwei >= kMinDepositGwei,
  // a 96-byte signature and a 32-byte deposit_data_root. Limit:
  // max_request_bytes.
  [[nodiscard]] Result<wire::DepositJob> decode_deposit_job(
      std::string_view payload) const;

  // A result needs a job_id as above, a 48-byte pubkey, a known status, and
  // a 32-byte tx_hash unless the status is NOT_SENT. Limit:
  // max_request_bytes.
  [[nodiscard]] Result<wire::DepositResult> decode_deposit_result(
      std::string_view payload) const;

 private:
  explicit WireCodec(const WireLimits& limits) : limits_(limits) {}

  WireLimits limits_;
};

// Encoders. They do not validate content (that is the decoders' job at the
// receiving end); they fail only with internal, when protobuf serialization
// fails or a slashing_protection field does not hold a JSON object. JSON
// output has the field order of wire.proto; empty byte strings are "0x".
//
// The body of an AllocateReply holds private keys: hand it to the transport
// and then wipe it with secure_wipe. In JSON the encoder builds it in one
// buffer, so no other copy of the key text is left behind.
[[nodiscard]] Result<std::string> encode(const wire::AllocateRequest& request,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::ReleaseRequest& request,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::RenewRequest& request,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(
    const wire::AssignmentsRequest& request, Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::AllocateReply& reply,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::ReleaseReply& reply,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::RenewReply& reply,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::AssignmentsReply& reply,
                                         Encoding encoding);
[[nodiscard]] Result<std::string> encode(const wire::DepositJob& job);
[[nodiscard]] Result<std::string> encode(const wire::DepositResult& result);

// {"error":{"code":"invalid_argument","message":"..."}} for `error`, with
// the message made valid UTF-8. Never fails: an error reply can always be
// sent.
wire::ErrorReply make_error_reply(const Error& error);
std::string encode_error_reply(const Error& error, Encoding encoding);

// One-line descriptions for logs and test failures, in key=value form.
// Private keys appear only as "<redacted>"; protobuf's own DebugString()
// would print them, so never log a message through it.
std::string redacted_debug_string(const wire::AllocatedKey& key);
std::string redacted_debug_string(const wire::AllocateReply& reply);
std::string redacted_debug_string(const wire::ReleaseReply& reply);
std::string redacted_debug_string(const wire::RenewReply& reply);
std::string redacted_debug_string(const wire::AssignmentsReply& reply);
std::string redacted_debug_string(const wire::ErrorReply& reply);

}  // namespace pkm::messages

#endif  // PKM_MESSAGES_WIRE_CODEC_H_
