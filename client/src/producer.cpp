// The producer: send() fills a batch under a lock in the caller's thread; a batch closes when full or
// when its linger timer fires, and one actor sends closed batches to the node service and completes
// their futures from the answers (after the storage commit).
#include <condition_variable>
#include <mutex>

#include "actors/produce_check.hpp"
#include "actors/server_messages.hpp"
#include "message_codec.hpp"
#include "node_impl.hpp"

namespace unimq::client {

/// A batch being filled or sent. Passed to the local sender actor by pointer, never serialized.
struct producer_batch {
  actors::produce_request request;
  std::vector<std::promise<receipt>> promises;
  std::size_t bytes = 0;
  std::uint64_t epoch = 0;
};

using batch_ptr = std::shared_ptr<producer_batch>;

}  // namespace unimq::client

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(unimq::client::batch_ptr)

namespace unimq::client {
namespace {

// Shared by the producer and its sender actor (which may run a moment longer than the producer).
struct producer_core {
  producer_options options;
  caf::actor sender;

  std::mutex mutex;
  std::condition_variable changed;
  batch_ptr current;
  std::uint64_t epoch = 0;
  std::size_t outstanding = 0;  // closed batches not answered yet
  std::string first_error;      // since the last flush()

  // Hands the current batch to the sender. Caller holds `mutex`.
  void close_batch() {
    if (!current || current->promises.empty()) return;
    ++outstanding;
    caf::anon_send(sender, actors::data_atom::value, std::move(current));
    current.reset();
  }

  void completed(const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex);
    --outstanding;
    if (!error.empty() && first_error.empty()) first_error = error;
    changed.notify_all();
  }
};

using core_ptr = std::shared_ptr<producer_core>;

// Completes the futures of `b`; returns the error they got (empty on success).
std::string answer(producer_batch& b, const actors::produce_result& r) {
  if (r.error.empty() && r.receipts.size() == b.promises.size()) {
    for (std::size_t i = 0; i < b.promises.size(); ++i) b.promises[i].set_value({r.receipts[i].partition, r.receipts[i].offset});
    return {};
  }
  const std::string why = r.error.empty() ? "the node answered a different number of receipts" : r.error;
  for (auto& p : b.promises) p.set_exception(std::make_exception_ptr(error(why)));
  return why;
}

caf::behavior sender(caf::event_based_actor* self, core_ptr p, caf::actor service, std::chrono::milliseconds timeout) {
  return {
      [=](actors::data_atom, batch_ptr& b) {
        auto request = std::move(b->request);
        self->request(service, timeout, actors::produce_atom::value, std::move(request))
            .then(
                [p, b](actors::produce_result& r) { p->completed(answer(*b, r)); },
                [p, b, self](caf::error& e) {
                  p->completed(answer(*b, actors::produce_result{"produce failed: " + self->system().render(e), {}}));
                });
      },
      [=](actors::flush_atom, std::uint64_t epoch) {
        std::lock_guard<std::mutex> lock(p->mutex);
        if (p->current && p->current->epoch == epoch) p->close_batch();
      },
  };
}

}  // namespace

struct producer::impl {
  std::shared_ptr<node> owner;
  core_ptr core;
};

producer::producer(std::shared_ptr<node> n, producer_options options) : _impl(std::make_unique<impl>()) {
  if (!n) throw error("producer: no node");
  if (options.producer_id.empty()) options.producer_id = generated_id("producer-");
  if (options.max_batch_messages == 0) options.max_batch_messages = 1;
  if (options.max_batches_in_flight == 0) options.max_batches_in_flight = 1;
  _impl->owner = n;
  _impl->core = std::make_shared<producer_core>();
  _impl->core->options = options;
  auto& ni = n->internals();
  _impl->core->sender = ni.system.spawn(sender, _impl->core, ni.service, ni.options.request_timeout);
}

producer::~producer() {
  try {
    flush();
  } catch (const std::exception&) {
    // The futures of those messages carry the error; a destructor cannot throw it.
  }
  caf::anon_send_exit(_impl->core->sender, caf::exit_reason::user_shutdown);
}

std::future<receipt> producer::send(message m) {
  auto& p = *_impl->core;
  const auto size = m.payload.size();
  if (m.expiry && m.expiry->count() < 0) throw error("a negative expiry");
  const auto now = now_unix_ms();
  auto stored = to_stored(std::move(m), now);
  // The node's own check (it refuses the whole batch otherwise), here to fail this send alone.
  if (auto why = actors::check_produced(stored, 0, now); !why.empty()) throw error(why);
  std::unique_lock<std::mutex> lock(p.mutex);
  if (!p.current) {
    // A new batch may close by its linger timer without another send: it starts only when it has a
    // slot, or a slow node would let batches (and memory) pile up without bound.
    p.changed.wait(lock, [&] { return p.outstanding < p.options.max_batches_in_flight; });
  }
  if (!p.current) {
    p.current = std::make_shared<producer_batch>();
    p.current->request.producer_id = p.options.producer_id;
    p.current->epoch = ++p.epoch;
    caf::delayed_anon_send(p.sender, p.options.linger, actors::flush_atom::value, p.current->epoch);
  }
  p.current->request.messages.push_back(std::move(stored));
  p.current->promises.emplace_back();
  auto future = p.current->promises.back().get_future();
  p.current->bytes += size;
  if (p.current->promises.size() >= p.options.max_batch_messages || p.current->bytes >= p.options.max_batch_bytes) {
    // A full batch waits for a free slot; the next one keeps filling meanwhile in other threads.
    p.changed.wait(lock, [&] { return p.outstanding < p.options.max_batches_in_flight; });
    p.close_batch();
  }
  return future;
}

void producer::flush() {
  auto& p = *_impl->core;
  std::unique_lock<std::mutex> lock(p.mutex);
  p.close_batch();
  p.changed.wait(lock, [&] { return p.outstanding == 0; });
  auto why = std::move(p.first_error);
  p.first_error.clear();
  if (!why.empty()) throw error(why);
}

}  // namespace unimq::client
