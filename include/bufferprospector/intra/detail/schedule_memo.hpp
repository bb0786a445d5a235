// bufferprospector/intra/detail/schedule_memo.hpp -- the memo tables of the per-layer scheduler
// (IWYU pragma: private, include intra/layer_scheduler.hpp).
//
// Tangram memoises Scheduling.schedule_search and schedule_search_per_node with
// functools.lru_cache(maxsize=1024) (its fastcache.clru_cache). With tangram_quirks on, results
// depend on the order of Tangram's calls (its NoC-hop memos can answer with another partition's
// count, intra/tangram_nhops_memo.hpp), and a schedule_search hit skips those calls; so the
// schedule memo must hit exactly when Tangram's does: same key equality, same LRU eviction.
// This header provides the keys with Tangram's equality and an LRU table with functools'
// semantics.
#pragma once

#include <array>          // std::array
#include <bit>            // std::bit_cast
#include <cstddef>        // std::size_t
#include <cstdint>        // std::int64_t
#include <functional>     // std::hash
#include <iterator>       // std::prev
#include <list>           // std::list
#include <mutex>          // std::mutex, std::lock_guard
#include <tuple>          // std::tie
#include <unordered_map>  // std::unordered_multimap
#include <utility>        // std::move, std::index_sequence
#include <vector>         // std::vector

#include <bufferprospector/arch/cost_table.hpp>              // bp::cost_values
#include <bufferprospector/arch/node_region.hpp>             // bp::node_region
#include <bufferprospector/arch/resource.hpp>                // bp::resource
#include <bufferprospector/core/phy_dim2.hpp>                // bp::phy_dim2
#include <bufferprospector/intra/partition_scheme.hpp>       // bp::partition_scheme
#include <bufferprospector/intra/scheduling_constraint.hpp>  // bp::scheduling_constraint
#include <bufferprospector/options.hpp>                      // bp::options
#include <bufferprospector/workload/layer.hpp>               // bp::layer

namespace bp::detail::sched_memo {

//
// Hashing
//

inline void hash_mix(std::size_t& seed, std::size_t v) noexcept {
  seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}
template <class T>
void hash_add(std::size_t& seed, const T& v) noexcept {
  hash_mix(seed, std::hash<T>{}(v));
}
/// Doubles by their bits (std::hash<double> goes through a byte-wise hash); 0.0 and -0.0,
/// which compare equal, hash equal.
inline void hash_add(std::size_t& seed, double v) noexcept {
  hash_mix(seed, static_cast<std::size_t>(std::bit_cast<std::uint64_t>(v == 0.0 ? 0.0 : v)));
}
inline void hash_add(std::size_t& seed, phy_dim2 d) noexcept {
  hash_add(seed, d.h);
  hash_add(seed, d.w);
}
inline void hash_add(std::size_t& seed, const node_region& r) noexcept {
  hash_add(seed, r.dim());
  hash_add(seed, r.origin());
  hash_add(seed, r.dist());
  hash_add(seed, static_cast<int>(r.type()));
  hash_add(seed, r.wtot());
  hash_add(seed, r.wbeg());
}
inline void hash_add(std::size_t& seed, const resource& r) noexcept {
  hash_add(seed, r.proc_region);
  hash_add(seed, r.dram_region);
  hash_add(seed, r.src_data_region);
  hash_add(seed, r.dst_data_region);
  hash_add(seed, r.dim_array);
  hash_add(seed, r.size_gbuf);
  hash_add(seed, r.size_regf);
  hash_add(seed, r.array_bus_width);
  hash_add(seed, r.dram_bandwidth);
  hash_add(seed, r.no_time_mux);
}
inline void hash_add(std::size_t& seed, const partition_scheme& p) noexcept {
  for (auto o : p.order()) hash_add(seed, static_cast<int>(o));
  for (const auto& d : p.pdims()) hash_add(seed, d);
}
inline void hash_add(std::size_t& seed, const cost_values& c) noexcept {
  hash_add(seed, c.mac_op());
  for (auto m : all<mem_level>) hash_add(seed, c.mem_hier(m));
  hash_add(seed, c.noc_hop());
  hash_add(seed, c.idle_unit());
}

//
// Tangram's equality of the key parts
//

/// Layers compare by shape within a family, as Tangram's Layer (content equality, and an
/// FCLayer is a ConvLayer, a PoolingLayer a LocalRegionLayer): a 1x1-output conv and the FC
/// layer of the same shape share a Scheduling, and a cache entry.
inline auto layer_shape(const layer& l) noexcept {
  return std::array<std::int64_t, 12>{l.is_conv_like() ? 1 : 0, l.nifm(), l.nofm(), l.hofm(), l.wofm(), l.htrd(),
                                      l.wtrd(), l.hfil(), l.wfil(), l.nreg(), l.ntrd(), l.groups()};
}
inline bool same_layer(const layer& a, const layer& b) noexcept { return layer_shape(a) == layer_shape(b); }
inline void hash_add_layer(std::size_t& seed, const layer& l) noexcept {
  for (std::int64_t v : layer_shape(l)) hash_add(seed, v);
}

/// Constraints compare by what Tangram stores: the top factors and the pipeline flag (the fully
/// buffered flags only set topifm/topofm = 1 there, and the per-layer search never reads them).
inline auto constraint_fields(const scheduling_constraint& c) noexcept {
  return std::tie(c.topbat, c.topifm, c.topofm, c.layer_pipeline);
}
inline bool same_constraint(const scheduling_constraint& a, const scheduling_constraint& b) noexcept {
  return constraint_fields(a) == constraint_fields(b);
}
inline void hash_add(std::size_t& seed, const scheduling_constraint& c) noexcept {
  hash_add(seed, c.topbat);
  hash_add(seed, c.topifm);
  hash_add(seed, c.topofm);
  hash_add(seed, c.layer_pipeline);
}

/// Counts the members of an aggregate (the largest N with T{x1, ..., xN} well-formed).
struct any_member {
  template <class T>
  operator T() const;  // NOLINT: only used in unevaluated contexts
};
template <class T, std::size_t... I>
constexpr bool brace_constructible(std::index_sequence<I...>) {
  return requires { T{(static_cast<void>(I), any_member{})...}; };
}
template <class T, std::size_t N = 0>
constexpr std::size_t member_count() {
  if constexpr (brace_constructible<T>(std::make_index_sequence<N + 1>{})) return member_count<T, N + 1>();
  else return N;
}

/// Every field of bp::options, for comparing and hashing memo keys -- except `prospector`: the
/// buffer prospector never changes a per-layer schedule (as Tangram's Option has no such field).
inline auto options_fields(const options& o) noexcept {
  static_assert(member_count<options>() == 18,
                "bp::options gained or lost a field: update detail::options_fields and hash_add(options) in "
                "intra/detail/schedule_memo.hpp so that the schedule memo keys on it");
  return std::tie(o.sw_gbuf_bypass, o.sw_solve_loopblocking, o.hw_access_forwarding, o.hw_gbuf_sharing,
                  o.hw_gbuf_save_writeback, o.partition_hybrid, o.partition_batch, o.partition_ifmaps,
                  o.partition_interlayer, o.layer_pipeline_time_ovhd, o.layer_pipeline_max_degree,
                  o.layer_pipeline_opt, o.goal, o.ntops, o.nprocesses, o.verbose, o.tangram_quirks);
}
inline bool same_options(const options& a, const options& b) noexcept {
  return options_fields(a) == options_fields(b);
}
inline void hash_add(std::size_t& seed, const options& o) noexcept {
  for (bool b : o.sw_gbuf_bypass) hash_add(seed, b);
  hash_add(seed, o.sw_solve_loopblocking);
  hash_add(seed, o.hw_access_forwarding);
  hash_add(seed, o.hw_gbuf_sharing);
  hash_add(seed, o.hw_gbuf_save_writeback);
  hash_add(seed, o.partition_hybrid);
  hash_add(seed, o.partition_batch);
  hash_add(seed, o.partition_ifmaps);
  hash_add(seed, o.partition_interlayer);
  hash_add(seed, o.layer_pipeline_time_ovhd);
  hash_add(seed, o.layer_pipeline_max_degree);
  hash_add(seed, o.layer_pipeline_opt);
  hash_add(seed, static_cast<int>(o.goal));
  hash_add(seed, o.ntops);
  hash_add(seed, o.nprocesses);
  hash_add(seed, o.verbose);
  hash_add(seed, o.tangram_quirks);
}

//
// An LRU table with functools.lru_cache's behaviour
//

/// A bounded, thread-safe memo: a hit makes the entry the most recent; inserting into a full
/// table first drops the least recently used entry; capacity 0 stores nothing. `Key` provides
/// hash() and ==. Lookups copy the value out.
template <class Key, class Value>
class lru_table {
 public:
  explicit lru_table(std::size_t capacity) : capacity_(capacity) {}

