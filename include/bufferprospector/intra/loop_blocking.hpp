// bufferprospector/intra/loop_blocking.hpp -- searching the loop blocking of one node's nested
// loop (Tangram's gen_loopblocking, nn_dataflow/core/loop_blocking.py).
//
// A loop_blocking_search yields candidate loop_blocking_schemes for a nested loop on a resource;
// the per-layer scheduler keeps the valid ones, adds NoC costs and ranks them. Models:
//
//   exhaustive_loop_blocking  every factorisation x order (with Tangram's skip_conv pruning for
//                             CONV-like loops), top `opt.ntops` by the goal's key
//   gbuf_reside_solver        the analytical solver (CONV-like loops only)
//   tangram_loop_blocking     Tangram's dispatch: the solver iff opt.sw_solve_loopblocking and the
//                             loops are CONV-like, else exhaustive
//
//   std::vector<bp::loop_blocking_scheme> out;
//   bp::tangram_loop_blocking{}.search({nld, res, part, constraint, costs, opt}, out);
//
// Ranking (loop_blocking.py _loop_blocking_cmp_key) uses the access cost only (no op, NoC or
// static cost): goal e (access cost, time), d (time, access cost), ed access cost x time; the
// first generated candidate wins ties, exactly as heapq.nsmallest / min do.
//
// The exhaustive sweep is split into independent chunks, one per (tifm, tofm) factorisation
// pair (Tangram's per-process work unit); with opt.nprocesses > 1 the chunks run on that many
// threads (detail/task_pool.hpp) and are merged in chunk order, so results do not depend on
// the thread count.
#pragma once

#include <algorithm>    // std::upper_bound
#include <array>        // std::array
#include <concepts>     // std::same_as, std::convertible_to
#include <cstdint>      // std::int64_t
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/arch/cost_table.hpp>              // bp::cost_values
#include <bufferprospector/arch/resource.hpp>                // bp::resource
#include <bufferprospector/core/enums.hpp>                   // bp::per_loop, bp::loop_dim
#include <bufferprospector/core/error.hpp>                   // bp::invalid_layer
#include <bufferprospector/core/limits.hpp>                  // bp::limits::max_exhaustive_blockings
#include <bufferprospector/core/math.hpp>                    // bp::factorizations, bp::inf
#include <bufferprospector/detail/python_order.hpp>          // bp::detail::py_heapify_then_sort
#include <bufferprospector/detail/task_pool.hpp>             // bp::detail::parallel_for
#include <bufferprospector/intra/buf_shr_scheme.hpp>         // bp::buf_shr_scheme
#include <bufferprospector/intra/loop_blocking_scheme.hpp>   // bp::loop_blocking_scheme
#include <bufferprospector/intra/loop_blocking_solver.hpp>   // bp::gen_loopblocking_gbuf_reside
#include <bufferprospector/intra/nested_loop.hpp>            // bp::nested_loop_desc
#include <bufferprospector/intra/partition_scheme.hpp>       // bp::partition_scheme
#include <bufferprospector/intra/scheduling_constraint.hpp>  // bp::scheduling_constraint
#include <bufferprospector/options.hpp>                      // bp::options, bp::opt_goal
#include <bufferprospector/workload/data_loops.hpp>          // bp::data_loops::conv

