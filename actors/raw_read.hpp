#pragma once
// Raw reads: the records of one queue copied out of a read snapshot into a record blob, unparsed,
// so that a read of thousands of messages is one allocation and each is parsed once, by its user.

#include <cstdint>
#include <string>

#include "storage/store.hpp"

namespace unimq::actors {

/// What a raw read of a queue found.
struct raw_read {
  std::string records;            ///< record_blob.hpp
  std::uint32_t count = 0;        ///< the records in `records`
  std::uint64_t next_offset = 0;  ///< one past the last record: the offset to read next
  std::uint64_t end_offset = 0;   ///< the queue's next offset as of the read
  bool skipped_to_oldest = false;  ///< `from` had been deleted by retention: the read began at the oldest
  std::string error;               ///< non-empty if the read failed
};

/// Up to `max_messages` records of `queue` from `from`, at most `max_bytes` of blob but at least one
/// record. Below the oldest offset the read starts at the oldest.
raw_read read_raw(storage::store& store, const storage::queue_id& queue, std::uint64_t from,
                  std::uint32_t max_messages, std::size_t max_bytes);

}  // namespace unimq::actors
