// Tests of intra/data_layout.hpp (Tangram's DataLayout) and of the forwarding-tree weights.
// Reference numbers: tests/data/partition/data_layout.txt and unit_nhops.txt, written by
// tests/data/gen/gen_partition.py (command in its header).
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <bufferprospector/intra/data_layout.hpp>
#include <bufferprospector/intra/partition.hpp>

#include "reference_data.hpp"

using namespace bp;
using bp_test::record;

namespace {

per_parallel<phy_dim2> pdims_of(phy_dim2 outp, phy_dim2 ofmp, phy_dim2 batp = {1, 1}) {
  per_parallel<phy_dim2> pd;
  pd.fill({1, 1});
  pd[parallel_dim::outp] = outp;
  pd[parallel_dim::ofmp] = ofmp;
  pd[parallel_dim::batp] = batp;
  return pd;
}

const partition_scheme::order_type natural = all<parallel_dim>;

// Minimum spanning tree weight by enumerating every labeled tree (Pruefer sequences); `dist`
// gives the edge weights of the complete graph on k nodes.
template <class Dist>
std::int64_t brute_force_mst(std::size_t k, Dist dist) {
  if (k <= 1) return 0;
  if (k == 2) return dist(0, 1);
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  std::vector<std::size_t> seq(k - 2, 0);
  while (true) {
    std::vector<std::size_t> degree(k, 1);
    for (auto s : seq) ++degree[s];
    std::int64_t w = 0;
    for (auto s : seq) {
      std::size_t leaf = 0;
      while (degree[leaf] != 1) ++leaf;
      w += dist(leaf, s);
      --degree[leaf];
      --degree[s];
    }
    std::size_t u = k, v = k;
    for (std::size_t i = 0; i < k; ++i)
      if (degree[i] == 1) (u == k ? u : v) = i;
    w += dist(u, v);
    best = std::min(best, w);
    std::size_t pos = 0;
    while (pos < seq.size() && ++seq[pos] == k) seq[pos++] = 0;
    if (pos == seq.size()) break;
  }
  return best;
}

// Hops to one destination, element by element: find the node holding each fmap position.
std::int64_t brute_force_hops(const data_layout& dl, const fmap_range& frng, phy_dim2 dest) {
  std::int64_t hops = 0;
  for (auto b = frng.beg.b; b < frng.end.b; ++b)
    for (auto n = frng.beg.n; n < frng.end.n; ++n)
      for (auto h = frng.beg.h; h < frng.end.h; ++h)
        for (auto w = frng.beg.w; w < frng.end.w; ++w) {
          const fmap_position p{b, n, h, w};
          for (const auto& pc : dl.pieces()) {
            if (!pc.frng.contains(p)) continue;
            pc.part.for_each_pidx([&](const partition_index& pidx) {
              if (pc.part.fmap_range_of(pc.frng, pidx).contains(p))
                hops += dest.hop_dist(pc.part.coordinate(pc.region, pidx));
            });
          }
        }
  return hops;
}

// Tangram's greedy forwarding, literally: repeatedly the closest (source, destination) pair.
std::int64_t greedy_forwarding(std::vector<phy_dim2> sources, std::vector<phy_dim2> dests) {
  std::sort(dests.begin(), dests.end());
  dests.erase(std::unique(dests.begin(), dests.end()), dests.end());
  for (const auto& s : sources) dests.erase(std::remove(dests.begin(), dests.end(), s), dests.end());
  std::int64_t total = 0;
  while (!dests.empty()) {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    std::size_t bd = 0;
    for (const auto& s : sources)
      for (std::size_t d = 0; d < dests.size(); ++d)
        if (dests[d].hop_dist(s) < best) best = dests[d].hop_dist(s), bd = d;
    total += best;
    sources.push_back(dests[bd]);
    dests.erase(dests.begin() + static_cast<std::ptrdiff_t>(bd));
  }
  return total;
}

}  // namespace

