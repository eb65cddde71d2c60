#include "client/command_line.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <CLI/CLI.hpp>

#include "client/client_log.h"
#include "client/duration.h"
#include "client/key_directory.h"
#include "client/key_service_client.h"
#include "client/password.h"
#include "client/private_file.h"
#include "client/validator_key.h"
#include "messages/pod_name.h"
#include "messages/slashing_protection.h"
#include "messages/wire_codec.h"

namespace pkm::client {
namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxSlashingProtectionBytes = 64 * 1024 * 1024;

// Flags every command shares, as given.
struct CommonFlags {
  std::string nats_url = kDefaultNatsUrl;
  std::string pod_name;
  std::string subject_prefix = kDefaultSubjectPrefix;
  std::string timeout = "30s";
  std::string request_timeout = "10s";
  std::string encoding = "json";
  std::string log_level = "info";
};

struct AllocateFlags {
  uint32_t keys = 1;
  std::string output_dir;
  std::string format = "keystore";
  std::string kdf = "scrypt";
  std::string password_file;
};

// "1 key", "2 keys".
std::string count_keys(uint64_t count) {
  return std::to_string(count) + (count == 1 ? " key" : " keys");
}

void print_error(const std::string& message) {
  std::cerr << "pkm-client: error: " << message << std::endl;
}

int usage_error(const std::string& message) {
  print_error(message);
  return kExitUsage;
}

// Exit status for a failed call to pkm-server.
int failure_status(const Error& error) {
  return error.code == ErrorCode::kUnavailable ? kExitGaveUp : kExitFailed;
}

void add_common_flags(CLI::App& app, CommonFlags& flags) {
  app.add_option("--pod-name", flags.pod_name,
                 "Kubernetes pod the keys belong to (a DNS-1123 subdomain)")
      ->envname("PKM_POD_NAME")
      ->required();
  app.add_option("--nats-url", flags.nats_url,
                 "NATS server URLs, comma-separated")
      ->envname("PKM_NATS_URL")
      ->capture_default_str();
  app.add_option("--subject-prefix", flags.subject_prefix,
                 "prefix of the pkm subjects")
      ->envname("PKM_SUBJECT_PREFIX")
      ->capture_default_str();
  app.add_option("--timeout", flags.timeout,
                 "give up when NATS or pkm-server do not answer within this "
                 "(ms, s, m, h)")
      ->envname("PKM_TIMEOUT")
      ->capture_default_str();
  app.add_option("--request-timeout", flags.request_timeout,
                 "wait this long for one reply before asking again")
      ->envname("PKM_REQUEST_TIMEOUT")
      ->capture_default_str();
  app.add_option("--encoding", flags.encoding, "wire encoding")
      ->envname("PKM_ENCODING")
      ->check(CLI::IsMember({"json", "protobuf"}))
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level, "log level on stderr")
      ->envname("PKM_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
}

// Parses `argv` with `app`; returns -1 to go on, or the exit status (help
// printed, or a usage error).
int parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int status = app.exit(error);
    return status == 0 ? kExitOk : kExitUsage;
  }
  return -1;
}

// Checks the common flags and turns them into service options.
Result<ServiceOptions> service_options(const CommonFlags& flags) {
  Status pod_name = messages::validate_pod_name(flags.pod_name);
  if (!pod_name.ok()) {
    return invalid_argument("--pod-name: " + pod_name.error().message);
  }
  Status prefix = validate_subject_prefix(flags.subject_prefix);
  if (!prefix.ok()) {
    return invalid_argument("--subject-prefix: " + prefix.error().message);
  }
  auto servers = parse_server_list(flags.nats_url);
  if (!servers.ok()) {
    return invalid_argument("--nats-url: " + servers.error().message);
  }
  auto timeout = parse_duration(flags.timeout, "--timeout");
  if (!timeout.ok()) return timeout.error();
  auto request_timeout =
      parse_duration(flags.request_timeout, "--request-timeout");
  if (!request_timeout.ok()) return request_timeout.error();

  ServiceOptions options;
  options.servers = std::move(*servers);
  options.subject_prefix = flags.subject_prefix;
  options.encoding = flags.encoding == "protobuf"
                         ? messages::Encoding::kProtobuf
                         : messages::Encoding::kJson;
  options.timeout = *timeout;
  options.request_timeout = *request_timeout;
  return options;
}

