#include "new_topic_stream.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace unimq::it {

new_topic_stream::new_topic_stream(mqtt_client& pub, std::string root, int after)
    : _pub(pub), _root(std::move(root)), _after(after) {
  _thread = std::thread([this] {
    for (int i = 0; _first_after < 0 || i < _first_after + _after; ++i, ++_published) {
      if (_first_after < 0 && _marked) _first_after = i;
      _all_acked = _pub.publish(_root + "/t" + std::to_string(i), std::to_string(i), {1}).acked && _all_acked;
    }
  });
}

new_topic_stream::~new_topic_stream() {
  _marked = true;
  if (_thread.joinable()) _thread.join();
}

void new_topic_stream::wait_running() const {
  while (_published < 3) std::this_thread::yield();  // the condition is bound to come
}

void new_topic_stream::mark_and_finish() {
  _marked = true;
  _thread.join();
}

std::map<std::string, int> receive_payloads(mqtt_client& sub, int from, int to) {
  std::map<std::string, int> got;
  const auto end = std::chrono::steady_clock::now() + default_deadline;
  while (!missing_payloads(got, from, to).empty() && std::chrono::steady_clock::now() < end)
    for (const auto& m : sub.wait_for_messages(1, std::chrono::milliseconds(20))) ++got[m.payload];
  for (const auto& m : sub.wait_for_messages(1, std::chrono::milliseconds(300))) ++got[m.payload];
  return got;
}

std::vector<std::string> missing_payloads(const std::map<std::string, int>& got, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i)
    if (!got.count(std::to_string(i))) out.push_back(std::to_string(i));
  return out;
}

std::vector<std::string> repeated_payloads(const std::map<std::string, int>& got) {
  std::vector<std::string> out;
  for (const auto& [payload, count] : got)
    if (count > 1) out.push_back(payload);
  return out;
}

void publish_old_topics(mqtt_client& pub, const std::string& root, int count) {
  std::vector<int> mids;
  for (int i = 0; i < count; ++i) mids.push_back(pub.publish_async(root + "/old" + std::to_string(i), "old", {1}));
  for (int mid : mids) REQUIRE(pub.wait_acked(mid));
}

}  // namespace unimq::it
