#include "actors/pod_gone_tracker.h"

#include <set>
#include <unordered_map>

namespace pkm::actors {

PodGoneTracker::Verdict PodGoneTracker::observe(
    const PodListing& listing, const std::vector<std::string>& holders) {
  Verdict verdict;
  std::set<std::string> holding(holders.begin(), holders.end());

  // Forget pods that no longer hold keys.
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = holding.count(it->first) ? std::next(it) : seen_.erase(it);
  }
  if (holding.empty()) return verdict;
  if (listing.pods.empty()) {
    verdict.suspicious_empty = true;
    listing_failed();
    return verdict;
  }

  std::unordered_map<std::string, const PodInfo*> by_name;
  for (const PodInfo& pod : listing.pods) by_name[pod.name] = &pod;

  for (const std::string& name : holding) {
    Seen& seen = seen_[name];
    auto found = by_name.find(name);
    bool finished = found != by_name.end() &&
                    (found->second->phase == "Succeeded" ||
                     found->second->phase == "Failed") &&
                    !found->second->terminating;
    if (found != by_name.end() && !finished) {
      if (!seen.uid.empty() && seen.uid != found->second->uid) {
        verdict.replaced.push_back(name);
      }
      seen.uid = found->second->uid;
      seen.missing_in_a_row = 0;
      seen.reported = false;
      continue;
    }
    seen.missing_in_a_row += 1;
    if (seen.missing_in_a_row >= 2 && !seen.reported) {
      seen.reported = true;
      verdict.gone.push_back(PodGone{
          name, finished ? "phase " + found->second->phase +
                               " in two consecutive pod listings"
                         : "absent from two consecutive pod listings"});
    }
  }
  return verdict;
}

void PodGoneTracker::listing_failed() {
  for (auto& [name, seen] : seen_) seen.missing_in_a_row = 0;
}

}  // namespace pkm::actors
