// The pod watcher's judgement, apart from any I/O: given successive pod
// listings and the pods that hold keys, it says which pods are gone. Only
// positive evidence counts: a pod is gone when two consecutive successful
// listings lack it (or show it Succeeded or Failed). Pending, Running,
// Unknown (a partitioned node may still run it) and terminating pods are
// alive. A failed listing, or an empty one while pods hold keys, resets
// the evidence and reports nothing.
//
// Keys belong to pod names: a pod replaced under the same name (a new
// UID, as a StatefulSet does) keeps its keys, because the replacement asks
// for them under that name. Not thread-safe.
#ifndef PKM_ACTORS_POD_GONE_TRACKER_H_
#define PKM_ACTORS_POD_GONE_TRACKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/actor_types.h"
#include "actors/kube_pod_lister.h"

namespace pkm::actors {

class PodGoneTracker {
 public:
  // What one observation concluded.
  struct Verdict {
    std::vector<PodGone> gone;
    // The listing was empty while pods hold keys: nothing was judged.
    bool suspicious_empty = false;
    // Pods seen under a new UID (replaced under the same name).
    std::vector<std::string> replaced;
  };

  // Judges `listing` for the pods in `holders` (names of pods holding
  // keys). A pod reported gone is reported again only after it was seen
  // alive in between.
  Verdict observe(const PodListing& listing,
                  const std::vector<std::string>& holders);

  // A listing failed: evidence so far no longer counts as consecutive.
  void listing_failed();

 private:
  struct Seen {
    std::string uid;
    int missing_in_a_row = 0;
    bool reported = false;
  };
  std::map<std::string, Seen> seen_;
};

}  // namespace pkm::actors

#endif  // PKM_ACTORS_POD_GONE_TRACKER_H_