namespace bp {

/// Everything a loop-blocking search needs for one (partitioned layer, mapping) nested loop.
struct loop_blocking_problem {
  const nested_loop_desc& nld;
  const resource& res;
  const partition_scheme& part;
  const scheduling_constraint& constraint;
  const cost_values& costs;
  const options& opt;
  /// A grouped matmul: its OUTP nodes hold different groups and share no ifmaps (intra/matmul.hpp).
  bool outp_splits_groups = false;
};

/// A loop_blocking_search yields candidate schemes (Tangram's gen_loopblocking); the scheduler
/// keeps the valid ones.
///
/// Required members:
///   void search(const loop_blocking_problem&, std::vector<loop_blocking_scheme>& out) const;
///       appends the candidates, in Tangram's order
///   static constexpr std::string_view name;   labels benchmarks and reports
template <class S>
concept loop_blocking_search = requires(const S& s, const loop_blocking_problem& p,
                                        std::vector<loop_blocking_scheme>& out) {
  { s.search(p, out) } -> std::same_as<void>;
  { S::name } -> std::convertible_to<std::string_view>;
};

namespace detail {

/// Tangram's sharing groups follow from the data loops alone; a matmul's differ (intra/matmul.hpp):
/// its operand varies with every loop yet is shared by the OFMP nodes (the tiles of a sample),
/// and a grouped matmul's OUTP nodes share no ifmaps.
inline void adjust_matmul_sharing(buf_shr_scheme& bufshr, const loop_blocking_problem& p) {
  if (p.nld.data_loops != data_loops::matmul) return;
  bufshr.share_by(data_category::fil, p.res.proc_region, p.part, parallel_dim::ofmp);
  if (p.outp_splits_groups) bufshr.unshare(data_category::ifm);
}

}  // namespace detail

//
// skip_conv
//

namespace detail {

/// The permutations of (0, 1, 2) in itertools.permutations order: the loop orders of a level.
inline constexpr std::array<loop_order, 6> loop_orders{{{{0, 1, 2}}, {{0, 2, 1}}, {{1, 0, 2}},
                                                        {{1, 2, 0}}, {{2, 0, 1}}, {{2, 1, 0}}}};

/// skip_conv on the pattern of non-trivial loops: bit (3 * level + loop) of `nt_mask` is set
/// when bl_ts[level][loop] > 1.
constexpr bool skip_conv_pattern(unsigned nt_mask, const loop_order& ord_gbuf, const loop_order& ord_regf) noexcept {
  const auto nontrivial = [nt_mask](int level, int l) { return ((nt_mask >> (3 * level + l)) & 1u) != 0; };
  int outer_inner = -1;  // the closest outer level's innermost non-trivial loop
  for (int level = 0; level < 3; ++level) {
    const loop_order* ord = level == 0 ? &ord_gbuf : level == 1 ? &ord_regf : nullptr;
    // Innermost non-trivial loop at this level (none at the PE level, which has no order).
    int inner = -1;
    if (ord != nullptr)
      for (int l = 0; l < 3; ++l)
        if (nontrivial(level, l) && (inner < 0 || (*ord)[static_cast<std::size_t>(l)] < (*ord)[static_cast<std::size_t>(inner)]))
          inner = l;
    // Suboptimal: the outer level's innermost loop is a non-innermost non-trivial loop here
    // (it could merge into the outer level with smaller buffers).
    if (outer_inner != inner && outer_inner >= 0 && nontrivial(level, outer_inner)) return true;
    if (inner >= 0) outer_inner = inner;
    if (ord != nullptr) {
      // Regularised: innermost non-trivial loop innermost, then the other non-trivial loops,
      // then the trivial ones, each group in LoopEnum order (smaller inner).
      std::array<int, 3> by_pos{};
      int pos = 0;
      for (int group = 0; group < 3; ++group)
        for (int l = 0; l < 3; ++l) {
          const int g = l == inner ? 0 : nontrivial(level, l) ? 1 : 2;
          if (g == group) by_pos[static_cast<std::size_t>(pos++)] = l;
        }
      for (int l = 0; l < 3; ++l)
        if (by_pos[static_cast<std::size_t>((*ord)[static_cast<std::size_t>(l)])] != l) return true;
    }
  }
  return false;
}

constexpr unsigned nontrivial_mask(const blocking_factors& bl_ts) noexcept {
  unsigned m = 0;
  for (int level = 0; level < 3; ++level)
    for (int l = 0; l < 3; ++l)
      if (bl_ts[static_cast<std::size_t>(level)][static_cast<std::size_t>(l)] > 1) m |= 1u << (3 * level + l);
  return m;
}

/// skip_conv for every non-trivial pattern (512) x order pair (36): the sweep's first filter.
struct skip_conv_table {
  std::array<std::array<bool, 36>, 512> skip{};
  skip_conv_table() noexcept {
    for (unsigned m = 0; m < 512; ++m)
      for (std::size_t o = 0; o < 36; ++o) skip[m][o] = skip_conv_pattern(m, loop_orders[o / 6], loop_orders[o % 6]);
  }
};

inline const skip_conv_table& skip_conv_lookup() {
  static const skip_conv_table table;
  return table;
}

}  // namespace detail

/// Whether the exhaustive search skips a blocking of CONV-like loops because an equivalent
/// regularised scheme exists or it is suboptimal (loop_blocking.skip_conv): trivial loops
/// outermost in LoopEnum order, non-innermost non-trivial loops in LoopEnum order, and no
/// outer level's innermost loop reappearing as a non-innermost loop of an inner level.
constexpr bool skip_conv(const blocking_factors& bl_ts, const blocking_orders& bl_ords) noexcept {
  return detail::skip_conv_pattern(detail::nontrivial_mask(bl_ts), bl_ords[0], bl_ords[1]);
}

//
// Ranking
//

/// The comparison key of a scheme for a goal: a pair compared lexicographically (goal ed uses
/// only `first`). Invalid schemes have (inf, inf).
struct loop_blocking_key {
  double first = inf;
  double second = inf;
  friend constexpr bool operator<(const loop_blocking_key& a, const loop_blocking_key& b) noexcept {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  }
};

inline loop_blocking_key ranking_key(const loop_blocking_scheme& s, const cost_values& c, opt_goal goal) noexcept {
  if (!s.is_valid()) return {inf, goal == opt_goal::ed ? 0.0 : inf};
  const double cost = s.access_cost(c);
  const auto time = static_cast<double>(s.time());
  switch (goal) {
    case opt_goal::e:
      return {cost, time};
    case opt_goal::d:
      return {time, cost};
    case opt_goal::ed:
      return {cost * time, 0.0};
  }
  return {};
}

namespace detail {

/// The n smallest schemes by (key, arrival), i.e. heapq.nsmallest with well-ordered keys (and
/// min() for n = 1): later equal keys never displace earlier ones.
class top_schemes {
 public:
  // Reserves for the usual few tops only: ntops may be large, candidates few.
  explicit top_schemes(std::size_t n) : n_(n) { kept_.reserve(std::min<std::size_t>(n, 64)); }

