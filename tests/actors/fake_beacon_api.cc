#include "tests/actors/fake_beacon_api.h"

#include <httplib.h>

#include <cctype>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

constexpr char kValidatorsPattern[] =
    R"(/eth/v1/beacon/states/([^/]+)/validators)";

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(
                          static_cast<unsigned char>(c)));
  return text;
}

std::string error_body(int code, const std::string& message) {
  return json({{"code", code}, {"message", message}}).dump();
}

}  // namespace

FakeBeaconApi::FakeBeaconApi() : server_(std::make_unique<httplib::Server>()) {
  server_->set_keep_alive_timeout(1);
  auto handler = [this](const httplib::Request& request,
                        httplib::Response& response) {
    serve(request, response);
  };
  server_->Get(kValidatorsPattern, handler);
  server_->Post(kValidatorsPattern, handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    ADD_FAILURE() << "fake beacon node cannot bind 127.0.0.1";
    return;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

FakeBeaconApi::~FakeBeaconApi() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeBeaconApi::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeBeaconApi::set_validator(const std::string& pubkey,
                                  FakeValidator validator) {
  std::lock_guard<std::mutex> lock(mutex_);
  validators_[to_hex(std::string_view(pubkey))] = validator;
}

void FakeBeaconApi::fail_with(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_status_ = status;
}

void FakeBeaconApi::refuse_post(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  post_status_ = status;
}

std::vector<FakeBeaconRequest> FakeBeaconApi::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void FakeBeaconApi::serve(const httplib::Request& request,
                          httplib::Response& response) {
  std::lock_guard<std::mutex> lock(mutex_);

  // Collect the ids: a JSON body for POST, ?id=a,b or repeated id for GET.
  std::vector<std::string> ids;
  if (request.method == "POST") {
    json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("ids") ||
        !body["ids"].is_array()) {
      requests_.push_back({request.method, 0});
      response.status = 400;
      response.set_content(error_body(400, "body needs an ids array"),
                           "application/json");
      return;
    }
    for (const json& id : body["ids"]) {
      if (id.is_string()) ids.push_back(id.get<std::string>());
    }
  } else {
    auto count = request.get_param_value_count("id");
    for (size_t i = 0; i < count; ++i) {
      std::string value = request.get_param_value("id", i);
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        if (comma > start) ids.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    }
  }
  requests_.push_back({request.method, ids.size()});

  if (fail_status_ != 0) {
    response.status = fail_status_;
    response.set_content(error_body(fail_status_, "fake node told to fail"),
                         "application/json");
    return;
  }
  if (request.method == "POST" && post_status_ != 0) {
    response.status = post_status_;
    response.set_content(error_body(post_status_, "POST not supported"),
                         "application/json");
    return;
  }

  // A real node promises no order; answering in reverse makes sure that
  // clients do not rely on one.
  json data = json::array();
  for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
    auto it = validators_.find(lower(*id));
    if (it == validators_.end()) continue;  // unknown keys are left out
    const FakeValidator& validator = it->second;
    data.push_back(
        {{"index", std::to_string(validator.index)},
         {"balance", "32000000000"},
         {"status", validator.status},
         {"validator",
          {{"pubkey", it->first},
           {"withdrawal_credentials", "0x" + std::string(64, '0')},
           {"effective_balance", "32000000000"},
           {"slashed", validator.slashed},
           {"activation_eligibility_epoch", "0"},
           {"activation_epoch", "0"},
           {"exit_epoch", "18446744073709551615"},
           {"withdrawable_epoch", "18446744073709551615"}}}});
  }
  json body = {{"execution_optimistic", false},
               {"finalized", false},
               {"data", data}};
  response.status = 200;
  response.set_content(body.dump(), "application/json");
}

}  // namespace pkm::testing
