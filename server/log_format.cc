#include "server/log_format.h"

#include "gateway/assignments_format.h"

#include <cstdio>
#include <memory>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pkm::server {
namespace {

// %* in the JSON pattern: the message, escaped for a JSON string.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& destination) override {
    std::string escaped = json_escape(
        std::string(message.payload.data(), message.payload.size()));
    destination.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// protobuf reports parse problems (invalid UTF-8 in a string field) on
// stderr by default. Its messages name fields, never values.
void protobuf_log(google::protobuf::LogLevel, const char*, int,
                  const std::string& message) {
  if (auto logger = spdlog::get("protobuf")) {
    logger->debug("{}", message);
  }
}

}  // namespace

std::string json_escape(const std::string& text) {
  std::string quoted;
  gateway::append_json_string(quoted, text);
  return quoted.substr(1, quoted.size() - 2);
}

void configure_logging(const std::string& level, LogFormat format) {
  auto logger = std::make_shared<spdlog::logger>(
      "pkm", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(
      spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        "{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\","
        "\"logger\":\"%n\",\"message\":\"%*\"}");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  spdlog::register_logger(logger->clone("protobuf"));
  google::protobuf::SetLogHandler(protobuf_log);
}

}  // namespace pkm::server
