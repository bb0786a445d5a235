// Scheduling DAG of Tangram's 13 networks vs nn_dataflow's InterLayerPipeline: vertices (layer
// grouping and DFS order), vertex prevs/nexts, ordered_layer_list and the _gen_vseg ranges in
// generation order. Data: tests/data/pipeline/dag/<net>.txt (tests/data/gen/gen_pipeline.py).
#include <catch2/catch.hpp>

#include <bufferprospector/pipeline/scheduling_dag.hpp>

#include "reference_nets.hpp"

namespace {

const char* const all_nets[] = {"alex_net", "googlenet", "lstm_gnmt", "lstm_phoneme", "lstm_showtell",
                                "mlp_l", "mlp_m", "mlp_s", "resnet152", "resnet50", "vgg19_net",
                                "vgg_net", "zfnet"};

std::vector<std::string> names(const bp::network& net, const std::vector<bp::layer_id>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(net.name_of(id));
  return out;
}

std::vector<int> ints(const std::vector<std::string>& words, std::size_t from) {
  std::vector<int> out;
  for (std::size_t i = from; i < words.size(); ++i) out.push_back(std::stoi(words[i]));
  return out;
}

}  // namespace

TEST_CASE("the zoo's Tangram networks equal nn_dataflow's, layer for layer", "[pipeline]") {
  for (const char* name : all_nets) {
    INFO("network " << name);
    const bp::network ref = bp_test::reference_net(name);
    const bp::network zoo = bp_test::test_net(name);
    CHECK(zoo.name() == ref.name());
    CHECK(zoo.input_layer().repr() == ref.input_layer().repr());
    REQUIRE(zoo.ext_layers().size() == ref.ext_layers().size());
    for (std::size_t k = 0; k < ref.ext_layers().size(); ++k) {
      CHECK(zoo.name_of(zoo.ext_layers()[k]) == ref.name_of(ref.ext_layers()[k]));
      CHECK(zoo[zoo.ext_layers()[k]].repr() == ref[ref.ext_layers()[k]].repr());
    }
    REQUIRE(zoo.size() == ref.size());
    for (bp::layer_id l = 0; l < ref.size(); ++l) {
      CHECK(zoo.name_of(l) == ref.name_of(l));
      CHECK(zoo[l].repr() == ref[l].repr());
      CHECK(names(zoo, zoo.prevs(l)) == names(ref, ref.prevs(l)));
    }
  }
}

TEST_CASE("scheduling DAG equals Tangram's on all 13 networks", "[pipeline]") {
  for (const char* name : all_nets) {
    INFO("network " << name);
    const bp::network net = bp_test::test_net(name);
    const bp::scheduling_dag dag(net);
    std::istringstream in(bp_test::read_data(std::string("pipeline/dag/") + name + ".txt"));
    std::size_t nvert = 0, nvseg = 0;
    std::vector<bp::scheduling_dag::vertex_range> vsegs = dag.vertex_segments();
    for (std::string line; std::getline(in, line);) {
      const auto w = bp_test::split_words(line);
      if (w.empty() || w[0] == "#") continue;
      if (w[0] == "vertex") {
        REQUIRE(nvert < dag.vertices().size());
        CHECK(names(net, dag.vertices()[nvert]) == std::vector<std::string>(w.begin() + 1, w.end()));
        ++nvert;
      } else if (w[0] == "prevs") {
        CHECK(dag.prev_vertices(std::stoi(w[1])) == ints(w, 2));
      } else if (w[0] == "nexts") {
        CHECK(dag.next_vertices(std::stoi(w[1])) == ints(w, 2));
      } else if (w[0] == "order") {
        CHECK(names(net, dag.ordered_layers()) == std::vector<std::string>(w.begin() + 1, w.end()));
      } else if (w[0] == "vseg") {
        REQUIRE(nvseg < vsegs.size());
        const auto expect = ints(w, 1);
        std::vector<int> got;
        for (int v = vsegs[nvseg].first; v < vsegs[nvseg].first + vsegs[nvseg].count; ++v) got.push_back(v);
        CHECK(got == expect);
        ++nvseg;
      }
    }
    CHECK(nvert == dag.vertices().size());
    CHECK(nvseg == vsegs.size());
    CHECK(nvseg > 0);
  }
}

TEST_CASE("scheduling DAG of a residual block by hand", "[pipeline]") {
  // in -> a -> b -> c -> res(c, in_pool): the eltwise joins c's vertex; the pooling joins a's
  // producer conv0 (its only consumer is the pooling).
  bp::network net("block", bp::layers::input{.nofm = 8, .sofm = 16});
  net.add("conv0", bp::layers::conv{.nifm = 8, .nofm = 8, .sofm = 16, .sfil = 3});
  net.add("pool0", bp::layers::pooling{.nofm = 8, .sofm = 8, .sreg = 2});
  net.add("a", bp::layers::conv{.nifm = 8, .nofm = 4, .sofm = 8, .sfil = 1});
  net.add("c", bp::layers::conv{.nifm = 4, .nofm = 8, .sofm = 8, .sfil = 3});
  net.add("res", bp::layers::eltwise{.nofm = 8, .sofm = 8, .nreg = 2}, {"c", "pool0"});
  const bp::scheduling_dag dag(net);
  REQUIRE(dag.vertices().size() == 3);
  CHECK(names(net, dag.vertices()[0]) == std::vector<std::string>{"conv0", "pool0"});
  CHECK(names(net, dag.vertices()[1]) == std::vector<std::string>{"a"});
  CHECK(names(net, dag.vertices()[2]) == std::vector<std::string>{"c", "res"});
  CHECK(dag.prev_vertices(2) == std::vector<int>{0, 1});
  CHECK(dag.next_vertices(-1) == std::vector<int>{0});
  // Depth first: (0), then from 1: (1), from 2: (2), back in 1: (1,2); back in 0: (0,1) (vertex
  // 0 feeds 1 inside and only 2 outside, so rule 3 allows it); (0,1,2) is cut by rule 2 (two
  // prevs of vertex 2 inside).
  const auto v = dag.vertex_segments();
  std::vector<std::pair<int, int>> got;
  for (const auto& r : v) got.emplace_back(r.first, r.count);
  CHECK(got == std::vector<std::pair<int, int>>{{0, 1}, {1, 1}, {2, 1}, {1, 2}, {0, 2}});
}
