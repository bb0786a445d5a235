// bufferprospector/pipeline/detail/constraint_expr.hpp -- the few symbolic expressions Tangram
// builds with SymPy for segment constraints, without SymPy.  IWYU pragma: private
//
// PipelineSegment._init_sym_cstrs (pipeline_segment.py:532-835) assigns each layer constraint
// arguments that are integers, symbols (one per top-level blocking factor to explore), the one
// boolean symbol `fbofm_init`, equalities `Eq(e, True/False)` of booleans, and
// `Piecewise((a, cond), (b, True))` of integers. It then simplifies them repeatedly, counting in
// how many arguments each symbol occurs (an occurrence count of <= 1 drops the symbol), so the
// *structure* of unevaluated expressions matters, not only their value. This file keeps exactly
// that structure:
//   - sym_bool: a constant, or Eq(...Eq(x, c1)..., cn) of x = fbofm_init (n = 0 is x itself);
//     SymPy keeps such chains unevaluated and evaluates them once x is known;
//   - expr_pool: hash-consed integer expressions (constant, symbol, piecewise), so structural
//     equality is index equality; `piecewise` applies SymPy's Piecewise.eval rules that can fire
//     here (a constant condition selects a branch, equal branches collapse, a nested piecewise
//     in the first branch with the same condition collapses to its first branch).
#pragma once

#include <algorithm>  // std::find
#include <cstdint>    // std::int64_t, std::uint64_t
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>  // BP_ASSERT

namespace bp::detail {

/// A boolean constraint argument: a constant or an Eq chain over fbofm_init.
struct sym_bool {
  bool is_const = true;
  bool value = false;        // when is_const
  std::uint64_t chain = 0;   // bit i: the constant of the (i+1)-th Eq
  std::uint8_t depth = 0;    // number of Eq wrappers; 0 = fbofm_init itself

  static constexpr sym_bool constant(bool v) noexcept { return {true, v, 0, 0}; }
  static constexpr sym_bool symbol() noexcept { return {false, false, 0, 0}; }

  /// Eq(*this, c), evaluated when *this is constant.
  constexpr sym_bool eq(bool c) const noexcept {
    if (is_const) return constant(value == c);
    BP_ASSERT(depth < 63);
    sym_bool r = *this;
    if (c) r.chain |= std::uint64_t{1} << depth;
    ++r.depth;
    return r;
  }

  /// The value once fbofm_init = x.
  constexpr bool eval(bool x) const noexcept {
    if (is_const) return value;
    bool r = x;
    for (std::uint8_t i = 0; i < depth; ++i) r = (r == (((chain >> i) & 1U) != 0));
    return r;
  }

  constexpr sym_bool subs(bool x) const noexcept { return is_const ? *this : constant(eval(x)); }

  friend constexpr bool operator==(const sym_bool&, const sym_bool&) = default;
};

/// Integer expressions, hash-consed: equal structure <=> equal index.
class expr_pool {
 public:
  using expr = int;
  enum class kind : std::uint8_t { constant, symbol, piecewise };

  struct node {
    kind k = kind::constant;
    std::int64_t value = 0;  // constant value or symbol id
    expr first = -1;         // piecewise: value when cond holds
    sym_bool cond;
    expr other = -1;         // piecewise: value otherwise
    friend bool operator==(const node&, const node&) = default;
  };

  expr constant(std::int64_t v) { return intern({kind::constant, v, -1, {}, -1}); }
  expr symbol(int s) { return intern({kind::symbol, s, -1, {}, -1}); }

  /// Piecewise((first, cond), (other, True)) with SymPy's evaluation.
  expr piecewise(expr first, sym_bool cond, expr other) {
    if (cond.is_const) return cond.value ? first : other;
    const node& f = nodes_[static_cast<std::size_t>(first)];
    if (f.k == kind::piecewise && f.cond == cond) first = f.first;
    if (first == other) return first;
    return intern({kind::piecewise, 0, first, cond, other});
  }

  const node& at(expr e) const { return nodes_[static_cast<std::size_t>(e)]; }

  /// Symbol ids occurring in `e`, plus `bool_symbol` when an unevaluated condition remains.
  void free_symbols(expr e, int bool_symbol, std::vector<int>& out) const {
    const node& n = at(e);
    switch (n.k) {
      case kind::constant: return;
      case kind::symbol: add_unique(out, static_cast<int>(n.value)); return;
      case kind::piecewise:
        free_symbols(n.first, bool_symbol, out);
        add_unique(out, bool_symbol);  // a piecewise always keeps an unevaluated condition
        free_symbols(n.other, bool_symbol, out);
        return;
    }
  }

  /// Substitutes symbols by constants (`value_of(s)` returns false to keep s) and the boolean
  /// symbol by `bool_value` when `has_bool`.
  template <class ValueOf>
  expr subs(expr e, ValueOf&& value_of, bool has_bool, bool bool_value) {
    const node n = at(e);
    switch (n.k) {
      case kind::constant: return e;
      case kind::symbol: {
        std::int64_t v = 0;
        return value_of(static_cast<int>(n.value), v) ? constant(v) : e;
      }
      case kind::piecewise: {
        const sym_bool c = has_bool ? n.cond.subs(bool_value) : n.cond;
        const expr a = subs(n.first, value_of, has_bool, bool_value);
        const expr b = subs(n.other, value_of, has_bool, bool_value);
        return piecewise(a, c, b);
      }
    }
    return e;
  }

  static void add_unique(std::vector<int>& v, int x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  }

 private:
  expr intern(const node& n) {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i] == n) return static_cast<expr>(i);
    nodes_.push_back(n);
    return static_cast<expr>(nodes_.size() - 1);
  }

  std::vector<node> nodes_;
};

}  // namespace bp::detail
