// bufferprospector/pipeline/scheduling_dag.hpp -- the scheduling DAG of a network and the vertex
// ranges that may form a layer-pipeline segment (Tangram's InterLayerPipeline._calc_sched_dag,
// _topological_order and _gen_vseg, nn_dataflow/core/inter_layer_pipeline.py).
//
//   bp::scheduling_dag dag(net);
//   dag.ordered_layers();     // the order in which layers are scheduled
//   dag.vertex_segments();    // candidate vertex ranges, in Tangram's generation order
//   dag.relaxed_vertex_segments(true);   // the buffer prospector's: those, then the ranges that
//                                        // only rule 2 (several producers inside) excluded
//
// A vertex is a conv-like layer followed by the local-region layers (pooling, eltwise) that can be
// fused onto it: such a layer joins the most recent vertex whose last layer is one of its
// producers, provided its other producers are not inside that vertex and that last layer feeds
// nothing else. Vertices are ordered by a depth-first topological sort; the network input and
// external inputs form the virtual vertex -1, which always lives in DRAM.
//
// A matmul layer's second operand (weight_prevs) is an ordinary dependency here, so that its
// producer is scheduled first; Tangram's networks have none.
#pragma once

#include <algorithm>  // std::find, std::sort, std::unique, std::binary_search
#include <cstddef>    // std::size_t
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>            // BP_ASSERT
#include <bufferprospector/workload/network.hpp>  // bp::network, bp::layer_id

namespace bp {

/// Index of a scheduling-DAG vertex; `scheduling_dag::input_vertex` for the input and externals.
using vertex_id = int;

class scheduling_dag {
 public:
  /// The virtual vertex of the network input and the external inputs.
  static constexpr vertex_id input_vertex = -1;

  explicit scheduling_dag(const network& net) : net_(&net) {
    build_vertices();
    build_edges();
  }

  const network& net() const noexcept { return *net_; }

  /// Vertices in topological (scheduling) order; each lists its layers in order.
  const std::vector<std::vector<layer_id>>& vertices() const noexcept { return vertices_; }
  vertex_id num_vertices() const noexcept { return static_cast<vertex_id>(vertices_.size()); }

  /// All layers in scheduling order (InterLayerPipeline.ordered_layer_list).
  const std::vector<layer_id>& ordered_layers() const noexcept { return ordered_; }

  /// The vertex of a layer; input_vertex for the network input and external layers.
  vertex_id vertex_of(layer_id id) const {
    if (network::is_source(id)) return input_vertex;
    return vertex_of_[static_cast<std::size_t>(id)];
  }

  /// Previous / next vertices of a vertex, ascending (may contain input_vertex for prevs).
  const std::vector<vertex_id>& prev_vertices(vertex_id v) const { return prevs_[slot(v)]; }
  const std::vector<vertex_id>& next_vertices(vertex_id v) const { return nexts_[slot(v)]; }

  /// Contiguous vertex ranges that may be pipelined together, in Tangram's generation order
  /// (_gen_vseg). Each range is its first vertex and its length.
  struct vertex_range {
    vertex_id first = 0;
    vertex_id count = 0;
    friend bool operator==(const vertex_range&, const vertex_range&) = default;
  };

  std::vector<vertex_range> vertex_segments() const {
    std::vector<vertex_range> out;
    std::vector<bool> done_from(vertices_.size() + 1, false);
    gen_vseg(0, done_from, out);
    return out;
  }

