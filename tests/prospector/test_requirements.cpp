// Tests of prospector/requirements.hpp (and of F(x, S) in allocator.hpp): the model note's section
// 3.3 numbers from its B, C, ts/td, the rounding rule, and held edges built from Tangram's real
// per-node ranges (tests/data/prospector/reference.txt, written by tests/data/gen/gen_prospector.py:
// proc_data_range on the section 3.3 stages, F by DataLayout.nhops_to).
#include <catch2/catch.hpp>

#include <array>
#include <numeric>
#include <vector>

#include <bufferprospector/prospector/allocator.hpp>
#include <bufferprospector/prospector/requirements.hpp>

#include "reference_cases.hpp"

using namespace bp;
using Catch::Matchers::Contains;

namespace {

std::vector<hold_consumer> consumers_of(const bp_test::requirement_case& c) {
  std::vector<hold_consumer> out;
  for (std::size_t i = 0; i < c.consumers.size(); ++i)
    out.push_back({.layer = static_cast<layer_id>(10 + i),
                   .td_xb = c.consumers[i].td_xb,
                   .channel_offset = c.consumers[i].channel_offset,
                   .ifmap_ranges = c.consumers[i].ranges});
  return out;
}

const bp_test::requirement_case& find_case(const bp_test::reference_data& ref, const std::string& name) {
  for (const auto& c : ref.cases)
    if (c.name == name) return c;
  FAIL("no reference case " << name);
  return ref.cases.front();
}

}  // namespace

TEST_CASE("requirements: section 3.3 residual block, batch 4 and batch 16", "[prospector]") {
  // Batch 4: B = 2, C = 11520, ts_xb(p) = 0, td_xb(res) = 37968.
  // N_live = min(2, ceil(37968 / 11520) = ceil(3.30) = 4) = 2.
  CHECK(live_batch_groups(2, 11520, 0, 37968) == 2);
  // V = 256 * 14 * 14 * 4 = 200704; R = 2 * 200704 / 2 = 200704; r_n = 200704 / 28 = 7168.
  CHECK(total_requirement(2, 256 * 14 * 14 * 4, 2) == 200704);
  CHECK(total_requirement(2, 7168, 2) == 7168);
  // Batch 16: B = 8, C = 46080, td_xb = 151872: ceil(3.30) = 4 < 8, so N_live = 4;
  // V = 802816; R = 4 * 802816 / 8 = 401408 (half the ofmap); r_n = 4 * 28672 / 8 = 14336.
  CHECK(live_batch_groups(8, 46080, 0, 151872) == 4);
  CHECK(total_requirement(4, 802816, 8) == 401408);
  CHECK(total_requirement(4, 802816 / 28, 8) == 14336);
  // Lifetime [ts_xb(p), td_xb(res) + (B - 1) C) = [0, 37968 + 11520).
  CHECK(intra_hold_lifetime(0, 37968, 2, 11520) == hold_lifetime{0, 49488});
}

TEST_CASE("requirements: N_live edge cases", "[prospector]") {
  CHECK(live_batch_groups(4, 100, 0, 1) == 1);    // shorter than one issue period: one group
  CHECK(live_batch_groups(4, 100, 0, 100) == 1);  // exactly one period
  CHECK(live_batch_groups(4, 100, 0, 101) == 2);
  CHECK(live_batch_groups(4, 100, 50, 10000) == 4);  // capped at B
  CHECK(live_batch_groups(1, 7, 0, 1000) == 1);
  CHECK_THROWS_WITH(live_batch_groups(2, 100, 5, 5), Contains("consumer td_xb = 5 must be > producer ts_xb = 5"));
  CHECK_THROWS_WITH(live_batch_groups(0, 100, 0, 5), Contains("batch_groups = 0"));
  CHECK_THROWS_WITH(live_batch_groups(2, 0, 0, 5), Contains("critical_time = 0"));
}