TEST_CASE("data_layout nhops_to and is_in equal Tangram's DataLayout", "[partition]") {
  bp_test::record_stream in{bp_test::read_records("partition/data_layout.txt")};
  std::size_t nlayouts = 0, nqueries = 0, nin = 0, nin_true = 0;
  while (!in.done()) {
    record& head = in.take("layout");
    const std::string name = head.word();
    INFO("layout " << name);
    const auto npieces = head.integer();
    std::vector<data_layout::piece> pieces;
    for (std::int64_t i = 0; i < npieces; ++i) pieces.push_back(in.take("piece").piece());
    const data_layout dl(pieces);
    CHECK(dl.pieces() == pieces);
    while (!in.done() && in.peek_tag() == "q") {
      record& q = in.take("q");
      const fmap_range frng = q.frng();
      const bool fwd = q.integer() != 0;
      std::vector<phy_dim2> dests(static_cast<std::size_t>(q.integer()));
      for (auto& d : dests) d = q.dim();
      const std::int64_t expected = q.integer();
      CHECK(dl.nhops_to(frng, dests, fwd) == expected);
      if (dests.size() == 1 && !fwd) CHECK(dl.nhops_to(frng, dests[0]) == expected);
      ++nqueries;
    }
    while (!in.done() && in.peek_tag() == "in") {
      record& r = in.take("in");
      std::vector<node_region> regions;
      for (auto m = r.integer(); m > 0; --m) regions.push_back(r.region());
      const bool expected = r.integer() != 0;
      CHECK(dl.is_in(regions) == expected);
      ++nin;
      nin_true += expected;
    }
    ++nlayouts;
  }
  CHECK(nlayouts == 13);
  CHECK(nqueries == 13 * 24);
  CHECK(nin_true > 0);
  CHECK(nin_true < nin);
}

TEST_CASE("data_layout concat equals the layout `layer --prev-part` builds", "[partition]") {
  // unit_nhops.txt, scenario conv_concat_3x5: two producers (32 and 64 channels) on the 2D DRAM
  // of a 3x5 mesh, concatenated by Tangram's DataLayout.concat.
  bp_test::record_stream in{bp_test::read_records("partition/unit_nhops.txt")};
  while (in.take("scenario").word() != "conv_concat_3x5_fwd0")
    while (in.peek_tag() != "scenario") ++in.next;
  while (in.peek_tag() != "ifmap") ++in.next;
  REQUIRE(in.take("ifmap").integer() == 2);
  const auto p0 = in.take("piece").piece(), p1 = in.take("piece").piece();

  auto first = p0, second = p1;
  second.frng.beg.n -= p0.frng.end.n;  // each producer's own layout starts at channel 0
  second.frng.end.n -= p0.frng.end.n;
  const data_layout layouts[] = {data_layout({first}), data_layout({second})};
  const data_layout cat = data_layout::concat(layouts);
  CHECK(cat == data_layout({p0, p1}));
  CHECK(cat.complete_fmap_range() == fmap_range{{0, 0, 0, 0}, {3, 96, 14, 14}});
  // Concatenating an already concatenated layout shifts it as a whole.
  const data_layout again[] = {layouts[0], cat};
  const data_layout cat2 = data_layout::concat(again);
  REQUIRE(cat2.pieces().size() == 3);
  CHECK(cat2.pieces()[1].frng.n() == int_range{32, 64});
  CHECK(cat2.pieces()[2].frng.n() == int_range{64, 128});
}

TEST_CASE("data_layout validates as DataLayout does", "[partition]") {
  const node_region dram({2, 2}, {0, 0}, region_type::dram, {3, 3});
  const partition_scheme p22(natural, pdims_of({1, 1}, {2, 2}));
  const fmap_range f{{0, 0, 0, 0}, {4, 8, 6, 6}};
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(data_layout({}), Contains("DataLayout: no frngs."));
  CHECK_THROWS_WITH(data_layout({{{{0, 1, 0, 0}, {4, 8, 6, 6}}, dram, p22}}), Contains("must begin at 0"));
  CHECK_THROWS_WITH(data_layout({{f, dram, p22}, {{{0, 8, 0, 0}, {4, 9, 6, 5}}, dram, p22}}),
                    Contains("frng dim b, h, w mismatch."));
  CHECK_THROWS_WITH(data_layout({{f, dram, p22}, {{{0, 9, 0, 0}, {4, 10, 6, 6}}, dram, p22}}),
                    Contains("frng dim n is discontinuous."));
  per_parallel<phy_dim2> inpp = pdims_of({1, 1}, {1, 1});
  inpp[parallel_dim::inpp] = {2, 1};
  CHECK_THROWS_WITH(data_layout({{f, dram, partition_scheme(natural, inpp)}}),
                    Contains("invalid partitioning scheme for fmap range."));
  CHECK_THROWS_WITH(data_layout({{f, dram, partition_scheme(natural, pdims_of({1, 1}, {1, 4}))}}),
                    Contains("does not fit in node region."));
  CHECK_THROWS_AS(data_layout({}), invalid_spec);
  CHECK_NOTHROW(data_layout({{f, dram, p22}, {{{0, 8, 0, 0}, {4, 9, 6, 6}}, dram, p22}}));
}

