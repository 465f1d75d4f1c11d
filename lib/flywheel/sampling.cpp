// SPDX-License-Identifier: Apache-2.0
#include "flywheel/sampling.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "detail/py_format.hpp"

namespace dial_analytics::flywheel::detail {
namespace {

constexpr std::size_t state_words = 624;
constexpr std::size_t twist_offset = 397;
// `index_` before any seeding: the reference generator then seeds itself with 5489.
constexpr std::size_t unseeded = state_words + 1;

// ---------------------------------------------------------------------------------------------
// CPython's `random`

// `getrandbits(k)` for k <= 64. CPython fills the integer 32 bits at a time from the least
// significant word up; the last (most significant) word keeps only the top bits it needs.
std::uint64_t python_getrandbits(mt19937& rng, int k) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < k; shift += 32) {
    std::uint32_t word = rng.next();
    const int remaining = k - shift;
    if (remaining < 32) word >>= 32 - remaining;
    result |= std::uint64_t{word} << shift;
  }
  return result;
}

// `_randbelow_with_getrandbits(n)`: rejection sampling over n.bit_length() bits (n > 0).
std::uint64_t python_randbelow(mt19937& rng, std::uint64_t n) {
  const auto bits = static_cast<int>(std::bit_width(n));
  std::uint64_t r = python_getrandbits(rng, bits);
  while (r >= n) r = python_getrandbits(rng, bits);
  return r;
}

// `random.sample` switches from a shrinking pool to a "seen" set when the list would be larger
// than the set: 21 + 4 ** ceil(log(3k, 4)) for k > 5. The logarithm must be the same libm
// division CPython's math.log(x, base) does, or the switch point could move.
std::uint64_t python_sample_setsize(std::uint64_t k) {
  std::uint64_t setsize = 21;
  if (k <= 5) return setsize;
  const double exponent = std::ceil(std::log(static_cast<double>(k * 3)) / std::log(4.0));
  // From 4**32 on the size no longer fits 64 bits; every population is then below it.
  if (exponent >= 32) return std::numeric_limits<std::uint64_t>::max();
  return setsize + (std::uint64_t{1} << (2 * static_cast<unsigned>(exponent)));
}

// ---------------------------------------------------------------------------------------------
// numpy's legacy RandomState

// numpy's 64-bit draw from MT19937: the first 32-bit output is the high half.
std::uint64_t numpy_next_uint64(mt19937& rng) {
  const std::uint64_t high = rng.next();
  const std::uint64_t low = rng.next();
  return (high << 32) | low;
}

// `random_interval(max)`: a uniform value in [0, max] by masking to the smallest all-ones
// pattern covering max and rejecting overshoots. Ranges that fit 32 bits draw 32-bit words.
std::uint64_t numpy_random_interval(mt19937& rng, std::uint64_t max) {
  if (max == 0) return 0;
  const std::uint64_t mask = std::numeric_limits<std::uint64_t>::max() >> std::countl_zero(max);
  std::uint64_t value = 0;
  if (max <= 0xffffffffU) {
    do {
      value = rng.next() & mask;
    } while (value > max);
  } else {
    do {
      value = numpy_next_uint64(rng) & mask;
    } while (value > max);
  }
  return value;
}

// `RandomState.shuffle` on a 1-d array: Fisher-Yates from the back, one interval draw per slot
// except the first (so arrays of 0 or 1 elements consume nothing).
void numpy_shuffle(mt19937& rng, std::vector<std::size_t>& values) {
  for (std::size_t i = values.size(); i-- > 1;) {
    const auto j = static_cast<std::size_t>(numpy_random_interval(rng, i));
    std::swap(values[i], values[j]);
  }
}

