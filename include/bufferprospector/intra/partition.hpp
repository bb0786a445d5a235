// bufferprospector/intra/partition.hpp -- intra-layer partitioning over a node region
// (Tangram's nn_dataflow/core/partition.py): which partition schemes to try, which data each
// node processes, and the NoC hops to bring filters, ifmaps and ofmaps to the processing nodes.
//
//   bp::for_each_partition(l, batch, region.dim(), opt, /*guaranteed=*/true,
//                          [&](const bp::partition_scheme& part) { ... });
//   auto hops = bp::unit_nhops_to_proc_region(l, batch, region, part, dram_nodes,
//                                             ifmap_layout, ofmap_layout, opt);
//
// The enumeration order is Tangram's (schedules tie by generation order).
#pragma once

#include <algorithm>  // std::next_permutation, std::stable_sort, std::min, std::max
#include <array>      // std::array
#include <cstdint>    // std::int64_t
#include <limits>     // std::numeric_limits
#include <span>       // std::span
#include <tuple>      // std::tie
#include <vector>     // std::vector

#include <bufferprospector/arch/node_region.hpp>              // bp::node_region
#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                    // bp::parallel_dim, bp::per_data
#include <bufferprospector/core/error.hpp>                    // bp::invalid_layer
#include <bufferprospector/core/fmap_range.hpp>               // bp::fmap_range, bp::int_range
#include <bufferprospector/core/math.hpp>                     // bp::factorizations, bp::approx_dividable
#include <bufferprospector/core/phy_dim2.hpp>                 // bp::phy_dim2
#include <bufferprospector/intra/data_layout.hpp>             // bp::data_layout
#include <bufferprospector/intra/detail/forwarding_tree.hpp>  // detail::multi_source_tree_hops
#include <bufferprospector/intra/partition_scheme.hpp>        // bp::partition_scheme
#include <bufferprospector/options.hpp>                       // bp::options
#include <bufferprospector/workload/layer.hpp>                // bp::layer

