#include "actors/group_coordinator.hpp"

#include <algorithm>
#include <deque>
#include <map>

#include "actors/server_messages.hpp"
#include "config/log.hpp"
#include "protocol/topic.hpp"
#include "storage/queue_index.hpp"

namespace unimq::actors {
namespace {

using steady = std::chrono::steady_clock;

constexpr auto kStorageTimeout = std::chrono::seconds(30);
// A parked fetch is answered (empty) after at most this long, whatever the member asked for.
constexpr std::uint32_t kMaxWaitMs = 5000;
// Fetches queued per partition; the client keeps a few in flight, more is a misbehaving member.
constexpr std::size_t kMaxQueuedFetches = 16;
constexpr std::uint32_t kMaxFetchMessages = 1 << 16;
constexpr std::uint32_t kMaxFetchBytes = 16 << 20;
// Members of one group: every join sends an assignment to each member, so a peer joining without end
// would cost the node quadratic work; a group has no use for many more members than partitions.
constexpr std::size_t kMaxMembers = 256;
// Joins waiting to be admitted (each reads the group's state in turn); more is a peer flooding joins.
constexpr std::size_t kMaxQueuedJoins = 64;

struct member_info {
  std::string id;
  caf::actor handle;
};

struct pending_fetch {
  caf::response_promise promise;
  fetch_request request;
  steady::time_point deadline;
};

struct queued_join {
  group_join join;
  caf::response_promise promise;
};

struct partition_state {
  caf::actor_addr owner;
  std::uint64_t since = 0;      // generation in which `owner` got it
  std::uint64_t cursor = 0;     // next offset to serve to the owner
  std::uint64_t committed = 0;  // the group's durable offset
  std::deque<pending_fetch> fetches;
  bool reading = false;
  std::uint64_t growth = 0;  // notify events seen; a read that saw fewer is re-done before parking
  std::uint64_t parked = 0;  // token of the parked head fetch's timer; 0 = not parked
};

struct coordinator_state {
  static inline const char* name = "group-coordinator";
  std::string group;
  std::string topic;
  std::string consumer;
  caf::actor service;
  caf::actor writer;
  caf::actor reader;
  std::map<caf::actor_addr, member_info> members;
  // Joins are admitted one at a time: two joins reading the group's offsets at once could each write
  // start offsets, the later over commits made after the earlier (skipping messages for the group).
  std::deque<queued_join> joins;
  bool joining = false;
  // A join that resets the offsets is being admitted: commits are refused until every partition has
  // restarted, or one landing after the reset's write would undo it in storage.
  bool resetting = false;
  std::uint64_t joins_seen = 0;  // told to the service with an idle report
  std::vector<partition_state> partitions;
  bool loaded = false;
  std::uint64_t generation = 0;
  std::uint64_t next_token = 0;
};

using coordinator_actor = caf::stateful_actor<coordinator_state>;

std::string describe(coordinator_actor* self) { return "group=" + self->state.group + " topic=" + self->state.topic; }

fetch_result stale(std::uint32_t partition) {
  fetch_result r;
  r.stale = true;
  r.partition = partition;
  return r;
}

void pump(coordinator_actor* self, std::uint32_t p);

void answer_head(coordinator_actor* self, std::uint32_t p, fetch_result r) {
  auto& ps = self->state.partitions[p];
  r.partition = p;
  r.since = ps.since;
  ps.fetches.front().promise.deliver(std::move(r));
  ps.fetches.pop_front();
  pump(self, p);
}

void on_read(coordinator_actor* self, std::uint32_t p, std::uint64_t since, std::uint64_t growth, fetch_result r) {
  auto& ps = self->state.partitions[p];
  ps.reading = false;
  // Moved while reading: its fetches were answered as stale; serve the new owner's.
  if (ps.since != since || ps.fetches.empty()) return pump(self, p);
  const auto now = steady::now();
  if (r.error.empty() && r.count == 0 && now < ps.fetches.front().deadline) {
    if (ps.growth != growth) return pump(self, p);  // grew while we read: read again
    ps.parked = ++self->state.next_token;
    self->delayed_send(self, ps.fetches.front().deadline - now, timeout_atom::value, p, ps.parked);
    return;
  }
  if (r.error.empty()) ps.cursor = r.next_offset;
  else log::write(log::level::error, "group", describe(self) + " partition " + std::to_string(p) + " read failed: " + r.error);
  answer_head(self, p, std::move(r));
}

// Serves the head fetch of partition `p` if nothing is being read or parked.
void pump(coordinator_actor* self, std::uint32_t p) {
  auto& ps = self->state.partitions[p];
  if (ps.reading || ps.parked != 0 || ps.fetches.empty()) return;
  ps.reading = true;
  const auto& req = ps.fetches.front().request;
  partition_read read{self->state.topic, p, ps.cursor, std::clamp<std::uint32_t>(req.max_messages, 1, kMaxFetchMessages),
                      std::clamp<std::uint32_t>(req.max_bytes, 1, kMaxFetchBytes)};
  const auto since = ps.since;
  const auto growth = ps.growth;
  self->request(self->state.reader, kStorageTimeout, fetch_atom::value, std::move(read))
      .then([self, p, since, growth](fetch_result& r) { on_read(self, p, since, growth, std::move(r)); },
            [self, p, since, growth](caf::error& e) {
              fetch_result r;
              r.error = "storage: " + caf::to_string(e);
              on_read(self, p, since, growth, std::move(r));
            });
}

// Gives partition `p` to `owner` (possibly nobody) from the group's committed offset; fetches of
// the previous owner are answered as stale.
void move_partition(coordinator_actor* self, std::uint32_t p, const caf::actor_addr& owner) {
  auto& ps = self->state.partitions[p];
  for (auto& f : ps.fetches) f.promise.deliver(stale(p));
  ps.fetches.clear();
  ps.owner = owner;
  ps.since = self->state.generation;
  ps.cursor = ps.committed;
  ps.parked = 0;
}

// A balanced, sticky assignment: members (ordered by id) get floor or ceil of partitions/members, the
// first ones the larger shares; each keeps what it holds up to its share, the rest is dealt out in
// partition order. `restart_all` moves every partition (a reset of the offsets).
void rebalance(coordinator_actor* self, bool restart_all) {
  auto& st = self->state;
  ++st.generation;
  std::vector<const member_info*> order;
  for (const auto& [addr, m] : st.members) order.push_back(&m);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->id < b->id; });
  const std::size_t n = order.size();
  const std::size_t total = st.partitions.size();
  std::map<caf::actor_addr, std::size_t> share, held;
  for (std::size_t i = 0; i < n; ++i) share[order[i]->handle.address()] = total / n + (i < total % n ? 1 : 0);
  std::vector<std::uint32_t> free;
  for (std::uint32_t p = 0; p < total; ++p) {
    auto& ps = st.partitions[p];
    auto it = share.find(ps.owner);
    if (!restart_all && it != share.end() && held[ps.owner] < it->second)
      ++held[ps.owner];
    else
      free.push_back(p);
  }
  std::size_t next_member = 0;
  for (auto p : free) {
    caf::actor_addr owner;
    for (; next_member < n; ++next_member) {
      const auto addr = order[next_member]->handle.address();
      if (held[addr] < share[addr]) {
        ++held[addr];
        owner = addr;
        break;
      }
    }
    move_partition(self, p, owner);
  }
  for (const auto* m : order) {
    assignment a;
    a.generation = st.generation;
    for (std::uint32_t p = 0; p < total; ++p)
      if (st.partitions[p].owner == m->handle.address()) a.partitions.push_back({p, st.partitions[p].cursor, st.partitions[p].since});
    self->send(m->handle, assign_atom::value, std::move(a));
  }
  for (std::uint32_t p : free) pump(self, p);
  log::write(log::level::info, "group", describe(self) + " generation " + std::to_string(st.generation) + ": " +
                                            std::to_string(n) + " members, " + std::to_string(total) + " partitions");
}

