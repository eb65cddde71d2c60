// Named spdlog loggers per component ("allocator", "store", ...), made
// from the default logger so they share its sinks, level and format
// (pkm-server sets those up from --log-level and --log-format).
#ifndef PKM_ACTORS_COMPONENT_LOGGER_H_
#define PKM_ACTORS_COMPONENT_LOGGER_H_

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace pkm::actors {

// The logger named `component`, created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> component_logger(const std::string& component);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_COMPONENT_LOGGER_H_
