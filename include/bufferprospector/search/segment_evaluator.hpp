// bufferprospector/search/segment_evaluator.hpp -- one transition of a segment search: a candidate
// segment scheduled after a set of partial schemes (Tangram's NNDataflow._segment_schedule_search,
// nn_dataflow/core/nn_dataflow.py; docs/bufferprospector-model.md sections 2.8 and 6.1), and the
// report of what happened to it (section 6.6). Both segment searches are written on it: the beam
// search (search/beam_search.hpp) and the DP (search/dp_search.hpp).
//
//   bp::detail::segment_evaluator<bp::tangram_loop_blocking, bp::nf_lrf> ev(problem);
//   bp::transition_report rep;
//   std::vector<bp::scheme_builder> next = ev.evaluate(seg, prefixes, &rep);
//   if (next.empty()) rep.reject_reason();   // "no_lbs", "alloc_fail", "time_ovhd", ...
//
// For every point of the segment's constraint space (skipping points whose hints are all >= those
// of a point that already gave a valid schedule), each layer of the segment is scheduled in
// (stage, temporal) order under its constraint, extending every given prefix and keeping the best
// `ntops` partial schemes after every layer. With a prospecting policy every fully scheduled
// scheme then goes through the segment_prospector (requirements, spare map, allocation,
// conversion, re-timing); schemes whose holds do not fit are dropped (fallback reject), and only
// surviving ones update the pruning frontier. Last, the time-overhead filter; the best `ntops`
// results are kept.
//
// Data layouts: a layer reads the concatenated ofmap layouts of its producers; layers that share
// a memory fetch or receive forwarded ofmaps read them from the forwarding stage's region; held
// operands are read in their producer's virtual DRAM layout (segment_prospector::ifmap_layout).
//
// Candidates. With no_prospecting and candidate_set::automatic (Tangram mode) the candidates are
// Tangram's gen_segment; with any other policy (or candidate_set::relaxed) the relaxed ones,
// typed with held edges (held_edges_through_dram for the relaxed_dram ablation).
#pragma once

#include <algorithm>    // std::find, std::stable_sort, std::min
#include <cstdint>      // std::int64_t
#include <memory>       // std::make_shared, std::shared_ptr
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <type_traits>  // std::is_same_v
#include <utility>      // std::move, std::pair
#include <vector>       // std::vector

#include <bufferprospector/config.hpp>                         // BP_ASSERT
#include <bufferprospector/intra/input_layout.hpp>             // bp::input_layouts
#include <bufferprospector/intra/layer_scheduler.hpp>          // bp::layer_scheduler
#include <bufferprospector/intra/loop_blocking.hpp>            // bp::loop_blocking_search
#include <bufferprospector/pipeline/inter_layer_pipeline.hpp>  // bp::inter_layer_pipeline
#include <bufferprospector/prospector/allocator.hpp>           // bp::buffer_allocation_policy
#include <bufferprospector/prospector/no_prospecting.hpp>      // bp::no_prospecting
#include <bufferprospector/prospector/relaxed_dram.hpp>        // bp::relaxed_dram
#include <bufferprospector/search/network_scheme.hpp>          // bp::scheme_builder
#include <bufferprospector/search/segment_prospector.hpp>      // bp::segment_prospector
#include <bufferprospector/search/segment_search.hpp>          // bp::search_problem

