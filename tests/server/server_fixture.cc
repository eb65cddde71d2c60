#include "tests/server/server_fixture.h"

#include <signal.h>
#include <sys/wait.h>

#include <sstream>

#include "messages/wire.pb.h"

namespace pkm::testing {

using nlohmann::json;

std::vector<std::string> public_keys(const json& reply) {
  std::vector<std::string> keys;
  if (!reply.is_object() || !reply.contains("keys")) return keys;
  for (const auto& key : reply.at("keys")) {
    keys.push_back(key.at("public_key").get<std::string>());
  }
  return keys;
}

std::vector<std::string> private_keys(const json& reply) {
  std::vector<std::string> keys;
  if (!reply.is_object() || !reply.contains("keys")) return keys;
  for (const auto& key : reply.at("keys")) {
    keys.push_back(key.at("private_key").get<std::string>());
  }
  return keys;
}

json parse_json(const std::string& body) {
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded()) {
    ADD_FAILURE() << "not JSON: " << body.substr(0, 200);
  }
  return value;
}

ErrorReplyFields read_error_reply(const NatsReply& reply) {
  ErrorReplyFields fields;
  auto type = reply.headers.find("Content-Type");
  if (type != reply.headers.end() &&
      type->second == "application/x-protobuf") {
    wire::ErrorReply error;
    if (!error.ParseFromString(reply.body)) return fields;
    fields.code = error.error().code();
    fields.message = error.error().message();
    fields.well_formed = error.has_error() && !fields.code.empty() &&
                         !fields.message.empty();
    return fields;
  }

  json body = json::parse(reply.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return fields;
  const json& error = body.at("error");
  if (!error.is_object()) return fields;
  if (error.contains("code") && error.at("code").is_string()) {
    fields.code = error.at("code").get<std::string>();
  }
  if (error.contains("message") && error.at("message").is_string()) {
    fields.message = error.at("message").get<std::string>();
  }
  fields.well_formed = body.size() == 1 && error.size() == 2 &&
                       !fields.code.empty() && !fields.message.empty();
  return fields;
}

ProgramExit run_to_exit(const std::vector<std::string>& argv,
                        const std::string& log_path,
                        std::chrono::milliseconds timeout) {
  ProgramExit result;
  ChildProcess process(argv, log_path);
  result.exited = wait_until([&] { return !process.running(); }, timeout);
  // After the exit stop() only returns the wait status; otherwise it kills.
  int status = process.stop(SIGKILL, std::chrono::seconds(5));
  if (result.exited && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.output = process.log();
  return result;
}

std::optional<double> metric_sample(const std::string& metrics,
                                    const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.compare(0, series.size(), series) != 0) continue;
    if (line.size() <= series.size() || line[series.size()] != ' ') continue;
    return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

std::string metric_family(const std::string& metrics,
                          const std::string& prefix) {
  std::istringstream lines(metrics);
  std::string line;
  std::string family;
  while (std::getline(lines, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) family += line + "\n";
  }
  return family;
}

PkmServerOptions ServerTest::default_options() const {
  PkmServerOptions options;
  options.data_dir = dir_.path() + "/data";
  options.nats_url = nats_.url();
  return options;
}

bool ServerTest::start_server(const PkmServerOptions& options) {
  if (!nats_started_) {
    nats_started_ = nats_.start();
    if (!nats_started_) return false;
  }
  server_ = std::make_unique<PkmServerProcess>(options,
                                               dir_.path() + "/server.log");
  if (!server_->start()) return false;
  if (!requester_) requester_ = std::make_unique<NatsRequester>(nats_.url());
  return true;
}

json ServerTest::allocate(const std::string& pod, int keys,
                          std::chrono::milliseconds timeout) {
  auto reply = requester_->request(
      "pkm.allocate", json{{"pod_name", pod}, {"number_of_keys", keys}}.dump(),
      "", timeout);
  EXPECT_TRUE(reply.ok) << "allocate " << pod << ": " << reply.error;
  EXPECT_EQ(reply.service_error_code(), 0) << reply.body;
  if (!reply.ok) return json();
  return parse_json(reply.body);
}

int ServerTest::release(const std::string& pod) {
  auto reply =
      requester_->request("pkm.release", json{{"pod_name", pod}}.dump());
  EXPECT_TRUE(reply.ok) << "release " << pod << ": " << reply.error;
  if (!reply.ok) return -1;
  json body = parse_json(reply.body);
  if (!body.is_object() || !body.contains("released")) {
    ADD_FAILURE() << "release " << pod << " answered " << reply.body;
    return -1;
  }
  return body.at("released").get<int>();
}

json ServerTest::assignments_over_nats() {
  auto reply = requester_->request("pkm.assignments", "{}");
  EXPECT_TRUE(reply.ok) << reply.error;
  if (!reply.ok) return json();
  return parse_json(reply.body);
}

json ServerTest::assignments_over_http() {
  std::string body;
  int status = server_->http_get("/assignments?format=json", &body);
  EXPECT_EQ(status, 200) << body;
  if (status != 200) return json();
  return parse_json(body);
}

std::string ServerTest::metrics() {
  std::string body;
  EXPECT_EQ(server_->http_get("/metrics", &body), 200) << body;
  return body;
}

}  // namespace pkm::testing
