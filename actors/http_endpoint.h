// Internal helpers for the small HTTP clients of actors/ (Kubernetes API,
// beacon node): splitting a base URL for cpp-httplib, building a client
// with timeouts and TLS verification, percent-encoding, and turning
// transport failures into pkm errors. Include only from .cc files: it pulls
// in cpp-httplib, whose OpenSSL build flags come from PkgConfig::HTTPLIB.
#ifndef PKM_ACTORS_HTTP_ENDPOINT_H_
#define PKM_ACTORS_HTTP_ENDPOINT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>

#include "base/result.h"

namespace pkm::actors {

// An http:// or https:// base URL split into what cpp-httplib wants.
struct HttpEndpoint {
  std::string scheme_host_port;  // "https://10.0.0.1:443"
  std::string base_path;         // "" or "/prefix", never a trailing '/'
  bool tls = false;
};

// Splits `url`. Refuses, with invalid_argument naming `what` ("Kubernetes
// API URL"), a URL without http:// or https://, without a host, with user
// info, a query or a fragment, or with a port outside 1-65535.
[[nodiscard]] Result<HttpEndpoint> parse_http_endpoint(std::string_view url,
                                                       std::string_view what);

// A keep-alive client for `endpoint` whose connect, read and write each
// time out after `timeout`. For https the server certificate is verified
// against `ca_file`, or the system store when `ca_file` is empty. Paths are
// sent as given: callers percent-encode query values themselves.
std::unique_ptr<httplib::Client> make_http_client(
    const HttpEndpoint& endpoint, std::chrono::milliseconds timeout,
    const std::string& ca_file);

// Percent-encodes everything but RFC 3986 unreserved characters, for use
// as one query value or path segment.
std::string percent_encode(std::string_view text);

// An unavailable error for a request to `peer` that got no HTTP answer:
// a timeout names `timeout`, a TLS failure says what to check.
Error transport_error(std::string_view peer, httplib::Error error,
                      std::chrono::milliseconds timeout);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_HTTP_ENDPOINT_H_
