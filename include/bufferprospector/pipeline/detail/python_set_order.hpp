// bufferprospector/pipeline/detail/python_set_order.hpp -- the iteration order of a CPython set of
// int tuples.  IWYU pragma: private
//
// Tangram picks the critical forwarding path of a segment with `max(set_of_tuples, key=len)`:
// on equal lengths the first tuple in the *set's iteration order* wins, and that choice decides
// `fbofm_init` (pipeline_segment.py:754). CPython's order is deterministic for tuples of ints (no
// hash randomisation): it is the slot order of an open-addressing table (setobject.c: 8 slots to
// start, 9 linear probes then perturbed probing, resize to 4x used when 3/5 full) keyed by the
// xxHash-based tuple hash (tupleobject.c, CPython >= 3.8). This reproduces both for the few
// operations Tangram uses: add() and |=.
#pragma once

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <utility>  // std::move
#include <vector>   // std::vector

namespace bp::detail {

/// hash(tuple_of_non_negative_ints) of 64-bit CPython >= 3.8.
inline std::uint64_t python_tuple_hash(const std::vector<int>& items) noexcept {
  constexpr std::uint64_t prime1 = 11400714785074694791ULL;
  constexpr std::uint64_t prime2 = 14029467366897019727ULL;
  constexpr std::uint64_t prime5 = 2870177450012600261ULL;
  std::uint64_t acc = prime5;
  for (int v : items) {
    const auto lane = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));  // hash(int) = int
    acc += lane * prime2;
    acc = (acc << 31) | (acc >> 33);
    acc *= prime1;
  }
  acc += static_cast<std::uint64_t>(items.size()) ^ (prime5 ^ 3527539ULL);
  if (acc == ~std::uint64_t{0}) return 1546275796;
  return acc;
}

/// A set of int tuples that iterates like CPython's set (no removals needed).
class python_tuple_set {
 public:
  python_tuple_set() : table_(8) {}

  void add(const std::vector<int>& key) { add_entry(key, python_tuple_hash(key)); }

  /// `*this |= other` (set_merge: one big resize first, then ordinary insertions).
  void merge(const python_tuple_set& other) {
    if (other.used_ == 0) return;
    if ((fill_ + other.used_) * 5 >= mask() * 3) resize((used_ + other.used_) * 2);
    if (fill_ == 0) {
      for (const auto& e : other.table_)
        if (e.used) insert_clean(table_, mask(), e.key, e.hash);
      fill_ = used_ = other.used_;
      return;
    }
    for (const auto& e : other.table_)
      if (e.used) add_entry(e.key, e.hash);
  }

  /// Elements in CPython's iteration order.
  std::vector<std::vector<int>> ordered() const {
    std::vector<std::vector<int>> out;
    for (const auto& e : table_)
      if (e.used) out.push_back(e.key);
    return out;
  }

  std::size_t size() const noexcept { return used_; }

 private:
  struct entry {
    bool used = false;
    std::uint64_t hash = 0;
    std::vector<int> key;
  };
  static constexpr std::size_t linear_probes = 9;
  static constexpr int perturb_shift = 5;

  std::size_t mask() const noexcept { return table_.size() - 1; }

  void add_entry(const std::vector<int>& key, std::uint64_t hash) {
    std::size_t i = hash & mask();
    std::uint64_t perturb = hash;
    while (true) {
      const std::size_t probes = i + linear_probes <= mask() ? linear_probes : 0;
      for (std::size_t j = 0; j <= probes; ++j) {
        entry& e = table_[i + j];
        if (!e.used) {
          e = entry{true, hash, key};
          ++fill_;
          ++used_;
          if (fill_ * 5 >= mask() * 3) resize(used_ > 50000 ? used_ * 2 : used_ * 4);
          return;
        }
        if (e.hash == hash && e.key == key) return;
      }
      perturb >>= perturb_shift;
      i = (i * 5 + 1 + perturb) & mask();
    }
  }

  static void insert_clean(std::vector<entry>& table, std::size_t mask, const std::vector<int>& key,
                           std::uint64_t hash) {
    std::size_t i = hash & mask;
    std::uint64_t perturb = hash;
    while (true) {
      if (!table[i].used) {
        table[i] = entry{true, hash, key};
        return;
      }
      if (i + linear_probes <= mask)
        for (std::size_t j = 1; j <= linear_probes; ++j)
          if (!table[i + j].used) {
            table[i + j] = entry{true, hash, key};
            return;
          }
      perturb >>= perturb_shift;
      i = (i * 5 + 1 + perturb) & mask;
    }
  }

  void resize(std::size_t min_used) {
    std::size_t size = 8;
    while (size <= min_used) size <<= 1;
    std::vector<entry> fresh(size);
    for (const auto& e : table_)
      if (e.used) insert_clean(fresh, size - 1, e.key, e.hash);
    table_ = std::move(fresh);
    fill_ = used_;
  }

  std::vector<entry> table_;
  std::size_t fill_ = 0;
  std::size_t used_ = 0;
};

}  // namespace bp::detail