namespace bp {

//
// Enumeration (gen_partition)
//

namespace detail {

// The partition dims worth trying, before choosing an order (the filters of gen_partition).
inline bool acceptable_partition_dims(const layer& l, std::int64_t batch, phy_dim2 dim_nodes,
                                      const options& opt, const per_parallel<phy_dim2>& pdims) {
  using P = parallel_dim;
  if (!opt.partition_batch && pdims[P::batp].size() > 1) return false;
  if (batch % pdims[P::batp].size() != 0) return false;

  // Each parallelism except OFMP fills one dimension of the nodes before using the other.
  for (auto pae : all<parallel_dim>) {
    const phy_dim2 pd = pdims[pae];
    if (1 < pd.h && pd.h < dim_nodes.h && 1 < pd.w && pd.w < dim_nodes.w && pae != P::ofmp) return false;
  }

  if (opt.partition_hybrid) {
    // Each split must be approximately even.
    if (!approx_dividable(l.nofm(), pdims[P::outp].size())) return false;
    if (!approx_dividable(l.hofm(), pdims[P::ofmp].h) || !approx_dividable(l.wofm(), pdims[P::ofmp].w))
      return false;
    if (!opt.partition_ifmaps && pdims[P::inpp].size() > 1) return false;
    if (l.is_conv_like()) {
      if (!approx_dividable(l.nifm(), pdims[P::inpp].size())) return false;
    } else if (l.is_local_region()) {
      if (pdims[P::inpp].size() > 1) return false;
    }
  } else {
    BP_ASSERT(!opt.partition_ifmaps);  // options::validate refuses it without partition_hybrid
    if (pdims[P::inpp].size() != 1) return false;
    if (l.hofm() == 1 && l.wofm() == 1) {
      if (pdims[P::ofmp].size() != 1) return false;  // FC: no OFMP
    } else {
      if (pdims[P::outp].size() != 1) return false;  // CONV: no OUTP
    }
  }

  // Without OFMP and with only 1D splits, a scheme and its transpose are equivalent (indices
  // are height-major); keep the one whose heights are not lexicographically larger.
  if (pdims[P::ofmp].size() == 1) {
    bool one_dim = true;
    std::array<std::int64_t, 4> hs{}, ws{};
    for (std::size_t i = 0; i < 4; ++i) {
      one_dim = one_dim && (pdims[i].h == 1 || pdims[i].w == 1);
      hs[i] = pdims[i].h;
      ws[i] = pdims[i].w;
    }
    if (one_dim && hs > ws) return false;
  }
  return true;
}

// Whether `order` is the canonical order for `pdims`: unsplit parallelisms first, in enum order;
// no 1D-in-w level below a 1D-in-h one (except under BATP); BATP on top of the split ones.
inline bool canonical_partition_order(const partition_scheme::order_type& order,
                                      const per_parallel<phy_dim2>& pdims) {
  for (std::size_t i = 0; i + 1 < order.size(); ++i) {
    const parallel_dim pae1 = order[i], pae2 = order[i + 1];
    const phy_dim2 pdim1 = pdims[pae1], pdim2 = pdims[pae2];
    if (pdim1.size() == 1 && pdim2.size() == 1 && pae1 > pae2) return false;
    if (pdim1.size() > 1 && pdim2.size() == 1) return false;
    if (pae1 != parallel_dim::batp && pdim2.h == 1 && pdim2.w > 1 && pdim1.h > 1 && pdim1.w == 1)
      return false;
  }
  std::size_t n_unsplit = 0;
  for (const phy_dim2& pd : pdims) n_unsplit += pd.size() == 1;
  if (pdims[parallel_dim::batp].size() != 1 && order[n_unsplit] != parallel_dim::batp) return false;
  return true;
}

}  // namespace detail

/// Calls fn(const partition_scheme&) for every scheme that splits `l` over `dim_nodes` nodes,
/// in gen_partition's order. With `guaranteed`, a naive scheme (only OFMP, or only OUTP for an
/// FC-shaped layer) is produced when nothing else is.
template <class Fn>
void for_each_partition(const layer& l, std::int64_t batch, phy_dim2 dim_nodes, const options& opt,
                        bool guaranteed, Fn&& fn) {
  bool yielded = false;
  const auto hfactors = factorizations<4>(dim_nodes.h);
  const auto wfactors = factorizations<4>(dim_nodes.w);
  for (const auto& ph : hfactors) {
    for (const auto& pw : wfactors) {
      per_parallel<phy_dim2> pdims;
      for (std::size_t i = 0; i < 4; ++i) pdims[i] = {ph[i], pw[i]};
      if (!detail::acceptable_partition_dims(l, batch, dim_nodes, opt, pdims)) continue;

      partition_scheme::order_type order = all<parallel_dim>;
      do {  // itertools.permutations order: lexicographic
        if (!detail::canonical_partition_order(order, pdims)) continue;
        const partition_scheme part(order, pdims);
        BP_ASSERT(part.dim() == dim_nodes);
        fn(static_cast<const partition_scheme&>(part));
        yielded = true;
      } while (std::next_permutation(order.begin(), order.end()));
    }
  }

  if (guaranteed && !yielded) {
    per_parallel<phy_dim2> pdims;
    pdims.fill({1, 1});
    if (l.hofm() == 1 && l.wofm() == 1)
      pdims[parallel_dim::outp] = dim_nodes;
    else
      pdims[parallel_dim::ofmp] = dim_nodes;
    const partition_scheme part(all<parallel_dim>, pdims);
    fn(static_cast<const partition_scheme&>(part));
  }
}

/// All schemes of for_each_partition, in order.
inline std::vector<partition_scheme> partitions(const layer& l, std::int64_t batch, phy_dim2 dim_nodes,
                                                const options& opt, bool guaranteed) {
  std::vector<partition_scheme> out;
  for_each_partition(l, batch, dim_nodes, opt, guaranteed, [&](const partition_scheme& p) { out.push_back(p); });
  return out;
}

//
// Data of one node (proc_data_range)
//

/// What one node processes: filters (ifmap x ofmap channel ranges; empty without filters), the
/// ifmap range it reads, the ofmap range it produces.
struct proc_data_ranges {
  int_range fil_ifm, fil_ofm;
  fmap_range ifm, ofm;
  friend bool operator==(const proc_data_ranges&, const proc_data_ranges&) = default;
};

/// The data ranges node `pidx` of `part` processes (partition.proc_data_range). The ifmap range
/// is the window of the ofmap range: stride and filter (region) for h and w; for CONV the
/// INPP share of the channels, for a local region the nreg-channel window around the ofmaps.
inline proc_data_ranges proc_data_range(const layer& l, std::int64_t batch, const partition_scheme& part,
                                        const partition_index& pidx) {
  const fmap_range ofrng = part.fmap_range_of({{0, 0, 0, 0}, {batch, l.nofm(), l.hofm(), l.wofm()}}, pidx);
  if (!l.is_conv_like() && !l.is_local_region())
    throw invalid_layer("proc_data_range: " + std::string(to_string(l.kind())) + " processes no data.");

  // xy_i = xy_o * stride + (0 .. window - 1); an empty ofmap range gives an empty ifmap range.
  const auto window = [](int_range o, std::int64_t stride, std::int64_t size) {
    const std::int64_t beg = o.beg * stride;
    return int_range{beg, std::max(beg, (o.end - 1) * stride + size)};
  };
  int_range n;
  if (l.is_conv_like()) {
    const phy_dim2 pi = part.pdim(parallel_dim::inpp);
    const auto [nb, ne] = ith_range(0, l.nifm(), pidx[parallel_dim::inpp].h * pi.w + pidx[parallel_dim::inpp].w,
                                    pi.size());
    n = {nb, ne};
  } else {
    n = {std::max<std::int64_t>(0, ofrng.beg.n - l.nreg() / 2),
         std::min(l.nifm(), ofrng.end.n + l.nreg() - l.nreg() / 2)};
  }
  const int_range h = window(ofrng.h(), l.htrd(), l.hfil());  // hfil() is hreg() for a region
  const int_range w = window(ofrng.w(), l.wtrd(), l.wfil());
  BP_ASSERT(n.end <= l.nifm() && h.end <= l.hifm() && w.end <= l.wifm());

  proc_data_ranges r;
  r.ofm = ofrng;
  r.ifm = {{ofrng.beg.b, n.beg, h.beg, w.beg}, {ofrng.end.b, n.end, h.end, w.end}};
  if (l.is_conv_like()) {
    r.fil_ifm = n;
    r.fil_ofm = ofrng.n();
  }
  return r;
}

//
// NoC hops to the processing region (unit_nhops_to_proc_region)
//

namespace detail {

// One processing node and its data, in gen_pidx order.
struct node_data {
  proc_data_ranges rng;
  phy_dim2 coord;
};

struct nhops_scratch {
  std::vector<node_data> nodes;
  std::vector<std::uint32_t> order;  // indices into nodes, grouped by equal range
  std::vector<phy_dim2> coords;      // the coordinates of one group
};

inline nhops_scratch& unit_nhops_scratch() {
  thread_local nhops_scratch s;
  return s;
}

constexpr auto fmap_range_key(const fmap_range& r) noexcept {
  return std::tie(r.beg.b, r.beg.n, r.beg.h, r.beg.w, r.end.b, r.end.n, r.end.h, r.end.w);
}

// Calls fn(key node, coords of the group) for every group of nodes sharing the same key, the
// coordinates in node order (Tangram's dict of lists). `key` projects node_data to a tuple;
// `select` filters the nodes. All groups have the same size (Tangram asserts it).
template <class Key, class Select, class Fn>
void for_each_group(nhops_scratch& s, Key key, Select select, Fn fn) {
  s.order.clear();
  for (std::uint32_t i = 0; i < s.nodes.size(); ++i)
    if (select(s.nodes[i])) s.order.push_back(i);
  std::stable_sort(s.order.begin(), s.order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return key(s.nodes[a]) < key(s.nodes[b]); });
  [[maybe_unused]] std::size_t group_size = 0;
  for (std::size_t i = 0; i < s.order.size();) {
    const node_data& head = s.nodes[s.order[i]];
    s.coords.clear();
    std::size_t j = i;
    for (; j < s.order.size() && !(key(head) < key(s.nodes[s.order[j]])); ++j)
      s.coords.push_back(s.nodes[s.order[j]].coord);
    BP_ASSERT(group_size == 0 || group_size == s.coords.size());
    group_size = s.coords.size();
    fn(head, std::span<const phy_dim2>(s.coords));
    i = j;
  }
}

}  // namespace detail

