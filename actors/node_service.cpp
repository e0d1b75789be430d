#include "actors/node_service.hpp"

#include <map>

#include "actors/group_coordinator.hpp"
#include "actors/produce_check.hpp"
#include "actors/server_messages.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"
#include "protocol/utf8.hpp"

namespace unimq::actors {
namespace {

// A produce batch waits at most this long for its commit before the producer is told it failed.
constexpr auto kStorageTimeout = std::chrono::seconds(30);
// Group names are stored in offset keys; a bound keeps a hostile client from bloating them.
constexpr std::size_t kMaxGroupName = 256;
// Producer and member ids are stored with messages or logged; bounded like group names.
constexpr std::size_t kMaxId = 256;
// Groups with a member at once (a coordinator each, ended when its last member goes): a bound on what
// a peer joining under ever new group names can make the node hold.
constexpr std::size_t kMaxGroups = 10000;

struct coordinator_entry {
  caf::actor coordinator;
  std::uint64_t joins = 0;  // joins sent to it: an idle report that counted fewer is stale
};

struct service_state {
  static inline const char* name = "node-service";
  caf::actor writer;
  caf::actor reader;
  std::uint16_t max_topic_levels = 0;
  std::map<std::pair<std::string, std::string>, coordinator_entry> coordinators;  // by (group, topic)
};

using service_actor = caf::stateful_actor<service_state>;

std::string check_join(const group_join& j) {
  if (j.group.empty()) return "the group name is empty";
  if (j.group.size() > kMaxGroupName) return "the group name is longer than " + std::to_string(kMaxGroupName) + " bytes";
  if (j.group.find('\0') != std::string::npos) return "the group name contains a NUL character";
  if (j.member_id.size() > kMaxId) return "the member id is longer than " + std::to_string(kMaxId) + " bytes";
  if (mqtt::validate_utf8(j.topic) != mqtt::utf8_error::none) return "the topic is not valid UTF-8";
  if (auto e = mqtt::validate_topic_name(j.topic); e != mqtt::topic_error::none)
    return "invalid topic '" + j.topic + "': " + mqtt::to_string(e);
  if (mqtt::first_level(j.topic) != j.topic) return "'" + j.topic + "' is not a first-level topic (no '/')";
  if (!j.member) return "the join names no member actor";
  if (j.from.kind > start_spec::timestamp) return "unknown start position " + std::to_string(j.from.kind);
  return {};
}

caf::result<produce_result> produce(service_actor* self, produce_request& request) {
  if (request.producer_id.size() > kMaxId) {
    log::write(log::level::warn, "node", "batch refused: producer id of " + std::to_string(request.producer_id.size()) + " bytes");
    return produce_result{"the producer id is longer than " + std::to_string(kMaxId) + " bytes", {}};
  }
  write_request write;
  write.messages.reserve(request.messages.size());
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  for (auto& m : request.messages) {
    if (auto why = check_produced(m, self->state.max_topic_levels, now_ms); !why.empty()) {
      log::write(log::level::warn, "node", "producer=" + request.producer_id + " batch refused: " + why);
      return produce_result{why, {}};
    }
    m.set_origin(request.producer_id);
    m.set_origin_kind(proto::StoredMessage::ORIGIN_PRODUCER);
    m.set_timestamp_ms(0);  // the store's clock
    // A retained message also becomes its topic's retained message, as an MQTT PUBLISH with RETAIN would.
    if (m.retain()) write.retained.push_back(m);
    write.messages.push_back(std::move(m));
  }
  auto promise = self->make_response_promise();
  const auto count = write.messages.size();
  self->request(self->state.writer, kStorageTimeout, write_atom::value, std::move(write))
      .then(
          [promise, count](write_result& r) mutable {
            produce_result out;
            if (!r.ok()) {
              out.error = "storage: " + r.error;
            } else if (r.messages.size() != count) {
              out.error = "storage answered " + std::to_string(r.messages.size()) + " of " + std::to_string(count) + " messages";
            } else {
              out.receipts.reserve(count);
              for (const auto& a : r.messages) out.receipts.push_back({a.partition, a.first_level_offset});
            }
            promise.deliver(std::move(out));
          },
          [promise](caf::error& e) mutable { promise.deliver(produce_result{"storage: " + caf::to_string(e), {}}); });
  return caf::delegated<produce_result>();
}

// Hands a checked join to the coordinator of (group, topic), spawning it at the group's first join.
caf::result<join_result> on_join(service_actor* self, group_join& join) {
  if (auto why = check_join(join); !why.empty()) {
    log::write(log::level::warn, "node", "member=" + join.member_id.substr(0, kMaxId) + " join refused: " + why);
    return join_result{why, {}, 0};
  }
  auto& coordinators = self->state.coordinators;
  const auto key = std::make_pair(join.group, join.topic);
  auto it = coordinators.find(key);
  if (it == coordinators.end()) {
    if (coordinators.size() >= kMaxGroups) {
      log::write(log::level::warn, "node", "member=" + join.member_id + " join refused: " + std::to_string(kMaxGroups) + " groups");
      return join_result{"the node serves " + std::to_string(kMaxGroups) + " groups, the most it takes", {}, 0};
    }
    auto coordinator = spawn_group_coordinator(self, join.group, join.topic, self->state.writer, self->state.reader);
    it = coordinators.emplace(key, coordinator_entry{std::move(coordinator), 0}).first;
  }
  ++it->second.joins;
  // A request, not a delegation: the coordinator takes joins from the service only.
  auto promise = self->make_response_promise();
  self->request(it->second.coordinator, caf::infinite, join_atom::value, std::move(join))
      .then([promise](join_result& r) mutable { promise.deliver(std::move(r)); },
            [promise](caf::error& e) mutable { promise.deliver(join_result{"join: " + caf::to_string(e), {}, 0}); });
  return caf::delegated<join_result>();
}

caf::behavior node_service(service_actor* self, caf::actor writer, caf::actor reader, std::uint16_t max_topic_levels) {
  self->state.writer = std::move(writer);
  self->state.reader = std::move(reader);
  self->state.max_topic_levels = max_topic_levels;
  // Any peer may send anything: CAF's default prints each unexpected message to stdout (the log), so a
  // peer could flood it. Dropped silently; a request still gets CAF's unexpected_message error.
  self->set_default_handler(caf::drop);
  return {
      [self](produce_atom, produce_request& request) { return produce(self, request); },
      [self](join_atom, group_join& join) { return on_join(self, join); },
      [self](leave_atom, const std::string& group, const std::string& topic, std::uint64_t joins) {
        auto& coordinators = self->state.coordinators;
        auto it = coordinators.find({group, topic});
        if (it == coordinators.end() || it->second.joins != joins ||
            it->second.coordinator.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
          return;  // a join overtook the report (or a peer forged it)
        self->send(it->second.coordinator, shutdown_atom::value);
        coordinators.erase(it);
      },
  };
}

}  // namespace

void set_link_timeouts(caf::actor_system_config& cfg) {
  cfg.set("middleman.heartbeat-interval", caf::timespan{kLinkHeartbeat});
  cfg.set("middleman.connection-timeout", caf::timespan{kLinkTimeout});
}

caf::actor spawn_node_service(caf::actor_system& system, caf::actor writer, caf::actor reader,
                              std::uint16_t max_topic_levels) {
  return system.spawn(node_service, std::move(writer), std::move(reader), max_topic_levels);
}

}  // namespace unimq::actors