namespace bp {

//
// What happened to one transition
//

/// The last step a transition reached (section 6.6's reject reasons, `valid` when it produced
/// schemes).
enum class transition_outcome : std::uint8_t {
  valid,              ///< at least one scheme survived
  invalid_segment,    ///< _init_deps (R1-R4), _alloc_proc or the fully-buffered size check
  no_prefix,          ///< nothing to extend: no scheme covers the layers before the segment
  no_loop_blocking,   ///< under every constraint point some layer had no valid schedule
  allocation_failed,  ///< every fully scheduled scheme had a hold that did not fit (fallback reject)
  time_overhead,      ///< every remaining scheme exceeded layer_pipeline_time_ovhd
  over_budget,        ///< a candidate with held edges above prospector.max_constraint_points
};

/// Counts and the first culprit of one evaluated transition.
struct transition_report {
  transition_outcome outcome = transition_outcome::valid;
  segment_status status = segment_status::valid;  ///< for invalid_segment
  std::int64_t points = 0;             ///< constraint points scheduled
  std::int64_t pruned_points = 0;      ///< points skipped by the hint frontier
  std::int64_t no_lbs_points = 0;      ///< points at which some layer had no schedule
  std::int64_t scheduled = 0;          ///< fully scheduled schemes (before allocation)
  std::int64_t alloc_failed = 0;       ///< ... dropped by the allocation
  std::int64_t time_ovhd_rejected = 0; ///< ... dropped by the time-overhead filter
  std::int64_t kept = 0;               ///< schemes returned
  /// The first layer without a schedule, and its constraint there (no_loop_blocking).
  std::optional<layer_id> no_lbs_layer;
  std::optional<scheduling_constraint> no_lbs_constraint;
  /// Every layer that had no schedule at some point, with the number of such points, in the
  /// order they were first met.
  std::vector<std::pair<layer_id, std::int64_t>> no_lbs_layers;