  /// The buffer prospector's candidate ranges (docs/bufferprospector-model.md 6.2): Tangram's
  /// ranges in Tangram's order, then every other contiguous range [i..j] in which each vertex
  /// after i shares a dependency with the vertices before it (rule 1), and, with `keep_rule3`,
  /// no member feeds both into the range and more than one vertex outside it (rule 3); rule 2 is
  /// dropped. The extra ranges are ordered by first vertex, then length. Since every single
  /// vertex is a Tangram range and the generation restarts after each one, Tangram's ranges are
  /// exactly those of this set that satisfy rule 2.
  std::vector<vertex_range> relaxed_vertex_segments(bool keep_rule3 = true) const {
    std::vector<vertex_range> out = vertex_segments();
    const std::size_t tangram_count = out.size();
    const vertex_id n = num_vertices();
    for (vertex_id first = 0; first < n; ++first) {
      for (vertex_id count = 1; first + count <= n; ++count) {
        if (count > 1 && !shares_dependency(first + count - 1, first, count - 1)) break;
        if (keep_rule3 && !rule3_holds(first, count)) continue;
        const vertex_range r{first, count};
        if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(tangram_count), r) ==
            out.begin() + static_cast<std::ptrdiff_t>(tangram_count))
          out.push_back(r);
      }
    }
    return out;
  }

 private:
  // Producers and consumers as the DAG sees them: data edges plus matmul second-operand edges.
  std::vector<layer_id> deps_of(layer_id l) const {
    std::vector<layer_id> d = net_->prevs(l);
    for (auto w : net_->weight_prevs(l)) d.push_back(w);
    return d;
  }
  std::vector<layer_id> users_of(layer_id l) const {
    std::vector<layer_id> u = net_->nexts(l);
    for (auto w : net_->weight_nexts(l)) u.push_back(w);
    return u;
  }

  static bool contains(const std::vector<layer_id>& v, layer_id x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  std::size_t slot(vertex_id v) const {
    BP_ASSERT(v >= input_vertex && v < num_vertices());
    return static_cast<std::size_t>(v + 1);
  }

  // _calc_sched_dag: group layers into vertices (definition order), then sort them.
  void build_vertices() {
    std::vector<std::vector<layer_id>> groups;
    for (layer_id l = 0; l < net_->size(); ++l) {
      if ((*net_)[l].is_conv_like()) {
        groups.push_back({l});
        continue;
      }
      const std::vector<layer_id> prevs = deps_of(l);
      BP_ASSERT(!prevs.empty());
      bool merged = false;
      for (std::size_t k = groups.size(); k-- > 0;) {
        auto& g = groups[k];
        const layer_id tail = g.back();
        bool head_disjoint = true;
        for (std::size_t i = 0; i + 1 < g.size(); ++i) head_disjoint = head_disjoint && !contains(prevs, g[i]);
        // The tail's data would be overwritten in place, so it must feed only this layer.
        if (head_disjoint && contains(prevs, tail) && users_of(tail).size() == 1) {
          g.push_back(l);
          merged = true;
          break;
        }
      }
      if (!merged) groups.push_back({l});
    }
    vertices_ = topological_order(groups);
    vertex_of_.assign(static_cast<std::size_t>(net_->size()), input_vertex);
    for (std::size_t v = 0; v < vertices_.size(); ++v)
      for (auto l : vertices_[v]) vertex_of_[static_cast<std::size_t>(l)] = static_cast<vertex_id>(v);
    for (const auto& v : vertices_) ordered_.insert(ordered_.end(), v.begin(), v.end());
  }

  // _topological_order: the reversed post-order of a DFS started from the first layers (in
  // reverse definition order), visiting next vertices in reverse order of first appearance.
  std::vector<std::vector<layer_id>> topological_order(const std::vector<std::vector<layer_id>>& groups) const {
    std::vector<int> group_of(static_cast<std::size_t>(net_->size()), -1);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (auto l : groups[g]) group_of[static_cast<std::size_t>(l)] = static_cast<int>(g);

    enum class mark : std::uint8_t { unseen, seen, visited };
    std::vector<mark> marks(groups.size(), mark::unseen);
    std::vector<int> post_order;

    auto dfs = [&](auto& self, int g) -> void {
      BP_ASSERT(marks[static_cast<std::size_t>(g)] != mark::seen);
      if (marks[static_cast<std::size_t>(g)] == mark::visited) return;
      marks[static_cast<std::size_t>(g)] = mark::seen;
      const auto& members = groups[static_cast<std::size_t>(g)];
      std::vector<layer_id> nexts;
      for (auto l : members)
        for (auto n : users_of(l))
          if (!contains(members, n) && !contains(nexts, n)) nexts.push_back(n);
      // Only the vertices still unseen at this point are followed.
      std::vector<int> next_groups;
      for (auto it = nexts.rbegin(); it != nexts.rend(); ++it) {
        const int ng = group_of[static_cast<std::size_t>(*it)];
        if (marks[static_cast<std::size_t>(ng)] == mark::unseen) next_groups.push_back(ng);
      }
      for (int ng : next_groups) self(self, ng);
      post_order.push_back(g);
      marks[static_cast<std::size_t>(g)] = mark::visited;
    };

    std::vector<int> starts;
    const std::vector<layer_id> firsts = net_->firsts();
    for (auto it = firsts.rbegin(); it != firsts.rend(); ++it) starts.push_back(group_of[static_cast<std::size_t>(*it)]);
    for (int g : starts) dfs(dfs, g);
    BP_ASSERT(post_order.size() == groups.size());

    std::vector<std::vector<layer_id>> ordered;
    for (auto it = post_order.rbegin(); it != post_order.rend(); ++it)
      ordered.push_back(groups[static_cast<std::size_t>(*it)]);
    return ordered;
  }

  void build_edges() {
    prevs_.assign(vertices_.size() + 1, {});
    nexts_.assign(vertices_.size() + 1, {});
    const auto add = [](std::vector<vertex_id>& set, vertex_id v) {
      if (std::find(set.begin(), set.end(), v) == set.end()) set.push_back(v);
    };
    for (layer_id l = 0; l < net_->size(); ++l) {
      const vertex_id v = vertex_of(l);
      for (auto p : deps_of(l)) {
        const vertex_id pv = vertex_of(p);
        if (pv != v) add(prevs_[slot(v)], pv);
      }
      for (auto n : users_of(l)) {
        const vertex_id nv = vertex_of(n);
        if (nv != v) add(nexts_[slot(v)], nv);
      }
    }
    for (vertex_id v = 0; v < num_vertices(); ++v)
      if (std::find(prevs_[slot(v)].begin(), prevs_[slot(v)].end(), input_vertex) != prevs_[slot(v)].end())
        add(nexts_[slot(input_vertex)], v);
    for (auto& s : prevs_) std::sort(s.begin(), s.end());
    for (auto& s : nexts_) std::sort(s.begin(), s.end());
  }

  static bool in_range(vertex_id v, vertex_id first, vertex_id count) {
    return first <= v && v < first + count;
  }

  // Rule 1: whether `frontier` reads a vertex of [first, first + count) or one of their prevs.
  bool shares_dependency(vertex_id frontier, vertex_id first, vertex_id count) const {
    for (auto p : prev_vertices(frontier)) {
      if (in_range(p, first, count)) return true;
      for (vertex_id m = first; m < first + count; ++m) {
        const auto& mp = prev_vertices(m);
        if (std::binary_search(mp.begin(), mp.end(), p)) return true;
      }
    }
    return false;
  }

  // Rule 3: no member has nexts both inside the range and more than one outside it.
  bool rule3_holds(vertex_id first, vertex_id count) const {
    for (vertex_id m = first; m < first + count; ++m) {
      int inside = 0, outside = 0;
      for (auto nx : next_vertices(m)) (in_range(nx, first, count) ? inside : outside) += 1;
      if (inside > 0 && outside > 1) return false;
    }
    return true;
  }

  // _gen_vseg: grow the range [start, frontier] one vertex at a time. Rule 1: stop when the
  // frontier shares no dependency with the range (none of its prevs is in the range or among
  // the range's prevs); rule 2: stop when more than one of its prevs is in the range (their
  // output timing may not match). Rule 3: a range is yielded only if every member's nexts are
  // all outside it, or at most one is outside. After each yielded range, recurse from the next
  // vertex unless that has been done already (`done_from`, shared by the whole generation).
  void gen_vseg(vertex_id start, std::vector<bool>& done_from, std::vector<vertex_range>& out) const {
    const vertex_id n = num_vertices();
    vertex_id count = 0;
    for (vertex_id frontier = start; frontier < n; ++frontier) {
      const auto& fprevs = prev_vertices(frontier);
      bool share_deps = count == 0;
      int prevs_inside = 0;
      for (auto p : fprevs) {
        if (in_range(p, start, count)) {
          share_deps = true;
          ++prevs_inside;
          continue;
        }
        for (vertex_id m = start; m < start + count && !share_deps; ++m) {
          const auto& mp = prev_vertices(m);
          share_deps = std::binary_search(mp.begin(), mp.end(), p);
        }
      }
      if (!share_deps || prevs_inside > 1) {
        BP_ASSERT(count > 0);
        break;
      }
      ++count;

      bool valid = true;
      for (vertex_id m = start; m < start + count && valid; ++m) {
        int inside = 0, outside = 0;
        for (auto nx : next_vertices(m)) (in_range(nx, start, count) ? inside : outside) += 1;
        valid = !(inside > 0 && outside > 1);
      }
      if (!valid) continue;

      out.push_back({start, count});
      if (done_from[static_cast<std::size_t>(frontier + 1)]) continue;
      gen_vseg(frontier + 1, done_from, out);
    }
    BP_ASSERT(!done_from[static_cast<std::size_t>(start)]);
    done_from[static_cast<std::size_t>(start)] = true;
  }

  const network* net_;
  std::vector<std::vector<layer_id>> vertices_;
  std::vector<vertex_id> vertex_of_;
  std::vector<layer_id> ordered_;
  std::vector<std::vector<vertex_id>> prevs_;  // index v + 1
  std::vector<std::vector<vertex_id>> nexts_;  // index v + 1
};

}  // namespace bp
