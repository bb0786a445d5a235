// tests/workload/test_layer.cpp -- layer shapes, sizes and ops with Tangram's semantics
// (nn_dataflow/core/layer.py), and the errors for impossible shapes.
#include <catch2/catch.hpp>

#include <bufferprospector/workload/layer.hpp>

using bp::layer;
namespace L = bp::layers;

TEST_CASE("conv layer derives its ifmap from filter and stride", "[workload]") {
  const layer c = L::conv{.nifm = 3, .nofm = 96, .sofm = 55, .sfil = 11, .strd = 4};
  CHECK(c.kind() == bp::layer_kind::conv);
  CHECK(c.hifm() == 11 + 54 * 4);
  CHECK(c.wifm() == 227);
  CHECK(c.ops_per_neuron() == 11 * 11 * 3);
  CHECK(c.total_ops(2) == 96 * 55 * 55 * 363 * 2);
  CHECK(c.total_filter_size(2) == 3 * 96 * 121 * 2);
  CHECK(c.total_ifmap_size(4, 2) == 3 * 227 * 227 * 4 * 2);
  CHECK(c.is_valid_padding_sifm(224, 224));  // AlexNet stores 224, conv1 reads 227
  CHECK(c.is_valid_padding_sifm(220, 227));
  CHECK_FALSE(c.is_valid_padding_sifm(219, 224));
  CHECK(c.repr() == "ConvLayer(nifm=3, nofm=96, sofm=(55, 55), sfil=(11, 11), strd=(4, 4))");
  CHECK(c.data_loops() == bp::data_loops::conv);
}

TEST_CASE("fc, pooling, eltwise and local-region layers", "[workload]") {
  const layer fc = L::fc{.nifm = 256, .nofm = 4096, .sfil = 6};
  CHECK(fc.hofm() == 1);
  CHECK(fc.hifm() == 6);
  CHECK(fc.total_ops() == 4096 * 36 * 256);
  CHECK(fc.is_conv_like());
  CHECK(fc.repr() == "FCLayer(nifm=256, nofm=4096, sfil=(6, 6))");

  const layer pool = L::pooling{.nofm = 48, .sofm = 27, .sreg = 3, .strd = 2};
  CHECK(pool.hifm() == 3 + 26 * 2);
  CHECK(pool.nifm() == 48);
  CHECK(pool.ops_per_neuron() == 9);
  CHECK(pool.total_filter_size() == 0);
  CHECK(pool.repr() == "PoolingLayer(nofm=48, sofm=(27, 27), sreg=(3, 3), strd=(2, 2))");
  const layer pool_default = L::pooling{.nofm = 2048, .sofm = 1, .sreg = 7};
  CHECK(pool_default.htrd() == 7);  // stride defaults to the region

  const layer elt = L::eltwise{.nofm = 256, .sofm = 56, .nreg = 2};
  CHECK(elt.nifm() == 512);
  CHECK(elt.hifm() == 56);
  CHECK(elt.ops_per_neuron() == 2);
  CHECK(elt.is_local_region());
  CHECK(elt.repr() == "EltwiseLayer(nofm=256, sofm=(56, 56), nreg=2)");

  const layer lr = L::local_region{.nofm = 96, .sofm = 55, .nreg = 5};
  CHECK(lr.nifm() == 96);
  CHECK(lr.region_size() == 5);
  CHECK(lr.repr() ==
        "LocalRegionLayer(nofm=96, sofm=(55, 55), nreg=5, sreg=(1, 1), ntrd=1, strd=(1, 1))");
  CHECK(lr.data_loops() == bp::data_loops::local_region);
}

TEST_CASE("rectangular shapes", "[workload]") {
  const layer c = L::conv{.nifm = 32, .nofm = 64, .sofm = {14, 28}, .sfil = {3, 5}, .strd = {1, 2}};
  CHECK(c.hifm() == 16);
  CHECK(c.wifm() == 5 + 27 * 2);
  CHECK(c.ops_per_neuron() == 15 * 32);
}

TEST_CASE("matmul: a grouped product whose filter operand is an activation", "[workload]") {
  // Q*K^T of BERT-base: 12 heads, d_model 768, sequence 512: out channels = 12 * 512 keys.
  const layer qk = L::matmul{.nifm = 768, .nofm = 12 * 512, .sofm = {512, 1}, .groups = 12};
  CHECK(qk.ops_per_neuron() == 64);
  CHECK(qk.total_ops() == std::int64_t{12} * 512 * 512 * 64);
  CHECK(qk.total_filter_size() == 512 * 768);  // K: one 512 x 64 block per head
  CHECK(qk.data_loops() == bp::data_loops::matmul);
  CHECK(qk.data_loops()[bp::data_category::fil].contains(bp::loop_dim::bat));
  CHECK_THROWS_WITH((layer(L::matmul{.nifm = 770, .nofm = 12, .sofm = 1, .groups = 12})),
                    "MatMulLayer: nifm = 770 must be a multiple of groups");
}

TEST_CASE("impossible layers throw invalid_layer naming the field", "[workload]") {
  CHECK_THROWS_AS(layer(L::conv{.nifm = 3, .nofm = 0, .sofm = 4, .sfil = 3}), bp::invalid_layer);
  CHECK_THROWS_WITH(layer(L::conv{.nifm = 3, .nofm = 0, .sofm = 4, .sfil = 3}),
                    "ConvLayer: nofm = 0 must be > 0");
  CHECK_THROWS_WITH(layer(L::conv{.nifm = 3, .nofm = 8, .sofm = 4, .sfil = 3, .strd = {1, -1}}),
                    "ConvLayer: wtrd = -1 must be > 0");
  CHECK_THROWS_WITH(layer(L::conv{.nifm = -3, .nofm = 8, .sofm = 4, .sfil = 3}),
                    "ConvLayer: nifm = -3 must be > 0");
  CHECK_THROWS_WITH(layer(L::local_region{.nofm = 8, .sofm = 4, .nreg = 3, .sreg = 2}),
                    "LocalRegionLayer: local region cannot be a mix of both n (3) and h & w (2, 2)");
  CHECK_THROWS_WITH(layer(L::pooling{.nofm = 8, .sofm = 4, .sreg = 0, .strd = 1}), "PoolingLayer: hreg = 0 must be > 0");
  CHECK_THROWS_WITH(layer(L::input{.nofm = 3, .sofm = 0}), "InputLayer: hofm = 0 must be > 0");
  const std::int64_t huge = std::int64_t{1} << 40;
  CHECK_THROWS_WITH(layer(L::conv{.nifm = huge, .nofm = huge, .sofm = 4, .sfil = 3}),
                    Catch::Matchers::Contains("overflow int64"));
}
