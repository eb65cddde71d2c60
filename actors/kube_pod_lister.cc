#include "actors/kube_pod_lister.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/http_endpoint.h"
#include "base/bytes.h"

namespace pkm::actors {
namespace {

using nlohmann::json;

// A continue chain longer than this is taken as a misbehaving server.
constexpr int kMaxPages = 1000;
// Longest piece of a server's own message quoted in an error.
constexpr size_t kMaxQuotedMessage = 300;

Error data_loss(std::string message) {
  return Error{ErrorCode::kDataLoss, std::move(message)};
}

Error failed_precondition(std::string message) {
  return Error{ErrorCode::kFailedPrecondition, std::move(message)};
}

std::string trim(std::string text) {
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// Reads a whole file; nothing when it cannot be opened.
bool read_file(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  *contents = buffer.str();
  return true;
}

// DNS-1123 label: what Kubernetes allows as a namespace name.
bool is_dns1123_label(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-';
    if (!allowed) return false;
  }
  return name.front() != '-' && name.back() != '-';
}

std::string quote_message(const std::string& message) {
  if (message.size() <= kMaxQuotedMessage) return message;
  return message.substr(0, kMaxQuotedMessage) + "...";
}

// The message of a Kubernetes Status body, or "" when there is none.
std::string status_message(const std::string& body) {
  json status = json::parse(body, nullptr, false);
  if (!status.is_object()) return "";
  auto it = status.find("message");
  if (it == status.end() || !it->is_string()) return "";
  return quote_message(it->get<std::string>());
}

// Reads an optional string member; refuses one of another type.
Result<std::string> optional_string(const json& object, const char* key,
                                    const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return data_loss(where + "." + key + " is not a string");
  }
  return it->get<std::string>();
}

// Parses one Pod object; `where` names it in errors ("items[3]").
Result<PodInfo> parse_pod(const json& pod, std::string_view namespace_name,
                          const std::string& where,
                          std::string* resource_version) {
  if (!pod.is_object()) return data_loss(where + " is not an object");
  auto metadata = pod.find("metadata");
  if (metadata == pod.end() || !metadata->is_object()) {
    return data_loss(where + " has no metadata object");
  }

  PodInfo info;
  std::string meta_where = where + ".metadata";
  auto name = optional_string(*metadata, "name", meta_where);
  if (!name.ok()) return name.error();
  if (name->empty()) return data_loss(meta_where + ".name is missing");
  info.name = *name;
  auto uid = optional_string(*metadata, "uid", meta_where);
  if (!uid.ok()) return uid.error();
  if (uid->empty()) {
    return data_loss(meta_where + ".uid is missing (pod " + info.name + ")");
  }
  info.uid = *uid;

  auto pod_namespace = optional_string(*metadata, "namespace", meta_where);
  if (!pod_namespace.ok()) return pod_namespace.error();
  if (!namespace_name.empty() && !pod_namespace->empty() &&
      *pod_namespace != namespace_name) {
    return data_loss("pod " + info.name + " is in namespace " +
                     *pod_namespace + ", not the " +
                     std::string(namespace_name) + " that was asked for");
  }

  // A deletionTimestamp of any value means graceful deletion has begun.
  auto deletion = metadata->find("deletionTimestamp");
  info.terminating = deletion != metadata->end() && !deletion->is_null();

  auto version = optional_string(*metadata, "resourceVersion", meta_where);
  if (!version.ok()) return version.error();
  if (resource_version != nullptr) *resource_version = *version;

  auto status = pod.find("status");
  if (status != pod.end() && !status->is_null()) {
    if (!status->is_object()) return data_loss(where + ".status is not an "
                                                "object");
    auto phase = optional_string(*status, "phase", where + ".status");
    if (!phase.ok()) return phase.error();
    info.phase = *phase;
  }
  return info;
}

}  // namespace

