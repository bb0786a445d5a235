// bufferprospector/search/beam_search.hpp -- Tangram's whole-network search (NNDataflow,
// nn_dataflow/core/nn_dataflow.py; docs/bufferprospector-model.md section 2.8).
//
//   bp::search_result r = bp::tangram_search(net, batch, res, costs, opt);
//   if (r.tops.empty()) ... r.failed_layer ...
//   const bp::network_scheme& best = r.tops.front();
//
// Layers are visited in scheduling order. For every candidate segment ending at the current
// layer, the best `ntops` partial schemes ending just before the segment are extended: for each
// point of the segment's constraint space (skipping points whose hints are all >= those of a
// point that already gave a valid schedule), each layer of the segment is scheduled in (stage,
// temporal) order under its constraint, keeping `ntops` partial schemes after every layer; the
// results whose segments stay within the time-overhead bound are kept. The best `ntops` schemes
// ending at each layer are kept (a DP over end layers with a beam of ntops). Ranking: goal e by
// (cost, time), d by (time, cost), ed by cost * time; ties keep the first generated (stable).
//
// Data layouts: a layer reads the concatenated ofmap layouts of its producers (the network input
// and external inputs use one of the candidate input layouts, which start the search); inside a
// segment, layers that share a memory fetch or receive forwarded ofmaps read them from the
// forwarding stage's region instead.
//
// The buffer prospector (docs/bufferprospector-model.md 6.4) is the second template parameter,
// a buffer_allocation_policy. With no_prospecting and the default options this is Tangram's
// search, unchanged ("Tangram mode"). Otherwise the candidates are the relaxed ones
// (inter_layer_pipeline::gen_relaxed_segments, typed with held edges; see
// options.prospector.candidates), a held operand is scheduled in its producer's virtual DRAM
// layout, and every scheduled candidate goes through the segment_prospector (requirements,
// spare map, allocation, conversion, re-timing) before the time-overhead filter; candidates
// whose holds do not fit are dropped (fallback reject), and only surviving ones update the
// pruning frontier. Each resulting segment carries its prospector record. With
// options.prospector.holds = inter_segment or both, the E3 post-pass (holds across segments,
// search/cross_segment_holds.hpp) then runs on the final schemes.
//
// One transition (a candidate after the schemes ending before it) is segment_evaluator's
// evaluate(), shared with the DP segment search (search/dp_search.hpp).
#pragma once

#include <algorithm>    // std::stable_sort
#include <cstdint>      // std::int64_t
#include <memory>       // std::make_shared, std::shared_ptr
#include <numeric>      // std::iota
#include <optional>     // std::optional
#include <span>         // std::span
#include <type_traits>  // std::is_same_v
#include <string_view>  // std::string_view
#include <utility>      // std::move, std::pair
#include <vector>       // std::vector

#include <bufferprospector/config.hpp>                         // BP_ASSERT
#include <bufferprospector/core/error.hpp>                     // bp::invalid_network
#include <bufferprospector/intra/input_layout.hpp>             // bp::input_layouts
#include <bufferprospector/intra/layer_scheduler.hpp>          // bp::layer_scheduler
#include <bufferprospector/intra/loop_blocking.hpp>            // bp::loop_blocking_search
#include <bufferprospector/pipeline/inter_layer_pipeline.hpp>  // bp::inter_layer_pipeline
#include <bufferprospector/prospector/allocator.hpp>           // bp::buffer_allocation_policy
#include <bufferprospector/prospector/no_prospecting.hpp>      // bp::no_prospecting
#include <bufferprospector/prospector/relaxed_dram.hpp>        // bp::relaxed_dram
#include <bufferprospector/search/cross_segment_holds.hpp>     // detail::cross_segment_pass
#include <bufferprospector/search/network_scheme.hpp>          // bp::scheme_builder
#include <bufferprospector/search/segment_evaluator.hpp>       // detail::segment_evaluator, detail::keep_tops
#include <bufferprospector/search/segment_prospector.hpp>      // bp::segment_prospector
#include <bufferprospector/search/segment_search.hpp>          // bp::segment_search
#include <bufferprospector/workload/schedulable.hpp>          // bp::check_schedulable

