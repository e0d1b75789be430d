// The polling side of a consumer: poll() commits what the previous poll returned (without waiting),
// then parses the fetched record blobs into messages. See consumer_actor.hpp for the fetching side.
#include <limits>
#include <optional>

#include "actors/record_blob.hpp"
#include "consumer_actor.hpp"
#include "message_codec.hpp"
#include "node_impl.hpp"

namespace unimq::client {
namespace {

actors::start_spec to_spec(const start_position& s) {
  actors::start_spec out;
  out.kind = static_cast<std::uint8_t>(s.where);
  out.value = s.value;
  out.reset = s.reset;
  return out;
}

template <class T>
T clamp_to(std::size_t v) {
  return static_cast<T>(std::min<std::size_t>(std::max<std::size_t>(v, 1), std::numeric_limits<T>::max()));
}

// A read position: the next offset of a partition under one grant.
struct position {
  std::uint64_t since = 0;
  std::uint64_t offset = 0;
};

}  // namespace

struct consumer::impl {
  std::shared_ptr<node> owner;
  consumer_options options;
  std::shared_ptr<consumer_shared> shared = std::make_shared<consumer_shared>();
  caf::actor actor;

  // Owned by the polling thread.
  std::optional<actors::fetch_result> current;  // the answer being parsed
  std::size_t current_pos = 0;
  std::map<std::uint32_t, position> delivered;  // after the last message poll returned
  std::map<std::uint32_t, position> committed;  // last commit sent

  // The commit of everything delivered, or with `only_new` of what no commit was sent for yet.
  actors::commit_request pending_commit(bool only_new) {
    actors::commit_request c;
    std::lock_guard<std::mutex> lock(shared->mutex);
    c.generation = shared->generation;
    for (const auto& [p, d] : delivered) {
      auto grant = shared->grants.find(p);
      if (grant == shared->grants.end() || grant->second != d.since) continue;  // moved: not ours to commit
      auto sent = committed.find(p);
      if (only_new && sent != committed.end() && sent->second.since == d.since && sent->second.offset >= d.offset) continue;
      c.offsets.push_back({p, d.offset});
      committed[p] = d;
    }
    return c;
  }

  void throw_if_failed() {
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (!shared->fatal.empty()) throw error(shared->fatal);
  }

  // Takes the next answer that still belongs to the current assignment into `current`.
  bool next_answer(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(shared->mutex);
    for (;;) {
      if (!shared->fatal.empty()) throw error(shared->fatal);
      while (!shared->ready.empty()) {
        auto r = std::move(shared->ready.front());
        shared->ready.pop_front();
        auto g = shared->grants.find(r.partition);
        if (g != shared->grants.end() && g->second == r.since) {
          current = std::move(r);
          current_pos = 0;
          return true;
        }
      }
      if (shared->changed.wait_until(lock, deadline) == std::cv_status::timeout && shared->ready.empty()) return false;
    }
  }

  // True while the partition of `current` is still granted as it was when fetched.
  bool current_still_granted() {
    std::lock_guard<std::mutex> lock(shared->mutex);
    auto g = shared->grants.find(current->partition);
    return g != shared->grants.end() && g->second == current->since;
  }

