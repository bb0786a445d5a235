// bufferprospector/pipeline/segment_timing.hpp -- when each layer of a pipeline segment starts and
// finishes, and the segment's time (Tangram's PipelineSegmentTiming,
// nn_dataflow/core/pipeline_segment_timing.py; docs/bufferprospector-model.md section 2.7).
//
//   bp::segment_timing t(net, seg_idx);
//   t.add(layer, {seg_idx, sp, tm}, bp::layer_timing_input{...});   // in scheduling order
//   t.time(); t.critical_time(); t.time_overhead();
//
// The batch flows through the segment in B groups (B = the layers' common top-level batch
// factor, or 1 when they disagree). Per layer, times are kept multiplied by B ("_xb"): a layer
// starts (ts_xb) when its on-chip producers allow -- after the producer's first OFM group when
// the consumer reads the same grouping (fused local-region layers, or forwarding between stages
// at matching factors), otherwise after the producer is done with its first batch group -- and
// is done (td_xb) no earlier than its start plus its time, nor, in the same stage, than its
// producer's done time plus its time. Groups are issued every critical_time / B:
//   critical_time = max over stages (td_xb(last) - ts_xb(first)),
//   node_time     = max over stages (td_xb(last) + critical_time * (B - 1)) // B,
//   dram_time     = sum of the layers' DRAM times (DRAM is shared),
//   time          = max(node_time, dram_time).
// A held edge of the buffer prospector (pipeline_segment.hpp) behaves like the non-forwarded
// case whatever the factors: its consumer starts after the producer's first batch group is done
// (docs/bufferprospector-model.md 3.1); add() takes the consumer's held producers, including
// the producer of a held matmul operand (not a prev of the matmul: it waits the same way).
#pragma once

#include <algorithm>  // std::max, std::find
#include <array>      // std::array
#include <cstdint>    // std::int64_t
#include <optional>   // std::optional
#include <span>       // std::span
#include <string>     // std::to_string
#include <utility>    // std::pair
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>                       // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                   // bp::loop_dim, bp::per_loop
#include <bufferprospector/core/error.hpp>                   // bp::invalid_option
#include <bufferprospector/intra/scheduling_constraint.hpp>  // bp::loop_order
#include <bufferprospector/workload/network.hpp>             // bp::network

namespace bp {

/// What segment timing needs from one layer's schedule (Tangram's SchedulingResult fields).
struct layer_timing_input {
  per_loop<std::int64_t> top_factors{};  ///< scheme['tvals'][0]: DRAM-level blocking factors
  loop_order top_order{};                ///< scheme['orders'][0]
  std::int64_t time = 0;                 ///< total_time
  std::int64_t node_time = 0;            ///< max(proc_time, bus_time)
  std::int64_t dram_time = 0;
  std::int64_t num_nodes = 0;
};

/// Timing of one layer in its segment (Tangram's LayerTiming).
struct layer_timing {
  std::int64_t time = 0;
  std::int64_t node_time = 0;
  std::int64_t dram_time = 0;
  std::int64_t num_nodes = 0;
  std::int64_t ngrp = 1;    ///< top-level OFM group count
  std::int64_t ts_xb = 0;   ///< start, times the batch group count
  std::int64_t td_xb = 0;   ///< done with the first batch group, times the batch group count
  friend bool operator==(const layer_timing&, const layer_timing&) = default;
};

/// The position of a layer in the whole schedule: segment, spatial stage, temporal index.
using segment_position = std::array<std::int64_t, 3>;

class segment_timing {
 public:
  segment_timing(const network& net, std::int64_t seg_idx) : net_(&net), seg_idx_(seg_idx) {}

  std::int64_t seg_idx() const noexcept { return seg_idx_; }
  std::int64_t dram_time() const noexcept { return dram_time_; }
  std::int64_t node_time() const noexcept { return node_time_; }
  std::int64_t critical_time() const noexcept { return critical_time_; }
  /// Batch groups pipelined through the segment (0 before the first layer).
  std::int64_t bat_ngrp() const noexcept { return bat_ngrp_; }
  const std::vector<std::vector<layer_timing>>& timing_list() const noexcept { return timing_list_; }

