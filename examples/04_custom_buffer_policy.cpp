// examples/04_custom_buffer_policy.cpp -- write your own buffer-allocation policy and plug it in
// next to the built-in ones, without touching the library.
//
// The policy below, consumer_first, moves each piece towards the nodes that will read it: it
// fills the piece's consumer nodes first (most spare first), then its producer node, then the
// other cores cheapest first (by kappa), so the consumers read locally at the price of one copy
// per moved word. It is written with
// bp::allocation_session, the toolkit the built-in policies use: edge and piece orders, host
// candidates with their spare words and per-word cost kappa, place/fill/commit/reject, and
// finish() for the totals and the updated map.
#include <bufferprospector/arch/cost_table.hpp>
#include <bufferprospector/prospector/policies.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <span>
#include <tuple>

struct consumer_first {
  //
  // Required members (the bp::buffer_allocation_policy concept)
  //

  // The name reports, JSON and CSV files use for this policy.
  static constexpr std::string_view name = "consumer_first";

  // Places the held edges of one segment. Must return every edge as placed, via_dram or failed
  // (the session rejects any edge left undecided) and never exceed a core's capacity (the session
  // asserts it on every place()).
  bp::allocation_result allocate(const bp::allocation_problem& prob) const {
    bp::allocation_session s(prob);
    for (const std::size_t e : s.edges_in_order()) {
      bool fits = true;
      for (const std::size_t p : s.pieces_in_order(e)) fits = fits && place_piece(s, e, p);
      fits ? s.commit(e) : s.reject(e);
    }
    return std::move(s).finish();
  }

  //
  // Helper members (not part of the buffer_allocation_policy concept)
  //

  // Fills piece p of edge e from its consumers (most spare first), its producer node, then the
  // rest by kappa; returns false when words are left (the edge is then rejected and its other
  // pieces undone).
  static bool place_piece(bp::allocation_session& s, std::size_t e, std::size_t p) {
    const bp::hold_piece& piece = s.edge(e).pieces[p];
    const std::span<bp::host_candidate> hosts = s.hosts(e, p);  // every core, by id
    std::sort(hosts.begin(), hosts.end(), [&](const bp::host_candidate& a, const bp::host_candidate& b) {
      if (rank(piece, a) != rank(piece, b)) return rank(piece, a) < rank(piece, b);
      if (rank(piece, a) == 0 && a.spare != b.spare) return a.spare > b.spare;
      if (a.kappa != b.kappa) return a.kappa < b.kappa;
      return a.id < b.id;
    });
    return s.fill(e, p, hosts) == 0;
  }

  // 0 for a consumer of the piece, 1 for its producer node, 2 for any other core.
  static int rank(const bp::hold_piece& piece, const bp::host_candidate& h) {
    if (is_consumer(piece, h.node)) return 0;
    return h.node == piece.producer_node ? 1 : 2;
  }

  static bool is_consumer(const bp::hold_piece& piece, bp::phy_dim2 node) {
    return std::find(piece.consumers.begin(), piece.consumers.end(), node) != piece.consumers.end();
  }
};

static_assert(bp::buffer_allocation_policy<consumer_first>);

namespace {

// A hand-made segment: 2x4 cores of 1000 words; stage A (top row) uses 300 words per core,
// stage B (bottom row) 850. Two held edges from A, read by B's nodes: the first does not fit on
// its producers.
bp::allocation_problem small_segment() {
  bp::spare_buffer map({2, 4}, 1000);
  for (std::int64_t w = 0; w < 4; ++w) {
    map.set_usage({0, w}, 300);
    map.set_usage({1, w}, 850);
  }
  const bp::held_edge big{.producer = 0, .producer_order = 0, .words = 1600,
                          .pieces = {{{0, 0}, 800, {{1, 0}, {1, 1}}}, {{0, 1}, 800, {{1, 1}}}}};
  const bp::held_edge small{.producer = 1, .producer_order = 1, .words = 500,
                            .pieces = {{{0, 2}, 250, {{1, 2}}}, {{0, 3}, 250, {{1, 3}}}}};
  return {.spare = map, .edges = {big, small}, .costs = bp::relocation_costs::of(bp::tangram_costs{}),
          .access_forwarding = true};
}

template <class Policy>
void show(const bp::allocation_problem& prob) {
  const bp::allocation_result r = Policy{}.allocate(prob);
  std::printf("%-14s %s  held %5lld  copied %5lld  extra hops %5lld  extra cost %8.1f  util %.3f -> %.3f\n",
              std::string(Policy::name).c_str(), r.feasible() ? "ok    " : "reject",
              static_cast<long long>(r.totals.held_words), static_cast<long long>(r.totals.copied_words),
              static_cast<long long>(r.totals.extra_word_hops), r.totals.extra_cost, r.spare.utilization_before(),
              r.spare.utilization_after());
  for (std::size_t e = 0; e < r.edges.size(); ++e) {
    std::printf("    edge %zu: %-8s", e, std::string(bp::to_string(r.edges[e].outcome)).c_str());
    for (std::size_t p = 0; p < r.edges[e].pieces.size(); ++p) {
      const bp::phy_dim2 n = prob.edges[e].pieces[p].producer_node;
      std::printf("  (%lld,%lld) ->", static_cast<long long>(n.h), static_cast<long long>(n.w));
      for (const bp::host_words& h : r.edges[e].pieces[p])
        std::printf(" (%lld,%lld):%lld", static_cast<long long>(h.host.h), static_cast<long long>(h.host.w),
                    static_cast<long long>(h.words));
    }
    std::printf("\n");
  }
}

}  // namespace

int main() {
  // Define the segment (dynamic): spare buffer, held edges, costs.
  const bp::allocation_problem prob = small_segment();
  std::printf("spare words per core: ");
  for (bp::spare_buffer::core_id id = 0; id < prob.spare.num_cores(); ++id)
    std::printf("%lld ", static_cast<long long>(prob.spare.spare(id)));
  std::printf("\n\n");

  // The user's policy first, then every built-in one (policies are types: chosen at compile time).
  show<consumer_first>(prob);
  std::apply([&](auto... p) { (show<decltype(p)>(prob), ...); }, bp::builtin_buffer_policies{});
  return 0;
}
