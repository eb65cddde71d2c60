#include "actors/actor_types.h"

#include <string>

namespace pkm::actors {

namespace {
constexpr caf::atom_value kPkmCategory = caf::atom("pkm");
}  // namespace

// CAF treats code 0 as "no error", so codes travel shifted by one.
caf::error to_caf_error(const Error& error) {
  return caf::error(static_cast<uint8_t>(static_cast<uint8_t>(error.code) + 1),
                    kPkmCategory,
                    caf::make_message(error.message));
}

Error from_caf_error(const caf::error& error) {
  if (!error) return Error{ErrorCode::kInternal, "an empty error"};
  if (error.category() == kPkmCategory && error.code() >= 1 &&
      error.code() <= static_cast<uint8_t>(ErrorCode::kInternal) + 1) {
    std::string message = "(no message)";
    if (error.context().match_elements<std::string>()) {
      message = error.context().get_as<std::string>(0);
    }
    return Error{static_cast<ErrorCode>(error.code() - 1), message};
  }
  // CAF's own errors: a dead actor or a timed-out request inside the
  // server. The caller may retry.
  return Error{ErrorCode::kUnavailable,
               "internal actor error " + caf::to_string(error.category()) +
                   " code " + std::to_string(error.code())};
}

}  // namespace pkm::actors
