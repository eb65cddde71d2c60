// Renderings of an actors::AssignmentsView for GET /assignments: JSON,
// `pod=0xpubkey` text lines, and a self-contained HTML page. Part of
// gateway/; pure functions of the view, no I/O. A view holds public data
// only (public keys, pod names, transaction hashes), so nothing rendered
// here can carry a secret.
#ifndef PKM_GATEWAY_ASSIGNMENTS_FORMAT_H_
#define PKM_GATEWAY_ASSIGNMENTS_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/assignments_view.h"
#include "messages/records.pb.h"

namespace pkm::gateway {

// The lower-case name of `state` as rendered: "generated", "depositing",
// "assigned", "quarantined", "unassigned", "retired"; "unspecified" for
// anything else.
const char* key_state_name(records::KeyState state);

// The JSON document of GET /assignments?format=json:
//   {"assignments":[{"pod_name":"..","public_keys":["0x.."],
//     "keys":[{"public_key":"0x..","state":"assigned","deposit_tx":"0x..",
//              "since_unix_ms":N}],"lease_expires_unix_ms":N}],
//    "unassigned":N,"quarantined":N,"depositing":N,"retired":N,
//    "generated":N}
// "assignments", "public_keys" and the counts are those of the NATS
// pkm.assignments reply; the rest are additions. Bytes are 0x-prefixed
// lower-case hex; an empty deposit_tx is "0x", as in the NATS replies.
std::string render_assignments_json(const actors::AssignmentsView& view);

// One "pod=0xpubkey\n" line per held key, pods by name, keys in pod order.
// Pod names are DNS-1123 names (checked before they are stored), so a line
// never contains '=' in the pod part or a line break.
std::string render_assignments_text(const actors::AssignmentsView& view);

// A complete HTML page titled "pkm assignments": a summary of the counts
// and a table of pod, public key, state, deposit transaction and since
// (UTC, ISO 8601). Inline CSS only, no scripts, no external resources;
// every string from the view is HTML-escaped.
std::string render_assignments_html(const actors::AssignmentsView& view);

// Appends `text` to `out` with &, <, >, " and ' replaced by character
// references, so it is safe both as element content and inside a quoted
// attribute value.
void append_html_escaped(std::string& out, std::string_view text);

// Appends `text` as a quoted JSON string: quotes, backslashes and control
// characters escaped, other bytes as they are.
void append_json_string(std::string& out, std::string_view text);

// `unix_ms` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC); past the year 9999, the
// plain number followed by " ms".
std::string format_utc_iso8601(uint64_t unix_ms);

}  // namespace pkm::gateway

#endif  // PKM_GATEWAY_ASSIGNMENTS_FORMAT_H_
