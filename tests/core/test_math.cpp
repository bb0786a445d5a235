// tests/core/test_math.cpp -- integer helpers against nn_dataflow/util.py (values printed by
// the reference: python3 -c "from nn_dataflow import util; print(list(util.factorize(12, 3)))").
#include <catch2/catch.hpp>

#include <bufferprospector/core/math.hpp>

#include <array>
#include <vector>

using arr3 = std::array<std::int64_t, 3>;

TEST_CASE("factorize enumerates in util.factorize's order", "[core]") {
  const std::vector<arr3> expected{{1, 1, 12}, {1, 2, 6}, {1, 3, 4}, {1, 4, 3}, {1, 6, 2}, {1, 12, 1},
                                   {2, 1, 6},  {2, 2, 3}, {2, 3, 2}, {2, 6, 1}, {3, 1, 4}, {3, 2, 2},
                                   {3, 4, 1},  {4, 1, 3}, {4, 3, 1}, {6, 1, 2}, {6, 2, 1}, {12, 1, 1}};
  CHECK(bp::factorizations<3>(12) == expected);
  CHECK(bp::factorizations<3>(1) == std::vector<arr3>{{1, 1, 1}});
}

TEST_CASE("factorize honours limits on the leading factors", "[core]") {
  std::vector<std::array<std::int64_t, 2>> got;
  bp::for_each_factorization<2>(36, [&](const auto& f) { got.push_back(f); }, {4, 0});
  CHECK(got == std::vector<std::array<std::int64_t, 2>>{{1, 36}, {2, 18}, {3, 12}, {4, 9}});
}

TEST_CASE("factorize agrees with brute force", "[core]") {
  for (std::int64_t v = 1; v <= 200; ++v) {
    std::vector<arr3> brute;
    for (std::int64_t a = 1; a <= v; ++a)
      for (std::int64_t b = 1; a * b <= v; ++b)
        if (v % (a * b) == 0) brute.push_back({a, b, v / (a * b)});
    REQUIRE(bp::factorizations<3>(v) == brute);
  }
}

TEST_CASE("closest_factor", "[core]") {
  auto r = bp::closest_factor(12, 5);
  CHECK(r.below == 4);
  CHECK(r.above == 6);
  r = bp::closest_factor(12, 0.5);
  CHECK_FALSE(r.below.has_value());
  CHECK(r.above == 1);
  r = bp::closest_factor(12, 13);
  CHECK(r.below == 12);
  CHECK_FALSE(r.above.has_value());
  r = bp::closest_factor(7, 2.5);
  CHECK(r.below == 1);
  CHECK(r.above == 7);
}

TEST_CASE("approx_dividable, idivc, ith_range, gcd", "[core]") {
  CHECK(bp::approx_dividable(56, 3));
  CHECK(bp::approx_dividable(56, 5));
  CHECK_FALSE(bp::approx_dividable(3, 4));
  CHECK_FALSE(bp::approx_dividable(10, 4));
  CHECK(bp::idivc(std::int64_t{7}, std::int64_t{2}) == 4);
  CHECK(bp::idivc(8.0, bp::inf) == 0.0);
  CHECK(bp::idivc(7.0, 2.0) == 4.0);
  CHECK(bp::ith_range(3, 17, 2, 5) == std::pair<std::int64_t, std::int64_t>{8, 11});
  CHECK(bp::gcd_of(12, 18, 8) == 2);
  CHECK(bp::divisors(36) == std::vector<std::int64_t>{1, 2, 3, 4, 6, 9, 12, 18, 36});
  CHECK_FALSE(bp::checked_mul(std::int64_t{1} << 40, std::int64_t{1} << 30).has_value());
  CHECK(bp::checked_mul(6, 7) == 42);
}
