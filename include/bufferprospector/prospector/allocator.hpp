// bufferprospector/prospector/allocator.hpp -- the Buffer Allocator as a policy concept, and what
// every policy shares: the problem, the result, the options, the per-word relocation cost, and a
// session object that records placements (docs/bufferprospector-model.md section 5).
//
// A policy places the pieces of a segment's held edges into the spare GBUF of the mesh's cores.
// Required members (the concept buffer_allocation_policy):
//   allocation_result allocate(const allocation_problem&) const;
//   static constexpr std::string_view name;     // CLI / JSON / res.csv name
// Models, one header each: nf_lrf (the default greedy), best_fit, producer_only, ideal (upper
// bound: unlimited spare), relaxed_dram (every held edge through DRAM), no_prospecting (Tangram:
// nothing is held). examples/04_custom_buffer_policy.cpp writes one outside the library.
//
// Per-word extra cost of placing words of piece (e, n) -- produced on node n, read by the consumer
// nodes S -- on host h (section 5.2):
//   kappa(e, n, h) = 0                                           if h == n
//                  = c_GBUF + c_hop * (d(n, h) + F(h, S) - F(n, S))  otherwise,
// d the mesh hop distance and F(x, S) the forwarding hop count from x to S (consumer_hops): the
// copy into the host's GBUF, the hops to move it there, and the change of the consumers' read hops.
//
//   bp::allocation_problem prob{.spare = map, .edges = {edge}, .costs = bp::relocation_costs::of(bp::tangram_costs{}),
//                               .access_forwarding = true};
//   bp::allocation_result r = bp::nf_lrf{}.allocate(prob);
//   if (r.feasible()) { r.totals.held_words; r.spare.utilization_after(); }
#pragma once

#include <algorithm>    // std::sort, std::stable_sort, std::min, std::max
#include <cmath>        // std::isfinite
#include <concepts>     // std::same_as, std::convertible_to
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <limits>       // std::numeric_limits
#include <numeric>      // std::iota
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string, std::to_string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/arch/cost_table.hpp>               // bp::cost_table, bp::mem_level
#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/error.hpp>                    // bp::invalid_spec, bp::invalid_option
#include <bufferprospector/core/format.hpp>                   // bp::python_repr
#include <bufferprospector/core/phy_dim2.hpp>                 // bp::phy_dim2
#include <bufferprospector/intra/detail/forwarding_tree.hpp>  // detail::spanning_tree_hops
#include <bufferprospector/prospector/prospector_options.hpp> // bp::prospector_options
#include <bufferprospector/prospector/requirements.hpp>       // bp::held_edge, bp::hold_piece
#include <bufferprospector/prospector/spare_buffer.hpp>       // bp::spare_buffer

namespace bp {

//
// Relocation cost
//

/// The two cost-table entries kappa needs: one GBUF word access and one word over one NoC hop.
struct relocation_costs {
  double gbuf = 6;
  double noc_hop = 10;

  template <cost_table C>
  static constexpr relocation_costs of(const C& c) {
    return {static_cast<double>(c.mem_hier(mem_level::gbuf)), static_cast<double>(c.noc_hop())};
  }
  friend bool operator==(const relocation_costs&, const relocation_costs&) = default;
};

/// F(x, S) for one consumer set S: the word-hops to bring one word from node x to every node of S,
/// exactly Tangram's DataLayout.nhops_to for data stored on the single node x
/// (nn_dataflow/core/data_layout.py). Without forwarding every consumer fetches its own copy:
/// sum_s d(x, s). With access forwarding the nearest consumer fetches it and it is passed along
/// the greedy nearest-first tree over S, whose weight (a minimum spanning tree) does not depend on
/// x: min_s d(x, s) + tree(S). An empty S costs 0. The tree is computed once per set, so a table
/// over every host costs |hosts| * |S|. `consumers` must outlive the object.
class consumer_hops {
 public:
  consumer_hops(std::span<const phy_dim2> consumers, bool forwarding)
      : consumers_(consumers), forwarding_(forwarding),
        tree_hops_(forwarding ? detail::spanning_tree_hops(consumers) : 0) {}

  std::int64_t from(phy_dim2 source) const noexcept {
    if (consumers_.empty()) return 0;
    std::int64_t sum = 0, nearest = std::numeric_limits<std::int64_t>::max();
    for (const phy_dim2& s : consumers_) {
      const std::int64_t d = source.hop_dist(s);
      sum += d;
      nearest = std::min(nearest, d);
    }
    return forwarding_ ? nearest + tree_hops_ : sum;
  }