Result<KubeConfig> kube_config_in_cluster(
    const std::string& service_account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0') {
    return failed_precondition(
        "KUBERNETES_SERVICE_HOST is not set: not running in a Kubernetes "
        "pod; give the API URL and token explicitly");
  }
  if (port == nullptr || *port == '\0') {
    return failed_precondition(
        "KUBERNETES_SERVICE_PORT is not set: not running in a Kubernetes "
        "pod; give the API URL and token explicitly");
  }

  KubeConfig config;
  std::string host_text(host);
  // An IPv6 service address needs brackets in a URL.
  bool ipv6 = host_text.find(':') != std::string::npos &&
              host_text.front() != '[';
  config.api_url = "https://" + (ipv6 ? "[" + host_text + "]" : host_text) +
                   ":" + std::string(port);
  if (auto endpoint = parse_http_endpoint(config.api_url,
                                          "in-cluster API URL");
      !endpoint.ok()) {
    return failed_precondition(
        "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT do not form a "
        "URL: " + endpoint.error().message);
  }

  std::string token_path = service_account_dir + "/token";
  std::string token;
  if (!read_file(token_path, &token)) {
    return failed_precondition(
        "service account token file " + token_path +
        " cannot be read; is automountServiceAccountToken disabled?");
  }
  config.token = trim(std::move(token));
  if (config.token.empty()) {
    return failed_precondition("service account token file " + token_path +
                               " is empty");
  }
  config.token_file = token_path;

  config.ca_file = service_account_dir + "/ca.crt";
  std::string ca;
  if (!read_file(config.ca_file, &ca) || trim(ca).empty()) {
    return failed_precondition("cluster CA file " + config.ca_file +
                               " is missing or empty");
  }

  std::string namespace_path = service_account_dir + "/namespace";
  std::string namespace_name;
  if (!read_file(namespace_path, &namespace_name)) {
    return failed_precondition("namespace file " + namespace_path +
                               " cannot be read");
  }
  config.namespace_name = trim(std::move(namespace_name));
  if (config.namespace_name.empty()) {
    return failed_precondition("namespace file " + namespace_path +
                               " is empty");
  }
  return config;
}

Result<PodListing> parse_pod_list(std::string_view body,
                                  std::string_view namespace_name,
                                  std::string* continue_token) {
  json list = json::parse(body, nullptr, false);
  if (list.is_discarded()) {
    return data_loss("response is not a PodList: not JSON (" +
                     std::to_string(body.size()) + " bytes)");
  }
  if (!list.is_object()) {
    return data_loss("response is not a PodList: not a JSON object");
  }
  auto kind = list.find("kind");
  if (kind == list.end() || !kind->is_string()) {
    return data_loss("response is not a PodList: no kind");
  }
  if (*kind != "PodList") {
    std::string message = list.value("message", json()).is_string()
                              ? list["message"].get<std::string>()
                              : std::string();
    return data_loss("response is not a PodList: kind is " +
                     kind->get<std::string>() +
                     (message.empty() ? "" : " (" + quote_message(message) +
                                                 ")"));
  }
  auto items = list.find("items");
  if (items == list.end() || !items->is_array()) {
    return data_loss("response is not a PodList: items is missing or not "
                     "an array");
  }
  auto metadata = list.find("metadata");
  if (metadata == list.end() || !metadata->is_object()) {
    return data_loss("PodList has no metadata object");
  }
  auto version = optional_string(*metadata, "resourceVersion",
                                 "PodList.metadata");
  if (!version.ok()) return version.error();
  if (version->empty()) {
    return data_loss("PodList has no metadata.resourceVersion");
  }
  auto next = optional_string(*metadata, "continue", "PodList.metadata");
  if (!next.ok()) return next.error();

  PodListing listing;
  listing.resource_version = *version;
  listing.pods.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    auto pod = parse_pod((*items)[i], namespace_name,
                         "items[" + std::to_string(i) + "]", nullptr);
    if (!pod.ok()) return pod.error();
    listing.pods.push_back(std::move(*pod));
  }
  if (continue_token != nullptr) *continue_token = *next;
  return listing;
}

