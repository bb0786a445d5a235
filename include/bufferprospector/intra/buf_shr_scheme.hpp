// bufferprospector/intra/buf_shr_scheme.hpp -- which nodes share one gbuf copy of each data
// category, and what moving shared data between them costs in NoC hops (Tangram's BufShrScheme,
// nn_dataflow/core/buf_shr_scheme.py).
//
// Nodes that a partitioning gives the same data (e.g. all OUTP nodes read the same ifmaps) form
// a buffer-sharing group. With gbuf sharing, a group keeps one distributed copy: each node of a
// subgroup of M nodes holds 1/M of it, and the pieces either rotate around the subgroup (rotation)
// or are read remotely (wide fetch). The hop counts are relative to the unique data size.
//
//   bp::buf_shr_scheme bs(res.proc_region, part, nld.data_loops);
//   bs.size(bp::data_category::ifm);                       // nodes sharing one ifmap copy
//   bs.nhops_rotate_all(bp::data_category::ifm, 4, 2);     // hops of one rotation round
#pragma once

#include <cmath>    // std::ceil, std::isinf, std::isnan
#include <cstdint>  // std::int64_t
#include <string>   // std::to_string
#include <vector>   // std::vector

#include <bufferprospector/arch/node_region.hpp>         // bp::node_region
#include <bufferprospector/config.hpp>                   // BP_ASSERT
#include <bufferprospector/core/enums.hpp>               // bp::per_data, bp::per_loop
#include <bufferprospector/core/error.hpp>               // bp::invalid_option, bp::invalid_spec
#include <bufferprospector/core/format.hpp>              // bp::python_repr
#include <bufferprospector/core/math.hpp>                // bp::inf
#include <bufferprospector/core/phy_dim2.hpp>            // bp::phy_dim2
#include <bufferprospector/intra/partition_scheme.hpp>   // bp::partition_scheme, bp::real_dim2
#include <bufferprospector/workload/data_loops.hpp>      // bp::data_dim_loops

