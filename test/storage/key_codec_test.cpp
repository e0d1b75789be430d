#include <catch2/catch.hpp>

#include "storage/key_codec.hpp"

using namespace unimq::storage;

TEST_CASE("key_codec: integers are big-endian so byte order is numeric order", "[storage][key_codec]") {
  std::string a;
  key_codec::put_u64(a, 0x0102030405060708ull);
  CHECK(a == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(key_codec::get_u64(a.data()) == 0x0102030405060708ull);
  CHECK(key_codec::sequence_key(255) < key_codec::sequence_key(256));
}
