// tests/zoo/test_zoo.cpp -- Tangram's 13 networks (workload/zoo/*.hpp) against the reference's
// Network objects, and the zoo registry.
//
// Expected values: tests/data/zoo/<net>.txt, written by tests/data/zoo/dump_structure.py from
// Tangram's nns (see tests/data/zoo/README.md); the explicit numbers and names below were
// printed from the same objects (len(NN), NN.prevs(name), NN.ext_layers(), NN.firsts()).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bufferprospector/core/error.hpp>
#include <bufferprospector/workload/zoo.hpp>
#include <bufferprospector/workload/zoo/blocks.hpp>

#include "test_data.hpp"

namespace {

const std::vector<std::string> tangram_names{
    "alex_net", "googlenet", "lstm_gnmt", "lstm_phoneme", "lstm_showtell", "mlp_l",  "mlp_m",
    "mlp_s",    "resnet152", "resnet50",  "vgg19_net",    "vgg_net",       "zfnet"};

std::string join_names(const bp::network& net, const std::vector<bp::layer_id>& ids,
                       const char* sep) {
  std::string s;
  for (auto id : ids) {
    if (!s.empty()) s += sep;
    s += id == bp::network::input ? "None" : net.name_of(id);
  }
  return s;
}

// The same text as dump_structure.py prints for the Python network.
std::string dump(const bp::network& net) {
  std::string out = "network " + net.name() + "\n";
  out += "input " + net.input_layer().repr() + "\n";
  for (auto id : net.ext_layers()) out += "ext " + net.name_of(id) + " " + net[id].repr() + "\n";
  for (bp::layer_id id = 0; id < net.size(); ++id)
    out += "layer " + net.name_of(id) + " <- " + join_names(net, net.prevs(id), " | ") + " : " +
           net[id].repr() + "\n";
  out += "firsts " + join_names(net, net.firsts(), " ") + "\n";
  out += "lasts " + join_names(net, net.lasts(), " ") + "\n";
  return out;
}

std::vector<std::string> prev_names(const bp::network& net, std::string_view layer) {
  std::vector<std::string> out;
  for (auto p : net.prevs(net.id_of(layer)))
    out.push_back(p == bp::network::input ? "None" : net.name_of(p));
  return out;
}

std::vector<std::string> ext_names(const bp::network& net) {
  std::vector<std::string> out;
  for (auto id : net.ext_layers()) out.push_back(net.name_of(id));
  return out;
}

using names = std::vector<std::string>;

}  // namespace

TEST_CASE("the zoo lists Tangram's networks first, in nns.all_networks() order", "[zoo]") {
  std::vector<std::string> tangram;
  for (const auto& e : bp::zoo::tangram_entries()) tangram.emplace_back(e.name);
  CHECK(tangram == tangram_names);
  const auto all = bp::zoo::names();
  REQUIRE(all.size() >= tangram_names.size());
  for (std::size_t k = 0; k < tangram_names.size(); ++k) CHECK(all[k] == tangram_names[k]);
}

TEST_CASE("every Tangram network matches the reference layer for layer", "[zoo]") {
  for (const auto& name : tangram_names) {
    DYNAMIC_SECTION(name) {
      const std::string expected = bp_test::read_data("zoo/" + name + ".txt");
      CHECK(dump(bp::zoo::make(name)) == expected);
    }
  }
}

TEST_CASE("network sizes and names (len(NN), NN.net_name)", "[zoo]") {
  const std::vector<std::pair<std::string, std::pair<std::string, int>>> expected{
      {"alex_net", {"AlexNet", 19}},   {"googlenet", {"GoogLeNet", 63}},
      {"lstm_gnmt", {"GNMT", 33}},     {"lstm_phoneme", {"PHONEME", 10}},
      {"lstm_showtell", {"ShowTell", 9}}, {"mlp_l", {"MLP-L", 4}},
      {"mlp_m", {"MLP-M", 4}},         {"mlp_s", {"MLP-S", 3}},
      {"resnet152", {"ResNet", 208}},  {"resnet50", {"ResNet", 72}},
      {"vgg19_net", {"VGG19", 24}},    {"vgg_net", {"VGG", 21}},
      {"zfnet", {"ZFNet", 11}}};
  for (const auto& [key, value] : expected) {
    INFO(key);
    const bp::network net = bp::zoo::make(key);
    CHECK(net.name() == value.first);
    CHECK(net.size() == value.second);
  }
}

