// Lists the pods of one namespace and label selector from the Kubernetes
// API (GET /api/v1/namespaces/{ns}/pods), for the pod watcher. A plain
// client, not an actor: it returns errors and logs nothing. The pod watcher
// must treat every error as "no evidence" and release nothing on it.
#ifndef PKM_ACTORS_KUBE_POD_LISTER_H_
#define PKM_ACTORS_KUBE_POD_LISTER_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace httplib {
class Client;
}

namespace pkm::actors {

// Where and how to reach the Kubernetes API. `token` is a bearer token: it
// is sent only in the Authorization header and never appears in an error.
struct KubeConfig {
  std::string api_url;  // "https://10.96.0.1:443"; http:// only for tests
  std::string token;    // empty: no Authorization header
  std::string ca_file;  // PEM; empty: the system store (https only)
  std::string namespace_name;
  std::string label_selector;  // "app=validator"; empty: every pod
  std::chrono::milliseconds timeout{10000};
  // When set, the token is read again from this file before each list:
  // projected service account tokens are rotated by the kubelet.
  std::string token_file;
};

// Builds a KubeConfig for a process running in a pod: the API address from
// KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, and token, ca.crt
// and namespace from `service_account_dir`. It reads only; it connects
// nowhere. Errors (failed_precondition) name the missing variable or file;
// label_selector is left empty for the caller to set.
[[nodiscard]] Result<KubeConfig> kube_config_in_cluster(
    const std::string& service_account_dir =
        "/var/run/secrets/kubernetes.io/serviceaccount");

// One pod as the pod watcher needs it.
struct PodInfo {
  std::string name;
  std::string uid;
  // Pending, Running, Succeeded, Failed or Unknown as the API reports it;
  // empty when the pod has no status yet (treat as alive).
  std::string phase;
  bool terminating = false;  // metadata.deletionTimestamp is set
};

// A complete listing and the resourceVersion to start a watch from.
struct PodListing {
  std::vector<PodInfo> pods;
  std::string resource_version;
};

// Parses one PodList body. Strict: refuses with data_loss a body that is
// not JSON, whose kind is not PodList, that has no items array or no
// metadata.resourceVersion, or a pod without name or uid, naming what was
// wrong. A pod whose metadata.namespace differs from `namespace_name` is
// refused too (the answer is not for the namespace asked about).
// `continue_token` receives metadata.continue (empty on the last page).
[[nodiscard]] Result<PodListing> parse_pod_list(std::string_view body,
                                                std::string_view namespace_name,
                                                std::string* continue_token);

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

// One event of a watch stream (GET ...pods?watch=true).
struct WatchEvent {
  WatchEventType type = WatchEventType::kError;
  PodInfo pod;  // kAdded, kModified, kDeleted
  std::string resource_version;  // of the object; kBookmark carries only this
  // kError: the Status object's code and message (410: resourceVersion too
  // old, list again).
  int error_code = 0;
  std::string error_message;
};

// Parses a watch stream: one JSON event object per line, blank lines
// ignored. Pass only complete lines (cut at the last '\n'). Refuses with
// data_loss a line that is not an event, naming the line number.
[[nodiscard]] Result<std::vector<WatchEvent>> parse_watch_events(
    std::string_view chunked_lines);

// A client for listing pods. Thread-safe: calls are serialised on one
// keep-alive connection.
class KubePodLister {
 public:
  // Refuses with invalid_argument a bad api_url, a namespace that is not a
  // DNS-1123 label, a non-positive timeout, or an https URL whose ca_file
  // cannot be read. Connects to nothing until list().
  [[nodiscard]] static Result<std::unique_ptr<KubePodLister>> create(
      KubeConfig config);
  ~KubePodLister();
  KubePodLister(const KubePodLister&) = delete;
  KubePodLister& operator=(const KubePodLister&) = delete;

  // Lists every pod matching the selector in the namespace, following
  // continue tokens. Errors: unavailable (no answer, timeout, 5xx, 429),
  // permission_denied (401/403; check the token and RBAC), invalid_argument
  // (other 4xx), data_loss (a body that is not a PodList, as above).
  [[nodiscard]] Result<PodListing> list();

 private:
  KubePodLister(KubeConfig config, std::string base_path,
                std::unique_ptr<httplib::Client> http);

  Result<std::string> fetch_page(const std::string& continue_token);
  Status refresh_token();
  // Removes the token from text bound for an error message.
  std::string redact(std::string text) const;

  KubeConfig config_;
  std::string base_path_;
  std::string peer_;  // "Kubernetes API at <url>" for messages
  std::mutex mutex_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace pkm::actors

#endif  // PKM_ACTORS_KUBE_POD_LISTER_H_