void set_log_level(const std::string& level) {
  client_log().set_level(spdlog::level::from_str(level));
}

std::string format_unix_ms(uint64_t unix_ms) {
  if (unix_ms == 0) return "never (the server runs without leases)";
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

int run_allocate(int argc, char** argv) {
  CLI::App app{
      "Asks pkm-server for the keys of a pod and writes them as EIP-2335 "
      "keystores (see client/key_directory.h for the layout).",
      "pkm-client"};
  app.footer(
      "Other commands: pkm-client release --help, pkm-client renew --help");
  CommonFlags common;
  AllocateFlags flags;
  add_common_flags(app, common);
  app.add_option("--keys", flags.keys, "how many keys the pod needs in total")
      ->envname("PKM_KEYS")
      ->check(CLI::Range(uint32_t{1}, messages::kMaxKeysPerRequestCeiling))
      ->capture_default_str();
  app.add_option("--output-dir", flags.output_dir,
                 "directory to write the keys into")
      ->envname("PKM_OUTPUT_DIR")
      ->required();
  app.add_option("--format", flags.format, "output format")
      ->envname("PKM_FORMAT")
      ->check(CLI::IsMember({"keystore", "unencrypted-json"}))
      ->capture_default_str();
  app.add_option("--kdf", flags.kdf, "keystore key derivation function")
      ->envname("PKM_KDF")
      ->check(CLI::IsMember({"scrypt", "pbkdf2"}))
      ->capture_default_str();
  app.add_option("--password-file", flags.password_file,
                 "use this file's content as the password of every keystore "
                 "(default: a random password per keystore)")
      ->envname("PKM_PASSWORD_FILE");
  int parsed = parse(app, argc, argv);
  if (parsed >= 0) return parsed;
  set_log_level(common.log_level);

  auto options = service_options(common);
  if (!options.ok()) return usage_error(options.error().message);
  KeyDirectoryOptions directory_options;
  directory_options.pod_name = common.pod_name;
  directory_options.format = flags.format == "unencrypted-json"
                                 ? OutputFormat::kUnencryptedJson
                                 : OutputFormat::kKeystore;
  directory_options.kdf = flags.kdf == "pbkdf2"
                              ? crypto::keystore::Kdf::kPbkdf2
                              : crypto::keystore::Kdf::kScrypt;
  if (!flags.password_file.empty()) {
    auto password = read_password_file(flags.password_file);
    if (!password.ok()) {
      return usage_error("--password-file: " + password.error().message);
    }
    directory_options.shared_password = std::move(*password);
  }

  // Ask.
  wire::AllocateRequest request;
  request.set_pod_name(common.pod_name);
  request.set_number_of_keys(flags.keys);
  client_log().info("requesting keys pod={} keys={} subject={}.allocate",
                    common.pod_name, flags.keys, options->subject_prefix);
  KeyServiceClient service(*options);
  auto reply = service.allocate(request);
  if (!reply.ok()) {
    print_error(reply.error().message);
    return failure_status(reply.error());
  }

  // Check every key before anything touches the disk.
  auto keys = take_validator_keys(*reply, common.pod_name, flags.keys);
  if (!keys.ok()) {
    print_error(keys.error().message + "; nothing was written");
    return kExitFailed;
  }
  for (const ValidatorKey& key : *keys) {
    client_log().info("key served pod={} pubkey={} deposit_tx={}",
                      common.pod_name, key.public_key_hex(),
                      key.deposit_tx.empty() ? "none" : to_hex(key.deposit_tx));
  }

  KeyDirectory directory(flags.output_dir);
  auto summary = directory.write(*keys, directory_options);
  if (!summary.ok()) {
    print_error("writing keys to " + flags.output_dir + ": " +
                summary.error().message);
    return kExitFailed;
  }
  std::cout << "pod " << common.pod_name << ": " << count_keys(keys->size())
            << " in " << flags.output_dir << " as " << flags.format << " ("
            << summary->written << " written, " << summary->unchanged
            << " unchanged, " << summary->removed << " removed)";
  if (!summary->slashing_protection_path.empty()) {
    std::cout << "; slashing protection of "
              << count_keys(summary->with_slashing_protection) << " in "
              << summary->slashing_protection_path
              << ": import it before signing";
  }
  std::cout << std::endl;
  return kExitOk;
}

// Reads the EIP-3076 file a validator client exported and returns its
// minimal form: the latest block and attestation of each key protect the
// next holder as well as the whole history does, in a few hundred bytes
// per key instead of megabytes (see messages/slashing_protection.h).
// invalid_argument naming the file and, for bad content, the field.
Result<messages::Interchange> read_slashing_protection(
    const std::string& path) {
  auto text = read_private_file(path, kMaxSlashingProtectionBytes);
  if (!text.ok()) {
    if (text.error().code == ErrorCode::kFailedPrecondition) {
      return invalid_argument(text.error().message +
                              "; allowed: a regular file of at most " +
                              std::to_string(kMaxSlashingProtectionBytes) +
                              " bytes");
    }
    return text.error();
  }
  std::string_view json(reinterpret_cast<const char*>(text->data()),
                        text->size());
  auto document = messages::parse_interchange(json);
  if (!document.ok()) {
    return invalid_argument(path + ": " + document.error().message);
  }
  return messages::minify_interchange(*document);
}

int run_release(int argc, char** argv) {
  CLI::App app{"Gives back every key of a pod to pkm-server.",
               "pkm-client release"};
  CommonFlags common;
  std::string slashing_protection_file;
  add_common_flags(app, common);
  app.add_option("--slashing-protection", slashing_protection_file,
                 "EIP-3076 interchange file exported from the stopped "
                 "validator client; sent in minimal form and handed to the "
                 "next holder of the keys")
      ->envname("PKM_SLASHING_PROTECTION");
  int parsed = parse(app, argc, argv);
  if (parsed >= 0) return parsed;
  set_log_level(common.log_level);

  auto options = service_options(common);
  if (!options.ok()) return usage_error(options.error().message);

  wire::ReleaseRequest request;
  request.set_pod_name(common.pod_name);
  size_t protected_keys = 0;
  if (!slashing_protection_file.empty()) {
    auto document = read_slashing_protection(slashing_protection_file);
    if (!document.ok()) {
      return usage_error("--slashing-protection: " + document.error().message);
    }
    protected_keys = document->data.size();
    std::string text = messages::serialize_interchange(*document);
    client_log().info("sending slashing protection pod={} keys={} bytes={}",
                      common.pod_name, protected_keys, text.size());
    request.set_slashing_protection(std::move(text));
  }

  KeyServiceClient service(*options);
  auto reply = service.release(request);
  if (!reply.ok()) {
    print_error(reply.error().message);
    return failure_status(reply.error());
  }
  std::cout << "released " << count_keys(reply->released()) << " of pod "
            << reply->pod_name();
  if (!slashing_protection_file.empty()) {
    std::cout << " with the slashing protection of "
              << count_keys(protected_keys) << " from "
              << slashing_protection_file;
  }
  std::cout << std::endl;
  return kExitOk;
}

// Waits in its own thread for SIGTERM or SIGINT (blocked everywhere else),
// then stops the renew loop and cancels the call in flight.
class StopSignal {
 public:
  // Blocks the signals in the calling thread and in every thread it
  // creates from now on; call before any other thread starts.
  StopSignal() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }

  ~StopSignal() { finish(); }

  // Ends the waiting thread; call before the service given to start() is
  // destroyed.
  void finish() {
    if (!waiter_.joinable()) return;
    bool waiting = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
      waiting = !stopped_;
    }
    // Wake the waiter if no signal came. The signal goes to that thread
    // alone, which has it blocked and takes it in sigwait.
    if (waiting) pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
  }

  void start(KeyServiceClient& service) {
    waiter_ = std::thread([this, &service] {
      int signal_number = 0;
      sigwait(&signals_, &signal_number);
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_) return;
      stopped_ = true;
      client_log().info("stopping signal={}", strsignal(signal_number));
      service.cancel();
      wake_.notify_all();
    });
  }

  // Waits up to `delay`; true when a stop signal came.
  bool wait(milliseconds delay) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_for(lock, delay, [this] { return stopped_; });
  }

  bool stopped() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopped_;
  }

 private:
  sigset_t signals_;
  std::thread waiter_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  bool finished_ = false;
};

