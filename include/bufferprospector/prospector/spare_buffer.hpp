// bufferprospector/prospector/spare_buffer.hpp -- the per-core buffer map of one pipeline segment
// (docs/bufferprospector-model.md section 4).
//
// For every core of the mesh it records
//   capacity  = floor((1 - rho) * size_gbuf) words, rho the reserve fraction (default 0, Tangram's
//               own capacity rule, which keeps no double-buffering margin);
//   usage     = what the segment's own layers keep in the core's GBUF: the max, over the temporal
//               layers of the stage that owns the core, of the layer's per-node GBUF size (Tangram's
//               scheme['size'][GBUF] summed over data categories). Max, not sum, because a hold
//               spans the whole segment while the stage's layers run one after another;
//   held      = the words of held edges placed on the core by a buffer allocator;
//   spare     = capacity - usage - held, the room an allocator may still fill.
// SET's BufferUsage (SET-ISCA2023 include/bufferusage.h) is the field's peer: a per-core usage
// map with one capacity, chip-wise max and sum, and max/average reports. Here the map is dense
// (one entry per core, row-major) and an overflow is an internal error, not a state.
//
// Holds may carry a lifetime (interval packing, model note section 5.5): holds whose lifetimes do
// not overlap share a core's room, so "held" is the peak of the core's skyline of holds. Holds
// without a lifetime span the whole segment, and then held is their plain sum.
//
//   bp::spare_buffer map = bp::spare_buffer::of_segment({8, 8}, 32768, stages);   // usage per stage
//   map.spare({0, 3});                        // words still free on core (0, 3)
//   map.hold({0, 3}, 7168);                   // asserts that it fits
//   map.utilization_before(); map.utilization_after();
#pragma once

#include <algorithm>    // std::max, std::min
#include <cmath>        // std::floor
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <limits>       // std::numeric_limits
#include <span>         // std::span
#include <string>       // std::string, std::to_string
#include <vector>       // std::vector

#include <bufferprospector/arch/node_region.hpp>  // bp::node_region
#include <bufferprospector/config.hpp>            // BP_ASSERT
#include <bufferprospector/core/error.hpp>        // bp::invalid_spec, bp::invalid_option
#include <bufferprospector/core/format.hpp>       // bp::python_repr
#include <bufferprospector/core/phy_dim2.hpp>     // bp::phy_dim2

namespace bp {

/// A half-open interval of segment time, in Tangram's "_xb" units (cycles times the number B of
/// batch groups, as ts_xb/td_xb), during which a hold occupies its host. The default spans all
/// time: such holds never share room.
struct hold_lifetime {
  std::int64_t begin_xb = std::numeric_limits<std::int64_t>::min();
  std::int64_t end_xb = std::numeric_limits<std::int64_t>::max();

  constexpr bool overlaps(const hold_lifetime& o) const noexcept {
    return begin_xb < o.end_xb && o.begin_xb < end_xb;
  }
  constexpr bool spans_everything() const noexcept { return *this == hold_lifetime{}; }
  friend constexpr bool operator==(const hold_lifetime&, const hold_lifetime&) = default;
};

/// What one spatial stage of a segment keeps in the GBUF of each of its nodes.
struct stage_buffer_use {
  node_region region;                          ///< the stage's processing nodes
  std::vector<std::int64_t> layer_gbuf_words{};  ///< per temporal layer: per-node GBUF words
};

/// The buffer-utilization numbers of one segment, for the network-level mean.
struct segment_utilization {
  double utilization = 0;  ///< node-weighted, as spare_buffer::utilization_*()
  std::int64_t time = 0;   ///< the segment's time (cycles): its weight
};

/// Network utilization: the segment-time-weighted mean (the plain mean when every time is 0).
inline double network_utilization(std::span<const segment_utilization> segments) {
  double weighted = 0, plain = 0;
  std::int64_t total_time = 0;
  for (const segment_utilization& s : segments) {
    weighted += s.utilization * static_cast<double>(s.time);
    plain += s.utilization;
    total_time += s.time;
  }
  if (segments.empty()) return 0;
  if (total_time == 0) return plain / static_cast<double>(segments.size());
  return weighted / static_cast<double>(total_time);
}

class spare_buffer {
 public:
  /// Index of a core: row-major over the mesh, h * mesh.w + w (the "node id" of the tie-breaks).
  using core_id = std::int32_t;