  /// Section 6.6's short reason: "" when valid, else R1..R4, weight_edge, alloc_proc, fb_size,
  /// no_prefix, no_lbs, alloc_fail, time_ovhd or budget.
  std::string_view reject_reason() const noexcept {
    switch (outcome) {
      case transition_outcome::valid: return "";
      case transition_outcome::no_prefix: return "no_prefix";
      case transition_outcome::no_loop_blocking: return "no_lbs";
      case transition_outcome::allocation_failed: return "alloc_fail";
      case transition_outcome::time_overhead: return "time_ovhd";
      case transition_outcome::over_budget: return "budget";
      case transition_outcome::invalid_segment: break;
    }
    switch (status) {
      case segment_status::mixed_sources: return "R1";
      case segment_status::multiple_neighbor_sources: return "R2";
      case segment_status::unused_local_data: return "R3";
      case segment_status::not_a_chain: return "R4";
      case segment_status::weight_edge_inside: return "weight_edge";
      case segment_status::no_node_split: return "alloc_proc";
      case segment_status::fully_buffered_too_large: return "fb_size";
      case segment_status::valid: break;
    }
    return "?";
  }
};

namespace detail {

/// The goal's ranking key of a (cost, time) pair (Tangram's cmp_key): goal e (cost, time), d
/// (time, cost), ed (cost * time).
struct rank_key {
  double first = 0;
  double second = 0;
  friend bool operator<(const rank_key& a, const rank_key& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  }
};

inline rank_key rank_key_of(double cost, double time, opt_goal goal) noexcept {
  switch (goal) {
    case opt_goal::e: return {cost, time};
    case opt_goal::d: return {time, cost};
    case opt_goal::ed: return {cost * time, 0};
  }
  return {cost, time};
}

/// The indices of the best `ntops` of `keys`, best first; ties keep the earlier one.
inline std::vector<std::size_t> top_indices(const std::vector<rank_key>& keys, int ntops) {
  std::vector<std::size_t> idx(keys.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  idx.resize(std::min(idx.size(), static_cast<std::size_t>(ntops)));
  return idx;
}

/// The ranking keys of schemes.
inline std::vector<rank_key> rank_keys(const std::vector<scheme_builder>& schemes, opt_goal goal) {
  std::vector<rank_key> keys;
  keys.reserve(schemes.size());
  for (const auto& s : schemes) keys.push_back(rank_key_of(s.total_cost(), static_cast<double>(s.total_time()), goal));
  return keys;
}

/// Sorts schemes by the goal's key, stably, and keeps the first `ntops`.
inline void keep_tops(std::vector<scheme_builder>& schemes, opt_goal goal, int ntops) {
  const std::vector<std::size_t> best = top_indices(rank_keys(schemes, goal), ntops);
  std::vector<scheme_builder> out;
  out.reserve(best.size());
  for (const std::size_t i : best) out.push_back(std::move(schemes[i]));
  schemes = std::move(out);
}

template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
class segment_evaluator {
 public:
  /// Whether the policy holds anything (every policy but Tangram's).
  static constexpr bool policy_prospects = !std::is_same_v<Alloc, no_prospecting>;
  /// The Relaxed-DRAM ablation routes every held edge through DRAM: its segments are typed so
  /// from the start, and scheduled exactly as Tangram schedules memory edges.
  static constexpr segment_typing relaxed_typing = std::is_same_v<Alloc, relaxed_dram>
                                                       ? segment_typing::held_edges_through_dram
                                                       : segment_typing::held_edges;

  explicit segment_evaluator(const search_problem& p)
      : p_(p), ilp_(p.net, p.batch, p.res, p.max_util_drop),
        cache_(p.cache ? p.cache : std::make_shared<layer_schedule_cache>()) {
    schedulers_.reserve(static_cast<std::size_t>(p.net.size()));
    for (layer_id l = 0; l < p.net.size(); ++l) schedulers_.emplace_back(p.net[l], p.batch, p.costs, cache_);
    const auto& order = ilp_.ordered_layers();
    position_.assign(static_cast<std::size_t>(p.net.size()), 0);
    for (std::size_t i = 0; i < order.size(); ++i) position_[static_cast<std::size_t>(order[i])] = i;
    relaxed_ = p.opt.prospector.relaxed_candidates(policy_prospects);
    if (policy_prospects || relaxed_) prospector_.emplace(p.net, p.batch, p.res, p.costs, p.opt, position_);
  }

  const search_problem& problem() const noexcept { return p_; }
  const inter_layer_pipeline& pipeline() const noexcept { return ilp_; }
  /// The layers in scheduling order (ordered_layer_list).
  const std::vector<layer_id>& order() const noexcept { return ilp_.ordered_layers(); }
  /// Position of a layer in order().
  std::size_t position(layer_id l) const { return position_[static_cast<std::size_t>(l)]; }
  const std::vector<std::size_t>& positions() const noexcept { return position_; }
  /// Whether the candidates are the relaxed ones.
  bool relaxed() const noexcept { return relaxed_; }
  /// How the candidates are typed.
  segment_typing typing() const noexcept { return relaxed_ ? relaxed_typing : segment_typing::tangram; }
  const std::shared_ptr<layer_schedule_cache>& cache() const noexcept { return cache_; }
  /// The buffer prospector (none in Tangram mode).
  const std::optional<segment_prospector<Alloc>>& prospector() const noexcept { return prospector_; }

  /// The valid candidate segments grouped by their last layer, duplicates dropped, in
  /// generation order.
  std::vector<std::vector<pipeline_segment>> candidates_by_end() const {
    std::vector<std::vector<pipeline_segment>> by_end(static_cast<std::size_t>(p_.net.size()));
    for (auto& seg : relaxed_ ? ilp_.gen_relaxed_segments(p_.opt, p_.opt.prospector.keep_rule3, relaxed_typing)
                              : ilp_.gen_segments(p_.opt))
      add_unique(by_end, std::move(seg));
    return by_end;
  }

  /// Calls fn(const pipeline_segment&) for every candidate shape that is not a valid segment, in
  /// generation order. They are not kept: a long network has ~10^5 of them (logs record what
  /// they need; search/dp_search.hpp).
  template <class Fn>
  void for_each_rejected_candidate(Fn&& fn) const {
    ilp_.for_each_candidate(p_.opt, typing(), p_.opt.prospector.keep_rule3, [&](pipeline_segment&& seg) {
      if (!seg.valid()) fn(static_cast<const pipeline_segment&>(seg));
    });
  }

  /// The schemes a search starts from: one per candidate input layout, in Tangram's order.
  std::vector<scheme_builder> initial_schemes() const {
    std::vector<scheme_builder> out;
    for (const auto& cand : input_layouts(p_.net, p_.batch, p_.res.src_data_region, p_.opt))
      out.emplace_back(p_.net, std::make_shared<const input_layouts_choice>(p_.net, cand), p_.opt.tangram_quirks);
    return out;
  }

  /// Schedules `seg` after each of `prev` (schemes covering exactly the layers before it) and
  /// returns the best `ntops` results, best first; fills `report` when given.
  std::vector<scheme_builder> evaluate(const pipeline_segment& seg, const std::vector<scheme_builder>& prev,
                                       transition_report* report = nullptr) {
    transition_report local;
    transition_report& rep = report ? *report : local;
    rep = {};
    if (!seg.valid()) {
      rep.outcome = transition_outcome::invalid_segment;
      rep.status = seg.status();
      return {};
    }
    if (prev.empty()) {
      rep.outcome = transition_outcome::no_prefix;
      return {};
    }
    const std::int64_t budget = p_.opt.prospector.max_constraint_points;
    if (!seg.held_edges().empty() && seg.constraint_space_size(budget + 1) > budget) {
      rep.outcome = transition_outcome::over_budget;
      return {};
    }

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
        if (dominated) {
          ++rep.pruned_points;
          return true;
        }
      }
      return false;
    };
    const auto schedule_point = [&](const segment_constraint& c) {
      ++rep.points;
      std::vector<scheme_builder> curr;
      const std::vector<scheme_builder>* from = &prev;
      for (std::size_t sp = 0; sp < seg.size(); ++sp)
        for (std::size_t tm = 0; tm < seg[sp].size(); ++tm) {
          scheduling_constraint used{};
          curr = layer_schedule_search(seg[sp][tm], alloc[sp][tm], c.stages[sp][tm], static_cast<int>(sp),
                                       static_cast<int>(tm), fwd_region[sp][tm], held[sp][tm], *from, used);
          if (curr.empty()) {
            ++rep.no_lbs_points;
            if (!rep.no_lbs_layer) {
              rep.no_lbs_layer = seg[sp][tm];
              rep.no_lbs_constraint = used;
            }
            count_failure(rep.no_lbs_layers, seg[sp][tm]);
            return;
          }
          from = &curr;
        }
      bool any = false;
      for (auto& s : curr) {
        ++rep.scheduled;
        if (prospector_ && !prospector_->apply(seg, s)) {
          ++rep.alloc_failed;
          continue;
        }
        if (!s.within_time_overhead(max_ovhd)) {
          ++rep.time_ovhd_rejected;
          continue;
        }
        found.push_back(std::move(s));
        any = true;
      }
      if (any) frontier.push_back(c.hints);
    };
    seg.for_each_constraint(max_ovhd, schedule_point, off_frontier);
    keep_tops(found, p_.opt.goal, p_.opt.ntops);

    rep.kept = static_cast<std::int64_t>(found.size());
    if (!found.empty()) rep.outcome = transition_outcome::valid;
    else if (rep.time_ovhd_rejected > 0) rep.outcome = transition_outcome::time_overhead;
    else if (rep.alloc_failed > 0) rep.outcome = transition_outcome::allocation_failed;
    else rep.outcome = transition_outcome::no_loop_blocking;
    return found;
  }

 private:
  static void count_failure(std::vector<std::pair<layer_id, std::int64_t>>& counts, layer_id l) {
    for (auto& [id, n] : counts)
      if (id == l) {
        ++n;
        return;
      }
    counts.emplace_back(l, 1);
  }

  static void add_unique(std::vector<std::vector<pipeline_segment>>& by_end, pipeline_segment&& seg) {
    auto& bucket = by_end[static_cast<std::size_t>(seg.last_layer())];
    if (std::find(bucket.begin(), bucket.end(), seg) == bucket.end()) bucket.push_back(std::move(seg));
  }

  std::vector<scheme_builder> layer_schedule_search(layer_id l, const resource& res, const layer_constraint& lc,
                                                    int sp, int tm, const std::optional<node_region>& fwd,
                                                    std::span<const layer_id> held,
                                                    const std::vector<scheme_builder>& prevs,
                                                    scheduling_constraint& used) {
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
    used = cstr;
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
};

}  // namespace detail

}  // namespace bp
