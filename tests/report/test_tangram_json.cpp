// tests/report/test_tangram_json.cpp -- the library's values written as Tangram writes them, and
// read back.
//
// Expected texts are Tangram's own serialisations, printed with the reference's PYTHONPATH:
//   cd shared/reference/tangram && PYTHONPATH=.:vendor python3 -c '
//   import json; from nn_dataflow.core import *
//   print(json.dumps(NodeRegion(dim=PhyDim2(2,3), origin=PhyDim2(1,0), dist=PhyDim2(1,1),
//                               type=NodeRegion.PROC, wtot=4, wbeg=-2)))
//   print(json.dumps(PartitionScheme(order=(2,3,0,1), pdims=((1,2),(4,2),(1,1),(1,1)))))
//   print(json.dumps(FmapRange(FmapPosition(0,0,0,0), FmapPosition(4,16,30,30))))
//   print(json.dumps(Cost(mac_op=1, mem_hier=(200,6,2,1), noc_hop=10, idl_unit=0)._asdict()))
//   print(json.dumps(Cost(mac_op=2., mem_hier=(300.,6.,2.,1.), noc_hop=50., idl_unit=1000.)._asdict()))
//   print(json.dumps(Option()._asdict()))
//   p = PartitionScheme(order=(2,3,0,1), pdims=((1,2),(4,2),(1,1),(1,1)))
//   r = NodeRegion(dim=PhyDim2(2,2), origin=PhyDim2(0,0), dist=PhyDim2(3,3), type=NodeRegion.DRAM)
//   print(json.dumps(DataLayout(frngs=(FmapRange(FmapPosition(0,0,0,0), FmapPosition(4,16,30,30)),),
//                               regions=(r,), parts=(p.projection(r, appl2frng=True),))))'
// (Tangram's Option() default has sw_gbuf_bypass all False; nn_dataflow_search sets them True.)
#include <catch2/catch.hpp>

#include <string>

#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/tangram_json.hpp>

namespace json = bp::json;
namespace r = bp::report;

TEST_CASE("tangram_json: NodeRegion, PartitionScheme, FmapRange and DataLayout lists", "[report]") {
  const bp::node_region folded({2, 3}, {1, 0}, {1, 1}, bp::region_type::proc, 4, -2);
  CHECK(json::dump(r::to_json(folded), -1) == "[[2, 3], [1, 0], [1, 1], 0, 4, -2]");
  CHECK(r::node_region_from_json(r::to_json(folded)) == folded);

  bp::per_parallel<bp::phy_dim2> pdims{{bp::phy_dim2{1, 2}, {4, 2}, {1, 1}, {1, 1}}};
  const bp::partition_scheme part({bp::parallel_dim::batp, bp::parallel_dim::inpp, bp::parallel_dim::outp,
                                   bp::parallel_dim::ofmp},
                                  pdims);
  CHECK(json::dump(r::to_json(part), -1) == "[[2, 3, 0, 1], [[1, 2], [4, 2], [1, 1], [1, 1]]]");
  CHECK(r::partition_scheme_from_json(r::to_json(part)) == part);

  const bp::fmap_range frng{{0, 0, 0, 0}, {4, 16, 30, 30}};
  CHECK(json::dump(r::to_json(frng), -1) == "[[0, 0, 0, 0], [4, 16, 30, 30]]");
  CHECK(r::fmap_range_from_json(r::to_json(frng)) == frng);

  const bp::node_region dram({2, 2}, {0, 0}, bp::region_type::dram, {3, 3});
  const bp::data_layout layout({bp::data_layout::piece{frng, dram, part.projection(dram, true)}});
  const json::value lj = r::to_json(layout);
  CHECK(json::dump(lj, -1) ==
        "[[[[0, 0, 0, 0], [4, 16, 30, 30]]], [[[2, 2], [0, 0], [3, 3], 1, 2, 2]], "
        "[[[2, 3, 0, 1], [[1, 1], [2, 2], [1, 1], [1, 1]]]]]");
  CHECK(r::data_layout_from_json(lj) == layout);
}

TEST_CASE("tangram_json: Cost keeps Python's int defaults and float given values", "[report]") {
  const r::tangram_cost defaults;
  CHECK(json::dump(r::to_json(defaults), -1) ==
        "{\"mac_op\": 1, \"mem_hier\": [200, 6, 2, 1], \"noc_hop\": 10, \"idl_unit\": 0}");
  CHECK(defaults.values() == bp::cost_values{});

  const bp::cost_values given(bp::cost_params{2, {{300, 6, 2, 1}}, 50, 1000});
  const r::tangram_cost floats = r::tangram_cost::all_given(given);
  CHECK(json::dump(r::to_json(floats), -1) ==
        "{\"mac_op\": 2.0, \"mem_hier\": [300.0, 6.0, 2.0, 1.0], \"noc_hop\": 50.0, \"idl_unit\": 1000.0}");
  CHECK(floats.values() == given);
  // Read back with the same types.
  const r::tangram_cost back = r::tangram_cost_from_json(r::to_json(floats));
  CHECK(json::dump(r::to_json(back), -1) == json::dump(r::to_json(floats), -1));
  CHECK(r::tangram_cost_from_json(r::to_json(defaults)).idl_unit.is_int);
}

