// A local stand-in for a beacon node, because a real one cannot run in
// these tests. It is a small HTTP server on 127.0.0.1 (a free port) that
// answers POST and GET /eth/v1/beacon/states/{state_id}/validators in the
// documented JSON shape from a settable map of validators, leaving out
// keys it does not know as a real node does. It can fail with a status,
// refuse the POST form, and records the size of every batch it was asked.
#ifndef PKM_TESTS_ACTORS_FAKE_BEACON_API_H_
#define PKM_TESTS_ACTORS_FAKE_BEACON_API_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace pkm::testing {

// What the fake knows of one validator.
struct FakeValidator {
  std::string status = "active_ongoing";
  bool slashed = false;
  uint64_t index = 0;
};

// One request the fake answered (or refused).
struct FakeBeaconRequest {
  std::string method;  // "POST" or "GET"
  size_t ids = 0;      // how many ids it carried
};

// Runs the server on its own thread from construction to destruction.
// All methods are thread-safe.
class FakeBeaconApi {
 public:
  FakeBeaconApi();
  ~FakeBeaconApi();
  FakeBeaconApi(const FakeBeaconApi&) = delete;
  FakeBeaconApi& operator=(const FakeBeaconApi&) = delete;

  // "http://127.0.0.1:<port>"
  std::string url() const;

  // Makes the node know `pubkey` (48 bytes, binary).
  void set_validator(const std::string& pubkey, FakeValidator validator);
  // Answers every request with `status`; 0 stops it.
  void fail_with(int status);
  // Answers POST with `status` (405: the node lacks the POST form).
  void refuse_post(int status = 405);

  std::vector<FakeBeaconRequest> requests() const;

 private:
  void serve(const httplib::Request& request, httplib::Response& response);

  mutable std::mutex mutex_;
  std::map<std::string, FakeValidator> validators_;  // by 0x hex pubkey
  int fail_status_ = 0;
  int post_status_ = 0;
  std::vector<FakeBeaconRequest> requests_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_ACTORS_FAKE_BEACON_API_H_
