// tests/arch/test_node_region.cpp -- NodeRegion.allocate and rel2abs against Tangram.
//
// Expected values printed by the reference (shared/reference/tangram, PYTHONPATH as in its `run`):
//   NodeRegion(dim=PhyDim2(H, W), origin=PhyDim2(0, 0), type=NodeRegion.PROC).allocate(requests)
// and [tuple(n) for n in sub.iter_node()] for every returned subregion.
#include <catch2/catch.hpp>

#include <bufferprospector/arch/node_region.hpp>

#include <vector>

namespace {
struct expected_region {
  bp::phy_dim2 dim, origin;
  std::int64_t wtot, wbeg;
  std::vector<bp::phy_dim2> nodes;
};

void check_allocation(bp::phy_dim2 mesh, const std::vector<std::int64_t>& requests,
                      const std::vector<expected_region>& expected) {
  const bp::node_region region(mesh, {0, 0}, bp::region_type::proc);
  const auto subs = region.allocate(requests);
  REQUIRE(subs.size() == expected.size());
  for (std::size_t i = 0; i < subs.size(); ++i) {
    CHECK(subs[i].dim() == expected[i].dim);
    CHECK(subs[i].origin() == expected[i].origin);
    CHECK(subs[i].wtot() == expected[i].wtot);
    CHECK(subs[i].wbeg() == expected[i].wbeg);
    CHECK(subs[i].nodes() == expected[i].nodes);
  }
}
}  // namespace