namespace bp {

class buf_shr_scheme {
 public:
  /// The sharing groups of `part` in `proc_region` for data indexed by `data_loops`. Throws
  /// bp::invalid_spec when the partitioning does not fit in the region. `rotation_tables`:
  /// tabulate the hops of a rotation step per subgroup size up front (worth it when many
  /// loop blockings are priced with gbuf sharing; without, each hop query computes its step).
  buf_shr_scheme(const node_region& proc_region, const partition_scheme& part,
                 const per_data<data_dim_loops>& data_loops, bool rotation_tables = true) {
    const phy_dim2 pdim = part.dim();
    if (pdim.h > proc_region.dim().h || pdim.w > proc_region.dim().w)
      throw invalid_spec("BufShrScheme: partitioning scheme does not fit in the node region (part dim " +
                         std::to_string(pdim.h) + "x" + std::to_string(pdim.w) + " vs region dim " +
                         std::to_string(proc_region.dim().h) + "x" + std::to_string(proc_region.dim().w) +
                         ").");

    // The node group (and neighbor distance) of each loop: the nodes along the parallelism that
    // splits that loop's dimension fetch the same data of the categories not indexed by it.
    per_loop<phy_dim2> loop_dims{};
    loop_dims.fill(phy_dim2{1, 1});
    per_loop<real_dim2> loop_dists{};
    const auto dist_of = [&](parallel_dim p) { return part.part_neighbor_dist(proc_region, p); };

    // BAT corresponds to both OFMP and BATP (the nodes of either hold different ofmap parts).
    const std::int64_t idx_ofmp = position_in_order(part, parallel_dim::ofmp);
    const std::int64_t idx_batp = position_in_order(part, parallel_dim::batp);
    const phy_dim2 dim_ofmp = part.pdim(parallel_dim::ofmp), dim_batp = part.pdim(parallel_dim::batp);
    if (dim_ofmp.size() == 1) {
      loop_dims[loop_dim::bat] = dim_batp;
      loop_dists[loop_dim::bat] = dist_of(parallel_dim::batp);
    } else if (dim_batp.size() == 1) {
      loop_dims[loop_dim::bat] = dim_ofmp;
      loop_dists[loop_dim::bat] = dist_of(parallel_dim::ofmp);
    } else if (idx_ofmp - idx_batp == 1 || idx_batp - idx_ofmp == 1) {
      // Adjacent in the partitioning hierarchy: one group over both, nearest neighbor wins.
      loop_dims[loop_dim::bat] = dim_batp * dim_ofmp;
      const real_dim2 a = dist_of(parallel_dim::ofmp), b = dist_of(parallel_dim::batp);
      loop_dists[loop_dim::bat] = {a.h < b.h ? a.h : b.h, a.w < b.w ? a.w : b.w};
    } else {
      // Not adjacent: the bottom one (smaller distance).
      const parallel_dim bottom = idx_ofmp > idx_batp ? parallel_dim::ofmp : parallel_dim::batp;
      loop_dims[loop_dim::bat] = part.pdim(bottom);
      loop_dists[loop_dim::bat] = dist_of(bottom);
    }
    loop_dims[loop_dim::ofm] = part.pdim(parallel_dim::outp);
    loop_dists[loop_dim::ofm] = dist_of(parallel_dim::outp);
    loop_dims[loop_dim::ifm] = part.pdim(parallel_dim::inpp);
    loop_dists[loop_dim::ifm] = dist_of(parallel_dim::inpp);

    // Data of category d is shared by the nodes of its first unrelated loop (LoopEnum order).
    for (auto d : all<data_category>) {
      dims_[d] = {1, 1};
      nbr_dists_[d] = {inf, inf};
      for (auto l : all<loop_dim>) {
        if (data_loops[d].contains(l)) continue;
        dims_[d] = loop_dims[l];
        nbr_dists_[d] = loop_dists[l];
        break;
      }
      BP_ASSERT(!std::isnan(nbr_dists_[d].h) && (!std::isinf(nbr_dists_[d].h) || dims_[d].h == 1));
      BP_ASSERT(!std::isnan(nbr_dists_[d].w) && (!std::isinf(nbr_dists_[d].w) || dims_[d].w == 1));
      // Per-step hops of a rotation depend only on the subgroup size: tabulate them once.
      if (!rotation_tables) continue;
      const std::int64_t n = dims_[d].size();
      step_hops_[d].resize(static_cast<std::size_t>(n));
      for (std::int64_t s = 1; s <= n; ++s) step_hops_[d][static_cast<std::size_t>(s - 1)] = compute_step_hops(d, s);
    }
  }

  // Adjustments beyond Tangram's rule (the data loops alone), for a model that knows more about
  // which nodes hold the same data (intra/matmul.hpp).

  /// `d` is shared by the nodes of parallelism `pae` of `part` in `proc_region` (a matmul's
  /// operand: by the OFMP nodes, although it varies with every loop).
  void share_by(data_category d, const node_region& proc_region, const partition_scheme& part, parallel_dim pae) {
    dims_[d] = part.pdim(pae);
    nbr_dists_[d] = part.part_neighbor_dist(proc_region, pae);
    tabulate(d);
  }

  /// `d` is not shared at all (a grouped matmul's OUTP nodes read the inputs of other groups).
  void unshare(data_category d) {
    dims_[d] = {1, 1};
    nbr_dists_[d] = {inf, inf};
    tabulate(d);
  }

  /// Dimensions of the sharing group of `d` (BufShrScheme.dim).
  phy_dim2 dim(data_category d) const noexcept { return dims_[d]; }
  /// Nodes sharing one copy of `d` (BufShrScheme.size).
  std::int64_t size(data_category d) const noexcept { return dims_[d].size(); }
  /// Average hop distance between logically adjacent group members (inf: no neighbor).
  real_dim2 nbr_dist(data_category d) const noexcept { return nbr_dists_[d]; }

