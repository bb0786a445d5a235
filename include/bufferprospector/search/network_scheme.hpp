// bufferprospector/search/network_scheme.hpp -- a whole-network schedule and its totals (Tangram's
// NNDataflowScheme, nn_dataflow/core/nn_dataflow_scheme.py).
//
//   const bp::network_scheme& s = result.tops.front();
//   s.total_cost(); s.total_time(); s.segment_time_list();
//   for (const auto& [id, sched] : s.schedules()) ...   // scheduling order
//
// Per-layer results are kept in scheduling order with their segment positions; the segments'
// timing is rebuilt from them (segment_timing). Totals follow Tangram:
//   total_time = sum of segment times, except that a single segment covering the whole network
//                reports its critical time (no pipeline fill/drain, DRAM time ignored) -- a
//                Tangram quirk kept when options.tangram_quirks is on;
//   total_cost = sum of layer costs minus the static (idle) cost counted twice where layers
//                overlap: sum_static * (1 - total_time / sum of layer times).
//
// During the search, partial schemes are extended one layer at a time and copied often, so the
// per-layer results are shared (scheme_builder); a network_scheme is materialised only for the
// final top schemes.
//
// The buffer prospector (search/segment_prospector.hpp) adds to this: layers whose ifmaps are held
// name their held producers (segment timing needs them), the results of the current segment may
// be replaced by converted ones (the timing is then rebuilt), and each segment may carry its
// prospector record (segment_prospect; null in Tangram mode).
#pragma once

#include <cstdint>   // std::int64_t
#include <memory>    // std::shared_ptr
#include <optional>  // std::optional
#include <span>      // std::span
#include <utility>   // std::pair, std::move
#include <vector>    // std::vector

#include <bufferprospector/config.hpp>                   // BP_ASSERT
#include <bufferprospector/core/enums.hpp>               // bp::per_level, bp::mem_level
#include <bufferprospector/core/error.hpp>               // bp::invalid_network
#include <bufferprospector/intra/data_layout.hpp>        // bp::data_layout
#include <bufferprospector/intra/input_layout.hpp>       // bp::input_layout_candidate
#include <bufferprospector/intra/layer_scheduler.hpp>    // bp::layer_schedule
#include <bufferprospector/pipeline/segment_timing.hpp>  // bp::segment_timing
#include <bufferprospector/workload/network.hpp>         // bp::network

namespace bp {

/// What the buffer prospector found and did in one segment (search/segment_prospector.hpp).
struct segment_prospect;

/// What segment timing reads from a layer's schedule.
inline layer_timing_input timing_input_of(const layer_schedule& s) {
  layer_timing_input in;
  in.top_factors = s.tvals[0];
  for (auto l : all<loop_dim>) in.top_order[l] = static_cast<std::int8_t>(s.orders[0][l]);
  in.time = s.total_time();
  in.node_time = s.total_node_time();
  in.dram_time = s.total_dram_time();
  in.num_nodes = s.num_nodes();
  return in;
}

/// The data layouts of the network input and external inputs that a scheme starts from.
struct input_layouts_choice {
  data_layout input;
  std::vector<std::pair<layer_id, data_layout>> exts;  // in ext-layer order

  input_layouts_choice(const network& net, const input_layout_candidate& c) : input(c.input) {
    const std::vector<layer_id> ids = net.ext_layers();
    BP_ASSERT(ids.size() == c.externals.size());
    for (std::size_t k = 0; k < ids.size(); ++k) exts.emplace_back(ids[k], c.externals[k]);
  }
};

/// A partial or complete schedule under construction, cheap to copy (the search copies one per
/// extension, as Tangram's NNDataflowScheme.copy()). Layer results are shared, not copied.
class scheme_builder {
 public:
  scheme_builder(const network& net, std::shared_ptr<const input_layouts_choice> inputs, bool tangram_quirks)
      : net_(&net), inputs_(std::move(inputs)), quirks_(tangram_quirks),
        by_layer_(static_cast<std::size_t>(net.size())) {}

