// SPDX-License-Identifier: Apache-2.0
// Response id generators.
#include <dial_analytics/analytics/response_ids.hpp>

#include <charconv>
#include <random>

namespace dial_analytics {
namespace {

// xorshift128+: fast, good enough for ids that only need to be unique, not secret.
std::uint64_t next_random(std::uint64_t (&s)[2]) {
  std::uint64_t x = s[0];
  const std::uint64_t y = s[1];
  s[0] = y;
  x ^= x << 23;
  s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
  return s[1] + y;
}

std::uint64_t splitmix(std::uint64_t& z) {
  z += 0x9e3779b97f4a7c15ULL;
  std::uint64_t r = z;
  r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
  r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
  return r ^ (r >> 31);
}

}  // namespace

uuid4_generator::uuid4_generator()
    : uuid4_generator([] {
        std::random_device rd;
        return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
      }()) {}

uuid4_generator::uuid4_generator(std::uint64_t seed) : buffer_{} {
  state_[0] = splitmix(seed);
  state_[1] = splitmix(seed);
}

std::string_view uuid4_generator::next() {
  unsigned char bytes[16];
  const std::uint64_t a = next_random(state_);
  const std::uint64_t b = next_random(state_);
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t out = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) buffer_[out++] = '-';
    buffer_[out++] = hex[bytes[i] >> 4];
    buffer_[out++] = hex[bytes[i] & 15];
  }
  return {buffer_, sizeof buffer_};
}

std::string_view sequential_id_generator::next() {
  buffer_.assign(prefix_);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ++counter_);
  (void)ec;
  buffer_.append(digits, end);
  return buffer_;
}

}  // namespace dial_analytics
