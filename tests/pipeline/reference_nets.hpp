// tests/pipeline/reference_nets.hpp -- Tangram's networks read from tests/data/pipeline/nets/,
// written from nn_dataflow's own Network objects by tests/data/gen/gen_pipeline.py. The pipeline
// tests run on bp::zoo's networks (what users get); test_dag.cpp checks first that those equal
// these reference dumps layer for layer.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <bufferprospector/workload/network.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "test_data.hpp"

namespace bp_test {

inline std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

inline bp::network reference_net(const std::string& net) {
  std::istringstream in(read_data("pipeline/nets/" + net + ".txt"));
  std::string line, name;
  std::getline(in, line);
  name = split_words(line).at(1);
  std::getline(in, line);
  auto w = split_words(line);
  const auto num = [](const std::string& s) { return static_cast<std::int64_t>(std::stoll(s)); };
  bp::network out(name, bp::layers::input{.nofm = num(w.at(1)), .sofm = {num(w.at(2)), num(w.at(3))}});
  while (std::getline(in, line)) {
    w = split_words(line);
    if (w.empty()) continue;
    if (w[0] == "ext") {
      out.add_ext(w.at(1), bp::layers::input{.nofm = num(w.at(2)), .sofm = {num(w.at(3)), num(w.at(4))}});
      continue;
    }
    if (w[0] != "layer") throw std::runtime_error("bad net line: " + line);
    std::size_t bar = 0;
    while (w.at(bar) != "|") ++bar;
    std::vector<std::string_view> prevs;
    for (std::size_t i = bar + 1; i < w.size(); ++i) prevs.push_back(w[i]);
    const std::string& kind = w.at(2);
    const auto p = [&](std::size_t i) { return num(w.at(3 + i)); };
    if (kind == "conv")
      out.add(w[1], bp::layers::conv{.nifm = p(0), .nofm = p(1), .sofm = {p(2), p(3)}, .sfil = {p(4), p(5)},
                                     .strd = {p(6), p(7)}}, prevs);
    else if (kind == "fc")
      out.add(w[1], bp::layers::fc{.nifm = p(0), .nofm = p(1), .sfil = {p(2), p(3)}}, prevs);
    else if (kind == "pool")
      out.add(w[1], bp::layers::pooling{.nofm = p(0), .sofm = {p(1), p(2)}, .sreg = {p(3), p(4)},
                                        .strd = bp::size2{p(5), p(6)}}, prevs);
    else if (kind == "eltwise")
      out.add(w[1], bp::layers::eltwise{.nofm = p(0), .sofm = {p(1), p(2)}, .nreg = p(3)}, prevs);
    else if (kind == "lr")
      out.add(w[1], bp::layers::local_region{.nofm = p(0), .sofm = {p(1), p(2)}, .nreg = p(3), .sreg = {p(4), p(5)},
                                             .ntrd = p(6), .strd = {p(7), p(8)}}, prevs);
    else
      throw std::runtime_error("bad layer kind: " + line);
  }
  return out;
}

/// The network the pipeline tests use: the zoo's (checked against reference_net in test_dag.cpp).
inline bp::network test_net(const std::string& net) { return bp::zoo::make(net); }

}  // namespace bp_test