Result<std::vector<WatchEvent>> parse_watch_events(
    std::string_view chunked_lines) {
  std::vector<WatchEvent> events;
  size_t line_number = 0;
  while (!chunked_lines.empty()) {
    size_t end = chunked_lines.find('\n');
    std::string_view line = chunked_lines.substr(0, end);
    chunked_lines.remove_prefix(end == std::string_view::npos
                                    ? chunked_lines.size()
                                    : end + 1);
    ++line_number;
    std::string where = "watch line " + std::to_string(line_number);
    if (trim(std::string(line)).empty()) continue;

    json event = json::parse(line, nullptr, false);
    if (!event.is_object()) {
      return data_loss(where + " is not a JSON object");
    }
    auto type = event.find("type");
    auto object = event.find("object");
    if (type == event.end() || !type->is_string()) {
      return data_loss(where + " has no type");
    }
    if (object == event.end() || !object->is_object()) {
      return data_loss(where + " has no object");
    }

    WatchEvent parsed;
    const std::string& name = type->get_ref<const std::string&>();
    if (name == "ERROR") {
      parsed.type = WatchEventType::kError;
      auto code = object->find("code");
      if (code != object->end() && code->is_number_integer()) {
        parsed.error_code = code->get<int>();
      }
      auto message = optional_string(*object, "message", where + ".object");
      if (!message.ok()) return message.error();
      parsed.error_message = quote_message(*message);
    } else if (name == "BOOKMARK") {
      parsed.type = WatchEventType::kBookmark;
      auto metadata = object->find("metadata");
      if (metadata == object->end() || !metadata->is_object()) {
        return data_loss(where + ": BOOKMARK has no metadata");
      }
      auto version = optional_string(*metadata, "resourceVersion",
                                     where + ".object.metadata");
      if (!version.ok()) return version.error();
      if (version->empty()) {
        return data_loss(where + ": BOOKMARK has no resourceVersion");
      }
      parsed.resource_version = *version;
    } else {
      if (name == "ADDED") {
        parsed.type = WatchEventType::kAdded;
      } else if (name == "MODIFIED") {
        parsed.type = WatchEventType::kModified;
      } else if (name == "DELETED") {
        parsed.type = WatchEventType::kDeleted;
      } else {
        return data_loss(where + " has unknown type '" +
                         quote_message(name) +
                         "'; allowed: ADDED, MODIFIED, DELETED, BOOKMARK, "
                         "ERROR");
      }
      auto pod = parse_pod(*object, "", where + ".object",
                           &parsed.resource_version);
      if (!pod.ok()) return pod.error();
      parsed.pod = std::move(*pod);
    }
    events.push_back(std::move(parsed));
  }
  return events;
}

Result<std::unique_ptr<KubePodLister>> KubePodLister::create(
    KubeConfig config) {
  auto endpoint = parse_http_endpoint(config.api_url, "Kubernetes API URL");
  if (!endpoint.ok()) return endpoint.error();
  if (!is_dns1123_label(config.namespace_name)) {
    return invalid_argument(
        "namespace '" + config.namespace_name +
        "' is not allowed; allowed: 1-63 lower-case letters, digits and "
        "'-', starting and ending with a letter or digit");
  }
  if (config.timeout.count() <= 0) {
    return invalid_argument("Kubernetes API timeout must be positive");
  }
  if (endpoint->tls && !config.ca_file.empty()) {
    std::string ca;
    if (!read_file(config.ca_file, &ca)) {
      return invalid_argument("CA file " + config.ca_file +
                              " cannot be read");
    }
  }

  auto http = make_http_client(*endpoint, config.timeout, config.ca_file);
  std::string base_path = endpoint->base_path;
  return std::unique_ptr<KubePodLister>(new KubePodLister(
      std::move(config), std::move(base_path), std::move(http)));
}

KubePodLister::KubePodLister(KubeConfig config, std::string base_path,
                             std::unique_ptr<httplib::Client> http)
    : config_(std::move(config)),
      base_path_(std::move(base_path)),
      peer_("Kubernetes API at " + config_.api_url),
      http_(std::move(http)) {}

