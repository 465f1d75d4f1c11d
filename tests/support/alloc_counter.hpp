// SPDX-License-Identifier: Apache-2.0
// Heap allocation counter; link tests/support/alloc_counter.cpp to replace operator new.
#pragma once

#include <atomic>

namespace test_support {
/// Allocations made through the global operator new since the program started.
extern std::atomic<unsigned long long> allocations;
}  // namespace test_support
