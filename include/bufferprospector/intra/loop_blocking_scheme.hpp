// bufferprospector/intra/loop_blocking_scheme.hpp -- one loop blocking and reordering of a node's
// nested loop, and what it costs (Tangram's LoopBlockingScheme,
// nn_dataflow/core/loop_blocking_scheme.py).
//
// The three loops (IFM, OFM, BAT) of a nested_loop_desc are split into three levels:
//
//   for ti[0] / to[0] / tb[0]        -- order bl_ords[gbuf]; the data at this point come from DRAM
//     for ti[1] / to[1] / tb[1]      -- order bl_ords[regf]; the data at this point come from gbuf
//       for ti[2] / to[2] / tb[2]    -- inside one PE (regf)
//
// An order gives each loop's position at its level, smaller = inner. From factors and orders
// follow the buffered sizes, how often each level refetches each data category, the accesses at
// every memory level, the time, and, with gbuf sharing, how shared data rotate between nodes.
//
//   bp::loop_blocking_scheme s(nld, {{{3, 1, 1}, {2, 5, 4}, {2, 2, 4}}}, {{{0, 1, 2}, {1, 0, 2}}},
//                              res, bufshr, opt);
//   if (s.is_valid()) total = s.access_cost(costs);
//
// Everything is computed in the constructor (fixed-size arrays, no allocation): a scheme that
// breaks a capacity rule is rejected after a handful of multiplications.
#pragma once

#include <algorithm>  // std::next_permutation, std::max
#include <array>      // std::array
#include <cmath>      // std::ceil, std::isinf
#include <cstdint>    // std::int64_t, std::uint8_t
#include <limits>     // std::numeric_limits
#include <string>     // std::to_string

#include <bufferprospector/arch/cost_table.hpp>                // bp::cost_values
#include <bufferprospector/arch/node_region.hpp>               // bp::region_type
#include <bufferprospector/arch/resource.hpp>                  // bp::resource
#include <bufferprospector/config.hpp>                         // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                     // bp::per_data, bp::per_loop, bp::per_level
#include <bufferprospector/core/error.hpp>                     // bp::invalid_option
#include <bufferprospector/core/math.hpp>                      // bp::idivc, bp::inf
#include <bufferprospector/detail/python_order.hpp>            // bp::detail::py_set_order
#include <bufferprospector/intra/buf_shr_scheme.hpp>           // bp::buf_shr_scheme
#include <bufferprospector/intra/nested_loop.hpp>              // bp::nested_loop_desc
#include <bufferprospector/intra/scheduling_constraint.hpp>    // bp::loop_order
#include <bufferprospector/options.hpp>                        // bp::options

namespace bp {

/// Blocking levels (Tangram's LoopBlockingScheme.BL): the gbuf level (factors index 1, fetched
/// from DRAM) and the regf level (factors index 2, fetched from the gbuf).
enum class blocking_level : std::uint8_t { gbuf = 0, regf = 1 };

/// Blocking factors bl_ts[level][loop], level 0..2 (outside gbuf, gbuf -> regf, inside a PE).
using blocking_factors = std::array<per_loop<std::int64_t>, 3>;
/// Loop orders bl_ords[blocking_level][loop] (position, smaller = inner).
using blocking_orders = std::array<loop_order, 2>;

class loop_blocking_scheme {
 public:
  using level_data = std::array<per_data<std::int64_t>, 2>;  // indexed by blocking_level