 private:
  std::span<const phy_dim2> consumers_;
  bool forwarding_;
  std::int64_t tree_hops_;
};

/// F(x, S) for one source (the single definition is consumer_hops::from).
inline std::int64_t forwarding_hops(phy_dim2 source, std::span<const phy_dim2> consumers, bool forwarding) {
  return consumer_hops(consumers, forwarding).from(source);
}

//
// Problem and result
//

/// What an allocation policy gets: the segment's spare map, its held edges with their pieces,
/// the costs of kappa, whether access forwarding is on, and the options.
struct allocation_problem {
  spare_buffer spare;
  std::vector<held_edge> edges{};
  relocation_costs costs{};
  bool access_forwarding = false;
  prospector_options options{};

  /// Throws bp::invalid_spec (edges, costs) or bp::invalid_option (options) naming the field.
  void validate() const {
    options.validate();
    if (!(std::isfinite(costs.gbuf) && costs.gbuf >= 0))
      throw invalid_spec("allocation_problem.costs.gbuf = " + python_repr(costs.gbuf) + ": must be finite and >= 0");
    if (!(std::isfinite(costs.noc_hop) && costs.noc_hop >= 0))
      throw invalid_spec("allocation_problem.costs.noc_hop = " + python_repr(costs.noc_hop) +
                         ": must be finite and >= 0");
    for (std::size_t e = 0; e < edges.size(); ++e) {
      const held_edge& edge = edges[e];
      const auto where = [e] { return "allocation_problem.edges[" + std::to_string(e) + "]"; };
      std::int64_t sum = 0;
      for (std::size_t p = 0; p < edge.pieces.size(); ++p) {
        const hold_piece& piece = edge.pieces[p];
        const auto pw = [&] { return where() + ".pieces[" + std::to_string(p) + "]"; };
        if (piece.words < 0) throw invalid_spec(pw() + ".words = " + std::to_string(piece.words) + ": must be >= 0");
        if (!spare.contains(piece.producer_node)) node_error(pw() + ".producer_node", piece.producer_node);
        for (const phy_dim2& c : piece.consumers)
          if (!spare.contains(c)) node_error(pw() + ".consumers", c);
        sum += piece.words;
      }
      if (sum != edge.words)
        throw invalid_spec(where() + ".words = " + std::to_string(edge.words) +
                           ": must equal the sum of its pieces (" + std::to_string(sum) + ")");
      if (!edge.lifetime.spans_everything() && !(edge.lifetime.begin_xb < edge.lifetime.end_xb))
        throw invalid_spec(where() + ".lifetime = [" + std::to_string(edge.lifetime.begin_xb) + ", " +
                           std::to_string(edge.lifetime.end_xb) + "): must not be empty");
    }
  }

 private:
  [[noreturn]] void node_error(const std::string& field, phy_dim2 c) const {
    throw invalid_spec(field + " = (" + std::to_string(c.h) + ", " + std::to_string(c.w) + "): outside the " +
                       std::to_string(spare.mesh().h) + "x" + std::to_string(spare.mesh().w) + " mesh");
  }
};

/// What became of a held edge.
enum class edge_outcome : std::uint8_t {
  placed,    ///< every piece is on chip
  via_dram,  ///< the edge goes through DRAM (fallback dram, an E3 edge that did not fit, relaxed_dram)
  failed,    ///< it did not fit and the fallback is reject: the segment is invalid
};

constexpr std::string_view to_string(edge_outcome o) noexcept {
  switch (o) {
    case edge_outcome::placed: return "placed";
    case edge_outcome::via_dram: return "via_dram";
    case edge_outcome::failed: return "failed";
  }
  return "?";
}

/// Words of a piece placed on one host.
struct host_words {
  phy_dim2 host{};
  std::int64_t words = 0;
  friend bool operator==(const host_words&, const host_words&) = default;
};

/// The allocation of one held edge.
struct edge_allocation {
  edge_outcome outcome = edge_outcome::failed;
  /// Parallel to held_edge::pieces: where each piece went (empty unless placed).
  std::vector<std::vector<host_words>> pieces{};
  std::int64_t copied_words = 0;     ///< words placed away from their producer node
  std::int64_t extra_word_hops = 0;  ///< sum of words * (d(n, h) + F(h, S) - F(n, S)) over those
  double extra_cost = 0;             ///< sum of words * kappa
  friend bool operator==(const edge_allocation&, const edge_allocation&) = default;
};

struct allocation_totals {
  std::int64_t held_words = 0;       ///< words placed on chip (placed edges)
  std::int64_t copied_words = 0;     ///< extra GBUF words copied: placed away from the producer node
  std::int64_t extra_word_hops = 0;  ///< NoC word-hops added by those copies (may be < 0: closer to S)
  double extra_cost = 0;             ///< sum over placed words of kappa
  std::int64_t via_dram_words = 0;   ///< requirement of the edges routed through DRAM
  std::int64_t failed_words = 0;     ///< requirement of the failed edges
  std::int64_t placed_edges = 0;
  std::int64_t via_dram_edges = 0;
  std::int64_t failed_edges = 0;
  friend bool operator==(const allocation_totals&, const allocation_totals&) = default;
};

struct allocation_result {
  std::vector<edge_allocation> edges;  ///< parallel to allocation_problem::edges
  spare_buffer spare;                  ///< the map after the holds
  allocation_totals totals;

