// bufferprospector/pipeline/pipeline_segment.hpp -- one layer-pipeline segment: dependency typing,
// node allocation and the space of scheduling constraints (Tangram's PipelineSegment,
// nn_dataflow/core/pipeline_segment.py; docs/bufferprospector-model.md section 2.3-2.5).
//
//   bp::pipeline_segment seg({{conv1}, {pool1, conv2}}, net, batch, res);   // 2 spatial stages
//   if (seg.valid())
//     seg.for_each_constraint(opt.layer_pipeline_time_ovhd, [&](const bp::segment_constraint& c) {
//       ... schedule every layer under c.stages[sp][tm] ...
//     });
//
// A segment is a list of *spatial stages* that run concurrently on disjoint node regions; the
// layers of one stage run one after another (temporally) on the stage's region. A single layer
// is the one-stage, one-layer segment: every layer of a run without --interlayer-partition goes
// through exactly this path.
//
// Validity (a rejected segment is an outcome, see status()):
//   R1 a layer reads both from memory and from a neighbor stage;
//   R2 two layers of a stage read from neighbor stages;
//   R3 a non-last layer of a stage does not feed the next layer of the stage, or feeds a later
//      one ("local data will not be available");
//   R4 without the interlayer optimisations, anything but a chain;
//   the node split cannot keep utilisation within max_util_drop; the fully buffered fmaps of a
//   stage exceed its buffers for both choices of fbofm_init.
// A layer that does not follow these structural rules at all (a producer placed after its
// consumer, a temporal layer without its local source, ...) throws bp::invalid_network: Tangram
// asserts there, and gen_segment never produces such segments.
//
// With segment_typing::held_edges (the buffer prospector, docs/bufferprospector-model.md 3.1),
// the cross-stage edges that Tangram cannot type (R1, R2) become *held edges* instead: the
// consumer reads them as a memory source (its source region is DRAM, its operand presented in
// the producer's "virtual DRAM layout"), the producer keeps them on chip as if it had a
// neighbor destination. A neighbor edge n -> L stays Tangram's iff n is L's only in-segment
// source in another stage, L has no memory source, and no earlier layer of L's stage already
// has a neighbor source; every other cross-stage edge into L is held. Edges inside a stage are
// never held (R3 still rejects), so a segment Tangram accepts gets no held edge and the same
// typing. Only the producer's data is held: it must be the last layer of its stage.
//
// Matmul operand edges (network::weight_prevs, intra/matmul.hpp). Tangram's typing rejects a
// segment holding a matmul and the producer of its second operand (weight_edge_inside). With
// held-edge typing such an edge is a held edge (segment_held_edge::operand, model note 7.2) when
// the producer is the matmul's only weight prev, lies in an earlier stage and is the last layer
// of its stage; otherwise the segment is still rejected. It does not enter the neighbor rule
// above (the operand is not part of the ifmaps): the matmul's ifmap typing is unchanged, the
// producer lists it among its held destinations (and keeps its ofmaps on chip unless it has a
// real memory destination), and the matmul lists the producer among its held sources, so the
// timing makes it wait for the producer's whole batch group. With held_edges_through_dram the
// producer also writes its ofmaps to DRAM and the matmul reads them from there, as the
// weights-from-DRAM approximation does in Tangram mode.
//
// The constraint space is Tangram's symbolic one without SymPy: the same symbols (topbat_shr,
// topofm_<sp>_<tm|s>, topifm_<sp>), the same simplification (which decides which symbols survive)
// and the same enumeration order and pruning hints (see detail/constraint_expr.hpp).
#pragma once

#include <algorithm>    // std::max, std::sort
#include <cmath>        // std::nearbyint
#include <compare>      // operator<=>
#include <cstdint>      // std::int64_t
#include <limits>       // std::numeric_limits
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move, std::pair
#include <vector>       // std::vector

#include <bufferprospector/arch/node_region.hpp>                 // bp::node_region
#include <bufferprospector/arch/resource.hpp>                    // bp::resource
#include <bufferprospector/config.hpp>                           // BP_ASSERT
#include <bufferprospector/core/error.hpp>                       // bp::invalid_network
#include <bufferprospector/core/math.hpp>                        // bp::divisors, bp::inf
#include <bufferprospector/intra/scheduling_constraint.hpp>      // bp::scheduling_constraint
#include <bufferprospector/pipeline/detail/constraint_expr.hpp>  // detail::expr_pool, sym_bool
#include <bufferprospector/pipeline/detail/python_set_order.hpp> // detail::python_tuple_set
#include <bufferprospector/workload/network.hpp>                 // bp::network