  /// Builds the scheme. Throws bp::invalid_option when the factors do not cover the loop counts
  /// or an order is not a permutation (Tangram asserts); a scheme that does not fit the buffers
  /// or the data-region rules is constructed but not valid.
  loop_blocking_scheme(const nested_loop_desc& nld, const blocking_factors& bl_ts, const blocking_orders& bl_ords,
                       const resource& res, const buf_shr_scheme& bufshr, const options& opt)
      : bl_ts_(bl_ts), bl_ords_(bl_ords) {
    check_arguments(nld);
    lcnt_ = 1;
    for (auto l : all<loop_dim>) lcnt_ *= bl_ts_[0][l] * bl_ts_[1][l] * bl_ts_[2][l];

    init_bufshr(bufshr, opt);
    unit_size_[gbuf_] = nld.usize_gbuf;
    unit_size_[regf_] = nld.usize_regf;
    set_unit_cnt(nld);
    for (auto d : all<data_category>) stored_in_gbuf_[d] = !opt.sw_gbuf_bypass[d];

    // Conservative size check: bypassable data still assumed bypassed.
    if (!fits(res)) return;

    set_fetch(nld);
    src_is_dram_ = res.src_data_region.type() == region_type::dram;
    dst_is_dram_ = res.dst_data_region.type() == region_type::dram;
    // Data not in DRAM can be read / written only once (no spilling).
    if (!src_is_dram_) {
      if (fetch_[gbuf_][data_category::ifm] > 1) return;
      if (res.src_data_region == res.proc_region) stored_in_gbuf_[data_category::ifm] = true;
    }
    if (!dst_is_dram_) {
      if (fetch_[gbuf_][data_category::ofm] > 1) return;
      if (res.dst_data_region == res.proc_region) stored_in_gbuf_[data_category::ofm] = true;
    }
    // Keep bypassable data in the gbuf only if the gbuf gives reuse.
    for (auto d : all<data_category>)
      if (!stored_in_gbuf_[d] && fetch_[gbuf_][d] < fetch_[regf_][d]) stored_in_gbuf_[d] = true;
    if (!fits(res)) return;

    valid_ = true;
    num_nodes_ = res.proc_region.dim().size();
    set_bufshr(nld, res, bufshr, opt);
    for (auto d : all<data_category>) accfwd_reduction_[d] = opt.forwarding() ? bufshr.size(d) : 1;
    // An operand that varies with the batch (a matmul's activation) changes every run: never pinned.
    if (res.no_time_mux && !nld.data_loops[data_category::fil].contains(loop_dim::bat)) {
      bool top_trivial = true;
      for (auto l : all<loop_dim>)
        if (nld.data_loops[data_category::fil].contains(l) && bl_ts_[0][l] != 1) top_trivial = false;
      if (top_trivial) {
        // Filters stay pinned on chip for the whole run: no DRAM filter fetch.
        filter_pinned_ = true;
        fetch_[gbuf_][data_category::fil] = 0;
      }
    }
    calc_stats(nld, res);
  }

  bool is_valid() const noexcept { return valid_; }

  // -- Stats (meaningful for valid schemes; Tangram's lazily computed fields) --

  double ops() const noexcept { return ops_; }
  /// max(proc, bus, dram) time; std::numeric_limits<std::int64_t>::max() if invalid (Tangram: inf).
  std::int64_t time() const noexcept { return valid_ ? time_ : std::numeric_limits<std::int64_t>::max(); }
  std::int64_t proc_time() const noexcept { return proc_time_; }
  std::int64_t bus_time() const noexcept { return bus_time_; }
  std::int64_t dram_time() const noexcept { return dram_time_; }
  std::int64_t num_nodes() const noexcept { return num_nodes_; }
  bool src_is_dram() const noexcept { return src_is_dram_; }
  bool dst_is_dram() const noexcept { return dst_is_dram_; }
  bool filter_pinned() const noexcept { return filter_pinned_; }
  /// Accesses [DRAM, GBUF, ITCN, REGF][FIL, IFM, OFM] over all nodes (get_access; inf if invalid).
  const per_level<per_data<double>>& access() const noexcept { return access_; }
  /// Accesses to another region's gbuf (source / destination on chip) instead of DRAM.
  const per_data<double>& remote_gbuf_access() const noexcept { return remote_gbuf_access_; }
  /// NoC accesses of buffer sharing: rotation plus wide fetch (get_noc_access).
  const per_data<double>& noc_access() const noexcept { return noc_access_; }
  /// fetch[blocking_level][d]: times d is fetched into that level from the level above.
  const level_data& fetch() const noexcept { return fetch_; }
  /// fetch[gbuf]: the fetches from DRAM (get_top_level_fetch).
  const per_data<std::int64_t>& top_level_fetch() const noexcept { return fetch_[gbuf_]; }

  /// Access energy: sum of level cost x accesses, plus remote gbuf accesses at gbuf cost; no
  /// op, NoC or static cost (get_access_cost). inf if invalid.
  double access_cost(const cost_values& c) const noexcept {
    if (!valid_) return inf;
    double acc = 0;
    for (auto level : all<mem_level>) acc += c.mem_hier(level) * sum3(access_[level]);
    acc += c.mem_hier(mem_level::gbuf) * sum3(remote_gbuf_access_);
    return acc;
  }

  // -- Structure --