// `RandomState.choice(a, size, replace=False)` with no weights: the first `size` entries of a
// full permutation of the positions, so it consumes draws for all of `a` however few it keeps.
std::vector<std::size_t> numpy_choice_without_replacement(mt19937& rng,
                                                          const std::vector<std::size_t>& a,
                                                          std::size_t size) {
  const std::vector<std::size_t> order = numpy_permutation(rng, a.size());
  std::vector<std::size_t> chosen;
  chosen.reserve(size);
  for (std::size_t i = 0; i < size; ++i) chosen.push_back(a[order[i]]);
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// scikit-learn

// The test_size argument as the caller gave it: an int or a float. The messages print it with
// str(), so the kind matters.
struct test_size_arg {
  bool is_fraction = false;
  std::size_t count = 0;
  double fraction = 0;
};

std::string python_str(const test_size_arg& size) {
  if (!size.is_fraction) return std::to_string(size.count);
  std::string out;
  ::dial_analytics::detail::append_python_float_repr(out, size.fraction);
  return out;
}

struct split_sizes {
  std::size_t n_train = 0, n_test = 0;
};

// `_validate_shuffle_split(n, test_size, None, 0.25)`: the sizes, or sklearn's refusal.
split_sizes validate_shuffle_split(std::size_t n_samples, const test_size_arg& test_size) {
  const bool out_of_range = test_size.is_fraction
                                ? (test_size.fraction <= 0 || test_size.fraction >= 1)
                                : (test_size.count >= n_samples || test_size.count == 0);
  if (out_of_range) {
    throw split_error("test_size=" + python_str(test_size) +
                      " should be either positive and smaller than the number of samples " +
                      std::to_string(n_samples) + " or a float in the (0, 1) range");
  }
  std::size_t n_test = test_size.count;
  if (test_size.is_fraction) {
    // NaN passes the range test above (every comparison is false); math.ceil then refuses it.
    const double scaled = test_size.fraction * static_cast<double>(n_samples);
    if (std::isnan(scaled)) throw split_error("cannot convert float NaN to integer");
    n_test = static_cast<std::size_t>(std::ceil(scaled));
  }
  // test_size < 1 keeps ceil(test_size * n) <= n, so the subtraction cannot wrap.
  const std::size_t n_train = n_samples - n_test;
  if (n_train == 0) {
    throw split_error("With n_samples=" + std::to_string(n_samples) +
                      ", test_size=" + python_str(test_size) +
                      " and train_size=None, the resulting train set will be empty. Adjust any "
                      "of the aforementioned parameters.");
  }
  return {n_train, n_test};
}

// numpy stores str arrays as fixed-width UCS4 padded with NULs, so trailing NULs are not part
// of a label. Code point order equals UTF-8 byte order, so the rest compares as bytes.
std::string_view numpy_str_key(const std::string& label) {
  std::string_view key(label);
  while (!key.empty() && key.back() == '\0') key.remove_suffix(1);
  return key;
}

// `np.unique(y, return_inverse=True)`: the class number of every sample, classes in sorted
// order; also returns the number of classes.
std::vector<std::size_t> class_of_each_sample(const std::vector<std::string>& labels,
                                              std::size_t& n_classes) {
  std::vector<std::string_view> classes;
  classes.reserve(labels.size());
  for (const std::string& label : labels) classes.push_back(numpy_str_key(label));
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  n_classes = classes.size();
  std::vector<std::size_t> codes;
  codes.reserve(labels.size());
  for (const std::string& label : labels) {
    const auto it = std::lower_bound(classes.begin(), classes.end(), numpy_str_key(label));
    codes.push_back(static_cast<std::size_t>(it - classes.begin()));
  }
  return codes;
}

// Forces a product to be rounded to double on its own. With contraction allowed (GCC's default
// -ffp-contract=fast on FMA hardware) `a * b - c` may become one fused operation, which skips
// that rounding and changes the remainders numpy computes.
double rounded_product(double a, double b) {
  const volatile double product = a * b;
  return product;
}

// `_approximate_mode(class_counts, n_draws, rng)`: per class floor(count / total * n_draws),
// then the draws still missing go to the largest remainders, ties broken by rng.choice.
std::vector<std::size_t> approximate_mode(const std::vector<std::size_t>& class_counts,
                                          std::size_t n_draws, mt19937& rng) {
  const std::size_t n_classes = class_counts.size();
  const double total = static_cast<double>(
      std::accumulate(class_counts.begin(), class_counts.end(), std::size_t{0}));
  std::vector<double> floored(n_classes), remainder(n_classes);
  double floored_sum = 0;  // sums of whole numbers below 2**53: exact in any order
  for (std::size_t i = 0; i < n_classes; ++i) {
    // numpy's order: divide by the total first, then scale.
    const double continuous =
        rounded_product(static_cast<double>(class_counts[i]) / total, static_cast<double>(n_draws));
    floored[i] = std::floor(continuous);
    remainder[i] = continuous - floored[i];
    floored_sum += floored[i];
  }
  // int(n_draws - floored.sum()): a float difference truncated towards zero.
  auto need_to_add = static_cast<long long>(static_cast<double>(n_draws) - floored_sum);
  if (need_to_add > 0) {
    std::vector<double> values = remainder;
    std::sort(values.begin(), values.end(), std::greater<>());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const double value : values) {
      std::vector<std::size_t> tied;
      for (std::size_t i = 0; i < n_classes; ++i) {
        if (remainder[i] == value) tied.push_back(i);
      }
      const auto add_now = std::min(static_cast<long long>(tied.size()), need_to_add);
      for (const std::size_t i :
           numpy_choice_without_replacement(rng, tied, static_cast<std::size_t>(add_now))) {
        floored[i] += 1;
      }
      need_to_add -= add_now;
      if (need_to_add == 0) break;
    }
  }
  std::vector<std::size_t> result;
  result.reserve(n_classes);
  for (const double f : floored) result.push_back(static_cast<std::size_t>(f));
  return result;
}

