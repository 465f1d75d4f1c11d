// SPDX-License-Identifier: Apache-2.0
// Response ids for records that carry none: the reference uses a random uuid4(); tests use a
// sequence. Hosts may inject their own generator through analyzer_options::ids.
//
// Thread-safety: a generator is used by one analyzer (one thread) at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace dial_analytics {

/// Makes response ids for records that carry none (the reference uses uuid4()).
class response_id_generator {
 public:
  virtual ~response_id_generator() = default;
  virtual std::string_view next() = 0;
};

/// Random version-4 UUIDs in canonical lowercase 8-4-4-4-12 form.
class uuid4_generator final : public response_id_generator {
 public:
  uuid4_generator();  ///< seeds from std::random_device
  explicit uuid4_generator(std::uint64_t seed);
  std::string_view next() override;

 private:
  std::uint64_t state_[2];
  char buffer_[36];
};

/// `<prefix>1`, `<prefix>2`, … in order; with the default prefix the reference tests' ids.
class sequential_id_generator final : public response_id_generator {
 public:
  explicit sequential_id_generator(std::string prefix = "pseudo-uuid-")
      : prefix_(std::move(prefix)) {}
  std::string_view next() override;

 private:
  std::string prefix_;
  std::string buffer_;
  std::uint64_t counter_ = 0;
};

}  // namespace dial_analytics
