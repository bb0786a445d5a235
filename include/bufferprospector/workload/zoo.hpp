// bufferprospector/workload/zoo.hpp -- networks looked up by name at run time.
//
//   bp::network net = bp::zoo::make("resnet50");
//   for (auto name : bp::zoo::names()) ...
//
// Tangram's 13 networks (nn_dataflow/nns, identical layer names and shapes) and the networks the
// buffer-prospector experiments add (Inception-ResNet-v1, DenseNet-121, transformers).
#pragma once

#include <algorithm>    // std::sort
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>            // bp::unknown_name
#include <bufferprospector/workload/network.hpp>      // bp::network
#include <bufferprospector/workload/zoo/entry.hpp>    // bp::zoo::entry
#include <bufferprospector/workload/zoo/extra.hpp>    // bp::zoo::extra_entries
#include <bufferprospector/workload/zoo/tangram.hpp>  // bp::zoo::tangram_entries

namespace bp::zoo {

/// Every registered network, Tangram's first (alphabetical, as nns.all_networks()), then ours.
inline std::vector<entry> all_entries() {
  std::vector<entry> out = tangram_entries();
  const std::vector<entry> extra = extra_entries();
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

/// Names of all networks.
inline std::vector<std::string_view> names() {
  std::vector<std::string_view> out;
  for (const auto& e : all_entries()) out.push_back(e.name);
  return out;
}

/// Builds a network by name; throws bp::unknown_name listing the choices.
inline network make(std::string_view name) {
  for (const auto& e : all_entries())
    if (e.name == name) return e.build();
  std::string choices;
  for (auto n : names()) choices += (choices.empty() ? "" : ", ") + std::string(n);
  throw unknown_name("unknown network '" + std::string(name) + "'; choices: " + choices);
}

}  // namespace bp::zoo
