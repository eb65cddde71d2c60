// The logger of pkm-client ("client"): stderr, one line per event, fields
// as key=value. Never give it a private key or a password.
#ifndef PKM_CLIENT_CLIENT_LOG_H_
#define PKM_CLIENT_CLIENT_LOG_H_

#include <spdlog/spdlog.h>

namespace pkm::client {

// The "client" logger, created on first use at level info. Thread-safe.
spdlog::logger& client_log();

}  // namespace pkm::client

#endif  // PKM_CLIENT_CLIENT_LOG_H_