  const network& net() const noexcept { return *net_; }
  const input_layouts_choice& inputs() const noexcept { return *inputs_; }
  const std::shared_ptr<const input_layouts_choice>& inputs_ptr() const noexcept { return inputs_; }
  std::size_t size() const noexcept { return order_.size(); }
  bool complete() const noexcept { return order_.size() == static_cast<std::size_t>(net_->size()); }
  std::int64_t last_seg_idx() const noexcept { return last_seg_idx_; }
  const std::vector<layer_id>& order() const noexcept { return order_; }

  /// The result of a scheduled layer (null if not scheduled).
  const std::shared_ptr<const layer_schedule>& result(layer_id l) const {
    return by_layer_[static_cast<std::size_t>(l)];
  }

  /// The layout of a producer's ofmaps: the input, an external input or a scheduled layer.
  const data_layout& ofmap_layout(layer_id l) const {
    if (l == network::input) return inputs_->input;
    if (network::is_external(l)) {
      for (const auto& [id, lay] : inputs_->exts)
        if (id == l) return lay;
      throw invalid_network("NNDataflowScheme: external layer " + net_->name_of(l) + " has no layout.");
    }
    const auto& r = result(l);
    if (!r) throw invalid_network("NNDataflowScheme: layer " + net_->name_of(l) + " not scheduled yet.");
    return r->ofmap_layout;
  }

  /// The concatenated ofmap layouts of `layers` (fmap_layout).
  data_layout fmap_layout(const std::vector<layer_id>& layers) const {
    if (layers.size() == 1) return ofmap_layout(layers.front());
    std::vector<data_layout> parts;
    parts.reserve(layers.size());
    for (auto l : layers) parts.push_back(ofmap_layout(l));
    return data_layout::concat(std::span<const data_layout>(parts));
  }

  /// Adds the result of the next layer (NNDataflowScheme.__setitem__).
  void add(layer_id l, std::shared_ptr<const layer_schedule> r) { add(l, std::move(r), std::span<const layer_id>{}); }

  /// The same for a layer whose ifmaps from `held_sources` are held by the buffer prospector.
  void add(layer_id l, std::shared_ptr<const layer_schedule> r, std::span<const layer_id> held_sources) {
    if (result(l)) throw invalid_network("NNDataflowScheme: layer " + net_->name_of(l) + " already exists.");
    for (auto p : net_->prevs(l))
      if (!network::is_source(p) && !result(p))
        throw invalid_network("NNDataflowScheme: layer " + net_->name_of(l) + " has its previous layer " +
                              net_->name_of(p) + " not scheduled yet.");
    const std::int64_t seg = r->seq.segment;
    if (seg == last_seg_idx_ + 1) {
      if (current_) done_.push_back(summary_of(*current_));
      current_.emplace(*net_, seg);
      ++last_seg_idx_;
      segment_start_ = {order_.size(), sum_cost_, sum_static_cost_, sum_time_};
    } else if (seg != last_seg_idx_) {
      throw invalid_network("NNDataflowScheme: segment index is invalid. segment " + std::to_string(seg) +
                            " follows " + std::to_string(last_seg_idx_) + ".");
    }
    sum_cost_ += r->total_cost();
    sum_static_cost_ += r->cost_static;
    sum_time_ += r->total_time();
    current_->add(l, {r->seq.segment, r->seq.spatial, r->seq.temporal}, timing_input_of(*r), held_sources);
    by_layer_[static_cast<std::size_t>(l)] = std::move(r);
    order_.push_back(l);
  }