  /// Hops of one full rotation round of `d` over subgroups of `subgrp_size` nodes, with
  /// `rotation_unit_cnt` rotation units (default: one per node), relative to the unique data
  /// size and summed over all subgroups (BufShrScheme.nhops_rotate_all).
  double nhops_rotate_all(data_category d, std::int64_t subgrp_size) const {
    check_subgroup(d, subgrp_size);
    return rotate_all_unchecked(d, subgrp_size, static_cast<double>(subgrp_size));
  }
  double nhops_rotate_all(data_category d, std::int64_t subgrp_size, std::int64_t rotation_unit_cnt) const {
    check_subgroup(d, subgrp_size);
    if (rotation_unit_cnt < 1)
      throw invalid_option("BufShrScheme: rotation_unit_cnt = " + std::to_string(rotation_unit_cnt) +
                           " must be >= 1.");
    return rotate_all_unchecked(d, subgrp_size, static_cast<double>(rotation_unit_cnt));
  }

  /// Hops for all nodes of the group to read `fetch_width` / subgrp_size of the data remotely
  /// from their upstream neighbors (BufShrScheme.nhops_wide_fetch_once).
  double nhops_wide_fetch_once(data_category d, std::int64_t subgrp_size, double fetch_width) const {
    if (fetch_width <= 1) return 0;
    if (fetch_width > static_cast<double>(subgrp_size))
      throw invalid_option("BufShrScheme: fetch width is larger than subgroup size. " + python_repr(fetch_width) +
                           " vs. " + std::to_string(subgrp_size) + ".");
    check_subgroup(d, subgrp_size);
    return wide_fetch_once_unchecked(d, subgrp_size, fetch_width);
  }

  // Unchecked versions for the loop-blocking hot path (arguments come from the model itself).

  /// `rotation_units` is the rotation unit count (subgrp_size when not given).
  double rotate_all_unchecked(data_category d, std::int64_t subgrp_size, double rotation_units) const noexcept {
    BP_ASSERT(subgrp_size >= 1 && subgrp_size <= size(d));
    // A rotation stops once the last unit reaches the start of the first node buffer.
    const double ratio = 1. * static_cast<double>(subgrp_size) / rotation_units;
    const double skipped_steps = ratio > 1 ? ratio : 1.0;
    const double steps = static_cast<double>(subgrp_size) - skipped_steps;
    const double step_hops = step_hops_[d].empty() ? compute_step_hops(d, subgrp_size)
                                                   : step_hops_[d][static_cast<std::size_t>(subgrp_size - 1)];
    return step_hops * steps *
           (1. / static_cast<double>(subgrp_size)) * static_cast<double>(size(d) / subgrp_size);
  }

  double wide_fetch_once_unchecked(data_category d, std::int64_t subgrp_size, double fetch_width) const noexcept {
    if (fetch_width <= 1) return 0;
    BP_ASSERT(fetch_width <= static_cast<double>(subgrp_size));
    const double per_step = rotate_all_unchecked(d, subgrp_size, static_cast<double>(subgrp_size)) /
                            static_cast<double>(subgrp_size - 1);
    // Steps 0 + 1 + ... + (cw - 1), less the part of the last node beyond the width.
    const auto cw = static_cast<std::int64_t>(std::ceil(fetch_width - 1e-6));
    const double total_steps = static_cast<double>((cw - 1) * cw) / 2 -
                               static_cast<double>(cw - 1) * (static_cast<double>(cw) - fetch_width);
    return per_step * total_steps / fetch_width;
  }

  friend bool operator==(const buf_shr_scheme& a, const buf_shr_scheme& b) noexcept {
    for (auto d : all<data_category>)
      if (a.dims_[d] != b.dims_[d] || !same_dist(a.nbr_dists_[d], b.nbr_dists_[d])) return false;
    return true;
  }

 private:
  static std::int64_t position_in_order(const partition_scheme& part, parallel_dim p) noexcept {
    for (std::size_t i = 0; i < part.order().size(); ++i)
      if (part.order()[i] == p) return static_cast<std::int64_t>(i);
    BP_ASSERT(false);
    return -1;
  }