TEST_CASE("requirements: pieces are apportioned by largest remainder and sum to R_e", "[prospector]") {
  // Exact shares 1.5, 1.5, 1.5; R = floor(9 / 2) = 4; floors 1 + 1 + 1 = 3; the one word left
  // goes to the first of the equal remainders.
  const std::array<std::int64_t, 3> equal{3, 3, 3};
  CHECK(apportion_words(equal, 1, 2) == std::vector<std::int64_t>{2, 1, 1});
  // 2/3 of {5, 7, 2}: 3.33, 4.67, 1.33 -> floors 3, 4, 1 (8); R = floor(28 / 3) = 9; the word
  // goes to the largest remainder (14 mod 3 = 2): {3, 5, 1}.
  const std::array<std::int64_t, 3> uneven{5, 7, 2};
  CHECK(apportion_words(uneven, 2, 3) == std::vector<std::int64_t>{3, 5, 1});
  // Divisible: no rounding at all.
  const std::array<std::int64_t, 2> even{7168, 7168};
  CHECK(apportion_words(even, 2, 2) == std::vector<std::int64_t>{7168, 7168});
  // Property: for many size lists, the pieces sum to floor(live * V / B) and each is within one
  // word of its exact share.
  for (std::int64_t groups = 1; groups <= 9; ++groups)
    for (std::int64_t live = 1; live <= groups; ++live) {
      std::vector<std::int64_t> sizes;
      for (std::int64_t i = 0; i < 11; ++i) sizes.push_back((i * 37 + groups * 11 + live) % 23);
      const std::vector<std::int64_t> w = apportion_words(sizes, live, groups);
      const std::int64_t total = std::accumulate(sizes.begin(), sizes.end(), std::int64_t{0});
      CHECK(std::accumulate(w.begin(), w.end(), std::int64_t{0}) == live * total / groups);
      for (std::size_t i = 0; i < sizes.size(); ++i) {
        CHECK(w[i] * groups >= live * sizes[i] - groups + 1);  // w >= floor(exact)
        CHECK(w[i] * groups <= live * sizes[i] + groups - 1);  // w <= ceil(exact)
      }
    }
}

TEST_CASE("requirements: F(x, S) equals Tangram's DataLayout.nhops_to from one node", "[prospector]") {
  const bp_test::reference_data ref = bp_test::read_reference();
  REQUIRE(ref.forwarding.size() == 300);
  std::size_t with_forwarding = 0;
  for (const auto& f : ref.forwarding) {
    INFO("source (" << f.source.h << ", " << f.source.w << "), " << f.dests.size() << " dests, forwarding "
                    << f.forwarding);
    CHECK(forwarding_hops(f.source, f.dests, f.forwarding) == f.nhops);
    with_forwarding += f.forwarding ? 1 : 0;
  }
  CHECK(with_forwarding > 100);
  CHECK(with_forwarding < 200);
  // By hand: x = (0, 0), S = {(0, 3), (2, 3)}: plain 3 + 5 = 8; forwarding: nearest 3, then the
  // tree (0, 3) -> (2, 3) of 2 hops: 5.
  const std::array<phy_dim2, 2> s{phy_dim2{0, 3}, phy_dim2{2, 3}};
  CHECK(forwarding_hops({0, 0}, s, false) == 8);
  CHECK(forwarding_hops({0, 0}, s, true) == 5);
  CHECK(forwarding_hops({0, 0}, {}, true) == 0);
}