namespace bp {

/// Position of a layer in a segment: spatial stage and temporal index within the stage.
struct sched_index {
  int sp = 0;
  int tm = 0;
  friend constexpr auto operator<=>(const sched_index&, const sched_index&) = default;
};

/// Spatial stages, each a list of temporally scheduled layers (Tangram's seg tuple).
using segment_stages = std::vector<std::vector<layer_id>>;

/// Why a segment cannot be scheduled (valid when it can).
enum class segment_status : std::uint8_t {
  valid,
  mixed_sources,              // R1
  multiple_neighbor_sources,  // R2
  unused_local_data,          // R3
  not_a_chain,                // R4 (layer_pipeline_opt off)
  weight_edge_inside,         // a matmul and its second-operand producer in one segment, not held
  no_node_split,              // _alloc_proc: utilisation drop above max_util_drop
  fully_buffered_too_large,   // fully buffered fmaps exceed the stage's buffers
};

constexpr std::string_view to_string(segment_status s) noexcept {
  switch (s) {
    case segment_status::valid: return "valid";
    case segment_status::mixed_sources: return "R1: a layer has both memory and neighbor sources";
    case segment_status::multiple_neighbor_sources: return "R2: a stage has two neighbor sources";
    case segment_status::unused_local_data: return "R3: local data not used by the next layer";
    case segment_status::not_a_chain: return "R4: basic pipelining needs a chain";
    case segment_status::weight_edge_inside: return "matmul operand produced inside the segment";
    case segment_status::no_node_split: return "no node split within max_util_drop";
    case segment_status::fully_buffered_too_large: return "fully buffered fmaps exceed the buffers";
  }
  return "?";
}

/// Where a layer's ifmaps come from and its ofmaps go (src_dict / dst_dict).
struct layer_dependency {
  bool memory_source = false;                 // (None,) in src_dict
  std::optional<sched_index> neighbor_source; // a previous stage's last layer
  bool memory_destination = false;            // None in dst_dict
  std::vector<sched_index> neighbor_destinations;
  /// Held edges (segment_typing::held_edges only): producers read as memory sources, and
  /// consumers fed from this layer's held ofmaps.
  std::vector<sched_index> held_sources;
  std::vector<sched_index> held_destinations;
};

/// How a segment types its dependencies.
enum class segment_typing : std::uint8_t {
  tangram,     ///< Tangram's _init_deps: R1 and R2 reject the segment
  held_edges,  ///< the buffer prospector's: what R1/R2 reject becomes a held edge
  /// The same held edges, typed as memory edges on both sides: the producer also writes its
  /// ofmaps to DRAM (Tangram's ofm_fwd_dict path). The Relaxed-DRAM ablation.
  held_edges_through_dram,
};

/// An in-segment edge whose data the buffer prospector holds in spare buffers (E1).
struct segment_held_edge {
  layer_id producer = 0;
  layer_id consumer = 0;
  sched_index producer_index;
  sched_index consumer_index;
  /// The consumer is a matmul reading the producer's ofmaps as its second operand (FIL), not
  /// as ifmaps.
  bool operand = false;
  friend bool operator==(const segment_held_edge&, const segment_held_edge&) = default;
};

/// Layers that read exactly the same producers from memory: the first fetches once and
/// forwards on chip (ifm_fwd_dict).
struct shared_ifmap_fetch {
  std::vector<layer_id> prevs;
  std::vector<sched_index> layers;  // layers[0] fetches
};

/// A layer that writes its ofmaps to memory and also forwards them on chip (ofm_fwd_dict).
struct ofmap_forward {
  sched_index source;
  std::vector<sched_index> destinations;
};

/// The constraint of one layer. When `topofm_from` is set, topofm is only known once that
/// (conv) layer is scheduled: it becomes its top-level OFM factor (Tangram's update_dict rule).
struct layer_constraint {
  scheduling_constraint constraint;
  std::optional<layer_id> topofm_from;
  friend bool operator==(const layer_constraint&, const layer_constraint&) = default;
};

/// One point of a segment's constraint space, with its pruning hints (top-level factors, one
/// per symbol: a later point whose hints are all >= those of a point that gave a valid schedule
/// is skipped).
struct segment_constraint {
  std::vector<std::vector<layer_constraint>> stages;
  std::vector<std::int64_t> hints;
};

/// A symbol of the constraint space and its values, ascending.
struct constraint_symbol {
  std::string name;
  std::vector<std::int64_t> values;
  friend bool operator==(const constraint_symbol&, const constraint_symbol&) = default;
};

class pipeline_segment {
 public:
  pipeline_segment(segment_stages stages, const network& net, std::int64_t batch, const resource& res,
                   double max_util_drop = 0.05, bool with_opt = true,
                   segment_typing typing = segment_typing::tangram)
      : stages_(std::move(stages)), net_(&net), batch_(batch), res_(res), max_util_drop_(max_util_drop),
        with_opt_(with_opt), typing_(typing) {
    if (stages_.empty()) throw invalid_network("PipelineSegment: seg must not be empty.");
    for (const auto& st : stages_)
      if (st.empty()) throw invalid_network("PipelineSegment: every stage of seg must hold a layer.");
    status_ = init_deps();
    if (status_ == segment_status::valid) status_ = alloc_resource();
    if (status_ == segment_status::valid) status_ = init_constraints();
    if (status_ != segment_status::valid) release_derived_data();
  }

  bool valid() const noexcept { return status_ == segment_status::valid; }
  segment_status status() const noexcept { return status_; }

  const segment_stages& stages() const noexcept { return stages_; }
  std::size_t size() const noexcept { return stages_.size(); }
  const std::vector<layer_id>& operator[](std::size_t sp) const { return stages_[sp]; }
  layer_id first_layer() const { return stages_.front().front(); }
  layer_id last_layer() const { return stages_.back().back(); }
  std::size_t num_layers() const noexcept {
    std::size_t n = 0;
    for (const auto& st : stages_) n += st.size();
    return n;
  }
  const network& net() const noexcept { return *net_; }
  std::int64_t batch() const noexcept { return batch_; }

  const layer_dependency& dependency(sched_index i) const { return deps_[sz(i.sp)][sz(i.tm)]; }
  segment_typing typing() const noexcept { return typing_; }
  /// The held edges, by consumer in scheduling order then producer in prevs order, a matmul's
  /// operand edge after its ifmap edges (empty with Tangram's typing, and whenever Tangram would
  /// accept the segment).
  const std::vector<segment_held_edge>& held_edges() const noexcept { return held_; }
  /// Position of a layer in the segment, if it is in it.
  std::optional<sched_index> index_of_layer(layer_id l) const { return index_of(l); }
  const std::vector<shared_ifmap_fetch>& ifm_fwd() const noexcept { return ifm_fwd_; }
  const std::vector<ofmap_forward>& ofm_fwd() const noexcept { return ofm_fwd_; }

  /// Per layer (stage, then temporal index): the resource it is scheduled on.
  const std::vector<std::vector<resource>>& allocation() const noexcept { return alloc_; }

  /// The symbols of the constraint space, in enumeration order (sorted by name). A segment
  /// without symbols enumerates one point with hints {1}.
  const std::vector<constraint_symbol>& symbols() const noexcept { return symbols_; }
  /// Fully buffered stages on the critical forwarding path (bounds the useful topbat values).
  std::int64_t num_sp_fbs() const noexcept { return num_sp_fbs_; }
  /// Position of topbat_shr among symbols(), if it survived simplification.
  std::optional<std::size_t> topbat_index() const noexcept { return topbat_idx_; }

  /// Calls fn(const segment_constraint&) for every constraint point in Tangram's order
  /// (gen_constraint): the product of the symbol values, topbat values below
  /// num_sp_fbs / max_time_ovhd dropped. An invalid segment has no points. Points for which
  /// skip(hints) is true are passed over without building their constraints.
  template <class Fn>
  void for_each_constraint(double max_time_ovhd, Fn&& fn) const {
    for_each_constraint(max_time_ovhd, fn, [](const std::vector<std::int64_t>&) { return false; });
  }

  /// The number of points for_each_constraint enumerates before the time-overhead filter on
  /// topbat (the product of the symbols' value counts), saturating at `cap`; 0 when invalid.
  std::int64_t constraint_space_size(std::int64_t cap) const {
    if (!valid()) return 0;
    std::int64_t n = 1;
    for (const auto& sym : symbols_) {
      const auto k = static_cast<std::int64_t>(sym.values.size());
      if (k == 0) return 0;
      if (n > cap / k) return cap;
      n *= k;
    }
    return std::min(n, cap);
  }

