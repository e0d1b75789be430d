#pragma once
// The broker's settings as typed values. The defaults below are the only place a default is written:
// --help, examples/unimqd.conf and the option table all render them from a default-constructed
// broker_options.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/log.hpp"

namespace unimq::config {

/// Largest packet MQTT can express: 1 type byte, 4 length bytes, 268435455 body bytes.
constexpr std::uint64_t kMaxPacketSizeLimit = 268'435'460;

/// One address to accept connections on. `host` is stored without IPv6 brackets ("::", not "[::]").
/// Port 0 asks the OS for a free port (tests use it).
struct listen_address {
  std::string host;
  std::uint16_t port = 0;
};

bool operator==(const listen_address& a, const listen_address& b);
inline bool operator!=(const listen_address& a, const listen_address& b) { return !(a == b); }

/// "0.0.0.0:1883", or "[::]:1883" for an IPv6 host.
std::string to_string(const listen_address& a);

/// Whether storage flushes to disk before a message is acknowledged.
enum class storage_sync_mode { sync, nosync };

/// Every setting of unimqd. See help_text() (or examples/unimqd.conf) for what each one means.
struct broker_options {
  std::vector<listen_address> listen{{"0.0.0.0", 1883}};
  std::string data_dir = "./data";
  /// --config FILE; empty when no file was given. Command line only.
  std::string config_file;
  log::level log_level = log::level::info;

  std::uint32_t max_packet_size = 1024 * 1024;
  std::uint16_t receive_maximum = 1024;
  std::uint16_t max_inflight = 64;
  std::uint64_t max_queued_bytes = 1024 * 1024;
  /// 0 = no cap. Seven days: sessions of clients that never come back would otherwise hold storage
  /// forever, and a week covers a device that is offline over a long weekend.
  std::chrono::seconds max_session_expiry = std::chrono::hours(24 * 7);
  bool retain = true;

  storage_sync_mode storage_sync = storage_sync_mode::sync;
  std::uint64_t storage_map_size_max = std::uint64_t{8} << 30;
  /// 0 = no age limit.
  std::chrono::seconds storage_retention_age = std::chrono::hours(24 * 7);
  /// 0 = no size limit.
  std::uint64_t storage_retention_bytes = 0;
  /// Partitions of a new first-level topic: the members of a consumer group share them.
  std::uint32_t storage_partitions = 4;

  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  /// 65535 s is the largest Keep Alive MQTT can express, so the default caps nothing.
  std::chrono::seconds max_keep_alive{65535};
  /// 0 = no limit.
  std::uint16_t max_topic_levels = 32;
  /// 0 disables topic aliases from clients.
  std::uint16_t topic_alias_maximum = 64;
  /// 0 = unlimited.
  std::uint32_t max_connections = 0;
  /// 0 disables $SYS.
  std::chrono::milliseconds sys_interval = std::chrono::seconds(10);
  /// 0 = the CAF middleman port is not opened.
  std::uint16_t node_port = 0;
};

}  // namespace unimq::config