  bool find(const Key& key, std::size_t hash, Value& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = locate(key, hash); it != entries_.end()) {
      entries_.splice(entries_.end(), entries_, it);  // most recently used last
      out = it->value;
      ++hits_;
      return true;
    }
    ++misses_;
    return false;
  }

  /// If `key` is present, calls fn(const Value&) (under the lock) and returns true; changes no
  /// LRU order or counts (a look ahead, for deciding what to compute in advance).
  template <class Fn>
  bool peek(const Key& key, std::size_t hash, Fn&& fn) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, end] = index_.equal_range(hash);
    for (; it != end; ++it)
      if (it->second->key == key) {
        fn(static_cast<const Value&>(it->second->value));
        return true;
      }
    return false;
  }

  /// Adds an entry (no change when the key is present, e.g. added by another thread meanwhile).
  void insert(Key key, std::size_t hash, Value value) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (capacity_ == 0 || locate(key, hash) != entries_.end()) return;
    if (entries_.size() >= capacity_) {
      erase_index(entries_.begin());
      entries_.pop_front();
    }
    entries_.push_back({std::move(key), hash, std::move(value)});
    index_.emplace(hash, std::prev(entries_.end()));
  }

  std::int64_t hits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hits_;
  }
  std::int64_t misses() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return misses_;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
    index_.clear();
    hits_ = misses_ = 0;
  }

 private:
  struct entry {
    Key key;
    std::size_t hash;
    Value value;
  };
  using entry_list = std::list<entry>;

  typename entry_list::iterator locate(const Key& key, std::size_t hash) {
    auto [it, end] = index_.equal_range(hash);
    for (; it != end; ++it)
      if (it->second->key == key) return it->second;
    return entries_.end();
  }
  void erase_index(typename entry_list::iterator e) {
    auto [it, end] = index_.equal_range(e->hash);
    for (; it != end; ++it)
      if (it->second == e) {
        index_.erase(it);
        return;
      }
  }

  mutable std::mutex mutex_;
  std::size_t capacity_;
  entry_list entries_;  // least recently used first
  std::unordered_multimap<std::size_t, typename entry_list::iterator> index_;
  std::int64_t hits_ = 0;
  std::int64_t misses_ = 0;
};

}  // namespace bp::detail::sched_memo
