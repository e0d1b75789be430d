#include "actors/messages.hpp"
#include "actors/server_messages.hpp"

namespace unimq::actors {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<proto::StoredMessage>("unimq.StoredMessage");
  cfg.add_message_type<proto::Session>("unimq.Session");
  cfg.add_message_type<offset_commit>("unimq.offset_commit");
  cfg.add_message_type<session_update>("unimq.session_update");
  cfg.add_message_type<write_request>("unimq.write_request");
  cfg.add_message_type<appended>("unimq.appended");
  cfg.add_message_type<write_result>("unimq.write_result");
  cfg.add_message_type<topic_growth>("unimq.topic_growth");
  cfg.add_message_type<notify_event>("unimq.notify_event");
  cfg.add_message_type<queue_entry>("unimq.queue_entry");
  cfg.add_message_type<queue_batch>("unimq.queue_batch.v2");  // v2: raw records
  cfg.add_message_type<committed_topic>("unimq.committed_topic");
  cfg.add_message_type<committed_event>("unimq.committed_event");
  cfg.add_message_type<stored_session>("unimq.stored_session");
  cfg.add_message_type<storage_stats>("unimq.storage_stats");
  cfg.add_message_type<std::vector<proto::Session>>("unimq.Session_list");
  cfg.add_message_type<std::vector<proto::StoredMessage>>("unimq.StoredMessage_list");
  cfg.add_message_type<std::vector<std::string>>("unimq.string_list");
  // Server-side API (server_messages.hpp).
  cfg.add_message_type<produce_request>("unimq.produce_request");
  cfg.add_message_type<produce_result>("unimq.produce_result");
  cfg.add_message_type<start_spec>("unimq.start_spec");
  cfg.add_message_type<group_join>("unimq.group_join");
  cfg.add_message_type<join_result>("unimq.join_result");
  cfg.add_message_type<partition_grant>("unimq.partition_grant");
  cfg.add_message_type<assignment>("unimq.assignment");
  cfg.add_message_type<fetch_request>("unimq.fetch_request");
  cfg.add_message_type<partition_read>("unimq.partition_read");
  cfg.add_message_type<fetch_result>("unimq.fetch_result.v2");  // v2: sequences in the records
  cfg.add_message_type<partition_offset>("unimq.partition_offset");
  cfg.add_message_type<commit_request>("unimq.commit_request");
  cfg.add_message_type<commit_result>("unimq.commit_result");
  cfg.add_message_type<group_state_request>("unimq.group_state_request");
  cfg.add_message_type<group_state>("unimq.group_state");
}

}  // namespace unimq::actors