  const blocking_factors& bl_ts() const noexcept { return bl_ts_; }
  /// The orders; with gbuf sharing the regf-level order is the one the sharing search chose.
  const blocking_orders& bl_ords() const noexcept { return bl_ords_; }
  /// Words of `d` buffered per node at level `bl` (gbuf: only if stored there, split over the
  /// sharing subgroup).
  std::int64_t data_size(blocking_level bl, data_category d) const noexcept {
    const auto b = static_cast<std::size_t>(bl);
    std::int64_t size = unit_cnt_[b][d] * unit_size_[b][d];
    if (bl == blocking_level::gbuf) size = idivc(stored_in_gbuf_[d] ? size : 0, bufshr_subgrp_size_[d]);
    return size;
  }
  std::int64_t data_size(blocking_level bl) const noexcept {
    return data_size(bl, data_category::fil) + data_size(bl, data_category::ifm) + data_size(bl, data_category::ofm);
  }
  const level_data& unit_size() const noexcept { return unit_size_; }
  const level_data& unit_cnt() const noexcept { return unit_cnt_; }
  const per_data<bool>& stored_in_gbuf() const noexcept { return stored_in_gbuf_; }
  const per_data<std::int64_t>& accfwd_reduction() const noexcept { return accfwd_reduction_; }
  /// Total loop trip count (product of all factors).
  std::int64_t lcnt() const noexcept { return lcnt_; }

  // -- Buffer sharing (all 1 / 0 without --enable-gbuf-sharing) --

  const per_data<std::int64_t>& bufshr_grp_size() const noexcept { return bufshr_grp_size_; }
  const per_data<std::int64_t>& bufshr_subgrp_size() const noexcept { return bufshr_subgrp_size_; }
  /// Factors and order of the extra sharing level split out of the gbuf level.
  const per_loop<std::int64_t>& bufshr_bs_t() const noexcept { return bufshr_bs_t_; }
  const loop_order& bufshr_bs_ord() const noexcept { return bufshr_bs_ord_; }
  const per_data<double>& bufshr_rot_fetch() const noexcept { return bufshr_rot_fetch_; }
  const per_data<std::int64_t>& bufshr_rot_round_cnt() const noexcept { return bufshr_rot_round_cnt_; }
  const per_data<std::int64_t>& bufshr_rot_unit_cnt() const noexcept { return bufshr_rot_unit_cnt_; }
  const per_data<double>& bufshr_wide_fetch() const noexcept { return bufshr_wide_fetch_; }
  const per_data<double>& bufshr_wide_fetch_width() const noexcept { return bufshr_wide_fetch_width_; }

  /// The innermost non-trivial loop among `d`'s dimension loops at a level, or -1 when all are
  /// trivial (LoopBlockingScheme._innt_dim_loop).
  static int innermost_dim_loop(data_dim_loops dl, const per_loop<std::int64_t>& t, const loop_order& ord) noexcept {
    int best = -1;
    for (auto l : all<loop_dim>)
      if (dl.contains(l) && t[l] > 1 && (best < 0 || ord[l] < ord[static_cast<std::size_t>(best)]))
        best = static_cast<int>(l);
    return best;
  }

 private:
  static constexpr std::size_t gbuf_ = 0;
  static constexpr std::size_t regf_ = 1;

  static double sum3(const per_data<double>& v) noexcept { return v[0] + v[1] + v[2]; }

  static per_level<per_data<double>> all_inf() noexcept {
    per_level<per_data<double>> a{};
    for (auto& row : a) row.fill(inf);
    return a;
  }

  void check_arguments(const nested_loop_desc& nld) const {
    for (auto l : all<loop_dim>) {
      const std::int64_t total = bl_ts_[0][l] * bl_ts_[1][l] * bl_ts_[2][l];
      if (bl_ts_[0][l] < 1 || bl_ts_[1][l] < 1 || bl_ts_[2][l] < 1 || total < nld.loopcnt[l])
        throw invalid_option("LoopBlockingScheme: invalid blocking of loop " + std::to_string(idx(l)) +
                             ": factors " + std::to_string(bl_ts_[0][l]) + " x " + std::to_string(bl_ts_[1][l]) +
                             " x " + std::to_string(bl_ts_[2][l]) + " for loop count " +
                             std::to_string(nld.loopcnt[l]) + ".");
    }
    for (const auto& ord : bl_ords_) {
      unsigned seen = 0;
      for (auto v : ord)
        if (v >= 0 && v < 3) seen |= 1u << v;
      if (seen != 7u) throw invalid_option("LoopBlockingScheme: bl_ords elements must be permutations of 0, 1, 2.");
    }
  }

  /// Product of the factors of levels [from, to) per loop (_bl_tp).
  per_loop<std::int64_t> level_product(std::size_t from, std::size_t to) const noexcept {
    per_loop<std::int64_t> p{{1, 1, 1}};
    for (std::size_t lv = from; lv < to; ++lv)
      for (auto l : all<loop_dim>) p[l] *= bl_ts_[lv][l];
    return p;
  }

  bool fits(const resource& res) const noexcept {
    return data_size(blocking_level::regf) <= res.size_regf && data_size(blocking_level::gbuf) <= res.size_gbuf;
  }

