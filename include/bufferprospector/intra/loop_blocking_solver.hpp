// bufferprospector/intra/loop_blocking_solver.hpp -- Tangram's analytical loop blocking for
// CONV-like loops (nn_dataflow/core/loop_blocking_solver.py).
//
// For each data category that may be the only one kept in the gbuf (the others bypassable), the
// solver picks the blocking in closed form: the resident data x y are loaded once per top-level
// (tx0, ty0) iteration, the streamed loop z is innermost at the top level. Opt I chooses
// (tx0, ty0) minimising DRAM accesses under the gbuf and regf capacities (exhaustively over
// factors); Opt II maximises the regf-level tz2. If the top z loop ends up trivial, the middle
// factors merge into the top level so that the bypassed data really bypass.
#pragma once

#include <array>     // std::array
#include <cmath>     // std::isinf
#include <cstdint>   // std::int64_t
#include <optional>  // std::optional

#include <bufferprospector/arch/resource.hpp>              // bp::resource
#include <bufferprospector/config.hpp>                     // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                 // bp::data_category, bp::loop_dim
#include <bufferprospector/core/error.hpp>                 // bp::invalid_option
#include <bufferprospector/core/math.hpp>                  // bp::closest_factor, bp::divisor_list, bp::inf
#include <bufferprospector/intra/loop_blocking_scheme.hpp>  // bp::blocking_factors, bp::blocking_orders
#include <bufferprospector/intra/nested_loop.hpp>          // bp::nested_loop_desc
#include <bufferprospector/options.hpp>                    // bp::options
#include <bufferprospector/workload/data_loops.hpp>        // bp::data_loops::conv

