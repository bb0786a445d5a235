// bufferprospector/workload/zoo/detail/name_list.hpp -- layer-name lists for the zoo builders.
//
// The builders name a layer's producers by name (network::add takes string_views). A branch or a
// concatenation is a list of names that outlives the add() calls, so the builders keep owning
// strings and hand views to add().
#pragma once

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

namespace bp::zoo::detail {

using name_list = std::vector<std::string>;

/// Views on `names` for network::add; valid while `names` lives.
inline std::vector<std::string_view> views(const name_list& names) {
  return {names.begin(), names.end()};
}

/// `names` followed by `last`: a concatenation with one more producer.
inline name_list with(name_list names, std::string last) {
  names.push_back(std::move(last));
  return names;
}

}  // namespace bp::zoo::detail