  void init_bufshr(const buf_shr_scheme& bufshr, const options& opt) noexcept {
    for (auto d : all<data_category>) bufshr_grp_size_[d] = opt.hw_gbuf_sharing ? bufshr.size(d) : 1;
    // Conservatively the whole group shares the capacity; the sharing search may shrink it.
    bufshr_subgrp_size_ = bufshr_grp_size_;
  }

  /// Units buffered at each level: the product of the data's dimension factors below it.
  void set_unit_cnt(const nested_loop_desc& nld) noexcept {
    for (std::size_t bl = 0; bl < 2; ++bl) {
      const per_loop<std::int64_t> below = level_product(bl + 1, 3);
      for (auto d : all<data_category>) unit_cnt_[bl][d] = nld.data_loops[d].take_product(below);
    }
  }

  /// Fetch times of each level from the level above: going outwards from the innermost
  /// non-trivial dimension loop, every unrelated loop outside it refetches the data; unrelated
  /// loops inside it at this level reuse the buffered data. OFM fetches count reads and writes
  /// (2f - 1: the first fetch needs no read).
  void set_fetch(const nested_loop_desc& nld) noexcept {
    for (std::size_t bl = 0; bl < 2; ++bl) {
      const per_loop<std::int64_t>& t = bl_ts_[bl];
      const loop_order& ord = bl_ords_[bl];
      for (auto d : all<data_category>) {
        const int inn = innermost_dim_loop(nld.data_loops[d], t, ord);
        if (inn < 0) {
          fetch_[bl][d] = bl > 0 ? fetch_[bl - 1][d] : 1;
          continue;
        }
        std::int64_t f = 1;
        for (auto l : all<loop_dim>) {
          if (nld.data_loops[d].contains(l)) continue;
          const std::size_t start = bl + (ord[l] > ord[static_cast<std::size_t>(inn)] ? 1 : 0);
          for (std::size_t lv = 0; lv < start; ++lv) f *= bl_ts_[lv][l];
        }
        fetch_[bl][d] = d == data_category::ofm ? 2 * f - 1 : f;
      }
    }
  }

  void calc_stats(const nested_loop_desc& nld, const resource& res) noexcept {
    const auto nodes = static_cast<double>(num_nodes_);
    const auto lcnt = static_cast<double>(lcnt_);
    ops_ = nld.unit_ops * lcnt * nodes;
    proc_time_ = nld.unit_time * lcnt_;

    constexpr per_data<double> regf_rw{{1, 1, 2}};  // ofmaps are read and written
    for (auto d : all<data_category>) {
      const auto fetch_regf = static_cast<double>(fetch_[regf_][d]);
      access_[mem_level::regf][d] = nld.unit_access[mem_level::regf][d] * lcnt * regf_rw[d] * nodes;
      access_[mem_level::itcn][d] = nld.total_access_at_of(mem_level::itcn, d) * fetch_regf * nodes;
      access_[mem_level::gbuf][d] =
          nld.total_access_at_of(mem_level::gbuf, d) * fetch_regf * (stored_in_gbuf_[d] ? 1.0 : 0.0) * nodes;
      // Data that bypass the gbuf go straight from DRAM to the array, at the gbuf's granularity.
      const double dram_total = stored_in_gbuf_[d] ? nld.total_access_at_of(mem_level::dram, d)
                                                   : nld.total_access_at_of(mem_level::gbuf, d);
      access_[mem_level::dram][d] = dram_total * static_cast<double>(fetch_[gbuf_][d]) * nodes /
                                    static_cast<double>(accfwd_reduction_[d]);
    }

    // NoC accesses of buffer sharing, over all groups.
    for (auto d : all<data_category>) {
      const double gbuf_total = nld.total_access_at_of(mem_level::gbuf, d);
      const auto groups = static_cast<double>(num_nodes_ / bufshr_grp_size_[d]);
      noc_access_[d] = gbuf_total * bufshr_rot_fetch_[d] * groups + gbuf_total * bufshr_wide_fetch_[d] * groups;
    }

    // On-chip source / destination: those accesses hit another region's gbuf instead of DRAM.
    if (!src_is_dram_) {
      remote_gbuf_access_[data_category::ifm] += access_[mem_level::dram][data_category::ifm];
      access_[mem_level::dram][data_category::ifm] = 0;
    }
    if (!dst_is_dram_) {
      remote_gbuf_access_[data_category::ofm] += access_[mem_level::dram][data_category::ofm];
      access_[mem_level::dram][data_category::ofm] = 0;
    }
    BP_ASSERT(!filter_pinned_ || access_[mem_level::dram][data_category::fil] == 0);

    dram_time_ = static_cast<std::int64_t>(std::ceil(sum3(access_[mem_level::dram]) / res.dram_bandwidth));
    // Each data category has its own multicast bus; one word per cycle from the gbuf.
    const double max_gbuf = std::max({access_[mem_level::gbuf][0], access_[mem_level::gbuf][1], access_[mem_level::gbuf][2]});
    const auto gbuf_per_node = static_cast<std::int64_t>(std::ceil(1. * max_gbuf / nodes));
    if (std::isinf(res.array_bus_width)) {
      bus_time_ = 0;
    } else {
      bus_time_ = idivc(gbuf_per_node, static_cast<std::int64_t>(res.array_bus_width));
    }
    // Processing, multicast and DRAM access overlap perfectly.
    time_ = std::max({proc_time_, bus_time_, dram_time_});
  }

