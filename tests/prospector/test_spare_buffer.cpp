// Tests of prospector/spare_buffer.hpp: capacity with a reserve, usage per stage (max over the
// stage's temporal layers), holds with and without lifetimes (the per-core skyline), and the
// utilization metrics, including the model note's section 3.3 segment.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <bufferprospector/arch/node_region.hpp>
#include <bufferprospector/prospector/spare_buffer.hpp>

using namespace bp;
using Catch::Matchers::Contains;

namespace {

// The section 3.3 segment (p)(a)(b)(c,res)(q) on 8x8 nodes of 32768 words: NodeRegion.allocate
// gives the stages 28/7/15/7/7 nodes; per-node GBUF words from the note's table (p 9040, a 19968,
// b 10740, c+res 18816 = max of c and res, q 16384).
std::vector<stage_buffer_use> residual_block_stages(std::int64_t c_words, std::int64_t res_words) {
  const node_region mesh({8, 8}, {0, 0}, region_type::proc);
  const auto regions = mesh.allocate({28, 7, 15, 7, 7});
  REQUIRE(regions.size() == 5);
  return {{regions[0], {9040}},
          {regions[1], {19968}},
          {regions[2], {10740}},
          {regions[3], {c_words, res_words}},
          {regions[4], {16384}}};
}

}  // namespace

TEST_CASE("spare_buffer: capacity is floor((1 - rho) * size_gbuf)", "[prospector]") {
  CHECK(spare_buffer({2, 2}, 32768).capacity() == 32768);
  CHECK(spare_buffer({2, 2}, 32768, 0.1).capacity() == 29491);  // 29491.2
  CHECK(spare_buffer({2, 2}, 1000, 0.25).capacity() == 750);
  CHECK(spare_buffer({2, 2}, 1000, 1).capacity() == 0);
  CHECK(spare_buffer({2, 2}, 7, 1.0 / 3).capacity() == 4);  // 4.666...
}

TEST_CASE("spare_buffer: core ids are row-major", "[prospector]") {
  const spare_buffer m({3, 5}, 100);
  CHECK(m.num_cores() == 15);
  CHECK(m.id_of({0, 0}) == 0);
  CHECK(m.id_of({1, 0}) == 5);
  CHECK(m.id_of({2, 4}) == 14);
  CHECK(m.coord_of(7) == phy_dim2{1, 2});
  CHECK(m.contains({2, 4}));
  CHECK_FALSE(m.contains({3, 0}));
  CHECK_FALSE(m.contains({0, -1}));
}

TEST_CASE("spare_buffer: usage is the max over the stage's temporal layers", "[prospector]") {
  const auto stages = residual_block_stages(18816, 6000);
  const spare_buffer m = spare_buffer::of_segment({8, 8}, 32768, stages);
  // Stage (c, res): max(18816, 6000); allocate puts it at (6, 2)..(6, 7), (7, 7).
  CHECK(m.usage({6, 2}) == 18816);
  CHECK(m.usage({7, 7}) == 18816);
  CHECK(m.spare({6, 2}) == 32768 - 18816);
  CHECK(m.usage({3, 3}) == 19968);  // stage a starts at (3, 3), going left
  CHECK(m.usage({0, 0}) == 9040);
  CHECK(m.spare({0, 0}) == 23728);
  CHECK(m.usage({7, 0}) == 16384);  // q is the last stage: the bottom row's left end
  CHECK(m.total_usage() == 28 * 9040 + 7 * 19968 + 15 * 10740 + 7 * 18816 + 7 * 16384);
  // The same with the layers listed the other way round.
  const spare_buffer swapped = spare_buffer::of_segment({8, 8}, 32768, residual_block_stages(6000, 18816));
  CHECK(swapped == m);
}

TEST_CASE("spare_buffer: section 3.3 utilization, 38.2% before and 47.7% after the hold", "[prospector]") {
  spare_buffer m = spare_buffer::of_segment({8, 8}, 32768, residual_block_stages(18816, 18816));
  // sum of usage = 253120 + 139776 + 161100 + 131712 + 114688 = 800396 of 64 * 32768 = 2097152.
  CHECK(m.utilization_before() == Approx(800396.0 / 2097152).epsilon(1e-12));
  CHECK(m.utilization_before() == Approx(0.382).margin(0.0005));
  // Hold p -> res: 7168 words on each of p's 28 nodes (all fit: 7168 <= 23728).
  const node_region mesh({8, 8}, {0, 0}, region_type::proc);
  mesh.allocate({28, 7, 15, 7, 7})[0].for_each_node([&](phy_dim2 c) { m.hold(c, 7168); });
  CHECK(m.total_held() == 200704);
  CHECK(m.utilization_after() == Approx(1001100.0 / 2097152).epsilon(1e-12));
  CHECK(m.utilization_after() == Approx(0.477).margin(0.0005));
  CHECK(m.utilization_before() == Approx(800396.0 / 2097152).epsilon(1e-12));  // unchanged by holds
  CHECK(m.spare({0, 0}) == 23728 - 7168);
  CHECK(m.max_core_utilization() == Approx(19968.0 / 32768).epsilon(1e-12));  // a's nodes stay fullest
}

