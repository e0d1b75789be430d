#include "config/broker_options.hpp"

namespace unimq::config {

bool operator==(const listen_address& a, const listen_address& b) { return a.host == b.host && a.port == b.port; }

std::string to_string(const listen_address& a) {
  const bool ipv6 = a.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

}  // namespace unimq::config
