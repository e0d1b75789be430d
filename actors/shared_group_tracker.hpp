#pragma once
// The messages of one topic queue that a shared subscription group has read, which member each was
// handed to, and how far the group may commit: its offset moves past a message only once every
// message below it was acknowledged, and a member that leaves gives its unacknowledged messages back.
// Pure logic, no actors: the group actor (shared_group.cpp) keeps one per topic queue.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace unimq::actors {

/// Tracks the read, handed out and acknowledged messages of one topic queue; `T` is the message.
template <class T>
class shared_group_tracker {
 public:
  using member_id = std::uint64_t;  ///< 0: handed to nobody

  /// A tracker that reads on from `start` (the group's committed offset).
  explicit shared_group_tracker(std::uint64_t start = 0) : _read_to(start) {}

  /// The message at `offset` was read; offsets below it and at or past read_to() that were not added
  /// had no message (retention deleted them). `offset` must be at or past read_to().
  void add(std::uint64_t offset, T value) {
    _entries.emplace(offset, slot{std::move(value), 0});
    _waiting.insert(offset);
    _read_to = offset + 1;
  }

  /// Everything below `offset` was read (a read that returned fewer messages than it covered).
  void skip_to(std::uint64_t offset) { _read_to = std::max(_read_to, offset); }

  /// The next offset to read from storage.
  std::uint64_t read_to() const { return _read_to; }

  /// The lowest offset read and handed to nobody, if any.
  std::optional<std::uint64_t> next_waiting() const {
    if (_waiting.empty()) return std::nullopt;
    return *_waiting.begin();
  }

  /// The message at `offset` (which must have been added and not acknowledged).
  const T& value(std::uint64_t offset) const { return _entries.at(offset).value; }

  /// Hands the waiting message at `offset` to `member`.
  void assign(std::uint64_t offset, member_id member) {
    _entries.at(offset).member = member;
    _waiting.erase(offset);
  }

  /// The member holding `offset`, 0 if it waits or is unknown (acknowledged already).
  member_id holder(std::uint64_t offset) const {
    auto it = _entries.find(offset);
    return it == _entries.end() ? 0 : it->second.member;
  }

  /// `member` acknowledged `offset`; false (and nothing changes) if `member` does not hold it, as
  /// after a late acknowledgement of a message that went to another member.
  bool acknowledge(std::uint64_t offset, member_id member) {
    auto it = _entries.find(offset);
    if (it == _entries.end() || member == 0 || it->second.member != member) return false;
    _entries.erase(it);
    return true;
  }

  /// The message at `offset`, held by `member`, waits again (the member had no room for it).
  bool give_back(std::uint64_t offset, member_id member) {
    auto it = _entries.find(offset);
    if (it == _entries.end() || member == 0 || it->second.member != member) return false;
    it->second.member = 0;
    _waiting.insert(offset);
    return true;
  }

  /// `member` left: every message it held waits for another member. Returns how many.
  std::size_t release(member_id member) {
    std::size_t n = 0;
    for (auto& [offset, s] : _entries)
      if (member != 0 && s.member == member) {
        s.member = 0;
        _waiting.insert(offset);
        ++n;
      }
    return n;
  }

  /// Every message below this offset was acknowledged: what the group may commit.
  std::uint64_t commit_point() const { return _entries.empty() ? _read_to : _entries.begin()->first; }

  /// Messages read and not yet acknowledged (waiting or handed out).
  std::size_t buffered() const { return _entries.size(); }

 private:
  struct slot {
    T value;
    member_id member;
  };
  std::map<std::uint64_t, slot> _entries;
  std::set<std::uint64_t> _waiting;
  std::uint64_t _read_to;
};

}  // namespace unimq::actors