  /// An empty map (no usage, no holds). Throws bp::invalid_spec for an empty mesh or a negative
  /// GBUF size and bp::invalid_option for a reserve outside [0, 1].
  spare_buffer(phy_dim2 mesh, std::int64_t gbuf_words, double reserve = 0)
      : mesh_(mesh), gbuf_words_(gbuf_words), reserve_(reserve) {
    if (mesh.h <= 0 || mesh.w <= 0)
      throw invalid_spec("spare_buffer: mesh = (" + std::to_string(mesh.h) + ", " + std::to_string(mesh.w) +
                         ") must have positive dimensions");
    if (mesh.size() > std::numeric_limits<core_id>::max())
      throw invalid_spec("spare_buffer: mesh of " + std::to_string(mesh.size()) + " cores is too large");
    if (gbuf_words < 0) detail::throw_invalid_spec("spare_buffer: gbuf_words", static_cast<long long>(gbuf_words), "must be >= 0");
    if (!(reserve >= 0 && reserve <= 1))
      throw invalid_option("prospector_options.reserve = " + python_repr(reserve) + ": must be in [0, 1]");
    capacity_ = static_cast<std::int64_t>(std::floor((1.0 - reserve) * static_cast<double>(gbuf_words)));
    const auto n = static_cast<std::size_t>(mesh.size());
    usage_.assign(n, 0);
    held_.assign(n, 0);
    holds_.resize(n);
  }

  /// The map of a scheduled segment: each stage's nodes use the max of its layers' per-node GBUF
  /// sizes. Nodes outside every stage use nothing. Throws bp::invalid_spec when a stage node lies
  /// outside the mesh, two stages share a node, or a layer uses more than the GBUF.
  static spare_buffer of_segment(phy_dim2 mesh, std::int64_t gbuf_words, std::span<const stage_buffer_use> stages,
                                 double reserve = 0) {
    spare_buffer map(mesh, gbuf_words, reserve);
    std::vector<bool> owned(static_cast<std::size_t>(mesh.size()), false);
    for (std::size_t s = 0; s < stages.size(); ++s) {
      std::int64_t words = 0;
      for (const std::int64_t w : stages[s].layer_gbuf_words) {
        if (w < 0 || w > gbuf_words)
          throw invalid_spec("spare_buffer: stage " + std::to_string(s) + " layer GBUF size = " + std::to_string(w) +
                             ": must be in [0, gbuf_words = " + std::to_string(gbuf_words) + "]");
        words = std::max(words, w);
      }
      stages[s].region.for_each_node([&](phy_dim2 c) {
        const core_id id = map.checked_id(c);
        if (owned[static_cast<std::size_t>(id)])
          throw invalid_spec("spare_buffer: node " + describe(c) + " belongs to two stages");
        owned[static_cast<std::size_t>(id)] = true;
        map.usage_[static_cast<std::size_t>(id)] = words;
      });
    }
    return map;
  }

  //
  // The mesh
  //

  phy_dim2 mesh() const noexcept { return mesh_; }
  core_id num_cores() const noexcept { return static_cast<core_id>(mesh_.size()); }
  bool contains(phy_dim2 c) const noexcept { return 0 <= c.h && c.h < mesh_.h && 0 <= c.w && c.w < mesh_.w; }
  core_id id_of(phy_dim2 c) const noexcept {
    BP_ASSERT(contains(c));
    return static_cast<core_id>(c.h * mesh_.w + c.w);
  }
  phy_dim2 coord_of(core_id id) const noexcept {
    BP_ASSERT(0 <= id && id < num_cores());
    return {id / mesh_.w, id % mesh_.w};
  }

  //
  // Per core
  //