TEST_CASE("spare_buffer: a reserve never makes the room negative", "[prospector]") {
  spare_buffer m({1, 2}, 1000, 0.5);
  m.set_usage({0, 0}, 800);  // valid for the layer (<= 1000), but above the 500-word capacity
  m.set_usage({0, 1}, 100);
  CHECK(m.room(0) == 0);
  CHECK(m.spare({0, 0}) == 0);
  CHECK(m.spare({0, 1}) == 400);
  CHECK(m.total_spare() == 400);
}

TEST_CASE("spare_buffer: hold and release", "[prospector]") {
  spare_buffer m({2, 2}, 100);
  m.set_usage({1, 1}, 30);
  m.hold({1, 1}, 50);
  m.hold({1, 1}, 20);
  CHECK(m.held({1, 1}) == 70);
  CHECK(m.spare({1, 1}) == 0);
  m.release(m.id_of({1, 1}), 50);
  CHECK(m.held({1, 1}) == 20);
  CHECK(m.spare({1, 1}) == 50);
  m.release(m.id_of({1, 1}), 20);
  CHECK(m == spare_buffer([] {
          spare_buffer fresh({2, 2}, 100);
          fresh.set_usage({1, 1}, 30);
          return fresh;
        }()));
}

TEST_CASE("spare_buffer: holds with disjoint lifetimes share room (skyline)", "[prospector]") {
  spare_buffer m({1, 1}, 100);
  m.hold(0, 80, {0, 10});
  // [10, 20) does not overlap [0, 10): the whole room is free then.
  CHECK(m.spare(0, hold_lifetime{10, 20}) == 100);
  m.hold(0, 70, {10, 20});
  // [5, 15) sees 80 (at 5) and 70 (at 10): peak 80.
  CHECK(m.spare(0, hold_lifetime{5, 15}) == 20);
  m.hold(0, 20, {5, 15});
  // Skyline: [0,5) 80, [5,10) 100, [10,15) 90, [15,20) 70.
  CHECK(m.held(0) == 100);
  CHECK(m.spare(0) == 0);
  CHECK(m.spare(0, hold_lifetime{15, 30}) == 30);
  CHECK(m.spare(0, hold_lifetime{20, 30}) == 100);
  CHECK(m.spare(0, hold_lifetime{-5, 0}) == 100);
  // A hold without lifetime is alive everywhere.
  m.release(0, 20, {5, 15});
  m.hold(0, 20);
  CHECK(m.held(0) == 100);   // 80 + 20 at [0, 10)
  CHECK(m.spare(0, hold_lifetime{10, 20}) == 10);
  CHECK(m.spare(0, hold_lifetime{30, 40}) == 80);
}

TEST_CASE("spare_buffer: the unbounded hold of the ideal bound overcommits visibly", "[prospector]") {
  spare_buffer m({1, 2}, 100);
  m.set_usage({0, 0}, 90);
  m.hold_unbounded(0, 50);
  CHECK(m.spare(0) == -40);
  CHECK(m.utilization_after() == Approx(140.0 / 200));
  CHECK(m.max_core_utilization() == Approx(1.4));
}

TEST_CASE("spare_buffer: bad input names the field", "[prospector]") {
  CHECK_THROWS_AS(spare_buffer({0, 4}, 100), invalid_spec);
  CHECK_THROWS_WITH(spare_buffer({2, 2}, 100, 1.5), Contains("prospector_options.reserve = 1.5"));
  CHECK_THROWS_AS(spare_buffer({2, 2}, 100, -0.1), invalid_option);
  CHECK_THROWS_WITH(spare_buffer({2, 2}, -1), Contains("gbuf_words = -1"));
  spare_buffer m({2, 2}, 100);
  CHECK_THROWS_WITH(m.set_usage({2, 0}, 10), Contains("node (2, 0) is outside the 2x2 mesh"));
  CHECK_THROWS_WITH(m.set_usage({0, 0}, 101), Contains("usage of node (0, 0) = 101"));
  const std::array overlapping{stage_buffer_use{node_region({1, 2}, {0, 0}, region_type::proc), {10}},
                               stage_buffer_use{node_region({2, 1}, {0, 1}, region_type::proc), {10}}};
  CHECK_THROWS_WITH(spare_buffer::of_segment({2, 2}, 100, overlapping), Contains("node (0, 1) belongs to two stages"));
  const std::array too_big{stage_buffer_use{node_region({1, 2}, {0, 0}, region_type::proc), {10, 200}}};
  CHECK_THROWS_WITH(spare_buffer::of_segment({2, 2}, 100, too_big), Contains("layer GBUF size = 200"));
}

TEST_CASE("network_utilization: the segment-time-weighted mean", "[prospector]") {
  const std::array segs{segment_utilization{0.063, 3000}, segment_utilization{0.244, 1000}};
  CHECK(network_utilization(segs) == Approx((0.063 * 3000 + 0.244 * 1000) / 4000).epsilon(1e-12));
  const std::array zero{segment_utilization{0.2, 0}, segment_utilization{0.4, 0}};
  CHECK(network_utilization(zero) == Approx(0.3));
  CHECK(network_utilization({}) == 0);
}
