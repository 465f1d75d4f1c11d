// SPDX-License-Identifier: Apache-2.0
// Response ids for records that carry none. The default derives the id from the record's text, so
// a batch that Vector re-sends (after a lost reply) writes the same points again instead of new
// ones; the reference uses a random uuid4() (uuid4_generator); tests use a sequence. Hosts may
// inject their own generator through analyzer_options::ids.
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
  /// The next id.
  virtual std::string_view next() = 0;
  /// The id for the record whose JSON text is `record_text`; by default next().
  virtual std::string_view next_for(std::string_view record_text) {
    (void)record_text;
    return next();
  }
};

/// The default: a UUID-shaped id (8-4-4-4-12 lowercase hex, version 8, RFC 9562 variant) from a
/// 128-bit hash of the record's text. The same record always gets the same id, so writes are
/// idempotent; different records get different ids (a collision needs ~2^64 records). Not a
/// secret: anyone with the record can compute it.
class content_id_generator final : public response_id_generator {
 public:
  std::string_view next_for(std::string_view record_text) override;
  /// Without a record: the id of the empty text.
  std::string_view next() override { return next_for({}); }

 private:
  char buffer_[36] = {};
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
