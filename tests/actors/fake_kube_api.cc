#include "tests/actors/fake_kube_api.h"

#include <httplib.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pkm::testing {
namespace {

using nlohmann::json;

// Longest a hung request is held if the test never releases it.
constexpr auto kMaxHang = std::chrono::seconds(30);

std::string status_body(int code, const std::string& reason,
                        const std::string& message) {
  json status = {{"kind", "Status"},       {"apiVersion", "v1"},
                 {"metadata", json::object()}, {"status", "Failure"},
                 {"message", message},     {"reason", reason},
                 {"code", code}};
  return status.dump();
}

}  // namespace

FakeKubeApi::FakeKubeApi() : server_(std::make_unique<httplib::Server>()) {
  start();
}

FakeKubeApi::FakeKubeApi(const std::string& cert_file,
                         const std::string& key_file)
    : server_(std::make_unique<httplib::SSLServer>(cert_file.c_str(),
                                                   key_file.c_str())),
      scheme_("https") {
  if (!server_->is_valid()) {
    ADD_FAILURE() << "fake Kubernetes API cannot load " << cert_file;
    return;
  }
  start();
}

void FakeKubeApi::start() {
  set_pods({});
  server_->set_keep_alive_timeout(1);
  server_->Get(R"(/api/v1/namespaces/([^/]+)/pods)",
               [this](const httplib::Request& request,
                      httplib::Response& response) {
                 serve(request, response);
               });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    ADD_FAILURE() << "fake Kubernetes API cannot bind 127.0.0.1";
    return;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

FakeKubeApi::~FakeKubeApi() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  released_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeKubeApi::url() const {
  return scheme_ + "://127.0.0.1:" + std::to_string(port_);
}

void FakeKubeApi::set_pods(const std::vector<FakePod>& pods,
                           const std::string& namespace_name,
                           const std::string& resource_version) {
  json items = json::array();
  for (const FakePod& pod : pods) {
    json metadata = {{"name", pod.name},
                     {"namespace", namespace_name},
                     {"uid", pod.uid},
                     {"resourceVersion", resource_version},
                     {"labels", {{"app", "validator"}}}};
    if (pod.terminating) {
      metadata["deletionTimestamp"] = "2024-05-01T12:00:00Z";
      metadata["deletionGracePeriodSeconds"] = 30;
    }
    json item = {{"metadata", metadata},
                 {"spec", {{"containers", json::array()}}}};
    if (!pod.phase.empty()) item["status"] = {{"phase", pod.phase}};
    items.push_back(item);
  }
  json list = {{"kind", "PodList"},
               {"apiVersion", "v1"},
               {"metadata", {{"resourceVersion", resource_version}}},
               {"items", items}};
  set_body(list.dump());
}

void FakeKubeApi::set_body(std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  body_ = std::move(body);
}

void FakeKubeApi::set_page(const std::string& token, std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  pages_[token] = std::move(body);
}

void FakeKubeApi::fail_with(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_status_ = status;
}

void FakeKubeApi::hang() {
  std::lock_guard<std::mutex> lock(mutex_);
  hang_ = true;
}

void FakeKubeApi::release_hung() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hang_ = false;
  }
  released_.notify_all();
}

void FakeKubeApi::require_token(std::string token) {
  std::lock_guard<std::mutex> lock(mutex_);
  required_token_ = std::move(token);
}

std::vector<FakeKubeRequest> FakeKubeApi::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void FakeKubeApi::serve(const httplib::Request& request,
                        httplib::Response& response) {
  std::unique_lock<std::mutex> lock(mutex_);
  FakeKubeRequest seen;
  seen.method = request.method;
  seen.target = request.target;
  seen.namespace_name = request.matches.size() > 1 ? request.matches[1].str()
                                                   : std::string();
  seen.label_selector = request.get_param_value("labelSelector");
  seen.continue_token = request.get_param_value("continue");
  seen.authorization = request.get_header_value("Authorization");
  requests_.push_back(seen);

  if (hang_) {
    released_.wait_for(lock, kMaxHang,
                       [this] { return !hang_ || stopping_; });
    if (stopping_) return;
  }
  if (!required_token_.empty() &&
      seen.authorization != "Bearer " + required_token_) {
    // Echo the credential, as a careless proxy might, so that tests can
    // check that clients never repeat it in their errors.
    response.status = 401;
    response.set_content(
        status_body(401, "Unauthorized",
                    "Unauthorized: credential '" + seen.authorization +
                        "' was not accepted"),
        "application/json");
    return;
  }
  if (fail_status_ != 0) {
    response.status = fail_status_;
    std::string message =
        fail_status_ == 403
            ? "pods is forbidden: the service account cannot list pods in "
              "namespace " + seen.namespace_name
            : "fake Kubernetes API told to fail";
    response.set_content(status_body(fail_status_, "Failure", message),
                         "application/json");
    return;
  }
  auto page = pages_.find(seen.continue_token);
  response.status = 200;
  response.set_content(page != pages_.end() ? page->second : body_,
                       "application/json");
}

}  // namespace pkm::testing