TEST_CASE("allocate 4x4 nodes as 4/4/8", "[arch]") {
  check_allocation({4, 4}, {4, 4, 8}, {
    {{4, 1}, {0, 0}, 4, 1, {{0, 0}, {1, 0}, {2, 0}, {3, 0}}},
    {{4, 1}, {0, 1}, 4, 1, {{0, 1}, {1, 1}, {2, 1}, {3, 1}}},
    {{4, 2}, {0, 2}, 4, 2, {{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 2}, {2, 3}, {3, 2}, {3, 3}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 2/6/8", "[arch]") {
  check_allocation({4, 4}, {2, 6, 8}, {
    {{2, 1}, {0, 0}, 4, 1, {{0, 0}, {1, 0}}},
    {{2, 3}, {0, 1}, 4, 3, {{0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 2}, {1, 3}}},
    {{2, 4}, {2, 3}, 4, -4, {{2, 3}, {2, 2}, {2, 1}, {2, 0}, {3, 3}, {3, 2}, {3, 1}, {3, 0}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 12/4", "[arch]") {
  check_allocation({4, 4}, {12, 4}, {
    {{4, 3}, {0, 0}, 4, 3, {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}, {3, 0}, {3, 1}, {3, 2}}},
    {{4, 1}, {0, 3}, 4, 1, {{0, 3}, {1, 3}, {2, 3}, {3, 3}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 3/5/8", "[arch]") {
  check_allocation({4, 4}, {3, 5, 8}, {
    {{1, 3}, {0, 0}, 4, 3, {{0, 0}, {0, 1}, {0, 2}}},
    {{1, 5}, {0, 3}, 4, 1, {{0, 3}, {1, 3}, {1, 2}, {1, 1}, {1, 0}}},
    {{1, 8}, {2, 0}, 4, 4, {{2, 0}, {2, 1}, {2, 2}, {2, 3}, {3, 3}, {3, 2}, {3, 1}, {3, 0}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 16", "[arch]") {
  check_allocation({4, 4}, {16}, {
    {{4, 4}, {0, 0}, 4, 4, {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {2, 0}, {2, 1}, {2, 2}, {2, 3}, {3, 0}, {3, 1}, {3, 2}, {3, 3}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 4/4/4/4", "[arch]") {
  check_allocation({4, 4}, {4, 4, 4, 4}, {
    {{4, 1}, {0, 0}, 4, 1, {{0, 0}, {1, 0}, {2, 0}, {3, 0}}},
    {{4, 1}, {0, 1}, 4, 1, {{0, 1}, {1, 1}, {2, 1}, {3, 1}}},
    {{4, 1}, {0, 2}, 4, 1, {{0, 2}, {1, 2}, {2, 2}, {3, 2}}},
    {{4, 1}, {0, 3}, 4, 1, {{0, 3}, {1, 3}, {2, 3}, {3, 3}}},
  });
}

TEST_CASE("allocate 4x4 nodes as 6/10", "[arch]") {
  check_allocation({4, 4}, {6, 10}, {
    {{2, 3}, {0, 0}, 4, 3, {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}},
    {{2, 5}, {0, 3}, 4, 1, {{0, 3}, {2, 3}, {2, 2}, {2, 1}, {2, 0}, {1, 3}, {3, 3}, {3, 2}, {3, 1}, {3, 0}}},
  });
}

TEST_CASE("allocate 8x8 nodes as 28/7/15/7/7", "[arch]") {
  check_allocation({8, 8}, {28, 7, 15, 7, 7}, {
    {{1, 28}, {0, 0}, 8, 8, {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {1, 7}, {1, 6}, {1, 5}, {1, 4}, {1, 3}, {1, 2}, {1, 1}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}, {2, 5}, {2, 6}, {2, 7}, {3, 7}, {3, 6}, {3, 5}, {3, 4}}},
    {{1, 7}, {3, 3}, 8, -4, {{3, 3}, {3, 2}, {3, 1}, {3, 0}, {4, 0}, {4, 1}, {4, 2}}},
    {{1, 15}, {4, 3}, 8, 5, {{4, 3}, {4, 4}, {4, 5}, {4, 6}, {4, 7}, {5, 7}, {5, 6}, {5, 5}, {5, 4}, {5, 3}, {5, 2}, {5, 1}, {5, 0}, {6, 0}, {6, 1}}},
    {{1, 7}, {6, 2}, 8, 6, {{6, 2}, {6, 3}, {6, 4}, {6, 5}, {6, 6}, {6, 7}, {7, 7}}},
    {{1, 7}, {7, 6}, 8, -7, {{7, 6}, {7, 5}, {7, 4}, {7, 3}, {7, 2}, {7, 1}, {7, 0}}},
  });
}

TEST_CASE("allocate 8x8 nodes as 24/8/16/16", "[arch]") {
  check_allocation({8, 8}, {24, 8, 16, 16}, {
    {{8, 3}, {0, 0}, 8, 3, {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}, {3, 0}, {3, 1}, {3, 2}, {4, 0}, {4, 1}, {4, 2}, {5, 0}, {5, 1}, {5, 2}, {6, 0}, {6, 1}, {6, 2}, {7, 0}, {7, 1}, {7, 2}}},
    {{8, 1}, {0, 3}, 8, 1, {{0, 3}, {1, 3}, {2, 3}, {3, 3}, {4, 3}, {5, 3}, {6, 3}, {7, 3}}},
    {{8, 2}, {0, 4}, 8, 2, {{0, 4}, {0, 5}, {1, 4}, {1, 5}, {2, 4}, {2, 5}, {3, 4}, {3, 5}, {4, 4}, {4, 5}, {5, 4}, {5, 5}, {6, 4}, {6, 5}, {7, 4}, {7, 5}}},
    {{8, 2}, {0, 6}, 8, 2, {{0, 6}, {0, 7}, {1, 6}, {1, 7}, {2, 6}, {2, 7}, {3, 6}, {3, 7}, {4, 6}, {4, 7}, {5, 6}, {5, 7}, {6, 6}, {6, 7}, {7, 6}, {7, 7}}},
  });
}

TEST_CASE("allocate 3x5 nodes as 3/6/6", "[arch]") {
  check_allocation({3, 5}, {3, 6, 6}, {
    {{3, 1}, {0, 0}, 5, 1, {{0, 0}, {1, 0}, {2, 0}}},
    {{3, 2}, {0, 1}, 5, 2, {{0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 1}, {2, 2}}},
    {{3, 2}, {0, 3}, 5, 2, {{0, 3}, {0, 4}, {1, 3}, {1, 4}, {2, 3}, {2, 4}}},
  });
}

TEST_CASE("allocate 2x6 nodes as 4/4/2/2", "[arch]") {
  check_allocation({2, 6}, {4, 4, 2, 2}, {
    {{2, 2}, {0, 0}, 6, 2, {{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
    {{2, 2}, {0, 2}, 6, 2, {{0, 2}, {0, 3}, {1, 2}, {1, 3}}},
    {{2, 1}, {0, 4}, 6, 1, {{0, 4}, {1, 4}}},
    {{2, 1}, {0, 5}, 6, 1, {{0, 5}, {1, 5}}},
  });
}

TEST_CASE("allocate refuses requests that do not fit", "[arch]") {
  const bp::node_region region({4, 4}, {0, 0}, bp::region_type::proc);
  CHECK(region.allocate({8, 9}).empty());
  CHECK(region.allocate({0, 4}).empty());
  CHECK(region.allocate({}).empty());
}

TEST_CASE("the 2D DRAM region is the four corners", "[arch]") {
  const bp::node_region dram({2, 2}, {0, 0}, bp::region_type::dram, {3, 7});
  CHECK(dram.nodes() == std::vector<bp::phy_dim2>{{0, 0}, {0, 7}, {3, 0}, {3, 7}});
  CHECK(dram.contains_node({3, 7}));
  CHECK_FALSE(dram.contains_node({1, 1}));
}

TEST_CASE("a folded region rejects |wbeg| outside (0, wtot]", "[arch]") {
  CHECK_THROWS_AS(bp::node_region({1, 3}, {0, 0}, {1, 1}, bp::region_type::proc, 4, 5), bp::invalid_spec);
  CHECK_THROWS_WITH(bp::node_region({1, 3}, {0, 0}, {1, 1}, bp::region_type::proc, 4, 0),
                    Catch::Matchers::Contains("|wbeg| must be in (0, wtot]"));
}
