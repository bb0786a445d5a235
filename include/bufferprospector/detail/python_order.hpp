// bufferprospector/detail/python_order.hpp -- CPython iteration/sort orders that Tangram's results
// depend on. IWYU pragma: private (used by intra/loop_blocking*.hpp).
//
// Tangram breaks ties by generation order, and in two places that order comes from CPython
// internals rather than from the model:
// - LoopBlockingScheme._set_bufshr sweeps buffer-sharing subgroup candidates in the iteration
//   order of a Python `set` of int tuples (hash-table slot order);
// - with goal d, heapq.nsmallest orders a chunk's first n schemes with keys that contain NaN, so
//   the result is whatever _heapq's max-heapify and list.sort do with an inconsistent "<".
// Both are emulated here as CPython 3.8 - 3.12 behave (checked against 3.8, 3.11 and 3.12; the
// reference goldens use 3.11). CPython 3.13 rewrote list.sort's run detection and orders chunks
// that mix valid and invalid schemes differently (goal d, ntops > 1 only); the set order is
// unchanged.
#pragma once

#include <array>    // std::array
#include <cstddef>  // std::size_t
#include <cstdint>  // std::int64_t, std::uint64_t
#include <utility>  // std::swap

#include <bufferprospector/config.hpp>  // BP_ASSERT