  bool accepts(const loop_blocking_key& k) const noexcept { return kept_.size() < n_ || k < kept_.back().key; }

  void offer(const loop_blocking_key& k, const loop_blocking_scheme& s) {
    if (!accepts(k)) return;
    if (kept_.size() == n_) kept_.pop_back();
    const auto pos = std::upper_bound(kept_.begin(), kept_.end(), k,
                                      [](const loop_blocking_key& a, const entry& e) { return a < e.key; });
    kept_.insert(pos, entry{k, s});
  }

  void append_to(std::vector<loop_blocking_scheme>& out) const {
    for (const auto& e : kept_) out.push_back(e.scheme);
  }

 private:
  struct entry {
    loop_blocking_key key;
    loop_blocking_scheme scheme;
  };
  std::size_t n_;
  std::vector<entry> kept_;
};

}  // namespace detail

//
// Exhaustive search
//

/// Tangram's exhaustive sweep (loop_blocking.py, non-solver path).
///
/// With goal d and opt.tangram_quirks, Tangram's key reads the lazily computed time before it
/// exists (NaN for valid schemes, inf for invalid ones), so within a chunk no later scheme ever
/// compares smaller: a chunk keeps its first n enumerated schemes (valid or not), in the order
/// _heapq's max-heapify and list.sort leave them with that broken "<" (see
/// detail::py_heapify_then_sort; exact for ntops < 64). Only the merge across chunks compares
/// real (time, access cost). With quirks off, goal d ranks by (time, access cost) throughout.
struct exhaustive_loop_blocking {
  static constexpr std::string_view name = "exhaustive";

