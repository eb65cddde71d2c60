#include "gateway/http_gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>

#include "actors/component_logger.h"
#include "gateway/assignments_format.h"
#include "gateway/metrics_format.h"

namespace pkm::gateway {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAllowedPaths[] = "/assignments, /metrics, /healthz, /readyz";
constexpr char kAllowedMethods[] = "GET, HEAD";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
constexpr char kJsonContentType[] = "application/json";
constexpr char kHtmlContentType[] = "text/html; charset=utf-8";
// The page needs nothing but its own inline style sheet.
constexpr char kHtmlSecurityPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// Worker threads: enough for a scrape, a probe and a browser at once; a
// full /assignments read is not something to run by the dozen.
constexpr size_t kWorkerThreads = 4;
// Nothing here reads a request body.
constexpr size_t kMaxRequestBodyBytes = 64 * 1024;
// Largest piece of a body handed to the socket at once.
constexpr size_t kWriteChunkBytes = 1 << 20;
// Longest request path written to the log.
constexpr size_t kMaxLoggedPathLength = 200;

const char kListenHelp[] =
    "allowed: host:port, where host is an IPv4 address, a host name or an "
    "IPv6 address in brackets, and port is 0-65535 (0 lets the system "
    "pick one), e.g. 127.0.0.1:8080";

// When the request now being handled on this worker thread arrived, for
// the log line written after the response.
thread_local std::optional<Clock::time_point> request_arrival;

bool is_host_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_ipv6_character(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
         (c >= '0' && c <= '9') || c == ':' || c == '.';
}

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// The request path as it may appear in a log line: printable ASCII only,
// cut to kMaxLoggedPathLength.
std::string loggable_path(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (out.size() >= kMaxLoggedPathLength) {
      out += "...";
      break;
    }
    unsigned char byte = static_cast<unsigned char>(c);
    out += byte >= 0x21 && byte < 0x7f ? c : '?';
  }
  return out;
}

// Every non-empty body goes out through a content provider of known size,
// which httplib sends as it is. Given a plain body, httplib would compress
// it in the worker thread, with Brotli at its slowest setting whenever the
// client accepts "br" (browsers do): tens of seconds for the page of
// 100,000 keys. The body is moved, not copied: it can be tens of megabytes.
void set_body(httplib::Response& response, int status, std::string body,
              const std::string& content_type) {
  response.status = status;
  if (body.empty()) {
    response.set_header("Content-Type", content_type);
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(body));
  response.set_content_provider(
      shared->size(), content_type,
      [shared](size_t offset, size_t length, httplib::DataSink& sink) {
        size_t chunk = std::min(length, kWriteChunkBytes);
        return sink.write(shared->data() + offset, chunk);
      });
}

void set_text(httplib::Response& response, int status, std::string text) {
  set_body(response, status, std::move(text), kTextContentType);
}

int status_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kFailedPrecondition:
      return 503;
    default:
      return 500;
  }
}

enum class AssignmentsFormat { kHtml, kJson, kText };

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto refuse = [&](const std::string& problem) {
    return invalid_argument("listen address \"" + std::string(text) +
                            "\" " + problem + "; " + kListenHelp);
  };

  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return refuse("has no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);

  ListenAddress address;
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return refuse("has an unclosed or empty IPv6 bracket");
    }
    host = host.substr(1, host.size() - 2);
    for (char c : host) {
      if (!is_ipv6_character(c)) return refuse("has a bad IPv6 address");
    }
  } else {
    if (host.empty()) return refuse("has no host");
    for (char c : host) {
      if (c == ':') {
        return refuse("has an IPv6 address without brackets");
      }
      if (!is_host_name_character(c)) {
        return refuse("has a character not allowed in a host");
      }
    }
  }
  address.host = std::string(host);

  if (port_text.empty() || port_text.size() > 5) {
    return refuse("has no port or one longer than 5 digits");
  }
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return refuse("has a port that is not a number");
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return refuse("has a port above 65535");
  address.port = port;
  return address;
}

HttpGateway::HttpGateway(Sources sources)
    : sources_(std::move(sources)),
      log_(actors::component_logger("http_gateway")) {}

