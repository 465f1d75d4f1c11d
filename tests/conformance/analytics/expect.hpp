// SPDX-License-Identifier: Apache-2.0
// Assertions shared by the conformance tests (docs/conformance.md): the sorted points and statuses.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>

#include "support/records.hpp"

namespace test_support {

/// Runs `records` and checks the written points (order-insensitive) and that every status is
/// a success.
inline run_result expect_points(const std::vector<json>& records, std::vector<std::string> expected,
                                topics t = topics::none) {
  run_result r = run(records, t);
  std::sort(expected.begin(), expected.end());
  CHECK(r.lines == expected);
  for (const auto& s : r.statuses) {
    INFO("status error: " << s.reason << " / " << s.error);
    CHECK(s.ok);
  }
  return r;
}

/// Replaces `record[a][b] = value` style edits in one call.
inline json edited(json record, const std::function<void(json&)>& edit) {
  edit(record);
  return record;
}

}  // namespace test_support