  std::int64_t gbuf_words() const noexcept { return gbuf_words_; }
  double reserve() const noexcept { return reserve_; }
  /// floor((1 - reserve) * gbuf_words): the same for every core.
  std::int64_t capacity() const noexcept { return capacity_; }

  std::int64_t usage(core_id id) const noexcept { return usage_[index(id)]; }
  std::int64_t usage(phy_dim2 c) const noexcept { return usage(id_of(c)); }

  /// Sets a core's own usage (words); throws bp::invalid_spec outside [0, gbuf_words].
  void set_usage(phy_dim2 c, std::int64_t words) {
    const core_id id = checked_id(c);
    if (words < 0 || words > gbuf_words_)
      throw invalid_spec("spare_buffer: usage of node " + describe(c) + " = " + std::to_string(words) +
                         ": must be in [0, gbuf_words = " + std::to_string(gbuf_words_) + "]");
    usage_[index(id)] = words;
  }

  /// Words held on the core: the peak over time of its holds (their sum without lifetimes).
  std::int64_t held(core_id id) const noexcept { return held_[index(id)]; }
  std::int64_t held(phy_dim2 c) const noexcept { return held(id_of(c)); }

  /// The room holds may use: capacity minus usage, or 0 when the reserve already eats into the
  /// usage (a layer may use up to the whole GBUF; the reserve only limits what is added).
  std::int64_t room(core_id id) const noexcept { return std::max<std::int64_t>(0, capacity_ - usage(id)); }

  /// capacity - usage - held: the words an allocator may still place on the core for a hold that
  /// spans the whole segment. Never negative unless hold_unbounded() overcommitted the core.
  std::int64_t spare(core_id id) const noexcept { return room(id) - held(id); }
  std::int64_t spare(phy_dim2 c) const noexcept { return spare(id_of(c)); }

  /// The words free on the core during all of `life`: room minus the peak of the holds alive
  /// within it (the skyline of the core).
  std::int64_t spare(core_id id, const hold_lifetime& life) const noexcept {
    if (life.spans_everything()) return spare(id);
    return room(id) - peak_within(holds_[index(id)], life);
  }
  std::int64_t spare(phy_dim2 c, const hold_lifetime& life) const noexcept { return spare(id_of(c), life); }

  /// Places `words` on a core for `life`; they must fit (an allocator checks spare() first).
  void hold(core_id id, std::int64_t words, const hold_lifetime& life = {}) {
    BP_ASSERT(words >= 0);
    BP_ASSERT(words <= spare(id, life));
    hold_unbounded(id, words, life);
    BP_ASSERT(spare(id) >= 0);
  }
  void hold(phy_dim2 c, std::int64_t words, const hold_lifetime& life = {}) { hold(id_of(c), words, life); }

  /// Places `words` without a capacity check: only the "ideal" bound (unlimited spare buffer)
  /// does this, and its map then reports the overcommitment (spare < 0, utilization > 1).
  void hold_unbounded(core_id id, std::int64_t words, const hold_lifetime& life = {}) {
    BP_ASSERT(words >= 0);
    if (words == 0) return;
    auto& list = holds_[index(id)];
    bool merged = false;
    for (timed_words& t : list)
      if (t.life == life) {
        t.words += words;
        merged = true;
        break;
      }
    if (!merged) list.push_back({life, words});
    held_[index(id)] = peak_within(list, hold_lifetime{});
  }

