// tests/loop_blocking/test_loop_blocking_scheme.cpp -- bp::loop_blocking_scheme against Tangram's
// LoopBlockingScheme, every field: 7840 random blockings (3/4 valid) of Eyeriss-mapped CONV / FC /
// pooling / eltwise / LR layers on partitioned 2x2 and 4x4 meshes, with and without gbuf sharing,
// access forwarding, bypass, on-chip source/destination, filter pinning, finite bus and DRAM
// bandwidth; plus 56 blockings whose sharing result depends on CPython's set iteration order
// (SET_ORDER_BLOCKINGS). Data: tests/data/loop_blocking/schemes.txt, written by
// tests/data/gen/gen_loop_blocking.py (write_schemes).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <bufferprospector/intra/loop_blocking_scheme.hpp>

#include "lb_data.hpp"

namespace {

struct setup {
  std::string name;
  std::optional<bp::nested_loop_desc> nld;
  std::optional<bp::resource> res;
  std::optional<bp::partition_scheme> part;
  std::optional<bp::options> opt;
  std::optional<bp::cost_values> cost;
  std::optional<bp::buf_shr_scheme> bufshr;
};

}  // namespace

TEST_CASE("loop_blocking_scheme matches Tangram's LoopBlockingScheme field by field", "[loop_blocking]") {
  setup su;
  int n_schemes = 0, n_valid = 0, n_shared = 0, n_pinned = 0, n_remote = 0;
  for (const auto& line : lb_test::data_lines("loop_blocking/schemes.txt")) {
    lb_test::tokens t(line);
    const std::string tag = t.word();
    if (tag == "SETUP") {
      su = setup{};
      su.name = t.word();
    } else if (tag == "NLD") {
      su.nld = lb_test::nld(t);
    } else if (tag == "RES") {
      su.res = lb_test::resource(t);
    } else if (tag == "PART") {
      su.part = lb_test::part(t);
    } else if (tag == "OPT") {
      su.opt = lb_test::options(t);
    } else if (tag == "COST") {
      su.cost = lb_test::cost(t);
      su.bufshr.emplace(su.res->proc_region, *su.part, su.nld->data_loops);
    } else if (tag == "S") {
      const lb_test::blocking b = lb_test::read_blocking(t);
      const bp::loop_blocking_scheme s(*su.nld, b.bl_ts, b.bl_ords, *su.res, *su.bufshr, *su.opt);
      lb_test::check_scheme(s, t, *su.cost, su.name + " | " + line.substr(0, 60));
      ++n_schemes;
      if (s.is_valid()) {
        ++n_valid;
        n_shared += s.bufshr_subgrp_size()[0] * s.bufshr_subgrp_size()[1] * s.bufshr_subgrp_size()[2] > 1;
        n_pinned += s.filter_pinned();
        n_remote += s.remote_gbuf_access()[1] + s.remote_gbuf_access()[2] > 0;
      }
    }
  }
  CHECK(n_schemes == 7896);
  // The data exercise what they claim to.
  CHECK(n_valid > 5000);
  CHECK(n_shared > 500);
  CHECK(n_pinned > 100);
  CHECK(n_remote > 100);
}

TEST_CASE("loop_blocking_scheme rejects blockings that do not cover the loops", "[loop_blocking]") {
  bp::nested_loop_desc nld;
  nld.loopcnt = {{4, 4, 2}};
  nld.usize_gbuf = {{1, 1, 1}};
  nld.usize_regf = {{1, 1, 1}};
  nld.unit_ops = 1;
  nld.unit_time = 1;
  nld.data_loops = bp::data_loops::conv;
  const bp::node_region proc({1, 1}, {0, 0}, bp::region_type::proc);
  const bp::node_region dram({1, 1}, {0, 0}, bp::region_type::dram);
  const bp::resource res{proc, dram, dram, dram, {8, 8}, 1024, 64, bp::inf, bp::inf, false};
  const bp::partition_scheme part(
      {bp::parallel_dim::outp, bp::parallel_dim::ofmp, bp::parallel_dim::batp, bp::parallel_dim::inpp},
      {{{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}});
  const bp::buf_shr_scheme bs(proc, part, nld.data_loops);
  const bp::options opt;
  const bp::blocking_orders ords{{{{0, 1, 2}}, {{0, 1, 2}}}};
  REQUIRE_THROWS_WITH(bp::loop_blocking_scheme(nld, {{{{2, 1, 1}}, {{1, 4, 1}}, {{1, 1, 2}}}}, ords, res, bs, opt),
                      Catch::Matchers::Contains("invalid blocking of loop 0: factors 2 x 1 x 1 for loop count 4"));
  const bp::blocking_orders bad{{{{0, 0, 2}}, {{0, 1, 2}}}};
  REQUIRE_THROWS_AS(bp::loop_blocking_scheme(nld, {{{{4, 1, 1}}, {{1, 4, 1}}, {{1, 1, 2}}}}, bad, res, bs, opt),
                    bp::invalid_option);
  // A valid one: everything at the top level, one unit in each buffer.
  const bp::loop_blocking_scheme s(nld, {{{{4, 4, 2}}, {{1, 1, 1}}, {{1, 1, 1}}}}, ords, res, bs, opt);
  CHECK(s.is_valid());
  CHECK(s.lcnt() == 32);
}
