#include "actors/sys_topics.hpp"

#include "actors/messages.hpp"

namespace unimq::actors {
namespace {

proto::StoredMessage sys_message(const std::string& name, const std::string& value, std::uint64_t now_ms) {
  proto::StoredMessage m;
  m.set_topic("$SYS/broker/" + name);
  m.set_payload(value);
  m.set_retain(true);
  m.set_origin("$SYS");
  m.set_origin_kind(proto::StoredMessage::ORIGIN_PRODUCER);
  m.set_timestamp_ms(now_ms);
  return m;
}

void publish(caf::event_based_actor* self, const broker_context& ctx, const storage_stats& storage) {
  const auto& s = *ctx.stats;
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - ctx.started);
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::pair<const char*, std::string> values[] = {
      {"version", "unimq " UNIMQ_VERSION},
      {"uptime", std::to_string(uptime.count()) + " seconds"},
      {"clients/connected", std::to_string(s.clients_connected.load())},
      {"clients/total", std::to_string(s.connections_total.load())},
      {"messages/received", std::to_string(s.messages_received.load())},
      {"messages/sent", std::to_string(s.messages_sent.load())},
      {"messages/dropped", std::to_string(s.messages_dropped.load())},
      {"bytes/received", std::to_string(s.bytes_received.load())},
      {"bytes/sent", std::to_string(s.bytes_sent.load())},
      {"store/messages", std::to_string(storage.message_count)},
      {"store/bytes", std::to_string(storage.log_bytes)},
  };
  write_request r;
  for (const auto& [name, value] : values) {
    auto m = sys_message(name, value, now);
    r.retained.push_back(m);
    r.messages.push_back(std::move(m));
  }
  self->request(ctx.writer, caf::infinite, write_atom::value, std::move(r)).then([](const write_result&) {});
}

caf::behavior sys_topics(caf::event_based_actor* self, std::shared_ptr<const broker_context> ctx) {
  const auto interval = ctx->options.sys_interval;
  if (interval.count() == 0) return {};
  // Like Mosquitto, the first values appear after one interval.
  self->delayed_send(self, interval, tick_atom::value);
  return {
      [=](tick_atom) {
        self->request(ctx->reader, caf::infinite, stats_atom::value).then([=](const storage_stats& storage) {
          publish(self, *ctx, storage);
        });
        self->delayed_send(self, interval, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_sys_topics(caf::actor_system& system, std::shared_ptr<const broker_context> ctx) {
  return system.spawn(sys_topics, std::move(ctx));
}

}  // namespace unimq::actors
