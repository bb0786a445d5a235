// Tests of intra/map_strategy.hpp: the Eyeriss row-stationary mapping against Tangram.
//
// tests/data/mapping/eyeriss.txt holds, for 36 cases (conv/fc/pooling/eltwise/LRN, strides,
// rectangular shapes, batch 1/3/16/64, arrays 8x8/16x16/12x14/3x5/8x12, fold and replication,
// partitioned layers with occupancy < 1, and mappings below half utilization), Tangram's
// utilization, assertion verdict and text, geometry and every NestedLoopDesc field. It was
// produced by tests/data/gen/gen_mapping.py (see its header for the exact command).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <bufferprospector/intra/map_strategy.hpp>
#include <bufferprospector/intra/partition_scheme.hpp>

#include "test_data.hpp"

namespace {

using namespace bp;

struct expected_case {
  std::string name;
  std::vector<std::string> layer_fields;
  std::int64_t batch = 0;
  double occupancy = 0;
  phy_dim2 array;
  double util = 0;
  bool below_half = false;
  std::string message;
  std::vector<std::int64_t> geom;
  std::vector<std::vector<std::string>> descs;
};

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::int64_t to_int(const std::string& s) { return std::stoll(s); }
double to_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

std::vector<expected_case> read_cases() {
  std::istringstream in(bp_test::read_data("mapping/eyeriss.txt"));
  std::vector<expected_case> cases;
  for (std::string line; std::getline(in, line);) {
    const auto w = split_words(line);
    if (w.empty()) continue;
    if (w[0] == "case") {
      cases.push_back({});
      cases.back().name = w[1];
      continue;
    }
    REQUIRE(!cases.empty());
    expected_case& c = cases.back();
    if (w[0] == "layer") {
      c.layer_fields.assign(w.begin() + 1, w.end());
    } else if (w[0] == "setup") {
      c.batch = to_int(w[1]);
      c.occupancy = to_double(w[2]);
      c.array = {to_int(w[3]), to_int(w[4])};
    } else if (w[0] == "util") {
      c.util = to_double(w[1]);
      c.below_half = w[2] == "1";
    } else if (w[0] == "message") {
      c.message = line.substr(std::string("message ").size());
    } else if (w[0] == "geom") {
      for (std::size_t i = 1; i < w.size(); ++i) c.geom.push_back(to_int(w[i]));
    } else if (w[0] == "desc") {
      c.descs.emplace_back(w.begin() + 1, w.end());
    }
  }
  return cases;
}

layer make_layer(const std::vector<std::string>& f) {
  const auto i = [&](std::size_t k) { return to_int(f[k]); };
  if (f[0] == "conv")
    return layers::conv{.nifm = i(1), .nofm = i(2), .sofm = {i(3), i(4)}, .sfil = {i(5), i(6)},
                        .strd = {i(7), i(8)}};
  if (f[0] == "fc") return layers::fc{.nifm = i(1), .nofm = i(2), .sfil = {i(3), i(4)}};
  if (f[0] == "pool")
    return layers::pooling{.nofm = i(1), .sofm = {i(2), i(3)}, .sreg = {i(4), i(5)},
                           .strd = size2{i(6), i(7)}};
  if (f[0] == "eltwise") return layers::eltwise{.nofm = i(1), .sofm = {i(2), i(3)}, .nreg = i(4)};
  REQUIRE(f[0] == "lr");
  return layers::local_region{.nofm = i(1), .sofm = {i(2), i(3)}, .nreg = i(4),
                              .sreg = {i(5), i(6)}, .ntrd = i(7), .strd = {i(8), i(9)}};
}

bool same_double(double a, double b) { return isclose(a, b, 1e-9, 0.0); }

}  // namespace