  /// Takes back `words` placed with the same lifetime (an allocator undoing a failed edge).
  void release(core_id id, std::int64_t words, const hold_lifetime& life = {}) {
    BP_ASSERT(words >= 0);
    if (words == 0) return;
    auto& list = holds_[index(id)];
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].life != life) continue;
      BP_ASSERT(list[i].words >= words);
      list[i].words -= words;
      if (list[i].words == 0) list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      held_[index(id)] = peak_within(list, hold_lifetime{});
      return;
    }
    BP_ASSERT(false && "release of words that were never held");
  }

  //
  // Whole map
  //

  std::int64_t total_usage() const noexcept { return sum(usage_); }
  std::int64_t total_held() const noexcept { return sum(held_); }
  std::int64_t total_spare() const noexcept {
    std::int64_t s = 0;
    for (core_id id = 0; id < num_cores(); ++id) s += std::max<std::int64_t>(0, spare(id));
    return s;
  }

  /// Node-weighted utilization before any hold: sum of usage / (cores * gbuf_words).
  double utilization_before() const noexcept { return ratio(total_usage()); }
  /// ... and after the holds: sum of (usage + held) / (cores * gbuf_words).
  double utilization_after() const noexcept { return ratio(total_usage() + total_held()); }
  /// The fullest core after the holds: max of (usage + held) / gbuf_words.
  double max_core_utilization() const noexcept {
    std::int64_t m = 0;
    for (core_id id = 0; id < num_cores(); ++id) m = std::max(m, usage(id) + held(id));
    return gbuf_words_ == 0 ? 0 : static_cast<double>(m) / static_cast<double>(gbuf_words_);
  }

  friend bool operator==(const spare_buffer& a, const spare_buffer& b) noexcept {
    return a.mesh_ == b.mesh_ && a.gbuf_words_ == b.gbuf_words_ && a.reserve_ == b.reserve_ &&
           a.usage_ == b.usage_ && a.held_ == b.held_ && same_holds(a, b);
  }

 private:
  struct timed_words {
    hold_lifetime life;
    std::int64_t words = 0;
    friend bool operator==(const timed_words&, const timed_words&) = default;
  };

  static std::size_t index(core_id id) noexcept { return static_cast<std::size_t>(id); }

  static std::string describe(phy_dim2 c) { return tuple_repr(c.h, c.w); }

  core_id checked_id(phy_dim2 c) const {
    if (!contains(c))
      throw invalid_spec("spare_buffer: node " + describe(c) + " is outside the " + std::to_string(mesh_.h) + "x" +
                         std::to_string(mesh_.w) + " mesh");
    return id_of(c);
  }

  // The highest sum of words alive at one instant within `window`. The sum only rises where a
  // hold begins, so it is enough to look at the window start and at every hold start inside it.
  static std::int64_t peak_within(const std::vector<timed_words>& list, const hold_lifetime& window) noexcept {
    const auto alive_at = [&list](std::int64_t t) {
      std::int64_t s = 0;
      for (const timed_words& x : list)
        if (x.life.begin_xb <= t && t < x.life.end_xb) s += x.words;
      return s;
    };
    std::int64_t peak = 0;
    for (const timed_words& x : list) {
      if (!x.life.overlaps(window)) continue;
      peak = std::max(peak, alive_at(std::max(x.life.begin_xb, window.begin_xb)));
    }
    return peak;
  }

  static bool same_holds(const spare_buffer& a, const spare_buffer& b) noexcept {
    // The same holds in any order.
    for (std::size_t i = 0; i < a.holds_.size(); ++i) {
      if (a.holds_[i].size() != b.holds_[i].size()) return false;
      for (const timed_words& t : a.holds_[i]) {
        bool found = false;
        for (const timed_words& u : b.holds_[i]) found = found || t == u;
        if (!found) return false;
      }
    }
    return true;
  }

  static std::int64_t sum(const std::vector<std::int64_t>& v) noexcept {
    std::int64_t s = 0;
    for (const std::int64_t x : v) s += x;
    return s;
  }

  double ratio(std::int64_t words) const noexcept {
    const double total = static_cast<double>(mesh_.size()) * static_cast<double>(gbuf_words_);
    return total == 0 ? 0 : static_cast<double>(words) / total;
  }

  phy_dim2 mesh_;
  std::int64_t gbuf_words_ = 0;
  double reserve_ = 0;
  std::int64_t capacity_ = 0;
  std::vector<std::int64_t> usage_;
  std::vector<std::int64_t> held_;                 // peak of holds_ per core
  std::vector<std::vector<timed_words>> holds_;    // per core, one entry per distinct lifetime
};

}  // namespace bp
