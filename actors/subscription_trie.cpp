#include "actors/subscription_trie.hpp"

#include <algorithm>

namespace unimq::actors {
namespace {

bool add_unique(std::vector<subscription_trie::id>& ids, subscription_trie::id s) {
  if (std::find(ids.begin(), ids.end(), s) != ids.end()) return false;
  ids.push_back(s);
  return true;
}

bool remove_one(std::vector<subscription_trie::id>& ids, subscription_trie::id s) {
  auto it = std::find(ids.begin(), ids.end(), s);
  if (it == ids.end()) return false;
  *it = ids.back();
  ids.pop_back();
  return true;
}

// Splits "a/b/#" into its levels, calling `f(level, is_last)`.
template <class F>
void for_each_level(std::string_view filter, F&& f) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = filter.find('/', pos);
    const bool last = slash == std::string_view::npos;
    f(filter.substr(pos, (last ? filter.size() : slash) - pos), last);
    if (last) return;
    pos = slash + 1;
  }
}

}  // namespace

subscription_trie::node* subscription_trie::find_or_create(std::string_view filter, bool& is_hash) {
  node* n = &_root;
  is_hash = false;
  for_each_level(filter, [&](std::string_view level, bool) {
    if (is_hash) return;
    if (level == "#") {
      is_hash = true;
      return;
    }
    if (level == "+") {
      if (!n->plus) n->plus = std::make_unique<node>();
      n = n->plus.get();
      return;
    }
    auto& child = n->children[std::string(level)];
    if (!child) child = std::make_unique<node>();
    n = child.get();
  });
  return n;
}

void subscription_trie::insert(std::string_view filter, id subscriber) {
  bool is_hash;
  node* n = find_or_create(filter, is_hash);
  if (add_unique(is_hash ? n->hash : n->here, subscriber)) ++_size;
}

bool subscription_trie::erase(std::string_view filter, id subscriber) {
  // Walk down remembering the path, so that emptied nodes can be pruned on the way back.
  std::vector<std::pair<node*, std::string>> path;
  node* n = &_root;
  bool is_hash = false;
  bool missing = false;
  for_each_level(filter, [&](std::string_view level, bool) {
    if (missing || is_hash) return;
    if (level == "#") {
      is_hash = true;
      return;
    }
    node* next = nullptr;
    if (level == "+") {
      next = n->plus.get();
    } else if (auto it = n->children.find(std::string(level)); it != n->children.end()) {
      next = it->second.get();
    }
    if (!next) {
      missing = true;
      return;
    }
    path.emplace_back(n, std::string(level));
    n = next;
  });
  if (missing || !remove_one(is_hash ? n->hash : n->here, subscriber)) return false;
  --_size;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    node* parent = it->first;
    node* child = it->second == "+" ? parent->plus.get() : parent->children[it->second].get();
    if (!child->empty()) break;
    if (it->second == "+")
      parent->plus.reset();
    else
      parent->children.erase(it->second);
  }
  return true;
}

}  // namespace unimq::actors
