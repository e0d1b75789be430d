// Micro-benchmarks of the MQTT codec's hot path: decoding and encoding a PUBLISH with a 64-byte
// payload, in 3.1.1 and in 5.0 with a few properties, at QoS 0 and 1.
//
// Goal: decode() of such a PUBLISH in under 100 ns on one core. Results: docs/benchmarks.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/stream_decoder.hpp"

namespace {

using namespace unimq::mqtt;

constexpr std::string_view kTopic = "sensors/device-42/temperature";
// 64 bytes of JSON, as a sensor would send.
constexpr std::string_view kPayload = R"({"temperature":21.5,"unit":"C","ts":1700000000,"id":"dev-42"}   )";
static_assert(kPayload.size() == 64);

struct publish_case {
  protocol_version version;
  qos level;
};

// Benchmark argument -> case: 0 = 3.1.1 QoS 0, 1 = 3.1.1 QoS 1, 2 = 5.0 QoS 0, 3 = 5.0 QoS 1.
publish_case case_of(const benchmark::State& state) {
  const auto i = state.range(0);
  return {i < 2 ? protocol_version::v3_1_1 : protocol_version::v5,
          i % 2 ? qos::at_least_once : qos::at_most_once};
}

const char* label_of(const publish_case& c) {
  if (c.version == protocol_version::v5)
    return c.level == qos::at_most_once ? "v5 qos0 4 props" : "v5 qos1 4 props";
  return c.level == qos::at_most_once ? "v3.1.1 qos0" : "v3.1.1 qos1";
}

publish_packet make_publish(const publish_case& c) {
  publish_packet p;
  p.qos = c.level;
  p.topic = kTopic;
  if (c.level != qos::at_most_once) p.packet_id = 42;
  p.payload = kPayload;
  if (c.version == protocol_version::v5) {
    p.props.message_expiry_interval = 3600;
    p.props.content_type = "application/json";
    p.props.user_properties = {{"unit", "celsius"}, {"source", "device-42"}};
  }
  return p;
}

std::string encoded(const publish_case& c) {
  std::string out;
  if (!encode(make_publish(c), c.version, out)) std::abort();
  return out;
}

void set_label(benchmark::State& state, const publish_case& c, std::size_t bytes_per_item) {
  state.SetLabel(std::string(label_of(c)) + ", " + std::to_string(bytes_per_item) + " B");
}

// decode() of one whole packet.
void BM_Decode(benchmark::State& state) {
  const publish_case c = case_of(state);
  const std::string bytes = encoded(c);
  for (auto _ : state) {
    decode_result r = decode(bytes, c.version);
    benchmark::DoNotOptimize(r);
  }
  if (!decode(bytes, c.version)) state.SkipWithError("the packet does not decode");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  set_label(state, c, bytes.size());
}

// stream_decoder over a buffer of many packets, read in socket-sized pieces through
// prepare()/commit(), draining next() after each piece. Time is reported per packet.
void BM_StreamDecode(benchmark::State& state) {
  const publish_case c = case_of(state);
  const auto read_size = static_cast<std::size_t>(state.range(1));
  constexpr std::size_t kPackets = 1000;
  const std::string one = encoded(c);
  std::string stream;
  for (std::size_t i = 0; i < kPackets; ++i) stream += one;

  std::size_t decoded = 0;
  stream_decoder d;
  d.set_version(c.version);
  for (auto _ : state) {
    for (std::size_t pos = 0; pos < stream.size();) {
      const std::size_t n = std::min(read_size, stream.size() - pos);
      std::memcpy(d.prepare(n), stream.data() + pos, n);
      d.commit(n);
      pos += n;
      while (auto r = d.next()) {
        benchmark::DoNotOptimize(*r);
        decoded += r->ok();
      }
    }
  }
  if (decoded != kPackets * state.iterations()) state.SkipWithError("not every packet decoded");
  const auto packets = static_cast<double>(kPackets * state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(packets));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  // Seconds per packet, printed with an SI prefix ("85n" is 85 ns).
  state.counters["time/packet"] =
      benchmark::Counter(packets, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  set_label(state, c, one.size());
}

// Encoding into a reused string: through encode(const publish_packet&), the broker's fan-out path,
// and through encode(const packet&), the variant overload.
template <class Packet>
void encode_into_reused_string(benchmark::State& state) {
  const publish_case c = case_of(state);
  const Packet p = make_publish(c);
  std::string out;
  out.reserve(256);
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(encode(p, c.version, out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  set_label(state, c, out.size());
}

void BM_EncodePublish(benchmark::State& state) { encode_into_reused_string<publish_packet>(state); }
void BM_EncodePacket(benchmark::State& state) { encode_into_reused_string<packet>(state); }

BENCHMARK(BM_Decode)->DenseRange(0, 3);
BENCHMARK(BM_StreamDecode)->ArgsProduct({{0, 1, 2, 3}, {4096, 65536}});
BENCHMARK(BM_EncodePublish)->DenseRange(0, 3);
BENCHMARK(BM_EncodePacket)->DenseRange(0, 3);

// `--loop=decode|stream|encode:<case> --count=N`: runs the operation N times outside the harness,
// for counting instructions with callgrind, whose counts are stable where wall time is not:
// (Ir at 2N - Ir at N) / N is the cost of one operation (docs/benchmarks.md, "Codec").
// decode: decode(); stream: stream_decoder in 4 KiB reads (N rounded down to 1000s of packets);
// encode: encode(const publish_packet&).
int run_loop(std::string_view what, long count) {
  const auto colon = what.find(':');
  if (colon == std::string_view::npos) return 2;
  const std::string_view op = what.substr(0, colon);
  const int i = what[colon + 1] - '0';
  const publish_case c{i < 2 ? protocol_version::v3_1_1 : protocol_version::v5,
                       i % 2 ? qos::at_least_once : qos::at_most_once};
  const std::string bytes = encoded(c);
  long ok = 0, expected = count;
  if (op == "decode") {
    for (long k = 0; k < count; ++k) ok += decode(bytes, c.version).ok();
  } else if (op == "stream") {
    std::string stream;
    for (int k = 0; k < 1000; ++k) stream += bytes;
    stream_decoder d;
    d.set_version(c.version);
    expected = count / 1000 * 1000;
    for (long k = 0; k < count / 1000; ++k)
      for (std::size_t pos = 0; pos < stream.size();) {
        const std::size_t n = std::min<std::size_t>(4096, stream.size() - pos);
        std::memcpy(d.prepare(n), stream.data() + pos, n);
        d.commit(n);
        pos += n;
        while (auto r = d.next()) ok += r->ok();
      }
  } else if (op == "encode") {
    const publish_packet p = make_publish(c);
    std::string out;
    out.reserve(256);
    for (long k = 0; k < count; ++k) {
      out.clear();
      ok += encode(p, c.version, out);
    }
  } else {
    return 2;
  }
  return ok == expected ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view loop;
  long count = 100000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.rfind("--loop=", 0) == 0) loop = arg.substr(7);
    if (arg.rfind("--count=", 0) == 0) count = std::atol(argv[i] + 8);
  }
  if (!loop.empty()) return run_loop(loop, count);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