  // ---------------------------------------------------------------------------------------------
  // Buffer sharing (LoopBlockingScheme._set_bufshr).
  //
  // The gbuf-level loops decide the order in which gbuf-resident data are used. With sharing,
  // a data category spread over M nodes either rotates between them (one rotation round per
  // unrelated loop iteration above its outermost dimension loop) or is read remotely (wide
  // fetch) when one rotation unit spans several nodes. The search keeps all fetch counts
  // unchanged: it fixes the gbuf-level loops inside the innermost dimension loop of any data
  // category, and may reorder the others ("flexible" loops) or split them into an extra
  // sharing level above the gbuf level; it also tries smaller subgroups when the data fit.
  // ---------------------------------------------------------------------------------------------

  struct bufshr_stats {
    per_data<double> rot_fetch{};
    per_data<double> wide_fetch{};
    per_data<std::int64_t> rot_rounds{};
    per_data<std::int64_t> rot_units{};
    per_data<double> wide_widths{};
  };

  /// A candidate sharing scheme: subgroup sizes, the sharing-level factors, and the loop orders
  /// (outer to inner) of the sharing level and of the gbuf level's flexible loops.
  struct bufshr_candidate {
    per_data<std::int64_t> subgrp{};
    per_loop<std::int64_t> t_bs{};
    std::array<int, 3> loops_bs{};
    std::array<int, 3> loops_bot{};
  };

  struct bufshr_context {
    const nested_loop_desc* nld;
    const buf_shr_scheme* bufshr;
    per_loop<std::int64_t> t_x;           // gbuf-level factors
    std::array<int, 3> fixed_loops{};     // outer to inner
    std::size_t n_fixed = 0;
    std::array<int, 3> flex_loops{};      // ascending
    std::size_t n_flex = 0;
    per_data<double> gbuf_total{};        // total gbuf accesses per category
    per_data<double> groups{};            // number of sharing groups per category
    per_data<std::int64_t> top_unrelated{};  // product of top-level factors of unrelated loops
  };

  std::int64_t min_subgroup_size_free_cap(const resource& res) const noexcept {
    return res.size_gbuf - data_size(blocking_level::gbuf);
  }

  /// The smallest subgroup sizes (factors of the group sizes) that still fit the gbuf,
  /// shrinking the categories in the order of `order` (_min_subgrp_size).
  per_data<std::int64_t> min_subgroup_size(const resource& res, const std::array<int, 3>& order) const noexcept {
    std::int64_t free_cap = min_subgroup_size_free_cap(res);
    per_data<std::int64_t> sgs = bufshr_subgrp_size_;
    for (int di : order) {
      const auto d = static_cast<data_category>(di);
      if (sgs[d] <= 1) continue;
      const std::int64_t cur = data_size(blocking_level::gbuf, d);
      const std::int64_t tot = cur * bufshr_subgrp_size_[d];
      BP_ASSERT(cur > 0 && tot > 0);
      for (std::int64_t s = sgs[d]; s > 0; --s) {
        if (bufshr_grp_size_[d] % s != 0) continue;
        if (idivc(tot, s) <= free_cap + cur)
          sgs[d] = s;
        else
          break;
      }
      free_cap -= idivc(tot, sgs[d]) - cur;
      BP_ASSERT(free_cap >= 0);
    }
    return sgs;
  }