// Renews every `interval` until `stop` fires; the exit status.
int renew_until_stopped(const std::string& pod_name, milliseconds interval,
                        KeyServiceClient& service, StopSignal& stop) {
  client_log().info("renewing pod={} interval={}", pod_name,
                    format_duration(interval));
  wire::RenewRequest request;
  request.set_pod_name(pod_name);
  bool healthy = false;
  while (!stop.stopped()) {
    auto reply = service.renew(request);
    if (stop.stopped()) break;
    if (reply.ok()) {
      if (!healthy) {
        client_log().info("lease renewed pod={} expires={}", pod_name,
                          format_unix_ms(reply->lease_expires_unix_ms()));
      } else {
        client_log().debug("lease renewed pod={} expires={}", pod_name,
                           format_unix_ms(reply->lease_expires_unix_ms()));
      }
      healthy = true;
    } else if (reply.error().code == ErrorCode::kUnavailable) {
      client_log().warn("renewal failed pod={} problem=\"{}\"", pod_name,
                        reply.error().message);
      healthy = false;
    } else {
      print_error(reply.error().message);
      return kExitFailed;
    }
    if (stop.wait(interval)) break;
  }
  client_log().info("stopped renewing pod={}", pod_name);
  return kExitOk;
}

int run_renew(int argc, char** argv) {
  CLI::App app{
      "Renews the lease of a pod's keys until SIGTERM or SIGINT (run it "
      "as a sidecar).",
      "pkm-client renew"};
  CommonFlags common;
  std::string interval_text = "30s";
  add_common_flags(app, common);
  app.add_option("--interval", interval_text, "time between renewals")
      ->envname("PKM_RENEW_INTERVAL")
      ->capture_default_str();
  int parsed = parse(app, argc, argv);
  if (parsed >= 0) return parsed;
  set_log_level(common.log_level);

  auto options = service_options(common);
  if (!options.ok()) return usage_error(options.error().message);
  auto interval = parse_duration(interval_text, "--interval");
  if (!interval.ok()) return usage_error(interval.error().message);
  // A renewal that takes longer than the interval is late anyway.
  options->timeout = std::min(options->timeout, *interval);

  StopSignal stop;
  KeyServiceClient service(*options);
  stop.start(service);
  int status = renew_until_stopped(common.pod_name, *interval, service, stop);
  stop.finish();
  return status;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  try {
    // argv[1] names the command and takes the place of the program name.
    if (command == "release") return run_release(argc - 1, argv + 1);
    if (command == "renew") return run_renew(argc - 1, argv + 1);
    if (command == "allocate") return run_allocate(argc - 1, argv + 1);
    return run_allocate(argc, argv);
  } catch (const std::exception& error) {
    print_error(std::string("unexpected failure: ") + error.what());
    return kExitFailed;
  }
}

}  // namespace pkm::client
