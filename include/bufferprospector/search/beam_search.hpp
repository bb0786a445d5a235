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
// pruning frontier. Each resulting segment carries its prospector record.
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
#include <bufferprospector/search/network_scheme.hpp>          // bp::scheme_builder
#include <bufferprospector/search/segment_prospector.hpp>      // bp::segment_prospector
#include <bufferprospector/search/segment_search.hpp>          // bp::segment_search
#include <bufferprospector/workload/schedulable.hpp>          // bp::check_schedulable

namespace bp {

namespace detail {

/// Sorts schemes by the goal's key, stably, and keeps the first `ntops`.
inline void keep_tops(std::vector<scheme_builder>& schemes, opt_goal goal, int ntops) {
  struct keyed {
    double first;
    double second;
    std::size_t index;
  };
  std::vector<keyed> keys;
  keys.reserve(schemes.size());
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    const double cost = schemes[i].total_cost();
    const auto time = static_cast<double>(schemes[i].total_time());
    switch (goal) {
      case opt_goal::e: keys.push_back({cost, time, i}); break;
      case opt_goal::d: keys.push_back({time, cost, i}); break;
      case opt_goal::ed: keys.push_back({cost * time, 0, i}); break;
    }
  }
  std::stable_sort(keys.begin(), keys.end(), [](const keyed& a, const keyed& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  const std::size_t n = std::min(keys.size(), static_cast<std::size_t>(ntops));
  std::vector<scheme_builder> out;
  out.reserve(n);
  for (std::size_t k = 0; k < n; ++k) out.push_back(std::move(schemes[keys[k].index]));
  schemes = std::move(out);
}

template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
class beam_run {
 public:
  /// Whether the policy holds anything (every policy but Tangram's).
  static constexpr bool policy_prospects = !std::is_same_v<Alloc, no_prospecting>;
  /// The Relaxed-DRAM ablation routes every held edge through DRAM: its segments are typed so
  /// from the start, and scheduled exactly as Tangram schedules memory edges.
  static constexpr segment_typing relaxed_typing = std::is_same_v<Alloc, relaxed_dram>
                                                       ? segment_typing::held_edges_through_dram
                                                       : segment_typing::held_edges;

  explicit beam_run(const search_problem& p)
      : p_(p), ilp_(p.net, p.batch, p.res, p.max_util_drop), cache_(p.cache ? p.cache : std::make_shared<layer_schedule_cache>()) {
    schedulers_.reserve(static_cast<std::size_t>(p.net.size()));
    for (layer_id l = 0; l < p.net.size(); ++l) schedulers_.emplace_back(p.net[l], p.batch, p.costs, cache_);
    const auto& order = ilp_.ordered_layers();
    position_.assign(static_cast<std::size_t>(p.net.size()), 0);
    for (std::size_t i = 0; i < order.size(); ++i) position_[static_cast<std::size_t>(order[i])] = i;
    relaxed_ = p.opt.prospector.relaxed_candidates(policy_prospects);
    if (policy_prospects || relaxed_) prospector_.emplace(p.net, p.batch, p.res, p.costs, p.opt, position_);
  }

  search_result run() {
    const options& opt = p_.opt;
    const auto& order = ilp_.ordered_layers();

    // Candidate segments grouped by their last layer, duplicates dropped.
    std::vector<std::vector<pipeline_segment>> by_end(static_cast<std::size_t>(p_.net.size()));
    for (auto& seg : relaxed_ ? ilp_.gen_relaxed_segments(opt, opt.prospector.keep_rule3, relaxed_typing)
                              : ilp_.gen_segments(opt)) {
      auto& bucket = by_end[static_cast<std::size_t>(seg.last_layer())];
      if (std::find(bucket.begin(), bucket.end(), seg) == bucket.end()) bucket.push_back(std::move(seg));
    }

    // The initial schemes: one per input layout.
    for (const auto& cand : input_layouts(p_.net, p_.batch, p_.res.src_data_region, opt))
      input_tops_.emplace_back(p_.net, std::make_shared<const input_layouts_choice>(p_.net, cand),
                               opt.tangram_quirks);

    tops_.assign(order.size(), {});
    for (std::size_t i = 0; i < order.size(); ++i) {
      const layer_id l = order[i];
      if (p_.progress) p_.progress("-> " + p_.net.name_of(l));
      std::vector<scheme_builder> tops;
      for (const auto& seg : by_end[static_cast<std::size_t>(l)]) {
        if (p_.progress) p_.progress("  - " + seg.repr());
        auto found = segment_schedule_search(seg);
        for (auto& f : found) tops.push_back(std::move(f));
      }
      keep_tops(tops, opt.goal, opt.ntops);
      tops_[i] = std::move(tops);
    }

    search_result result;
    for (const auto& s : tops_.back()) {
      BP_ASSERT(s.complete());
      result.tops.emplace_back(s, p_.batch);
    }
    if (result.tops.empty())
      for (std::size_t i = 0; i < order.size(); ++i)
        if (tops_[i].empty()) {
          result.failed_layer = order[i];
          break;
        }
    return result;
  }

 private:
  std::vector<scheme_builder> segment_schedule_search(const pipeline_segment& seg) {
    const std::size_t first = position_[static_cast<std::size_t>(seg.first_layer())];
    const std::vector<scheme_builder>& prev = first == 0 ? input_tops_ : tops_[first - 1];
    if (prev.empty()) return {};

    const auto& alloc = seg.allocation();
    // Regions the forwarded or shared ifmaps are read from, per (stage, temporal index).
    std::vector<std::vector<std::optional<node_region>>> fwd_region(seg.size());
    for (std::size_t sp = 0; sp < seg.size(); ++sp) fwd_region[sp].resize(seg[sp].size());
    const auto region_of = [&](sched_index i) { return alloc[sz(i.sp)][sz(i.tm)].proc_region; };
    for (const auto& f : seg.ifm_fwd())
      for (std::size_t k = 1; k < f.layers.size(); ++k)
        fwd_region[sz(f.layers[k].sp)][sz(f.layers[k].tm)] = region_of(f.layers.front());
    for (const auto& f : seg.ofm_fwd())
      for (const auto& d : f.destinations) fwd_region[sz(d.sp)][sz(d.tm)] = region_of(f.source);
    // Held producers per (stage, temporal index) (buffer prospector; empty in Tangram mode).
    std::vector<std::vector<std::vector<layer_id>>> held(seg.size());
    for (std::size_t sp = 0; sp < seg.size(); ++sp) {
      held[sp].resize(seg[sp].size());
      for (std::size_t tm = 0; tm < seg[sp].size(); ++tm)
        for (const auto& h : seg.dependency({static_cast<int>(sp), static_cast<int>(tm)}).held_sources)
          held[sp][tm].push_back(seg[sz(h.sp)][sz(h.tm)]);
    }

    const double max_ovhd = p_.opt.layer_pipeline_time_ovhd;
    std::vector<std::vector<std::int64_t>> frontier;
    std::vector<scheme_builder> found;

    // Points whose hints are all >= those of a point that gave a valid schedule are pruned.
    const auto off_frontier = [&](const std::vector<std::int64_t>& hints) {
      for (const auto& fh : frontier) {
        bool dominated = true;
        for (std::size_t k = 0; k < fh.size() && dominated; ++k) dominated = hints[k] >= fh[k];
        if (dominated) return true;
      }
      return false;
    };
    const auto schedule_point = [&](const segment_constraint& c) {
      std::vector<scheme_builder> curr;
      const std::vector<scheme_builder>* from = &prev;
      for (std::size_t sp = 0; sp < seg.size(); ++sp)
        for (std::size_t tm = 0; tm < seg[sp].size(); ++tm) {
          curr = layer_schedule_search(seg[sp][tm], alloc[sp][tm], c.stages[sp][tm], static_cast<int>(sp),
                                       static_cast<int>(tm), fwd_region[sp][tm], held[sp][tm], *from);
          from = &curr;
        }
      bool any = false;
      for (auto& s : curr)
        if ((!prospector_ || prospector_->apply(seg, s)) && s.within_time_overhead(max_ovhd)) {
          found.push_back(std::move(s));
          any = true;
        }
      if (any) frontier.push_back(c.hints);
    };
    seg.for_each_constraint(max_ovhd, schedule_point, off_frontier);
    keep_tops(found, p_.opt.goal, p_.opt.ntops);
    return found;
  }

  std::vector<scheme_builder> layer_schedule_search(layer_id l, const resource& res, const layer_constraint& lc,
                                                    int sp, int tm, const std::optional<node_region>& fwd,
                                                    std::span<const layer_id> held,
                                                    const std::vector<scheme_builder>& prevs) {
    std::vector<scheme_builder> tops;
    scheduling_constraint cstr = lc.constraint;
    // Tangram's lazily updated rule is applied once, with the first previous scheme, and then
    // cleared: later previous schemes keep that topofm.
    bool pending_update = lc.topofm_from.has_value();
    for (const auto& prev : prevs) {
      data_layout ifmap_layout = held.empty() ? prev.fmap_layout(p_.net.prevs(l)) : prospector_->ifmap_layout(prev, l, held);
      if (fwd) {
        std::vector<data_layout::piece> pieces;
        for (const auto& pc : ifmap_layout.pieces())
          pieces.push_back({pc.frng, *fwd, pc.part.projection(*fwd, true)});
        ifmap_layout = data_layout(std::move(pieces));
      }
      const std::int64_t seg_idx = prev.last_seg_idx() + (sp == 0 && tm == 0 ? 1 : 0);
      if (pending_update) {
        const auto& conv = prev.result(*lc.topofm_from);
        BP_ASSERT(conv);
        cstr.topofm = conv->tvals[0][loop_dim::ofm];
        pending_update = false;
      }
      const scheduling_condition cond{res, cstr, std::move(ifmap_layout), {seg_idx, sp, tm}};
      for (auto& t : schedulers_[static_cast<std::size_t>(l)].schedule_search(cond, p_.opt)) {
        scheme_builder next = prev;
        next.add(l, std::make_shared<const layer_schedule>(std::move(t)), held);
        tops.push_back(std::move(next));
      }
    }
    keep_tops(tops, p_.opt.goal, p_.opt.ntops);
    return tops;
  }

  static std::size_t sz(int i) { return static_cast<std::size_t>(i); }

  const search_problem& p_;
  inter_layer_pipeline ilp_;
  std::shared_ptr<layer_schedule_cache> cache_;
  std::vector<layer_scheduler<LBS>> schedulers_;
  std::vector<std::size_t> position_;
  bool relaxed_ = false;
  std::optional<segment_prospector<Alloc>> prospector_;  // none in Tangram mode
  std::vector<scheme_builder> input_tops_;
  std::vector<std::vector<scheme_builder>> tops_;
};

}  // namespace detail

/// Tangram's beam search over segmentations (NNDataflow.schedule_search), with the buffer
/// prospector's allocation policy `Alloc` (no_prospecting: Tangram mode).
template <loop_blocking_search LBS = tangram_loop_blocking, buffer_allocation_policy Alloc = no_prospecting>
struct beam_search {
  static constexpr std::string_view name = "beam";

  search_result search(const search_problem& p) const {
    p.opt.validate();
    p.res.validate();
    if (p.net.empty()) throw invalid_network("NNDataflow: network " + p.net.name() + " has no layers.");
    check_schedulable(p.net, p.batch);  // every layer within the size limits before any work
    return detail::beam_run<LBS, Alloc>(p).run();
  }
};

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