/// Word-hops to bring each data category once to the nodes of `proc_region` that process it
/// under `part` (partition.unit_nhops_to_proc_region). Filters come from the nearest of
/// `filter_nodes` (the distinct DRAM nodes); ifmaps from `ifmap_layout`; ofmaps are read from
/// and accumulated back to `ofmap_layout` (nothing when they stay where they are produced).
/// With access forwarding each piece of data is fetched by one node and passed along a
/// min-distance tree; partial ofmaps of INPP nodes meet at one node.
inline per_data<std::int64_t> unit_nhops_to_proc_region(const layer& l, std::int64_t batch,
                                                         const node_region& proc_region,
                                                         const partition_scheme& part,
                                                         std::span<const phy_dim2> filter_nodes,
                                                         const data_layout& ifmap_layout,
                                                         const data_layout& ofmap_layout, const options& opt) {
  using D = data_category;
  auto& s = detail::unit_nhops_scratch();
  s.nodes.clear();
  part.for_each_pidx([&](const partition_index& pidx) {
    s.nodes.push_back({proc_data_range(l, batch, part, pidx), part.coordinate(proc_region, pidx)});
  });
  const auto busy = [](const detail::node_data& n) { return n.rng.ifm.size() > 0 && n.rng.ofm.size() > 0; };
  const bool fwd = opt.forwarding();
  per_data<std::int64_t> nhops{};

  // Filters: read-only, replicated in every filter node; each node fetches from the nearest.
  detail::for_each_group(
      s, [](const detail::node_data& n) { return std::tie(n.rng.fil_ifm.beg, n.rng.fil_ifm.end, n.rng.fil_ofm.beg, n.rng.fil_ofm.end); },
      [&](const detail::node_data& n) { return busy(n) && !n.rng.fil_ifm.empty() && !n.rng.fil_ofm.empty(); },
      [&](const detail::node_data& head, std::span<const phy_dim2> coords) {
        const std::int64_t fil_size = head.rng.fil_ifm.size() * head.rng.fil_ofm.size() * l.filter_size();
        if (fwd) {
          nhops[D::fil] += fil_size * detail::multi_source_tree_hops(filter_nodes, coords);
        } else {
          for (const phy_dim2& c : coords) {
            std::int64_t nearest = std::numeric_limits<std::int64_t>::max();
            for (const phy_dim2& f : filter_nodes) nearest = std::min(nearest, c.hop_dist(f));
            nhops[D::fil] += fil_size * nearest;
          }
        }
      });

  detail::for_each_group(
      s, [](const detail::node_data& n) { return detail::fmap_range_key(n.rng.ifm); }, busy,
      [&](const detail::node_data& head, std::span<const phy_dim2> coords) {
        nhops[D::ifm] += ifmap_layout.nhops_to(head.rng.ifm, coords, fwd);
      });

  const auto& opieces = ofmap_layout.pieces();
  const bool ofmaps_stay = opieces.size() == 1 && opieces[0].part == part && opieces[0].region == proc_region;
  if (!ofmaps_stay) {
    detail::for_each_group(
        s, [](const detail::node_data& n) { return detail::fmap_range_key(n.rng.ofm); }, busy,
        [&](const detail::node_data& head, std::span<const phy_dim2> coords) {
          const fmap_range& ofrng = head.rng.ofm;
          if (fwd) {
            // The closest node reads the partial ofmaps; the accumulation follows the reversed
            // forwarding tree; the memory-to-first-node path is in both and counted once.
            const auto hops = ofmap_layout.summarize_hops(ofrng, coords);
            const std::int64_t read = hops.min;
            const std::int64_t accum =
                hops.min + ofmap_layout.complete_fmap_range().overlap_size(ofrng) * detail::spanning_tree_hops(coords);
            nhops[D::ofm] += idivc(read + accum, 2);
          } else {
            // The middle node reads from memory; the others send it their partial sums.
            const std::size_t mid = coords.size() / 2;
            for (std::size_t i = 0; i < coords.size(); ++i) {
              if (i == mid)
                nhops[D::ofm] += ofmap_layout.nhops_to(ofrng, coords[i]);
              else
                nhops[D::ofm] += idivc(ofrng.size() * coords[i].hop_dist(coords[mid]), 2);
            }
          }
        });
  }
  return nhops;
}

}  // namespace bp
