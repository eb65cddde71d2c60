// pkm-server's logs: one line per event on stderr, UTC timestamps, either
// text ("2026-12-04T18:00:00.123Z info allocator: keys assigned pod=...")
// or one JSON object per line for log collectors. protobuf's own log
// output is routed here at debug level.
#ifndef PKM_SERVER_LOG_FORMAT_H_
#define PKM_SERVER_LOG_FORMAT_H_

#include <string>

#include "server/server_options.h"

namespace pkm::server {

// Sets the default logger (and so every component logger made after it).
// `level` is one parse_command_line accepted.
void configure_logging(const std::string& level, LogFormat format);

// The JSON string body (no quotes) for `text`.
std::string json_escape(const std::string& text);

}  // namespace pkm::server

#endif  // PKM_SERVER_LOG_FORMAT_H_
