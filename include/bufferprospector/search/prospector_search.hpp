// bufferprospector/search/prospector_search.hpp -- the segment search with a buffer-allocation
// policy chosen by name at run time (the CLI and res.csv names: none, nf_lrf, best_fit,
// producer_only, ideal, relaxed_dram), and whole-network figures of the prospector's records.
//
//   bp::search_result r = bp::search_with_policy("nf_lrf", problem);   // throws bp::unknown_name
//   bp::prospector_totals t = bp::prospector_totals_of(r.tops.front());
//
// "none" (no_prospecting) with the default options is Tangram's search exactly; every other name
// searches the relaxed candidates (options.prospector.candidates) with that allocator.
#pragma once

#include <cstdint>      // std::int64_t
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tuple>        // std::apply
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>              // bp::unknown_name
#include <bufferprospector/intra/loop_blocking.hpp>     // bp::loop_blocking_search, tangram_loop_blocking
#include <bufferprospector/prospector/policies.hpp>     // bp::builtin_buffer_policies, bp::buffer_policy_names
#include <bufferprospector/search/beam_search.hpp>      // bp::prospector_search
#include <bufferprospector/search/network_scheme.hpp>   // bp::network_scheme
#include <bufferprospector/search/segment_prospector.hpp>  // bp::segment_prospect

namespace bp {

/// Runs the beam search with the built-in policy called `policy`; throws bp::unknown_name
/// listing the valid names.
template <loop_blocking_search LBS = tangram_loop_blocking>
search_result search_with_policy(std::string_view policy, const search_problem& p) {
  std::optional<search_result> result;
  std::apply(
      [&](auto... pol) {
        (void)((decltype(pol)::name == policy
                    ? (result.emplace(beam_search<LBS, decltype(pol)>{}.search(p)), true)
                    : false) ||
               ...);
      },
      builtin_buffer_policies{});
  if (!result) {
    std::string known;
    for (const std::string_view n : buffer_policy_names) known += (known.empty() ? "" : ", ") + std::string(n);
    throw unknown_name("buffer allocation policy = " + std::string(policy) + ": must be one of " + known);
  }
  return std::move(*result);
}

/// What the prospector did over a whole scheme (zero in Tangram mode, which has no records).
struct prospector_totals {
  std::int64_t dram_words_before = 0;  ///< DRAM accesses of the segments as scheduled
  std::int64_t dram_words_saved = 0;   ///< ... minus after conversion
  std::int64_t held_edges = 0;         ///< holds placed on chip (inside segments and across: E1 + E3)
  std::int64_t held_words = 0;         ///< their requirements R_e
  std::int64_t via_dram_edges = 0;     ///< holds routed through DRAM
  std::int64_t relaxed_segments = 0;   ///< segments with at least one hold inside them (E1)
  double utilization_before = 0;       ///< segment-time-weighted buffer utilization (section 4)
  double utilization_after = 0;
};

inline prospector_totals prospector_totals_of(const network_scheme& s) {
  prospector_totals t;
  std::vector<segment_utilization> before, after;
  const auto& times = s.segment_time_list();
  for (std::size_t k = 0; k < s.prospects().size(); ++k) {
    const auto& p = s.prospects()[k];
    if (!p) continue;
    t.dram_words_before += p->dram_words_before;
    t.dram_words_saved += p->dram_words_saved();
    for (const held_edge_record& h : p->holds)
      if (h.requirement.kind == hold_kind::intra_segment) {
        ++t.relaxed_segments;
        break;
      }
    for (const held_edge_record& h : p->holds) {
      if (h.allocation.outcome == edge_outcome::placed) {
        ++t.held_edges;
        t.held_words += h.requirement.words;
      } else if (h.allocation.outcome == edge_outcome::via_dram) {
        ++t.via_dram_edges;
      }
    }
    const std::int64_t time = k < times.size() ? times[k] : 0;
    before.push_back({p->map.utilization_before(), time});
    after.push_back({p->map.utilization_after(), time});
  }
  t.utilization_before = network_utilization(before);
  t.utilization_after = network_utilization(after);
  return t;
}

}  // namespace bp
