// The producer's flow control against a node that does not answer: a stand-in node service in this
// process, published on a loopback port, keeps every produce request unanswered.
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <caf/io/all.hpp>
#include <thread>

#include "actors/messages.hpp"
#include "actors/server_messages.hpp"
#include "server_fixture.hpp"

using namespace unimq;
using namespace std::chrono_literals;

namespace {

struct silent_node_state {
  std::vector<caf::response_promise> unanswered;
};

// Counts produce requests and answers the oldest unanswered one per data_atom it is sent.
caf::behavior silent_node(caf::stateful_actor<silent_node_state>* self, std::atomic<int>* requests) {
  return {
      [=](actors::produce_atom, const actors::produce_request&) -> caf::result<actors::produce_result> {
        ++*requests;
        self->state.unanswered.push_back(self->make_response_promise());
        return caf::delegated<actors::produce_result>();
      },
      [=](actors::data_atom) {
        auto& u = self->state.unanswered;
        if (u.empty()) return;
        u.front().deliver(actors::produce_result{{}, {{0, 0}}});
        u.erase(u.begin());
      },
  };
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 10s) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("producer: batches closed by the linger timer respect max_batches_in_flight", "[server]") {
  caf::actor_system_config cfg;
  actors::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system system{cfg};
  std::atomic<int> requests{0};
  auto service = system.spawn(silent_node, &requests);
  auto port = system.middleman().publish(service, 0, "127.0.0.1");
  REQUIRE(port);
  {
    auto node = client::node::connect("127.0.0.1", *port);
    client::producer_options options;
    options.max_batches_in_flight = 2;
    options.linger = std::chrono::microseconds(1000);
    client::producer p(node, options);
    std::atomic<int> sent{0};
    std::thread sender([&] {
      for (int i = 0; i < 3; ++i) {
        p.send(st::numbered("t/x", i));
        ++sent;
        wait_for([&] { return requests >= sent; });  // one batch per message, each closed by its linger
      }
    });
    REQUIRE(wait_for([&] { return requests == 2; }));
    // Two batches unanswered: the third send waits for a slot (for a moment: it must not get one).
    std::this_thread::sleep_for(300ms);
    CHECK(requests == 2);
    CHECK(sent == 2);
    caf::anon_send(service, actors::data_atom::value);
    CHECK(wait_for([&] { return requests == 3 && sent == 3; }));
    sender.join();
    caf::anon_send(service, actors::data_atom::value);
    caf::anon_send(service, actors::data_atom::value);
  }  // the producer's destructor flushes: every batch was answered
  caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
}
