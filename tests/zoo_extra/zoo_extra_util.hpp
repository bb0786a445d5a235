// tests/zoo_extra/zoo_extra_util.hpp -- sums and name lists over a network, for the zoo tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <bufferprospector/workload/network.hpp>

namespace zoo_test {

/// Total MACs/ops of all layers (Layer.total_ops, batch 1).
inline std::int64_t total_ops(const bp::network& net) {
  std::int64_t sum = 0;
  for (bp::layer_id id = 0; id < net.size(); ++id) sum += net[id].total_ops();
  return sum;
}

/// Trained weights: the filters of conv and fc layers. A matmul's second operand is an
/// activation, not a weight, and is left out.
inline std::int64_t total_weights(const bp::network& net) {
  std::int64_t sum = 0;
  for (bp::layer_id id = 0; id < net.size(); ++id)
    if (net[id].kind() != bp::layer_kind::matmul) sum += net[id].total_filter_size();
  return sum;
}

/// Names of `ids`, comma-separated; the network input prints as "-" (SET's lists do so).
inline std::string joined_names(const bp::network& net, const std::vector<bp::layer_id>& ids) {
  std::string out;
  for (auto id : ids) {
    if (!out.empty()) out += ",";
    out += id == bp::network::input ? std::string("-") : net.name_of(id);
  }
  return out.empty() ? "-" : out;
}

inline std::int64_t count_kind(const bp::network& net, bp::layer_kind kind) {
  std::int64_t n = 0;
  for (bp::layer_id id = 0; id < net.size(); ++id) n += net[id].kind() == kind ? 1 : 0;
  return n;
}

}  // namespace zoo_test