namespace bp {

/// One solver result: factors and orders for a LoopBlockingScheme.
struct loop_blocking_choice {
  blocking_factors bl_ts{};
  blocking_orders bl_ords{};
  friend bool operator==(const loop_blocking_choice&, const loop_blocking_choice&) = default;
};

namespace detail {

/// Largest factor of `n` <= `tz2` if there is one (else the smallest >= it), if not above `tz2`;
/// -inf otherwise (Opt II's goal).
inline double solver_max_tz2(std::int64_t n, double tz2) {
  if (tz2 < 0) return -inf;
  const closest_factors cf = closest_factor(n, tz2);
  const std::optional<std::int64_t> first = cf.below ? cf.below : cf.above;
  BP_ASSERT(first.has_value());
  if (static_cast<double>(*first) <= tz2) return static_cast<double>(*first);
  return -inf;
}

}  // namespace detail

/// The solution with only `reside` kept in the gbuf (_solve_gbuf_reside). Empty where Tangram
/// would fail (no top factors fit the buffers: Python raises UnboundLocalError; no regf-level
/// z factor fits: AssertionError); the library yields no candidate instead.
inline std::optional<loop_blocking_choice> solve_gbuf_reside(const nested_loop_desc& nld, const resource& res,
                                                             data_category reside) {
  using dc = data_category;
  using ld = loop_dim;
  // x, y: the resident data's loops; z: the other. Data xy (resident), yz, xz (streamed).
  std::array<ld, 3> lpe{};
  std::array<dc, 3> dce{};
  std::array<double, 3> facc{};  // OFM accesses count twice (read + write)
  switch (reside) {
    case dc::fil:
      lpe = {ld::ifm, ld::ofm, ld::bat};
      dce = {dc::fil, dc::ofm, dc::ifm};
      facc = {1., 2., 1.};
      break;
    case dc::ifm:
      lpe = {ld::ifm, ld::bat, ld::ofm};
      dce = {dc::ifm, dc::ofm, dc::fil};
      facc = {1., 2., 1.};
      break;
    case dc::ofm:
      lpe = {ld::ofm, ld::bat, ld::ifm};
      dce = {dc::ofm, dc::ifm, dc::fil};
      facc = {2., 1., 1.};
      break;
  }
  std::array<std::int64_t, 3> num{}, sgbuf{}, sregf{};
  for (std::size_t i = 0; i < 3; ++i) {
    num[i] = nld.loopcnt[lpe[i]];
    sgbuf[i] = nld.usize_gbuf[dce[i]];
    sregf[i] = nld.usize_regf[dce[i]];
  }

  // Opt I: DRAM accesses, resident data once, streamed data once per resident-block iteration.
  const std::array<std::int64_t, 3> num_loops{num[0] * num[1], num[1] * num[2], num[0] * num[2]};
  // Per data category: (DRAM words per top-level iteration) * access factor; the goal adds
  // them up times the iterations {1, tx0, ty0}, in this order (Python's float rounding).
  std::array<double, 3> per_iter{};
  for (std::size_t i = 0; i < 3; ++i) per_iter[i] = static_cast<double>(num_loops[i] * sgbuf[i]) * facc[i];
  const auto goal1 = [&](std::int64_t tx0, std::int64_t ty0) {
    const std::array<std::int64_t, 3> tloops{1, tx0, ty0};
    double sum = 0;
    for (std::size_t i = 0; i < 3; ++i) sum += per_iter[i] * static_cast<double>(tloops[i]);
    return sum;
  };
  // bx = num[0] / tx0, by = num[1] / ty0: the gbuf-level blocks of x and y.
  const auto fits1 = [&](std::int64_t bx, std::int64_t by) {
    if (bx * by * sgbuf[0] > res.size_gbuf) return false;
    const std::int64_t a = bx * (sregf[0] + sregf[2]) + sregf[1];
    const std::int64_t b = by * (sregf[0] + sregf[1]) + sregf[2];
    return (a < b ? a : b) <= res.size_regf;
  };
  double min_goal = inf;
  std::int64_t tx0 = 0, ty0 = 0;
  // Ascending divisors; the cofactor of the i-th is the i-th from the end.
  const divisor_list xs(num[0]), ys(num[1]);
  for (std::size_t i = 0; i < xs.size(); ++i)
    for (std::size_t j = 0; j < ys.size(); ++j) {
      const std::int64_t fx = xs[i], fy = ys[j];
      if (!fits1(xs[xs.size() - 1 - i], ys[ys.size() - 1 - j])) continue;
      const double g = goal1(fx, fy);
      if (g < min_goal) {
        min_goal = g;
        tx0 = fx;
        ty0 = fy;
      }
    }
  if (tx0 == 0) return std::nullopt;

  // Opt II: the largest regf-level z factor that fits next to the regf-level x, y blocks.
  const auto goal2 = [&](std::int64_t tx2, std::int64_t ty2) {
    const std::int64_t den = ty2 * sregf[1] + tx2 * sregf[2];
    BP_ASSERT(den != 0);
    const double tz2 = static_cast<double>(res.size_regf - tx2 * ty2 * sregf[0]) * 1. / static_cast<double>(den);
    return detail::solver_max_tz2(num[2], tz2);
  };
  // Best: the whole gbuf block of x and y in the regf (tx1 = ty1 = 1).
  std::int64_t tx2 = num[0] / tx0, ty2 = num[1] / ty0;
  double tz2 = goal2(tx2, ty2);
  if (std::isinf(tz2)) {
    // Otherwise only one of x, y stays at the regf level.
    const std::array<std::array<std::int64_t, 2>, 2> cands{{{1, num[1] / ty0}, {num[0] / tx0, 1}}};
    const double g0 = goal2(cands[0][0], cands[0][1]);
    const double g1 = goal2(cands[1][0], cands[1][1]);
    const auto& pick = g1 > g0 ? cands[1] : cands[0];
    tx2 = pick[0];
    ty2 = pick[1];
    tz2 = goal2(tx2, ty2);
  }
  if (std::isinf(tz2)) return std::nullopt;
  const auto tz2i = static_cast<std::int64_t>(tz2);
  const std::int64_t tz0 = num[2] / tz2i;
  std::int64_t tx1 = num[0] / tx0 / tx2;
  std::int64_t ty1 = num[1] / ty0 / ty2;

  // Orders: z innermost at the top level; the non-trivial of x, y innermost in the middle.
  loop_order ord0{}, ord1{};
  ord0[lpe[0]] = 2;
  ord0[lpe[1]] = 1;
  ord0[lpe[2]] = 0;
  ord1[lpe[0]] = tx1 > 1 ? 0 : 1;
  ord1[lpe[1]] = tx1 > 1 ? 1 : 0;
  ord1[lpe[2]] = 2;
  if (tz0 == 1) {
    // z is trivial at the top: merge the middle x, y into the top so the others still bypass.
    tx0 *= tx1;
    tx1 = 1;
    ty0 *= ty1;
    ty1 = 1;
    ord0 = ord1;
  }

  loop_blocking_choice out;
  out.bl_ts[0][lpe[0]] = tx0;
  out.bl_ts[1][lpe[0]] = tx1;
  out.bl_ts[2][lpe[0]] = tx2;
  out.bl_ts[0][lpe[1]] = ty0;
  out.bl_ts[1][lpe[1]] = ty1;
  out.bl_ts[2][lpe[1]] = ty2;
  out.bl_ts[0][lpe[2]] = tz0;
  out.bl_ts[1][lpe[2]] = 1;
  out.bl_ts[2][lpe[2]] = tz2i;
  out.bl_ords = {ord0, ord1};
  return out;
}

/// All solver choices in Tangram's order: one per data category that can be the only one in the
/// gbuf, i.e. all the others may bypass it (gen_loopblocking_gbuf_reside). Throws
/// bp::invalid_option for non-CONV loops. Returns the number written to `out`.
inline std::size_t gen_loopblocking_gbuf_reside(const nested_loop_desc& nld, const resource& res,
                                                const options& opt, std::array<loop_blocking_choice, 3>& out) {
  if (nld.data_loops != data_loops::conv)
    throw invalid_option("loop_blocking_solver: solver only applies to CONV layer nested loops");
  std::size_t n = 0;
  for (auto reside : all<data_category>) {
    bool others_bypass = true;
    for (auto d : all<data_category>)
      if (d != reside && !opt.sw_gbuf_bypass[d]) others_bypass = false;
    if (!others_bypass) continue;
    if (auto choice = solve_gbuf_reside(nld, res, reside)) out[n++] = *choice;
  }
  return n;
}

}  // namespace bp
