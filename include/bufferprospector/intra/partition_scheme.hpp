// bufferprospector/intra/partition_scheme.hpp -- how one layer is split over the nodes of a region
// (Tangram's PartitionScheme, nn_dataflow/core/partition_scheme.py).
//
// Four kinds of parallelism, each with a 2D factor: OUTP (output channels), OFMP (ofmap tiles),
// BATP (batch), INPP (input channels). `order` lists them from the top level of the node array to
// the bottom; a partition index `pidx` gives each node its position per parallelism.
#pragma once

#include <array>    // std::array
#include <cstdint>  // std::int64_t
#include <limits>   // std::numeric_limits
#include <utility>  // std::pair

#include <bufferprospector/arch/node_region.hpp>  // bp::node_region
#include <bufferprospector/core/enums.hpp>        // bp::parallel_dim, bp::per_parallel
#include <bufferprospector/core/fmap_range.hpp>   // bp::fmap_range
#include <bufferprospector/core/math.hpp>         // bp::idivc, bp::ith_range
#include <bufferprospector/core/phy_dim2.hpp>     // bp::phy_dim2
#include <bufferprospector/intra/matmul.hpp>      // bp::matmul_part_layer
#include <bufferprospector/workload/layer.hpp>    // bp::layer

namespace bp {

/// A node's index within each parallelism.
using partition_index = per_parallel<phy_dim2>;

/// A 2D distance with fractional (averaged) or infinite components.
struct real_dim2 {
  double h = 0;
  double w = 0;
};

/// The layer a single node computes after partitioning (PartitionScheme.part_layer).
struct partitioned_layer {
  layer l;
  std::int64_t batch;
  double occupancy;  ///< useful ops / ops of the padded per-node layers, <= 1
};

class partition_scheme {
 public:
  using order_type = std::array<parallel_dim, 4>;

  constexpr partition_scheme(const order_type& order, const per_parallel<phy_dim2>& pdims) noexcept
      : order_(order), pdims_(pdims) {}

  constexpr const order_type& order() const noexcept { return order_; }
  constexpr const per_parallel<phy_dim2>& pdims() const noexcept { return pdims_; }
  constexpr phy_dim2 pdim(parallel_dim p) const noexcept { return pdims_[p]; }

  /// Product of all partition dims (PartitionScheme.dim()).
  constexpr phy_dim2 dim() const noexcept {
    phy_dim2 d{1, 1};
    for (const auto& p : pdims_) d = d * p;
    return d;
  }
  constexpr std::int64_t size() const noexcept { return dim().size(); }
  constexpr std::int64_t size(parallel_dim p) const noexcept { return pdims_[p].size(); }

  /// Calls fn(const partition_index&) for every node, in gen_pidx's order (OUTP outermost; h
  /// before w within each parallelism).
  template <class Fn>
  constexpr void for_each_pidx(Fn&& fn) const {
    partition_index idx{};
    for_each_pidx_rec(0, idx, fn);
  }

  /// Absolute node of a partition index in `region` (PartitionScheme.coordinate).
  constexpr phy_dim2 coordinate(const node_region& region, const partition_index& pidx) const noexcept {
    phy_dim2 c{0, 0};
    for (auto p : order_) c = c * pdims_[p] + pidx[p];
    return region.rel2abs(c);
  }

  /// The part of `frng` that node `pidx` holds (PartitionScheme.fmap_range): BATP splits b,
  /// OUTP splits n, OFMP tiles h and w.
  constexpr fmap_range fmap_range_of(const fmap_range& frng, const partition_index& pidx) const noexcept {
    const phy_dim2 pb = pdims_[parallel_dim::batp], po = pdims_[parallel_dim::outp],
                   pf = pdims_[parallel_dim::ofmp];
    const auto [b0, b1] = ith_range(frng.beg.b, frng.end.b, pidx[parallel_dim::batp].h * pb.w +
                                                                pidx[parallel_dim::batp].w, pb.size());
    const auto [n0, n1] = ith_range(frng.beg.n, frng.end.n, pidx[parallel_dim::outp].h * po.w +
                                                                pidx[parallel_dim::outp].w, po.size());
    const auto [h0, h1] = ith_range(frng.beg.h, frng.end.h, pidx[parallel_dim::ofmp].h, pf.h);
    const auto [w0, w1] = ith_range(frng.beg.w, frng.end.w, pidx[parallel_dim::ofmp].w, pf.w);
    return {{b0, n0, h0, w0}, {b1, n1, h1, w1}};
  }