  /// Whether the segment survives: no edge failed.
  bool feasible() const noexcept { return totals.failed_edges == 0; }
};

//
// The concept
//

/// A buffer-allocation policy. Every built-in model keeps two invariants: no core above capacity
/// after allocation (only `ideal`, the unlimited bound, may overcommit), and every edge accounted
/// as placed, via_dram or failed -- never dropped.
template <class P>
concept buffer_allocation_policy = requires(const P& p, const allocation_problem& prob) {
  { p.allocate(prob) } -> std::same_as<allocation_result>;
  { P::name } -> std::convertible_to<std::string_view>;
};

//
// The toolkit policies are written with
//

/// A host for one piece, with what the policies sort on.
struct host_candidate {
  spare_buffer::core_id id = 0;
  phy_dim2 node;
  std::int64_t spare = 0;       ///< words free for the edge's lifetime
  std::int64_t extra_hops = 0;  ///< d(n, h) + F(h, S) - F(n, S); 0 on the producer node
  double kappa = 0;             ///< per-word extra cost
};

/// One allocation in progress: a copy of the spare map, the placements so far, and the decisions
/// per edge. Policies ask it for orders and host candidates, place words, and then commit or
/// reject each edge; finish() turns it into the result. Every edge left undecided is rejected,
/// so nothing is ever dropped.
class allocation_session {
 public:
  using core_id = spare_buffer::core_id;

  /// Validates the problem (throws as allocation_problem::validate) and copies its spare map;
  /// the problem must outlive the session.
  explicit allocation_session(const allocation_problem& prob) : prob_(&prob), spare_(prob.spare) {
    prob.validate();
    placements_.resize(prob.edges.size());
    for (std::size_t e = 0; e < prob.edges.size(); ++e) placements_[e].resize(prob.edges[e].pieces.size());
    outcomes_.assign(prob.edges.size(), std::nullopt);
  }

  const allocation_problem& problem() const noexcept { return *prob_; }
  const spare_buffer& spare_map() const noexcept { return spare_; }
  const prospector_options& options() const noexcept { return prob_->options; }
  std::size_t num_edges() const noexcept { return prob_->edges.size(); }
  const held_edge& edge(std::size_t e) const noexcept { return prob_->edges[e]; }

  /// The edges in the options' order: R_e descending (largest requirement first) or density
  /// descending then R_e descending (density first); ties by producer order, then input position.
  std::vector<std::size_t> edges_in_order() const {
    const auto& edges = prob_->edges;
    std::vector<std::size_t> order(edges.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const bool density = prob_->options.order == edge_order::density_first;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const held_edge &x = edges[a], &y = edges[b];
      if (density && x.density() != y.density()) return x.density() > y.density();
      if (x.words != y.words) return x.words > y.words;
      return x.producer_order < y.producer_order;
    });
    return order;
  }