TEST_CASE("join layers read the branches Tangram gives them", "[zoo]") {
  SECTION("AlexNet towers") {
    const auto net = bp::zoo::alex_net();
    CHECK(prev_names(net, "conv1_a") == names{"None"});
    CHECK(prev_names(net, "conv1_b") == names{"None"});
    CHECK(prev_names(net, "conv3_a") == names{"pool2_a", "pool2_b"});
    CHECK(prev_names(net, "conv3_b") == names{"pool2_a", "pool2_b"});
    CHECK(prev_names(net, "conv4_b") == names{"conv3_b"});
    CHECK(prev_names(net, "fc1") == names{"pool3_a", "pool3_b"});
    CHECK(net[net.id_of("fc1")].nifm() == 256);
  }
  SECTION("ResNet-50 shortcuts") {
    const auto net = bp::zoo::resnet50();
    CHECK(prev_names(net, "conv2_0_a") == names{"pool1"});
    CHECK(prev_names(net, "conv2_br") == names{"pool1"});
    CHECK(prev_names(net, "conv2_0_res") == names{"conv2_br", "conv2_0_c"});
    CHECK(prev_names(net, "conv2_1_res") == names{"conv2_0_res", "conv2_1_c"});
    CHECK(prev_names(net, "conv3_0_a") == names{"conv2_2_res"});
    CHECK(prev_names(net, "conv3_br") == names{"conv2_2_res"});
    CHECK(prev_names(net, "conv5_2_res") == names{"conv5_1_res", "conv5_2_c"});
    CHECK(prev_names(net, "pool5") == names{"conv5_2_res"});
    CHECK(net[net.id_of("conv3_0_a")].htrd() == 2);
    CHECK(net[net.id_of("conv4_br")].repr() ==
          "ConvLayer(nifm=512, nofm=1024, sofm=(14, 14), sfil=(1, 1), strd=(2, 2))");
  }
  SECTION("ResNet-152 has 3, 8, 36, 3 blocks") {
    const auto net = bp::zoo::resnet152();
    CHECK(net.contains("conv3_7_res"));
    CHECK_FALSE(net.contains("conv3_8_res"));
    CHECK(prev_names(net, "conv4_35_res") == names{"conv4_34_res", "conv4_35_c"});
    CHECK(prev_names(net, "conv5_0_a") == names{"conv4_35_res"});
  }
  SECTION("GoogLeNet inception concatenation") {
    const auto net = bp::zoo::googlenet();
    const names incp_3a{"inception_3a_1x1", "inception_3a_3x3", "inception_3a_5x5",
                        "inception_3a_pool_proj"};
    CHECK(prev_names(net, "inception_3a_1x1") == names{"pool2"});
    CHECK(prev_names(net, "inception_3b_1x1") == incp_3a);
    CHECK(prev_names(net, "inception_3b_pool_proj") == incp_3a);
    CHECK(prev_names(net, "inception_3b_3x3") == names{"inception_3b_3x3_reduce"});
    CHECK(prev_names(net, "pool5") == names{"inception_5b_1x1", "inception_5b_3x3",
                                            "inception_5b_5x5", "inception_5b_pool_proj"});
    CHECK(net[net.id_of("inception_4e_1x1")].nifm() == 528);
  }
}

TEST_CASE("LSTM networks: external initial states and cell wiring", "[zoo]") {
  SECTION("GNMT: 4 stacked cells") {
    const auto net = bp::zoo::lstm_gnmt();
    CHECK(ext_names(net) == names{"cell_l0_cinit", "cell_l0_hinit", "cell_l1_cinit",
                                  "cell_l1_hinit", "cell_l2_cinit", "cell_l2_hinit",
                                  "cell_l3_cinit", "cell_l3_hinit"});
    CHECK(prev_names(net, "cell_l0_cand") == names{"cell_l0_hinit", "None"});
    CHECK(prev_names(net, "cell_l1_igate") == names{"cell_l1_hinit", "cell_l0_hout"});
    CHECK(prev_names(net, "cell_l3_cout_f") == names{"cell_l3_cinit", "cell_l3_fgate"});
    CHECK(prev_names(net, "cell_l3_cout") == names{"cell_l3_cout_i", "cell_l3_cout_f"});
    CHECK(prev_names(net, "Wd") == names{"cell_l3_hout"});
    CHECK(net[net.id_of("cell_l2_cinit")].repr() == "InputLayer(nofm=1000, sofm=(1, 1), strd=(1, 1))");
    CHECK(net.firsts().size() == 4);  // cell_l0_{cand,igate,fgate,ogate}
  }
  SECTION("PHONEME: the cell reads the input FC") {
    const auto net = bp::zoo::lstm_phoneme();
    CHECK(ext_names(net) == names{"cell_cinit", "cell_hinit"});
    CHECK(net[net.id_of("cell_hinit")].nofm() == 140);
    CHECK(prev_names(net, "cell_cand") == names{"cell_hinit", "We"});
    CHECK(prev_names(net, "cell_hout") == names{"cell_cout", "cell_ogate"});
    CHECK(join_names(net, net.firsts(), " ") == "We");
  }
  SECTION("ShowTell") {
    const auto net = bp::zoo::lstm_showtell();
    CHECK(ext_names(net) == names{"cell_cinit", "cell_hinit"});
    CHECK(join_names(net, net.firsts(), " ") == "cell_cand cell_igate cell_fgate cell_ogate");
    CHECK(join_names(net, net.lasts(), " ") == "Wd");
  }
}

