// Damaged data files: truncated, garbage, emptied or wrong-typed data.mdb must give a clear start-up
// error, never a crash (a truncated map would otherwise SIGBUS on first touch).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "test_util.hpp"

using namespace unimq::storage;
using namespace unimq::storage::test;

namespace {

void fill_store(const store_options& o) {
  auto s = open_or_fail(o);
  for (int i = 0; i < 50; ++i) {
    write_batch b;
    for (int j = 0; j < 20; ++j) b.append(make_message("d/" + std::to_string(j), std::string(200, 'x')));
    REQUIRE(s->append(b));
  }
}

status open_error(const store_options& o) {
  auto s = store::open(o);
  return s ? status::ok() : s.error();
}

}  // namespace

TEST_CASE("damaged data.mdb gives a clear error, not a crash", "[storage][damaged]") {
  temp_dir dir;
  const auto o = options_for(dir);
  fill_store(o);
  const auto data = dir.data() + "/data.mdb";
  const auto size = std::filesystem::file_size(data);
  REQUIRE(size > 64 * 1024);

  SECTION("truncated in the middle") {
    std::filesystem::resize_file(data, size / 2);
    const auto e = open_error(o);
    CHECK(e.code() == status_code::corruption);
    CHECK(e.message().find("truncated") != std::string::npos);
  }
  SECTION("truncated to less than the meta pages") {
    std::filesystem::resize_file(data, 100);
    const auto e = open_error(o);
    CHECK(e.code() == status_code::corruption);
    CHECK(e.message().find("truncated") != std::string::npos);
  }
  SECTION("emptied (LMDB alone would start a new, empty store)") {
    std::filesystem::resize_file(data, 0);
    CHECK(open_error(o).code() == status_code::corruption);
  }
  SECTION("overwritten with garbage") {
    std::mt19937 rng(7);
    std::string junk(size, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    std::ofstream(data, std::ios::binary | std::ios::trunc) << junk;
    const auto e = open_error(o);
    CHECK(e.code() == status_code::corruption);
    CHECK(e.message().find("not an LMDB environment") != std::string::npos);
  }
  SECTION("a text file where data.mdb should be") {
    std::ofstream(data, std::ios::trunc) << std::string(20000, 'z');
    CHECK(open_error(o).code() == status_code::corruption);
  }
  SECTION("data.mdb is a directory") {
    std::filesystem::remove(data);
    std::filesystem::create_directory(data);
    CHECK_FALSE(open_error(o).is_ok());
  }
  SECTION("the data dir is a file") {
    auto other = o;
    other.data_dir = data;
    CHECK(open_error(other).code() == status_code::not_ours);
  }
  SECTION("intact, it still opens") {
    auto s = store::open(o);
    REQUIRE(s);
    CHECK((*s)->stats().message_count == 1000);
  }
}