  /// NoC fetch times of one sharing candidate (_calc_bufshr_fetch).
  bufshr_stats bufshr_fetch(const bufshr_context& ctx, const bufshr_candidate& c) const noexcept {
    // Non-trivial loops of the sharing level and of the gbuf level, outer to inner.
    std::array<int, 9> lp{};
    std::array<std::int64_t, 9> lt{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < ctx.n_flex; ++i) {
      const int l = c.loops_bs[i];
      if (c.t_bs[static_cast<std::size_t>(l)] > 1) {
        lp[n] = l;
        lt[n++] = c.t_bs[static_cast<std::size_t>(l)];
      }
    }
    for (std::size_t i = 0; i < ctx.n_flex; ++i) {
      const auto l = static_cast<std::size_t>(c.loops_bot[i]);
      if (ctx.t_x[l] > c.t_bs[l]) {
        lp[n] = c.loops_bot[i];
        lt[n++] = idivc(ctx.t_x[l], c.t_bs[l]);
      }
    }
    for (std::size_t i = 0; i < ctx.n_fixed; ++i) {
      lp[n] = ctx.fixed_loops[i];
      lt[n++] = ctx.t_x[static_cast<std::size_t>(ctx.fixed_loops[i])];
    }

    bufshr_stats st;
    for (auto d : all<data_category>) {
      const data_dim_loops dl = ctx.nld->data_loops[d];
      const std::int64_t buf_fetch = fetch_[regf_][d];
      const std::int64_t mem_fetch = fetch_[gbuf_][d];
      const bool is_ofm = d == data_category::ofm;
      const std::int64_t mem_rounds = is_ofm ? (mem_fetch + 1) / 2 : mem_fetch;

      // The outermost dimension loop of d.
      std::size_t odlp = n;
      for (std::size_t i = 0; i < n; ++i)
        if (dl.contains(static_cast<loop_dim>(lp[i]))) {
          odlp = i;
          break;
        }

      // Rotation rounds: all unrelated factors above the outermost dimension loop.
      std::int64_t rounds = 1;
      if (odlp == n || c.subgrp[d] == 1) {
        rounds = 0;
      } else {
        rounds *= ctx.top_unrelated[d];
        for (std::size_t i = 0; i < odlp; ++i) rounds *= lt[i];
        BP_ASSERT((is_ofm ? (buf_fetch + 1) / 2 : buf_fetch) % rounds == 0);
        BP_ASSERT(rounds % mem_rounds == 0);
      }
      // Data rotating once per gbuf filling are streamed to all nodes instead of stored.
      if (rounds == mem_rounds) rounds = 0;
      st.rot_rounds[d] = rounds;

      // Rotation unit: the adjacent dimension loops from the outermost one inwards.
      std::int64_t units = 1;
      for (std::size_t i = odlp; i < n && dl.contains(static_cast<loop_dim>(lp[i])); ++i) units *= lt[i];
      st.rot_units[d] = units;

      const double width = 1. * static_cast<double>(c.subgrp[d]) / static_cast<double>(units);
      st.wide_widths[d] = width;

      // Wide fetches on every regf filling, except those combined with rotation steps.
      const double wf_once = ctx.bufshr->wide_fetch_once_unchecked(d, c.subgrp[d], width);
      double combined = 0;
      if (is_ofm) {
        // Several wide fetches per rotation step: the last one reads and writes; one only writes.
        if (buf_fetch > 2 * rounds - 1) {
          combined = static_cast<double>(2 * rounds);
        } else {
          BP_ASSERT(buf_fetch == 2 * rounds - 1);
          combined = static_cast<double>(2 * rounds - 1);
        }
      } else {
        combined = static_cast<double>(rounds);
      }
      // The last unit is not rotated, so its wide fetch has nothing to combine with.
      combined *= 1. * static_cast<double>(units - 1) / static_cast<double>(units);
      const double wf = wf_once * (static_cast<double>(buf_fetch) - combined);
      BP_ASSERT(wf > -1e-4);
      st.wide_fetch[d] = wf;

      st.rot_fetch[d] = ctx.bufshr->rotate_all_unchecked(d, c.subgrp[d], static_cast<double>(units)) *
                        static_cast<double>(rounds);
    }
    return st;
  }

  /// Sum of rotation accesses plus sum of wide-fetch accesses over all nodes (the search key).
  static double bufshr_noc_key(const bufshr_context& ctx, const bufshr_stats& st) noexcept {
    double rot = 0, wide = 0;
    for (auto d : all<data_category>) rot += ctx.gbuf_total[d] * st.rot_fetch[d] * ctx.groups[d];
    for (auto d : all<data_category>) wide += ctx.gbuf_total[d] * st.wide_fetch[d] * ctx.groups[d];
    return rot + wide;
  }