// ShuffleSplit: one permutation of all samples, test first.
train_test_indices shuffle_split(std::size_t n, const split_sizes& sizes, std::uint32_t seed) {
  mt19937 rng;
  rng.seed_numpy(seed);
  const std::vector<std::size_t> order = numpy_permutation(rng, n);
  const auto test_end = order.begin() + static_cast<std::ptrdiff_t>(sizes.n_test);
  return {{test_end, test_end + static_cast<std::ptrdiff_t>(sizes.n_train)},
          {order.begin(), test_end}};
}

// Python's slice `values[begin:end]` appended to `out` (slices clamp to the length).
void extend_with_slice(std::vector<std::size_t>& out, const std::vector<std::size_t>& values,
                       std::size_t begin, std::size_t end) {
  end = std::min(end, values.size());
  for (std::size_t i = begin; i < end; ++i) out.push_back(values[i]);
}

// StratifiedShuffleSplit: class quotas for train then test, a permutation within each class
// (in class order), then a final permutation of each side.
train_test_indices stratified_shuffle_split(std::size_t n, const split_sizes& sizes,
                                            const std::vector<std::string>& labels,
                                            std::uint32_t seed) {
  if (labels.size() != n) {
    throw split_error("Found input variables with inconsistent numbers of samples: [" +
                      std::to_string(n) + ", " + std::to_string(labels.size()) + "]");
  }
  std::size_t n_classes = 0;
  const std::vector<std::size_t> codes = class_of_each_sample(labels, n_classes);
  // The samples of each class in ascending order (a stable argsort of the class numbers).
  std::vector<std::vector<std::size_t>> class_indices(n_classes);
  for (std::size_t i = 0; i < n; ++i) class_indices[codes[i]].push_back(i);
  std::vector<std::size_t> class_counts;
  class_counts.reserve(n_classes);
  for (const auto& members : class_indices) class_counts.push_back(members.size());

  if (*std::min_element(class_counts.begin(), class_counts.end()) < 2) {
    throw split_error(
        "The least populated class in y has only 1 member, which is too few. The minimum number "
        "of groups for any class cannot be less than 2.");
  }
  if (sizes.n_train < n_classes) {
    throw split_error(
        "The train_size = " + std::to_string(sizes.n_train) +
        " should be greater or equal to the number of classes = " + std::to_string(n_classes));
  }
  if (sizes.n_test < n_classes) {
    throw split_error(
        "The test_size = " + std::to_string(sizes.n_test) +
        " should be greater or equal to the number of classes = " + std::to_string(n_classes));
  }

  mt19937 rng;
  rng.seed_numpy(seed);
  const std::vector<std::size_t> n_i = approximate_mode(class_counts, sizes.n_train, rng);
  std::vector<std::size_t> remaining(n_classes);
  for (std::size_t c = 0; c < n_classes; ++c) remaining[c] = class_counts[c] - n_i[c];
  const std::vector<std::size_t> t_i = approximate_mode(remaining, sizes.n_test, rng);

  train_test_indices result;
  for (std::size_t c = 0; c < n_classes; ++c) {
    const std::vector<std::size_t> order = numpy_permutation(rng, class_counts[c]);
    std::vector<std::size_t> shuffled;
    shuffled.reserve(order.size());
    for (const std::size_t k : order) shuffled.push_back(class_indices[c][k]);
    extend_with_slice(result.train, shuffled, 0, n_i[c]);
    extend_with_slice(result.test, shuffled, n_i[c], n_i[c] + t_i[c]);
  }
  numpy_shuffle(rng, result.train);
  numpy_shuffle(rng, result.test);
  return result;
}

