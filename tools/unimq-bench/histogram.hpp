#pragma once
// A latency histogram with bounded memory and ~1.6 % relative error, HdrHistogram-style.

#include <cstdint>
#include <vector>

namespace unimq::bench {

/// Records non-negative values (nanoseconds) in log-linear buckets: 64 linear sub-buckets per power
/// of two, so a percentile is off by at most 1/64 of its value.
class histogram {
 public:
  histogram();
  void record(std::int64_t value);
  void merge(const histogram& other);
  std::uint64_t count() const { return _count; }
  std::int64_t max() const { return _max; }
  /// The value below which `fraction` (0..1) of the recorded values fall; 0 when empty.
  std::int64_t percentile(double fraction) const;

 private:
  std::vector<std::uint64_t> _buckets;
  std::uint64_t _count = 0;
  std::int64_t _max = 0;
};

}  // namespace unimq::bench
