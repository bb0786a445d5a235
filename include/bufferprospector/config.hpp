// bufferprospector/config.hpp -- version and the internal assertion macro; nothing else.
#pragma once

#define BP_VERSION_MAJOR 0
#define BP_VERSION_MINOR 1
#define BP_VERSION_PATCH 0
#define BP_VERSION_STRING "0.1.0"

// BP_ASSERT checks internal invariants (never user input: that throws bp::error).
// On by default in debug builds and in the test suite; define BP_ENABLE_ASSERT=1 to force it.
#if !defined(BP_ENABLE_ASSERT)
#if defined(NDEBUG)
#define BP_ENABLE_ASSERT 0
#else
#define BP_ENABLE_ASSERT 1
#endif
#endif

#if BP_ENABLE_ASSERT
#include <cstdio>   // std::fprintf for the failure message
#include <cstdlib>  // std::abort
#define BP_ASSERT(cond)                                                                      \
  ((cond) ? static_cast<void>(0)                                                             \
          : (std::fprintf(stderr, "%s:%d: bufferprospector internal assertion failed: %s\n", \
                          __FILE__, __LINE__, #cond),                                        \
             std::abort()))
#else
#define BP_ASSERT(cond) static_cast<void>(0)
#endif
