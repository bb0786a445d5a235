// bufferprospector/intra/scheduling_constraint.hpp -- constraints a layer pipeline puts on the
// top-level (DRAM <-> gbuf) loop blocking of a layer (Tangram's SchedulingConstraint and
// SchedulingConstraintLayerPipeline, nn_dataflow/core/scheduling_constraint.py).
//
// topbat/topifm/topofm fix the top blocking factor of a loop (0 = free); fbifm/fbofm ask for the
// whole ifmap/ofmap share of a batch group to stay in the gbuf (implying topifm/topofm = 1). In a
// pipeline, the batch loop must then be outermost and the forwarded loop next.
// Tangram's lazily updated rules (update_dict) are resolved by the pipeline code before a
// constraint reaches the per-layer scheduler, so this is a plain value.
#pragma once

#include <array>    // std::array
#include <cstdint>  // std::int64_t

#include <bufferprospector/core/enums.hpp>  // bp::loop_dim, bp::per_loop
#include <bufferprospector/core/error.hpp>  // bp::invalid_option

namespace bp {

/// Loop order at one blocking level: position of each loop, smaller = inner (Tangram's bl_ord).
using loop_order = per_loop<std::int8_t>;

struct scheduling_constraint {
  std::int64_t topbat = 0;
  std::int64_t topifm = 0;
  std::int64_t topofm = 0;
  bool fbifm = false;
  bool fbofm = false;
  /// Whether the layer-pipeline ordering rules apply (SchedulingConstraintLayerPipeline).
  bool layer_pipeline = false;

  /// A pipeline constraint, normalised and checked as SchedulingConstraintLayerPipeline does.
  static scheduling_constraint pipeline(std::int64_t topbat, std::int64_t topifm, std::int64_t topofm,
                                        bool fbifm, bool fbofm) {
    if (fbifm) {
      if (topifm != 0 && topifm != 1)
        throw invalid_option("SchedulingConstraintLayerPipeline: fully-buffered IFM implies topifm = 1.");
      topifm = 1;
    }
    if (fbofm) {
      if (topofm != 0 && topofm != 1)
        throw invalid_option("SchedulingConstraintLayerPipeline: fully-buffered OFM implies topofm = 1.");
      topofm = 1;
    }
    if (topifm > 1 && topofm > 1)
      throw invalid_option(
          "SchedulingConstraintLayerPipeline: impossible to have both topifm and topofm > 1, at least one "
          "of IFM and OFM must be a trivial loop (= 1) or not constrained (= 0).");
    return {topbat, topifm, topofm, fbifm, fbofm, true};
  }

  /// Whether the top-level blocking factors and order satisfy the constraint (is_valid_top_bl).
  constexpr bool is_valid_top_bl(const per_loop<std::int64_t>& top_t, const loop_order& top_ord) const noexcept {
    if (topbat && topbat != top_t[loop_dim::bat]) return false;
    if (topifm && topifm != top_t[loop_dim::ifm]) return false;
    if (topofm && topofm != top_t[loop_dim::ofm]) return false;
    if (!layer_pipeline) return true;
    // Non-trivial loops from outermost to innermost.
    std::array<loop_dim, 3> outer_to_inner{};
    std::size_t n = 0;
    for (int pos = 2; pos >= 0; --pos)
      for (auto l : all<loop_dim>)
        if (top_ord[l] == pos && top_t[l] > 1) outer_to_inner[n++] = l;
    std::size_t next = 0;
    const auto pop_is = [&](loop_dim want) { return next < n && outer_to_inner[next++] == want; };
    if (topbat > 1 && !pop_is(loop_dim::bat)) return false;
    if (topifm > 1 && !pop_is(loop_dim::ifm)) return false;
    if (topofm > 1 && !pop_is(loop_dim::ofm)) return false;
    return true;
  }

  /// Whether a top-level factor `t` of loop `l` is allowed (SchedulingConstraint.filter_gen_ts).
  constexpr bool allows_top(loop_dim l, std::int64_t t) const noexcept {
    const std::int64_t c = l == loop_dim::bat ? topbat : l == loop_dim::ifm ? topifm : topofm;
    return c == 0 || c == t;
  }

  friend constexpr bool operator==(const scheduling_constraint&, const scheduling_constraint&) = default;
};

}  // namespace bp
