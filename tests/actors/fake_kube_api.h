// A local stand-in for the Kubernetes API, because a real cluster cannot
// run in these tests. It is a small HTTP server on 127.0.0.1 (a free port)
// that answers GET /api/v1/namespaces/{ns}/pods with a PodList body in the
// documented JSON shape, and can be told to fail, hang or demand a token.
// With a certificate it speaks https instead. It is not Kubernetes: it does
// no label matching, watches or pagination of its own.
#ifndef PKM_TESTS_ACTORS_FAKE_KUBE_API_H_
#define PKM_TESTS_ACTORS_FAKE_KUBE_API_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace pkm::testing {

// A pod as the fake lists it.
struct FakePod {
  std::string name;
  std::string uid;
  std::string phase = "Running";  // empty: no status object
  bool terminating = false;       // adds metadata.deletionTimestamp
};

// What the fake saw of one request.
struct FakeKubeRequest {
  std::string method;
  std::string target;          // path and raw (encoded) query
  std::string namespace_name;  // from the path
  std::string label_selector;  // decoded query parameter
  std::string continue_token;  // decoded query parameter
  std::string authorization;   // the Authorization header
};

// Runs the server on its own thread from construction to destruction.
// All methods are thread-safe.
class FakeKubeApi {
 public:
  FakeKubeApi();
  // Serves https with this PEM certificate and key.
  FakeKubeApi(const std::string& cert_file, const std::string& key_file);
  ~FakeKubeApi();
  FakeKubeApi(const FakeKubeApi&) = delete;
  FakeKubeApi& operator=(const FakeKubeApi&) = delete;

  // "http://127.0.0.1:<port>" (https:// with a certificate)
  std::string url() const;

  // Serves a PodList of `pods` in `namespace_name` at `resource_version`.
  void set_pods(const std::vector<FakePod>& pods,
                const std::string& namespace_name = "validators",
                const std::string& resource_version = "1000");
  // Serves `body` verbatim with status 200 (for malformed answers).
  void set_body(std::string body);
  // Serves `body` to requests whose continue parameter is `token`.
  void set_page(const std::string& token, std::string body);
  // Answers every request with `status` and a Status body; 0 stops it.
  void fail_with(int status);
  // Holds each request unanswered until release_hung() or destruction.
  void hang();
  void release_hung();
  // Answers 401 unless the request carries "Authorization: Bearer <token>".
  void require_token(std::string token);

  std::vector<FakeKubeRequest> requests() const;

 private:
  void start();
  void serve(const httplib::Request& request,
             httplib::Response& response);

  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::string body_;
  std::map<std::string, std::string> pages_;
  int fail_status_ = 0;
  bool hang_ = false;
  bool stopping_ = false;
  std::string required_token_;
  std::vector<FakeKubeRequest> requests_;
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_ = "http";
  int port_ = 0;
  std::thread thread_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_ACTORS_FAKE_KUBE_API_H_