  static bool same_dist(real_dim2 a, real_dim2 b) noexcept { return a.h == b.h && a.w == b.w; }

  // Re-tabulates the rotation step hops of `d` after its group changed (if they were tabulated).
  void tabulate(data_category d) {
    if (step_hops_[d].empty()) return;
    const std::int64_t n = dims_[d].size();
    step_hops_[d].resize(static_cast<std::size_t>(n));
    for (std::int64_t s = 1; s <= n; ++s) step_hops_[d][static_cast<std::size_t>(s - 1)] = compute_step_hops(d, s);
  }

  void check_subgroup(data_category d, std::int64_t subgrp_size) const {
    if (subgrp_size < 1 || subgrp_size > size(d))
      throw invalid_option("BufShrScheme: subgroup is larger than group. " + std::to_string(subgrp_size) +
                           " vs. " + std::to_string(size(d)) + ".");
  }

  /// Hops along a snake through the subgroup (each node to its right neighbor) plus the hops of
  /// the last holder back to the first: the cost of one rotation step over all nodes.
  double compute_step_hops(data_category d, std::int64_t subgrp_size) const noexcept {
    // Subgroup dims: round the size up to a factor of the group size; use as much of the
    // smaller-distance dimension as possible; rotate along it first.
    const std::int64_t group = size(d);
    std::int64_t true_size = subgrp_size;
    while (group % true_size != 0) ++true_size;
    const real_dim2 nd = nbr_dists_[d];
    const int idx_sm = nd.h <= nd.w ? 0 : 1;
    const int idx_pr = idx_sm;
    const std::int64_t dim_sm = idx_sm == 0 ? dims_[d].h : dims_[d].w;
    std::int64_t along_sm = 1;
    for (std::int64_t f = 1; f <= dim_sm; ++f)
      if (dim_sm % f == 0 && f > along_sm && true_size % f == 0) along_sm = f;
    const std::int64_t along_lg = true_size / along_sm;
    const std::int64_t d_pr = along_sm, d_npr = along_lg;  // priority dimension = smaller distance

    // 1. Every node sends to its right neighbor: (d_pr - 1) * d_npr hops along the priority
    //    dimension and d_npr - 1 along the other.
    const std::int64_t n_pr = (d_pr - 1) * d_npr;
    const std::int64_t n_npr = d_npr - 1;
    const double nbr = scaled_hops(d, idx_pr == 0 ? n_pr : n_npr, idx_pr == 0 ? n_npr : n_pr);

    // 2. The (M-1)-th node loops back to the 0-th node (snake coordinate of index M-1).
    const std::int64_t index = subgrp_size - 1;
    const std::int64_t c_npr = index / d_pr;
    std::int64_t c_pr = index % d_pr;
    BP_ASSERT(c_npr < d_npr);
    if (c_npr % 2 == 1) c_pr = d_pr - 1 - c_pr;
    const double lpbk = idx_pr == 0 ? scaled_hops(d, c_pr, c_npr) : scaled_hops(d, c_npr, c_pr);
    return nbr + lpbk;
  }

  /// Hops from (0, 0) to a relative subgroup coordinate, scaled by the neighbor distances.
  double scaled_hops(data_category d, std::int64_t ch, std::int64_t cw) const noexcept {
    const double dh = ch != 0 ? static_cast<double>(ch) * nbr_dists_[d].h : 0.0;
    const double dw = cw != 0 ? static_cast<double>(cw) * nbr_dists_[d].w : 0.0;
    BP_ASSERT(!std::isinf(dh) && !std::isnan(dh) && !std::isinf(dw) && !std::isnan(dw));
    return std::abs(dh) + std::abs(dw);
  }

  per_data<phy_dim2> dims_{};
  per_data<real_dim2> nbr_dists_{};
  per_data<std::vector<double>> step_hops_{};  // index: subgroup size - 1; empty: not tabulated
};

}  // namespace bp
