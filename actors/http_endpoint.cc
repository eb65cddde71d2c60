#include "actors/http_endpoint.h"

#include <algorithm>
#include <cctype>

namespace pkm::actors {
namespace {

bool is_unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Splits a timeout for cpp-httplib's (seconds, microseconds) setters.
std::pair<time_t, time_t> to_seconds_and_micros(
    std::chrono::milliseconds timeout) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
      timeout - seconds);
  return {static_cast<time_t>(seconds.count()),
          static_cast<time_t>(micros.count())};
}

}  // namespace

Result<HttpEndpoint> parse_http_endpoint(std::string_view url,
                                         std::string_view what) {
  std::string text(url);
  std::string name(what);
  HttpEndpoint endpoint;
  std::string scheme;
  if (text.rfind("http://", 0) == 0) {
    scheme = "http://";
  } else if (text.rfind("https://", 0) == 0) {
    scheme = "https://";
    endpoint.tls = true;
  } else {
    return invalid_argument(name + " '" + text +
                            "' has no scheme; allowed: http:// or https://");
  }

  std::string rest = text.substr(scheme.size());
  if (rest.find_first_of("?#") != std::string::npos) {
    return invalid_argument(name + " '" + text +
                            "' has a query or fragment; allowed: scheme, "
                            "host, port and path only");
  }
  size_t slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  if (host_port.empty() || host_port.find('@') != std::string::npos) {
    return invalid_argument(name + " '" + text +
                            "' needs a host and no user info");
  }

  // A port follows the last ':' unless that ':' is inside [IPv6].
  size_t colon = host_port.rfind(':');
  size_t bracket = host_port.rfind(']');
  if (colon != std::string::npos &&
      (bracket == std::string::npos || colon > bracket)) {
    std::string port = host_port.substr(colon + 1);
    bool numeric = !port.empty() && port.size() <= 5 &&
                   std::all_of(port.begin(), port.end(), [](char c) {
                     return std::isdigit(static_cast<unsigned char>(c));
                   });
    if (!numeric || std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return invalid_argument(name + " '" + text +
                              "' has a bad port; allowed: 1-65535");
    }
    if (colon == 0) {
      return invalid_argument(name + " '" + text + "' needs a host");
    }
  }

  while (!path.empty() && path.back() == '/') path.pop_back();
  endpoint.scheme_host_port = scheme + host_port;
  endpoint.base_path = path;
  return endpoint;
}

std::unique_ptr<httplib::Client> make_http_client(
    const HttpEndpoint& endpoint, std::chrono::milliseconds timeout,
    const std::string& ca_file) {
  auto client = std::make_unique<httplib::Client>(endpoint.scheme_host_port);
  auto [seconds, micros] = to_seconds_and_micros(timeout);
  client->set_connection_timeout(seconds, micros);
  client->set_read_timeout(seconds, micros);
  client->set_write_timeout(seconds, micros);
  client->set_keep_alive(true);
  client->set_url_encode(false);
  if (endpoint.tls) {
    client->enable_server_certificate_verification(true);
    if (!ca_file.empty()) client->set_ca_cert_path(ca_file);
  }
  return client;
}

std::string percent_encode(std::string_view text) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c)) {
      out += c;
      continue;
    }
    auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

Error transport_error(std::string_view peer, httplib::Error error,
                      std::chrono::milliseconds timeout) {
  std::string prefix = std::string(peer) + " ";
  switch (error) {
    case httplib::Error::Read:
    case httplib::Error::ConnectionTimeout:
      return Error{ErrorCode::kUnavailable,
                   prefix + "did not answer within " +
                       std::to_string(timeout.count()) + " ms"};
    case httplib::Error::SSLServerVerification:
      return Error{ErrorCode::kUnavailable,
                   prefix + "presented a TLS certificate that does not "
                            "verify against the CA file or does not name "
                            "the host; check the CA file and URL"};
    case httplib::Error::SSLLoadingCerts:
      return Error{ErrorCode::kUnavailable,
                   prefix + "cannot be verified: the CA file could not be "
                            "loaded as PEM certificates"};
    default:
      return Error{ErrorCode::kUnavailable,
                   prefix + "is unreachable: " + httplib::to_string(error)};
  }
}

}  // namespace pkm::actors
