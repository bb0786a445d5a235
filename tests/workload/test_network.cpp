// tests/workload/test_network.cpp -- Tangram's Network rules and error texts
// (nn_dataflow/core/network.py).
#include <catch2/catch.hpp>

#include <bufferprospector/workload/network.hpp>

namespace L = bp::layers;

namespace {
bp::network small_resnet_block() {
  bp::network net("block", L::input{.nofm = 64, .sofm = 56});
  net.add("a", L::conv{.nifm = 64, .nofm = 64, .sofm = 56, .sfil = 1});
  net.add("b", L::conv{.nifm = 64, .nofm = 64, .sofm = 56, .sfil = 3});
  net.add("c", L::conv{.nifm = 64, .nofm = 256, .sofm = 56, .sfil = 1});
  net.add("br", L::conv{.nifm = 64, .nofm = 256, .sofm = 56, .sfil = 1}, {"__INPUT__"});
  net.add("res", L::eltwise{.nofm = 256, .sofm = 56, .nreg = 2}, {"br", "c"});
  return net;
}
}  // namespace

TEST_CASE("a layer follows the last added one unless prevs are given", "[workload]") {
  const auto net = small_resnet_block();
  REQUIRE(net.size() == 5);
  CHECK(net.prevs(0) == std::vector<bp::layer_id>{bp::network::input});
  CHECK(net.prevs(1) == std::vector<bp::layer_id>{0});
  CHECK(net.prevs(3) == std::vector<bp::layer_id>{bp::network::input});
  CHECK(net.prevs(4) == std::vector<bp::layer_id>{3, 2});
  CHECK(net.nexts(bp::network::input) == std::vector<bp::layer_id>{0, 3});
  CHECK(net.nexts(2) == std::vector<bp::layer_id>{4});
  CHECK(net.nexts(4).empty());
  CHECK(net.firsts() == std::vector<bp::layer_id>{0, 3});
  CHECK(net.lasts() == std::vector<bp::layer_id>{4});
  CHECK(net.id_of("res") == 4);
  CHECK(net.name_of(3) == "br");
  CHECK(net[4].nifm() == 512);
}

TEST_CASE("external inputs", "[workload]") {
  bp::network net("lstm", L::input{.nofm = 100, .sofm = 1});
  const auto h = net.add_ext("h0", L::input{.nofm = 100, .sofm = 1});
  CHECK(bp::network::is_external(h));
  net.add("gate", L::fc{.nifm = 200, .nofm = 100}, {"h0", "__INPUT__"});
  CHECK(net.prevs(0) == std::vector<bp::layer_id>{h, bp::network::input});
  CHECK(net.firsts() == std::vector<bp::layer_id>{0});
  CHECK(net.ext_layers() == std::vector<bp::layer_id>{h});
  CHECK(net.name_of(h) == "h0");
  CHECK_THROWS_WITH(net.add_ext("h0", L::input{.nofm = 1, .sofm = 1}),
                    "Network: external layer h0 already exists.");
  CHECK_THROWS_WITH(net.add_ext("x", L::fc{.nifm = 1, .nofm = 1}),
                    "Network: external layer must be an InputLayer instance.");
}

TEST_CASE("Tangram's network errors", "[workload]") {
  auto net = small_resnet_block();
  CHECK_THROWS_AS(net.add("a", L::conv{.nifm = 256, .nofm = 8, .sofm = 56, .sfil = 1}), bp::invalid_network);
  CHECK_THROWS_WITH(net.add("a", L::conv{.nifm = 256, .nofm = 8, .sofm = 56, .sfil = 1}),
                    "Network: layer a already exists.");
  CHECK_THROWS_WITH(net.add("x", L::conv{.nifm = 256, .nofm = 8, .sofm = 56, .sfil = 1}, {"nope"}),
                    "Network: given previous layer nope has not been added to the network");
  CHECK_THROWS_WITH(net.add("x", L::conv{.nifm = 256, .nofm = 8, .sofm = 20, .sfil = 1}),
                    "Network: res, a previous layer of x, has mismatch fmap size: (56, 56) vs. (20, 20).");
  CHECK_THROWS_WITH(net.add("x", L::conv{.nifm = 100, .nofm = 8, .sofm = 56, .sfil = 1}, {"res", "b"}),
                    "Network: res | b cannot be the previous layers of x.");
  CHECK(net.size() == 5);  // failed adds leave the network unchanged
  CHECK_THROWS_WITH(net.prevs(bp::network::input), "Network: cannot get previous layers for input layer.");
  CHECK_THROWS_WITH(net.id_of("zz"), "Network: 'zz' layer not found.");
  CHECK_THROWS_AS(bp::network("bad", L::conv{.nifm = 1, .nofm = 1, .sofm = 1, .sfil = 1}), bp::invalid_network);
}

TEST_CASE("concatenated inputs may be padded", "[workload]") {
  bp::network net("concat", L::input{.nofm = 3, .sofm = 224});
  net.add("c1", L::conv{.nifm = 3, .nofm = 48, .sofm = 55, .sfil = 11, .strd = 4});
  net.add("c2", L::conv{.nifm = 3, .nofm = 48, .sofm = 55, .sfil = 11, .strd = 4}, {"__INPUT__"});
  net.add("cat", L::conv{.nifm = 96, .nofm = 8, .sofm = 27, .sfil = 3, .strd = 2}, {"c1", "c2"});
  CHECK(net.prevs(2) == std::vector<bp::layer_id>{0, 1});
}

TEST_CASE("matmul layers name the producer of their second operand", "[workload]") {
  bp::network net("attn", L::input{.nofm = 64, .sofm = {16, 1}});
  net.add("q", L::conv{.nifm = 64, .nofm = 64, .sofm = {16, 1}, .sfil = 1});
  net.add("k", L::conv{.nifm = 64, .nofm = 64, .sofm = {16, 1}, .sfil = 1}, {"__INPUT__"});
  net.add("qk", L::matmul{.nifm = 64, .nofm = 4 * 16, .sofm = {16, 1}, .groups = 4}, {"q"}, {"k"});
  CHECK(net.weight_prevs(2) == std::vector<bp::layer_id>{1});
  CHECK(net.weight_nexts(1) == std::vector<bp::layer_id>{2});
  CHECK(net.lasts() == std::vector<bp::layer_id>{2});
  CHECK_THROWS_WITH(net.add("qk2", L::matmul{.nifm = 64, .nofm = 64, .sofm = {16, 1}, .groups = 4}, {"q"}),
                    "Network: matmul layer qk2 needs the producer of its second operand in weight_prevs.");
  CHECK_THROWS_WITH(net.add("qk3", L::matmul{.nifm = 64, .nofm = 8 * 16, .sofm = {16, 1}, .groups = 4}, {"q"}, {"k"}),
                    "Network: weight_prevs of qk3 produce 1024 words per sample, but its second operand needs 2048.");
}
