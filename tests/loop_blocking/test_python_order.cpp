// tests/loop_blocking/test_python_order.cpp -- the CPython orders Tangram's ties depend on,
// against CPython 3.11 itself (tests/data/loop_blocking/pyorder.txt, written by
// tests/data/gen/gen_loop_blocking.py: list(set(tuples)) and heapq.nsmallest with NaN keys).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include <bufferprospector/detail/python_order.hpp>

#include "lb_data.hpp"

TEST_CASE("py_set_order matches list(set(...)) of int 3-tuples (CPython 3.11)", "[loop_blocking]") {
  int n_sets = 0, n_orders = 0;
  for (const auto& line : lb_test::data_lines("loop_blocking/pyorder.txt")) {
    lb_test::tokens t(line);
    const std::string tag = t.word();
    if (tag == "SET") {
      const auto k = static_cast<std::size_t>(t.i64());
      std::array<std::array<std::int64_t, 3>, 6> items{}, got{};
      for (std::size_t i = 0; i < k; ++i)
        for (auto& v : items[i]) v = t.i64();
      const std::size_t n = bp::detail::py_set_order(items, k, got);
      std::vector<std::int64_t> flat, want;
      for (std::size_t i = 0; i < n; ++i)
        for (auto v : got[i]) flat.push_back(v);
      while (true) {
        const std::string w = t.rest_word();
        if (w.empty()) break;
        want.push_back(std::stoll(w));
      }
      INFO(line);
      CHECK(flat == want);
      ++n_sets;
    } else if (tag == "NSMALLEST") {
      const auto n = static_cast<std::size_t>(t.i64());
      std::vector<bool> valid(n);
      for (std::size_t i = 0; i < n; ++i) valid[i] = t.flag();
      std::array<std::size_t, 64> order{};
      bp::detail::py_heapify_then_sort(
          n, [&](std::size_t a, std::size_t b) { return !valid[a] && !valid[b] && a < b; }, order);
      INFO(line);
      for (std::size_t i = 0; i < n; ++i) CHECK(order[i] == static_cast<std::size_t>(t.i64()));
      ++n_orders;
    }
  }
  CHECK(n_sets == 400);
  CHECK(n_orders == 400);
}

TEST_CASE("py_tuple_hash is CPython's tuple hash", "[loop_blocking]") {
  // hash((1, 2, 3)) and hash((4, 4, 4)) printed by CPython 3.11 (64-bit).
  CHECK(static_cast<std::int64_t>(bp::detail::py_tuple_hash(std::array<std::int64_t, 3>{1, 2, 3})) ==
        529344067295497451LL);
  CHECK(static_cast<std::int64_t>(bp::detail::py_tuple_hash(std::array<std::int64_t, 3>{4, 4, 4})) ==
        5958266269407395088LL);
}