TEST_CASE("data_layout equality and hash", "[partition]") {
  const node_region dram({2, 2}, {0, 0}, region_type::dram, {3, 3});
  const node_region proc({2, 2}, {0, 0}, region_type::proc, {3, 3});
  const partition_scheme p22(natural, pdims_of({1, 1}, {2, 2}));
  const partition_scheme p14(natural, pdims_of({1, 2}, {2, 1}));
  const fmap_range f{{0, 0, 0, 0}, {4, 8, 6, 6}};
  const data_layout a({{f, dram, p22}}), b({{f, dram, p22}}), c({{f, proc, p22}}), d({{f, dram, p14}});
  CHECK(a == b);
  CHECK(a.hash() == b.hash());
  CHECK_FALSE(a == c);
  CHECK_FALSE(a == d);
  CHECK(a.hash() != c.hash());
  CHECK(a.hash() != d.hash());
  std::unordered_set<data_layout> set{a, b, c, d};
  CHECK(set.size() == 3);
}

TEST_CASE("nhops_to: brute force over elements and over all spanning trees", "[partition]") {
  std::mt19937_64 rng(7);
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {  // uniform in [lo, hi]
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const node_region region({3, 4}, {1, 0}, {1, 2}, region_type::proc, 4, -3);  // folded, spaced
  const options opt{.partition_hybrid = true, .partition_batch = true};
  const layer input = layers::input{.nofm = 6, .sofm = {5, 7}};
  const auto schemes = partitions(input, 4, region.dim(), opt, true);
  REQUIRE(schemes.size() > 3);
  std::size_t ntrials = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // Two pieces along the channels, each spread by a random scheme.
    const auto& s0 = schemes[static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(schemes.size()) - 1))];
    const auto& s1 = schemes[static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(schemes.size()) - 1))];
    const std::int64_t split = pick(1, 5);
    const data_layout dl({{{{0, 0, 0, 0}, {4, split, 5, 7}}, region, s0.projection(region, true)},
                          {{{0, split, 0, 0}, {4, 6, 5, 7}}, region, s1.projection(region, true)}});
    fmap_range frng;
    frng.beg = {pick(0, 3), pick(0, 5), pick(0, 4), pick(0, 6)};
    frng.end = {pick(frng.beg.b + 1, 4), pick(frng.beg.n + 1, 6), pick(frng.beg.h + 1, 5),
                pick(frng.beg.w + 1, 7)};
    std::vector<phy_dim2> dests(static_cast<std::size_t>(pick(1, 6)));
    for (auto& d : dests) d = {pick(0, 5), pick(0, 8)};  // may repeat

    std::int64_t sum = 0, min = std::numeric_limits<std::int64_t>::max();
    for (const auto& d : dests) {
      const std::int64_t h = brute_force_hops(dl, frng, d);
      sum += h;
      min = std::min(min, h);
    }
    CHECK(dl.nhops_to(frng, dests, false) == sum);
    const std::int64_t tree = brute_force_mst(dests.size(), [&](std::size_t i, std::size_t j) {
      return dests[i].hop_dist(dests[j]);
    });
    CHECK(dl.nhops_to(frng, dests, true) == min + frng.size() * tree);
    CHECK(detail::spanning_tree_hops(dests) == tree);
    CHECK(greedy_forwarding({dests[0]}, dests) == tree);
    ++ntrials;
  }
  CHECK(ntrials == 300);
}

TEST_CASE("filter forwarding tree from several sources: brute force", "[partition]") {
  std::mt19937_64 rng(11);
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<phy_dim2> sources(static_cast<std::size_t>(pick(1, 4)));
    std::vector<phy_dim2> dests(static_cast<std::size_t>(pick(1, 6)));
    for (auto& s : sources) s = {pick(0, 7), pick(0, 7)};
    for (auto& d : dests) d = {pick(0, 7), pick(0, 7)};
    // Node 0 stands for all sources (they are connected at no cost).
    const std::int64_t tree = brute_force_mst(dests.size() + 1, [&](std::size_t i, std::size_t j) {
      if (i > j) std::swap(i, j);
      if (i == 0) {
        std::int64_t best = std::numeric_limits<std::int64_t>::max();
        for (const auto& s : sources) best = std::min(best, dests[j - 1].hop_dist(s));
        return best;
      }
      return dests[i - 1].hop_dist(dests[j - 1]);
    });
    CHECK(detail::multi_source_tree_hops(sources, dests) == tree);
    CHECK(greedy_forwarding(sources, dests) == tree);
  }
}
