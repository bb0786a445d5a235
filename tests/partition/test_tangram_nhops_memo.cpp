// Tests of intra/tangram_nhops_memo.hpp: Tangram's memoised NoC-hop counts, cache collisions
// included. tests/data/partition/memo_sequence.txt records one long sequence of
// unit_nhops_to_proc_region calls through Tangram's warm caches (what Tangram returned and the
// true value), written by tests/data/gen/gen_partition.py (command in its header).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bufferprospector/intra/tangram_nhops_memo.hpp>

#include "reference_data.hpp"

using namespace bp;
using bp_test::record;

TEST_CASE("tangram_nhops_memo replays Tangram's warm caches, collisions included", "[partition]") {
  bp_test::record_stream in{bp_test::read_records("partition/memo_sequence.txt")};
  tangram_nhops_memo memo;
  std::size_t ncalls = 0, ndiff = 0;
  while (in.peek_tag() != "end") {
    if (in.peek_tag() == "pass") {
      in.take("pass");
      continue;
    }
    const std::string name = in.take("scenario").word();
    INFO("scenario " << name << " (call " << ncalls << ")");
    const layer l = in.take("layer").layer();
    record& setup = in.take("setup");
    const std::int64_t batch = setup.integer();
    const bool fwd = setup.integer() != 0;
    options opt = setup.partition_options();
    opt.hw_access_forwarding = fwd;
    const node_region proc = in.take("proc").region();
    record& fr = in.take("filter_nodes");
    std::vector<phy_dim2> filter_nodes(static_cast<std::size_t>(fr.integer()));
    for (auto& n : filter_nodes) n = fr.dim();
    std::vector<data_layout::piece> pieces;
    for (auto n = in.take("ifmap").integer(); n > 0; --n) pieces.push_back(in.take("piece").piece());
    const data_layout ifmap_layout(pieces);
    const node_region dst = in.take("dst").region();
    const auto count = in.take("count").integer();
    const fmap_range ofrng{{0, 0, 0, 0}, {batch, l.nofm(), l.hofm(), l.wofm()}};
    for (std::int64_t k = 0; k < count; ++k) {
      record& r = in.take("p");
      const partition_scheme part = r.part();
      const partition_scheme oproj = r.part();
      const data_layout ofmap_layout({{ofrng, dst, oproj}});
      const auto cached = memo.unit_nhops_to_proc_region(l, batch, proc, part, filter_nodes, ifmap_layout,
                                                         ofmap_layout, opt);
      const auto truth = unit_nhops_to_proc_region(l, batch, proc, part, filter_nodes, ifmap_layout,
                                                   ofmap_layout, opt);
      per_data<std::int64_t> expected_cached{}, expected_truth{};
      for (auto& v : expected_cached) v = r.integer();
      for (auto& v : expected_truth) v = r.integer();
      CHECK(cached == expected_cached);
      CHECK(truth == expected_truth);
      ndiff += cached != truth;
      ++ncalls;
    }
  }
  record& end = in.take("end");
  CHECK(ncalls == static_cast<std::size_t>(end.integer()));
  CHECK(ndiff == static_cast<std::size_t>(end.integer()));
  CHECK(ndiff > 100);  // the collisions are really exercised
  for (std::size_t c = 0; c < 4; ++c) {
    INFO("cache " << c);
    const auto info = memo.info(c);
    CHECK(info.hits == static_cast<std::size_t>(end.integer()));
    CHECK(info.misses == static_cast<std::size_t>(end.integer()));
    CHECK(info.size == static_cast<std::size_t>(end.integer()));
  }
  CHECK(memo.info(0).size == tangram_nhops_memo::tangram_maxsize);  // evictions happened
}

TEST_CASE("lru_memo evicts the least recently used entry, as functools.lru_cache", "[partition]") {
  detail::nhops_memo::lru_memo<int, int, std::hash<int>> lru(2);
  int computed = 0;
  const auto get = [&](int k) { return lru.get(k, [&] { ++computed; return k * 10; }); };
  CHECK(get(1) == 10);
  CHECK(get(2) == 20);
  CHECK(get(1) == 10);  // hit: 1 becomes the most recent
  CHECK(get(3) == 30);  // evicts 2
  CHECK(computed == 3);
  CHECK(get(1) == 10);
  CHECK(computed == 3);
  CHECK(get(2) == 20);  // recomputed
  CHECK(computed == 4);
  CHECK(lru.size() == 2);
  CHECK(lru.hits() == 2);
  CHECK(lru.misses() == 4);
}
