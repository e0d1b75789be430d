#include "payload.hpp"

#include <chrono>
#include <cstring>

namespace unimq::bench {
namespace {

template <typename T>
void put(char* at, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    at[i] = static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff);
}

template <typename T>
T get(const char* at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(at[i])) << (8 * i);
  return static_cast<T>(v);
}

}  // namespace

void write_header(const payload_header& h, std::string& payload) {
  char* p = payload.data();
  put(p, h.publisher);
  put(p + 4, h.sequence);
  put(p + 12, h.sent_ns);
}

std::optional<payload_header> read_header(std::string_view payload) {
  if (payload.size() < kPayloadHeaderSize) return std::nullopt;
  const char* p = payload.data();
  return payload_header{get<std::uint32_t>(p), get<std::uint64_t>(p + 4), get<std::int64_t>(p + 12)};
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace unimq::bench
