#pragma once
// The one place where client::message and the stored record (proto::StoredMessage) are mapped onto
// each other; docs/server-side.md lists the mapping.

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/proto/message.pb.h"
#include "unimq/client.hpp"

namespace unimq::client {

/// The record a producer sends for `m`; the expiry becomes an absolute deadline from `now_ms`.
proto::StoredMessage to_stored(message m, std::uint64_t now_ms);

/// Parses a raw stored record at `offset` of `partition` into `out`; false if it does not parse.
/// The remaining expiry is computed against `now_ms` (0 s once the deadline has passed).
bool from_record(std::string_view record, std::uint32_t partition, std::uint64_t offset, std::uint64_t now_ms,
                 message& out);

}  // namespace unimq::client
