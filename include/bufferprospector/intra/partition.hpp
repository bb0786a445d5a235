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
#include <optional>   // std::optional
#include <span>       // std::span
#include <string>     // std::string, std::to_string
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
#include <bufferprospector/intra/matmul.hpp>                  // bp::matmul_groups_touched
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
    if (l.kind() == layer_kind::matmul) {
      // INPP splits each group's inputs; a node's inputs stay one channel range only if its
      // outputs lie in one group (intra/matmul.hpp).
      if (!approx_dividable(matmul_inputs_per_group(l), pdims[P::inpp].size())) return false;
      if (pdims[P::inpp].size() > 1 && matmul_max_groups_per_part(l, pdims[P::outp].size()) > 1) return false;
    } else if (l.is_conv_like()) {
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
/// ifmap range it reads, the ofmap range it produces. A matmul's second operand also varies with
/// the sample: `fil_bat` is its sample range and `fil_ifm` the node's share of each group's
/// inputs (relative to the group); `fil_bat` is empty for weights.
struct proc_data_ranges {
  int_range fil_ifm, fil_ofm;
  fmap_range ifm, ofm;
  int_range fil_bat;
  friend bool operator==(const proc_data_ranges&, const proc_data_ranges&) = default;
};

/// Words of filter data (or matmul operand) in `r`.
inline std::int64_t filter_volume(const layer& l, const proc_data_ranges& r) noexcept {
  const std::int64_t v = r.fil_ifm.size() * r.fil_ofm.size() * l.filter_size();
  return l.kind() == layer_kind::matmul ? v * r.fil_bat.size() : v;
}

/// The data ranges node `pidx` of `part` processes (partition.proc_data_range). The ifmap range
/// is the window of the ofmap range: stride and filter (region) for h and w; for CONV the
/// INPP share of the channels, for a local region the nreg-channel window around the ofmaps,
/// for a matmul the inputs (INPP share) of the groups its ofmap channels belong to.
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
  int_range fil_ifm;  // matmul: the INPP share of each group's inputs
  if (l.kind() == layer_kind::matmul) {
    const std::int64_t ci = matmul_inputs_per_group(l);
    const phy_dim2 pi = part.pdim(parallel_dim::inpp);
    const auto [ib, ie] = ith_range(0, ci, pidx[parallel_dim::inpp].h * pi.w + pidx[parallel_dim::inpp].w, pi.size());
    fil_ifm = {ib, ie};
    // The inputs of the groups [g.beg, g.end); with INPP the node's outputs lie in one group.
    const int_range g = matmul_groups_touched(l, ofrng.n());
    BP_ASSERT(g.size() <= 1 || pi.size() == 1);  // acceptable_partition_dims
    n = g.empty() ? int_range{0, 0} : int_range{g.beg * ci + ib, (g.end - 1) * ci + ie};
  } else if (l.is_conv_like()) {
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
  if (l.kind() == layer_kind::matmul) {
    r.fil_ifm = fil_ifm;
    r.fil_ofm = ofrng.n();
    r.fil_bat = ofrng.b();
  } else if (l.is_conv_like()) {
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

// Nodes that process the same data (Tangram's dict from a data range to the list of nodes):
// groups in increasing order of their range, each with its nodes in gen_pidx order.
struct node_groups {
  struct group {
    std::uint32_t head;        // index of the first node of the group
    std::uint32_t begin, end;  // its coordinates: coords[begin, end)
  };
  std::vector<group> groups;
  std::vector<phy_dim2> coords;

  std::span<const phy_dim2> coords_of(const group& g) const noexcept {
    return std::span<const phy_dim2>(coords).subspan(g.begin, g.end - g.begin);
  }
};

// The nodes of one partitioned layer on a region, grouped per data category.
struct proc_node_data {
  std::vector<node_data> nodes;
  node_groups fil, ifm, ofm;
  std::vector<std::uint32_t> order;  // scratch for grouping
};

inline auto fmap_range_key(const fmap_range& r) noexcept {
  return std::tie(r.beg.b, r.beg.n, r.beg.h, r.beg.w, r.end.b, r.end.n, r.end.h, r.end.w);
}
inline auto fil_range_key(const proc_data_ranges& r) noexcept {
  return std::tie(r.fil_ifm.beg, r.fil_ifm.end, r.fil_ofm.beg, r.fil_ofm.end, r.fil_bat.beg, r.fil_bat.end);
}

// Groups the selected nodes by key (a stable sort keeps each group's nodes in node order).
template <class Key, class Select>
void group_nodes(proc_node_data& d, Key key, Select select, node_groups& out) {
  d.order.clear();
  for (std::uint32_t i = 0; i < d.nodes.size(); ++i)
    if (select(d.nodes[i])) d.order.push_back(i);
  std::stable_sort(d.order.begin(), d.order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return key(d.nodes[a]) < key(d.nodes[b]); });
  out.groups.clear();
  out.coords.clear();
  for (std::size_t i = 0; i < d.order.size();) {
    const std::uint32_t head = d.order[i];
    const auto begin = static_cast<std::uint32_t>(out.coords.size());
    std::size_t j = i;
    for (; j < d.order.size() && !(key(d.nodes[head]) < key(d.nodes[d.order[j]])); ++j)
      out.coords.push_back(d.nodes[d.order[j]].coord);
    out.groups.push_back({head, begin, static_cast<std::uint32_t>(out.coords.size())});
    i = j;
  }
}

inline bool equal_sizes(const node_groups& g) noexcept {
  for (const auto& grp : g.groups)
    if (grp.end - grp.begin != g.groups.front().end - g.groups.front().begin) return false;
  return true;
}

// Which node processes what, and the groups of nodes sharing filters, ifmaps and ofmaps. Nodes
// with nothing to do are left out; layers without filters have no filter groups.
inline void group_proc_node_data(const layer& l, std::int64_t batch, const node_region& proc_region,
                                 const partition_scheme& part, proc_node_data& d) {
  d.nodes.clear();
  part.for_each_pidx([&](const partition_index& pidx) {
    d.nodes.push_back({proc_data_range(l, batch, part, pidx), part.coordinate(proc_region, pidx)});
  });
  const auto busy = [](const node_data& n) { return n.rng.ifm.size() > 0 && n.rng.ofm.size() > 0; };
  group_nodes(
      d, [](const node_data& n) { return fil_range_key(n.rng); },
      [&](const node_data& n) { return busy(n) && !n.rng.fil_ifm.empty() && !n.rng.fil_ofm.empty(); }, d.fil);
  group_nodes(d, [](const node_data& n) { return fmap_range_key(n.rng.ifm); }, busy, d.ifm);
  group_nodes(d, [](const node_data& n) { return fmap_range_key(n.rng.ofm); }, busy, d.ofm);
}

// group_proc_node_data for a partition Tangram accepts.
inline void collect_proc_node_data(const layer& l, std::int64_t batch, const node_region& proc_region,
                                   const partition_scheme& part, proc_node_data& d) {
  group_proc_node_data(l, batch, proc_region, part, d);
  // All data is processed by the same number of nodes (Tangram asserts it). Not the ifmaps of
  // a grouped matmul: OUTP parts that straddle groups read input ranges of their own.
  BP_ASSERT(equal_sizes(d.fil) && equal_sizes(d.ofm) && (equal_sizes(d.ifm) || l.groups() > 1));
}

inline proc_node_data& proc_node_scratch() {
  thread_local proc_node_data d;
  return d;
}

// Tangram's unit_nhops_to_proc_region asserts that every filter / ifmap / ofmap range is processed
// by the same number of nodes. Some partitions break it (e.g. an LRN across channels split over
// the ofmap channels: the ifmap ranges overlap, so edge ranges have fewer nodes); Tangram then
// dies on the AssertionError. Returns its message ("ifm val len: [2, 2, 2, 1, 1, 1]", groups in
// order of first appearance, as Python's dict) when broken; the ifmaps of a grouped matmul are
// exempt (its OUTP parts read input ranges of their own).
inline std::optional<std::string> unequal_node_groups(const layer& l, std::int64_t batch, const node_region& proc_region,
                                                      const partition_scheme& part) {
  proc_node_data d;
  group_proc_node_data(l, batch, proc_region, part, d);
  const auto unequal = [](const node_groups& g) -> std::optional<std::string> {
    std::vector<node_groups::group> groups = g.groups;
    bool differ = false;
    for (const auto& grp : groups) differ = differ || grp.end - grp.begin != groups.front().end - groups.front().begin;
    if (!differ) return std::nullopt;
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.head < b.head; });
    std::string lens;
    for (const auto& grp : groups) lens += (lens.empty() ? "" : ", ") + std::to_string(grp.end - grp.begin);
    return "[" + lens + "]";
  };
  if (const auto v = unequal(d.fil)) return "fil val len: " + *v;
  if (const auto v = unequal(d.ifm); v && l.groups() == 1) return "ifm val len: " + *v;
  if (const auto v = unequal(d.ofm)) return "ofm val len: " + *v;
  return std::nullopt;
}

