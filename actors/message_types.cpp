#include "actors/messages.hpp"

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
  cfg.add_message_type<queue_batch>("unimq.queue_batch");
  cfg.add_message_type<stored_session>("unimq.stored_session");
  cfg.add_message_type<storage_stats>("unimq.storage_stats");
  cfg.add_message_type<std::vector<proto::Session>>("unimq.Session_list");
  cfg.add_message_type<std::vector<proto::StoredMessage>>("unimq.StoredMessage_list");
  cfg.add_message_type<std::vector<std::string>>("unimq.string_list");
}

}  // namespace unimq::actors
