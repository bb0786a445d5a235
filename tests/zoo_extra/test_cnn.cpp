// tests/zoo_extra/test_cnn.cpp -- Inception-ResNet-v1 and DenseNet-121 against the SET scheduler's
// own networks, layer by layer: tests/data/zoo_extra/set_*.txt were printed by compiling SET's
// sources (SET-Scheduling-Project/SET-ISCA2023 @ a7bd739, src/nns/incep_resnet.cpp and
// densenet.cpp) with tests/data/zoo_extra/set_zoo_dump.cpp; tests/data/zoo_extra/README.md has
// the exact commands. SET's ops (C*K*R*S*H*W for convs, K*H*W*N*R*S for pooling/eltwise) and
// weight sizes (C*K*R*S) are Tangram's total_ops() and total_filter_size().
#include <catch2/catch.hpp>

#include <bufferprospector/workload/zoo/densenet121.hpp>
#include <bufferprospector/workload/zoo/inception_resnet_v1.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"
#include "zoo_extra_util.hpp"

namespace {

struct set_layer {
  std::string name;
  std::int64_t nofm = 0, hofm = 0, wofm = 0, nifm = 0, hifm = 0, wifm = 0, ops = 0, weights = 0;
  std::string prevs, weight_prevs;
};

std::vector<set_layer> read_set_layers(const std::string& file) {
  std::istringstream in(bp_test::read_data("zoo_extra/" + file));
  std::vector<set_layer> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    set_layer l;
    row >> l.name >> l.nofm >> l.hofm >> l.wofm >> l.nifm >> l.hifm >> l.wifm >> l.ops >> l.weights >>
        l.prevs >> l.weight_prevs;
    REQUIRE(row);  // a malformed row must fail the test, not shorten it
    out.push_back(l);
  }
  return out;
}

void check_layer_by_layer(const bp::network& net, const std::vector<set_layer>& ref) {
  REQUIRE(net.size() == static_cast<bp::layer_id>(ref.size()));
  for (bp::layer_id id = 0; id < net.size(); ++id) {
    const set_layer& s = ref[static_cast<std::size_t>(id)];
    INFO("layer " << id << " " << s.name);
    const bp::layer& l = net[id];
    CHECK(net.name_of(id) == s.name);
    CHECK(l.nofm() == s.nofm);
    CHECK(l.hofm() == s.hofm);
    CHECK(l.wofm() == s.wofm);
    // SET's unpadded ifmap is Tangram's: window + (out - 1) * stride (this tells a 1x7 from a 7x1
    // filter), and N * K channels for an N-input eltwise.
    CHECK(l.nifm() == s.nifm);
    CHECK(l.hifm() == s.hifm);
    CHECK(l.wifm() == s.wifm);
    CHECK(l.total_ops() == s.ops);
    CHECK(l.total_filter_size() == s.weights);
    // Same producers in the same order: SET lists them in id order, and so must our
    // concatenations be, for the channel order to be SET's.
    CHECK(zoo_test::joined_names(net, net.prevs(id)) == s.prevs);
    CHECK(s.weight_prevs == "-");
  }
}

}  // namespace

TEST_CASE("Inception-ResNet-v1 is SET's, layer by layer", "[zoo_extra]") {
  check_layer_by_layer(bp::zoo::inception_resnet_v1(),
                       read_set_layers("set_inception_resnet_v1.txt"));
}

TEST_CASE("DenseNet-121 is SET's, layer by layer", "[zoo_extra]") {
  check_layer_by_layer(bp::zoo::densenet121(), read_set_layers("set_densenet.txt"));
}

