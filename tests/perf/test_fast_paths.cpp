// tests/perf/test_fast_paths.cpp -- each shortcut taken for speed equals, bit for bit, the
// straightforward computation it replaces (which Tangram's own code mirrors):
// - partition_scheme::part_neighbor_dist (closed form) vs part_neighbor_dist_by_nodes (every
//   node and its neighbor, as PartitionScheme.part_neighbor_dist), over every partitioning
//   for_each_partition yields for several layers and regions, including folded regions cut by
//   node_region::allocate and spaced regions;
// - divisor_list vs divisors (ascending order, values with more divisors than fit inline);
// - buf_shr_scheme without its rotation tables vs with them (the hop counts of every subgroup
//   size and rotation-unit count);
// - detail::parallel_for: every index exactly once, nested loops run inline, exceptions reach
//   the caller, concurrent callers.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <bufferprospector/core/math.hpp>
#include <bufferprospector/detail/task_pool.hpp>
#include <bufferprospector/intra/buf_shr_scheme.hpp>
#include <bufferprospector/intra/partition.hpp>
#include <bufferprospector/intra/partition_scheme.hpp>
#include <bufferprospector/workload/data_loops.hpp>
#include <bufferprospector/workload/layer.hpp>

namespace {

using bp::parallel_dim;
using bp::phy_dim2;

/// Bitwise equal doubles (inf == inf; no NaN occurs).
bool same(double a, double b) { return a == b; }

/// Regions to place partitionings in: plain, spaced, and the folded stripes of allocate().
std::vector<bp::node_region> regions_of(phy_dim2 dim) {
  std::vector<bp::node_region> out{bp::node_region(dim, {0, 0}, bp::region_type::proc),
                                   bp::node_region(dim, {1, 2}, bp::region_type::proc, {2, 3})};
  // A mesh of two bands of dim.h rows, cut into stripes of dim.h rows: a 1-column stripe, then
  // two of dim.w columns; the last runs out of columns and folds back into the second band.
  const bp::node_region mesh({2 * dim.h, dim.w + 1 + dim.w / 2}, {0, 0}, bp::region_type::proc);
  for (const auto& r : mesh.allocate({dim.h, dim.size(), dim.size()}))
    if (r.dim() == dim) out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("part_neighbor_dist equals the node-by-node average", "[perf]") {
  bp::options opt;
  opt.partition_hybrid = true;
  opt.partition_batch = true;
  opt.partition_ifmaps = true;
  const std::vector<bp::layer> layers{
      bp::layers::conv{.nifm = 64, .nofm = 128, .sofm = 28, .sfil = 3},
      bp::layers::fc{.nifm = 512, .nofm = 1000},
      bp::layers::pooling{.nofm = 64, .sofm = 56, .sreg = 2},
  };
  int n_parts = 0, n_folded = 0;
  for (const phy_dim2 dim : {phy_dim2{2, 2}, phy_dim2{4, 4}, phy_dim2{2, 6}, phy_dim2{8, 8}, phy_dim2{16, 16}}) {
    for (const bp::node_region& region : regions_of(dim)) {
      const bool folded = region.wbeg() < region.dim().w;  // turns before its last column
      for (const bp::layer& l : layers) {
        bp::for_each_partition(l, 16, dim, opt, true, [&](const bp::partition_scheme& part) {
          ++n_parts;
          n_folded += folded ? 1 : 0;
          for (auto pae : bp::all<parallel_dim>) {
            const bp::real_dim2 fast = part.part_neighbor_dist(region, pae);
            const bp::real_dim2 slow = part.part_neighbor_dist_by_nodes(region, pae);
            INFO("dim " << dim.h << "x" << dim.w << " wbeg " << region.wbeg() << " pae " << static_cast<int>(pae));
            CHECK(same(fast.h, slow.h));
            CHECK(same(fast.w, slow.w));
          }
        });
      }
    }
  }
  CHECK(n_parts > 1000);
  CHECK(n_folded > 100);  // folded regions were really exercised
}

TEST_CASE("part_neighbor_dist: hand-worked folded region", "[perf]") {
  // 1x4 nodes folded after 3 columns of a 3-wide mesh: relative w 0, 1, 2 lie on row 0 at
  // w 0, 1, 2; w 3 turns into row 1 at w 2. OUTP 1x4: neighbors (0,1), (1,2), (2,3) are 1, 1
  // and 1 hop apart; the average is 1. OFMP 1x2 above OUTP 1x2: OFMP neighbors are 2 columns
  // apart: (0,2) = 2 hops, (1,3) = |0-1| + |1-2| = 2 hops.
  const bp::node_region region({1, 4}, {0, 0}, {1, 1}, bp::region_type::proc, 3, 3);
  const bp::partition_scheme outp({parallel_dim::outp, parallel_dim::ofmp, parallel_dim::batp, parallel_dim::inpp},
                                  {{{{1, 4}, {1, 1}, {1, 1}, {1, 1}}}});
  CHECK(outp.part_neighbor_dist(region, parallel_dim::outp).w == 1.0);
  CHECK(std::isinf(outp.part_neighbor_dist(region, parallel_dim::outp).h));
  CHECK(std::isinf(outp.part_neighbor_dist(region, parallel_dim::ofmp).w));
  const bp::partition_scheme both({parallel_dim::ofmp, parallel_dim::outp, parallel_dim::batp, parallel_dim::inpp},
                                  {{{{1, 2}, {1, 2}, {1, 1}, {1, 1}}}});
  CHECK(both.part_neighbor_dist(region, parallel_dim::ofmp).w == 2.0);
  CHECK(both.part_neighbor_dist(region, parallel_dim::outp).w == 1.0);
}

TEST_CASE("divisor_list equals divisors", "[perf]") {
  std::vector<std::int64_t> values;
  for (std::int64_t v = 1; v <= 3000; ++v) values.push_back(v);
  // Highly composite values: 720720 and 735134400 have 240 and 1344 divisors (beyond the
  // inline capacity); a square, a prime, a large power of two.
  for (std::int64_t v : {720720LL, 735134400LL, 1LL << 40, 999983LL, 1000000LL * 1000000LL}) values.push_back(v);
  for (std::int64_t v : values) {
    const bp::divisor_list fast(v);
    const std::vector<std::int64_t> slow = bp::divisors(v);
    INFO(v);
    REQUIRE(fast.size() == slow.size());
    CHECK(std::vector<std::int64_t>(fast.begin(), fast.end()) == slow);
  }
  CHECK(bp::divisor_list(720720).size() == 240);
  CHECK(bp::divisor_list(735134400).size() == 1344);
}

TEST_CASE("buf_shr_scheme: hop counts without the rotation tables equal those with them", "[perf]") {
  bp::options opt;
  opt.partition_hybrid = true;
  opt.partition_batch = true;
  int n_checked = 0;
  for (const phy_dim2 dim : {phy_dim2{2, 2}, phy_dim2{4, 4}, phy_dim2{4, 8}}) {
    for (const bp::node_region& region : regions_of(dim)) {
      bp::for_each_partition(bp::layers::conv{.nifm = 64, .nofm = 64, .sofm = 16, .sfil = 3}, 16, dim, opt, true,
                             [&](const bp::partition_scheme& part) {
                               for (const auto& loops : {bp::data_loops::conv, bp::data_loops::local_region}) {
                                 const bp::buf_shr_scheme with(region, part, loops, true);
                                 const bp::buf_shr_scheme without(region, part, loops, false);
                                 CHECK(with == without);
                                 for (auto d : bp::all<bp::data_category>)
                                   for (std::int64_t s = 1; s <= with.size(d); ++s) {
                                     CHECK(same(with.nhops_rotate_all(d, s), without.nhops_rotate_all(d, s)));
                                     for (std::int64_t u = 1; u <= s; ++u)
                                       CHECK(same(with.nhops_rotate_all(d, s, u), without.nhops_rotate_all(d, s, u)));
                                     const double w = 0.5 + static_cast<double>(s) / 2;
                                     CHECK(same(with.nhops_wide_fetch_once(d, s, w), without.nhops_wide_fetch_once(d, s, w)));
                                     ++n_checked;
                                   }
                               }
                             });
    }
  }
  CHECK(n_checked > 1000);
}

TEST_CASE("parallel_for runs every index once, nests inline and reports exceptions", "[perf]") {
  for (std::size_t threads : {1u, 2u, 3u, 8u}) {
    for (std::size_t n : {0u, 1u, 2u, 7u, 1000u}) {
      std::vector<std::atomic<int>> hits(n);
      bp::detail::parallel_for(n, threads, [&](std::size_t i) { hits[i].fetch_add(1); });
      for (std::size_t i = 0; i < n; ++i) CHECK(hits[i].load() == 1);
    }
  }

  // A loop inside a task runs inline, on the task's thread.
  std::vector<std::atomic<int>> inner(64);
  std::atomic<int> foreign{0};
  bp::detail::parallel_for(8, 4, [&](std::size_t i) {
    const auto me = std::this_thread::get_id();
    bp::detail::parallel_for(8, 4, [&](std::size_t j) {
      if (std::this_thread::get_id() != me) foreign.fetch_add(1);
      inner[i * 8 + j].fetch_add(1);
    });
  });
  CHECK(foreign.load() == 0);
  for (auto& h : inner) CHECK(h.load() == 1);

  // An exception reaches the caller after the other indices ran; the pool stays usable.
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH(bp::detail::parallel_for(100, 3,
                                             [&](std::size_t i) {
                                               ran.fetch_add(1);
                                               if (i == 17) throw std::runtime_error("index 17");
                                             }),
                    "index 17");
  CHECK(ran.load() == 100);
  std::atomic<int> after{0};
  bp::detail::parallel_for(50, 2, [&](std::size_t) { after.fetch_add(1); });
  CHECK(after.load() == 50);

  // Two callers at once: one gets the pool, the other runs inline; both complete.
  std::vector<std::atomic<int>> a(500), b(500);
  std::thread other([&] { bp::detail::parallel_for(500, 2, [&](std::size_t i) { b[i].fetch_add(1); }); });
  bp::detail::parallel_for(500, 2, [&](std::size_t i) { a[i].fetch_add(1); });
  other.join();
  for (std::size_t i = 0; i < 500; ++i) {
    CHECK(a[i].load() == 1);
    CHECK(b[i].load() == 1);
  }
}