TEST_CASE("requirements: held edges on Tangram's per-node ranges", "[prospector]") {
  const bp_test::reference_data ref = bp_test::read_reference();
  REQUIRE(ref.cases.size() == 4);
  for (const auto& c : ref.cases) {
    INFO("case " << c.name);
    const std::vector<hold_consumer> consumers = consumers_of(c);
    const held_edge e = intra_segment_hold({.layer = 3, .order = 5, .ts_xb = c.ts_xb, .ofmap_ranges = c.producer},
                                           consumers, {.batch_groups = c.batch_groups, .critical_time = c.critical_time});
    CHECK(e.producer == 3);
    CHECK(e.producer_order == 5);
    CHECK(e.kind == hold_kind::intra_segment);
    CHECK(e.consumers.size() == c.consumers.size());
    CHECK(e.batch_groups == c.batch_groups);
    CHECK(e.live_groups == c.live);
    CHECK(e.ofmap_words == c.ofmap_words);
    CHECK(e.words == c.words);
    REQUIRE(e.pieces.size() == c.pieces.size());
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < e.pieces.size(); ++i) {
      const hold_piece& got = e.pieces[i];
      const bp_test::expected_piece& want = c.pieces[i];
      INFO("piece " << i);
      CHECK(got.producer_node == want.node);
      CHECK(got.words == want.words);
      CHECK(got.consumers == want.consumers);
      CHECK(forwarding_hops(got.producer_node, got.consumers, false) == want.f_plain);
      CHECK(forwarding_hops(got.producer_node, got.consumers, true) == want.f_forwarding);
      sum += got.words;
    }
    CHECK(sum == e.words);
    std::int64_t last_td = 0;
    for (const auto& cc : c.consumers) last_td = std::max(last_td, cc.td_xb);
    CHECK(e.lifetime == intra_hold_lifetime(c.ts_xb, last_td, c.batch_groups, c.critical_time));
  }
  // The section 3.3 numbers on the real ranges: 28 pieces of 7168 (batch 4), 14336 (batch 16).
  const auto& b4 = find_case(ref, "residual_b4");
  CHECK(b4.live == 2);
  CHECK(b4.words == 200704);
  CHECK(b4.pieces.size() == 28);
  for (const auto& p : b4.pieces) CHECK(p.words == 7168);
  const auto& b16 = find_case(ref, "residual_b16");
  CHECK(b16.live == 4);
  CHECK(b16.words == 401408);
  for (const auto& p : b16.pieces) CHECK(p.words == 14336);
  // INPP: 15 producer nodes hold 5 distinct ranges; the uneven OUTP split (256 / 5) makes the
  // last piece larger (batch 3: 52 channels * 196 * 3 = 30576 against 51 * 588 = 29988).
  const auto& inpp = find_case(ref, "inpp_two_consumers_b3");
  CHECK(inpp.producer.size() == 15);
  CHECK(inpp.pieces.size() == 5);
  CHECK(inpp.pieces.back().words == 30576);
}

TEST_CASE("requirements: several held consumers share one hold with the latest td_xb", "[prospector]") {
  const bp_test::reference_data ref = bp_test::read_reference();
  const auto& c = find_case(ref, "inpp_two_consumers_b8");
  // B = 4, C = 700, ts = 0: td 2000 alone -> ceil(2000 / 700) = 3; td 900 alone -> 2.
  const std::vector<hold_consumer> both = consumers_of(c);
  const held_edge shared = intra_segment_hold({.layer = 1, .order = 1, .ts_xb = 0, .ofmap_ranges = c.producer}, both,
                                              {.batch_groups = 4, .critical_time = 700});
  CHECK(shared.live_groups == 3);
  CHECK(shared.words == 3 * 401408 / 4);
  const held_edge only_second = intra_segment_hold({.layer = 1, .order = 1, .ts_xb = 0, .ofmap_ranges = c.producer},
                                                   std::span(both).subspan(1), {.batch_groups = 4, .critical_time = 700});
  CHECK(only_second.live_groups == 2);
  CHECK(only_second.words == 2 * 401408 / 4);
  // The shared consumer sets are the union of both consumers' sets.
  for (std::size_t i = 0; i < only_second.pieces.size(); ++i)
    for (const phy_dim2& n : only_second.pieces[i].consumers)
      CHECK(std::find(shared.pieces[i].consumers.begin(), shared.pieces[i].consumers.end(), n) !=
            shared.pieces[i].consumers.end());
}

