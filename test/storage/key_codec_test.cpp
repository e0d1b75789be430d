#include <catch2/catch.hpp>

#include "storage/key_codec.hpp"
#include "storage/status.hpp"

using namespace unimq::storage;

TEST_CASE("key_codec: integers are big-endian so byte order is numeric order", "[storage][key_codec]") {
  std::string a;
  key_codec::put_u64(a, 0x0102030405060708ull);
  CHECK(a == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(key_codec::get_u64(a.data()) == 0x0102030405060708ull);
  CHECK(key_codec::sequence_key(255) < key_codec::sequence_key(256));
}

TEST_CASE("key_codec: queue keys round-trip and keep each queue's entries contiguous", "[storage][key_codec]") {
  for (const auto& q : {queue_id::topic("a/b"), queue_id::first_level("a", 7), queue_id::topic("/"), queue_id::first_level("", 0)}) {
    queue_id back;
    REQUIRE(key_codec::parse_queue_key(key_codec::queue_key(q), back));
    CHECK(back == q);
  }
  // "a" < "a/b" < "ab": no entry of one queue sorts between two entries of another.
  CHECK(key_codec::entry_key(queue_id::topic("a"), ~0ull) < key_codec::entry_key(queue_id::topic("a/b"), 0));
  CHECK(key_codec::entry_key(queue_id::topic("a/b"), ~0ull) < key_codec::entry_key(queue_id::topic("ab"), 0));
  CHECK(key_codec::entry_key(queue_id::first_level("a", 1), 5) < key_codec::entry_key(queue_id::first_level("a", 2), 0));
  queue_id junk;
  CHECK_FALSE(key_codec::parse_queue_key("", junk));
  CHECK_FALSE(key_codec::parse_queue_key("Xabc", junk));
  CHECK_FALSE(key_codec::parse_queue_key(std::string("Fa\0\1", 4), junk));  // partition too short
  CHECK_FALSE(key_codec::parse_queue_key(std::string("Ta\0x", 4), junk));
  CHECK(key_codec::has_nul(std::string("a\0", 2)));
  CHECK_FALSE(key_codec::has_nul("abc"));
  CHECK(key_codec::offset_key("c", queue_id::topic("t")) == std::string("c\0Tt\0", 5));
  CHECK(key_codec::directory_key("a", "a/b") == std::string("a\0a/b", 5));
}

TEST_CASE("status and result carry codes and messages", "[storage][status]") {
  CHECK(status::ok().to_string() == "ok");
  const auto s = status::quota_exceeded("full");
  CHECK_FALSE(s);
  CHECK(s.to_string() == "quota exceeded: full");
  result<int> r(status::ok());  // a result without a value is never ok
  CHECK_FALSE(r);
  CHECK(r.error().code() == status_code::internal);
  result<int> v(5);
  REQUIRE(v);
  CHECK(*v == 5);
}
