#include "client/client_log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace pkm::client {

spdlog::logger& client_log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto created = spdlog::get("client");
    if (!created) created = spdlog::stderr_logger_mt("client");
    created->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v",
                         spdlog::pattern_time_type::utc);
    return created;
  }();
  return *logger;
}

}  // namespace pkm::client