TEST_CASE("requirements: cross-segment holds keep the whole ofmap", "[prospector]") {
  const bp_test::reference_data ref = bp_test::read_reference();
  const auto& c = find_case(ref, "residual_b16");
  const std::vector<hold_consumer> consumers = consumers_of(c);
  const held_edge e = inter_segment_hold({.layer = 0, .order = 0, .ts_xb = 0, .ofmap_ranges = c.producer}, consumers, 3);
  CHECK(e.kind == hold_kind::inter_segment);
  CHECK(e.words == 802816);  // R_e = V_e
  CHECK(e.segments_spanned == 3);
  CHECK(e.lifetime.spans_everything());
  REQUIRE(e.pieces.size() == 28);
  for (const hold_piece& p : e.pieces) CHECK(p.words == 28672);  // |ofrng_n| = 16 * 64 * 14 * 2
  CHECK(e.pieces[0].consumers == c.pieces[0].consumers);
  CHECK_THROWS_WITH(inter_segment_hold({.layer = 0, .order = 0, .ts_xb = 0, .ofmap_ranges = c.producer}, consumers, 0),
                    Contains("segments_spanned = 0"));
}

TEST_CASE("requirements: bad producer ranges are refused", "[prospector]") {
  const std::array<node_fmap_range, 2> overlapping{
      node_fmap_range{{0, 0}, {{0, 0, 0, 0}, {1, 4, 4, 4}}},
      node_fmap_range{{0, 1}, {{0, 2, 0, 0}, {1, 6, 4, 4}}}};
  const std::array<node_fmap_range, 1> reader{node_fmap_range{{1, 1}, {{0, 0, 0, 0}, {1, 6, 4, 4}}}};
  const std::array<hold_consumer, 1> consumers{hold_consumer{.layer = 1, .td_xb = 10, .ifmap_ranges = reader}};
  CHECK_THROWS_WITH(intra_segment_hold({.layer = 0, .ofmap_ranges = overlapping}, consumers, {1, 5}),
                    Contains("(0, 0) and (0, 1) overlap without being equal"));
  CHECK_THROWS_WITH(intra_segment_hold({.layer = 0, .ofmap_ranges = {}}, consumers, {1, 5}),
                    Contains("no ofmap range"));
  CHECK_THROWS_WITH(intra_segment_hold({.layer = 0, .ofmap_ranges = reader}, {}, {1, 5}), Contains("no consumer"));
  const std::array<hold_consumer, 1> negative{hold_consumer{.layer = 1, .td_xb = 10, .channel_offset = -1, .ifmap_ranges = reader}};
  CHECK_THROWS_WITH(intra_segment_hold({.layer = 0, .ofmap_ranges = reader}, negative, {1, 5}),
                    Contains("channel_offset = -1"));
}

TEST_CASE("requirements: channel offset selects the consumer nodes of a concatenated ifmap", "[prospector]") {
  // Consumer nodes split the 8 input channels of concat(a: 4 channels, b: 4 channels) in halves.
  const std::array<node_fmap_range, 2> consumer{
      node_fmap_range{{1, 0}, {{0, 0, 0, 0}, {1, 4, 2, 2}}},
      node_fmap_range{{1, 1}, {{0, 4, 0, 0}, {1, 8, 2, 2}}}};
  std::vector<phy_dim2> s;
  add_consumer_nodes({{0, 0, 0, 0}, {1, 4, 2, 2}}, 0, consumer, s);  // a, offset 0
  CHECK(s == std::vector<phy_dim2>{{1, 0}});
  s.clear();
  add_consumer_nodes({{0, 0, 0, 0}, {1, 4, 2, 2}}, 4, consumer, s);  // b, offset 4
  CHECK(s == std::vector<phy_dim2>{{1, 1}});
  s.clear();
  add_consumer_nodes({{0, 2, 0, 0}, {1, 3, 1, 1}}, 2, consumer, s);  // channel 4 after the offset
  CHECK(s == std::vector<phy_dim2>{{1, 1}});
}