HttpGateway::~HttpGateway() { stop(); }

Result<std::unique_ptr<HttpGateway>> HttpGateway::start(
    const Options& options, Sources sources) {
  auto address = parse_listen_address(options.listen);
  if (!address.ok()) return address.error();
  if (!sources.assignments || !sources.metrics || !sources.readiness) {
    return invalid_argument(
        "HttpGateway needs all three sources (assignments, metrics, "
        "readiness); one is empty");
  }

  std::unique_ptr<HttpGateway> gateway(new HttpGateway(std::move(sources)));
  gateway->server_ = std::make_unique<httplib::Server>();
  gateway->install_routes();
  httplib::Server& server = *gateway->server_;

  // httplib reports only success; errno still holds the bind failure.
  errno = 0;
  int port = address->port;
  bool bound = false;
  if (port == 0) {
    port = server.bind_to_any_port(address->host);
    bound = port > 0;
  } else {
    bound = server.bind_to_port(address->host, port);
  }
  if (!bound) {
    std::string reason = errno != 0 ? std::strerror(errno) : "unknown";
    return Error{ErrorCode::kUnavailable,
                 "cannot listen on " + options.listen + " (" + reason +
                     "); is another process using it, and does the host "
                     "name a local interface?"};
  }
  gateway->port_ = port;
  gateway->address_ = address->host + ":" + std::to_string(port);

  HttpGateway* self = gateway.get();
  self->thread_ = std::thread([self] {
    self->server_->listen_after_bind();
    self->listen_returned_ = true;
  });

  // Return only once connections are accepted, so a caller can connect
  // at once.
  while (!server.is_running() && !self->listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (self->listen_returned_) {
    self->stop();
    return Error{ErrorCode::kUnavailable,
                 "HTTP server on " + self->address_ +
                     " stopped listening as soon as it started"};
  }

  self->log_->info("http gateway listening address={}", self->address_);
  return gateway;
}

void HttpGateway::stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  if (!server_ || !thread_.joinable()) return;

  // httplib's stop() does nothing before the server thread listens, and
  // must not be repeated while it winds down: wait for one or the other.
  while (!server_->is_running() && !listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!listen_returned_) server_->stop();
  thread_.join();
  if (port_ != 0) log_->info("http gateway stopped address={}", address_);
}

void HttpGateway::install_routes() {
  httplib::Server& server = *server_;
  server.new_task_queue = [] {
    return new httplib::ThreadPool(kWorkerThreads);
  };
  server.set_payload_max_length(kMaxRequestBodyBytes);
  // httplib's default sets SO_REUSEPORT, which would let a second pkm-server
  // bind the same port and take half the requests. SO_REUSEADDR only allows
  // a quick restart over connections in TIME_WAIT.
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  server.set_pre_routing_handler(
      [](const httplib::Request&, httplib::Response&) {
        request_arrival = Clock::now();
        return httplib::Server::HandlerResponse::Unhandled;
      });

  // GET and HEAD of any path come here; other methods with a body only
  // after httplib has read it, so a keep-alive connection stays in step.
  auto handle = [this](const httplib::Request& request,
                       httplib::Response& response) {
    route(request, response);
  };
  server.Get(".*", handle);
  server.Post(".*", handle);
  server.Put(".*", handle);
  server.Patch(".*", handle);
  server.Delete(".*", handle);
  server.Options(".*", handle);

  server.set_exception_handler([this](const httplib::Request& request,
                                      httplib::Response& response,
                                      std::exception_ptr thrown) {
    std::string what = "unknown exception";
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_->error("request failed path={} error={}",
                loggable_path(request.path), what);
    set_text(response, 500, "internal error while serving " +
                                loggable_path(request.path) + "\n");
  });
  server.set_logger(
      [this](const httplib::Request& request,
             const httplib::Response& response) {
        log_request(request, response);
      });
}

