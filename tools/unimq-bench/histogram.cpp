#include "histogram.hpp"

#include <algorithm>

namespace unimq::bench {
namespace {

constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
constexpr std::uint64_t kSub = 1u << kSubBits;
constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;

std::size_t index_of(std::uint64_t v) {
  if (v < kSub) return v;
  int top = 63 - __builtin_clzll(v);  // >= kSubBits
  int shift = top - kSubBits;
  return static_cast<std::size_t>(shift + 1) * kSub + ((v >> shift) & (kSub - 1));
}

// The upper end of a bucket, so percentiles never understate latency.
std::uint64_t upper_of(std::size_t index) {
  if (index < kSub) return index;
  std::size_t shift = index / kSub - 1;
  std::uint64_t base = (kSub | (index % kSub)) << shift;
  return base + ((std::uint64_t{1} << shift) - 1);
}

}  // namespace

histogram::histogram() : _buckets(kBuckets, 0) {}

void histogram::record(std::int64_t value) {
  auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
  ++_buckets[index_of(v)];
  ++_count;
  _max = std::max(_max, static_cast<std::int64_t>(v));
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) _buckets[i] += other._buckets[i];
  _count += other._count;
  _max = std::max(_max, other._max);
}

std::int64_t histogram::percentile(double fraction) const {
  if (_count == 0) return 0;
  auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(_count));
  if (rank >= _count) rank = _count - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += _buckets[i];
    if (seen > rank) return std::min(static_cast<std::int64_t>(upper_of(i)), _max);
  }
  return _max;
}

}  // namespace unimq::bench
