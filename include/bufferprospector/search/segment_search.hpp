// bufferprospector/search/segment_search.hpp -- the segment-search policy: how a network is cut
// into pipeline segments and scheduled.
//
// Required members (the concept):
//   static constexpr std::string_view name;                 labels runs and reports
//   search_result search(const search_problem&) const;      the top schemes, best first
//
// Models: beam_search (Tangram's NNDataflow.schedule_search, search/beam_search.hpp).
#pragma once

#include <concepts>     // std::same_as, std::convertible_to
#include <cstdint>      // std::int64_t
#include <functional>   // std::function
#include <memory>       // std::shared_ptr
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include <bufferprospector/arch/cost_table.hpp>          // bp::cost_values
#include <bufferprospector/arch/resource.hpp>            // bp::resource
#include <bufferprospector/core/error.hpp>               // bp::no_valid_schedule
#include <bufferprospector/intra/layer_scheduler.hpp>    // bp::layer_schedule_cache
#include <bufferprospector/options.hpp>                  // bp::options
#include <bufferprospector/search/network_scheme.hpp>    // bp::network_scheme
#include <bufferprospector/workload/network.hpp>         // bp::network

namespace bp {

/// Receives progress lines (Tangram's --verbose output, without the newline): "-> <layer>" when
/// a layer's segments are searched, "  - <segment repr>" per segment.
using search_progress = std::function<void(const std::string&)>;

/// Everything a segment search needs. `cache` memoises per-layer schedules; share one across
/// runs on the same workload and hardware to reuse them (null: a fresh cache).
struct search_problem {
  const network& net;
  std::int64_t batch;
  const resource& res;
  const cost_values& costs;
  const options& opt;
  std::shared_ptr<layer_schedule_cache> cache = nullptr;
  search_progress progress = nullptr;
  /// Largest utilisation drop a segment's node split may cause (InterLayerPipeline's
  /// max_util_drop; NNDataflow keeps the default 0.05).
  double max_util_drop = 0.05;
};

/// The top schemes (best first; empty when no valid dataflow exists) and, when empty, the first
/// layer in scheduling order that no candidate segment could schedule.
struct search_result {
  std::vector<network_scheme> tops;
  std::optional<layer_id> failed_layer;
};

/// The best scheme of a search of `net`; when there is none (e.g. buffers too small for every
/// loop blocking), throws bp::no_valid_schedule naming the first layer that could not be scheduled.
inline const network_scheme& best_scheme(const search_result& r, const network& net) {
  if (!r.tops.empty()) return r.tops.front();
  std::string msg = "No valid dataflow found for network " + net.name();
  if (r.failed_layer)
    msg += ": layer " + net.name_of(*r.failed_layer) + " (" + net[*r.failed_layer].repr() + ") has no valid schedule";
  throw no_valid_schedule(msg + ".");
}

template <class S>
concept segment_search = requires(const S& s, const search_problem& p) {
  { S::name } -> std::convertible_to<std::string_view>;
  { s.search(p) } -> std::same_as<search_result>;
};

}  // namespace bp
