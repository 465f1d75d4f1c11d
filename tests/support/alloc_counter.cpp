// SPDX-License-Identifier: Apache-2.0
// Counts heap allocations by replacing the global operator new (allocation tests, benchmarks).
#include <atomic>
#include <cstdlib>
#include <new>

#include "alloc_counter.hpp"

namespace test_support {
std::atomic<unsigned long long> allocations{0};
}

void* operator new(std::size_t size) {
  test_support::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  test_support::allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return ::operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
