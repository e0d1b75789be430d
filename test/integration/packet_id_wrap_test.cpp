// Packet identifiers wrap around after 65535. A persistent session's QoS 2 deliveries wait for their
// inflight record to be saved and its inflight messages are resent after a reconnect: both must go
// out in the order the messages were delivered ([MQTT-4.6.0-1], [MQTT-4.6.0-6]), not in that of
// their packet ids. (Found by tools/unimq-crashtest: subscribers that drained more than 65535
// messages got a block of QoS 2 messages after the ones that followed it.)
#include "broker_process.hpp"
#include "mqtt_client.hpp"

#include <catch2/catch.hpp>

using namespace unimq::it;

namespace {

constexpr int kPubrec = 5, kPubrel = 6;

// Reads `n` packets from `raw`, failing the test if one does not come.
std::vector<raw_connection::packet> read_packets(raw_connection& raw, std::size_t n) {
  std::vector<raw_connection::packet> got;
  while (got.size() < n) {
    auto p = raw.read_packet();
    REQUIRE(p);
    got.push_back(std::move(*p));
  }
  return got;
}

raw_publish as_publish(const raw_connection::packet& p) {
  const auto pp = parse_publish(p, 4);
  REQUIRE(pp);
  return *pp;
}

std::uint16_t packet_id(const raw_connection::packet& p) {
  REQUIRE(p.body.size() >= 2);
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(p.body[0]) << 8 | static_cast<std::uint8_t>(p.body[1]));
}

}  // namespace

TEST_CASE("ordering: QoS 2 deliveries and their resends keep their order when packet ids wrap around",
          "[session][unimq]") {
  UNIMQ_ONLY();  // the premise (ids allocated 1, 2, ... per session) is unimqd's allocation
  broker_options o;
  o.storage_sync = "nosync";  // the order does not depend on it; the 65 520 messages below go faster
  o.log_level = "info";
  broker_process broker(o);
  broker.start();
  const std::string id = unique("wrap");
  const std::string base = unique("wrap");
  // A new session allocates ids from 1, one per QoS 1/2 delivery: after these, the next id is 65521.
  constexpr int kFiller = 65520;
  constexpr int kOrdered = 40;  // ids 65521..65535, then 1..25
  auto pub = connect_client(broker, {mqtt_version::v311, unique("pub")});
  {
    auto sub = subscriber(broker, persistent_session(mqtt_version::v311, id), base + "/#", 2);
    int queued = 0;
    for (int i = 0; i < kFiller; ++i) queued += pub->publish_async(base + "/fill", "f", {1}) > 0;
    REQUIRE(queued == kFiller);
    std::size_t received = 0;
    while (received < kFiller) {
      const auto batch = sub->wait_for_messages(kFiller - received, 30s);
      REQUIRE(!batch.empty());
      received += batch.size();
    }
    sub->disconnect();
  }
  // Stored while the subscriber is away, so that it reads them in one batch on its return: their
  // inflight records are all saved together, then sent.
  std::vector<int> mids;
  for (int i = 0; i < kOrdered; ++i) mids.push_back(pub->publish_async(base + "/ordered", std::to_string(i), {2}));
  for (int mid : mids) REQUIRE(pub->wait_acked(mid));
  std::vector<std::string> expected;
  for (int i = 0; i < kOrdered; ++i) expected.push_back(std::to_string(i));

  // A raw connection, to withhold acknowledgements: the first half of the messages is received
  // (PUBREC), the second half not, and both are resent after a reconnect.
  constexpr int kReceived = kOrdered / 2;
  std::vector<raw_publish> first;
  {
    raw_connection raw(broker.host(), broker.port());
    REQUIRE(raw.send(bytes::connect(4, id, 0x00)));  // Clean Session 0: the stored session
    const auto connack = raw.read_packet();
    REQUIRE(connack);
    REQUIRE(connack->type() == 2);
    for (const auto& p : read_packets(raw, kOrdered)) first.push_back(as_publish(p));
    std::vector<std::string> got;
    for (const auto& p : first) got.push_back(p.payload);
    REQUIRE(got == expected);
    // The premise: the ids of this batch wrapped around.
    CHECK(first.front().packet_id == 65521);
    CHECK(first.back().packet_id == 25);
    for (int i = 0; i < kReceived; ++i) REQUIRE(raw.send(bytes::packet(kPubrec << 4, bytes::u16(first[i].packet_id))));
    const auto pubrels = read_packets(raw, kReceived);
    for (int i = 0; i < kReceived; ++i) {
      REQUIRE(pubrels[i].type() == kPubrel);
      CHECK(packet_id(pubrels[i]) == first[i].packet_id);  // [MQTT-4.6.0-3]: in PUBREC order
    }
  }

  // [MQTT-4.6.0-1]: the PUBRELs of the received half again, then the PUBLISHes (DUP) of the rest,
  // each in the original order and with the original packet ids.
  raw_connection again(broker.host(), broker.port());
  REQUIRE(again.send(bytes::connect(4, id, 0x00)));
  REQUIRE(again.read_packet());
  const auto resent = read_packets(again, kOrdered);
  for (int i = 0; i < kOrdered; ++i) {
    INFO("resent packet " << i);
    if (i < kReceived) {
      REQUIRE(resent[i].type() == kPubrel);
      CHECK(packet_id(resent[i]) == first[i].packet_id);
    } else {
      const auto p = as_publish(resent[i]);
      CHECK(p.payload == expected[i]);
      CHECK(p.packet_id == first[i].packet_id);
      CHECK(p.dup);
    }
  }
}
