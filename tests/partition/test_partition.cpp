// Tests of intra/partition.hpp against Tangram's partition.py (reference files written by
// tests/data/gen/gen_partition.py; the exact command is in its header).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bufferprospector/intra/partition.hpp>

#include "reference_data.hpp"

using namespace bp;
using bp_test::record;

namespace {

std::string describe(const partition_scheme& p) {
  std::string s = "order";
  for (auto o : p.order()) s += " " + std::to_string(idx(o));
  s += " pdims";
  for (const auto& d : p.pdims()) s += " (" + std::to_string(d.h) + "," + std::to_string(d.w) + ")";
  return s;
}

per_parallel<phy_dim2> unsplit() {
  per_parallel<phy_dim2> pd;
  pd.fill({1, 1});
  return pd;
}

}  // namespace

TEST_CASE("gen_partition: every scheme, in Tangram's order", "[partition]") {
  bp_test::record_stream in{bp_test::read_records("partition/partitions.txt")};
  std::size_t ncases = 0, nschemes = 0, nfallback = 0;
  while (!in.done()) {
    const std::string name = in.take("case").word();
    INFO("case " << name);
    const layer l = in.take("layer").layer();
    record& setup = in.take("setup");
    const std::int64_t batch = setup.integer();
    const phy_dim2 nodes = setup.dim();
    const options opt = setup.partition_options();
    const auto count = static_cast<std::size_t>(in.take("count").integer());
    std::vector<partition_scheme> expected;
    for (std::size_t i = 0; i < count; ++i) expected.push_back(in.take("part").part());

    const auto got = partitions(l, batch, nodes, opt, true);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("scheme #" << i << ": expected " << describe(expected[i]) << ", got " << describe(got[i]));
      CHECK(got[i] == expected[i]);
    }
    // Without the guarantee, the naive fallback disappears (and only it).
    const auto unguaranteed = partitions(l, batch, nodes, opt, false);
    if (unguaranteed.empty()) {
      ++nfallback;
      CHECK(got.size() == 1);
      CHECK(got[0].order() == all<parallel_dim>);
    } else {
      CHECK(unguaranteed == got);
    }
    ++ncases;
    nschemes += count;
  }
  CHECK(ncases == 9 * 5 * 6);
  CHECK(nschemes == 3883);
  CHECK(nfallback > 0);
}

TEST_CASE("proc_data_range: filter, ifmap and ofmap ranges of every node", "[partition]") {
  bp_test::record_stream in{bp_test::read_records("partition/proc_data_range.txt")};
  std::size_t ncases = 0;
  while (!in.done()) {
    const std::string name = in.take("case").word();
    INFO("case " << name);
    const layer l = in.take("layer").layer();
    const std::int64_t batch = in.take("setup").integer();
    const partition_scheme part = in.take("part").part();
    const auto count = in.take("count").integer();
    REQUIRE(count == part.size());
    part.for_each_pidx([&](const partition_index& pidx) {
      record& r = in.take("r");
      for (auto pae : all<parallel_dim>) CHECK(pidx[pae] == r.dim());
      proc_data_ranges expected;
      expected.fil_ifm = {r.integer(), r.integer()};
      expected.fil_ofm = {r.integer(), r.integer()};
      expected.ifm = r.frng();
      expected.ofm = r.frng();
      CHECK(r.done());
      const proc_data_ranges got = proc_data_range(l, batch, part, pidx);
      CHECK(got.fil_ifm.beg == expected.fil_ifm.beg);
      CHECK(got.fil_ifm.end == expected.fil_ifm.end);
      CHECK(got.fil_ofm.beg == expected.fil_ofm.beg);
      CHECK(got.fil_ofm.end == expected.fil_ofm.end);
      CHECK(got.ifm == expected.ifm);
      CHECK(got.ofm == expected.ofm);
    });
    ++ncases;
  }
  CHECK(ncases == 7);
}

TEST_CASE("unit_nhops_to_proc_region for every partition of a layer", "[partition]") {
  bp_test::record_stream in{bp_test::read_records("partition/unit_nhops.txt")};
  std::size_t nscenarios = 0, nparts = 0, nlocal = 0;
  while (!in.done()) {
    const std::string name = in.take("scenario").word();
    INFO("scenario " << name);
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
    const auto npieces = in.take("ifmap").integer();
    std::vector<data_layout::piece> pieces;
    for (std::int64_t i = 0; i < npieces; ++i) pieces.push_back(in.take("piece").piece());
    const data_layout ifmap_layout(pieces);
    const node_region dst = in.take("dst").region();
    const auto count = static_cast<std::size_t>(in.take("count").integer());

    const fmap_range ofrng{{0, 0, 0, 0}, {batch, l.nofm(), l.hofm(), l.wofm()}};
    std::size_t k = 0;
    for_each_partition(l, batch, proc.dim(), opt, true, [&](const partition_scheme& part) {
      REQUIRE(k++ < count);
      record& r = in.take("p");
      INFO("partition " << describe(part));
      CHECK(part == r.part());
      const partition_scheme oproj = part.projection(dst, true);
      CHECK(oproj == r.part());
      const data_layout ofmap_layout({{ofrng, dst, oproj}});
      const auto nhops = unit_nhops_to_proc_region(l, batch, proc, part, filter_nodes, ifmap_layout,
                                                   ofmap_layout, opt);
      for (auto d : all<data_category>) {
        INFO("data category " << idx(d));
        CHECK(nhops[d] == r.integer());
      }
      nlocal += oproj == part && dst == proc;
      ++nparts;
    });
    CHECK(k == count);
    ++nscenarios;
  }
  CHECK(nscenarios == 26);
  CHECK(nparts > 500);
  CHECK(nlocal > 0);  // the "ofmaps stay where they are produced" path is exercised
}

TEST_CASE("proc_data_range refuses layers without data to process", "[partition]") {
  const layer in = layers::input{.nofm = 3, .sofm = 8};
  const partition_scheme part(all<parallel_dim>, unsplit());
  CHECK_THROWS_AS(proc_data_range(in, 1, part, unsplit()), invalid_layer);
}

TEST_CASE("for_each_partition streams the same schemes as partitions()", "[partition]") {
  const layer l = layers::conv{.nifm = 64, .nofm = 128, .sofm = 56, .sfil = 3};
  options opt;
  opt.partition_hybrid = opt.partition_batch = opt.partition_ifmaps = true;
  const auto all_parts = partitions(l, 16, {4, 4}, opt, true);
  std::size_t k = 0;
  for_each_partition(l, 16, {4, 4}, opt, true, [&](const partition_scheme& p) {
    REQUIRE(k < all_parts.size());
    CHECK(p == all_parts[k++]);
  });
  CHECK(k == all_parts.size());
  CHECK(k == 109);  // partitions.txt, case conv_4x4_all
}