  template <class Fn, class Skip>
  void for_each_constraint(double max_time_ovhd, Fn&& fn, Skip&& skip) const {
    if (!valid()) return;
    std::vector<std::vector<std::int64_t>> vals;
    if (symbols_.empty()) {
      vals.push_back({1});  // the dummy symbol: one point, hints (1,)
    } else {
      for (const auto& s : symbols_) vals.push_back(s.values);
      if (topbat_idx_) {
        // time overhead >= (1 + 1 + ...) / topbat = num_sp_fbs / topbat
        const double min_topbat = 1. * static_cast<double>(num_sp_fbs_) / max_time_ovhd;
        auto& tb = vals[*topbat_idx_];
        std::vector<std::int64_t> kept;
        for (auto t : tb)
          if (static_cast<double>(t) >= min_topbat) kept.push_back(t);
        tb = std::move(kept);
      }
    }
    for (const auto& v : vals)
      if (v.empty()) return;

    segment_constraint point;
    point.stages.resize(stages_.size());
    for (std::size_t sp = 0; sp < stages_.size(); ++sp) point.stages[sp].resize(stages_[sp].size());
    std::vector<std::size_t> pos(vals.size(), 0);
    while (true) {
      point.hints.clear();
      for (std::size_t k = 0; k < vals.size(); ++k) point.hints.push_back(vals[k][pos[k]]);
      if (!skip(static_cast<const std::vector<std::int64_t>&>(point.hints))) {
        for (std::size_t sp = 0; sp < stages_.size(); ++sp)
          for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm)
            point.stages[sp][tm] = instantiate(templates_[sp][tm], point.hints);
        fn(static_cast<const segment_constraint&>(point));
      }
      // Next point of the product, last symbol fastest (itertools.product).
      std::size_t k = vals.size();
      while (k > 0) {
        --k;
        if (++pos[k] < vals[k].size()) break;
        pos[k] = 0;
        if (k == 0) return;
      }
    }
  }

  std::vector<segment_constraint> constraints(double max_time_ovhd = inf) const {
    std::vector<segment_constraint> out;
    for_each_constraint(max_time_ovhd, [&](const segment_constraint& c) { out.push_back(c); });
    return out;
  }

  /// Python's repr of the seg tuple of layer names, e.g. "(('conv1',), ('pool1', 'conv2'))".
  std::string repr() const {
    const auto tuple = [](const std::vector<std::string>& items) {
      std::string t = "(";
      for (std::size_t i = 0; i < items.size(); ++i) t += (i ? ", " : "") + items[i];
      return t + (items.size() == 1 ? ",)" : ")");
    };
    std::vector<std::string> stage_reprs;
    for (const auto& st : stages_) {
      std::vector<std::string> names;
      for (auto l : st) names.push_back(python_str_repr(net_->name_of(l)));
      stage_reprs.push_back(tuple(names));
    }
    return tuple(stage_reprs);
  }

  /// Same layers in the same stages of the same network, batch and resource (Tangram's
  /// _key_attrs).
  friend bool operator==(const pipeline_segment& a, const pipeline_segment& b) {
    return a.stages_ == b.stages_ && a.net_ == b.net_ && a.batch_ == b.batch_ && a.res_ == b.res_ &&
           a.max_util_drop_ == b.max_util_drop_ && a.with_opt_ == b.with_opt_ && a.typing_ == b.typing_;
  }

  static std::string python_str_repr(const std::string& s) {
    const bool use_double = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char q = use_double ? '"' : '\'';
    std::string out(1, q);
    for (char c : s) {
      if (c == '\\' || c == q) out += '\\';
      out += c;
    }
    return out + q;
  }

 private:
  static std::size_t sz(int i) { return static_cast<std::size_t>(i); }

  // ---------------------------------------------------------------------------------------
  // Dependencies (_init_deps)
  // ---------------------------------------------------------------------------------------

