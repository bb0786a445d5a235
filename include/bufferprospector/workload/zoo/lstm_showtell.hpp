// bufferprospector/workload/zoo/lstm_showtell.hpp -- the LSTM of Show and Tell (Vinyals et al.,
// CVPR 2015), as Tangram's nns/lstm_showtell.py: one cell of 512 on the (excluded) word
// embedding, then log(p)/softmax as a 1-input eltwise layer.
#pragma once

#include <bufferprospector/workload/layer.hpp>       // bp::layers
#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::add_lstm_cell

namespace bp::zoo {

/// "ShowTell": the cell's 8 layers (external inputs cell_cinit, cell_hinit), then Wd.
inline network lstm_showtell() {
  network net("ShowTell", layers::input{.nofm = 512, .sofm = 1});
  const lstm_outputs out = add_lstm_cell(net, "cell", 512, network::input_name);
  net.add("Wd", layers::eltwise{.nofm = 512, .sofm = 1, .nreg = 1}, {out.hidden});
  return net;
}

}  // namespace bp::zoo
