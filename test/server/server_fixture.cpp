#include "server_fixture.hpp"

#include "actors/messages.hpp"

namespace unimq::st {

std::unique_ptr<it::broker_process> start_node_broker(std::uint32_t partitions, bool sync) {
  it::broker_options o;
  o.node_port = true;
  o.log_level = "info";
  o.storage_sync = sync ? "sync" : "nosync";
  o.extra_args = {"--storage-partitions", std::to_string(partitions)};
  auto b = std::make_unique<it::broker_process>(o);
  b->start();
  return b;
}

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  actors::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  return cfg;
}

}  // namespace

raw_node::raw_node(const it::broker_process& broker) : system(configure(config)) {
  auto s = system.middleman().remote_actor(broker.host(), broker.node_port());
  if (!s) throw std::runtime_error("cannot reach the node port: " + system.render(s.error()));
  service = *s;
}

std::shared_ptr<client::node> connect(const it::broker_process& broker) {
  return client::node::connect(broker.host(), broker.node_port());
}

client::message numbered(const std::string& topic, int seq) {
  client::message m;
  m.topic = topic;
  m.payload = std::to_string(seq);
  return m;
}

std::vector<client::message> poll_until(client::consumer& c, const std::function<bool(const std::vector<client::message>&)>& done,
                                        std::chrono::milliseconds deadline) {
  std::vector<client::message> out;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done(out) && std::chrono::steady_clock::now() < until) {
    for (auto& m : c.poll(100ms)) out.push_back(std::move(m));
  }
  return out;
}

std::vector<client::message> poll_count(client::consumer& c, std::size_t n, std::chrono::milliseconds deadline) {
  return poll_until(c, [n](const auto& got) { return got.size() >= n; }, deadline);
}

std::uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::vector<int> sequence_numbers(const std::vector<client::message>& messages) {
  std::vector<int> out;
  out.reserve(messages.size());
  for (const auto& m : messages) out.push_back(std::stoi(m.payload));
  return out;
}

}  // namespace unimq::st
