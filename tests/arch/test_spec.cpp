// tests/arch/test_spec.cpp -- the hardware vocabulary in its fixed, mixed and dynamic forms.
#include <catch2/catch.hpp>

#include <bufferprospector/arch/resource.hpp>
#include <bufferprospector/arch/spec.hpp>

#include <limits>
#include <tuple>

namespace {
// The same 16x16 array / 256+65536-word memory built statically, half-statically, dynamically.
template <class A>
A make_array() {
  if constexpr (A::is_static) return A{};
  else return A{16, 16};
}
template <class M>
M make_memory() {
  return M{{.regf_words = 256, .gbuf_words = 65536, .dram_bandwidth = 8.0}};
}
}  // namespace

using array_forms = std::tuple<bp::pe_array<16, 16>, bp::pe_array<16, bp::dynamic>,
                               bp::pe_array<bp::dynamic, 16>, bp::pe_array<>>;
using memory_forms = std::tuple<bp::memory_hierarchy<256, 65536>, bp::memory_hierarchy<256, bp::dynamic>,
                                bp::memory_hierarchy<>>;

TEMPLATE_LIST_TEST_CASE("pe_array: static, mixed and dynamic forms agree", "[arch]", array_forms) {
  const TestType a = make_array<TestType>();
  CHECK(a.h() == 16);
  CHECK(a.w() == 16);
  CHECK(a.size() == 256);
  CHECK(a.dim() == bp::phy_dim2{16, 16});
  const bp::pe_array<> dyn = a;  // static -> dynamic is implicit
  CHECK(dyn == bp::pe_array<>{16, 16});
  const auto back = static_cast<bp::pe_array<16, 16>>(dyn);  // dynamic -> static is explicit
  CHECK(back.h() == 16);
}

TEMPLATE_LIST_TEST_CASE("memory_hierarchy: static, mixed and dynamic forms agree", "[arch]", memory_forms) {
  const TestType m = make_memory<TestType>();
  CHECK(m.regf_words() == 256);
  CHECK(m.gbuf_words() == 65536);
  CHECK(m.word_bits() == 16);
  CHECK(m.dram_bandwidth() == 8.0);
  CHECK(m.array_bus_width() == std::numeric_limits<double>::infinity());
  CHECK(m.placement() == bp::dram_placement::edge_2d);
  const bp::memory_hierarchy<> dyn = m;
  CHECK(dyn.gbuf_words() == 65536);
}

TEMPLATE_LIST_TEST_CASE("spec: one type for fixed and run-time chips", "[arch]", array_forms) {
  const bp::spec<TestType, bp::node_mesh<>, bp::memory_hierarchy<>, bp::tangram_costs> s{
      make_array<TestType>(), bp::node_mesh<>{4, 4}, make_memory<bp::memory_hierarchy<>>()};
  const bp::runtime_spec r = s;
  CHECK(r.array().dim() == bp::phy_dim2{16, 16});
  CHECK(r.mesh().size() == 16);
  CHECK(r.costs().mem_hier(bp::mem_level::dram) == 200);
  CHECK(r.costs().noc_hop() == 10);
  const auto res = bp::make_resource(s);
  CHECK(res.proc_region.dim() == bp::phy_dim2{4, 4});
  CHECK(res.dram_region.nodes() == std::vector<bp::phy_dim2>{{0, 0}, {0, 3}, {3, 0}, {3, 3}});
  CHECK(res.size_gbuf == 65536);
  CHECK(res.size_regf == 256);
  CHECK(res.dram_bandwidth == 8.0);
  CHECK_FALSE(res.no_time_mux);
}

TEST_CASE("static parts take no storage", "[arch]") {
  STATIC_REQUIRE(sizeof(bp::pe_array<4, 4>) == 1);
  STATIC_REQUIRE(sizeof(bp::node_mesh<4, 4>) == 1);
  STATIC_REQUIRE(sizeof(bp::pe_array<4, bp::dynamic>) == sizeof(std::int64_t));
  STATIC_REQUIRE(sizeof(bp::pe_array<>) == 2 * sizeof(std::int64_t));
  STATIC_REQUIRE(sizeof(bp::tangram_costs) == 1);
  STATIC_REQUIRE(bp::pe_array<16, 16>{}.h() == 16);  // static values are constant expressions
  STATIC_REQUIRE(bp::tangram_costs::mem_hier(bp::mem_level::gbuf) == 6);
}

TEST_CASE("concepts accept the models and reject the rest", "[arch]") {
  STATIC_REQUIRE(bp::cost_table<bp::tangram_costs>);
  STATIC_REQUIRE(bp::cost_table<bp::cost_values>);
  STATIC_REQUIRE_FALSE(bp::cost_table<int>);
  STATIC_REQUIRE(bp::pe_array_type<bp::pe_array<8, 8>>);
  STATIC_REQUIRE_FALSE(bp::pe_array_type<bp::node_mesh<8, 8>>);
  STATIC_REQUIRE(bp::memory_hierarchy_type<bp::memory_hierarchy<>>);
}

TEST_CASE("run-time validation names the field and the value", "[arch]") {
  CHECK_THROWS_AS(bp::pe_array<>(0, 4), bp::invalid_spec);
  CHECK_THROWS_WITH(bp::pe_array<>(0, 4), "pe_array.h = 0: must be > 0");
  CHECK_THROWS_WITH(bp::node_mesh<>(4, -2), "node_mesh.w = -2: must be > 0");
  CHECK_THROWS_WITH((bp::pe_array<16, 16>(16, 8)), "pe_array.w = 8: differs from the static extent");
  CHECK_THROWS_WITH(bp::memory_hierarchy<>({.regf_words = 0, .gbuf_words = 10}),
                    "memory.regf_words = 0: must be > 0");
  CHECK_THROWS_WITH(bp::memory_hierarchy<>({.regf_words = 8, .gbuf_words = 10, .dram_bandwidth = -2.5}),
                    "memory.dram_bandwidth = -2.5: must be > 0 (inf allowed)");
  CHECK_THROWS_WITH(bp::memory_hierarchy<>({.regf_words = 8, .gbuf_words = 10, .word_bits = 0}),
                    "memory.word_bits = 0: must be in [1, 64]");
  bp::cost_params bad;
  bad.noc_hop = -1;
  CHECK_THROWS_WITH(bp::cost_values(bad), "cost.noc_hop = -1.0: must be finite and >= 0");
  bad = {};
  bad.mem_hier[bp::mem_level::gbuf] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(bp::cost_values(bad), "cost.mem_hier[GBUF] = inf: must be finite and >= 0");
}

TEST_CASE("word conversion as nn_dataflow_search", "[arch]") {
  STATIC_REQUIRE(bp::word_bytes(16) == 2);
  STATIC_REQUIRE(bp::word_bytes(12) == 2);
  STATIC_REQUIRE(bp::word_bytes(8) == 1);
  STATIC_REQUIRE(bp::words_from_bytes(131072, 16) == 65536);
  STATIC_REQUIRE(bp::words_from_bytes(65, 16) == 32);
}

TEST_CASE("the 3D DRAM region is every node", "[arch]") {
  const bp::runtime_spec s{bp::pe_array<>{8, 8}, bp::node_mesh<>{2, 3},
                           bp::memory_hierarchy<>{{.regf_words = 32, .gbuf_words = 16384,
                                                   .placement = bp::dram_placement::stacked_3d}}};
  const auto res = bp::make_resource(s);
  CHECK(res.dram_region.size() == 6);
  CHECK(res.dram_region.type() == bp::region_type::dram);
  CHECK(res.dram_region.nodes() == res.proc_region.nodes());
}
