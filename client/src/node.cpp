#include <atomic>
#include <chrono>
#include <unistd.h>

#include "actors/messages.hpp"
#include "actors/node_service.hpp"
#include "config/value_parsers.hpp"
#include "node_impl.hpp"

namespace unimq::client {
namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  actors::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  actors::set_link_timeouts(cfg);
  // A client is a guest in someone's process: two workers are plenty for its few actors.
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}

}  // namespace

node::impl::impl(std::string where_, node_options options_)
    : system(configure(config)), where(std::move(where_)), options(options_) {}

std::uint64_t now_unix_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string generated_id(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  char host[64] = {};
  gethostname(host, sizeof host - 1);
  return prefix + host + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

node::node(std::unique_ptr<impl> impl) : _impl(std::move(impl)) {}

node::~node() = default;

std::shared_ptr<node> node::connect(const std::string& host, std::uint16_t port, node_options options) {
  const std::string where = host + ":" + std::to_string(port);
  auto i = std::make_unique<impl>(where, options);
  std::string why = "no answer within " + std::to_string(options.connect_timeout.count()) + " ms";
  {
    // The middleman's asynchronous connect, so that an unreachable node costs connect_timeout at most.
    caf::scoped_actor self{i->system};
    self->request(i->system.middleman().actor_handle(), options.connect_timeout, caf::connect_atom::value, host, port)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& service, const std::set<std::string>&) {
              i->service = caf::actor_cast<caf::actor>(service);
            },
            [&](const caf::error& e) { why = i->system.render(e); });
  }
  if (!i->service) throw error("cannot reach the unimq node at " + where + ": " + why);
  return std::shared_ptr<node>(new node(std::move(i)));
}

std::shared_ptr<node> node::connect(const std::string& host_port, node_options options) {
  config::listen_address address;
  if (auto why = config::parse_listen_address(host_port, address)) throw error(*why);
  return connect(address.host, address.port, options);
}

}  // namespace unimq::client
