// SPDX-License-Identifier: Apache-2.0
// The random algorithms the blueprint's dataset code runs, reproduced exactly: CPython's
// `random.seed(int)` + `random.sample`, numpy's legacy `RandomState` (Mersenne Twister,
// `permutation`, `choice` without replacement) and scikit-learn's `train_test_split` (ShuffleSplit
// and StratifiedShuffleSplit with `_approximate_mode`). Same seed, same indices, same order.
// Private to the library (tests include it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dial_analytics::flywheel::detail {

/// MT19937, seeded the way CPython's `random` or numpy's `RandomState` seed it.
class mt19937 {
 public:
  /// `random.seed(seed)` for a non-negative int (init_by_array over its 32-bit words).
  void seed_python(std::uint64_t seed);
  /// `numpy.random.RandomState(seed)` (init_genrand).
  void seed_numpy(std::uint32_t seed);
  /// genrand_uint32
  std::uint32_t next();

 private:
  void init_genrand(std::uint32_t s);
  std::array<std::uint32_t, 624> mt_{};
  std::size_t index_ = 625;
};

/// `random.seed(seed); random.sample(range(n), k)`: the sampled indices in sample order.
/// Precondition: k <= n.
[[nodiscard]] std::vector<std::size_t> python_sample(std::size_t n, std::size_t k,
                                                     std::uint64_t seed);

/// numpy legacy `RandomState.permutation(n)` with `rng`'s current state.
[[nodiscard]] std::vector<std::size_t> numpy_permutation(mt19937& rng, std::size_t n);

/// A ValueError scikit-learn raises; what() is its message.
class split_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The two index lists `train_test_split` returns, in its order.
struct train_test_indices {
  std::vector<std::size_t> train, test;
};

/// `train_test_split(range(n), test_size=n_test, stratify=labels or None, random_state=seed)`
/// with an integer test size. `labels` (null: no stratification) has n entries.
/// @throws split_error with scikit-learn's message when it refuses.
[[nodiscard]] train_test_indices sklearn_split_count(std::size_t n, std::size_t n_test,
                                                     const std::vector<std::string>* labels,
                                                     std::uint32_t seed);

/// The same with a fractional test size (0 < test_size < 1): n_test = ceil(test_size * n).
[[nodiscard]] train_test_indices sklearn_split_fraction(std::size_t n, double test_size,
                                                        const std::vector<std::string>* labels,
                                                        std::uint32_t seed);

}  // namespace dial_analytics::flywheel::detail