namespace bp::detail {

/// hash() of a tuple of small non-negative Python ints (tuplehash, xxHash-based, 64-bit build).
template <std::size_t N>
constexpr std::uint64_t py_tuple_hash(const std::array<std::int64_t, N>& items) noexcept {
  constexpr std::uint64_t prime1 = 11400714785074694791ULL;
  constexpr std::uint64_t prime2 = 14029467366897019727ULL;
  constexpr std::uint64_t prime5 = 2870177450012600261ULL;
  std::uint64_t acc = prime5;
  for (std::int64_t v : items) {
    BP_ASSERT(v >= 0);  // hash(int) == int for small non-negative ints
    acc += static_cast<std::uint64_t>(v) * prime2;
    acc = (acc << 31) | (acc >> 33);
    acc *= prime1;
  }
  acc += static_cast<std::uint64_t>(N) ^ (prime5 ^ 3527539ULL);
  if (acc == static_cast<std::uint64_t>(-1)) return 1546275796;
  return acc;
}

/// The distinct elements of `items[0..count)` in the iteration order of `set(items)`
/// (setobject.c: open addressing, 9 linear probes then perturbed probing, resize to
/// 4 x used when 5 x fill >= 3 x mask). Returns the number of distinct elements, written to
/// the front of `out`. Capacity: up to 32 elements.
template <std::size_t N, std::size_t M>
std::size_t py_set_order(const std::array<std::array<std::int64_t, N>, M>& items, std::size_t count,
                         std::array<std::array<std::int64_t, N>, M>& out) {
  static_assert(M <= 32, "py_set_order: table emulation sized for small sets");
  constexpr std::size_t linear_probes = 9;
  constexpr unsigned perturb_shift = 5;
  struct slot {
    bool used = false;
    std::uint64_t hash = 0;
    std::size_t item = 0;
  };
  std::array<slot, 256> table{};
  std::size_t mask = 7;  // PySet_MINSIZE - 1
  std::size_t fill = 0;

  // Insert into a table known not to contain the item (set_insert_clean).
  const auto insert_clean = [&](std::array<slot, 256>& t, std::size_t m, std::uint64_t hash, std::size_t item) {
    std::uint64_t perturb = hash;
    std::size_t i = static_cast<std::size_t>(hash) & m;
    while (true) {
      if (!t[i].used) break;
      bool found = false;
      if (i + linear_probes <= m) {
        for (std::size_t j = 1; j <= linear_probes; ++j)
          if (!t[i + j].used) {
            i += j;
            found = true;
            break;
          }
      }
      if (found) break;
      perturb >>= perturb_shift;
      i = static_cast<std::size_t>((i * 5 + 1 + perturb) & m);
    }
    t[i] = {true, hash, item};
  };

  for (std::size_t k = 0; k < count; ++k) {
    const std::uint64_t hash = py_tuple_hash(items[k]);
    std::uint64_t perturb = hash;
    std::size_t i = static_cast<std::size_t>(hash) & mask;
    bool present = false;
    std::size_t free_slot = 0;
    bool have_free = false;
    while (!present && !have_free) {
      const std::size_t probes = i + linear_probes <= mask ? linear_probes : 0;
      for (std::size_t j = 0; j <= probes; ++j) {
        const slot& s = table[i + j];
        if (!s.used) {
          free_slot = i + j;
          have_free = true;
          break;
        }
        if (s.hash == hash && items[s.item] == items[k]) {
          present = true;
          break;
        }
      }
      if (present || have_free) break;
      perturb >>= perturb_shift;
      i = static_cast<std::size_t>((i * 5 + 1 + perturb) & mask);
    }
    if (present) continue;
    table[free_slot] = {true, hash, k};
    ++fill;
    if (fill * 5 >= mask * 3) {
      // set_table_resize(used * 4): smallest power of two > 4 * used (no deletions: used == fill).
      std::size_t new_size = 8;
      while (new_size <= fill * 4) new_size <<= 1;
      BP_ASSERT(new_size <= table.size());
      std::array<slot, 256> fresh{};
      for (std::size_t s = 0; s <= mask; ++s)
        if (table[s].used) insert_clean(fresh, new_size - 1, table[s].hash, table[s].item);
      table = fresh;
      mask = new_size - 1;
    }
  }

  std::size_t n = 0;
  for (std::size_t s = 0; s <= mask; ++s)
    if (table[s].used) out[n++] = items[table[s].item];
  return n;
}

/// The order heapq.nsmallest(n, ...) returns its first n elements in, when no later element
/// can replace them: _heapq's max-heapify followed by list.sort (count_run + binary insertion;
/// exact for n < 64, where timsort does nothing else). `less(a, b)` is Python's "<" on the
/// decorated entries (key, index) of original positions a and b. Writes the original positions
/// in result order to `order[0..n)`.
template <std::size_t Cap, class Less>
void py_heapify_then_sort(std::size_t n, Less&& less, std::array<std::size_t, Cap>& order) {
  BP_ASSERT(n <= Cap);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  const auto lt = [&](std::size_t a, std::size_t b) { return less(order[a], order[b]); };

  // _heapq._heapify_max: siftup_max from n/2 - 1 down to 0.
  const auto siftdown_max = [&](std::size_t startpos, std::size_t pos) {
    while (pos > startpos) {
      const std::size_t parent = (pos - 1) >> 1;
      if (!lt(parent, pos)) break;
      std::swap(order[parent], order[pos]);
      pos = parent;
    }
  };
  const auto siftup_max = [&](std::size_t pos) {
    const std::size_t startpos = pos;
    const std::size_t limit = n >> 1;
    while (pos < limit) {
      std::size_t child = 2 * pos + 1;
      if (child + 1 < n && !lt(child + 1, child)) ++child;  // the right child unless it is "<"
      std::swap(order[child], order[pos]);
      pos = child;
    }
    siftdown_max(startpos, pos);
  };
  for (std::size_t i = n >> 1; i-- > 0;) siftup_max(i);

  // list.sort: the first natural run (strictly descending runs are reversed), then binary
  // insertion of the rest.
  if (n < 2) return;
  std::size_t run = 2;
  if (lt(1, 0)) {
    while (run < n && lt(run, run - 1)) ++run;
    for (std::size_t a = 0, b = run - 1; a < b; ++a, --b) std::swap(order[a], order[b]);
  } else {
    while (run < n && !lt(run, run - 1)) ++run;
  }
  for (std::size_t start = run; start < n; ++start) {
    const std::size_t pivot = order[start];
    std::size_t l = 0, r = start;
    while (l < r) {
      const std::size_t p = l + ((r - l) >> 1);
      if (less(pivot, order[p]))
        r = p;
      else
        l = p + 1;
    }
    for (std::size_t p = start; p > l; --p) order[p] = order[p - 1];
    order[l] = pivot;
  }
}

}  // namespace bp::detail