  std::optional<sched_index> index_of(layer_id l) const {
    if (network::is_source(l)) return std::nullopt;
    if (!layer2idx_.empty()) return layer2idx_[static_cast<std::size_t>(l)];
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)  // released (invalid segment): search the stages
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm)
        if (stages_[sp][tm] == l) return sched_index{static_cast<int>(sp), static_cast<int>(tm)};
    return std::nullopt;
  }

  [[noreturn]] void structure_error(const std::string& what) const {
    throw invalid_network("PipelineSegment " + repr() + ": " + what);
  }

  segment_status init_deps() {
    layer2idx_.assign(static_cast<std::size_t>(net_->size()), std::nullopt);
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
        const layer_id l = stages_[sp][tm];
        if (l < 0 || l >= net_->size()) structure_error("layer id " + std::to_string(l) + " is not in the network");
        if (layer2idx_[static_cast<std::size_t>(l)])
          structure_error("layer " + net_->name_of(l) + " appears twice");
        layer2idx_[static_cast<std::size_t>(l)] = sched_index{static_cast<int>(sp), static_cast<int>(tm)};
      }

    deps_.assign(stages_.size(), {});
    std::vector<std::pair<const std::vector<layer_id>*, layer_id>> prevs2layer;
    if (typing_ != segment_typing::tangram) decide_held_edges();

    for (std::size_t sp = 0; sp < stages_.size(); ++sp) {
      const auto& st = stages_[sp];
      deps_[sp].resize(st.size());
      std::optional<sched_index> single_nbr_src;
      for (std::size_t tm = 0; tm < st.size(); ++tm) {
        const layer_id l = st[tm];
        const sched_index me{static_cast<int>(sp), static_cast<int>(tm)};
        const std::string& name = net_->name_of(l);
        layer_dependency dep;

        // An in-segment operand edge (producer -> matmul second operand) is held, or rejected
        // (always with Tangram's typing; see the header comment).
        std::vector<sched_index> held_operands;
        for (auto w : net_->weight_prevs(l))
          if (const auto wi = index_of(w)) {
            if (!is_held(w, l, /*operand=*/true)) return segment_status::weight_edge_inside;
            held_operands.push_back(*wi);
          }

        // Sources.
        const std::vector<layer_id>& prevs = net_->prevs(l);
        std::vector<layer_id> mem_src, lcl_src, nbr_src;
        for (auto p : prevs) {
          const auto pi = index_of(p);
          if (!pi || is_held(p, l, /*operand=*/false)) {
            // A held producer is read like memory.
            mem_src.push_back(p);
            if (pi) dep.held_sources.push_back(*pi);
            continue;
          }
          if (!(*pi < me)) structure_error("layer " + name + " is scheduled before its source " + net_->name_of(p));
          (pi->sp == me.sp ? lcl_src : nbr_src).push_back(p);
        }
        if (lcl_src.empty()) {
          if (tm != 0) structure_error("layer " + name + " has no local source but is not first in its stage");
        } else if (lcl_src.size() != 1 || index_of(lcl_src[0])->tm != me.tm - 1) {
          structure_error("layer " + name + " must read only the immediately previous layer of its stage");
        }
        dep.held_sources.insert(dep.held_sources.end(), held_operands.begin(), held_operands.end());
        if (!mem_src.empty() && !nbr_src.empty()) return segment_status::mixed_sources;
        if (!mem_src.empty()) dep.memory_source = true;
        if (!nbr_src.empty()) {
          if (nbr_src.size() != 1) structure_error("layer " + name + " has more than one neighbor source");
          const sched_index pi = *index_of(nbr_src[0]);
          if (sz(pi.tm) != stages_[sz(pi.sp)].size() - 1)
            structure_error("neighbor source " + net_->name_of(nbr_src[0]) + " of " + name +
                            " is not last in its stage");
          if (single_nbr_src) return segment_status::multiple_neighbor_sources;
          single_nbr_src = pi;
          dep.neighbor_source = pi;
        }

        // Layers with the same memory-only sources share one fetch.
        if (!mem_src.empty() && lcl_src.empty()) {
          BP_ASSERT(nbr_src.empty() && tm == 0);
          auto it = std::find_if(prevs2layer.begin(), prevs2layer.end(),
                                 [&](const auto& e) { return *e.first == prevs; });
          if (it != prevs2layer.end()) {
            auto fw = std::find_if(ifm_fwd_.begin(), ifm_fwd_.end(),
                                   [&](const shared_ifmap_fetch& f) { return f.prevs == prevs; });
            if (fw == ifm_fwd_.end()) {
              ifm_fwd_.push_back({prevs, {*index_of(it->second)}});
              fw = ifm_fwd_.end() - 1;
            }
            fw->layers.push_back(me);
          } else {
            prevs2layer.emplace_back(&prevs, l);
          }
        }

        // Destinations. A network output (no consumer) goes to memory; so does data for a
        // matmul second operand outside the segment.
        std::vector<layer_id> nexts = net_->nexts(l);
        bool mem_dst = nexts.empty() && net_->weight_nexts(l).empty();
        for (auto w : net_->weight_nexts(l)) {
          const auto wi = index_of(w);
          if (!wi) {
            mem_dst = true;
            continue;
          }
          if (!is_held(l, w, /*operand=*/true)) return segment_status::weight_edge_inside;
          dep.held_destinations.push_back(*wi);
          if (typing_ == segment_typing::held_edges_through_dram) mem_dst = true;
        }
        std::vector<layer_id> lcl_dst, nbr_dst;
        for (auto n : nexts) {
          const auto ni = index_of(n);
          if (!ni) {
            mem_dst = true;
            continue;
          }
          if (is_held(l, n, /*operand=*/false)) {
            dep.held_destinations.push_back(*ni);
            if (typing_ == segment_typing::held_edges_through_dram) mem_dst = true;
            continue;
          }
          if (!(me < *ni)) structure_error("layer " + name + " is scheduled after its consumer " + net_->name_of(n));
          (ni->sp == me.sp ? lcl_dst : nbr_dst).push_back(n);
        }
        if (lcl_dst.empty()) {
          if (tm != st.size() - 1) return segment_status::unused_local_data;
        } else if (lcl_dst.size() != 1 || index_of(lcl_dst[0])->tm != me.tm + 1) {
          return segment_status::unused_local_data;
        }
        if (mem_dst && !nbr_dst.empty()) {
          BP_ASSERT(tm == st.size() - 1);
          ofmap_forward f{me, {}};
          for (auto n : nbr_dst) f.destinations.push_back(*index_of(n));
          ofm_fwd_.push_back(std::move(f));
        }
        if (mem_dst && !lcl_dst.empty()) ofm_fwd_.push_back({me, {*index_of(lcl_dst[0])}});
        dep.memory_destination = mem_dst;
        for (auto n : nbr_dst) dep.neighbor_destinations.push_back(*index_of(n));

        if (!with_opt_) {
          // Held edges are on-chip edges here: basic pipelining needs a chain of them all.
          const std::size_t held_src = dep.held_sources.size(), held_dst = dep.held_destinations.size();
          if (nbr_src.size() + lcl_src.size() + held_src > 1 || nbr_dst.size() + lcl_dst.size() + held_dst > 1 ||
              ((sp != 0 || tm != 0) && nbr_src.empty() && lcl_src.empty() && held_src == 0))
            return segment_status::not_a_chain;
        }
        deps_[sp][tm] = std::move(dep);
      }
    }
    return segment_status::valid;
  }

  // An invalid segment keeps only what says what it is and why it was rejected: its stages, its
  // status and its held edges. Searches and logs keep every candidate shape of a network, and a
  // long network has ~10^5 invalid ones, each with a per-layer index of the whole network.
  void release_derived_data() {
    std::vector<std::optional<sched_index>>().swap(layer2idx_);
    std::vector<std::vector<layer_dependency>>().swap(deps_);
    std::vector<shared_ifmap_fetch>().swap(ifm_fwd_);
    std::vector<ofmap_forward>().swap(ofm_fwd_);
    std::vector<std::vector<resource>>().swap(alloc_);
    std::vector<constraint_symbol>().swap(symbols_);
    std::vector<std::vector<layer_template>>().swap(templates_);
  }

  bool is_held(layer_id producer, layer_id consumer, bool operand) const noexcept {
    for (const auto& h : held_)
      if (h.producer == producer && h.consumer == consumer && h.operand == operand) return true;
    return false;
  }

  // The held-edge typing rule (model note 3.1), decided for the whole segment before the
  // dependencies are typed: in scheduling order, a layer keeps a single cross-stage source as a
  // neighbor edge if it has no memory source and its stage has no neighbor source yet; all its
  // other cross-stage sources are held.
  void decide_held_edges() {
    held_.clear();
    for (std::size_t sp = 0; sp < stages_.size(); ++sp) {
      bool stage_has_neighbor_source = false;
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
        const layer_id l = stages_[sp][tm];
        std::vector<layer_id> nbr;
        bool has_mem = false;
        for (auto p : net_->prevs(l)) {
          const auto pi = index_of(p);
          if (!pi) has_mem = true;
          else if (pi->sp != static_cast<int>(sp)) nbr.push_back(p);
        }
        if (nbr.size() == 1 && !has_mem && !stage_has_neighbor_source) {
          stage_has_neighbor_source = true;
        } else {
          for (auto p : nbr) {
            const sched_index pi = *index_of(p);
            if (sz(pi.tm) != stages_[sz(pi.sp)].size() - 1)
              structure_error("held edge " + net_->name_of(p) + " -> " + net_->name_of(l) +
                              ": its producer is not last in its stage");
            held_.push_back({p, l, pi, sched_index{static_cast<int>(sp), static_cast<int>(tm)}});
          }
        }
        // The matmul's operand edge, when its producer is its only weight prev, in an earlier
        // stage and last in it (else init_deps rejects the segment: weight_edge_inside).
        const auto& wprevs = net_->weight_prevs(l);
        if (wprevs.size() != 1) continue;
        const auto wi = index_of(wprevs.front());
        if (wi && wi->sp < static_cast<int>(sp) && sz(wi->tm) == stages_[sz(wi->sp)].size() - 1)
          held_.push_back({wprevs.front(), l, *wi, sched_index{static_cast<int>(sp), static_cast<int>(tm)}, true});
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Resource allocation (_alloc_resource, _alloc_proc)
  // ---------------------------------------------------------------------------------------

  /// Node counts per stage: proportional to the stage's ops, multiples of the largest common
  /// factor of the mesh height that keeps the utilisation within max_util_drop.
  std::optional<std::vector<std::int64_t>> split_nodes() const {
    const std::int64_t total_nodes = res_.proc_region.dim().size();
    std::vector<std::int64_t> ops;
    std::int64_t sum_ops = 0;
    for (const auto& st : stages_) {
      std::int64_t o = 0;
      for (auto l : st) o += (*net_)[l].total_ops();
      ops.push_back(o);
      sum_ops += o;
    }
    const std::size_t n = ops.size();
    std::vector<std::int64_t> cfs = divisors(res_.proc_region.dim().h);
    for (auto it = cfs.rbegin(); it != cfs.rend(); ++it) {
      const std::int64_t cf = *it;
      std::vector<double> raw(n);
      std::vector<std::int64_t> nodes(n);
      std::int64_t sum_nodes = 0;
      for (std::size_t i = 0; i < n; ++i) {
        raw[i] = static_cast<double>(ops[i]) * 1. / static_cast<double>(sum_ops) * static_cast<double>(total_nodes);
        // Python's round(): half to even, as nearbyint in the default rounding mode.
        nodes[i] = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::nearbyint(raw[i] / static_cast<double>(cf)))) * cf;
        sum_nodes += nodes[i];
      }
      BP_ASSERT(total_nodes % cf == 0);
      while (sum_nodes != total_nodes) {
        std::size_t idx = 0;
        for (std::size_t i = 1; i < n; ++i) {
          const double di = static_cast<double>(nodes[i]) - raw[i];
          const double dbest = static_cast<double>(nodes[idx]) - raw[idx];
          if (sum_nodes > total_nodes ? di > dbest : di < dbest) idx = i;
        }
        const std::int64_t step = sum_nodes > total_nodes ? -cf : cf;
        nodes[idx] += step;
        sum_nodes += step;
      }
      if (std::find(nodes.begin(), nodes.end(), 0) != nodes.end()) continue;
      double time = 0;
      for (std::size_t i = 0; i < n; ++i)
        time = std::max(time, static_cast<double>(ops[i]) * 1. / static_cast<double>(nodes[i]));
      const double utilization = static_cast<double>(sum_ops) / time / static_cast<double>(sum_nodes);
      BP_ASSERT(utilization < 1 + 1e-6);
      if (utilization >= 1 - max_util_drop_) return nodes;
    }
    return std::nullopt;
  }

  segment_status alloc_resource() {
    const auto nodes = split_nodes();
    if (!nodes) return segment_status::no_node_split;
    const std::vector<node_region> subregions = res_.proc_region.allocate(*nodes);
    BP_ASSERT(subregions.size() == stages_.size());
    if (subregions.size() == 1) BP_ASSERT(subregions[0] == res_.proc_region);

    // Filters may stay pinned only when the segment is the whole network and every stage has
    // at most one layer with filters.
    bool no_time_mux = static_cast<std::size_t>(net_->size()) == num_layers();
    for (const auto& st : stages_) {
      int convs = 0;
      for (auto l : st) convs += (*net_)[l].is_conv_like() ? 1 : 0;
      if (convs > 1) no_time_mux = false;
    }

    alloc_.assign(stages_.size(), {});
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
        const layer_dependency& dep = deps_[sp][tm];
        const node_region& proc = subregions[sp];
        const sched_index me{static_cast<int>(sp), static_cast<int>(tm)};
        node_region src = proc;  // all local
        if (dep.memory_source) {
          src = res_.src_data_region;
          for (const auto& f : ifm_fwd_)
            if (std::find(f.layers.begin() + 1, f.layers.end(), me) != f.layers.end()) {
              src = subregions[sz(f.layers.front().sp)];
              break;
            }
        } else if (dep.neighbor_source) {
          src = subregions[sz(dep.neighbor_source->sp)];
        }
        // With both memory and on-chip consumers, the data is stored back to memory.
        const node_region dst = dep.memory_destination ? res_.dst_data_region : proc;
        // DRAM bandwidth is not split among concurrent layers (Tangram's optimistic model).
        resource r = res_;
        r.proc_region = proc;
        r.src_data_region = src;
        r.dst_data_region = dst;
        r.no_time_mux = no_time_mux;
        alloc_[sp].push_back(r);
      }
    return segment_status::valid;
  }

  // ---------------------------------------------------------------------------------------
  // Constraints (_init_sym_cstrs, _simplify_symargs, _lazify_topofm_symargs, gen_constraint)
  // ---------------------------------------------------------------------------------------

  using expr = detail::expr_pool::expr;
  using sym_bool = detail::sym_bool;

  // One layer's constraint arguments, each possibly absent (a missing dict key).
  struct sym_args {
    std::optional<expr> topbat, topifm, topofm;
    std::optional<sym_bool> fbifm, fbofm;
    std::optional<layer_id> topofm_from;
  };

  struct sym_info {
    std::string name;
    std::vector<std::int64_t> values;  // fbofm_init: 0 = False, 1 = True
    bool alive = true;                 // still in Tangram's symvals dict
  };

  // The symbol of fbofm_init has this id; topbat_shr is 0.
  static constexpr int fbofm_init_sym = 1;

  struct builder {
    detail::expr_pool pool;
    std::vector<sym_info> syms;
    std::vector<std::vector<sym_args>> args;

    int add_symbol(const std::string& name, std::vector<std::int64_t> values) {
      for (std::size_t s = 0; s < syms.size(); ++s)
        if (syms[s].name == name) {  // symbols('x') twice is the same symbol
          syms[s].values = std::move(values);
          syms[s].alive = true;
          return static_cast<int>(s);
        }
      syms.push_back({name, std::move(values), true});
      return static_cast<int>(syms.size() - 1);
    }

    template <class Fn>
    void for_each_arg(Fn&& fn) {
      for (auto& st : args)
        for (auto& a : st) fn(a);
    }

    // Symbols occurring in one argument value (SymPy's free_symbols of that value).
    std::vector<int> free_symbols(const sym_args& a) const {
      std::vector<int> all_syms;
      for (const auto* e : {&a.topbat, &a.topifm, &a.topofm}) {
        if (!*e) continue;
        std::vector<int> fs;
        pool.free_symbols(**e, fbofm_init_sym, fs);
        all_syms.insert(all_syms.end(), fs.begin(), fs.end());
      }
      for (const auto* b : {&a.fbifm, &a.fbofm})
        if (*b && !(*b)->is_const) all_syms.push_back(fbofm_init_sym);
      return all_syms;  // one entry per (value, symbol): what Counter counts
    }

    // Substitutes symbols (value_of) and fbofm_init (when has_bool) in every argument.
    template <class ValueOf>
    void substitute(ValueOf&& value_of, bool has_bool, bool bool_value) {
      for_each_arg([&](sym_args& a) {
        for (auto* e : {&a.topbat, &a.topifm, &a.topofm})
          if (*e) *e = pool.subs(**e, value_of, has_bool, bool_value);
        for (auto* b : {&a.fbifm, &a.fbofm})
          if (*b && has_bool) *b = (*b)->subs(bool_value);
      });
    }

    // One pass of _simplify_symargs_one_pass; returns whether nothing changed.
    bool simplify_once() {
      for_each_arg([](sym_args& a) {
        const sym_bool t = sym_bool::constant(true), f = sym_bool::constant(false);
        if (a.fbifm && *a.fbifm == t) a.topifm.reset();
        if (a.fbifm && *a.fbifm == f) a.fbifm.reset();
        if (a.fbofm && *a.fbofm == t) a.topofm.reset();
        if (a.fbofm && *a.fbofm == f) a.fbofm.reset();
      });
      std::vector<int> counts(syms.size(), 0);
      for_each_arg([&](sym_args& a) {
        for (int s : free_symbols(a)) ++counts[static_cast<std::size_t>(s)];
      });
      // What each symbol is replaced by: its only value, nothing (unused), or "unconstrained"
      // (0, or False for fbofm_init) when it constrains at most one argument.
      enum class subst : std::uint8_t { keep, value, drop };
      std::vector<subst> how(syms.size(), subst::keep);
      std::vector<std::int64_t> with(syms.size(), 0);
      bool any = false;
      for (std::size_t s = 0; s < syms.size(); ++s) {
        if (!syms[s].alive) {
          BP_ASSERT(counts[s] == 0);
          continue;
        }
        if (syms[s].values.size() == 1) how[s] = subst::value, with[s] = syms[s].values[0];
        if (counts[s] == 0) how[s] = subst::drop;
        else if (counts[s] <= 1) how[s] = subst::value, with[s] = 0;  // 0 or False
        if (how[s] != subst::keep) any = true;
      }
      if (!any) return true;
      const bool bool_subst = how[fbofm_init_sym] == subst::value;
      const bool bool_value = with[fbofm_init_sym] != 0;
      substitute(
          [&](int s, std::int64_t& v) {
            if (how[static_cast<std::size_t>(s)] != subst::value) return false;
            v = with[static_cast<std::size_t>(s)];
            return true;
          },
          bool_subst, bool_value);
      for (std::size_t s = 0; s < syms.size(); ++s)
        if (how[s] != subst::keep) syms[s].alive = false;
      return false;
    }

    void simplify() {
      while (!simplify_once()) {
      }
#if BP_ENABLE_ASSERT
      std::vector<bool> used(syms.size(), false);
      for_each_arg([&](sym_args& a) {
        for (int s : free_symbols(a)) used[static_cast<std::size_t>(s)] = true;
      });
      for (std::size_t s = 0; s < syms.size(); ++s) {
        BP_ASSERT(used[s] == syms[s].alive);
        BP_ASSERT(!syms[s].alive || !syms[s].values.empty());
      }
#endif
    }

    bool truthy(const std::optional<expr>& e) const {
      if (!e) return false;
      const auto& n = pool.at(*e);
      return n.k != detail::expr_pool::kind::constant || n.value != 0;
    }
  };

  std::vector<std::int64_t> top_vals(std::int64_t total_size, std::int64_t nfmaps) const {
    // The total fmap size must take at least 5% of one node's gbuf (no too fine blocking).
    const double tmax = static_cast<double>(total_size) / (0.05 * static_cast<double>(res_.size_gbuf));
    std::vector<std::int64_t> vals;
    for (auto t : divisors(nfmaps))
      if (static_cast<double>(t) <= tmax || t == 1) vals.push_back(t);
    BP_ASSERT(!vals.empty());
    return vals;
  }
  std::vector<std::int64_t> topofm_vals(layer_id l) const {
    const layer& ly = (*net_)[l];
    return top_vals(ly.total_ofmap_size(batch_), ly.nofm());
  }
  std::vector<std::int64_t> topifm_vals(layer_id l) const {
    const layer& ly = (*net_)[l];
    return top_vals(ly.total_ifmap_size(batch_), ly.nifm());
  }

  segment_status init_constraints() {
    builder b;
    const int topbat = b.add_symbol("topbat_shr", divisors(batch_));
    [[maybe_unused]] const int fbofm_init = b.add_symbol("fbofm_init", {0, 1});
    BP_ASSERT(topbat == 0 && fbofm_init == fbofm_init_sym);
    const sym_bool x = sym_bool::symbol();

    b.args.resize(stages_.size());
    for (std::size_t sp = 0; sp < stages_.size(); ++sp) {
      b.args[sp].resize(stages_[sp].size());
      for (auto& a : b.args[sp]) a.topbat = b.pool.symbol(topbat);
    }

    // Candidates for the critical forwarding path between stages (a CPython set).
    detail::python_tuple_set crit_cands;
    crit_cands.add({0});

    sched_index last_conv{-1, 0};
    // Whether the current group must fully buffer its ofmaps; applied to the group's last
    // layer when the next conv is met. nullopt is Python's False (not applied); a constant
    // false *is* applied.
    std::optional<sym_bool> curr_fbofm;

    for (std::size_t sp = 0; sp < stages_.size(); ++sp) {
      const auto& st = stages_[sp];
      const int sp_i = static_cast<int>(sp);
      // topofm in case the stage starts with a local-region layer.
      expr curr_topofm = b.pool.symbol(b.add_symbol("topofm_" + std::to_string(sp) + "_s", topofm_vals(st[0])));

      for (std::size_t tm = 0; tm < st.size(); ++tm) {
        const layer_id l = st[tm];
        const int tm_i = static_cast<int>(tm);
        sym_args* nsrc = nullptr;
        if (const auto& ns = deps_[sp][tm].neighbor_source) {
          BP_ASSERT(ns->sp < sp_i);
          nsrc = &b.args[sz(ns->sp)][sz(ns->tm)];
          detail::python_tuple_set fresh;
          for (const auto& cand : crit_cands.ordered())
            if (cand.back() == ns->sp) {
              auto ext = cand;
              ext.push_back(sp_i);
              fresh.add(ext);
            }
          crit_cands.merge(fresh);
        }
        sym_args& curr = b.args[sp][tm];

        if ((*net_)[l].is_conv_like()) {
          if (curr_fbofm) {
            BP_ASSERT(last_conv >= (sched_index{0, 0}));
            sym_args& lsrc = last_conv.sp == sp_i ? b.args[sp][tm - 1] : b.args[sz(last_conv.sp)].back();
            lsrc.fbofm = *curr_fbofm;
          }
          curr_fbofm.reset();

          // A new group with its own topofm.
          curr_topofm = b.pool.symbol(b.add_symbol(
              "topofm_" + std::to_string(sp) + "_" + std::to_string(tm), topofm_vals(l)));
          curr.topofm = curr_topofm;

          if (sp_i == last_conv.sp) {
            // Inter-temporal: this group fully buffers ifmaps, the previous one ofmaps.
            BP_ASSERT(tm > 0);
            curr.fbifm = sym_bool::constant(true);
            b.args[sp][sz(last_conv.tm)].fbofm = sym_bool::constant(true);
            b.args[sp][tm - 1].fbofm = sym_bool::constant(true);
          } else if (nsrc) {
            // Inter-spatial: (a) the source fully buffers ofmaps -> fully buffer ifmaps;
            // (b) otherwise fully buffer ofmaps and forward at the source's topofm.
            if (!with_opt_) nsrc->fbofm = sym_bool::constant(true);
            const sym_bool nsrc_fbofm = nsrc->fbofm.value_or(sym_bool::constant(false));
            curr.fbifm = nsrc_fbofm.eq(true);
            curr.fbofm = nsrc_fbofm.eq(false);
            curr_fbofm = nsrc_fbofm.eq(false);
            BP_ASSERT(nsrc->topofm);
            curr.topifm = b.pool.piecewise(*nsrc->topofm, nsrc_fbofm.eq(false),
                                           curr.topifm.value_or(b.pool.constant(0)));
          } else if (last_conv < sched_index{0, 0}) {
            // The first conv: whether it fully buffers ofmaps is explored (fbofm_init).
            curr.fbofm = x;
            curr_fbofm = x;
          }
          last_conv = sched_index{sp_i, tm_i};
        } else {
          if (nsrc) {
            // Inter-spatial (b)-(2): the group forwards at the source's topofm.
            const sym_bool nsrc_fbofm = nsrc->fbofm.value_or(sym_bool::constant(false));
            BP_ASSERT(nsrc->topofm);
            curr_topofm = b.pool.piecewise(*nsrc->topofm, nsrc_fbofm.eq(false), curr_topofm);
            for (int bt = last_conv.tm; bt < tm_i; ++bt) b.args[sp][sz(bt)].topofm = curr_topofm;
          }
          // Within a group, all layers share topofm.
          curr.topofm = curr_topofm;
        }

        // A stage-last layer without on-chip destinations need not fully buffer ofmaps.
        const layer_dependency& dep = deps_[sp][tm];
        if (dep.neighbor_destinations.empty() && tm == st.size() - 1) curr.fbofm.reset();
      }
    }

    b.simplify();

    // The critical path: the longest candidate, first in set order on ties.
    std::vector<int> crit_path;
    for (const auto& c : crit_cands.ordered())
      if (c.size() > crit_path.size()) crit_path = c;

    // Fully-buffered size check per stage (batch 1), and the choice of fbofm_init: fewer
    // fully buffered stages on the critical path, then the smaller largest buffered size.
    std::optional<bool> opt_val;
    std::pair<std::int64_t, std::int64_t> opt_key{std::numeric_limits<std::int64_t>::max(),
                                                  std::numeric_limits<std::int64_t>::max()};
    std::int64_t num_sp_fbs = 0;
    const bool x_alive = b.syms[fbofm_init_sym].alive;
    const std::vector<std::int64_t> x_vals = x_alive ? b.syms[fbofm_init_sym].values : std::vector<std::int64_t>{0};
    for (auto xv : x_vals) {
      const bool val = xv != 0;
      std::int64_t maxsz = 0, numfb = 0;
      bool fits = true;
      for (std::size_t sp = 0; sp < stages_.size() && fits; ++sp) {
        std::int64_t ms = 0;
        for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
          const sym_args& a = b.args[sp][tm];
          const layer& ly = (*net_)[stages_[sp][tm]];
          const std::int64_t s = (a.fbofm && a.fbofm->eval(val) ? ly.total_ofmap_size() : 0) +
                                 (a.fbifm && a.fbifm->eval(val) ? ly.total_ifmap_size() : 0);
          ms = std::max(ms, s);
        }
        if (ms > alloc_[sp][0].proc_region.dim().size() * alloc_[sp][0].size_gbuf) {
          fits = false;
          break;
        }
        maxsz = std::max(maxsz, ms);
        const sym_args& last = b.args[sp].back();
        if (std::find(crit_path.begin(), crit_path.end(), static_cast<int>(sp)) != crit_path.end() &&
            last.fbofm && last.fbofm->eval(val))
          ++numfb;
      }
      if (!fits) continue;
      const std::pair<std::int64_t, std::int64_t> key{numfb, maxsz};
      if (key < opt_key) {
        opt_val = val;
        opt_key = key;
        num_sp_fbs = numfb;
      }
    }
    if (!opt_val) return segment_status::fully_buffered_too_large;
    b.syms[fbofm_init_sym].values = {*opt_val ? 1 : 0};
    b.syms[fbofm_init_sym].alive = true;
    b.simplify();

    // Layers sharing a memory fetch must use the same topifm (or fully buffer ifmaps when one
    // of them already constrains its ofmaps).
    for (const auto& f : ifm_fwd_) {
      BP_ASSERT(f.layers.size() > 1);
      const int fet_sp = f.layers.front().sp;
      bool constrains_ofm = false;
      for (const auto& idx : f.layers) {
        const sym_args& a = b.args[sz(idx.sp)][0];
        BP_ASSERT(!(a.fbifm && a.fbifm->eval(false)) && !b.truthy(a.topifm));
        constrains_ofm = constrains_ofm || (a.fbofm && a.fbofm->eval(false)) || b.truthy(a.topofm);
      }
      std::optional<expr> topifm;
      if (!constrains_ofm)
        topifm = b.pool.symbol(
            b.add_symbol("topifm_" + std::to_string(fet_sp), topifm_vals(stages_[sz(fet_sp)][0])));
      for (const auto& idx : f.layers) {
        sym_args& a = b.args[sz(idx.sp)][0];
        if (constrains_ofm) a.fbifm = sym_bool::constant(true);
        else a.topifm = topifm;
      }
    }
    b.simplify();

    lazify_topofm(b);

    // Final symbols, sorted by name (Python's str order).
    std::vector<int> order;
    for (std::size_t s = 0; s < b.syms.size(); ++s)
      if (b.syms[s].alive) order.push_back(static_cast<int>(s));
    std::sort(order.begin(), order.end(),
              [&](int l, int r) { return b.syms[sz(l)].name < b.syms[sz(r)].name; });
    std::vector<int> position(b.syms.size(), -1);
    for (std::size_t k = 0; k < order.size(); ++k) {
      position[sz(order[k])] = static_cast<int>(k);
      symbols_.push_back({b.syms[sz(order[k])].name, b.syms[sz(order[k])].values});
      std::sort(symbols_.back().values.begin(), symbols_.back().values.end());
      if (order[k] == topbat) topbat_idx_ = k;
    }
    num_sp_fbs_ = num_sp_fbs;

    const auto to_template = [&](const std::optional<expr>& e) {
      arg_template t;
      if (!e) return t;
      const auto& n = b.pool.at(*e);
      BP_ASSERT(n.k != detail::expr_pool::kind::piecewise);
      if (n.k == detail::expr_pool::kind::symbol) {
        t.symbol = position[static_cast<std::size_t>(n.value)];
        BP_ASSERT(t.symbol >= 0);
      } else {
        t.value = n.value;
      }
      return t;
    };
    templates_.assign(stages_.size(), {});
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)
      for (const auto& a : b.args[sp]) {
        layer_template t;
        t.topbat = to_template(a.topbat);
        t.topifm = to_template(a.topifm);
        t.topofm = to_template(a.topofm);
        BP_ASSERT(!a.fbifm || a.fbifm->is_const);
        BP_ASSERT(!a.fbofm || a.fbofm->is_const);
        t.fbifm = a.fbifm && a.fbifm->value;
        t.fbofm = a.fbofm && a.fbofm->value;
        t.topofm_from = a.topofm_from;
        templates_[sp].push_back(t);
      }
    return segment_status::valid;
  }

  // _lazify_topofm_symargs: a topofm symbol used by a single conv and some local-region
  // layers becomes a rule: those layers take the conv's scheduled top OFM factor.
  void lazify_topofm(builder& b) const {
    std::vector<std::optional<layer_id>> sym2conv(b.syms.size());
    std::vector<std::vector<layer_id>> sym2lrs(b.syms.size());
    std::vector<bool> unqualified(b.syms.size(), false);
    const auto sym_of = [&](const std::optional<expr>& e) -> int {
      if (!e) return -1;
      const auto& n = b.pool.at(*e);
      return n.k == detail::expr_pool::kind::symbol ? static_cast<int>(n.value) : -1;
    };
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
        const layer_id l = stages_[sp][tm];
        const sym_args& a = b.args[sp][tm];
        if ((*net_)[l].is_conv_like()) {
          std::vector<int> fs;
          if (a.topofm) b.pool.free_symbols(*a.topofm, fbofm_init_sym, fs);
          if (a.topifm) b.pool.free_symbols(*a.topifm, fbofm_init_sym, fs);
          const int own = sym_of(a.topofm);
          for (int s : fs) {
            const auto su = sz(s);
            if (unqualified[su]) continue;
            if (sym2conv[su]) {
              sym2conv[su].reset();
              sym2lrs[su].clear();
              unqualified[su] = true;
            } else if (own == s) {
              sym2conv[su] = l;
            }
          }
        } else {
          const int s = sym_of(a.topofm);
          if (s >= 0 && sym2conv[sz(s)]) sym2lrs[sz(s)].push_back(l);
        }
      }
    std::vector<std::optional<layer_id>> lr2conv(static_cast<std::size_t>(net_->size()));
    std::vector<bool> lazy_conv(static_cast<std::size_t>(net_->size()), false);
    for (std::size_t s = 0; s < b.syms.size(); ++s) {
      if (!sym2conv[s]) continue;
      for (auto lr : sym2lrs[s]) {
        lr2conv[static_cast<std::size_t>(lr)] = sym2conv[s];
        lazy_conv[static_cast<std::size_t>(*sym2conv[s])] = true;
      }
    }
    for (std::size_t sp = 0; sp < stages_.size(); ++sp)
      for (std::size_t tm = 0; tm < stages_[sp].size(); ++tm) {
        const layer_id l = stages_[sp][tm];
        sym_args& a = b.args[sp][tm];
        if (lazy_conv[static_cast<std::size_t>(l)]) {
          a.topofm.reset();
        } else if (const auto conv = lr2conv[static_cast<std::size_t>(l)]) {
          a.topofm.reset();
          a.topofm_from = *conv;
        }
      }
    for (std::size_t s = 0; s < b.syms.size(); ++s)
      if (sym2conv[s]) b.syms[s].alive = false;
  }

  struct arg_template {
    int symbol = -1;         // position in symbols_, or -1 for a constant
    std::int64_t value = 0;  // the constant (0 = unconstrained)
  };
  struct layer_template {
    arg_template topbat, topifm, topofm;
    bool fbifm = false, fbofm = false;
    std::optional<layer_id> topofm_from;
  };

  static layer_constraint instantiate(const layer_template& t, const std::vector<std::int64_t>& vals) {
    const auto get = [&](const arg_template& a) {
      return a.symbol >= 0 ? vals[static_cast<std::size_t>(a.symbol)] : a.value;
    };
    const std::int64_t topifm = t.fbifm ? 0 : get(t.topifm);
    const std::int64_t topofm = t.fbofm ? 0 : get(t.topofm);
    return {scheduling_constraint::pipeline(get(t.topbat), topifm, topofm, t.fbifm, t.fbofm), t.topofm_from};
  }

  segment_stages stages_;
  const network* net_;
  std::int64_t batch_;
  resource res_;
  double max_util_drop_;
  bool with_opt_;
  segment_typing typing_ = segment_typing::tangram;
  segment_status status_ = segment_status::valid;
  std::vector<segment_held_edge> held_;

  std::vector<std::optional<sched_index>> layer2idx_;
  std::vector<std::vector<layer_dependency>> deps_;
  std::vector<shared_ifmap_fetch> ifm_fwd_;
  std::vector<ofmap_forward> ofm_fwd_;
  std::vector<std::vector<resource>> alloc_;

  std::vector<constraint_symbol> symbols_;
  std::vector<std::vector<layer_template>> templates_;
  std::int64_t num_sp_fbs_ = 0;
  std::optional<std::size_t> topbat_idx_;
};

}  // namespace bp
