#pragma once
// Shared helpers for the storage tests: a unique temporary directory and message builders.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "protocol/proto/message.pb.h"
#include "storage/store.hpp"

namespace unimq::storage::test {

/// A fresh directory under $TMPDIR (mkdtemp), removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/unimq-storage-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    _path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(_path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return _path; }
  /// The store directory inside it (created by the store).
  std::string data() const { return _path + "/data"; }

 private:
  std::string _path;
};

inline proto::StoredMessage make_message(const std::string& topic, const std::string& payload, std::uint32_t qos = 1,
                                         std::uint64_t timestamp_ms = 1000) {
  proto::StoredMessage m;
  m.set_topic(topic);
  m.set_payload(payload);
  m.set_qos(qos);
  m.set_origin("client-1");
  m.set_timestamp_ms(timestamp_ms);
  return m;
}

inline store_options options_for(const temp_dir& dir) {
  store_options o;
  o.data_dir = dir.data();
  o.initial_map_size = 1 << 20;
  o.max_map_size = 256 << 20;
  return o;
}

/// Opens a store and fails the test (with the status message) if that does not work.
inline std::unique_ptr<store> open_or_fail(const store_options& o) {
  auto s = store::open(o);
  if (!s) throw std::runtime_error("store::open failed: " + s.error().to_string());
  return std::move(*s);
}

}  // namespace unimq::storage::test