  /// Replaces the results of layers of the current (last) segment, e.g. by the buffer
  /// prospector's converted ones, and rebuilds the segment's timing and the sums from them.
  void replace_in_current_segment(std::span<const std::pair<layer_id, std::shared_ptr<const layer_schedule>>> results) {
    BP_ASSERT(current_);
    for (const auto& [l, r] : results) {
      BP_ASSERT(result(l) && r && result(l)->seq == r->seq && r->seq.segment == last_seg_idx_);
      by_layer_[static_cast<std::size_t>(l)] = r;
    }
    // The sums in the order the layers were added, as add() makes them.
    sum_cost_ = segment_start_.sum_cost;
    sum_static_cost_ = segment_start_.sum_static_cost;
    sum_time_ = segment_start_.sum_time;
    segment_timing timing(*net_, last_seg_idx_);
    for (std::size_t i = segment_start_.first; i < order_.size(); ++i) {
      const layer_id l = order_[i];
      const layer_schedule& r = *result(l);
      sum_cost_ += r.total_cost();
      sum_static_cost_ += r.cost_static;
      sum_time_ += r.total_time();
      const std::vector<layer_id> held = current_->held_sources_of(l);
      timing.add(l, {r.seq.segment, r.seq.spatial, r.seq.temporal}, timing_input_of(r), held);
    }
    current_ = std::move(timing);
  }

  /// The timing of the current (last) segment; null before the first layer.
  const segment_timing* current_segment_timing() const noexcept { return current_ ? &*current_ : nullptr; }

  /// Attaches the buffer prospector's record to the current segment.
  void set_current_prospect(std::shared_ptr<const segment_prospect> p) {
    BP_ASSERT(current_);
    prospects_.resize(static_cast<std::size_t>(last_seg_idx_ + 1));
    prospects_.back() = std::move(p);
  }
  /// The prospector records by segment index (shorter than the segment count, or null entries,
  /// where none was attached).
  const std::vector<std::shared_ptr<const segment_prospect>>& prospects() const noexcept { return prospects_; }

  /// Time and DRAM time of every segment, in order.
  struct segment_summary {
    std::int64_t time = 0;
    std::int64_t dram_time = 0;
    std::int64_t critical_time = 0;
    double time_overhead = 0;
    std::int64_t node_time = 0;
  };
  std::vector<segment_summary> segments() const {
    std::vector<segment_summary> out = done_;
    if (current_) out.push_back(summary_of(*current_));
    return out;
  }
  /// Whether every segment's time overhead is within `max_ovhd`.
  bool within_time_overhead(double max_ovhd) const {
    for (const auto& s : done_)
      if (!(s.time_overhead <= max_ovhd)) return false;
    return !current_ || current_->time_overhead() <= max_ovhd;
  }

  std::int64_t total_time() const {
    if (quirks_ && last_seg_idx_ == 0 && complete()) return current_->critical_time();
    std::int64_t t = 0;
    for (const auto& s : done_) t += s.time;
    if (current_) t += current_->time();
    return t;
  }

  double total_cost() const {
    if (sum_time_ == 0) return sum_cost_;
    const double overcounted_static = sum_static_cost_ * (1 - 1. * static_cast<double>(total_time()) /
                                                                  static_cast<double>(sum_time_));
    return sum_cost_ - overcounted_static;
  }

 private:
  static segment_summary summary_of(const segment_timing& t) {
    return {t.time(), t.dram_time(), t.critical_time(), t.time_overhead(), t.node_time()};
  }

  const network* net_;
  std::shared_ptr<const input_layouts_choice> inputs_;
  bool quirks_;
  std::vector<std::shared_ptr<const layer_schedule>> by_layer_;
  std::vector<layer_id> order_;
  double sum_cost_ = 0;
  double sum_static_cost_ = 0;
  std::int64_t sum_time_ = 0;
  std::int64_t last_seg_idx_ = -1;
  std::vector<segment_summary> done_;
  std::optional<segment_timing> current_;
  struct segment_start {
    std::size_t first = 0;  // position in order_ of the current segment's first layer
    double sum_cost = 0;
    double sum_static_cost = 0;
    std::int64_t sum_time = 0;
  } segment_start_;
  std::vector<std::shared_ptr<const segment_prospect>> prospects_;
};

/// A complete whole-network schedule (the search's result).
class network_scheme {
 public:
  network_scheme(const scheme_builder& b, std::int64_t batch)
      : net_(&b.net()), batch_(batch), input_(b.inputs().input), exts_(b.inputs().exts),
        total_cost_(b.total_cost()), total_time_(b.total_time()), last_seg_idx_(b.last_seg_idx()),
        prospects_(b.prospects()) {
    for (auto l : b.order()) schedules_.emplace_back(l, *b.result(l));
    for (const auto& s : b.segments()) {
      segment_times_.push_back(s.time);
      segment_dram_times_.push_back(s.dram_time);
      segment_node_times_.push_back(s.node_time);
    }
  }

