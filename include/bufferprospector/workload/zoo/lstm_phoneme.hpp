// bufferprospector/workload/zoo/lstm_phoneme.hpp -- the LSTM for phoneme classification (Graves and
// Schmidhuber, 2005), as Tangram's nns/lstm_phoneme.py: input FC We, one cell of 140, output FC Wd.
#pragma once

#include <bufferprospector/workload/layer.hpp>       // bp::layers
#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::add_lstm_cell

namespace bp::zoo {

/// "PHONEME": We, the cell's 8 layers (external inputs cell_cinit, cell_hinit), Wd.
inline network lstm_phoneme() {
  network net("PHONEME", layers::input{.nofm = 26, .sofm = 1});
  net.add("We", layers::fc{.nifm = 26, .nofm = 140}, {network::input_name});
  const lstm_outputs out = add_lstm_cell(net, "cell", 140, "We");
  net.add("Wd", layers::fc{.nifm = 140, .nofm = 61}, {out.hidden});
  return net;
}

}  // namespace bp::zoo
