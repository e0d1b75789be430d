// The record blob of raw reads (actors/record_blob.hpp): what is appended is walked back unchanged,
// and a truncated or lying blob (it crosses nodes) stops the walk and says so.
#include "actors/record_blob.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

using namespace unimq::actors;

namespace {
using record = std::tuple<std::uint64_t, std::uint64_t, std::string>;

std::vector<record> walk(const std::string& blob, bool& malformed) {
  record_blob::reader r(blob);
  std::vector<record> out;
  std::uint64_t offset = 0, sequence = 0;
  std::string_view bytes;
  while (r.next(offset, sequence, bytes)) out.emplace_back(offset, sequence, std::string(bytes));
  malformed = r.malformed();
  return out;
}
}  // namespace

TEST_CASE("record blob: records come back in order with their offsets and sequences") {
  const std::vector<record> in = {{0, 7, "first"}, {1, 9, ""}, {UINT64_MAX, UINT64_MAX - 1, std::string(70000, 'x')}};
  std::string blob;
  for (const auto& [offset, sequence, bytes] : in) record_blob::append(blob, offset, sequence, bytes);
  CHECK(blob.size() == 3 * record_blob::kHeaderSize + 5 + 70000);
  bool malformed = true;
  CHECK(walk(blob, malformed) == in);
  CHECK_FALSE(malformed);
  CHECK(walk("", malformed).empty());
  CHECK_FALSE(malformed);
}

TEST_CASE("record blob: a truncated blob or a size past its end is malformed") {
  std::string blob;
  record_blob::append(blob, 3, 4, "abc");
  record_blob::append(blob, 4, 5, "defgh");
  bool malformed = false;
  for (std::size_t cut = 1; cut < blob.size(); ++cut) {
    if (cut == record_blob::kHeaderSize + 3) continue;  // exactly one whole record
    INFO("cut at " << cut);
    walk(blob.substr(0, cut), malformed);
    CHECK(malformed);
  }
  std::string lying;
  record_blob::append(lying, 1, 1, "abc");
  lying[16] = '\xff';  // the size field: 255 bytes, where 3 follow
  CHECK(walk(lying, malformed).empty());
  CHECK(malformed);
}