  void search(const loop_blocking_problem& p, std::vector<loop_blocking_scheme>& out) const {
    buf_shr_scheme bufshr(p.res.proc_region, p.part, p.nld.data_loops, p.opt.hw_gbuf_sharing);
    detail::adjust_matmul_sharing(bufshr, p);
    const chunk_plan plan(p.nld);
    const std::size_t n_chunks = plan.size();
    std::vector<std::vector<loop_blocking_scheme>> results(n_chunks);

    // Each chunk writes its own slot (on opt.nprocesses threads; inline when called from a
    // task that is itself parallel, e.g. one partition of a parallel layer search).
    detail::parallel_for(n_chunks, static_cast<std::size_t>(p.opt.nprocesses),
                         [&](std::size_t c) { results[c] = run_chunk(p, bufshr, plan, c); });

    // Merge in chunk order: by now every kept scheme has real stats.
    detail::top_schemes merged(static_cast<std::size_t>(p.opt.ntops));
    for (const auto& r : results)
      for (const auto& s : r) merged.offer(ranking_key(s, p.costs, p.opt.goal), s);
    merged.append_to(out);
  }

  /// The (tifm, tofm) chunks of a nested loop, and the tbat factorisations each sweeps.
  struct chunk_plan {
    std::vector<std::array<std::int64_t, 3>> tifm, tofm, tbat;
    explicit chunk_plan(const nested_loop_desc& nld)
        : tifm(factorizations<3>(nld.loopcnt[loop_dim::ifm])),
          tofm(factorizations<3>(nld.loopcnt[loop_dim::ofm])),
          tbat(factorizations<3>(nld.loopcnt[loop_dim::bat])) {
      // Each triple is tried in up to 36 orders: refuse sweeps that would run for hours.
      const std::size_t n = size() * tbat.size();
      if (n > static_cast<std::size_t>(limits::max_exhaustive_blockings))
        throw invalid_layer("exhaustive loop blocking: loop counts IFM " + std::to_string(nld.loopcnt[loop_dim::ifm]) +
                            ", OFM " + std::to_string(nld.loopcnt[loop_dim::ofm]) + ", BAT " +
                            std::to_string(nld.loopcnt[loop_dim::bat]) + " have " + std::to_string(n) +
                            " blocking factorisations, which " +
                            limits::exceeds(limits::max_exhaustive_blockings, "max_exhaustive_blockings") +
                            "; the analytical solver (options.sw_solve_loopblocking) bounds CONV-like layers");
    }
    std::size_t size() const noexcept { return tifm.size() * tofm.size(); }
  };

  /// One chunk: the kept schemes of (tifm, tofm) pair number `chunk` (tifm-major), in the order
  /// Tangram's per-process nsmallest returns them.
  static std::vector<loop_blocking_scheme> run_chunk(const loop_blocking_problem& p, const buf_shr_scheme& bufshr,
                                                     const chunk_plan& plan, std::size_t chunk) {
    std::vector<loop_blocking_scheme> out;
    const auto& ti = plan.tifm[chunk / plan.tofm.size()];
    const auto& to = plan.tofm[chunk % plan.tofm.size()];
    const scheduling_constraint& cstr = p.constraint;
    if (!cstr.allows_top(loop_dim::ifm, ti[0]) || !cstr.allows_top(loop_dim::ofm, to[0])) return out;

    const auto ntops = static_cast<std::size_t>(p.opt.ntops);
    const bool first_n_only = p.opt.tangram_quirks && p.opt.goal == opt_goal::d;
    const bool conv_loops = p.nld.data_loops == data_loops::conv;
    const auto& skip = detail::skip_conv_lookup();

    detail::top_schemes kept(ntops);
    std::vector<loop_blocking_scheme> first_n;  // goal-d quirk: the first n candidates
    if (first_n_only) first_n.reserve(std::min<std::size_t>(ntops, 64));

    for (const auto& tb : plan.tbat) {
      if (!cstr.allows_top(loop_dim::bat, tb[0])) continue;
      const blocking_factors bl_ts{{{{ti[0], to[0], tb[0]}}, {{ti[1], to[1], tb[1]}}, {{ti[2], to[2], tb[2]}}}};
      const auto& skip_row = skip.skip[detail::nontrivial_mask(bl_ts)];
      for (std::size_t o = 0; o < 36; ++o) {
        if (conv_loops && skip_row[o]) continue;
        const blocking_orders bl_ords{detail::loop_orders[o / 6], detail::loop_orders[o % 6]};
        if (!cstr.is_valid_top_bl(bl_ts[0], bl_ords[0])) continue;
        const loop_blocking_scheme s(p.nld, bl_ts, bl_ords, p.res, bufshr, p.opt);
        if (first_n_only) {
          first_n.push_back(s);
          if (first_n.size() == ntops) return quirk_order(std::move(first_n));
          continue;
        }
        kept.offer(ranking_key(s, p.costs, p.opt.goal), s);
      }
    }
    if (first_n_only) return quirk_order(std::move(first_n));
    kept.append_to(out);
    return out;
  }

