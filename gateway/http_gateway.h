// The HTTP gateway of DESIGN.md "HTTP": GET /assignments (HTML, JSON or
// text), /metrics (Prometheus), /healthz and /readyz, served by
// cpp-httplib on a thread of its own. Part of gateway/: it only renders
// what its Sources return and changes nothing. Neither its pages nor its
// logs carry secrets: the sources hand it public data only, and it logs one
// debug line per request without bodies.
#ifndef PKM_GATEWAY_HTTP_GATEWAY_H_
#define PKM_GATEWAY_HTTP_GATEWAY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "actors/assignments_view.h"
#include "actors/service_metrics.h"
#include "base/result.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace spdlog {
class logger;
}  // namespace spdlog

namespace pkm::gateway {

// A parsed listen address.
struct ListenAddress {
  // Host name or IP address as given; an IPv6 address without brackets.
  std::string host;
  // 0 lets the operating system pick a free port.
  int port = 0;
};

// Parses "host:port": an IPv4 address, a host name, or an IPv6 address in
// brackets ("[::1]:8080"), then a decimal port 0-65535. invalid_argument
// naming `text` and what is allowed otherwise.
[[nodiscard]] Result<ListenAddress> parse_listen_address(
    std::string_view text);

// Serves the HTTP routes until stopped. Routes (HEAD works as GET):
//   /assignments  HTML by default; JSON for ?format=json or an Accept header
//                 naming application/json; `pod=0xpubkey` lines for
//                 ?format=text; any other format is refused with 400
//   /metrics      Prometheus text, version 0.0.4
//   /healthz      200 "ok" while the server answers
//   /readyz       200 "ready" when storage, NATS and chain are all up;
//                 503 naming those that are not otherwise
// Another path gets 404 naming the allowed paths; POST, PUT, PATCH, DELETE
// or OPTIONS on a known path gets 405 with an Allow header (a method httplib
// does not know gets its 400). A source error becomes 503 (unavailable or
// failed_precondition) or 500 (anything else) with the error's message.
// Every response is marked no-store. The listening socket is exclusive: no
// second server can share its port.
// All members may be called from any thread except from inside a source.
class HttpGateway {
 public:
  struct Options {
    // "host:port", see parse_listen_address.
    std::string listen = "127.0.0.1:8080";
  };

  struct Readiness {
    bool storage = false;
    bool nats = false;
    bool chain = false;
    // Added to the 503 body when not empty; must not hold secrets.
    std::string detail;
  };

  // Where the pages come from. Each is called on an HTTP worker thread, up
  // to a few at once, so each must be thread-safe. All three are required.
  struct Sources {
    std::function<Result<actors::AssignmentsView>()> assignments;
    std::function<actors::MetricsSnapshot()> metrics;
    std::function<Readiness()> readiness;
  };

  // Binds options.listen and starts serving before it returns. Refuses a
  // bad listen address or a missing source (invalid_argument); returns
  // unavailable naming the address when it cannot be bound (in use, no
  // such interface, no permission).
  [[nodiscard]] static Result<std::unique_ptr<HttpGateway>> start(
      const Options& options, Sources sources);

  // Stops serving (see stop()).
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // The bound port (the one the OS picked when options asked for 0).
  int port() const { return port_; }

  // Closes the listening socket, lets requests in progress finish and joins
  // the server thread. Idempotent.
  void stop();

 private:
  explicit HttpGateway(Sources sources);

  void install_routes();
  void route(const httplib::Request& request, httplib::Response& response);
  void serve_assignments(const httplib::Request& request,
                         httplib::Response& response);
  void serve_metrics(httplib::Response& response);
  void serve_readiness(httplib::Response& response);
  void log_request(const httplib::Request& request,
                   const httplib::Response& response);

  Sources sources_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  std::string address_;
  int port_ = 0;
  std::mutex stop_mutex_;
  bool stopped_ = false;
};

}  // namespace pkm::gateway

#endif  // PKM_GATEWAY_HTTP_GATEWAY_H_
