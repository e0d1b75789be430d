#pragma once
// Topic filters indexed by level, so that matching a topic name costs a walk down its levels rather
// than a test against every filter. Values are small subscriber ids; a filter may hold many.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace unimq::actors {

class subscription_trie {
 public:
  using id = std::uint64_t;

  /// Adds `subscriber` under `filter` (a valid, non-shared filter). Adding it twice keeps one entry.
  void insert(std::string_view filter, id subscriber);

  /// Removes `subscriber` from `filter`; false if it was not there.
  bool erase(std::string_view filter, id subscriber);

  /// Calls `on_match(id)` for every subscriber of every filter that matches `topic`, following
  /// [MQTT-4.7.2-1] for `$` topics. A subscriber with several matching filters is reported once per filter.
  template <class F>
  void match(std::string_view topic, F&& on_match) const {
    match_level(_root, topic, 0, topic.empty() || topic[0] != '$', on_match);
  }

  /// Number of (filter, subscriber) entries.
  std::size_t size() const { return _size; }

 private:
  struct node {
    std::unordered_map<std::string, std::unique_ptr<node>> children;  // literal levels
    std::unique_ptr<node> plus;                                         // `+`
    std::vector<id> here;                                               // filters ending at this node
    std::vector<id> hash;                                               // `#` below this node
    bool empty() const { return children.empty() && !plus && here.empty() && hash.empty(); }
  };

  template <class F>
  static void match_level(const node& n, std::string_view topic, std::size_t pos, bool wildcards_ok, F& on_match) {
    // `#` matches this level and everything below, including the parent level itself.
    if (wildcards_ok)
      for (id s : n.hash) on_match(s);
    if (pos > topic.size()) {
      for (id s : n.here) on_match(s);
      return;
    }
    const std::size_t slash = topic.find('/', pos);
    const std::size_t end = slash == std::string_view::npos ? topic.size() : slash;
    const std::size_t next = end + 1;  // > topic.size() after the last level
    const std::string_view level = topic.substr(pos, end - pos);
    if (auto it = n.children.find(std::string(level)); it != n.children.end())
      match_level(*it->second, topic, next, true, on_match);
    if (n.plus && wildcards_ok) match_level(*n.plus, topic, next, true, on_match);
  }

  node* find_or_create(std::string_view filter, bool& is_hash);

  node _root;
  std::size_t _size = 0;
};

}  // namespace unimq::actors