 private:
  /// heapq.nsmallest's order of its first n elements when their keys are (NaN, cost) for valid
  /// schemes (never comparable) and (inf, inf) for invalid ones (equal: then by position).
  static std::vector<loop_blocking_scheme> quirk_order(std::vector<loop_blocking_scheme> first) {
    constexpr std::size_t cap = 64;
    if (first.size() < 2 || first.size() > cap) return first;  // n >= 64: documented limit
    const auto less = [&](std::size_t a, std::size_t b) {
      return !first[a].is_valid() && !first[b].is_valid() && a < b;
    };
    std::array<std::size_t, cap> order{};
    detail::py_heapify_then_sort(first.size(), less, order);
    std::vector<loop_blocking_scheme> out;
    out.reserve(first.size());
    for (std::size_t i = 0; i < first.size(); ++i) out.push_back(first[order[i]]);
    return out;
  }
};

//
// Analytical solver
//

/// Tangram's analytical solver (loop_blocking_solver.py): one candidate per data category that
/// can be the only one in the gbuf, each yielded (valid or not) if it meets the constraint.
/// CONV-like loops only (throws bp::invalid_option otherwise).
struct gbuf_reside_solver {
  static constexpr std::string_view name = "gbuf_reside_solver";

  void search(const loop_blocking_problem& p, std::vector<loop_blocking_scheme>& out) const {
    std::array<loop_blocking_choice, 3> choices{};
    const std::size_t n = gen_loopblocking_gbuf_reside(p.nld, p.res, p.opt, choices);
    buf_shr_scheme bufshr(p.res.proc_region, p.part, p.nld.data_loops, p.opt.hw_gbuf_sharing);
    detail::adjust_matmul_sharing(bufshr, p);
    for (std::size_t i = 0; i < n; ++i) {
      loop_blocking_scheme s(p.nld, choices[i].bl_ts, choices[i].bl_ords, p.res, bufshr, p.opt);
      if (p.constraint.is_valid_top_bl(s.bl_ts()[0], s.bl_ords()[0])) out.push_back(s);
    }
  }
};

//
// Tangram's dispatch
//

/// The solver iff opt.sw_solve_loopblocking and the loops are CONV-like, else exhaustive.
struct tangram_loop_blocking {
  static constexpr std::string_view name = "tangram";

  void search(const loop_blocking_problem& p, std::vector<loop_blocking_scheme>& out) const {
    if (p.opt.sw_solve_loopblocking && p.nld.data_loops == data_loops::conv)
      gbuf_reside_solver{}.search(p, out);
    else
      exhaustive_loop_blocking{}.search(p, out);
  }
};

static_assert(loop_blocking_search<exhaustive_loop_blocking>);
static_assert(loop_blocking_search<gbuf_reside_solver>);
static_assert(loop_blocking_search<tangram_loop_blocking>);

}  // namespace bp