void HttpGateway::route(const httplib::Request& request,
                        httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Content-Type-Options", "nosniff");

  const std::string& path = request.path;
  bool known = path == "/assignments" || path == "/metrics" ||
               path == "/healthz" || path == "/readyz";
  if (!known) {
    set_text(response, 404,
             "no such path " + loggable_path(path) +
                 "; allowed paths: " + kAllowedPaths + "\n");
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    response.set_header("Allow", kAllowedMethods);
    set_text(response, 405,
             "method " + loggable_path(request.method) +
                 " is not allowed on " + path + "; allowed: " +
                 kAllowedMethods + "\n");
    return;
  }

  if (path == "/assignments") {
    serve_assignments(request, response);
  } else if (path == "/metrics") {
    serve_metrics(response);
  } else if (path == "/healthz") {
    set_text(response, 200, "ok");
  } else {
    serve_readiness(response);
  }
}

void HttpGateway::serve_assignments(const httplib::Request& request,
                                    httplib::Response& response) {
  // ?format= wins over the Accept header.
  AssignmentsFormat format = AssignmentsFormat::kHtml;
  if (request.has_param("format")) {
    std::string asked = request.get_param_value("format");
    if (asked == "json") {
      format = AssignmentsFormat::kJson;
    } else if (asked == "text") {
      format = AssignmentsFormat::kText;
    } else if (asked == "html") {
      format = AssignmentsFormat::kHtml;
    } else {
      set_text(response, 400,
               "format \"" + loggable_path(asked) +
                   "\" is not supported; allowed values: json, text, "
                   "html\n");
      return;
    }
  } else if (lower_case(request.get_header_value("Accept"))
                 .find(kJsonContentType) != std::string::npos) {
    format = AssignmentsFormat::kJson;
  }
  response.set_header("Vary", "Accept");

  auto view = sources_.assignments();
  if (!view.ok()) {
    const Error& error = view.error();
    if (error.code == ErrorCode::kUnavailable ||
        error.code == ErrorCode::kFailedPrecondition) {
      log_->warn("assignments not available error={}", error.to_string());
    } else {
      log_->error("assignments read failed error={}", error.to_string());
    }
    set_text(response, status_for(error),
             "cannot read assignments: " + error.to_string() + "\n");
    return;
  }

  switch (format) {
    case AssignmentsFormat::kJson:
      set_body(response, 200, render_assignments_json(*view),
               kJsonContentType);
      break;
    case AssignmentsFormat::kText:
      set_text(response, 200, render_assignments_text(*view));
      break;
    case AssignmentsFormat::kHtml:
      response.set_header("Content-Security-Policy", kHtmlSecurityPolicy);
      set_body(response, 200, render_assignments_html(*view),
               kHtmlContentType);
      break;
  }
}

void HttpGateway::serve_metrics(httplib::Response& response) {
  std::string text = render_prometheus_metrics(sources_.metrics());
  set_body(response, 200, std::move(text),
           std::string(kPrometheusContentType));
}

void HttpGateway::serve_readiness(httplib::Response& response) {
  Readiness readiness = sources_.readiness();
  std::string missing;
  for (auto [ready, name] : {std::pair{readiness.storage, "storage"},
                             std::pair{readiness.nats, "nats"},
                             std::pair{readiness.chain, "chain"}}) {
    if (ready) continue;
    if (!missing.empty()) missing += ", ";
    missing += name;
  }
  if (missing.empty()) {
    set_text(response, 200, "ready");
    return;
  }
  std::string body = "not ready: " + missing + "\n";
  if (!readiness.detail.empty()) body += readiness.detail + "\n";
  set_text(response, 503, std::move(body));
}

void HttpGateway::log_request(const httplib::Request& request,
                              const httplib::Response& response) {
  double elapsed_ms = -1;
  if (request_arrival) {
    elapsed_ms = std::chrono::duration<double, std::milli>(
                     Clock::now() - *request_arrival)
                     .count();
    request_arrival.reset();
  }
  std::string bytes = response.get_header_value("Content-Length");
  log_->debug("request method={} path={} status={} bytes={} elapsed_ms={:.2f}",
              loggable_path(request.method), loggable_path(request.path),
              response.status, bytes.empty() ? "0" : bytes, elapsed_ms);
}

}  // namespace pkm::gateway