namespace bp {

namespace detail {

template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
class beam_run {
 public:
  explicit beam_run(const search_problem& p) : p_(p), eval_(p) {}

  search_result run() {
    const options& opt = p_.opt;
    const auto& order = eval_.order();
    const std::vector<std::vector<pipeline_segment>> by_end = eval_.candidates_by_end();
    const std::vector<scheme_builder> input_tops = eval_.initial_schemes();

    // tops[i]: the best ntops schemes covering order[0..i].
    std::vector<std::vector<scheme_builder>> tops(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      const layer_id l = order[i];
      if (p_.progress) p_.progress("-> " + p_.net.name_of(l));
      std::vector<scheme_builder> found;
      for (const auto& seg : by_end[static_cast<std::size_t>(l)]) {
        if (p_.progress) p_.progress("  - " + seg.repr());
        const std::size_t first = eval_.position(seg.first_layer());
        for (auto& f : eval_.evaluate(seg, first == 0 ? input_tops : tops[first - 1])) found.push_back(std::move(f));
      }
      keep_tops(found, opt.goal, opt.ntops);
      tops[i] = std::move(found);
    }

    // Holds across segments (E3), a post-pass that keeps the segmentation.
    if (opt.prospector.cross_segment_holds() && !tops.back().empty()) {
      for (auto& s : tops.back()) s = cross_segment_pass(eval_, s);
      keep_tops(tops.back(), opt.goal, opt.ntops);
    }

    search_result result;
    for (const auto& s : tops.back()) {
      BP_ASSERT(s.complete());
      result.tops.emplace_back(s, p_.batch);
    }
    if (result.tops.empty())
      for (std::size_t i = 0; i < order.size(); ++i)
        if (tops[i].empty()) {
          result.failed_layer = order[i];
          break;
        }
    return result;
  }

 private:
  const search_problem& p_;
  segment_evaluator<LBS, Alloc> eval_;
};

}  // namespace detail

/// Tangram's beam search over segmentations (NNDataflow.schedule_search), with the buffer
/// prospector's allocation policy `Alloc` (no_prospecting: Tangram mode).
template <loop_blocking_search LBS = tangram_loop_blocking, buffer_allocation_policy Alloc = no_prospecting>
struct beam_search {
  static constexpr std::string_view name = "beam";

  search_result search(const search_problem& p) const;  // defined below (see explicit_instances.hpp)
};

// Out of the class body so that it is not inline: an extern template declaration
// (search/explicit_instances.hpp) then keeps a translation unit from instantiating the search.
template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
search_result beam_search<LBS, Alloc>::search(const search_problem& p) const {
  p.opt.validate();
  p.res.validate();
  if (p.net.empty()) throw invalid_network("NNDataflow: network " + p.net.name() + " has no layers.");
  check_schedulable(p.net, p.batch);  // every layer within the size limits before any work
  return detail::beam_run<LBS, Alloc>(p).run();
}

/// The beam search with a buffer-allocation policy, Tangram's loop blocking by default.
template <buffer_allocation_policy Alloc, loop_blocking_search LBS = tangram_loop_blocking>
using prospector_search = beam_search<LBS, Alloc>;

static_assert(segment_search<beam_search<>>);

/// Tangram's whole-network search with Tangram's loop-blocking dispatch.
inline search_result tangram_search(const network& net, std::int64_t batch, const resource& res,
                                    const cost_values& costs, const options& opt,
                                    std::shared_ptr<layer_schedule_cache> cache = nullptr,
                                    search_progress progress = nullptr) {
  const search_problem p{net, batch, res, costs, opt, std::move(cache), std::move(progress)};
  return beam_search<>{}.search(p);
}

}  // namespace bp

// With -DBP_EXTERN_SEARCHES the built-in combinations are compiled elsewhere, once.
#if defined(BP_EXTERN_SEARCHES)
#include <bufferprospector/search/explicit_instances.hpp>
#endif