TEST_CASE("tangram_json: Option has every Tangram key in order, tangram_quirks only on request", "[report]") {
  bp::options o;
  o.sw_gbuf_bypass = {{false, false, false}};  // Tangram's Option() default
  CHECK(json::dump(r::to_json(o), -1) ==
        "{\"sw_gbuf_bypass\": [false, false, false], \"sw_solve_loopblocking\": false, "
        "\"hw_access_forwarding\": false, \"hw_gbuf_sharing\": false, \"hw_gbuf_save_writeback\": false, "
        "\"partition_hybrid\": false, \"partition_batch\": false, \"partition_ifmaps\": false, "
        "\"partition_interlayer\": false, \"layer_pipeline_time_ovhd\": Infinity, "
        "\"layer_pipeline_max_degree\": Infinity, \"layer_pipeline_opt\": true, \"opt_goal\": \"e\", "
        "\"ntops\": 1, \"nprocesses\": 1, \"verbose\": false}");
  o.tangram_quirks = false;
  o.goal = bp::opt_goal::ed;
  o.layer_pipeline_time_ovhd = 0.2;
  const json::value j = r::to_json(o, true);
  CHECK(j.keys().back() == "tangram_quirks");
  CHECK_FALSE(j["tangram_quirks"].as_bool());
  const bp::options back = r::options_from_json(j);
  CHECK_FALSE(back.tangram_quirks);
  CHECK(back.goal == bp::opt_goal::ed);
  CHECK(back.layer_pipeline_time_ovhd == 0.2);
  CHECK(r::options_from_json(r::to_json(o)).tangram_quirks);  // absent: Tangram mode
}

TEST_CASE("tangram_json: Resource bandwidths are an int or Infinity (bus) and a float (DRAM)", "[report]") {
  const bp::phy_dim2 mesh{4, 4};
  const bp::node_region proc(mesh, {0, 0}, bp::region_type::proc);
  const bp::node_region dram = bp::dram_region_of(mesh, bp::dram_placement::edge_2d);
  bp::resource res{proc, dram, dram, dram, {16, 16}, 65536, 256, bp::inf, bp::inf, false};
  json::value j = r::to_json(res);
  CHECK(json::dump(j["array_bus_width"]) == "Infinity");
  CHECK(json::dump(j["dram_bandwidth"]) == "Infinity");
  res.array_bus_width = 8;  // --bus-width 128 with 16-bit words: 128 // 16
  res.dram_bandwidth = 8;   // --dram-bw 16 with 2-byte words: 16 / 2
  j = r::to_json(res);
  CHECK(json::dump(j["array_bus_width"]) == "8");
  CHECK(json::dump(j["dram_bandwidth"]) == "8.0");
  CHECK(j.keys() == std::vector<std::string>{"proc_region", "dram_region", "src_data_region", "dst_data_region",
                                             "dim_array", "size_gbuf", "size_regf", "array_bus_width",
                                             "dram_bandwidth", "no_time_mux"});
  CHECK(r::resource_from_json(j) == res);
}

TEST_CASE("tangram_json: readers reject malformed values, naming what they read", "[report]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(r::partition_scheme_from_json(json::parse("[[0, 1, 1, 3], [[1, 1], [1, 1], [1, 1], [1, 1]]]")),
                    Contains("order must be a permutation"));
  CHECK_THROWS_WITH(r::partition_scheme_from_json(json::parse("[[0, 1, 2, 3], [[1, 1], [0, 1], [1, 1], [1, 1]]]")),
                    Contains("pdims must be positive"));
  CHECK_THROWS_WITH(r::partition_scheme_from_json(json::parse("[[0, 1, 2, 3]]")), Contains("PartitionScheme"));
  CHECK_THROWS_WITH(r::node_region_from_json(json::parse("[[2, 2], [0, 0], [1, 1], 7, 2, 2]")),
                    Contains("NodeRegion: cannot read"));
  CHECK_THROWS_WITH(r::fmap_range_from_json(json::parse("[[0, 0, 0], [1, 1, 1, 1]]")), Contains("FmapRange"));
  CHECK_THROWS_AS(r::options_from_json(json::parse("{\"sw_gbuf_bypass\": [true, true]}")), bp::invalid_option);
  CHECK_THROWS_AS(r::partition_scheme_from_json(json::parse("[[0, 1, 2, 3.0], [[1, 1], [1, 1], [1, 1], [1, 1]]]")),
                  bp::invalid_option);
}