// Tells the service the group has no member and no join on its way, so that it can end the coordinator
// (the service knows whether a join is in flight: `joins_seen` is then behind its count).
void check_idle(coordinator_actor* self) {
  auto& st = self->state;
  if (st.members.empty() && !st.joining && st.joins.empty())
    self->send(st.service, leave_atom::value, st.group, st.topic, st.joins_seen);
}

void remove_member(coordinator_actor* self, const caf::actor_addr& addr, const char* why) {
  auto it = self->state.members.find(addr);
  if (it == self->state.members.end()) return;
  log::write(log::level::info, "group", describe(self) + " member=" + it->second.id + " " + why);
  self->state.members.erase(it);
  rebalance(self, false);
  check_idle(self);
}

void start_join(coordinator_actor* self);

// Answers the join being admitted and starts the next one.
void finish_join(coordinator_actor* self, caf::response_promise& promise, join_result result) {
  if (!result.error.empty())
    log::write(log::level::warn, "group", describe(self) + " join refused: " + result.error);
  promise.deliver(std::move(result));
  self->state.joining = false;
  self->state.resetting = false;
  start_join(self);
  check_idle(self);
}

// Completes a join once the group's offsets are known (and, where they changed, durable).
void admit(coordinator_actor* self, group_join& join, const std::vector<std::uint64_t>& committed,
           caf::response_promise& promise) {
  auto& st = self->state;
  if (st.partitions.size() < committed.size()) st.partitions.resize(committed.size());
  for (std::size_t p = 0; p < committed.size(); ++p) st.partitions[p].committed = committed[p];
  st.loaded = true;
  const auto addr = join.member.address();
  if (!st.members.count(addr)) self->monitor(join.member);
  st.members[addr] = member_info{join.member_id, join.member};
  log::write(log::level::info, "group", describe(self) + " member=" + join.member_id + " joined");
  rebalance(self, join.from.reset);
  finish_join(self, promise,
              join_result{{}, caf::actor_cast<caf::actor>(self), static_cast<std::uint32_t>(st.partitions.size())});
}

