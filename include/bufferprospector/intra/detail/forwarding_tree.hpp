// bufferprospector/intra/detail/forwarding_tree.hpp -- weights of the greedy forwarding trees of
// Tangram's access forwarding (DataLayout.nhops_to, partition._unit_nhops_to_fil).
// IWYU pragma: private
//
// With forwarding, a piece of data goes to one destination and is then passed on, each step
// joining the destination closest to any node that already has it. That greedy step is Prim's
// algorithm, so the summed hop distance is the weight of a minimum spanning tree (Manhattan
// metric), which does not depend on the start node or on how ties are broken; Tangram's
// set-iteration order therefore does not matter. O(k^2) per tree, no allocation after warm-up.
#pragma once

#include <algorithm>  // std::min
#include <cstdint>    // std::int64_t
#include <limits>     // std::numeric_limits
#include <span>       // std::span
#include <utility>    // std::swap
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>          // BP_ASSERT
#include <bufferprospector/core/phy_dim2.hpp>  // bp::phy_dim2

namespace bp::detail {

struct tree_candidate {
  phy_dim2 node;
  std::int64_t dist;  // hops to the nearest node already holding the data
};

/// Grows the tree from the candidates' initial distances and returns its total hop count.
inline std::int64_t grow_greedy_tree(std::vector<tree_candidate>& open) {
  std::int64_t total = 0;
  while (!open.empty()) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < open.size(); ++i)
      if (open[i].dist < open[best].dist) best = i;
    const tree_candidate joined = open[best];
    total += joined.dist;
    std::swap(open[best], open.back());
    open.pop_back();
    for (auto& c : open) c.dist = std::min(c.dist, c.node.hop_dist(joined.node));
  }
  return total;
}

inline std::vector<tree_candidate>& tree_scratch() {
  thread_local std::vector<tree_candidate> scratch;
  scratch.clear();
  return scratch;
}

/// Hops of the forwarding tree that reaches all `nodes` starting from any one of them.
inline std::int64_t spanning_tree_hops(std::span<const phy_dim2> nodes) {
  if (nodes.size() <= 1) return 0;
  auto& open = tree_scratch();
  for (std::size_t i = 1; i < nodes.size(); ++i) open.push_back({nodes[i], nodes[i].hop_dist(nodes[0])});
  return grow_greedy_tree(open);
}

/// Hops of the forwarding tree that reaches all `dests` from any of `sources` (which stay
/// sources after the data arrived at a destination).
inline std::int64_t multi_source_tree_hops(std::span<const phy_dim2> sources,
                                           std::span<const phy_dim2> dests) {
  BP_ASSERT(!sources.empty() || dests.empty());
  auto& open = tree_scratch();
  for (const phy_dim2& d : dests) {
    std::int64_t dist = std::numeric_limits<std::int64_t>::max();
    for (const phy_dim2& s : sources) dist = std::min(dist, d.hop_dist(s));
    open.push_back({d, dist});
  }
  return grow_greedy_tree(open);
}

}  // namespace bp::detail