  void set_bufshr(const nested_loop_desc& nld, const resource& res, const buf_shr_scheme& bufshr,
                  const options& opt) noexcept {
    if (!opt.hw_gbuf_sharing) return;

    // Bypassed data need no sharing.
    per_data<std::int64_t> sgs = bufshr_subgrp_size_;
    for (auto d : all<data_category>)
      if (data_size(blocking_level::gbuf, d) == 0) sgs[d] = 1;
    bufshr_subgrp_size_ = sgs;
    if (sgs[0] == 1 && sgs[1] == 1 && sgs[2] == 1) return;

    bufshr_context ctx;
    ctx.nld = &nld;
    ctx.bufshr = &bufshr;
    ctx.t_x = bl_ts_[1];
    const loop_order& ord_x = bl_ords_[regf_];

    // The gbuf-level loops inside the outermost of the innermost dimension loops are fixed.
    [[maybe_unused]] int o_inn = -1;
    int o_key = -1;
    for (auto d : all<data_category>) {
      const int l = innermost_dim_loop(nld.data_loops[d], ctx.t_x, ord_x);
      const int key = l < 0 ? -1 : ord_x[static_cast<std::size_t>(l)];
      if (key > o_key) {
        o_key = key;
        o_inn = l;
      }
    }
    for (int pos = 2; pos >= 0; --pos)
      for (auto l : all<loop_dim>)
        if (ctx.t_x[l] > 1 && ord_x[l] == pos) {
          BP_ASSERT(o_inn >= 0);
          if (ord_x[l] < o_key) ctx.fixed_loops[ctx.n_fixed++] = static_cast<int>(l);
        }
    for (auto l : all<loop_dim>) {
      if (ctx.t_x[l] <= 1) continue;
      bool fixed = false;
      for (std::size_t i = 0; i < ctx.n_fixed; ++i) fixed = fixed || ctx.fixed_loops[i] == static_cast<int>(l);
      if (!fixed) ctx.flex_loops[ctx.n_flex++] = static_cast<int>(l);
    }

    for (auto d : all<data_category>) {
      ctx.gbuf_total[d] = nld.total_access_at_of(mem_level::gbuf, d);
      ctx.groups[d] = static_cast<double>(num_nodes_ / bufshr_grp_size_[d]);
      ctx.top_unrelated[d] = nld.data_loops[d].drop_product(bl_ts_[0]);
    }

    // Subgroup candidates: the current sizes, then the minimal sizes for every shrinking order
    // (a Python set: its iteration order decides among equal NoC costs).
    std::array<std::array<std::int64_t, 3>, 6> shrunk{};
    std::array<int, 3> perm{0, 1, 2};
    std::size_t np = 0;
    do {
      const per_data<std::int64_t> m = min_subgroup_size(res, perm);
      shrunk[np++] = {m[0], m[1], m[2]};
    } while (std::next_permutation(perm.begin(), perm.end()));
    std::array<std::array<std::int64_t, 3>, 6> shrunk_set{};
    const std::size_t n_set = detail::py_set_order(shrunk, np, shrunk_set);
    std::array<per_data<std::int64_t>, 7> cands{};
    std::size_t n_cands = 0;
    cands[n_cands++] = sgs;
    for (std::size_t i = 0; i < n_set; ++i) {
      const per_data<std::int64_t> c{{shrunk_set[i][0], shrunk_set[i][1], shrunk_set[i][2]}};
      // A repeated candidate can never be strictly better than its first occurrence.
      bool seen = false;
      for (std::size_t j = 0; j < n_cands; ++j) seen = seen || cands[j] == c;
      if (!seen) cands[n_cands++] = c;
    }

    // Sweep: subgroup sizes x sharing-level factors of the flexible loops x the sharing-level
    // order of its non-trivial loops x the order of the flexible loops at the gbuf level.
    bufshr_candidate best{};
    double best_key = inf;
    bool have_best = false;
    bufshr_candidate c{};
    for (std::size_t ci = 0; ci < n_cands; ++ci) {
      c.subgrp = cands[ci];
      per_loop<std::int64_t> t_tot{{1, 1, 1}};
      for (std::size_t i = 0; i < ctx.n_flex; ++i) {
        const auto l = static_cast<std::size_t>(ctx.flex_loops[i]);
        t_tot[l] = ctx.t_x[l];
      }
      for (std::int64_t f0 = 1; f0 <= t_tot[0]; ++f0) {
        if (t_tot[0] % f0 != 0) continue;
        for (std::int64_t f1 = 1; f1 <= t_tot[1]; ++f1) {
          if (t_tot[1] % f1 != 0) continue;
          for (std::int64_t f2 = 1; f2 <= t_tot[2]; ++f2) {
            if (t_tot[2] % f2 != 0) continue;
            c.t_bs = {{f0, f1, f2}};
            // Sharing level: trivial flexible loops first (ascending), then every permutation
            // of the non-trivial ones.
            std::array<int, 3> trivial{}, nontrivial{};
            std::size_t n_triv = 0, n_nontriv = 0;
            for (std::size_t i = 0; i < ctx.n_flex; ++i) {
              const int l = ctx.flex_loops[i];
              if (c.t_bs[static_cast<std::size_t>(l)] == 1)
                trivial[n_triv++] = l;
              else
                nontrivial[n_nontriv++] = l;
            }
            std::array<int, 3> p_bs = nontrivial;
            do {
              for (std::size_t i = 0; i < n_triv; ++i) c.loops_bs[i] = trivial[i];
              for (std::size_t i = 0; i < n_nontriv; ++i) c.loops_bs[n_triv + i] = p_bs[i];
              std::array<int, 3> p_bot = ctx.flex_loops;
              do {
                c.loops_bot = p_bot;
                const double key = bufshr_noc_key(ctx, bufshr_fetch(ctx, c));
                if (!have_best || key < best_key) {
                  best = c;
                  best_key = key;
                  have_best = true;
                }
              } while (std::next_permutation(p_bot.begin(), p_bot.begin() + static_cast<std::ptrdiff_t>(ctx.n_flex)));
            } while (std::next_permutation(p_bs.begin(), p_bs.begin() + static_cast<std::ptrdiff_t>(n_nontriv)));
          }
        }
      }
    }
    BP_ASSERT(have_best);

    bufshr_subgrp_size_ = best.subgrp;

    // New gbuf-level order: flexible (as chosen) then fixed loops, inner ones get small
    // positions; trivial loops outside, in LoopEnum order.
    loop_order new_ord{{-1, -1, -1}};
    std::int8_t pos = 0;
    std::array<int, 6> outer_to_inner{};
    std::size_t n_oti = 0;
    for (std::size_t i = 0; i < ctx.n_flex; ++i) outer_to_inner[n_oti++] = best.loops_bot[i];
    for (std::size_t i = 0; i < ctx.n_fixed; ++i) outer_to_inner[n_oti++] = ctx.fixed_loops[i];
    for (std::size_t i = n_oti; i-- > 0;) new_ord[static_cast<std::size_t>(outer_to_inner[i])] = pos++;
    for (auto l : all<loop_dim>)
      if (new_ord[l] < 0) new_ord[l] = pos++;
    bl_ords_[regf_] = new_ord;

    // Sharing level order: its non-trivial loops as chosen, the rest outside in LoopEnum order.
    loop_order bs_ord{{-1, -1, -1}};
    pos = 0;
    for (std::size_t i = ctx.n_flex; i-- > 0;) {
      const auto l = static_cast<std::size_t>(best.loops_bs[i]);
      if (best.t_bs[l] > 1) bs_ord[l] = pos++;
    }
    for (auto l : all<loop_dim>)
      if (bs_ord[l] < 0) bs_ord[l] = pos++;
    bufshr_bs_t_ = best.t_bs;
    bufshr_bs_ord_ = bs_ord;

    const bufshr_stats st = bufshr_fetch(ctx, best);
    bufshr_rot_fetch_ = st.rot_fetch;
    bufshr_wide_fetch_ = st.wide_fetch;
    bufshr_rot_round_cnt_ = st.rot_rounds;
    bufshr_rot_unit_cnt_ = st.rot_units;
    bufshr_wide_fetch_width_ = st.wide_widths;
  }

