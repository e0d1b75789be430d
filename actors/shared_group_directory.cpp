// The directory of a gateway's shared groups (see shared_group.hpp): finds or creates the group a
// member joins, and ends a group once it has no members and no join is on its way to it.
#include <map>
#include <utility>

#include "actors/messages.hpp"
#include "actors/shared_group.hpp"

namespace unimq::actors {
namespace {

struct group_entry {
  caf::actor group;
  std::uint64_t joins = 0;  ///< joins forwarded to it: an idle report that counted fewer is stale
};

struct directory_state {
  static inline const char* name = "shared-groups";
  std::map<std::pair<std::string, std::string>, group_entry> groups;  // (share name, filter)
};

using directory_actor = caf::stateful_actor<directory_state>;

caf::behavior directory(directory_actor* self, caf::actor writer, caf::actor reader, std::vector<caf::actor> shards) {
  self->set_down_handler([self](const caf::down_msg& down) {
    auto& groups = self->state.groups;
    for (auto it = groups.begin(); it != groups.end(); ++it)
      if (it->second.group.address() == down.source) {
        groups.erase(it);
        return;
      }
  });
  // The groups end with the directory (gateway shutdown).
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (const auto& [key, entry] : self->state.groups) self->send_exit(entry.group, msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](subscribe_atom, const std::string& share, const std::string& filter, std::uint64_t sequence,
          std::uint32_t window) -> caf::actor {
        auto& entry = self->state.groups[{share, filter}];
        if (!entry.group) {
          entry.group = spawn_shared_group(self->system(), caf::actor_cast<caf::actor>(self), share, filter, writer,
                                           reader, shards);
          self->monitor(entry.group);
        }
        ++entry.joins;
        self->send(entry.group, subscribe_atom::value, caf::actor_cast<caf::actor>(self->current_sender()), sequence,
                   window);
        return entry.group;
      },
      [self](idle_atom, const std::string& share, const std::string& filter, std::uint64_t joins) {
        auto it = self->state.groups.find({share, filter});
        if (it == self->state.groups.end() || it->second.group.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()) ||
            it->second.joins != joins)
          return;
        self->demonitor(it->second.group);
        self->send(it->second.group, shutdown_atom::value);
        self->state.groups.erase(it);
      },
  };
}

}  // namespace

caf::actor spawn_shared_groups(caf::actor_system& system, caf::actor writer, caf::actor reader,
                               std::vector<caf::actor> shards) {
  return system.spawn(directory, std::move(writer), std::move(reader), std::move(shards));
}

}  // namespace unimq::actors
