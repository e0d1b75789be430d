#pragma once
// Reads for the server-side API, served by the storage reader: raw records of a first-level
// partition for a fetch, and what a group coordinator needs at a join (partition count, committed
// offsets, where a start position puts each partition). Each call is one short read snapshot.

#include "actors/server_messages.hpp"
#include "storage/store.hpp"

namespace unimq::actors {

/// Up to read.max_messages records (at most read.max_bytes, but at least one) of the partition from
/// read.from, packed raw into fetch_result::records (record_blob.hpp). Below the oldest offset the
/// read starts at the oldest.
fetch_result read_partition(storage::store& store, const partition_read& read);

/// The partition count of request.topic, the committed offsets of request.consumer and the start
/// offset request.from gives each partition: newest = the end, oldest = the oldest kept, offset = that
/// offset clamped to [oldest, end], timestamp = the first message stored at or after it (the end if none).
group_state read_group_state(storage::store& store, const group_state_request& request);

}  // namespace unimq::actors
