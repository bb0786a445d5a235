// tests/loop_blocking/test_buf_shr_scheme.cpp -- bp::buf_shr_scheme against Tangram's
// BufShrScheme: group dims, neighbor distances, rotation and wide-fetch hops for 216
// (region, partitioning, data loops) cases (tests/data/loop_blocking/bufshr.txt, written by
// tests/data/gen/gen_loop_blocking.py, write_bufshr).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <bufferprospector/intra/buf_shr_scheme.hpp>

#include "lb_data.hpp"

TEST_CASE("buf_shr_scheme matches Tangram's BufShrScheme", "[loop_blocking]") {
  std::optional<bp::buf_shr_scheme> bs;
  std::string where;
  int n_schemes = 0, n_rot = 0, n_wide = 0;
  for (const auto& line : lb_test::data_lines("loop_blocking/bufshr.txt")) {
    lb_test::tokens t(line);
    const std::string tag = t.word();
    if (tag == "B") {
      const bp::node_region region = lb_test::region(t);
      const bp::partition_scheme part = lb_test::part(t);
      const auto loops = lb_test::data_loops(t);
      bs.emplace(region, part, loops);
      where = line;
      ++n_schemes;
    } else if (tag == "D") {
      INFO(where);
      const auto d = static_cast<bp::data_category>(t.i64());
      CHECK(bs->dim(d).h == t.i64());
      CHECK(bs->dim(d).w == t.i64());
      CHECK(bs->size(d) == bs->dim(d).size());
      CHECK(lb_test::close(bs->nbr_dist(d).h, t.f64()));
      CHECK(lb_test::close(bs->nbr_dist(d).w, t.f64()));
    } else if (tag == "R") {
      INFO(where << " / " << line);
      const auto d = static_cast<bp::data_category>(t.i64());
      const std::int64_t s = t.i64();
      CHECK(lb_test::close(bs->nhops_rotate_all(d, s), t.f64()));
      for (std::int64_t u = 1; u <= bs->size(d); ++u) CHECK(lb_test::close(bs->nhops_rotate_all(d, s, u), t.f64()));
      ++n_rot;
    } else if (tag == "W") {
      INFO(where << " / " << line);
      const auto d = static_cast<bp::data_category>(t.i64());
      const std::int64_t s = t.i64();
      const double w = t.f64();
      CHECK(lb_test::close(bs->nhops_wide_fetch_once(d, s, w), t.f64()));
      ++n_wide;
    }
  }
  CHECK(n_schemes == 216);
  CHECK(n_rot > 1000);
  CHECK(n_wide > 1000);
}

TEST_CASE("buf_shr_scheme rejects bad arguments", "[loop_blocking]") {
  using bp::parallel_dim;
  const bp::node_region region({2, 2}, {0, 0}, bp::region_type::proc);
  // OUTP 1x2, OFMP 2x1: ifmaps shared by the 2 OUTP nodes, filters by the 2 OFMP nodes.
  const bp::partition_scheme part({parallel_dim::outp, parallel_dim::ofmp, parallel_dim::batp, parallel_dim::inpp},
                                  {{{{1, 2}, {2, 1}, {1, 1}, {1, 1}}}});
  const bp::buf_shr_scheme bs(region, part, bp::data_loops::conv);
  CHECK(bs.size(bp::data_category::ifm) == 2);
  CHECK(bs.size(bp::data_category::fil) == 2);
  CHECK(bs.size(bp::data_category::ofm) == 1);
  REQUIRE_THROWS_WITH(bs.nhops_rotate_all(bp::data_category::ifm, 3),
                      Catch::Matchers::Contains("subgroup is larger than group. 3 vs. 2"));
  REQUIRE_THROWS_WITH(bs.nhops_wide_fetch_once(bp::data_category::ifm, 2, 2.5),
                      Catch::Matchers::Contains("fetch width is larger than subgroup size. 2.5 vs. 2"));
  const bp::node_region small({1, 2}, {0, 0}, bp::region_type::proc);
  REQUIRE_THROWS_AS(bp::buf_shr_scheme(small, part, bp::data_loops::conv), bp::invalid_spec);
}