TEST_CASE("add_lstm_cell with given states adds no external layer", "[zoo]") {
  bp::network net("two_steps", bp::layers::input{.nofm = 8, .sofm = 1});
  const auto step0 = bp::zoo::add_lstm_cell(net, "t0", 8, bp::network::input_name);
  const auto step1 = bp::zoo::add_lstm_cell(net, "t1", 8, bp::network::input_name, step0.cell,
                                            step0.hidden);
  CHECK(step1.cell == "t1_cout");
  CHECK(step1.hidden == "t1_hout");
  CHECK(ext_names(net) == names{"t0_cinit", "t0_hinit"});
  CHECK(prev_names(net, "t1_cand") == names{"t0_hout", "None"});
  CHECK(prev_names(net, "t1_cout_f") == names{"t0_cout", "t1_fgate"});
  CHECK(net.size() == 16);  // 8 layers per cell
}

TEST_CASE("add_lstm_cell refuses inputs that are not in the network", "[zoo]") {
  bp::network net("bad", bp::layers::input{.nofm = 8, .sofm = 1});
  REQUIRE_THROWS_AS(bp::zoo::add_lstm_cell(net, "c", 8, "nope"), bp::invalid_network);
  bp::network net2("bad", bp::layers::input{.nofm = 8, .sofm = 1});
  REQUIRE_THROWS_WITH(bp::zoo::add_lstm_cell(net2, "c", 8, bp::network::input_name, "missing_c"),
                      Catch::Matchers::Contains("cin missing_c") &&
                          Catch::Matchers::Contains("must all be in the network"));
}

TEST_CASE("bp::zoo::make refuses unknown names and lists the choices", "[zoo]") {
  REQUIRE_THROWS_AS(bp::zoo::make("resnet"), bp::unknown_name);
  REQUIRE_THROWS_WITH(bp::zoo::make("AlexNet"),  // the network's name, not its zoo key
                      Catch::Matchers::StartsWith("unknown network 'AlexNet'; choices: alex_net, googlenet,") &&
                          Catch::Matchers::Contains("resnet50, vgg19_net, vgg_net, zfnet"));
  REQUIRE_THROWS_AS(bp::zoo::make(""), bp::unknown_name);
  REQUIRE_THROWS_AS(bp::zoo::make("alex_net "), bp::unknown_name);
  // bp::unknown_name is a bp::error, i.e. a std::invalid_argument.
  REQUIRE_THROWS_AS(bp::zoo::make("vgg"), std::invalid_argument);
}

TEST_CASE("bp::zoo::make builds a fresh network each time", "[zoo]") {
  bp::network a = bp::zoo::make("mlp_s");
  a.add("fc4", bp::layers::fc{.nifm = 10, .nofm = 2});
  const bp::network b = bp::zoo::make("mlp_s");
  CHECK(a.size() == 4);
  CHECK(b.size() == 3);
}

TEST_CASE("block helpers build variants and refuse impossible ones", "[zoo]") {
  const bp::network mlp = bp::zoo::mlp("tiny", {4, 3, 2});
  CHECK(mlp.size() == 2);
  CHECK(mlp[1].repr() == "FCLayer(nifm=3, nofm=2, sfil=(1, 1))");
  REQUIRE_THROWS_WITH(bp::zoo::mlp("none", {4}),
                      "mlp: widths has 1 entries; needs the input width and at least one layer");
  REQUIRE_THROWS_AS(bp::zoo::mlp("zero", {4, 0}), bp::invalid_layer);
  // ResNet-18-like depths reuse the bottleneck stages: 1 block each.
  const bp::network shallow = bp::zoo::bottleneck_resnet({1, 1, 1, 1});
  CHECK(shallow.size() == 2 + 4 * 5 + 2);
  CHECK(prev_names(shallow, "conv3_0_a") == names{"conv2_0_res"});
}
