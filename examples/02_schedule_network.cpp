// examples/02_schedule_network.cpp -- schedule a whole network the way Tangram does (the README's
// ten-line tour, runnable): a zoo network on a 4x4 chip, Tangram's full options, the best scheme.
#include <bufferprospector/bufferprospector.hpp>

#include <cstdio>

int main() {
  const bp::network net = bp::zoo::make("resnet50");                   // workload (dynamic)
  const bp::runtime_spec chip{bp::pe_array<>{16, 16}, bp::node_mesh<>{4, 4},
                              bp::memory_hierarchy<>{{.regf_words = 256, .gbuf_words = 65536}}};
  bp::options opt{.sw_solve_loopblocking = true, .hw_access_forwarding = true,
                  .partition_hybrid = true, .partition_interlayer = true};
  opt.validate();                                                        // Tangram's option rules
  const bp::search_result r = bp::tangram_search(net, /*batch=*/16, bp::make_resource(chip),
                                                 bp::cost_values(chip.costs()), opt);
  if (r.tops.empty()) return 1;                                          // no valid dataflow
  const bp::network_scheme& best = r.tops.front();
  std::printf("%s: cost %.6g, %lld cycles, %zu segments\n", net.name().c_str(), best.total_cost(),
              static_cast<long long>(best.total_time()), best.segment_time_list().size());
  for (const auto& [id, sched] : best.schedules())
    std::printf("  %-14s segment %lld  cost %.6g  time %lld\n", net.name_of(id).c_str(),
                static_cast<long long>(sched.seq.segment), sched.total_cost(),
                static_cast<long long>(sched.total_time()));
  return 0;
}
