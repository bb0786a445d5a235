// bufferprospector/workload/zoo/lstm_gnmt.hpp -- the LSTM of GNMT (Sutskever, Vinyals and Le,
// NIPS 2014), as Tangram's nns/lstm_gnmt.py: 4 stacked cells of 1000, the word embedding (a
// lookup) excluded, then log(p)/softmax as a 1-input eltwise layer.
#pragma once

#include <string>  // std::string, std::to_string

#include <bufferprospector/workload/layer.hpp>       // bp::layers
#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::add_lstm_cell

namespace bp::zoo {

/// "GNMT": 4 cells cell_l0..cell_l3 (8 layers and 2 external inputs each), then Wd.
inline network lstm_gnmt() {
  constexpr std::int64_t size = 1000;
  constexpr int cells = 4;
  network net("GNMT", layers::input{.nofm = size, .sofm = 1});
  std::string x(network::input_name);
  for (int l = 0; l < cells; ++l) x = add_lstm_cell(net, "cell_l" + std::to_string(l), size, x).hidden;
  net.add("Wd", layers::eltwise{.nofm = size, .sofm = 1, .nreg = 1}, {x});
  return net;
}

}  // namespace bp::zoo
