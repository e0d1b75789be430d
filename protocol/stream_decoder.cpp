#include "protocol/stream_decoder.hpp"

#include <cstring>

#include "protocol/byte_writer.hpp"

namespace unimq::mqtt {
namespace {

// An idle connection should not keep a large buffer alive after one big packet.
constexpr std::size_t kKeptBufferSize = 4096;

}  // namespace

void stream_decoder::compact() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (buffer_.size() > kKeptBufferSize) std::string().swap(buffer_);
    return;
  }
  if (begin_ == 0) return;
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

char* stream_decoder::prepare(std::size_t n) {
  compact();
  if (buffer_.size() < end_ + n) buffer_.resize(end_ + n);
  return buffer_.data() + end_;
}

void stream_decoder::commit(std::size_t n) {
  if (dead_) return;
  end_ += n;
}

void stream_decoder::feed(std::string_view bytes) {
  if (dead_ || bytes.empty()) return;
  std::memcpy(prepare(bytes.size()), bytes.data(), bytes.size());
  commit(bytes.size());
}

decode_error stream_decoder::fail(reason_code code, std::string_view rule, std::string message,
                                  std::uint8_t first_byte) {
  dead_ = true;  // the buffer stays: packets returned before still point into it
  decode_error e;
  e.code = code;
  e.rule = rule;
  e.message = std::move(message);
  e.version = version_.value_or(protocol_version::v3_1_1);
  e.action = reaction_for(code, static_cast<packet_type>(first_byte >> 4), e.version);
  return e;
}

std::optional<decode_result> stream_decoder::next() {
  if (dead_ || begin_ == end_) return std::nullopt;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(buffer_.data() + begin_);
  const std::size_t available = end_ - begin_;
  const std::uint8_t first_byte = bytes[0];
  const protocol_version version = version_.value_or(protocol_version::v3_1_1);
  const bool v5 = version == protocol_version::v5;

  // Remaining Length: a Variable Byte Integer of at most four bytes.
  std::uint32_t remaining = 0;
  std::size_t header = 1;
  for (int shift = 0;; shift += 7) {
    if (header > 4)
      return fail(reason_code::malformed_packet, v5 ? "MQTT-1.5.5-1" : "MQTT-2.2.3",
                  "Remaining Length is longer than four bytes", first_byte);
    if (header >= available) return std::nullopt;
    const std::uint8_t b = bytes[header++];
    remaining |= static_cast<std::uint32_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      if (b == 0 && shift > 0)
        return fail(reason_code::malformed_packet, v5 ? "MQTT-1.5.5-1" : "MQTT-2.2.3",
                    "Remaining Length is not minimally encoded", first_byte);
      break;
    }
  }
  const std::size_t total = header + remaining;
  if (total > max_packet_size_)
    return fail(reason_code::packet_too_large, "MQTT-3.2.2-15",
                "packet of " + std::to_string(total) + " bytes exceeds the maximum of " +
                    std::to_string(max_packet_size_),
                first_byte);
  if (available < total) return std::nullopt;

  std::string_view body(buffer_.data() + begin_ + header, remaining);
  begin_ += total;
  decode_result result = decode_packet(first_byte, body, version, options_);
  if (!result) {
    dead_ = true;
    return result;
  }
  if (auto* connect = std::get_if<connect_packet>(&result.value())) version_ = connect->version;
  return result;
}

}  // namespace unimq::mqtt
