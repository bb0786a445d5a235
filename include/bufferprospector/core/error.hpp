// bufferprospector/core/error.hpp -- the exception hierarchy for bad user input.
//
// Three channels (docs: style.md section 6): misuse of types fails to compile; bad input throws
// one of the types below, with a message naming the field and its value; an infeasible candidate
// during search is an outcome (eval_result), never an exception.
#pragma once

#include <stdexcept>  // std::invalid_argument
#include <string>     // std::string, std::to_string
#include <string_view>

#include <bufferprospector/core/format.hpp>  // bp::python_repr for double values

namespace bp {

/// Base of every exception the library throws for bad input.
class error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A hardware description (PE array, mesh, memory, cost table) with a bad value.
class invalid_spec : public error {
 public:
  using error::error;
};

/// A layer whose shape is impossible (zero sizes, mixed local regions, ...).
class invalid_layer : public error {
 public:
  using error::error;
};

/// A network that breaks Tangram's DAG rules (duplicate names, unknown prevs, mismatched fmaps).
class invalid_network : public error {
 public:
  using error::error;
};

/// An option value or option combination that the scheduler refuses.
class invalid_option : public error {
 public:
  using error::error;
};

/// A name (network, policy) that is not known.
class unknown_name : public error {
 public:
  using error::error;
};

/// The input admits no schedule at all (e.g. a buffer too small for every blocking).
class no_valid_schedule : public error {
 public:
  using error::error;
};

/// Tangram v2.1 would die on an internal assertion here (e.g. the Eyeriss mapping's "< 50%
/// utilization" check); thrown with Tangram's message only while options.tangram_quirks is on.
class tangram_assertion : public error {
 public:
  using error::error;
};

namespace detail {

// Deliberately not constexpr: reaching it while evaluating a constexpr constructor makes the
// constant expression ill-formed, so a bad constexpr spec fails to compile, and the same values
// at run time throw (the fmt report_error idiom).
[[noreturn]] inline void throw_invalid_spec(std::string_view field, long long value,
                                            std::string_view rule) {
  throw invalid_spec(std::string(field) + " = " + std::to_string(value) + ": " +
                     std::string(rule));
}

[[noreturn]] inline void throw_invalid_spec(std::string_view field, double value,
                                            std::string_view rule) {
  throw invalid_spec(std::string(field) + " = " + python_repr(value) + ": " + std::string(rule));
}

}  // namespace detail
}  // namespace bp
