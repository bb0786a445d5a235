// bufferprospector/arch/cost_table.hpp -- the energy cost table, a policy type.
//
// A cost table prices one MAC, one word access at each memory level, one word moved one NoC
// hop, and one cycle of the whole chip idling (Tangram's Cost: mac_op, mem_hier, noc_hop,
// idl_unit). Units are Tangram's abstract cost units; any model of bp::cost_table works.
//
// Required members (the concept):
//   double mac_op() const;                  cost of one MAC
//   double mem_hier(bp::mem_level) const;   cost of one word access at a level
//   double noc_hop() const;                 cost of one word over one hop
//   double idle_unit() const;               static cost of the chip per cycle
//
// Models: tangram_costs (Tangram's defaults, all static: an empty type) and cost_values
// (run-time values, validated).
#pragma once

#include <cmath>     // std::isfinite
#include <concepts>  // std::convertible_to

#include <bufferprospector/core/enums.hpp>  // bp::mem_level, bp::per_level
#include <bufferprospector/core/error.hpp>  // bp::detail::throw_invalid_spec

namespace bp {

template <class C>
concept cost_table = requires(const C& c, mem_level level) {
  { c.mac_op() } -> std::convertible_to<double>;
  { c.mem_hier(level) } -> std::convertible_to<double>;
  { c.noc_hop() } -> std::convertible_to<double>;
  { c.idle_unit() } -> std::convertible_to<double>;
};

/// Tangram's defaults: MAC 1, DRAM 200, GBUF 6, ITCN 2, REGF 1, NoC hop 10, idle 0.
struct tangram_costs {
  static constexpr double mac_op() noexcept { return 1; }
  static constexpr double mem_hier(mem_level level) noexcept {
    constexpr double c[] = {200, 6, 2, 1};
    return c[static_cast<int>(level)];
  }
  static constexpr double noc_hop() noexcept { return 10; }
  static constexpr double idle_unit() noexcept { return 0; }
  friend constexpr bool operator==(tangram_costs, tangram_costs) noexcept { return true; }
};

/// Costs chosen at run time. Every value must be finite and >= 0.
struct cost_params {
  double mac_op = 1;
  per_level<double> mem_hier{{200, 6, 2, 1}};
  double noc_hop = 10;
  double idle_unit = 0;
};

class cost_values {
 public:
  constexpr cost_values() = default;
  constexpr explicit cost_values(const cost_params& p) : p_(p) {
    check("cost.mac_op", p_.mac_op);
    check("cost.mem_hier[DRAM]", p_.mem_hier[mem_level::dram]);
    check("cost.mem_hier[GBUF]", p_.mem_hier[mem_level::gbuf]);
    check("cost.mem_hier[ITCN]", p_.mem_hier[mem_level::itcn]);
    check("cost.mem_hier[REGF]", p_.mem_hier[mem_level::regf]);
    check("cost.noc_hop", p_.noc_hop);
    check("cost.idle_unit", p_.idle_unit);
  }
  /// Any cost table, read into values.
  template <cost_table C>
    requires(!std::same_as<C, cost_values>)
  constexpr cost_values(const C& c)  // NOLINT: implicit by design (static -> dynamic)
      : cost_values(cost_params{c.mac_op(),
                                {{c.mem_hier(mem_level::dram), c.mem_hier(mem_level::gbuf),
                                  c.mem_hier(mem_level::itcn), c.mem_hier(mem_level::regf)}},
                                c.noc_hop(),
                                c.idle_unit()}) {}

  constexpr double mac_op() const noexcept { return p_.mac_op; }
  constexpr double mem_hier(mem_level level) const noexcept { return p_.mem_hier[level]; }
  constexpr double noc_hop() const noexcept { return p_.noc_hop; }
  constexpr double idle_unit() const noexcept { return p_.idle_unit; }
  constexpr const cost_params& params() const noexcept { return p_; }

  friend constexpr bool operator==(const cost_values& a, const cost_values& b) noexcept {
    return a.p_.mac_op == b.p_.mac_op && a.p_.mem_hier == b.p_.mem_hier &&
           a.p_.noc_hop == b.p_.noc_hop && a.p_.idle_unit == b.p_.idle_unit;
  }

 private:
  static constexpr void check(std::string_view field, double v) {
    if (!(v >= 0) || v == inf_value()) detail::throw_invalid_spec(field, v, "must be finite and >= 0");
  }
  static constexpr double inf_value() noexcept { return __builtin_huge_val(); }
  cost_params p_{};
};

static_assert(cost_table<tangram_costs>);
static_assert(cost_table<cost_values>);

}  // namespace bp