  // -- Data --
  blocking_factors bl_ts_;
  blocking_orders bl_ords_;
  std::int64_t lcnt_ = 0;
  bool valid_ = false;
  bool src_is_dram_ = true;
  bool dst_is_dram_ = true;
  bool filter_pinned_ = false;
  per_data<bool> stored_in_gbuf_{};
  level_data unit_size_{};
  level_data unit_cnt_{};
  level_data fetch_{};
  per_data<std::int64_t> accfwd_reduction_{{1, 1, 1}};
  std::int64_t num_nodes_ = 0;

  double ops_ = 0;
  std::int64_t time_ = 0;
  std::int64_t proc_time_ = 0;
  std::int64_t bus_time_ = 0;
  std::int64_t dram_time_ = 0;
  per_level<per_data<double>> access_ = all_inf();
  per_data<double> remote_gbuf_access_{};
  per_data<double> noc_access_{};

  per_data<std::int64_t> bufshr_grp_size_{{1, 1, 1}};
  per_data<std::int64_t> bufshr_subgrp_size_{{1, 1, 1}};
  per_loop<std::int64_t> bufshr_bs_t_{{1, 1, 1}};
  loop_order bufshr_bs_ord_{{0, 1, 2}};
  per_data<double> bufshr_rot_fetch_{};
  per_data<std::int64_t> bufshr_rot_round_cnt_{};
  per_data<std::int64_t> bufshr_rot_unit_cnt_{{1, 1, 1}};
  per_data<double> bufshr_wide_fetch_{};
  per_data<double> bufshr_wide_fetch_width_{};
};

}  // namespace bp
