#pragma once
// Publishes the broker's counters as retained messages under $SYS/broker/ every sys-interval, so that
// monitoring tools that know Mosquitto's $SYS tree find the same names. `#` does not match them
// ([MQTT-4.7.2-1]); subscribe to `$SYS/#`.

#include <caf/all.hpp>

#include <memory>

#include "actors/broker_context.hpp"

namespace unimq::actors {

caf::actor spawn_sys_topics(caf::actor_system& system, std::shared_ptr<const broker_context> ctx);

}  // namespace unimq::actors