void on_group_state(coordinator_actor* self, group_join& join, group_state& gs, caf::response_promise& promise) {
  auto& st = self->state;
  if (!gs.error.empty()) return finish_join(self, promise, join_result{"storage: " + gs.error, {}, 0});
  // Every partition gets a committed offset at the first join (the start position where the group has
  // none), so a member that dies before committing cannot make the next one start somewhere else.
  std::vector<std::uint64_t> committed(gs.partitions);
  write_request write;
  for (std::uint32_t p = 0; p < gs.partitions; ++p) {
    const bool known = st.loaded && p < st.partitions.size();
    if (join.from.reset || (!known && gs.committed[p] == group_state::kNoOffset)) {
      committed[p] = gs.start[p];
      write.offsets.push_back({st.consumer, st.topic, committed[p], true, p});
    } else {
      committed[p] = known ? st.partitions[p].committed : gs.committed[p];
    }
  }
  if (write.empty()) return admit(self, join, committed, promise);
  self->request(st.writer, kStorageTimeout, write_atom::value, std::move(write))
      .then(
          [self, join, committed, promise](write_result& r) mutable {
            if (!r.ok()) return finish_join(self, promise, join_result{"storage: " + r.error, {}, 0});
            admit(self, join, committed, promise);
          },
          [self, promise](caf::error& e) mutable {
            finish_join(self, promise, join_result{"storage: " + caf::to_string(e), {}, 0});
          });
}

// Starts admitting the next queued join unless one is being admitted.
void start_join(coordinator_actor* self) {
  auto& st = self->state;
  if (st.joining || st.joins.empty()) return;
  auto next = std::move(st.joins.front());
  st.joins.pop_front();
  st.joining = true;
  st.resetting = next.join.from.reset;
  if (!st.members.count(next.join.member.address()) && st.members.size() >= kMaxMembers)
    return finish_join(self, next.promise,
                       join_result{"the group has " + std::to_string(kMaxMembers) + " members, the most it takes", {}, 0});
  group_state_request request{st.consumer, st.topic, next.join.from};
  self->request(st.reader, kStorageTimeout, group_atom::value, std::move(request))
      .then(
          [self, join = std::move(next.join), promise = next.promise](group_state& gs) mutable {
            on_group_state(self, join, gs, promise);
          },
          [self, promise = next.promise](caf::error& e) mutable {
            finish_join(self, promise, join_result{"storage: " + caf::to_string(e), {}, 0});
          });
}

// Joins come from the node service, which checked them (the coordinator's handle is known to every
// member, so anything else may be a peer skipping the checks); it counts them for the idle handshake.
caf::result<join_result> on_join(coordinator_actor* self, group_join& join) {
  auto& st = self->state;
  if (caf::actor_cast<caf::actor_addr>(self->current_sender()) != st.service.address()) {
    log::write(log::level::warn, "group", describe(self) + " refused a join that did not come through the node service");
    return join_result{"joins go to the node service", {}, 0};
  }
  ++st.joins_seen;
  if (st.joins.size() >= kMaxQueuedJoins) {
    log::write(log::level::warn, "group", describe(self) + " refused a join: " + std::to_string(kMaxQueuedJoins) + " waiting");
    return join_result{"more than " + std::to_string(kMaxQueuedJoins) + " joins of the group are waiting", {}, 0};
  }
  st.joins.push_back({std::move(join), self->make_response_promise()});
  start_join(self);
  return caf::delegated<join_result>();
}

// True if the sender holds partition `p` since a generation at or before `generation`.
bool holds(coordinator_actor* self, std::uint32_t p, std::uint64_t generation) {
  if (p >= self->state.partitions.size()) return false;
  const auto& ps = self->state.partitions[p];
  return ps.owner && ps.owner == caf::actor_cast<caf::actor_addr>(self->current_sender()) && generation >= ps.since;
}