  const network& net() const noexcept { return *net_; }
  std::int64_t batch() const noexcept { return batch_; }
  const data_layout& input_layout() const noexcept { return input_; }
  /// Layouts of the external inputs, in ext-layer order (empty without external inputs).
  const std::vector<std::pair<layer_id, data_layout>>& ext_layouts() const noexcept { return exts_; }
  /// Per-layer results in scheduling order.
  const std::vector<std::pair<layer_id, layer_schedule>>& schedules() const noexcept { return schedules_; }
  std::int64_t last_seg_idx() const noexcept { return last_seg_idx_; }

  const layer_schedule& schedule_of(layer_id l) const {
    for (const auto& [id, s] : schedules_)
      if (id == l) return s;
    throw invalid_network("NNDataflowScheme: layer " + net_->name_of(l) + " is not scheduled.");
  }

  double total_cost() const noexcept { return total_cost_; }
  std::int64_t total_time() const noexcept { return total_time_; }

  double total_ops() const {
    double ops = 0;
    for (const auto& [id, s] : schedules_) ops += s.total_ops();
    return ops;
  }
  per_level<double> total_accesses() const {
    per_level<double> acc{};
    for (const auto& [id, s] : schedules_) {
      const auto a = s.total_accesses();
      for (std::size_t m = 0; m < acc.size(); ++m) acc[m] += a[m];
    }
    return acc;
  }
  double total_noc_hops() const {
    double hops = 0;
    for (const auto& [id, s] : schedules_) hops += s.total_noc_hops();
    return hops;
  }

  const std::vector<std::int64_t>& segment_time_list() const noexcept { return segment_times_; }
  /// The buffer prospector's record of each segment (empty in Tangram mode).
  const std::vector<std::shared_ptr<const segment_prospect>>& prospects() const noexcept { return prospects_; }
  const std::vector<std::int64_t>& segment_dram_time_list() const noexcept { return segment_dram_times_; }
  /// Each segment's node time (processing, pipelined; its time is max(node time, DRAM time)).
  const std::vector<std::int64_t>& segment_node_time_list() const noexcept { return segment_node_times_; }

  /// Layer active PEs per node: ops / processing time / nodes.
  double active_node_pes(layer_id l) const {
    const layer_schedule& s = schedule_of(l);
    return 1. * s.total_ops() / static_cast<double>(s.total_proc_time()) / static_cast<double>(s.num_nodes());
  }
  /// Layer DRAM bandwidth in words per cycle.
  double dram_bandwidth(layer_id l) const {
    const layer_schedule& s = schedule_of(l);
    return 1. * s.total_accesses()[mem_level::dram] / static_cast<double>(s.total_time());
  }

 private:
  const network* net_;
  std::int64_t batch_;
  data_layout input_;
  std::vector<std::pair<layer_id, data_layout>> exts_;
  std::vector<std::pair<layer_id, layer_schedule>> schedules_;
  double total_cost_;
  std::int64_t total_time_;
  std::int64_t last_seg_idx_;
  std::vector<std::int64_t> segment_times_;
  std::vector<std::int64_t> segment_dram_times_;
  std::vector<std::int64_t> segment_node_times_;
  std::vector<std::shared_ptr<const segment_prospect>> prospects_;
};

}  // namespace bp
