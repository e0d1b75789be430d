#include "storage/key_codec.hpp"

#include <tuple>

namespace unimq::storage {

bool operator<(const queue_id& a, const queue_id& b) {
  return std::tie(a.kind, a.name, a.partition) < std::tie(b.kind, b.name, b.partition);
}

std::string to_string(const queue_id& q) {
  if (q.kind == queue_kind::topic) return "topic '" + q.name + "'";
  return "first-level '" + q.name + "' partition " + std::to_string(q.partition);
}

namespace key_codec {

void put_u64(std::string& out, std::uint64_t v) {
  char b[kU64Size];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, kU64Size);
}

void put_u32(std::string& out, std::uint32_t v) {
  char b[kU32Size];
  for (int i = 3; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, kU32Size);
}

std::uint64_t get_u64(const char* in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < kU64Size; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::uint32_t get_u32(const char* in) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < kU32Size; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string sequence_key(std::uint64_t seq) {
  std::string k;
  put_u64(k, seq);
  return k;
}

std::string queue_key(const queue_id& q) {
  std::string k;
  k.reserve(q.name.size() + 2 + kU32Size + kU64Size);  // room for the entry offset too
  k.push_back(static_cast<char>(q.kind));
  k.append(q.name);
  k.push_back('\0');
  if (q.kind == queue_kind::first_level) put_u32(k, q.partition);
  return k;
}

void append_offset(std::string& key, std::uint64_t offset) { put_u64(key, offset); }

std::string entry_key(const queue_id& q, std::uint64_t offset) {
  std::string k = queue_key(q);
  put_u64(k, offset);
  return k;
}

std::string directory_prefix(std::string_view first_level) {
  std::string k(first_level);
  k.push_back('\0');
  return k;
}

std::string directory_key(std::string_view first_level, std::string_view topic) {
  std::string k = directory_prefix(first_level);
  k.append(topic);
  return k;
}

std::string offset_prefix(std::string_view consumer) {
  std::string k(consumer);
  k.push_back('\0');
  return k;
}

std::string offset_key(std::string_view consumer, const queue_id& q) { return offset_prefix(consumer) + queue_key(q); }

bool parse_queue_key(std::string_view key, queue_id& out) {
  if (key.size() < 2) return false;
  const auto kind = static_cast<queue_kind>(key[0]);
  if (kind != queue_kind::first_level && kind != queue_kind::topic) return false;
  const auto nul = key.find('\0', 1);
  if (nul == std::string_view::npos) return false;
  out.kind = kind;
  out.name.assign(key.substr(1, nul - 1));
  out.partition = 0;
  const auto rest = key.substr(nul + 1);
  if (kind == queue_kind::first_level) {
    if (rest.size() != kU32Size) return false;
    out.partition = get_u32(rest.data());
  } else if (!rest.empty()) {
    return false;
  }
  return true;
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace key_codec
}  // namespace unimq::storage