  /// Whether only BATP, OUTP and OFMP are used (so the scheme can describe an fmap layout).
  constexpr bool is_applicable_to_fmap_range() const noexcept {
    return size() == pdims_[parallel_dim::batp].size() * pdims_[parallel_dim::outp].size() *
                         pdims_[parallel_dim::ofmp].size();
  }

  /// The layer, batch and occupancy of one node (PartitionScheme.part_layer). With
  /// `full_eltwise_inputs` false (Tangram), a partitioned local-region layer has ntrd = 1, so an
  /// N-input eltwise is charged one input channel per output channel (model note 2.8). A matmul
  /// stays a matmul with the groups of its largest OUTP part (intra/matmul.hpp).
  partitioned_layer part_layer(const layer& l, std::int64_t batch, bool full_eltwise_inputs = false) const {
    const std::int64_t p_nofm = idivc(l.nofm(), size(parallel_dim::outp));
    const size2 p_ofm{idivc(l.hofm(), pdims_[parallel_dim::ofmp].h), idivc(l.wofm(), pdims_[parallel_dim::ofmp].w)};
    const size2 strd{l.htrd(), l.wtrd()};
    const std::int64_t p_batch = idivc(batch, size(parallel_dim::batp));
    layer p = l;
    if (l.kind() == layer_kind::matmul) {
      p = matmul_part_layer(l, size(parallel_dim::outp), size(parallel_dim::inpp), p_ofm);
    } else if (l.is_conv_like()) {
      const std::int64_t p_nifm = idivc(l.nifm(), size(parallel_dim::inpp));
      p = layers::conv{.nifm = p_nifm, .nofm = p_nofm, .sofm = p_ofm, .sfil = {l.hfil(), l.wfil()}, .strd = strd};
    } else {
      BP_ASSERT(size(parallel_dim::inpp) == 1);  // gen_partition never splits ifmaps of LR layers
      p = layers::local_region{.nofm = p_nofm, .sofm = p_ofm, .nreg = l.nreg(), .sreg = {l.hreg(), l.wreg()},
                               .ntrd = full_eltwise_inputs ? l.ntrd() : 1, .strd = strd};
    }
    const double occ = 1.0 * static_cast<double>(l.total_ops(batch)) /
                       static_cast<double>(p.total_ops(p_batch) * size());
    return {p, p_batch, occ};
  }

  /// Average hop distance between logically adjacent nodes of parallelism `pae`, per dimension
  /// (PartitionScheme.part_neighbor_dist); infinite where there is no neighbor.
  real_dim2 part_neighbor_dist(const node_region& region, parallel_dim pae) const {
    // Tangram averages over every node and its neighbor one step lower in `pae`. Without
    // visiting the nodes: the relative coordinate is mixed-radix in the order (stride of `pae`
    // = product of the dims below it), so that step moves the relative coordinate by exactly
    // one stride. Along h, rel2abs is linear for a fixed w (folding depends on w only): every
    // pair is stride.h * dist.h apart. Along w, the distance depends only on the relative w
    // (a fold turns between columns, whatever the row): sum over the columns, times the rows.
    // The sums are the same integers as Tangram's, so the averages are bit-identical.
    phy_dim2 stride{1, 1};
    for (std::size_t i = order_.size(); i-- > 0 && order_[i] != pae;) stride = stride * pdims_[order_[i]];
    const phy_dim2 whole = dim(), pd = pdims_[pae];

    const std::int64_t hcnt = pd.h > 1 ? whole.size() / pd.h * (pd.h - 1) : 0;
    const std::int64_t hhop = stride.h * (region.dist().h < 0 ? -region.dist().h : region.dist().h);
    std::int64_t wcols = 0, wsum = 0;
    for (std::int64_t rw = stride.w; pd.w > 1 && rw < whole.w; ++rw) {
      if ((rw / stride.w) % pd.w == 0) continue;  // first in `pae` along w: no lower neighbor
      ++wcols;
      wsum += region.rel2abs({0, rw}).hop_dist(region.rel2abs({0, rw - stride.w}));
    }
    const std::int64_t wcnt = wcols * whole.h;

    const double infd = std::numeric_limits<double>::infinity();
    return {hcnt ? 1.0 * static_cast<double>(hcnt * hhop) / static_cast<double>(hcnt) : infd,
            wcnt ? 1.0 * static_cast<double>(wsum * whole.h) / static_cast<double>(wcnt) : infd};
  }