// Filters are read-only and replicated in every filter node: each node fetches from the
// nearest one, or (forwarding) the group grows a tree from all of them (_unit_nhops_to_fil).
// A matmul's operand is fetched the same way (weights-from-DRAM approximation, intra/matmul.hpp).
inline std::int64_t fil_nhops(const layer& l, std::span<const phy_dim2> filter_nodes, const proc_node_data& d,
                              bool fwd) {
  std::int64_t nhops = 0;
  for (const auto& g : d.fil.groups) {
    const std::int64_t fil_size = filter_volume(l, d.nodes[g.head].rng);
    const auto coords = d.fil.coords_of(g);
    if (fwd) {
      nhops += fil_size * multi_source_tree_hops(filter_nodes, coords);
    } else {
      for (const phy_dim2& c : coords) {
        std::int64_t nearest = std::numeric_limits<std::int64_t>::max();
        for (const phy_dim2& f : filter_nodes) nearest = std::min(nearest, c.hop_dist(f));
        nhops += fil_size * nearest;
      }
    }
  }
  return nhops;
}

// _unit_nhops_to_ifm.
inline std::int64_t ifm_nhops(const data_layout& ifmap_layout, const proc_node_data& d, bool fwd) {
  std::int64_t nhops = 0;
  for (const auto& g : d.ifm.groups) nhops += ifmap_layout.nhops_to(d.nodes[g.head].rng.ifm, d.ifm.coords_of(g), fwd);
  return nhops;
}

