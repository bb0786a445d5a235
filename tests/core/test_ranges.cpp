// tests/core/test_ranges.cpp -- phy_dim2, int_range and fmap_range semantics (Tangram's
// PhyDim2, IntRange, FmapRange).
#include <catch2/catch.hpp>

#include <bufferprospector/core/fmap_range.hpp>
#include <bufferprospector/core/phy_dim2.hpp>

TEST_CASE("phy_dim2 arithmetic and hop distance", "[core]") {
  constexpr bp::phy_dim2 a{3, 5}, b{1, 7};
  STATIC_REQUIRE(a.size() == 15);
  STATIC_REQUIRE(a.hop_dist(b) == 4);
  STATIC_REQUIRE(a + b == bp::phy_dim2{4, 12});
  STATIC_REQUIRE(a - b == bp::phy_dim2{2, -2});
  STATIC_REQUIRE(a * b == bp::phy_dim2{3, 35});
  STATIC_REQUIRE(b < a);  // lexicographic, as Python tuples
  STATIC_REQUIRE(bp::phy_dim2{1, 2} < bp::phy_dim2{1, 3});
}

TEST_CASE("int_range overlap", "[core]") {
  constexpr bp::int_range r{2, 8};
  CHECK(r.size() == 6);
  CHECK(r.overlap({5, 12}) == bp::int_range{5, 8});
  CHECK(r.overlap({9, 12}) == bp::int_range{0, 0});
  CHECK(r.offset(3) == bp::int_range{5, 11});
  CHECK(bp::int_range{4, 4}.empty());
}

TEST_CASE("fmap_range sizes and overlaps", "[core]") {
  constexpr bp::fmap_range a{{0, 0, 0, 0}, {4, 8, 6, 6}};
  constexpr bp::fmap_range b{{2, 4, 3, 0}, {6, 12, 9, 2}};
  STATIC_REQUIRE(a.size() == 4 * 8 * 6 * 6);
  STATIC_REQUIRE(a.overlap_size(b) == 2 * 4 * 3 * 2);
  STATIC_REQUIRE(a.overlap(b) == bp::fmap_range{{2, 4, 3, 0}, {4, 8, 6, 2}});
  constexpr bp::fmap_range c{{4, 0, 0, 0}, {5, 8, 6, 6}};
  STATIC_REQUIRE(a.overlap_size(c) == 0);
  STATIC_REQUIRE(a.overlap(c).size() == 0);
  STATIC_REQUIRE(a.contains({3, 7, 5, 5}));
  STATIC_REQUIRE_FALSE(a.contains({4, 0, 0, 0}));
}
