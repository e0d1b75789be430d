// An MQTT 5 device (libmosquitto) talking to server applications through unimqd (README, "Server-side
// messaging"). It publishes a temperature reading to `sensors/{id}/temperature` every second, asking
// for an answer on its P2P topic `sensors/p2p/{id}` (a publish there reaches this client only, with no
// subscription), and subscribes to its commands, `commands/{id}/#`. It prints everything it receives,
// and when the broker has acknowledged that subscription.
//
//   mqtt_device [--host H] [--port P] [--id ID] [--count N]    (N readings, then exit; default forever)
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

struct device {
  std::string id;
  mosquitto* client = nullptr;
};

void on_connect(mosquitto* client, void* self, int rc, int, const mosquitto_property*) {
  auto& d = *static_cast<device*>(self);
  if (rc != 0) {
    std::cerr << "mqtt_device: connection refused: " << mosquitto_reason_string(rc) << "\n";
    g_stop = true;
    return;
  }
  // Subscribed again on every (re)connect: the session is clean.
  mosquitto_subscribe_v5(client, nullptr, ("commands/" + d.id + "/#").c_str(), 1, 0, nullptr);
  std::cout << d.id << " connected" << std::endl;
}

// Commands published from now on reach this device: the broker has acknowledged the subscription.
void on_subscribe(mosquitto*, void* self, int, int count, const int* granted, const mosquitto_property*) {
  auto& d = *static_cast<device*>(self);
  if (count != 1 || granted[0] > 2) {
    std::cerr << "mqtt_device: the subscription to commands/" << d.id << "/# was refused\n";
    return;
  }
  std::cout << d.id << " subscribed to commands/" << d.id << "/#" << std::endl;
}

void on_message(mosquitto*, void* self, const mosquitto_message* m, const mosquitto_property* props) {
  auto& d = *static_cast<device*>(self);
  std::cout << d.id << " received " << m->topic << ": "
            << std::string(static_cast<const char*>(m->payload), m->payloadlen);
  void* correlation = nullptr;
  uint16_t length = 0;
  if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &correlation, &length, false)) {
    std::cout << " (answer to " << std::string(static_cast<const char*>(correlation), length) << ")";
    std::free(correlation);
  }
  std::cout << std::endl;
}

// One reading, as a request: the response topic and correlation data tell the server where to answer.
int publish_reading(device& d, int n) {
  const std::string topic = "sensors/" + d.id + "/temperature";
  const std::string payload = std::to_string(20 + n % 5) + "." + std::to_string(n % 10);
  const std::string correlation = "reading-" + std::to_string(n);
  mosquitto_property* props = nullptr;
  mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE, "text/plain");
  mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, ("sensors/p2p/" + d.id).c_str());
  mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation.data(),
                                static_cast<uint16_t>(correlation.size()));
  const int rc = mosquitto_publish_v5(d.client, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                      payload.data(), 1, false, props);
  mosquitto_property_free_all(&props);
  if (rc == MOSQ_ERR_SUCCESS) std::cout << d.id << " sent " << topic << ": " << payload << std::endl;
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 1883;
  long count = 0;
  device d{"dev-1"};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--host" && i + 1 < argc) host = argv[++i];
    else if (a == "--port" && i + 1 < argc) port = std::atoi(argv[++i]);
    else if (a == "--id" && i + 1 < argc) d.id = argv[++i];
    else if (a == "--count" && i + 1 < argc) count = std::atol(argv[++i]);
    else {
      std::cerr << "usage: mqtt_device [--host H] [--port P] [--id ID] [--count N]\n";
      return 2;
    }
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  mosquitto_lib_init();
  d.client = mosquitto_new(d.id.c_str(), true, &d);
  mosquitto_int_option(d.client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_v5_callback_set(d.client, on_connect);
  mosquitto_subscribe_v5_callback_set(d.client, on_subscribe);
  mosquitto_message_v5_callback_set(d.client, on_message);
  const int rc = mosquitto_connect_bind_v5(d.client, host.c_str(), port, 60, nullptr, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    std::cerr << "mqtt_device: cannot reach " << host << ":" << port << ": " << mosquitto_strerror(rc) << "\n";
    return 1;
  }
  // One thread drives the client: it publishes a reading each second and, in between, lets
  // libmosquitto read and write (the callbacks run here too). So every line is printed by this thread:
  // with a network thread of its own (mosquitto_loop_start), its callbacks' output interleaved with
  // the readings' ("dev-1dev-1 sent ...\n connected").
  using clock = std::chrono::steady_clock;
  auto next_reading = clock::now();
  for (long n = 0; !g_stop;) {
    if (clock::now() >= next_reading) {
      if (count != 0 && n == count) break;  // a second after the last reading: time for its answer
      if (publish_reading(d, static_cast<int>(n++)) != MOSQ_ERR_SUCCESS) std::cerr << "mqtt_device: publish failed\n";
      next_reading += std::chrono::seconds(1);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_reading - clock::now()).count();
    if (mosquitto_loop(d.client, static_cast<int>(std::max<long long>(wait, 1)), 1) != MOSQ_ERR_SUCCESS) {
      std::this_thread::sleep_for(std::chrono::seconds(1));  // connection lost: retry once a second
      mosquitto_reconnect(d.client);
    }
  }
  mosquitto_disconnect_v5(d.client, 0, nullptr);
  mosquitto_destroy(d.client);
  mosquitto_lib_cleanup();
}
