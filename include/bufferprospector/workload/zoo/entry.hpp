// bufferprospector/workload/zoo/entry.hpp -- one named network of the zoo.
#pragma once

#include <string_view>  // std::string_view

#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp::zoo {

struct entry {
  std::string_view name;   ///< the name used on the command line and in results
  network (*build)();      ///< builds a fresh network
};

}  // namespace bp::zoo
