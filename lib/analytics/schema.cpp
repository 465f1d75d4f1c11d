// SPDX-License-Identifier: Apache-2.0
// The compact schema: id tags to fields, and timestamps unique within a series.
#include <dial_analytics/analytics/schema.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <limits>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace dial_analytics {
namespace {

constexpr std::uint64_t fnv_offset = 1469598103934665603ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

void fnv(std::uint64_t& h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= fnv_prime;
  }
  h ^= 0xff;  // a separator no UTF-8 text holds, so ("ab","c") and ("a","bc") differ
  h *= fnv_prime;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The series of a point: its measurement and its non-empty tags in key order, as InfluxDB
/// keys it.
std::uint64_t series_hash(const point& p) {
  std::array<const tag*, 64> stack{};
  std::vector<const tag*> heap;
  const tag** tags = stack.data();
  if (p.tags.size() > stack.size()) {
    heap.resize(p.tags.size());
    tags = heap.data();
  }
  std::size_t n = 0;
  for (const tag& t : p.tags) {
    if (!t.key.empty() && !t.value.empty()) tags[n++] = &t;
  }
  std::sort(tags, tags + n, [](const tag* a, const tag* b) { return a->key < b->key; });
  std::uint64_t h = fnv_offset;
  fnv(h, p.measurement);
  for (std::size_t i = 0; i < n; ++i) {
    fnv(h, tags[i]->key);
    fnv(h, tags[i]->value);
  }
  return h;
}

constexpr std::size_t shard_count = 16;

}  // namespace

std::optional<point_schema> parse_point_schema(std::string_view text) noexcept {
  if (text == "reference") return point_schema::reference;
  if (text == "compact") return point_schema::compact;
  return std::nullopt;
}

const char* to_string(point_schema s) noexcept {
  return s == point_schema::compact ? "compact" : "reference";
}

std::uint64_t make_compact(point& p) {
  std::uint64_t h = fnv_offset;
  auto keep = p.tags.begin();
  for (auto it = p.tags.begin(); it != p.tags.end(); ++it) {
    const bool id =
        std::find(compact_id_keys.begin(), compact_id_keys.end(), it->key) != compact_id_keys.end();
    if (!id) {
      *keep++ = *it;
      continue;
    }
    fnv(h, it->key);
    fnv(h, it->value);
    if (!it->value.empty()) p.fields.push_back({it->key, field_value::string(it->value)});
  }
  p.tags.erase(keep, p.tags.end());
  return h;
}

struct unique_timestamps::impl {
  struct shard {
    std::mutex mutex;
    std::unordered_set<std::uint64_t> taken;  // mix(series, time)
    std::deque<std::uint64_t> order;          // oldest first, for forgetting
  };
  std::size_t per_shard;
  std::array<shard, shard_count> shards;
  std::atomic<std::uint64_t> moved{0};
};

unique_timestamps::unique_timestamps(std::size_t remember) : impl_(std::make_unique<impl>()) {
  impl_->per_shard = std::max<std::size_t>(1, remember / shard_count);
}
unique_timestamps::~unique_timestamps() = default;

void unique_timestamps::assign(point& p, std::uint64_t seed) {
  const std::uint64_t series = series_hash(p);
  impl::shard& s = impl_->shards[series % shard_count];
  std::int64_t t = p.timestamp_ns;
  const auto offset = static_cast<std::int64_t>(seed % 1000);
  t = t > std::numeric_limits<std::int64_t>::max() - offset ? t : t + offset;
  const std::lock_guard lock(s.mutex);
  bool moved = false;
  for (;;) {
    const std::uint64_t key = mix(series ^ mix(static_cast<std::uint64_t>(t)));
    if (s.taken.insert(key).second) {
      s.order.push_back(key);
      break;
    }
    moved = true;
    if (t == std::numeric_limits<std::int64_t>::max()) break;  // nowhere left to go
    ++t;
  }
  if (moved) impl_->moved.fetch_add(1, std::memory_order_relaxed);
  while (s.order.size() > impl_->per_shard) {
    s.taken.erase(s.order.front());
    s.order.pop_front();
  }
  p.timestamp_ns = t;
}

std::uint64_t unique_timestamps::moved() const noexcept {
  return impl_->moved.load(std::memory_order_relaxed);
}

}  // namespace dial_analytics