TEST_CASE("Inception-ResNet-v1 totals", "[zoo_extra]") {
  const auto net = bp::zoo::inception_resnet_v1();
  // Layers: stem 7 + 5 A x 8 + Reduction-A 5 + 10 B x 6 + Reduction-B 8 + 5 C x 6 + 3 = 153.
  CHECK(net.size() == 153);
  // SET's totals (sums of its get_num_op() and weight_size() over the network, same program).
  CHECK(zoo_test::total_ops(net) == 6'223'400'864);
  CHECK(zoo_test::total_weights(net) == 25'920'352);
  CHECK(zoo_test::count_kind(net, bp::layer_kind::eltwise) == 20);  // one residual add per block
  CHECK(zoo_test::count_kind(net, bp::layer_kind::pooling) == 4);  // stem, RA, RB, average
  CHECK(zoo_test::count_kind(net, bp::layer_kind::fc) == 2);
  CHECK(net.lasts() == std::vector<bp::layer_id>{152});
  // The first B block adds Reduction-A's three branches (384 + 256 + 256) to its last conv.
  const auto b1 = net.id_of("B1_Eltwise");
  CHECK(net.prevs(b1).size() == 4);
  CHECK(net[b1].nifm() == 2 * 896);
  CHECK(net[net.id_of("C1_Conv_1a_1x1")].nifm() == 896 + 384 + 256 + 256);
  // Padding as Tangram allows: a 3x3 stride-1 conv on 35x35 derives a 37x37 ifmap.
  CHECK(net[net.id_of("A1_Conv_2b_3x3")].hifm() == 37);
  CHECK(net[net.id_of("B1_Conv_2b_1x7")].hifm() == 17);
  CHECK(net[net.id_of("B1_Conv_2b_1x7")].wifm() == 23);
}

TEST_CASE("DenseNet-121 totals", "[zoo_extra]") {
  const auto net = bp::zoo::densenet121();
  // Layers: conv0, pool0, 2 x (6 + 12 + 24 + 16) dense convs, 3 x 2 transition, pool, fc = 126.
  CHECK(net.size() == 126);
  CHECK(zoo_test::total_ops(net) == 2'836'720'640);  // SET's totals, as above
  CHECK(zoo_test::total_weights(net) == 7'894'208);
  // Channels grow by k = 32 per dense layer: the transition after block 1 reads
  // 64 + 6 * 32 = 256 channels from pool0 and the six 3x3 convs.
  const auto t1 = net.id_of("trans_1_1x1");
  CHECK(net.prevs(t1).size() == 7);
  CHECK(net[t1].nifm() == 256);
  CHECK(net[t1].nofm() == 128);
  // Block 4 ends at 512 + 16 * 32 = 1024 channels of 7x7.
  const auto pool = net.id_of("pool_avg");
  CHECK(net.prevs(pool).size() == 17);
  CHECK(net[pool].nifm() == 1024);
  CHECK(net[pool].hreg() == 7);
}

TEST_CASE("Inception-ResNet-v1 block is the network's B1 on one input", "[zoo_extra]") {
  const auto blk = bp::zoo::inception_resnet_v1_block();
  const auto net = bp::zoo::inception_resnet_v1();
  REQUIRE(blk.size() == 6);
  CHECK(blk.input_layer().nofm() == 896);
  CHECK(blk.input_layer().hofm() == 17);
  for (bp::layer_id id = 0; id < blk.size(); ++id) {
    INFO(blk.name_of(id));
    CHECK(blk[id] == net[net.id_of(blk.name_of(id))]);
  }
  // Both joins survive: the two-branch concatenation and the residual add on the input.
  CHECK(zoo_test::joined_names(blk, blk.prevs(4)) == "B1_Conv_1a_1x1,B1_Conv_2c_7x1");
  CHECK(zoo_test::joined_names(blk, blk.prevs(5)) == "-,B1_Conv_3_1x1");
  CHECK(blk.nexts(bp::network::input) == std::vector<bp::layer_id>{0, 1, 5});
  // MACs by hand: 2 x 1x1 896->128, 1x7 and 7x1 128->128, 1x1 256->896, add; all on 17x17.
  constexpr std::int64_t px = 17 * 17;
  CHECK(zoo_test::total_ops(blk) ==
        2 * 896 * 128 * px + 2 * 128 * 128 * 7 * px + 256 * 896 * px + 2 * 896 * px);
}

TEST_CASE("DenseNet-121 block is the network's block 1 and transition 1", "[zoo_extra]") {
  const auto blk = bp::zoo::densenet121_block();
  const auto net = bp::zoo::densenet121();
  REQUIRE(blk.size() == 14);
  CHECK(blk.input_layer().nofm() == 64);
  CHECK(blk.input_layer().hofm() == 56);
  for (bp::layer_id id = 0; id < blk.size(); ++id) {
    INFO(blk.name_of(id));
    const auto full = net.id_of(blk.name_of(id));
    CHECK(blk[id] == net[full]);
    // Same producers, with the block input standing for pool0.
    std::string prevs = zoo_test::joined_names(net, net.prevs(full));
    if (prevs.rfind("pool0", 0) == 0) prevs.replace(0, 5, "-");
    CHECK(zoo_test::joined_names(blk, blk.prevs(id)) == prevs);
  }
  CHECK(blk.name_of(13) == "trans_1_pool");
  CHECK(blk[13].hofm() == 28);
}