  /// part_neighbor_dist as Tangram computes it, node by node (the reference for tests).
  real_dim2 part_neighbor_dist_by_nodes(const node_region& region, parallel_dim pae) const {
    double hsum = 0, wsum = 0;
    std::int64_t hcnt = 0, wcnt = 0;
    for_each_pidx([&](const partition_index& pidx) {
      const phy_dim2 coord = coordinate(region, pidx);
      if (pidx[pae].h > 0) {
        partition_index ph = pidx;
        ph[pae].h -= 1;
        hsum += static_cast<double>(coord.hop_dist(coordinate(region, ph)));
        ++hcnt;
      }
      if (pidx[pae].w > 0) {
        partition_index pw = pidx;
        pw[pae].w -= 1;
        wsum += static_cast<double>(coord.hop_dist(coordinate(region, pw)));
        ++wcnt;
      }
    });
    const double infd = std::numeric_limits<double>::infinity();
    return {hcnt ? 1.0 * hsum / static_cast<double>(hcnt) : infd, wcnt ? 1.0 * wsum / static_cast<double>(wcnt) : infd};
  }

  /// The scheme adapted to another region (PartitionScheme.projection): same order, the top
  /// fmap-applicable level (BATP) stretched or levels shrunk from the top. With `appl2frng`,
  /// the parallelisms that cannot describe an fmap layout (INPP) are dropped first.
  partition_scheme projection(const node_region& region, bool appl2frng = false) const {
    per_parallel<phy_dim2> pd = pdims_;
    if (appl2frng) pd[parallel_dim::inpp] = {1, 1};
    phy_dim2 part_dim{1, 1};
    for (const auto& p : pd) part_dim = part_dim * p;
    const phy_dim2 region_dim = region.dim();
    for (int di = 0; di < 2; ++di) {
      const auto get = [di](phy_dim2& d) -> std::int64_t& { return di == 0 ? d.h : d.w; };
      const std::int64_t pdv = di == 0 ? part_dim.h : part_dim.w;
      std::int64_t rd = di == 0 ? region_dim.h : region_dim.w;
      if (rd > pdv) {
        get(pd[parallel_dim::batp]) *= rd / pdv;  // extend the top applicable level
      } else {
        for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
          std::int64_t& v = get(pd[*it]);
          if (rd >= v) {
            rd /= v;
          } else {
            v = rd;
            rd = 1;
          }
        }
      }
    }
    return partition_scheme(order_, pd);
  }

  friend constexpr bool operator==(const partition_scheme&, const partition_scheme&) = default;

 private:
  template <class Fn>
  constexpr void for_each_pidx_rec(std::size_t level, partition_index& idx, Fn& fn) const {
    if (level == 4) {
      fn(static_cast<const partition_index&>(idx));
      return;
    }
    const phy_dim2 d = pdims_[level];
    for (std::int64_t h = 0; h < d.h; ++h)
      for (std::int64_t w = 0; w < d.w; ++w) {
        idx[level] = {h, w};
        for_each_pidx_rec(level + 1, idx, fn);
      }
  }

  order_type order_;
  per_parallel<phy_dim2> pdims_;
};

}  // namespace bp