  /// The timing of a layer of the segment (null if it is not in it).
  const layer_timing* timing_of(layer_id l) const {
    const auto idx = index_of(l);
    if (!idx) return nullptr;
    return &timing_list_[static_cast<std::size_t>(idx->first)][static_cast<std::size_t>(idx->second)];
  }
  /// The held producers given for `consumer` in add().
  std::vector<layer_id> held_sources_of(layer_id consumer) const {
    std::vector<layer_id> out;
    for (const auto& [p, c] : held_)
      if (c == consumer) out.push_back(p);
    return out;
  }

  /// End-to-end time of the segment.
  std::int64_t time() const noexcept { return std::max(node_time_, dram_time_); }

  /// Relative time overhead versus processing the layers one by one, each on its share of the
  /// nodes (time_overhead).
  double time_overhead() const {
    std::int64_t total_num_nodes = 0;
    for (const auto& tl : timing_list_) total_num_nodes += tl.front().num_nodes;
    double time_indv = 0;
    for (const auto& tl : timing_list_)
      for (const auto& t : tl)
        time_indv += std::max(1. * static_cast<double>(t.node_time) * static_cast<double>(t.num_nodes) /
                                  static_cast<double>(total_num_nodes),
                              static_cast<double>(t.dram_time));
    return (static_cast<double>(time()) - time_indv) / time_indv;
  }

  /// Adds the next layer (in scheduling order: a new stage, or the next layer of the stage).
  /// Throws bp::invalid_option for a position that cannot follow the previous one.
  void add(layer_id layer, const segment_position& pos, const layer_timing_input& in) {
    add(layer, pos, in, std::span<const layer_id>{});
  }

  /// The same, for a layer whose ifmaps from `held_sources` (in-segment producers in earlier
  /// stages) are held by the buffer prospector: it starts no earlier than their td_xb.
  void add(layer_id layer, const segment_position& pos, const layer_timing_input& in,
           std::span<const layer_id> held_sources) {
    if (pos[0] != seg_idx_)
      throw invalid_option("PipelineSegmentTiming: sched_seq " + str(pos) + " does not belong to segment " +
                           std::to_string(seg_idx_) + ".");
    if (pos == next_position(1)) {
      timing_list_.emplace_back();
    } else if (pos != next_position(2)) {
      throw invalid_option("PipelineSegmentTiming: sched_seq " + str(pos) + " cannot follow " +
                           (last_ ? str(*last_) : std::string("None")));
    }
    last_ = pos;
    for (const auto& [l, idx] : layer2idx_)
      if (l == layer) throw invalid_option("PipelineSegmentTiming: layer " + net_->name_of(layer) + " already in segment.");
    layer2idx_.push_back({layer, {static_cast<int>(pos[1]), static_cast<int>(pos[2])}});
    for (auto p : held_sources) held_.push_back({p, layer});

    const layer_timing t = make_layer_timing(layer, in);
    BP_ASSERT(timing_list_.back().empty() || t.num_nodes == timing_list_.back().back().num_nodes);
    timing_list_.back().push_back(t);

    critical_time_ = 0;
    for (const auto& tl : timing_list_) critical_time_ = std::max(critical_time_, tl.back().td_xb - tl.front().ts_xb);
    dram_time_ += in.dram_time;
    node_time_ = 0;
    for (const auto& tl : timing_list_)
      node_time_ = std::max(node_time_, (tl.back().td_xb + critical_time_ * (bat_ngrp_ - 1)) / bat_ngrp_);
    BP_ASSERT(node_time_ >= critical_time_);
  }

 private:
  static std::string str(const segment_position& p) {
    std::string s(1, '(');
    for (std::size_t i = 0; i < 3; ++i) {
      if (i) s += ", ";
      s += std::to_string(p[i]);
    }
    s += ')';
    return s;
  }

  segment_position next_position(std::size_t at) const {
    if (!last_) return {seg_idx_, 0, 0};
    segment_position p = *last_;
    ++p[at];
    for (std::size_t i = at + 1; i < 3; ++i) p[i] = 0;
    return p;
  }

  bool is_held(layer_id producer, layer_id consumer) const noexcept {
    for (const auto& [p, c] : held_)
      if (p == producer && c == consumer) return true;
    return false;
  }

  std::optional<std::pair<int, int>> index_of(layer_id l) const {
    for (const auto& [id, idx] : layer2idx_)
      if (id == l) return idx;
    return std::nullopt;
  }