// _unit_nhops_to_ofm: INPP nodes hold partial sums of the same ofmaps; one node reads the
// previous partial sums from memory and the others send theirs to it.
inline std::int64_t ofm_nhops(const data_layout& ofmap_layout, const proc_node_data& d, bool fwd) {
  std::int64_t nhops = 0;
  for (const auto& g : d.ofm.groups) {
    const fmap_range& ofrng = d.nodes[g.head].rng.ofm;
    const auto coords = d.ofm.coords_of(g);
    if (fwd) {
      // The closest node reads; the accumulation follows the reversed forwarding tree; the
      // memory-to-first-node path is in both and is counted once.
      const auto hops = ofmap_layout.summarize_hops(ofrng, coords);
      const std::int64_t read = hops.min;
      const std::int64_t accum =
          hops.min + ofmap_layout.complete_fmap_range().overlap_size(ofrng) * spanning_tree_hops(coords);
      nhops += idivc(read + accum, 2);
    } else {
      // The middle node reads from memory; the others send it their partial sums (one way).
      const std::size_t mid = coords.size() / 2;
      for (std::size_t i = 0; i < coords.size(); ++i) {
        if (i == mid)
          nhops += ofmap_layout.nhops_to(ofrng, coords[i]);
        else
          nhops += idivc(ofrng.size() * coords[i].hop_dist(coords[mid]), 2);
      }
    }
  }
  return nhops;
}

// Ofmaps stored exactly where they are produced need no transfer.
inline bool ofmaps_stay(const data_layout& ofmap_layout, const partition_scheme& part,
                        const node_region& proc_region) noexcept {
  const auto& pieces = ofmap_layout.pieces();
  return pieces.size() == 1 && pieces[0].part == part && pieces[0].region == proc_region;
}

}  // namespace detail

/// Word-hops to bring each data category once to the nodes of `proc_region` that process it
/// under `part` (partition.unit_nhops_to_proc_region). Filters come from the nearest of
/// `filter_nodes` (the distinct DRAM nodes); ifmaps from `ifmap_layout`; ofmaps are read from
/// and accumulated back to `ofmap_layout` (nothing when they stay where they are produced).
/// With access forwarding each piece of data is fetched by one node and passed along a
/// min-distance tree; partial ofmaps of INPP nodes meet at one node.
///
/// These are the true hop counts. Tangram memoises its helpers on keys that can collide, so in
/// a long run it sometimes uses another partition's counts: tangram_nhops_memo
/// (intra/tangram_nhops_memo.hpp) reproduces that.
inline per_data<std::int64_t> unit_nhops_to_proc_region(const layer& l, std::int64_t batch,
                                                         const node_region& proc_region,
                                                         const partition_scheme& part,
                                                         std::span<const phy_dim2> filter_nodes,
                                                         const data_layout& ifmap_layout,
                                                         const data_layout& ofmap_layout, const options& opt) {
  using D = data_category;
  auto& d = detail::proc_node_scratch();
  detail::collect_proc_node_data(l, batch, proc_region, part, d);
  const bool fwd = opt.forwarding();
  per_data<std::int64_t> nhops{};
  nhops[D::fil] = detail::fil_nhops(l, filter_nodes, d, fwd);
  nhops[D::ifm] = detail::ifm_nhops(ifmap_layout, d, fwd);
  if (!detail::ofmaps_stay(ofmap_layout, part, proc_region)) nhops[D::ofm] = detail::ofm_nhops(ofmap_layout, d, fwd);
  return nhops;
}

}  // namespace bp
