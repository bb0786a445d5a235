// tests/zoo_extra/test_registry.cpp -- the extra networks in the zoo registry, and invariants
// that hold for each of them.
#include <catch2/catch.hpp>

#include <bufferprospector/workload/zoo.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> extra_names() {
  std::vector<std::string> out;
  for (const auto& e : bp::zoo::extra_entries()) out.emplace_back(e.name);
  return out;
}

bool is_transformer(std::string_view name) {
  return name.rfind("bert", 0) == 0 || name.rfind("gpt2", 0) == 0;
}

}  // namespace

TEST_CASE("the extra networks are registered by name, each with its block", "[zoo_extra]") {
  const std::vector<std::string> bases{"bert_base",          "bert_large",     "densenet121",
                                       "gpt2_small_prefill", "gpt2_xl_decode", "gpt2_xl_prefill",
                                       "inception_resnet_v1"};
  std::vector<std::string> expected;
  for (const auto& b : bases) {
    expected.push_back(b);
    expected.push_back(b + "_block");
  }
  const auto names = extra_names();
  CHECK(names == expected);  // alphabetical, every network followed by its block
  CHECK(std::is_sorted(names.begin(), names.end()));
  // Reachable through the registry, which lists them after Tangram's.
  const auto all = bp::zoo::names();
  for (const auto& n : names) {
    INFO(n);
    CHECK(std::count(all.begin(), all.end(), std::string_view(n)) == 1);
  }
  CHECK(bp::zoo::make("bert_base_block").size() == 13);
  CHECK(bp::zoo::make("densenet121").size() == 126);
  CHECK_THROWS_AS(bp::zoo::make("bert_huge"), bp::unknown_name);
}

TEST_CASE("every extra network builds and its matmuls read matching operands", "[zoo_extra]") {
  for (const auto& e : bp::zoo::extra_entries()) {
    INFO(e.name);
    const bp::network net = e.build();  // construction validates every layer and edge
    CHECK(net.size() > 0);
    CHECK(!net.name().empty());
    std::int64_t matmuls = 0;
    for (bp::layer_id id = 0; id < net.size(); ++id) {
      const bp::layer& l = net[id];
      INFO(net.name_of(id));
      // The producers' channels add up to the layer's input (concatenation).
      std::int64_t channels = 0;
      for (auto p : net.prevs(id)) channels += net[p].nofm();
      CHECK(channels == l.nifm());
      if (l.kind() != bp::layer_kind::matmul) {
        CHECK(net.weight_prevs(id).empty());
        continue;
      }
      ++matmuls;
      // The second operand is produced whole by the weight producers (K or V projections and,
      // in decode, the cached K or V): same volume, and the same d channels as the model.
      std::int64_t volume = 0;
      for (auto p : net.weight_prevs(id)) {
        volume += net[p].total_ofmap_size();
        CHECK(net[p].nofm() == net.input_layer().nofm());
      }
      CHECK(volume == l.total_filter_size());
    }
    // Two matmuls per transformer block, none in the CNNs.
    CHECK((matmuls > 0) == is_transformer(e.name));
    CHECK(matmuls % 2 == 0);
  }
}
