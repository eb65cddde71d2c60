#include "actors/component_logger.h"

#include <mutex>

namespace pkm::actors {

std::shared_ptr<spdlog::logger> component_logger(
    const std::string& component) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = spdlog::default_logger()->clone(component);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace pkm::actors