  layer_timing make_layer_timing(layer_id layer, const layer_timing_input& in) {
    // Top-level loops from outermost to innermost (LoopBlockingScheme.ordered_loops): the
    // outermost may be BAT (batch groups), the next IFM or OFM (forwarding groups).
    std::array<loop_dim, 3> ordered{};
    std::size_t n = 0;
    for (int pos = 2; pos >= 0; --pos)
      for (auto l : all<loop_dim>)
        if (in.top_order[l] == pos && in.top_factors[l] > 1) ordered[n++] = l;
    per_loop<std::int64_t> top{{1, 1, 1}};
    std::size_t next = 0;
    if (next < n && ordered[next] == loop_dim::bat) {
      top[loop_dim::bat] = in.top_factors[loop_dim::bat];
      ++next;
    }
    if (next < n) {
      const loop_dim l = ordered[next];
      BP_ASSERT(l == loop_dim::ifm || l == loop_dim::ofm);
      top[l] = in.top_factors[l];
    }

    if (bat_ngrp_ == 0) bat_ngrp_ = top[loop_dim::bat];
    else if (bat_ngrp_ != top[loop_dim::bat]) bat_ngrp_ = 1;  // unmatched: no batch pipelining

    const std::int64_t ifm_ngrp = top[loop_dim::ifm], ofm_ngrp = top[loop_dim::ofm];
    const auto [sp, tm] = *index_of(layer);
    const bool is_conv = (*net_)[layer].is_conv_like();
    const std::int64_t time = in.time;
    std::int64_t ts_xb = 0, td_xb = 0;
    for (auto p : net_->prevs(layer)) {
      const auto pidx = index_of(p);
      if (!pidx) continue;  // off-chip source
      const layer_timing& pt = timing_list_[static_cast<std::size_t>(pidx->first)][static_cast<std::size_t>(pidx->second)];
      std::int64_t start = 0;
      if (pidx->first == sp) {
        BP_ASSERT(pidx->second == tm - 1);
        // A local-region layer with the producer's OFM grouping is fused onto it.
        start = (!is_conv && ofm_ngrp == pt.ngrp) ? pt.ts_xb + pt.time / pt.ngrp : pt.td_xb;
        td_xb = pt.td_xb + time;
      } else {
        BP_ASSERT(pidx->first < sp);
        BP_ASSERT(static_cast<std::size_t>(pidx->second) == timing_list_[static_cast<std::size_t>(pidx->first)].size() - 1);
        // Group forwarding at matching factors, else whole-fmap double buffering; a held edge
        // always waits for the whole batch group.
        const bool held = is_held(p, layer);
        start = !held && (is_conv ? ifm_ngrp : ofm_ngrp) == pt.ngrp ? pt.ts_xb + pt.time / pt.ngrp : pt.td_xb;
      }
      ts_xb = std::max(ts_xb, start);
    }
    // A held matmul operand (a held source that is not a prev) is read whole: wait for the
    // producer's batch group, as for a held ifmap edge.
    for (const auto& [p, c] : held_) {
      if (c != layer) continue;
      const auto& prevs = net_->prevs(layer);
      if (std::find(prevs.begin(), prevs.end(), p) != prevs.end()) continue;
      const auto pidx = index_of(p);
      BP_ASSERT(pidx && pidx->first < sp);
      ts_xb = std::max(ts_xb, timing_list_[static_cast<std::size_t>(pidx->first)][static_cast<std::size_t>(pidx->second)].td_xb);
    }
    td_xb = std::max(td_xb, ts_xb + time);
    return {time, in.node_time, in.dram_time, in.num_nodes, ofm_ngrp, ts_xb, td_xb};
  }

  const network* net_;
  std::int64_t seg_idx_;
  std::optional<segment_position> last_;
  std::int64_t dram_time_ = 0;
  std::int64_t node_time_ = 0;
  std::int64_t critical_time_ = 0;
  std::vector<std::pair<layer_id, std::pair<int, int>>> layer2idx_;
  std::vector<std::pair<layer_id, layer_id>> held_;  // (producer, consumer); empty in Tangram mode
  std::int64_t bat_ngrp_ = 0;
  std::vector<std::vector<layer_timing>> timing_list_;
};

}  // namespace bp