train_test_indices train_test_split(std::size_t n, const test_size_arg& test_size,
                                    const std::vector<std::string>* labels, std::uint32_t seed) {
  const split_sizes sizes = validate_shuffle_split(n, test_size);
  if (labels == nullptr) return shuffle_split(n, sizes, seed);
  return stratified_shuffle_split(n, sizes, *labels, seed);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MT19937

void mt19937::init_genrand(std::uint32_t s) {
  mt_[0] = s;
  for (std::size_t i = 1; i < state_words; ++i) {
    const std::uint32_t prev = mt_[i - 1];
    mt_[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(i);
  }
  index_ = state_words;
}

void mt19937::seed_numpy(std::uint32_t seed) { init_genrand(seed); }

void mt19937::seed_python(std::uint64_t seed) {
  // random.seed(int) keys the generator with the integer's 32-bit words, least significant
  // first, using as many words as the value needs (at least one, so 0 is the key [0]).
  const std::array<std::uint32_t, 2> key{static_cast<std::uint32_t>(seed),
                                         static_cast<std::uint32_t>(seed >> 32)};
  const std::size_t key_length = (seed >> 32) != 0 ? 2 : 1;

  // The reference init_by_array: mix the key into a fixed start state, then diffuse.
  init_genrand(19650218U);
  std::size_t i = 1;
  std::size_t j = 0;
  for (std::size_t k = std::max(state_words, key_length); k > 0; --k) {
    const std::uint32_t prev = mt_[i - 1];
    mt_[i] = (mt_[i] ^ ((prev ^ (prev >> 30)) * 1664525U)) + key[j] + static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= state_words) {
      mt_[0] = mt_[state_words - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (std::size_t k = state_words - 1; k > 0; --k) {
    const std::uint32_t prev = mt_[i - 1];
    mt_[i] = (mt_[i] ^ ((prev ^ (prev >> 30)) * 1566083941U)) - static_cast<std::uint32_t>(i);
    ++i;
    if (i >= state_words) {
      mt_[0] = mt_[state_words - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000U;  // guarantees a non-zero state
  index_ = state_words;
}

std::uint32_t mt19937::next() {
  if (index_ >= state_words) {
    if (index_ == unseeded) init_genrand(5489U);
    // Regenerate the whole block: each word from the top bit of itself, the low bits of its
    // successor and the word 397 further on (all indices wrap).
    for (std::size_t i = 0; i < state_words; ++i) {
      const std::uint32_t y = (mt_[i] & 0x80000000U) | (mt_[(i + 1) % state_words] & 0x7fffffffU);
      const std::uint32_t twisted = (y >> 1) ^ ((y & 1U) != 0 ? 0x9908b0dfU : 0U);
      mt_[i] = mt_[(i + twist_offset) % state_words] ^ twisted;
    }
    index_ = 0;
  }
  // Tempering.
  std::uint32_t y = mt_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

// ---------------------------------------------------------------------------------------------
// Public entry points

std::vector<std::size_t> python_sample(std::size_t n, std::size_t k, std::uint64_t seed) {
  if (k > n) throw std::invalid_argument("Sample larger than population or is negative");
  mt19937 rng;
  rng.seed_python(seed);
  std::vector<std::size_t> result;
  result.reserve(k);
  if (n <= python_sample_setsize(k)) {
    // Pool: draw from the untaken prefix, then move the last untaken item into the hole.
    std::vector<std::size_t> pool(n);
    std::iota(pool.begin(), pool.end(), std::size_t{0});
    for (std::size_t i = 0; i < k; ++i) {
      const auto j = static_cast<std::size_t>(python_randbelow(rng, n - i));
      result.push_back(pool[j]);
      pool[j] = pool[n - i - 1];
    }
  } else {
    // Set: redraw over the whole population until an index not taken yet comes up.
    std::unordered_set<std::size_t> selected;
    selected.reserve(k);
    for (std::size_t i = 0; i < k; ++i) {
      auto j = static_cast<std::size_t>(python_randbelow(rng, n));
      while (selected.contains(j)) j = static_cast<std::size_t>(python_randbelow(rng, n));
      selected.insert(j);
      result.push_back(j);
    }
  }
  return result;
}

std::vector<std::size_t> numpy_permutation(mt19937& rng, std::size_t n) {
  std::vector<std::size_t> values(n);
  std::iota(values.begin(), values.end(), std::size_t{0});
  numpy_shuffle(rng, values);
  return values;
}

train_test_indices sklearn_split_count(std::size_t n, std::size_t n_test,
                                       const std::vector<std::string>* labels, std::uint32_t seed) {
  return train_test_split(n, {.is_fraction = false, .count = n_test}, labels, seed);
}

train_test_indices sklearn_split_fraction(std::size_t n, double test_size,
                                          const std::vector<std::string>* labels,
                                          std::uint32_t seed) {
  return train_test_split(n, {.is_fraction = true, .fraction = test_size}, labels, seed);
}

}  // namespace dial_analytics::flywheel::detail