  /// The pieces of edge e by words descending, then producer node id, then input position.
  std::vector<std::size_t> pieces_in_order(std::size_t e) const {
    const auto& pieces = edge(e).pieces;
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (pieces[a].words != pieces[b].words) return pieces[a].words > pieces[b].words;
      return spare_.id_of(pieces[a].producer_node) < spare_.id_of(pieces[b].producer_node);
    });
    return order;
  }

  /// When holds of edge e occupy their hosts: its lifetime with interval packing, else always.
  hold_lifetime lifetime_of(std::size_t e) const noexcept {
    return prob_->options.interval_packing ? edge(e).lifetime : hold_lifetime{};
  }

  /// Words still free on `host` for a hold of edge e.
  std::int64_t spare(std::size_t e, core_id host) const noexcept { return spare_.spare(host, lifetime_of(e)); }

  /// Every core of the mesh as a host for piece p of edge e, by core id. The span stays valid
  /// until the next call; policies may reorder it.
  std::span<host_candidate> hosts(std::size_t e, std::size_t p) {
    prepare_hops(edge(e).pieces[p]);
    const phy_dim2 producer = edge(e).pieces[p].producer_node;
    const std::int64_t f_producer = hops_[static_cast<std::size_t>(spare_.id_of(producer))];
    candidates_.resize(static_cast<std::size_t>(spare_.num_cores()));
    for (core_id id = 0; id < spare_.num_cores(); ++id) {
      const phy_dim2 node = spare_.coord_of(id);
      host_candidate& c = candidates_[static_cast<std::size_t>(id)];
      c.id = id;
      c.node = node;
      c.spare = spare(e, id);
      if (node == producer) {
        c.extra_hops = 0;
        c.kappa = 0;
      } else {
        c.extra_hops = producer.hop_dist(node) + hops_[static_cast<std::size_t>(id)] - f_producer;
        c.kappa = kappa(c.extra_hops);
      }
    }
    return candidates_;
  }

  /// Places `words` of piece p of edge e on `host`; they must fit.
  void place(std::size_t e, std::size_t p, core_id host, std::int64_t words) {
    BP_ASSERT(!outcomes_[e].has_value());
    BP_ASSERT(words <= spare(e, host));
    spare_.hold(host, words, lifetime_of(e));
    record(e, p, host, words);
  }

  /// Places without a capacity check: the unlimited-spare bound only.
  void place_unbounded(std::size_t e, std::size_t p, core_id host, std::int64_t words) {
    BP_ASSERT(!outcomes_[e].has_value());
    spare_.hold_unbounded(host, words, lifetime_of(e));
    record(e, p, host, words);
  }

  /// Words of piece p of edge e placed so far, and still to place.
  std::int64_t placed_words(std::size_t e, std::size_t p) const noexcept {
    std::int64_t s = 0;
    for (const host_words& h : placements_[e][p]) s += h.words;
    return s;
  }
  std::int64_t unplaced_words(std::size_t e, std::size_t p) const noexcept {
    return edge(e).pieces[p].words - placed_words(e, p);
  }

  /// Places on `host` what the quantum allows of the rest of piece p of edge e: all of it when it
  /// fits, else the largest multiple of q that fits (so pieces are split only at multiples of q).
  /// Returns the words placed.
  std::int64_t take(std::size_t e, std::size_t p, core_id host) {
    const std::int64_t q = prob_->options.quantum_words;
    const std::int64_t need = unplaced_words(e, p);
    const std::int64_t avail = spare(e, host);
    const std::int64_t words = need <= avail ? need : std::max<std::int64_t>(0, avail) / q * q;
    if (words > 0) place(e, p, host, words);
    return words;
  }

  /// Fills piece p of edge e from `hosts` in the given order (take() on each until nothing is
  /// left). Returns the words left.
  std::int64_t fill(std::size_t e, std::size_t p, std::span<const host_candidate> hosts) {
    std::int64_t need = unplaced_words(e, p);
    for (std::size_t i = 0; i < hosts.size() && need > 0; ++i) need -= take(e, p, hosts[i].id);
    return need;
  }

  /// Edge e is on chip: every piece is fully placed (asserted).
  void commit(std::size_t e) {
    BP_ASSERT(!outcomes_[e].has_value());
    for (std::size_t p = 0; p < placements_[e].size(); ++p) BP_ASSERT(unplaced_words(e, p) == 0);
    outcomes_[e] = edge_outcome::placed;
  }

  /// Edge e did not fit: its placements are undone; it goes through DRAM if it is an E3 hold or
  /// the fallback is dram, else it fails (and the segment with it).
  void reject(std::size_t e) {
    const bool to_dram =
        edge(e).kind == hold_kind::inter_segment || prob_->options.fallback == allocation_fallback::dram;
    undo(e, to_dram ? edge_outcome::via_dram : edge_outcome::failed);
  }

  /// Edge e goes through DRAM whatever the fallback (its placements, if any, are undone).
  void route_via_dram(std::size_t e) { undo(e, edge_outcome::via_dram); }

  bool decided(std::size_t e) const noexcept { return outcomes_[e].has_value(); }

  /// The result: outcomes, placements, the updated map and the totals (computed here from the
  /// final placements, so undone placements leave no trace).
  allocation_result finish() && {
    for (std::size_t e = 0; e < num_edges(); ++e)
      if (!decided(e)) reject(e);
    allocation_result r{std::vector<edge_allocation>(num_edges()), std::move(spare_), {}};
    for (std::size_t e = 0; e < num_edges(); ++e) {
      edge_allocation& a = r.edges[e];
      a.outcome = *outcomes_[e];
      const std::int64_t words = edge(e).words;
      switch (a.outcome) {
        case edge_outcome::placed:
          ++r.totals.placed_edges;
          r.totals.held_words += words;
          break;
        case edge_outcome::via_dram:
          ++r.totals.via_dram_edges;
          r.totals.via_dram_words += words;
          break;
        case edge_outcome::failed:
          ++r.totals.failed_edges;
          r.totals.failed_words += words;
          break;
      }
      a.pieces.resize(placements_[e].size());
      if (a.outcome != edge_outcome::placed) continue;
      for (std::size_t p = 0; p < placements_[e].size(); ++p) {
        const hold_piece& piece = edge(e).pieces[p];
        const consumer_hops f(piece.consumers, prob_->access_forwarding);
        const std::int64_t f_producer = f.from(piece.producer_node);
        for (const host_words& h : placements_[e][p]) {
          a.pieces[p].push_back(h);
          if (h.host == piece.producer_node) continue;
          const std::int64_t hops = piece.producer_node.hop_dist(h.host) + f.from(h.host) - f_producer;
          a.copied_words += h.words;
          a.extra_word_hops += h.words * hops;
          a.extra_cost += static_cast<double>(h.words) * kappa(hops);
        }
      }
      r.totals.copied_words += a.copied_words;
      r.totals.extra_word_hops += a.extra_word_hops;
      r.totals.extra_cost += a.extra_cost;
    }
    return r;
  }

 private:
  double kappa(std::int64_t extra_hops) const noexcept {
    return prob_->costs.gbuf + prob_->costs.noc_hop * static_cast<double>(extra_hops);
  }

  void record(std::size_t e, std::size_t p, core_id host, std::int64_t words) {
    if (words == 0) return;
    auto& list = placements_[e][p];
    const phy_dim2 node = spare_.coord_of(host);
    for (host_words& h : list)
      if (h.host == node) {
        h.words += words;
        return;
      }
    list.push_back({node, words});
  }

  void undo(std::size_t e, edge_outcome outcome) {
    BP_ASSERT(!outcomes_[e].has_value());
    for (auto& piece : placements_[e]) {
      for (const host_words& h : piece) spare_.release(spare_.id_of(h.host), h.words, lifetime_of(e));
      piece.clear();
    }
    outcomes_[e] = outcome;
  }

  // F(h, S) for every core h, for the consumer set of `piece`; kept while consecutive pieces read
  // by the same consumers ask again (the common case: one table per consumer group).
  void prepare_hops(const hold_piece& piece) {
    if (hops_valid_ && hops_for_ == piece.consumers) return;
    hops_for_ = piece.consumers;
    const consumer_hops f(hops_for_, prob_->access_forwarding);
    hops_.resize(static_cast<std::size_t>(spare_.num_cores()));
    for (core_id id = 0; id < spare_.num_cores(); ++id) hops_[static_cast<std::size_t>(id)] = f.from(spare_.coord_of(id));
    hops_valid_ = true;
  }

  const allocation_problem* prob_;
  spare_buffer spare_;
  std::vector<std::vector<std::vector<host_words>>> placements_;  // [edge][piece]
  std::vector<std::optional<edge_outcome>> outcomes_;
  std::vector<host_candidate> candidates_;
  std::vector<std::int64_t> hops_;   // F(h, hops_for_) by core id
  std::vector<phy_dim2> hops_for_;
  bool hops_valid_ = false;
};

}  // namespace bp