KubePodLister::~KubePodLister() {
  secure_wipe(config_.token.data(), config_.token.size());
}

std::string KubePodLister::redact(std::string text) const {
  const std::string& token = config_.token;
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at)) {
    text.replace(at, token.size(), "<token>");
  }
  return text;
}

Status KubePodLister::refresh_token() {
  if (config_.token_file.empty()) return Status();
  std::string token;
  if (!read_file(config_.token_file, &token)) {
    return Error{ErrorCode::kUnavailable,
                 "service account token file " + config_.token_file +
                     " cannot be read"};
  }
  token = trim(std::move(token));
  if (token.empty()) {
    return Error{ErrorCode::kUnavailable,
                 "service account token file " + config_.token_file +
                     " is empty"};
  }
  if (token != config_.token) {
    secure_wipe(config_.token.data(), config_.token.size());
    config_.token = std::move(token);
  }
  return Status();
}

Result<std::string> KubePodLister::fetch_page(
    const std::string& continue_token) {
  std::string path = base_path_ + "/api/v1/namespaces/" +
                     config_.namespace_name + "/pods";
  char separator = '?';
  if (!config_.label_selector.empty()) {
    path += separator;
    path += "labelSelector=" + percent_encode(config_.label_selector);
    separator = '&';
  }
  if (!continue_token.empty()) {
    path += separator;
    path += "continue=" + percent_encode(continue_token);
  }

  httplib::Headers headers = {{"Accept", "application/json"}};
  if (!config_.token.empty()) {
    headers.emplace("Authorization", "Bearer " + config_.token);
  }
  auto response = http_->Get(path, headers);
  if (!response) {
    return transport_error(peer_, response.error(), config_.timeout);
  }

  int status = response->status;
  if (status == 200) return std::move(response->body);
  std::string detail = redact(status_message(response->body));
  std::string suffix = detail.empty() ? "" : ": " + detail;
  std::string rbac_hint =
      "; check RBAC: the service account needs a Role (and RoleBinding) "
      "that allows list on pods in namespace " + config_.namespace_name;
  if (status == 401) {
    return Error{ErrorCode::kPermissionDenied,
                 peer_ + " refused the bearer token (HTTP 401)" + suffix +
                     "; check the service account token" + rbac_hint};
  }
  if (status == 403) {
    return Error{ErrorCode::kPermissionDenied,
                 peer_ + " forbids listing pods (HTTP 403)" + suffix +
                     rbac_hint};
  }
  // 410: a continue token expired; 429: throttled. Both pass with time.
  if (status >= 500 || status == 429 || status == 410) {
    return Error{ErrorCode::kUnavailable,
                 peer_ + " answered HTTP " + std::to_string(status) + suffix};
  }
  return invalid_argument(peer_ + " answered HTTP " + std::to_string(status) +
                          " to a pod list of namespace " +
                          config_.namespace_name + suffix);
}

Result<PodListing> KubePodLister::list() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Status refreshed = refresh_token(); !refreshed.ok()) {
    return refreshed.error();
  }

  PodListing listing;
  std::string continue_token;
  for (int page = 0; page < kMaxPages; ++page) {
    auto body = fetch_page(continue_token);
    if (!body.ok()) return body.error();

    std::string next;
    auto parsed = parse_pod_list(*body, config_.namespace_name, &next);
    if (!parsed.ok()) {
      return Error{parsed.error().code,
                   peer_ + ": " + redact(parsed.error().message)};
    }
    // Later pages belong to the snapshot of the first one.
    if (page == 0) listing.resource_version = parsed->resource_version;
    for (PodInfo& pod : parsed->pods) listing.pods.push_back(std::move(pod));
    if (next.empty()) return listing;
    continue_token = std::move(next);
  }
  return Error{ErrorCode::kUnavailable,
               peer_ + " returned more than " + std::to_string(kMaxPages) +
                   " pages of pods; giving up on this listing"};
}

}  // namespace pkm::actors