  // Parses messages of `current` into `out` up to the poll limit; hands the answer back when done.
  void parse_current(std::vector<message>& out) {
    if (!current_still_granted()) {
      current.reset();  // moved to another member, who reads it from the group's offset
      return;
    }
    const auto now = now_unix_ms();
    actors::record_blob::reader blob(current->records, current_pos);
    std::uint64_t offset = 0, sequence = 0;
    std::string_view record;
    bool any = false;
    while (out.size() < options.max_poll_messages && blob.next(offset, sequence, record)) {
      out.emplace_back();
      if (!from_record(record, current->partition, offset, now, out.back()))
        throw error("partition " + std::to_string(current->partition) + " offset " + std::to_string(offset) +
                    ": a stored record does not parse");
      any = true;
    }
    if (blob.malformed()) throw error("a fetch answer from the node is malformed");
    if (any) delivered[current->partition] = {current->since, offset + 1};
    current_pos = blob.position();
    if (current_pos >= current->records.size()) {
      caf::anon_send(actor, actors::resume_atom::value, current->partition, current->since);
      current.reset();
    }
  }
};

consumer::consumer(std::shared_ptr<node> n, consumer_options options) : _impl(std::make_unique<impl>()) {
  if (!n) throw error("consumer: no node");
  if (options.max_poll_messages == 0) options.max_poll_messages = 1;
  auto& ni = n->internals();
  _impl->owner = n;
  _impl->options = options;
  consumer_setup setup;
  setup.shared = _impl->shared;
  setup.service = ni.service;
  setup.where = ni.where;
  setup.join.group = options.group;
  setup.join.topic = options.topic;
  setup.join.member_id = generated_id("");
  setup.join.from = to_spec(options.from);
  setup.max_messages = clamp_to<std::uint32_t>(options.max_poll_messages);
  setup.max_bytes = clamp_to<std::uint32_t>(options.max_fetch_bytes);
  setup.request_timeout = ni.options.request_timeout;
  _impl->actor = spawn_consumer_actor(ni.system, std::move(setup));
  std::string why = "no answer from the unimq node at " + ni.where;
  bool joined = false;
  caf::scoped_actor self{ni.system};
  self->request(_impl->actor, ni.options.request_timeout * 2, actors::join_atom::value)
      .receive(
          [&](const actors::join_result& r) {
            joined = r.error.empty();
            if (!joined) why = r.error;
          },
          [&](const caf::error& e) { why = ni.system.render(e); });
  if (!joined) {
    self->send_exit(_impl->actor, caf::exit_reason::user_shutdown);
    throw error("cannot join group '" + options.group + "' on topic '" + options.topic + "': " + why);
  }
}

consumer::~consumer() {
  auto& ni = _impl->owner->internals();
  try {
    commit();
  } catch (const std::exception&) {
    // Not committed: another member gets those messages again (at-least-once).
  }
  caf::scoped_actor self{ni.system};
  self->request(_impl->actor, ni.options.request_timeout, actors::leave_atom::value)
      .receive([](bool) {}, [](const caf::error&) {});
  self->send_exit(_impl->actor, caf::exit_reason::user_shutdown);
}

std::vector<message> consumer::poll(std::chrono::milliseconds timeout) {
  auto& i = *_impl;
  i.throw_if_failed();
  auto c = i.pending_commit(true);
  // Not waited for: a member that dies before it lands gets those messages delivered again.
  if (!c.offsets.empty()) caf::anon_send(i.actor, actors::commit_atom::value, std::move(c));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<message> out;
  while (out.size() < i.options.max_poll_messages) {
    if (!i.current && !i.next_answer(out.empty() ? deadline : std::chrono::steady_clock::time_point::min())) break;
    i.parse_current(out);
  }
  return out;
}

void consumer::commit() {
  auto& i = *_impl;
  i.throw_if_failed();
  // Everything, not only what poll() did not send: its commits were not waited for and may have failed.
  auto c = i.pending_commit(false);
  if (c.offsets.empty()) return;
  auto& ni = i.owner->internals();
  std::string why;
  caf::scoped_actor self{ni.system};
  self->request(i.actor, ni.options.request_timeout * 2, actors::commit_atom::value, std::move(c))
      .receive([&](const actors::commit_result& r) { why = r.error; },
               [&](const caf::error& e) { why = "commit failed: " + ni.system.render(e); });
  if (!why.empty()) throw error(why);
}

std::vector<std::uint32_t> consumer::assignment() const {
  std::lock_guard<std::mutex> lock(_impl->shared->mutex);
  std::vector<std::uint32_t> out;
  for (const auto& [p, since] : _impl->shared->grants) out.push_back(p);
  return out;
}

}  // namespace unimq::client
