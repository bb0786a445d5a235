// examples/01_describe_accelerator.cpp -- describe a chip and a network with the library's
// vocabulary: one spec type for a chip fixed at compile time and for one chosen at run time.
#include <bufferprospector/bufferprospector.hpp>

#include <cstdio>

int main() {
  // Define the accelerator (static): Tangram's "medium" chip, 4x4 cores of 16x16 PEs, 512 B of
  // registers per PE and 128 KiB of global buffer per core, in 16-bit words.
  using medium_chip = bp::spec<bp::pe_array<16, 16>, bp::node_mesh<4, 4>, bp::memory_hierarchy<256, 65536>,
                               bp::tangram_costs>;
  constexpr medium_chip medium{{}, {}, bp::memory_hierarchy<256, 65536>{{}}};
  static_assert(medium.mesh().size() == 16);  // static parts are compile-time constants

  // Define a design point (dynamic): a DSE sweep varies the mesh and the buffer at run time.
  for (std::int64_t mesh : {4, 8, 16}) {
    const bp::runtime_spec chip{bp::pe_array<>{16, 16}, bp::node_mesh<>{mesh, mesh},
                                bp::memory_hierarchy<>{{.regf_words = bp::words_from_bytes(512, 16),
                                                        .gbuf_words = bp::words_from_bytes(131072, 16),
                                                        .dram_bandwidth = 0.5 * 2 * 256 * mesh * mesh / 1000 / 2}}};
    const bp::resource res = bp::make_resource(chip);
    std::printf("%2lldx%-2lld cores, %lld PEs, gbuf %lld words/core, DRAM at %zu nodes, %.3f words/cycle\n",
                static_cast<long long>(mesh), static_cast<long long>(mesh),
                static_cast<long long>(chip.mesh().size() * chip.array().size()),
                static_cast<long long>(res.size_gbuf), res.dram_region.nodes().size(), res.dram_bandwidth);
  }

  // Define the workload (dynamic): layers in a DAG, with Tangram's shape rules.
  bp::network net("tiny", bp::layers::input{.nofm = 3, .sofm = 224});
  net.add("conv1", bp::layers::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2});
  net.add("pool1", bp::layers::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2});
  net.add("fc", bp::layers::fc{.nifm = 64, .nofm = 10, .sfil = 56});
  for (bp::layer_id id = 0; id < net.size(); ++id)
    std::printf("%-6s %-60s %12lld MACs\n", net.name_of(id).c_str(), net[id].repr().c_str(),
                static_cast<long long>(net[id].total_ops()));

  // Bad input is refused with a message naming the field and the value.
  try {
    bp::pe_array<> broken{0, 16};
  } catch (const bp::invalid_spec& e) {
    std::printf("refused: %s\n", e.what());
  }
  return 0;
}