TEST_CASE("eyeriss mapping equals Tangram's MapStrategyEyeriss (gen_mapping.py)", "[mapping]") {
  const auto cases = read_cases();
  REQUIRE(cases.size() == 36);
  std::size_t n_below_half = 0, n_multi = 0;
  for (const auto& c : cases) {
    INFO("case " << c.name);
    const eyeriss_mapping m(make_layer(c.layer_fields), c.batch, c.occupancy, c.array);
    CHECK(m.utilization() == Approx(c.util).epsilon(1e-12));
    CHECK(m.below_half_utilization() == c.below_half);
    if (c.below_half) {
      CHECK(m.low_utilization_message() == c.message);
      ++n_below_half;
    }
    REQUIRE(c.geom.size() == 11);
    CHECK(m.dim_lpeset() == phy_dim2{c.geom[0], c.geom[1]});
    CHECK(m.fold() == phy_dim2{c.geom[2], c.geom[3]});
    CHECK(m.repl() == phy_dim2{c.geom[4], c.geom[5]});
    CHECK(m.dim_flpeset() == phy_dim2{c.geom[6], c.geom[7]});
    CHECK(m.dim_ppeset() == phy_dim2{c.geom[8], c.geom[9]});
    CHECK(m.ops_lpe() == c.geom[10]);

    const auto descs = m.nested_loop_descs();
    REQUIRE(descs.size() == c.descs.size());
    n_multi += descs.size() > 1;
    for (std::size_t k = 0; k < descs.size(); ++k) {
      INFO("desc #" << k);
      const nested_loop_desc& d = descs[k];
      const auto& e = c.descs[k];
      REQUIRE(e.size() == 3 + 3 + 3 + 12 + 2);
      std::size_t p = 0;
      for (auto l : all<loop_dim>) CHECK(d.loopcnt[l] == to_int(e[p++]));
      for (auto dc : all<data_category>) CHECK(d.usize_gbuf[dc] == to_int(e[p++]));
      for (auto dc : all<data_category>) CHECK(d.usize_regf[dc] == to_int(e[p++]));
      for (auto lv : all<mem_level>)
        for (auto dc : all<data_category>) {
          INFO("unit_access[" << idx(lv) << "][" << idx(dc) << "]");
          CHECK(same_double(d.unit_access[lv][dc], to_double(e[p++])));
        }
      CHECK(same_double(d.unit_ops, to_double(e[p++])));
      CHECK(d.unit_time == to_int(e[p++]));
      CHECK(d.data_loops == make_layer(c.layer_fields).data_loops());
    }
  }
  // The data must exercise both verdicts and the replication split.
  CHECK(n_below_half >= 2);
  CHECK(n_multi >= 5);
}

TEST_CASE("eyeriss mapping streams every desc without a vector, in the same order", "[mapping]") {
  const layer l = layers::conv{.nifm = 256, .nofm = 64, .sofm = 14, .sfil = 1};
  const eyeriss_mapping m(l, 64, 1.0, {16, 16});
  const auto all_descs = m.nested_loop_descs();
  std::size_t k = 0;
  m.for_each_nested_loop_desc([&](const nested_loop_desc& d) {
    REQUIRE(k < all_descs.size());
    CHECK(d == all_descs[k++]);
  });
  CHECK(k == all_descs.size());
  CHECK(k == 5);  // case conv_1x1_b64 of eyeriss.txt
}

TEST_CASE("eyeriss mapping refuses layers it cannot map", "[mapping]") {
  const phy_dim2 arr{16, 16};
  CHECK_THROWS_AS(eyeriss_mapping(layers::input{.nofm = 3, .sofm = 224}, 1, 1.0, arr), invalid_layer);
  // A matmul is mapped as its group convolution (tests/matmul).
  const layer c = layers::conv{.nifm = 3, .nofm = 8, .sofm = 8, .sfil = 3};
  CHECK_THROWS_WITH(eyeriss_mapping(c, 1, 0.0, arr), Catch::Matchers::Contains("occupancy"));
  CHECK_THROWS_WITH(eyeriss_mapping(c, 1, 1.5, arr), Catch::Matchers::Contains("1.5"));
  CHECK_THROWS_AS(eyeriss_mapping(c, 0, 1.0, arr), invalid_layer);
}

TEST_CASE("eyeriss mapping of an eltwise layer with all its inputs (quirks off)", "[mapping]") {
  // Tangram's partitioned eltwise keeps one operand channel per ofmap channel; with
  // full_eltwise_inputs the ifmap volume is ntrd times larger and nothing else changes.
  const layer e = layers::eltwise{.nofm = 256, .sofm = 56, .nreg = 3};
  per_parallel<phy_dim2> pdims;
  pdims.fill({1, 1});
  pdims[parallel_dim::ofmp] = {4, 4};
  const partition_scheme part({parallel_dim::outp, parallel_dim::ofmp, parallel_dim::batp, parallel_dim::inpp},
                              pdims);
  const auto quirk = part.part_layer(e, 16, false);
  const auto full = part.part_layer(e, 16, true);
  REQUIRE(quirk.l.ntrd() == 1);
  REQUIRE(full.l.ntrd() == 3);
  const auto dq = eyeriss_mapping(quirk.l, quirk.batch, quirk.occupancy, {16, 16}).nested_loop_descs();
  const auto df = eyeriss_mapping(full.l, full.batch, full.occupancy, {16, 16}).nested_loop_descs();
  REQUIRE(dq.size() == df.size());
  for (std::size_t k = 0; k < dq.size(); ++k) {
    using D = data_category;
    using M = mem_level;
    nested_loop_desc scaled = dq[k];
    scaled.usize_gbuf[D::ifm] *= 3;
    for (auto lv : {M::dram, M::gbuf, M::itcn}) scaled.unit_access[lv][D::ifm] *= 3;
    CHECK(df[k] == scaled);
    CHECK(df[k].total_access_at_of(M::dram, D::ifm) ==
          static_cast<double>(full.l.total_ifmap_size(full.batch)));
  }
}
