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

// 8 bytes at `p`, little-endian, whatever the alignment.
std::uint64_t load64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Writes 16 bytes as a UUID with the given version nibble and the RFC variant bits.
void format_uuid(unsigned char (&bytes)[16], unsigned version, char (&buffer)[36]) {
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | (version << 4));
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t out = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) buffer[out++] = '-';
    buffer[out++] = hex[bytes[i] >> 4];
    buffer[out++] = hex[bytes[i] & 15];
  }
}

}  // namespace

std::string_view content_id_generator::next_for(std::string_view text) {
  // Four lanes take 32 bytes per step with xxHash64's round (multiply, rotate, multiply): fast on
  // records of tens of kilobytes. The tail and the length go in last, then each 64-bit half is
  // finalised from all four lanes with splitmix64.
  constexpr std::uint64_t prime1 = 0x9e3779b185ebca87ULL, prime2 = 0xc2b2ae3d27d4eb4fULL;
  auto round = [](std::uint64_t acc, std::uint64_t word) {
    acc += word * prime2;
    acc = (acc << 31) | (acc >> 33);
    return acc * prime1;
  };
  std::uint64_t lanes[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                            0x082efa98ec4e6c89ULL};
  std::size_t i = 0;
  for (; i + 32 <= text.size(); i += 32) {
    for (int k = 0; k < 4; ++k) lanes[k] = round(lanes[k], load64(text.data() + i + 8 * k));
  }
  for (int k = 0; i + 8 <= text.size(); i += 8, ++k)
    lanes[k] = round(lanes[k], load64(text.data() + i));
  std::uint64_t tail = 0;
  for (std::size_t k = text.size(); k > i; --k) {
    tail = (tail << 8) | static_cast<unsigned char>(text[k - 1]);
  }
  lanes[3] = round(lanes[3], tail ^ (static_cast<std::uint64_t>(text.size()) << 3));
  std::uint64_t a = lanes[0] ^ round(lanes[1], lanes[2]) ^ text.size();
  std::uint64_t b = lanes[2] ^ round(lanes[3], lanes[0]);
  a = splitmix(a) ^ lanes[3];
  b = splitmix(b) ^ lanes[1];
  a = splitmix(a);
  b = splitmix(b);
  unsigned char bytes[16];
  for (int k = 0; k < 8; ++k) {
    bytes[k] = static_cast<unsigned char>(a >> (8 * k));
    bytes[8 + k] = static_cast<unsigned char>(b >> (8 * k));
  }
  format_uuid(bytes, 8, buffer_);
  return {buffer_, sizeof buffer_};
}

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
  format_uuid(bytes, 4, buffer_);
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
