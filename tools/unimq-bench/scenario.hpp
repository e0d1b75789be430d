#pragma once
// Runs one workload: sets up the clients of a scenario, drives the load through warm-up, measured
// window and grace period, and collects what was measured.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker_probe.hpp"
#include "client.hpp"
#include "delivery_tracker.hpp"
#include "histogram.hpp"
#include "options.hpp"

namespace unimq::bench {

/// What one subscriber saw of the messages sent inside the window.
struct subscriber_result {
  std::uint64_t expected = 0;  ///< messages sent inside the window by the publishers it hears
  delivery_counts counts;
  std::uint64_t late = 0;  ///< of counts.distinct, those that arrived after the grace period (--drain)
  std::uint64_t lost() const { return expected - counts.distinct; }
};

/// Everything measured by one run.
struct run_result {
  options opts;
  std::size_t publishers = 0;
  std::size_t subscribers = 0;
  std::size_t connections = 0;       ///< requested
  std::size_t connections_open = 0;  ///< still open at the end of the window
  double window_s = 0;               ///< length of the measured window actually run
  std::uint64_t sent = 0;            ///< PUBLISHes stamped inside the window
  std::vector<subscriber_result> per_subscriber;
  histogram latency;  ///< end to end, of messages sent inside the window
  std::uint64_t pings_sent = 0;
  std::uint64_t pings_answered = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t connection_errors = 0;  ///< connections lost after setup
  std::uint64_t setup_failures = 0;     ///< idle connections that could not be opened
  std::vector<std::string> errors;      ///< the first few error messages
  std::string setup_error;              ///< non-empty if the run could not start
  std::optional<broker_sample> broker_baseline;  ///< before any connection was opened
  std::optional<broker_sample> broker_start;     ///< at the start of the window
  std::optional<broker_sample> broker_end;       ///< at the end of the window
  std::optional<broker_sample> broker_final;     ///< after the grace period (peak RSS)

  std::uint64_t received() const;
  std::uint64_t expected() const;
  std::uint64_t lost() const;
  std::uint64_t late() const;
  std::uint64_t duplicated() const;
  std::uint64_t out_of_order() const;
  /// False if the run failed or delivered less than its QoS promises.
  bool ok() const;
};

/// One run of a scenario on a caller's event loop.
class scenario : public client_events {
 public:
  scenario(asio::io_context& io, const options& o);
  ~scenario() override;

  /// Runs the event loop until the run is over (bounded by the setup timeout and the windows).
  run_result run();

 private:
  enum class phase { setup, load, grace, done };
  struct publisher {
    std::size_t client = 0;
    std::string topic;
    std::uint64_t next_seq = 0;
    std::uint64_t sent_in_window = 0;
  };
  struct subscriber {
    std::size_t client = 0;
    std::string filter;
    std::vector<std::size_t> hears;  // publisher indices
    std::unique_ptr<delivery_tracker> tracker;
    std::uint64_t distinct_at_grace_end = 0;
  };

  void on_connected(client& c) override;
  void on_subscribed(client& c) override;
  void on_message(client& c, std::string_view payload) override;
  void on_acked(client& c) override;
  void on_drained(client& c) override;
  void on_failed(client& c, const std::string& why) override;

  void build();
  void connect_more();
  void check_ready();
  void start_load();
  void pump(publisher& p);
  void tick();
  void ping_sweep();
  void end_window();
  void check_grace();
  void finish();
  void note_error(const std::string& why);
  std::uint64_t expected_for(const subscriber& s) const;

  asio::io_context& _io;
  options _o;
  asio::ip::tcp::endpoint _broker;
  std::string _prefix;
  phase _phase = phase::setup;
  std::vector<std::unique_ptr<client>> _clients;
  std::vector<int> _publisher_of;   // per client: publisher index or -1
  std::vector<int> _subscriber_of;  // per client: subscriber index or -1
  std::vector<publisher> _publishers;
  std::vector<subscriber> _subscribers;
  std::size_t _next_to_connect = 0;
  std::size_t _connecting = 0;
  std::size_t _connected = 0;
  std::size_t _subscribed = 0;
  std::string _payload;
  std::int64_t _load_start_ns = 0;
  window _window;
  std::int64_t _grace_end_ns = 0;
  bool _draining = false;
  std::uint64_t _drain_distinct = 0;     // distinct deliveries over all subscribers at the last progress
  std::int64_t _drain_progress_ns = 0;   // when the drain last saw one
  std::uint64_t _ping_tick = 0;
  asio::steady_timer _setup_timer;
  asio::steady_timer _tick_timer;
  asio::steady_timer _ping_timer;
  asio::steady_timer _window_timer;
  asio::steady_timer _grace_timer;
  run_result _r;
};

}  // namespace unimq::bench