caf::result<fetch_result> on_fetch(coordinator_actor* self, fetch_request& request) {
  const auto p = request.partition;
  if (!holds(self, p, request.generation)) return stale(p);
  auto& ps = self->state.partitions[p];
  if (ps.fetches.size() >= kMaxQueuedFetches) {
    fetch_result r;
    r.partition = p;
    r.error = "more than " + std::to_string(kMaxQueuedFetches) + " fetches of partition " + std::to_string(p) + " in flight";
    return r;
  }
  const auto wait = std::chrono::milliseconds(std::min(request.wait_ms, kMaxWaitMs));
  ps.fetches.push_back({self->make_response_promise(), request, steady::now() + wait});
  pump(self, p);
  return caf::delegated<fetch_result>();
}

caf::result<commit_result> on_commit(coordinator_actor* self, commit_request& request) {
  auto& st = self->state;
  commit_result out;
  // One offset per partition (the last named): a request repeating a partition is not many writes.
  std::map<std::uint32_t, std::uint64_t> accepted;
  for (const auto& o : request.offsets) {
    // Beyond what was served is not a position the member can have read.
    if (!st.resetting && holds(self, o.partition, request.generation) && o.offset <= st.partitions[o.partition].cursor)
      accepted[o.partition] = o.offset;
    else
      out.refused.push_back(o.partition);
  }
  if (accepted.empty()) return out;
  write_request write;
  for (const auto& [p, offset] : accepted) write.offsets.push_back({st.consumer, st.topic, offset, true, p});
  auto promise = self->make_response_promise();
  self->request(st.writer, kStorageTimeout, write_atom::value, std::move(write))
      .then(
          [self, out, accepted, promise](write_result& r) mutable {
            if (!r.ok()) out.error = "storage: " + r.error;
            else
              for (const auto& [p, offset] : accepted) self->state.partitions[p].committed = offset;
            promise.deliver(std::move(out));
          },
          [out, promise](caf::error& e) mutable {
            out.error = "storage: " + caf::to_string(e);
            promise.deliver(std::move(out));
          });
  return caf::delegated<commit_result>();
}

void on_notify(coordinator_actor* self, const notify_event& event) {
  auto& parts = self->state.partitions;
  if (parts.empty()) return;
  for (const auto& t : event.topics) {
    if (mqtt::first_level(t.topic) != self->state.topic) continue;
    const auto p = storage::partition_for(t.topic, static_cast<std::uint32_t>(parts.size()));
    auto& ps = parts[p];
    ++ps.growth;
    if (ps.parked != 0) {
      ps.parked = 0;
      pump(self, p);
    }
  }
}

caf::behavior group_coordinator(coordinator_actor* self, caf::actor service, std::string group, std::string topic,
                                caf::actor writer, caf::actor reader) {
  auto& st = self->state;
  st.service = std::move(service);
  st.consumer = group_consumer_name(group);
  st.group = std::move(group);
  st.topic = std::move(topic);
  st.writer = std::move(writer);
  st.reader = std::move(reader);
  self->send(st.writer, listen_atom::value, caf::actor_cast<caf::actor>(self));
  self->set_down_handler([self](const caf::down_msg& down) { remove_member(self, down.source, "is gone"); });
  self->set_default_handler(caf::drop);  // as the node service's: every member's peer can send it anything
  return {
      [self](join_atom, group_join& join) { return on_join(self, join); },
      [self](leave_atom) {
        remove_member(self, caf::actor_cast<caf::actor_addr>(self->current_sender()), "left");
        return true;
      },
      [self](fetch_atom, fetch_request& request) { return on_fetch(self, request); },
      [self](commit_atom, commit_request& request) { return on_commit(self, request); },
      [self](notify_atom, const notify_event& event) { on_notify(self, event); },
      [self](timeout_atom, std::uint32_t p, std::uint64_t token) {
        if (p >= self->state.partitions.size() || self->state.partitions[p].parked != token || token == 0) return;
        auto& ps = self->state.partitions[p];
        ps.parked = 0;
        fetch_result empty;
        empty.next_offset = ps.cursor;
        answer_head(self, p, std::move(empty));
      },
      // The service's answer to an idle report that no join overtook: the group has no member left.
      [self](shutdown_atom) {
        if (caf::actor_cast<caf::actor_addr>(self->current_sender()) != self->state.service.address()) return;
        log::write(log::level::info, "group", describe(self) + " has no members: ends");
        self->quit();
      },
  };
}

}  // namespace

caf::actor spawn_group_coordinator(caf::local_actor* parent, std::string group, std::string topic, caf::actor writer,
                                   caf::actor reader) {
  return parent->spawn<caf::linked>(group_coordinator, caf::actor_cast<caf::actor>(parent), std::move(group),
                                    std::move(topic), std::move(writer), std::move(reader));
}

}  // namespace unimq::actors
