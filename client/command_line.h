// client/: pkm-client, the program that runs in (or before) a validator
// pod. It asks pkm-server over NATS for the pod's keys, checks that every
// public key belongs to its private key, writes the keys in the layout
// validator clients load (client/key_directory.h), renews the pod's lease
// as a sidecar, and releases the keys when the pod is done. It depends on
// base/, messages/, crypto/, NATS.c, CLI11 and spdlog, and never on
// actors/, storage/ or gateway/: it talks to the server only over the wire.
//
// Command line:
//
//   pkm-client [allocate] --pod-name NAME --output-dir DIR [--keys N]
//       [--format keystore|unencrypted-json] [--kdf scrypt|pbkdf2]
//       [--password-file FILE] [common flags]
//   pkm-client release --pod-name NAME [--slashing-protection FILE]
//       [common flags]
//   pkm-client renew --pod-name NAME [--interval 30s] [common flags]
//
//   common: --nats-url URL[,URL...] (nats://127.0.0.1:4222)
//           --subject-prefix P (pkm)
//           --timeout 30s: bound on all attempts of one request
//           --request-timeout 10s: wait for one reply before asking again
//           --encoding json|protobuf (json)
//           --log-level trace|debug|info|warn|error|off (info)
//
// `release --slashing-protection FILE` takes the EIP-3076 interchange file
// the validator client exported after it stopped. It must parse strictly
// (messages/slashing_protection.h; a bad file is a usage error and nothing
// is released) and is sent in its minimal form: per key the highest slot
// and epochs, which protect the next holder as well as the full history
// and keep the request small. pkm-server checks that it names only the
// pod's keys and hands each key's part to the key's next holder, which
// finds it in DIR/slashing_protection.json.
//
// A flag left out is read from the environment as PKM_ and its name in
// upper case with '_' for '-' (--pod-name: PKM_POD_NAME), except
// --interval, which is PKM_RENEW_INTERVAL. Durations take ms, s, m or h.
// In `renew`, the attempts of one renewal stop at the smaller of --timeout
// and --interval; the next renewal starts on schedule.
//
// Exit status: 0 done; 1 pkm-server refused the request (its code and
// message are printed), sent keys that fail the checks, or the files could
// not be written; 2 the command line or a file it names is wrong; 3 NATS
// or pkm-server did not answer within --timeout. `renew` runs until
// SIGTERM or SIGINT and then exits 0; it exits 1 when the server refuses a
// renewal for good (e.g. not_found: the pod's keys are gone).
#ifndef PKM_CLIENT_COMMAND_LINE_H_
#define PKM_CLIENT_COMMAND_LINE_H_

namespace pkm::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitGaveUp = 3;

// Runs pkm-client with the arguments of main() and returns its exit
// status. Prints results on stdout and errors and logs on stderr, never a
// private key or a password. Call once per process, from the main thread:
// `renew` changes the signal mask.
int run_command_line(int argc, char** argv);

}  // namespace pkm::client

#endif  // PKM_CLIENT_COMMAND_LINE_H_
